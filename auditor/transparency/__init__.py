"""Provider transparency reports: adapters, normalised table, consistency checks, roll-up of a
Party log to a provider's published layout, and reconciliation (issue 6)."""

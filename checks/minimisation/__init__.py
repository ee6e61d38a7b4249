"""minimisation checks."""

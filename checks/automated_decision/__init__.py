"""automated_decision checks."""

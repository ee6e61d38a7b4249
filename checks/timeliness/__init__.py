"""timeliness checks."""

"""completeness checks."""

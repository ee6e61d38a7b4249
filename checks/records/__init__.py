"""records checks."""

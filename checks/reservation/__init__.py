"""reservation checks."""

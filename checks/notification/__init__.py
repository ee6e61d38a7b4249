"""notification checks."""

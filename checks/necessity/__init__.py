"""necessity checks."""

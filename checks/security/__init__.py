"""security checks."""

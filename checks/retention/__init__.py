"""retention checks."""

"""onward_transfer checks."""

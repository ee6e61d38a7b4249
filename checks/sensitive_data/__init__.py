"""sensitive_data checks."""

"""auditor: safeguards compliance auditor for cross-border e-evidence requests."""

__version__ = "0.1.0"

"""CLI command modules registered in auditor.cli."""

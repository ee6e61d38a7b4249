"""Typed errors. The library raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class AuditorError(Exception):
    """Base class. ``hint`` says what the user can do about it."""

    exit_code = 4

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  Fix: {self.hint}"


class UsageError(AuditorError):
    """Bad options or arguments (unknown pack, unknown check id, bad date)."""

    exit_code = 2


class InputError(AuditorError):
    """Input that cannot be audited at all: nothing was stored or audited."""

    exit_code = 3

    def __init__(self, message: str, hint: str | None = None, file: str | None = None) -> None:
        super().__init__(message, hint)
        self.file = file


class ConfigError(UsageError):
    """A rule-pack, profile or config file that cannot be used."""


class NotFoundError(UsageError):
    """A run id, check id or pack that does not exist."""

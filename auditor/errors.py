"""Typed errors. The library raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

import errno
import os


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


class ProfileError(ConfigError):
    """A mapping profile (``--mapping FILE.toml``) that cannot be used: bad TOML, an unknown
    table, column or key, a bad date format or time zone. Names the file and the key (exit 2)."""

    def __init__(self, message: str, hint: str | None = None, file: str | None = None,
                 key: str | None = None) -> None:
        super().__init__(message, hint)
        self.file = file
        self.key = key


class NotFoundError(UsageError):
    """A run id, check id or pack that does not exist."""


#: errno of an OSError that says the place the user chose cannot be written (not a bug)
_ENVIRONMENT_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}


def from_environment(exc: BaseException) -> AuditorError | None:
    """A typed error for an unexpected exception that is the environment's doing, not a bug: a
    read-only or full disk, a missing permission, a read-only database, a ``--db`` file that is
    not a database. None for anything else. The commands check their paths and database
    before they start (``auditor.audit.check_out_dir``, ``open_store``); this catches what
    changes under them."""
    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
        where = f" {exc.filename}" if exc.filename else ""
        unreadable = (exc.errno in (errno.EACCES, errno.EPERM) and exc.filename
                      and os.path.isfile(exc.filename) and not os.access(exc.filename, os.R_OK))
        if unreadable:  # an input file we may not read: nothing could be audited
            return InputError(f"cannot read{where}: {exc.strerror or exc}",
                              hint="check the file's permissions", file=str(exc.filename))
        return UsageError(f"cannot use{where}: {exc.strerror or exc}",
                          hint="check the path, its permissions, and that the disk is writable and not full")
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else ""
    if "readonly database" in text or "read-only transaction" in text or "read-only file system" in text.lower():
        return UsageError(f"the database is read-only: {text}",
                          hint="use a database you may write to (--db, AUDITOR_DB_URL or db in the config file)")
    if "file is not a database" in text:
        return UsageError(f"the --db file is not a database: {text}",
                          hint="point --db at an auditor database (sqlite:///path/auditor.db); data files go to --data")
    return None

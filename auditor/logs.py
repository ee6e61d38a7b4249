"""Logging and progress for interactive use and for schedulers.

- On a terminal (stderr is a TTY, text format, not quiet): tqdm progress bars on the long steps;
  log lines at WARNING and above.
- Otherwise (cron, CI, pipes): no bars; one plain log line per step on stderr, as
  ``2026-06-30T02:00:01Z INFO auditor.ingest: message key=value ...`` or, with
  ``--log-format json``, one JSON object per line.
- ``--quiet``: only warnings and errors.
- ``set_context(run_id=...)``: fields every JSON line carries from then on (the CLI sets the run
  id before an audit starts, so every line of the run, ingest included, names it).

Log lines never hold subscriber identifiers: callers log counts, ids of records and file names.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")
LOG_FORMATS = ("text", "json")
_STD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_state = {"format": "text", "quiet": False, "configured": False}
#: fields added to every record (``set_context``); reset by ``setup``
_context: dict[str, str] = {}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at emit time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STD_ATTRS and not k.startswith("_")}


def _ts(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_context(**fields: str | None) -> None:
    """Add (or, with None, remove) fields that every JSON log line carries from now on."""
    for k, v in fields.items():
        if v is None:
            _context.pop(k, None)
        else:
            _context[k] = v


def context() -> dict[str, str]:
    return dict(_context)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": _ts(record), "level": record.levelname, "logger": record.name, **_context,
                 "message": record.getMessage(), **_extras(record)}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{_ts(record)} {record.levelname} {record.name}: {record.getMessage()}"
        return f"{line} {extra}" if extra else line


def interactive() -> bool:
    """Progress bars only for a person at a terminal."""
    return _state["format"] == "text" and not _state["quiet"] and sys.stderr.isatty()


def setup(log_format: str = "text", quiet: bool = False) -> None:
    """Configure the ``auditor`` logger once per process (idempotent)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}")
    _state.update(format=log_format, quiet=quiet, configured=True)
    _context.clear()
    logger = logging.getLogger("auditor")
    for h in list(logger.handlers):
        if isinstance(h, _StderrHandler):
            logger.removeHandler(h)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    if quiet:
        logger.setLevel(logging.WARNING)
    elif interactive():
        logger.setLevel(logging.WARNING)  # the bars and the summary say it
    else:
        logger.setLevel(logging.INFO)


def quiet() -> bool:
    return bool(_state["quiet"])


def log_format() -> str:
    return str(_state["format"])


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar when interactive, plainly otherwise."""
    if not interactive():
        yield from items
        return
    from tqdm import tqdm  # noqa: PLC0415

    yield from tqdm(items, desc=desc, total=total, file=sys.stderr, leave=False, unit="step")

"""All of a rendering or none of it: reports are written into a hidden staging folder inside the
reports folder and moved into place only once every file is written.

A rendering that fails (a bug, a full disk) leaves the reports folder as it was before (earlier
reports, other files) and removes its staging folder; the caller raises a typed error naming the
stored run (``auditor.audit.render_run``). A staging folder left behind by a process that was
killed is removed by the next rendering into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
from pathlib import Path

from auditor.errors import AuditorError

#: name prefix of a staging folder (``.auditor-render-<pid>-<random>-<host>``) inside the reports folder
PREFIX = ".auditor-render-"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "_"


class ReportError(AuditorError):
    """The reports of a stored run could not be rendered (exit 4: a bug; ``hint`` says how to
    re-render the stored run). Nothing was written to the reports folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _remove_stale(out: Path) -> None:
    """Remove staging folders of renderings on this host whose process is gone (a folder of
    another host, on a shared disk, is left to that host)."""
    host = _host()
    with contextlib.suppress(OSError):
        for entry in out.iterdir():
            if not entry.name.startswith(PREFIX) or not entry.is_dir():
                continue
            parts = entry.name[len(PREFIX):].split("-", 2)
            if len(parts) != 3 or parts[2] != host or not parts[0].isdigit():
                continue
            pid = int(parts[0])
            if pid != os.getpid() and not _alive(pid):
                shutil.rmtree(entry, ignore_errors=True)


class Staging:
    """``with Staging(out_dir) as stage:`` write into ``stage.dir``; ``stage.commit(paths)``
    moves every file written there into ``out_dir`` (same relative paths, replacing files of the
    same name) and returns the final paths of ``paths``. Leaving the block without a commit (an
    exception) removes the staging folder, and the folders this rendering created for
    ``out_dir`` when they are still empty."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out = Path(out_dir)
        self.dir: Path | None = None
        self.created: list[Path] = []  # the folders this rendering created, innermost first
        self.committed = False

    def __enter__(self) -> Staging:
        folder = self.out
        while not folder.exists() and folder.parent != folder:
            self.created.append(folder)
            folder = folder.parent
        self.out.mkdir(parents=True, exist_ok=True)
        _remove_stale(self.out)
        self.dir = self.out / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{_host()}"
        self.dir.mkdir()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
        if exc_type is not None and not self.committed:
            for folder in self.created:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break

    def final(self, path: Path) -> Path:
        """Where ``path`` (inside the staging folder) ends up."""
        assert self.dir is not None
        return self.out / Path(path).relative_to(self.dir)

    def commit(self, written: list[Path]) -> list[Path]:
        """Move the staged files into the reports folder; the final paths of ``written``.
        ``summary.json`` moves last: once it is new, so is every other file of the rendering."""
        assert self.dir is not None
        files = sorted((p for p in self.dir.rglob("*") if p.is_file()),
                       key=lambda p: (p.relative_to(self.dir).as_posix() == "summary.json", p.as_posix()))
        for path in files:
            dest = self.final(path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)
        self.committed = True
        return [self.final(p) for p in written]

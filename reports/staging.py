"""One rendering, one folder: a reports folder holds all of one run's report set or none of it,
never a mix of two runs, and a ``manifest.json`` that lists every file of the set.

Why: rerunning into the same ``--out`` used to leave the earlier run's files that the new run did
not write (``index.md``, ``findings.csv``, ``party/DE.html`` beside a new ``index.html``), and a
reader cannot tell which page belongs to which run.

How a set is written (:class:`Staging`):

1. **Survey** (:func:`survey`, before anything is written): every entry of the folder must be the
   auditor's own: listed by the folder's ``manifest.json``, or named as the auditor names its
   outputs (:func:`is_own_name`: ``index.*``, ``summary.json``, ``findings.*``, ``junit.xml``,
   ``quarantine.csv``, ``manifest.json``, other top-level pages of :data:`TOP_STEMS`, and any
   report file under the page folders of :data:`PAGE_DIRS`), or listed by the manifest of a work
   folder an interrupted write left. Anything else (a user's file, ``--out .``) stops the write
   with :class:`ForeignFilesError` (a usage error, exit 2): nothing is written or deleted.
   Empty and missing folders are fine. Files an operating system drops into any folder
   (:data:`IGNORED`: ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are left alone.
2. **Render** into a hidden staging folder inside the reports folder
   (``.auditor-render-<pid>-<random>-<host>``); its ``manifest.json`` (path, size and SHA-256 of
   every file; run id, tool version, formats, ``written_at``) is written there last.
3. **Swap** (:meth:`Staging.commit`), the manifest out first and in last:
   a. the old ``manifest.json`` moves into a backup folder (``.auditor-old-<pid>-...``): from
      here the folder has no manifest, the mark of a folder that holds no complete set;
   b. every other file of the earlier set moves into the backup folder;
   c. the new files move in (``summary.json`` last of them), then the new ``manifest.json``;
   d. the backup folder and the page folders the new set left empty are removed.
   An error during a-c (a full or read-only disk) moves everything back: the earlier set,
   manifest included, is as it was, and the error is raised.

What a crash (kill -9, power cut) leaves: during 1-2, the earlier set untouched (and the staging
folder); during 3a-3c, no ``manifest.json`` in the folder, its files split between the folder, the
backup folder and the staging folder; after 3c, the new set complete (and the backup folder).
The next write into the folder removes the work folders of dead processes on this host and
replaces whatever is left (the work folders' manifests make their files the auditor's, whatever
their names). A reader can trust a folder that has a ``manifest.json`` to hold exactly the files
it lists, with those hashes (:func:`manifest_problems`). Two writes into one folder at the same
time are not supported.

A rendering that fails before the swap (a bug, a full disk) leaves the reports folder as it was
and removes its staging folder; the caller raises a typed error naming the stored run
(``auditor.audit.render_run``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError, UsageError

#: name prefix of a staging folder (``.auditor-render-<pid>-<random>-<host>``) inside the reports folder
PREFIX = ".auditor-render-"
#: name prefix of the folder the earlier set moves into during a swap (``.auditor-old-<pid>-<random>-<host>``)
OLD_PREFIX = ".auditor-old-"
#: the file that lists a report set; written last
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1

#: file extensions of report files (top level and page folders)
EXTS = frozenset({"html", "md", "json", "pdf", "csv", "xml", "sarif", "parquet"})
#: stems of the files the auditor writes at the top of a reports folder (``<stem>.<ext in EXTS>``);
#: a new top-level page must be added here (or it is a user's file in a folder written before it)
TOP_STEMS = frozenset({"index", "summary", "findings", "junit", "quarantine", "manifest", "issues", "key-issues",
                       "key_issues", "runs", "guide", "how-to-read", "methodology", "data-quality", "checks",
                       "published_cells"})
#: folders of report pages: every file under them with an extension of PAGE_EXTS is the auditor's
PAGE_DIRS = frozenset({"party", "provider", "check", "checks", "run", "runs", "assets"})
PAGE_EXTS = EXTS | {"png", "svg", "css", "js"}
#: files an operating system's file browser drops into any folder: never the user's work, never
#: deleted, never part of a set
IGNORED = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: a temporary file of ``auditor.textsafe.write_csv`` (``.<name>.<pid>-<hex>.tmp``) left by a killed write
_TMP = re.compile(r"^\.(?P<name>[^/]+)\.\d+-[0-9a-f]{8}\.tmp$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "_"


class ReportError(AuditorError):
    """The reports of a stored run could not be rendered (exit 4: a bug; ``hint`` says how to
    re-render the stored run). Nothing was written to the reports folder."""


class ForeignFilesError(UsageError):
    """The reports folder holds files the auditor did not write (exit 2). Nothing was written or
    deleted: a write replaces the auditor's earlier set in a folder and must never delete a
    user's files. ``folder`` and ``foreign`` (relative paths, a folder with a trailing ``/``)."""

    def __init__(self, folder: Path, foreign: list[str], label: str | None = None) -> None:
        from auditor.textsafe import printable  # noqa: PLC0415

        shown = ", ".join(printable(f) for f in foreign[:5])
        if len(foreign) > 5:
            shown += f" and {len(foreign) - 5} more"
        where = label or f"the reports folder {folder}"
        super().__init__(
            f"{printable(where)} holds {len(foreign)} file(s) or folder(s) the auditor did not write ({shown}); "
            "a report set replaces the whole folder, so nothing was written or deleted there",
            hint="choose an empty or new folder for the reports (e.g. --out out/reports); the auditor replaces "
                 "its own earlier reports in a folder and never deletes anything else")
        self.folder = folder
        self.foreign = foreign


@dataclass
class Survey:
    """What a reports folder holds (:func:`survey`)."""

    owned: list[str] = field(default_factory=list)    #: files of earlier auditor output (not the manifest)
    dirs: list[str] = field(default_factory=list)     #: the auditor's folders, parents first
    foreign: list[str] = field(default_factory=list)  #: entries the auditor did not write
    manifest: bool = False                            #: the folder has a ``manifest.json``
    known: set[str] = field(default_factory=set)      #: paths listed by the manifests found


def is_own_name(rel: str) -> bool:
    """Whether ``rel`` (a relative POSIX path) is named as the auditor names its outputs."""
    parts = rel.split("/")
    name = parts[-1]
    tmp = _TMP.match(name)
    if tmp:  # a killed write's temporary file of an own file
        return is_own_name("/".join([*parts[:-1], tmp["name"]]))
    stem, _, ext = name.rpartition(".")
    if len(parts) == 1:
        return stem in TOP_STEMS and ext in EXTS
    return parts[0] in PAGE_DIRS and bool(stem) and ext in PAGE_EXTS


def _listed(path: Path) -> set[str]:
    """The relative paths a manifest lists (none when it is missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(f["path"]) for f in data.get("files") or [] if isinstance(f, dict) and isinstance(f.get("path"), str)}
    except (OSError, ValueError, AttributeError, TypeError):
        return set()


def _is_work(entry: os.DirEntry) -> bool:
    return entry.name.startswith((PREFIX, OLD_PREFIX)) and entry.is_dir(follow_symlinks=False)


def survey(out: str | Path, known: Iterable[str] = ()) -> Survey:
    """Classify the entries of the reports folder ``out``: earlier auditor output (listed by a
    manifest, ``known``, or named as the auditor names its outputs) or foreign. Symbolic links
    are never followed and always foreign; work folders of writes in progress or interrupted are
    skipped (their manifests count as listings)."""
    out = Path(out)
    s = Survey(known=set(known))
    if not out.is_dir():
        return s
    entries = sorted(os.scandir(out), key=lambda e: e.name)
    for e in entries:
        if _is_work(e):
            s.known |= _listed(Path(e.path) / MANIFEST)
    s.known |= _listed(out / MANIFEST)
    for e in entries:
        name = e.name
        if name in IGNORED or name.startswith(".auditor-probe-") or _is_work(e):
            continue
        if e.is_symlink():
            s.foreign.append(name)
        elif e.is_dir():
            if name in PAGE_DIRS or any(k.startswith(name + "/") for k in s.known):
                _walk(Path(e.path), name, s)
            else:
                s.foreign.append(name + "/")
        elif name == MANIFEST and e.is_file():
            s.manifest = True
        elif e.is_file() and (name in s.known or is_own_name(name)):
            s.owned.append(name)
        else:
            s.foreign.append(name)
    return s


def _walk(folder: Path, rel: str, s: Survey) -> None:
    s.dirs.append(rel)
    for e in sorted(os.scandir(folder), key=lambda e: e.name):
        r = f"{rel}/{e.name}"
        if e.name in IGNORED:
            continue
        if e.is_symlink():
            s.foreign.append(r)
        elif e.is_dir():
            _walk(Path(e.path), r, s)
        elif e.is_file() and (r in s.known or is_own_name(r)):
            s.owned.append(r)
        else:
            s.foreign.append(r)


def check_folder(out: str | Path, label: str | None = None, known: Iterable[str] = ()) -> Survey:
    """:func:`survey` of ``out``; ForeignFilesError (exit 2) when it holds anything the auditor
    did not write. ``label`` names the folder in the message (e.g. ``--out out/demo``)."""
    s = survey(out, known)
    if s.foreign:
        raise ForeignFilesError(Path(out), s.foreign, label)
    return s


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _remove_stale(out: Path) -> None:
    """Remove work folders (staging, backup) of writes on this host whose process is gone (a
    folder of another host, on a shared disk, is left to that host)."""
    host = _host()
    with contextlib.suppress(OSError):
        for entry in out.iterdir():
            prefix = next((p for p in (PREFIX, OLD_PREFIX) if entry.name.startswith(p)), None)
            if prefix is None or not entry.is_dir():
                continue
            parts = entry.name[len(prefix):].split("-", 2)
            if len(parts) != 3 or parts[2] != host or not parts[0].isdigit():
                continue
            pid = int(parts[0])
            if pid != os.getpid() and not _alive(pid):
                shutil.rmtree(entry, ignore_errors=True)


def _files(root: Path) -> list[str]:
    """Relative POSIX paths of the files under ``root`` (symbolic links not followed)."""
    found = []
    for folder, _dirs, names in os.walk(root):
        base = Path(folder).relative_to(root)
        found.extend((base / n).as_posix() for n in names)
    return sorted(found)


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def build_manifest(root: Path, files: Iterable[str], *, run_id: str | None, formats: Iterable[str],
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest of the set ``files`` (relative paths under ``root``)."""
    from auditor import __version__  # noqa: PLC0415

    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "tool_version": __version__,
        "formats": list(dict.fromkeys(str(f).lower() for f in formats)),
        "written_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        **(extra or {}),
        "files": [{"path": rel, "size": (root / rel).stat().st_size, "sha256": _sha256(root / rel)}
                  for rel in sorted(files)],
    }


def manifest_problems(out: str | Path) -> list[str]:
    """Why the reports folder ``out`` is not exactly the set its manifest lists (empty: it is):
    no manifest, a listed file missing or with another size or hash, a file not listed."""
    out = Path(out)
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no readable {MANIFEST} ({type(exc).__name__})"]
    problems = []
    listed = {}
    for f in data.get("files") or []:
        rel = str(f.get("path"))
        listed[rel] = f
        path = out / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != f.get("size") or _sha256(path) != f.get("sha256"):
            problems.append(f"{rel}: size or sha256 differs")
    s = survey(out)
    problems += [f"{rel}: not listed" for rel in s.owned + s.foreign if rel not in listed]
    return problems


def _summary_run_id(path: Path) -> str | None:
    """The run id of a staged ``summary.json`` (None when there is none or it is not JSON)."""
    try:
        run_id = json.loads(path.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return str(run_id) if run_id is not None else None


def _move(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dest)


def _prune(out: Path, dirs: Iterable[str]) -> None:
    """Remove the folders ``dirs`` (relative to ``out``) that are empty, deepest first."""
    for rel in sorted(set(dirs), key=lambda d: d.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (out / rel).rmdir()  # only when empty


def _fsync_dir(path: Path) -> None:
    """Make the renames in ``path`` durable where the platform allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Staging:
    """``with Staging(out_dir, formats=...) as stage:`` write into ``stage.dir``;
    ``stage.commit(paths)`` replaces the folder's earlier set with every file written there
    (same relative paths) plus ``manifest.json``, and returns the final paths of ``paths``.

    Entering checks the folder (ForeignFilesError, exit 2, before anything is created). Leaving
    the block without a commit (an exception) removes the staging folder, and the folders this
    rendering created for ``out_dir`` when they are still empty. ``run_id``: for the manifest
    (default: the staged ``summary.json``'s); ``extra``: more manifest keys; ``label``: how
    errors name the folder (e.g. ``--out out/demo``)."""

    def __init__(self, out_dir: str | Path, *, formats: Iterable[str] = (), run_id: str | None = None,
                 extra: dict[str, Any] | None = None, label: str | None = None) -> None:
        self.out = Path(out_dir)
        self.formats = tuple(formats)
        self.run_id = run_id
        self.extra = extra
        self.label = label
        self.dir: Path | None = None
        self.created: list[Path] = []  # the folders this rendering created, innermost first
        self.committed = False
        self.known: set[str] = set()

    @property
    def manifest(self) -> Path:
        """Where the set's ``manifest.json`` ends up."""
        return self.out / MANIFEST

    def __enter__(self) -> Staging:
        # before anything is created: a folder with a user's files is never written into
        self.known = check_folder(self.out, self.label).known
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
        """Swap the staged set in (see the module's docstring, step 3); the final paths of
        ``written``. ForeignFilesError when a foreign file appeared in the folder while the set
        rendered (nothing changed); an OSError during the swap puts the earlier set back."""
        assert self.dir is not None
        staged = _files(self.dir)
        if MANIFEST in staged:
            raise ValueError(f"a report set must not write {MANIFEST} itself: the staging folder writes it")
        run_id = self.run_id if self.run_id is not None else _summary_run_id(self.dir / "summary.json")
        manifest = build_manifest(self.dir, staged, run_id=run_id, formats=self.formats, extra=self.extra)
        with (self.dir / MANIFEST).open("w", encoding="utf-8", newline="\n") as fh:
            json.dump(manifest, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        current = check_folder(self.out, self.label, self.known)  # a file added while rendering stops it
        old = ([MANIFEST] if current.manifest else []) + current.owned  # the manifest out first
        new = sorted(staged, key=lambda r: (r == "summary.json", r)) + [MANIFEST]  # and in last
        backup = self.out / f"{OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{_host()}"
        backup.mkdir()
        moved_old: list[str] = []
        moved_new: list[str] = []
        try:
            for rel in old:
                _move(self.out / rel, backup / rel)
                moved_old.append(rel)
            for rel in new:
                _move(self.dir / rel, self.out / rel)
                moved_new.append(rel)
        except BaseException:
            self._roll_back(backup, moved_old, moved_new, current.dirs)
            raise
        self.committed = True
        _fsync_dir(self.out)
        shutil.rmtree(backup, ignore_errors=True)
        _prune(self.out, current.dirs)  # page folders the new set does not use
        return [self.final(p) for p in written]

    def _roll_back(self, backup: Path, moved_old: list[str], moved_new: list[str], dirs: list[str]) -> None:
        """Put the earlier set back after a failed swap (best effort: a file that cannot move
        stays where it is, and the backup folder is then kept for the next write to remove)."""
        assert self.dir is not None
        for rel in reversed(moved_new):
            with contextlib.suppress(OSError):
                _move(self.out / rel, self.dir / rel)
        for rel in reversed(moved_old):
            with contextlib.suppress(OSError):
                _move(backup / rel, self.out / rel)
        new_dirs = {str(Path(rel).parent.as_posix()) for rel in moved_new} - set(dirs) - {"."}
        parents = {"/".join(d.split("/")[:i]) for d in new_dirs for i in range(1, d.count("/") + 2)}
        _prune(self.out, parents - set(dirs))
        if not _files(backup):
            shutil.rmtree(backup, ignore_errors=True)

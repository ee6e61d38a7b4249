"""Pseudonymisation of personal data in the auditor's own outputs.

``subscriber_identifier`` (and any column declared personal) is replaced at ingest by a keyed
hash (HMAC-SHA256). The same identifier under the same key gives the same pseudonym, so records
can be linked across runs without anyone reading the identifier back.

The key (``load_key``), first found wins:

1. ``AUDITOR_PSEUDONYM_KEY`` (the key itself);
2. the key file named by ``AUDITOR_KEY_FILE``, else the config file's ``key_file``;
3. ``.auditor/pseudonym.key`` in the working folder, if it exists there (the default location of
   earlier versions: still used so existing installations keep their pseudonyms, with a notice);
4. the default key file, which does not depend on the working folder:
   ``$XDG_CONFIG_HOME/auditor/pseudonym.key`` (``~/.config/auditor/pseudonym.key`` when
   ``XDG_CONFIG_HOME`` is unset), generated on first use.

A key shorter than ``KEY_MIN_CHARS`` characters (an empty key file, an empty variable) is refused
(``ConfigError``, exit 2): pseudonyms under a guessable key can be reversed by hashing a list of
candidate identifiers. A generated key is 64 hex digits (256 bits), written to a temporary file
(mode 0600, fsync) and then hard-linked into place, so it appears complete or not at all and two
processes creating it at once both end up with the one that was linked first.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PREFIX = "psn_"
#: the default key location of earlier versions, relative to the working folder (still read)
LEGACY_KEY_FILE = Path(".auditor") / "pseudonym.key"
DEFAULT_KEY_FILE = LEGACY_KEY_FILE  # kept for importers; see default_key_file()
#: a shorter key is refused: 16 characters at the least (a generated key has 64 hex digits)
KEY_MIN_CHARS = 16
_KEY_HINT = ("set a long random key, e.g. AUDITOR_PSEUDONYM_KEY=$(python -c 'import secrets; "
             "print(secrets.token_hex(32))'), or unset the variable to use the key file; a new key changes every "
             "pseudonym, so keep the key you ingested with if you have it")
log = logging.getLogger("auditor.privacy")


def default_key_file() -> Path:
    """``$XDG_CONFIG_HOME/auditor/pseudonym.key``, else ``~/.config/auditor/pseudonym.key``:
    the same whatever the working folder."""
    from auditor.errors import ConfigError  # noqa: PLC0415

    base = os.environ.get("XDG_CONFIG_HOME", "")
    if base and Path(base).is_absolute():
        return Path(base) / "auditor" / "pseudonym.key"
    try:
        home = Path.home()
    except RuntimeError:
        raise ConfigError(
            "no home folder to keep the pseudonymisation key in",
            hint="set AUDITOR_KEY_FILE (or key_file in the config file) to the key file's path") from None
    return home / ".config" / "auditor" / "pseudonym.key"


def key_source(key_file: str | os.PathLike[str] | None = None) -> tuple[str, Path | None]:
    """Where ``load_key`` takes the key from: ("env", None), ("file", path), ("legacy", path) or
    ("default", path)."""
    if os.environ.get("AUDITOR_PSEUDONYM_KEY") is not None:
        return "env", None
    named = key_file or os.environ.get("AUDITOR_KEY_FILE")
    if named:
        return "file", Path(named).expanduser()
    legacy = Path.cwd() / LEGACY_KEY_FILE
    if legacy.is_file():
        return "legacy", legacy
    return "default", default_key_file()


def check_key(text: str, where: str, hint: str = _KEY_HINT) -> bytes:
    """The key as bytes, or ConfigError when it is empty or shorter than KEY_MIN_CHARS."""
    from auditor.errors import ConfigError  # noqa: PLC0415

    key = text.strip()
    if not key:
        raise ConfigError(f"the pseudonymisation key in {where} is empty", hint=hint)
    if len(key) < KEY_MIN_CHARS:
        raise ConfigError(f"the pseudonymisation key in {where} is too short ({len(key)} characters; at least "
                          f"{KEY_MIN_CHARS})", hint=hint)
    return key.encode("utf-8")


def load_key(key_file: str | os.PathLike[str] | None = None) -> bytes:
    """The pseudonymisation key (see the module doc for where it comes from); generated in the
    default key file on first use. ConfigError (exit 2) on an empty, short or unreadable key."""
    source, path = key_source(key_file)
    if source == "env":
        return check_key(os.environ["AUDITOR_PSEUDONYM_KEY"], "AUDITOR_PSEUDONYM_KEY")
    assert path is not None
    if source == "legacy":
        new = default_key_file()
        key = read_key(path)
        other = ""
        if new.is_file():
            with contextlib.suppress(Exception):
                other = (" (a different key is already there: keep the one your database was ingested with)"
                         if read_key(new, wait=0) != key else " (the same key is already there: delete this copy)")
        log.warning("using the pseudonymisation key %s (the former default location, relative to the working "
                    "folder: from another folder auditor would use another key and every stored row would "
                    "be revised); move it to %s%s, or set key_file in the config file or AUDITOR_KEY_FILE",
                    path, new, other, extra={"key_file": str(path), "default_key_file": str(new)})
        return key
    if path.exists() or path.is_symlink():
        return read_key(path)
    return create_key(path)


def read_key(path: Path, wait: float = 2.0) -> bytes:
    """Read and check a key file. An empty file is re-read for up to ``wait`` seconds (another
    process on a file system without hard links may be writing it) before it is refused."""
    from auditor.errors import ConfigError  # noqa: PLC0415

    deadline = time.monotonic() + wait
    while True:
        try:
            raw = path.read_bytes()
            mode = path.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"cannot read the pseudonymisation key file {path}: {exc.strerror or exc}",
                              hint="check the path (AUDITOR_KEY_FILE or key_file) and its permissions") from None
        if raw.strip() or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"the pseudonymisation key file {path} is not text", hint=_KEY_HINT) from None
    key = check_key(text, str(path), hint=(
        f"write a long random key into it: python -c 'import secrets; print(secrets.token_hex(32))' > {path}; "
        "if rows were ingested with the key it held, restore that key instead: a new key changes every pseudonym"))
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the pseudonymisation key file %s can be read by others (mode %04o); chmod 600 it", path,
                    stat.S_IMODE(mode), extra={"key_file": str(path)})
    return key


def create_key(path: Path) -> bytes:
    """Generate a key into ``path`` atomically: written to a temporary file (mode 0600) and
    fsynced, then hard-linked into place, which fails when the file exists; then the key that
    won is read back, so concurrent creators agree. Without hard links: exclusive create."""
    from auditor.errors import ConfigError  # noqa: PLC0415

    hint = ("set AUDITOR_KEY_FILE (or key_file in the config file) to a path you may write, or give the key in "
            "AUDITOR_PSEUDONYM_KEY")
    key = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".pseudonym-key-", dir=path.parent)
    except OSError as exc:
        raise ConfigError(f"cannot create the pseudonymisation key file {path}: {exc.strerror or exc}",
                          hint=hint) from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return read_key(path)  # another process linked its key first: use that one
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                                 errno.ENOSYS):
                raise ConfigError(f"cannot create the pseudonymisation key file {path}: {exc.strerror or exc}",
                                  hint=hint) from None
            if not _create_exclusive(path, key):
                return read_key(path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    log.info("generated a pseudonymisation key in %s", path, extra={"key_file": str(path)})
    return key.encode("ascii")


def _create_exclusive(path: Path, key: str) -> bool:
    """O_EXCL create + write + fsync; False when the file exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def pseudonymise_value(value: str, key: bytes) -> str:
    normalised = value.strip().lower().encode("utf-8")
    return PREFIX + hmac.digest(key, normalised, hashlib.sha256).hex()[:20]


def pseudonymise(series: pd.Series, key: bytes) -> pd.Series:
    """Pseudonymise a column; nulls stay null. Values are hashed once per distinct value."""
    mask = series.notna() & (series.astype("string").str.strip() != "")
    out = pd.Series(pd.NA, index=series.index, dtype="string")
    if mask.any():
        codes, uniques = pd.factorize(series[mask].astype("string"))
        hashed = np.array([pseudonymise_value(str(u), key) for u in uniques], dtype=object)
        out[mask] = hashed[codes]
    return out

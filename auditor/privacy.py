"""Pseudonymisation of personal data in the auditor's own outputs.

``subscriber_identifier`` (and any column declared personal) is replaced at ingest by a keyed
hash (HMAC-SHA256). The key comes from ``AUDITOR_PSEUDONYM_KEY`` or from a key file
(``AUDITOR_KEY_FILE``, default ``.auditor/pseudonym.key`` in the working folder), generated
once if absent. The same identifier under the same key gives the same pseudonym, so records
can be linked across runs without anyone reading the identifier back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

PREFIX = "psn_"
DEFAULT_KEY_FILE = Path(".auditor") / "pseudonym.key"


def load_key(key_file: str | os.PathLike[str] | None = None) -> bytes:
    env = os.environ.get("AUDITOR_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = Path(key_file or os.environ.get("AUDITOR_KEY_FILE") or DEFAULT_KEY_FILE)
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key.encode()


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

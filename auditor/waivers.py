"""Waivers and attestations (one TOML or YAML file, ``--waivers FILE``).

A **waiver** accepts the findings of one check, optionally narrowed to a Party, a provider and a
request, for a stated reason, by a named approver, until an expiry date (required). A waived
finding stays in every output, marked ``waived`` with the reason and expiry; it does not count
toward ``--fail-on``. A waiver applies while the audit date (``--as-of``, never the clock) is
before its ``expires`` date: on the expiry date itself it no longer applies.

An **attestation** records an auditor's judgement on a safeguard the logs cannot show (e.g. that
a request was necessary and proportionate): ``result`` pass or fail, who attested, an evidence
reference, and an expiry date. It is recorded in the run and shown in findings.json, SARIF and
JUnit; on or after its expiry date it is shown as ``expired``.

TOML::

    [[waivers]]
    check = "RET001"            # required; a check id of the pack
    party = "FR"                # optional: the Party of the finding
    provider = "ExampleMail"    # optional
    request = "R-2025-0001"     # optional: one request id
    justification = "Deletion deferred by court order 12/2026"
    approver = "J. Doe, DPO"
    expires = 2026-12-31

    [[attestations]]
    safeguard = "necessity"     # required: what was judged
    check = "NEC001"            # optional: the related check
    party = "FR"                # optional scope, as for waivers
    request = "R-2025-0002"
    result = "pass"             # pass | fail
    attested_by = "A. Auditor"
    evidence = "file note 2026-04-12, ref DPA/2026/17"
    expires = 2027-01-01

YAML uses the same keys under ``waivers:`` and ``attestations:`` lists. A malformed file stops
the run (exit 3) with the file and line.

A waiver that waives nothing in a run is warned about (``review``, logged by the audit): one that
has expired on the audit date, one naming a check the run did not run (a check of a pack that
was not selected), and one that matches no finding.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.errors import InputError

WAIVER_KEYS = ("check", "justification", "approver", "expires", "party", "provider", "request", "id")
WAIVER_REQUIRED = ("check", "justification", "approver", "expires")
ATTEST_KEYS = ("safeguard", "result", "attested_by", "evidence", "expires", "check", "party", "provider",
               "request", "note", "id")
ATTEST_REQUIRED = ("safeguard", "result", "attested_by", "evidence", "expires")
WAIVER_COLUMNS = ["waived", "waiver_reason", "waiver_expires", "waiver_approver", "waiver_id"]


@dataclass(frozen=True)
class Waiver:
    id: str
    check: str
    justification: str
    approver: str
    expires: date
    party: str | None = None
    provider: str | None = None
    request: str | None = None
    line: int = 0

    def active(self, as_of: date) -> bool:
        return as_of < self.expires

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["expires"] = self.expires.isoformat()
        return d


@dataclass(frozen=True)
class Attestation:
    id: str
    safeguard: str
    result: str
    attested_by: str
    evidence: str
    expires: date
    check: str | None = None
    party: str | None = None
    provider: str | None = None
    request: str | None = None
    note: str | None = None
    line: int = 0

    def status(self, as_of: date) -> str:
        return self.result if as_of < self.expires else "expired"

    def as_dict(self, as_of: date | None = None) -> dict[str, Any]:
        d = asdict(self)
        d["expires"] = self.expires.isoformat()
        if as_of is not None:
            d["status"] = self.status(as_of)
        return d


@dataclass
class WaiverFile:
    path: str | None
    sha256: str | None
    waivers: list[Waiver]
    attestations: list[Attestation]

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "sha256": self.sha256,
                "waivers": [w.as_dict() for w in self.waivers],
                "attestations": [a.as_dict() for a in self.attestations]}


EMPTY = WaiverFile(None, None, [], [])


def _err(path: Path, line: int | None, msg: str) -> InputError:
    where = f"{path}:{line}" if line else str(path)
    return InputError(f"{where}: {msg}", hint="fix the waivers file; see docs/operations.md", file=str(path))


def _date(value: Any, path: Path, line: int, key: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _err(path, line, f"{key} = {value!r} is not a date (use YYYY-MM-DD)")


def _text(entry: dict, key: str, path: Path, line: int, required: bool) -> str | None:
    v = entry.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise _err(path, line, f"required key {key!r} is missing or empty")
        return None
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise _err(path, line, f"{key} must be text, not {type(v).__name__}")
    return str(v).strip()


def _entries_toml(path: Path, text: str) -> dict[str, list[tuple[dict, int]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise _err(path, int(m.group(1)) if m else None, f"not valid TOML: {exc}") from None
    out: dict[str, list[tuple[dict, int]]] = {}
    for section in ("waivers", "attestations"):
        header_lines = [i + 1 for i, ln in enumerate(text.splitlines())
                        if re.match(rf"^\s*\[\[\s*{section}\s*\]\]", ln)]
        items = data.get(section, [])
        if not isinstance(items, list):
            raise _err(path, None, f"{section} must be an array of tables ([[{section}]])")
        lines = header_lines if len(header_lines) == len(items) else [0] * len(items)
        out[section] = list(zip(items, lines, strict=True))
    unknown = sorted(set(data) - {"waivers", "attestations"})
    if unknown:
        raise _err(path, None, f"unknown top-level key(s): {', '.join(unknown)} (expected waivers, attestations)")
    return out


def _entries_yaml(path: Path, text: str) -> dict[str, list[tuple[dict, int]]]:
    import yaml  # noqa: PLC0415

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _err(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from None
    if data is None:
        return {"waivers": [], "attestations": []}
    if not isinstance(data, dict):
        raise _err(path, 1, "expected a mapping with waivers: and attestations: lists")
    unknown = sorted(set(map(str, data)) - {"waivers", "attestations"})
    if unknown:
        raise _err(path, None, f"unknown top-level key(s): {', '.join(unknown)} (expected waivers, attestations)")
    out: dict[str, list[tuple[dict, int]]] = {}
    for key_node, value_node in node.value:
        section = key_node.value
        items = data.get(section) or []
        if not isinstance(items, list):
            raise _err(path, key_node.start_mark.line + 1, f"{section} must be a list")
        lines = [n.start_mark.line + 1 for n in getattr(value_node, "value", [])]
        out[section] = list(zip(items, lines + [0] * (len(items) - len(lines)), strict=False))
    return out


def _entry_values(p: Path, line: int, entry: Any, kind: str, keys: tuple[str, ...],
                  required: tuple[str, ...]) -> dict[str, str | None]:
    """The text values of one waiver/attestation entry; fails with the line on a non-table entry,
    an unknown key, a missing required value or a missing expiry."""
    if not isinstance(entry, dict):
        raise _err(p, line, f"each {kind} must be a table/mapping")
    extra = sorted(set(entry) - set(keys))
    if extra:
        raise _err(p, line, f"unknown key(s) in {kind}: {', '.join(extra)}")
    vals = {k: _text(entry, k, p, line, k in required) for k in keys if k != "expires"}
    if "expires" not in entry:
        raise _err(p, line, f"required key 'expires' is missing (every {kind} must expire)")
    return vals


def load(path: str | Path | None, known_checks: set[str] | None = None) -> WaiverFile:
    """Read and validate a waivers file; raise InputError naming file and line on any defect."""
    if path is None:
        return EMPTY
    p = Path(path)
    if not p.is_file():
        raise InputError(f"waivers file {p} does not exist", hint="check the --waivers path", file=str(p))
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _err(p, None, "not UTF-8 text") from None
    sections = _entries_yaml(p, text) if p.suffix.lower() in (".yaml", ".yml") else _entries_toml(p, text)
    waivers: list[Waiver] = []
    for n, (entry, line) in enumerate(sections.get("waivers", []), start=1):
        vals = _entry_values(p, line, entry, "waiver", WAIVER_KEYS, WAIVER_REQUIRED)
        check = vals["check"].upper()
        if known_checks is not None and check not in known_checks:
            raise _err(p, line, f"unknown check id {check!r} in waiver")
        waivers.append(Waiver(id=vals["id"] or f"W{n}", check=check, justification=vals["justification"],
                              approver=vals["approver"], expires=_date(entry["expires"], p, line, "expires"),
                              party=vals["party"], provider=vals["provider"], request=vals["request"], line=line))
    attestations: list[Attestation] = []
    for n, (entry, line) in enumerate(sections.get("attestations", []), start=1):
        vals = _entry_values(p, line, entry, "attestation", ATTEST_KEYS, ATTEST_REQUIRED)
        result = vals["result"].lower()
        if result not in ("pass", "fail"):
            raise _err(p, line, f"result = {vals['result']!r}; use pass or fail")
        check = vals["check"].upper() if vals["check"] else None
        if check and known_checks is not None and check not in known_checks:
            raise _err(p, line, f"unknown check id {check!r} in attestation")
        attestations.append(Attestation(
            id=vals["id"] or f"A{n}", safeguard=vals["safeguard"], result=result, attested_by=vals["attested_by"],
            evidence=vals["evidence"], expires=_date(entry["expires"], p, line, "expires"), check=check,
            party=vals["party"], provider=vals["provider"], request=vals["request"], note=vals["note"], line=line))
    return WaiverFile(str(p), hashlib.sha256(raw).hexdigest(), waivers, attestations)


def from_dict(data: dict | None) -> WaiverFile:
    """Rebuild a WaiverFile stored with a run (``WaiverFile.as_dict``)."""
    if not data:
        return EMPTY
    ws = [Waiver(**{**w, "expires": date.fromisoformat(w["expires"])}) for w in data.get("waivers", [])]
    at = []
    for a in data.get("attestations", []):
        a = {k: v for k, v in a.items() if k != "status"}
        at.append(Attestation(**{**a, "expires": date.fromisoformat(a["expires"])}))
    return WaiverFile(data.get("file"), data.get("sha256"), ws, at)


def apply(findings: pd.DataFrame, waivers: list[Waiver], as_of: date) -> pd.DataFrame:
    """Return ``findings`` with WAIVER_COLUMNS added (the first active matching waiver wins)."""
    out = findings.copy()
    n = len(out)
    waived = pd.Series(False, index=out.index)
    cols = {c: pd.Series([None] * n, index=out.index, dtype=object) for c in WAIVER_COLUMNS[1:]}
    for w in waivers:
        if not w.active(as_of) or n == 0:
            continue
        mask = _matches(out, w) & ~waived
        if mask.any():
            waived |= mask
            cols["waiver_reason"][mask] = f"{w.justification} (approved by {w.approver})"
            cols["waiver_expires"][mask] = w.expires.isoformat()
            cols["waiver_approver"][mask] = w.approver
            cols["waiver_id"][mask] = w.id
    out["waived"] = waived.astype(bool)
    for c, s in cols.items():
        out[c] = s
    return out


def _matches(findings: pd.DataFrame, w: Waiver) -> pd.Series:
    """The findings a waiver's scope (check, and Party, provider, request when given) covers."""
    mask = findings["check_id"].astype(str).str.upper() == w.check
    for attr, col in (("party", "party"), ("provider", "provider"), ("request", "request_id")):
        value = getattr(w, attr)
        if value is not None:
            mask &= findings[col].astype("string").fillna("") == value
    return mask


@dataclass(frozen=True)
class WaiverWarning:
    """A waiver that waives nothing in a run, and why: ``expired``, ``check_not_run`` or
    ``no_match``."""

    waiver: str
    problem: str
    message: str

    @property
    def fields(self) -> dict[str, str]:
        return {"waiver": self.waiver, "waiver_problem": self.problem}


def review(wf: WaiverFile, findings: pd.DataFrame, as_of: date, checks_run: set[str],
           pack_of_check: dict[str, str] | None = None, packs_run: str | None = None) -> list[WaiverWarning]:
    """The waivers of ``wf`` that waive nothing in a run that ran ``checks_run`` and found
    ``findings`` on ``as_of``: expired, naming a check the run did not run (``pack_of_check``
    names the pack it belongs to), or matching no finding. In file order."""
    out = []
    for w in wf.waivers:
        where = f"{wf.path}:{w.line}" if wf.path and w.line else wf.path
        label = f"waiver {w.id}" + (f" ({where})" if where else "") + f" for {w.check}"
        scope = ", ".join(f"{k} {v}" for k, v in (("party", w.party), ("provider", w.provider),
                                                  ("request", w.request)) if v is not None)
        if not w.active(as_of):
            out.append(WaiverWarning(w.id, "expired", f"{label} expired on {w.expires.isoformat()} (audit date "
                                     f"{as_of.isoformat()}): it waives nothing; renew it or remove it"))
        elif w.check not in checks_run:
            pack = (pack_of_check or {}).get(w.check)
            of = f", a check of pack {pack}," if pack else ","
            ran = f" (packs {packs_run})" if packs_run else ""
            out.append(WaiverWarning(w.id, "check_not_run", f"{label}: {w.check}{of} was not run in this audit"
                                     f"{ran}: the waiver waives nothing; select its pack with --pack or remove it"))
        elif findings.empty or not bool(_matches(findings, w).any()):
            out.append(WaiverWarning(w.id, "no_match", f"{label}" + (f" ({scope})" if scope else "")
                                     + " matches no finding of this audit: it waives nothing; remove it if "
                                       "the finding was resolved, or correct its scope"))
    return out

"""SARIF 2.1.0 (``findings.sarif``) for code-scanning dashboards and pipelines.

One SARIF run per audit run. Rules are the pack's checks (with legal citation); results are the
findings, located logically by Party / provider / request (logs have no source lines); the
finding fingerprint is the ``partialFingerprints`` entry so dashboards track a finding across
runs. An advisory finding (the auditor's policy threshold, not a breach of the text) has level
``note`` and ``properties.kind = "advisory"``; a breach keeps the level of its severity. Every
result carries ``kind``, ``pack``, ``request_instrument`` (the request's instrument) and ``duty`` (who
must act: its check's duty) in its properties; every rule its check's ``kind``, ``pack``, ``scope``
and ``duty``. Waived findings carry an
accepted external ``suppression`` with justification, approver and expiry. Input files are listed as artifacts with their SHA-256; attestations sit in the run's
property bag. Validated against the OASIS SARIF 2.1.0 schema in the tests.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from . import jsonio

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
INFO_URI = "https://github.com/auditor/auditor"  # project page; see README
#: the level of an advisory finding, whatever its severity: it is not a breach of the text
ADVISORY_LEVEL = "note"


def _s(v: Any) -> str:
    return "" if v is None else str(v)


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(PurePosixPath(*p.parts).as_posix())


def _rule(check: dict) -> dict:
    cid = _s(check.get("id"))
    citation = " ".join(x for x in (_s(check.get("instrument")), _s(check.get("article"))) if x)
    rule: dict[str, Any] = {
        "id": cid,
        "name": cid,
        "shortDescription": {"text": _s(check.get("title")) or cid},
        "defaultConfiguration": {"level": ADVISORY_LEVEL if check.get("kind") == "advisory"
                                 else LEVELS.get(_s(check.get("severity")), "warning")},
        "properties": {
            "citation": citation,
            "kind": _s(check.get("kind")) or "breach",
            "pack": check.get("pack"),
            "scope": list(check.get("scope") or []),
            "duty": check.get("duty") or None,
            "family": check.get("family"),
            "severity": check.get("severity"),
            "legal_basis_status": check.get("legal_basis_status"),
            "outcome": check.get("outcome"),
            "tags": [t for t in ("data-protection", _s(check.get("family"))) if t],
        },
    }
    if check.get("rationale"):
        rule["fullDescription"] = {"text": _s(check.get("rationale"))}
    if check.get("remediation"):
        rule["help"] = {"text": _s(check.get("remediation"))}
    return rule


def _result(f: dict, rule_index: dict[str, int], pack_of: dict[str, str] | None = None,
            duty_of: dict[str, str | None] | None = None) -> dict:
    cid = _s(f.get("check_id"))
    kind = "advisory" if f.get("kind") == "advisory" else "breach"
    party, provider, req = _s(f.get("party")), _s(f.get("provider")), _s(f.get("request_id"))
    name = req or _s(f.get("record_id")) or cid
    res: dict[str, Any] = {
        "ruleId": cid,
        "level": ADVISORY_LEVEL if kind == "advisory" else LEVELS.get(_s(f.get("severity")), "warning"),
        "message": {"text": _s(f.get("message")) or cid},
        "locations": [{
            "logicalLocations": [{
                "name": name,
                "fullyQualifiedName": "/".join(x or "-" for x in (party, provider, name)),
                "kind": "object",
            }],
        }],
        "properties": {**{k: f.get(k) for k in ("party", "receiving_party", "provider", "request_id", "record_id",
                                                 "severity", "instrument", "article", "issued_at") if f.get(k)},
                       "kind": kind, "pack": f.get("pack") or (pack_of or {}).get(cid),
                       "request_instrument": f.get("request_instrument"),
                       "duty": (duty_of or {}).get(cid)},  # the check's: a finding has no duty of its own
    }
    if cid in rule_index:
        res["ruleIndex"] = rule_index[cid]
    if f.get("fingerprint"):
        res["partialFingerprints"] = {"auditorFingerprint/v1": _s(f.get("fingerprint"))}
    if f.get("waived"):
        res["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": _s(f.get("waiver_reason")),
            "properties": {"expires": f.get("waiver_expires"), "approver": f.get("waiver_approver"),
                           "waiver_id": f.get("waiver_id")},
        }]
    return res


def build(model: dict, stream: bool = False) -> dict:
    """The SARIF log of ``model``; ``stream``: its results as a ``jsonio.Items`` generator, each
    built while it is written (``write``), instead of a list."""
    run = model.get("run", {})
    checks = sorted(model.get("checks", []) or [], key=lambda c: _s(c.get("id")))
    rules = [_rule(c) for c in checks]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts = []
    for inp in run.get("inputs", []) or []:
        if not inp.get("file"):
            continue
        art: dict[str, Any] = {"location": {"uri": _uri(_s(inp["file"]))}, "roles": ["analysisTarget"]}
        if inp.get("sha256"):
            art["hashes"] = {"sha-256": _s(inp["sha256"])}
        art["properties"] = {k: inp.get(k) for k in ("table", "read", "stored", "unchanged", "revised",
                                                      "quarantined") if k in inp}
        artifacts.append(art)
    findings = model.get("findings", []) or []
    pack_of = {_s(c.get("id")): _s(c.get("pack")) or _s(run.get("pack")) or None for c in checks}
    duty_of = {_s(c.get("id")): _s(c.get("duty")) or None for c in checks}
    results = (jsonio.Items(_result(f, rule_index, pack_of, duty_of) for f in findings) if stream
               else [_result(f, rule_index, pack_of, duty_of) for f in findings])
    sarif_run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "auditor",
            "version": _s(run.get("tool_version")) or "0",
            "informationUri": INFO_URI,
            "rules": rules,
            "properties": {"pack": run.get("pack"), "pack_version": run.get("pack_version"),
                           "pack_title": run.get("pack_title"),
                           "packs": [{k: p.get(k) for k in ("name", "version", "sha256")}
                                     for p in run.get("packs") or []],
                           "audited_instruments": run.get("audited_instruments")},
        }},
        "automationDetails": {"id": f"auditor/{_s(run.get('pack'))}/{_s(run.get('run_id'))}"},
        "invocations": [{
            "executionSuccessful": not any(c.get("outcome") == "error" for c in checks),
            "properties": {"as_of": run.get("as_of"), "started_at": run.get("started_at"),
                           "finished_at": run.get("finished_at")},
        }],
        "results": results,
        "properties": {
            "run_id": run.get("run_id"),
            "as_of": run.get("as_of"),
            "attestations": model.get("attestations", []) or [],
            "waivers": model.get("waivers", []) or [],
            "config_sha256": run.get("config_sha256"),
        },
    }
    if artifacts:
        sarif_run["artifacts"] = artifacts
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


def write(model: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the text of json.dumps(..., indent=2, ensure_ascii=False, default=str), written as it is
    # encoded, one result at a time (jsonio.dump)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        jsonio.dump(build(model, stream=True), fh)
        fh.write("\n")
    return path

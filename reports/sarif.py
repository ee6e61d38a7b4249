"""SARIF 2.1.0 (``findings.sarif``) for code-scanning dashboards and pipelines.

One SARIF run per audit run. Rules are the pack's checks (with legal citation). By default a
result is one check x Party x provider group (x kind, x waiver), with ``properties.count`` and up
to five example request pseudonyms (``properties.examples``), its fingerprint the group's
(``auditorGroup/v1``): a messy log with a million findings gives a log code-scanning services
accept (about 25,000 results, 10 MB per upload; at most ``MAX_RESULTS`` groups, the rest counted
in ``runs[0].properties.groups_omitted``). With ``detail`` (``--sarif-detail``) a result is one
finding, located logically by Party / provider / request (logs have no source lines), the
finding fingerprint its ``partialFingerprints`` entry so dashboards track a finding across
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

from auditor.records import FrameRecords, heads

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


#: grouped results in one log at most (code-scanning services accept about 25,000 per upload)
MAX_RESULTS = 25_000
#: example request pseudonyms a grouped result names
EXAMPLES = 5


def _group_key(f: dict) -> tuple:
    return (_s(f.get("check_id")), _s(f.get("party")), _s(f.get("provider")),
            "advisory" if f.get("kind") == "advisory" else "breach", bool(f.get("waived")), _s(f.get("waiver_id")))


#: the finding values a group key is a function of (``records.FrameRecords.heads``)
_GROUP_COLUMNS = {"check_id": _s, "party": _s, "provider": _s, "kind": lambda v: v == "advisory", "waived": bool,
                  "waiver_id": _s}


def _grouped(findings: list[dict] | FrameRecords, rule_index: dict[str, int], pack_of: dict[str, str],
             duty_of: dict[str, str | None]) -> tuple[list[dict], int]:
    """One result per check x Party x provider (x kind, x waiver): its count and up to
    ``EXAMPLES`` example request pseudonyms in ``properties``; most severe and largest first, at
    most ``MAX_RESULTS``. ``findings``: dicts, or a ``FrameRecords`` of the findings frame (the
    same groups, without a dict per finding). Returns (results, groups left out)."""
    import hashlib  # noqa: PLC0415

    groups = heads(findings, _group_key, EXAMPLES, _GROUP_COLUMNS, fields=("request_id",))
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    keys = sorted(groups, key=lambda k: (order.get(_s(groups[k].listed[0].get("severity")), 5), -groups[k].count, k))
    out = []
    for key in keys[:MAX_RESULTS]:
        first, n = groups[key].listed[0], groups[key].count
        examples = [_s(f.get("request_id")) for f in groups[key].listed]
        cid, party, provider, kind = key[:4]
        res = _result(first, rule_index, pack_of, duty_of)
        res["message"] = {"text": f"{n} finding(s) of {cid} for {party or '-'} / {provider or '-'}; "
                                  f"for example: {_s(first.get('message')) or cid}"}
        res["locations"] = [{"logicalLocations": [{
            "name": provider or party or cid, "fullyQualifiedName": "/".join(x or "-" for x in (party, provider)),
            "kind": "object"}]}]
        props = {k: v for k, v in res["properties"].items()
                 if k not in ("request_id", "record_id", "issued_at", "receiving_party", "request_instrument")}
        res["properties"] = {**props, "count": n, "examples": examples}
        digest = hashlib.sha256("\x1f".join(map(str, key[:4])).encode()).hexdigest()[:32]
        res["partialFingerprints"] = {"auditorGroup/v1": digest}
        out.append(res)
    return out, max(0, len(keys) - MAX_RESULTS)


def build(model: dict, stream: bool = False, detail: bool = False,
          findings: list[dict] | FrameRecords | None = None) -> dict:
    """The SARIF log of ``model``: one result per check x Party x provider group (``_grouped``)
    or, with ``detail``, one per finding; ``stream`` (with ``detail``): the results as a
    ``jsonio.Items`` generator, each built while it is written (``write``), instead of a list.
    ``findings``: the findings when not the model's; grouped, a ``FrameRecords`` of the findings
    frame will do (``audit._machine_outputs``), a result per finding needs their dicts."""
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
    if findings is None:
        findings = model.get("findings", []) or []
    elif detail and isinstance(findings, FrameRecords):
        raise TypeError("a SARIF result per finding needs the findings' dicts, not a FrameRecords")
    pack_of = {_s(c.get("id")): _s(c.get("pack")) or _s(run.get("pack")) or None for c in checks}
    duty_of = {_s(c.get("id")): _s(c.get("duty")) or None for c in checks}
    omitted = 0
    if not detail:
        results: Any
        results, omitted = _grouped(findings, rule_index, pack_of, duty_of)
    elif stream:
        results = jsonio.Items(_result(f, rule_index, pack_of, duty_of) for f in findings)
    else:
        results = [_result(f, rule_index, pack_of, duty_of) for f in findings]
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
            "results": "finding" if detail else "group",  # group: check x Party x provider, count + examples
            "findings": len(findings),
            "groups_omitted": omitted,
        },
    }
    if artifacts:
        sarif_run["artifacts"] = artifacts
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


def write(model: dict, path: Path, detail: bool = False, findings: list[dict] | FrameRecords | None = None) -> Path:
    """``findings.sarif``: grouped results, or every finding with ``detail`` (``--sarif-detail``);
    ``findings``: see :func:`build`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the text of json.dumps(..., indent=2, ensure_ascii=False, default=str), written as it is
    # encoded, one result at a time (jsonio.dump)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        jsonio.dump(build(model, stream=True, detail=detail, findings=findings), fh)
        fh.write("\n")
    return path

"""JUnit XML for CI pipelines: one test case per check x Party.

- A test suite per check; a test case per Party in the check's scope (``(no records)`` when the
  check evaluated nothing). A case fails when that Party has breach findings of the check that
  are not waived; waived findings are listed in ``system-out`` (``WAIVED``). Advisory findings
  (the auditor's policy thresholds, not breaches of the text) never fail a case: they are listed
  in ``system-out`` marked ``ADVISORY``, so a check whose outcome is ``advisory`` passes. A check
  that was not evaluated is ``skipped`` with the reason; a check that crashed is an ``error``.
- Each check's suite carries its metadata as properties, ``duty`` (who must act:
  ``issuing_authority``, ``requested_party``, ``provider``, ``receiving_authority``) among them.
- A suite ``attestations`` with a case per attestation: ``fail`` and ``expired`` fail the case.

Every value from the run (names, ids, messages, reasons) is written through
``auditor.textsafe.printable``: control characters, which XML 1.0 cannot hold (or a terminal
showing the CI log would act on), appear as ``\\xNN``, so the file is always well-formed XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

from auditor.textsafe import printable

NO_PARTY = "(no Party)"
#: findings a case lists as examples (the count and every finding: findings.csv / findings.json)
MAX_LISTED = 5


def _raw(v: Any) -> str:
    return "" if v is None else str(v)


def _s(v: Any) -> str:
    """A value as XML text: "" for None, control characters escaped (``printable``). Findings are
    grouped by their raw values (``_raw``): only what is written is escaped."""
    return printable(v)


def _finding_line(f: dict) -> str:
    parts = [f"{_s(f.get('severity'))}", _s(f.get("request_id")) or "-", _s(f.get("provider")) or "-",
             _s(f.get("message"))]
    return " | ".join(parts)


def build(model: dict, json_name: str = "findings.json") -> ET.Element:
    run = model.get("run", {})
    findings = model.get("findings", []) or []
    by_cp: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in findings:
        by_cp[(_raw(f.get("check_id")), _raw(f.get("party")) or NO_PARTY)].append(f)
    parties: dict[str, set[str]] = defaultdict(set)
    for row in model.get("scope", []) or []:
        parties[_raw(row.get("check_id"))].add(_raw(row.get("party")) or NO_PARTY)
    for cid, party in by_cp:
        parties[cid].add(party)

    root = ET.Element("testsuites", name=f"auditor {_s(run.get('pack'))} {_s(run.get('run_id'))}".strip())
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in sorted(model.get("checks", []) or [], key=lambda c: _raw(c.get("id"))):
        cid = _raw(check.get("id"))
        suite = ET.SubElement(root, "testsuite", name=_s(cid))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        for key in ("title", "instrument", "article", "severity", "family", "legal_basis_status", "kind", "pack",
                    "duty"):
            if check.get(key) is not None:
                ET.SubElement(props, "property", name=key, value=_s(check.get(key)))
        outcome = check.get("outcome")
        names = sorted(parties.get(cid, set())) or ["(no records)"]
        for party in names:
            case = ET.SubElement(suite, "testcase", classname=f"auditor.{_s(cid)}", name=_s(party))
            counts["tests"] += 1
            if outcome == "error":
                ET.SubElement(case, "error", message="check crashed", type="error").text = _s(check.get("reason"))
                counts["errors"] += 1
                continue
            if outcome == "not_evaluated":
                ET.SubElement(case, "skipped", message=_s(check.get("reason")) or "not evaluated")
                counts["skipped"] += 1
                continue
            fs = by_cp.get((cid, party), [])
            advisory = [f for f in fs if f.get("kind") == "advisory" and not f.get("waived")]
            open_fs = [f for f in fs if not f.get("waived") and f.get("kind") != "advisory"]
            waived = [f for f in fs if f.get("waived")]
            if open_fs:
                worst = sorted({_raw(f.get("severity")) for f in open_fs})
                fail = ET.SubElement(case, "failure", message=f"{len(open_fs)} finding(s) of {_s(cid)} for {_s(party)}",
                                     type=_s(",".join(worst)))
                lines = [f"{len(open_fs)} finding(s); for example:"]
                lines += [_finding_line(f) for f in open_fs[:MAX_LISTED]]
                if len(open_fs) > MAX_LISTED:
                    lines.append(f"... and {len(open_fs) - MAX_LISTED} more (see findings.csv or {json_name})")
                fail.text = "\n".join(lines)
                counts["failures"] += 1
            out = [f"WAIVED until {_s(f.get('waiver_expires'))}: {_finding_line(f)} -- {_s(f.get('waiver_reason'))}"
                   for f in waived[:MAX_LISTED]]
            if len(waived) > MAX_LISTED:
                out.append(f"... and {len(waived) - MAX_LISTED} more waived (see findings.csv or {json_name})")
            out += [f"ADVISORY (the auditor's policy threshold, not a breach of the text): {_finding_line(f)}"
                    for f in advisory[:MAX_LISTED]]
            if len(advisory) > MAX_LISTED:
                out.append(f"... and {len(advisory) - MAX_LISTED} more advisory (see {json_name})")
            if out:
                ET.SubElement(case, "system-out").text = "\n".join(out)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v

    atts = model.get("attestations", []) or []
    if atts:
        suite = ET.SubElement(root, "testsuite", name="attestations")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for a in atts:
            scope = "/".join(x for x in (_s(a.get("party")), _s(a.get("provider")), _s(a.get("request"))) if x)
            name = f"{_s(a.get('id'))} {_s(a.get('safeguard'))}" + (f" [{scope}]" if scope else "")
            case = ET.SubElement(suite, "testcase", classname=f"auditor.attestation.{_s(a.get('check')) or 'judgement'}",
                                 name=name)
            counts["tests"] += 1
            status = a.get("status")
            detail = (f"attested {_s(a.get('result'))} by {_s(a.get('attested_by'))}; evidence {_s(a.get('evidence'))}; "
                      f"expires {_s(a.get('expires'))}")
            if status in ("fail", "expired"):
                msg = "attested as failing" if status == "fail" else "attestation expired; re-attest"
                ET.SubElement(case, "failure", message=msg, type=status).text = detail
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = detail
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    return root


def write(model: dict, path: Path, json_name: str = "findings.json") -> Path:
    """``junit.xml`` of the run; ``json_name``: the findings' JSON file its notes point to
    (``findings.json.gz`` when compressed, ``reports.findings_json_name``)."""
    root = build(model, json_name)
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path

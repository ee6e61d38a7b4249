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
from typing import Any, NamedTuple

from auditor.records import FrameRecords, Head, heads
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


def _category(f: dict) -> str:
    """What a finding does to its case: ``waived`` (listed), ``advisory`` (not waived: listed) or
    ``open`` (fails the case)."""
    if f.get("waived"):
        return "waived"
    return "advisory" if f.get("kind") == "advisory" else "open"


def _in_case(f: dict) -> tuple[str, str, str, str]:
    """(check, Party, category, severity): the findings of a case are grouped by category and
    severity in one pass, then by category (``cases``)."""
    return _raw(f.get("check_id")), _raw(f.get("party")) or NO_PARTY, _category(f), _raw(f.get("severity"))


#: the finding values ``_in_case`` is a function of (``records.FrameRecords.heads``)
_CASE_COLUMNS = {"check_id": _raw, "party": _raw, "waived": bool, "kind": lambda v: v == "advisory",
                 "severity": _raw}


class Cases(NamedTuple):
    """The findings of every case as :func:`build` writes them: per (check, Party, category)
    the count and the first ``MAX_LISTED`` findings; per (check, Party) the raw severities of its
    open findings, sorted."""

    heads: dict[tuple[str, str, str], Head]
    severities: dict[tuple[str, str], list[str]]


def cases(findings: list[dict] | FrameRecords) -> Cases:
    """The :class:`Cases` of the findings: dicts, or a ``FrameRecords`` of the findings frame
    (the same cases without a dict per finding: ``audit._machine_outputs``)."""
    by_category: dict[tuple[str, str, str], list[Head]] = defaultdict(list)
    severities: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (cid, party, category, severity), h in sorted(heads(findings, _in_case, MAX_LISTED, _CASE_COLUMNS).items()):
        by_category[(cid, party, category)].append(h)
        if category == "open":
            severities[(cid, party)].append(severity)
    return Cases({k: Head.merged(parts, MAX_LISTED) for k, parts in by_category.items()}, dict(severities))


def build(model: dict, json_name: str = "findings.json", findings: list[dict] | FrameRecords | None = None) -> ET.Element:
    """The JUnit document of ``model``; ``findings``: its findings when not the model's (a
    ``FrameRecords`` of the findings frame: ``audit._machine_outputs``)."""
    run = model.get("run", {})
    by_case = cases(model.get("findings", []) or [] if findings is None else findings)
    parties: dict[str, set[str]] = defaultdict(set)
    for row in model.get("scope", []) or []:
        parties[_raw(row.get("check_id"))].add(_raw(row.get("party")) or NO_PARTY)
    for cid, party, _ in by_case.heads:
        parties[cid].add(party)
    none = Head()

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
            open_fs, waived, advisory = (by_case.heads.get((cid, party, c), none)
                                         for c in ("open", "waived", "advisory"))
            if open_fs.count:
                worst = by_case.severities[(cid, party)]
                fail = ET.SubElement(case, "failure", message=f"{open_fs.count} finding(s) of {_s(cid)} for {_s(party)}",
                                     type=_s(",".join(worst)))
                lines = [f"{open_fs.count} finding(s); for example:"]
                lines += [_finding_line(f) for f in open_fs.listed]
                if open_fs.count > MAX_LISTED:
                    lines.append(f"... and {open_fs.count - MAX_LISTED} more (see findings.csv or {json_name})")
                fail.text = "\n".join(lines)
                counts["failures"] += 1
            out = [f"WAIVED until {_s(f.get('waiver_expires'))}: {_finding_line(f)} -- {_s(f.get('waiver_reason'))}"
                   for f in waived.listed]
            if waived.count > MAX_LISTED:
                out.append(f"... and {waived.count - MAX_LISTED} more waived (see findings.csv or {json_name})")
            out += [f"ADVISORY (the auditor's policy threshold, not a breach of the text): {_finding_line(f)}"
                    for f in advisory.listed]
            if advisory.count > MAX_LISTED:
                out.append(f"... and {advisory.count - MAX_LISTED} more advisory (see {json_name})")
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


def write(model: dict, path: Path, json_name: str = "findings.json",
          findings: list[dict] | FrameRecords | None = None) -> Path:
    """``junit.xml`` of the run; ``json_name``: the findings' JSON file its notes point to
    (``findings.json.gz`` when compressed, ``reports.findings_json_name``); ``findings``: see
    :func:`build`."""
    root = build(model, json_name, findings)
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path

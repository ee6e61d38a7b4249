"""Findings grouped for a page that has too many to list (issue 21 item 1).

A page with more findings than ``--page-findings`` shows one row per check x Party x provider
x message template, with the count, how many are waived and up to :data:`EXAMPLES` example
requests, instead of listing findings one by one; every finding stays in findings.csv and
findings.json. A message template is the finding's message with its request id, its record id
and every number masked, so "Request R1 (FR → US) was answered 705.0 hours after receipt" and
the same message for another request and another delay make one group.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import aggregate

#: example requests shown per group
EXAMPLES = 5
#: a number that varies between findings (a count, delay, date or time); not an article or
#: paragraph number ("Art. 8(13)", "(7(3)(d))")
_NUMBER = re.compile(r"(?<!Art\. )(?<![(\w.,:])\d+(?:[.,:]\d+)*(?![\w)])")


def message_template(message: str, request_id: str = "", record_id: str | None = None) -> str:
    """``message`` with ``request_id`` -> ``{request}``, ``record_id`` -> ``{record}`` and each
    number (dates, times, counts, decimals; not article numbers) -> ``#``."""
    text = str(message or "")
    if record_id:
        text = text.replace(str(record_id), "{record}")
    if request_id:
        text = text.replace(str(request_id), "{request}")
    return _NUMBER.sub("#", text)


class Templates:
    """Message templates by finding, computed once per rendering (a finding is grouped on the
    index, its Party's, its provider's and its check's page); equal templates share one string."""

    def __init__(self, localise: Callable[[dict], str] | None = None) -> None:
        #: the message as the page shows it (a French page: the translated message); default: as stored
        self._localise = localise or (lambda f: f.get("message") or "")
        self._by_id: dict[int, tuple[dict, str]] = {}
        self._strings: dict[str, str] = {}

    def of(self, f: dict) -> str:
        hit = self._by_id.get(id(f))
        if hit is None or hit[0] is not f:
            text = message_template(self._localise(f), f.get("request_id") or "", f.get("record_id"))
            text = self._strings.setdefault(text, text)
            hit = self._by_id[id(f)] = (f, text)
        return hit[1]


def finding_groups(findings: list[dict], titles: dict[str, str], templates: Templates | None = None) -> list[dict]:
    """One row per check x Party x provider x message template of ``findings``: its count,
    waived count, most severe severity and up to :data:`EXAMPLES` distinct example request ids
    (in the findings' order); most severe first, then most findings, then check, Party,
    provider and template."""
    templates = templates or Templates()
    known = templates._by_id  # a finding's template, once per rendering (Templates.of)
    rank = aggregate._severity_rank
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for f in findings:
        hit = known.get(id(f))
        template = hit[1] if hit is not None and hit[0] is f else templates.of(f)
        key = (f["check_id"], f["party"], f["provider"], template)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "check_id": f["check_id"], "title": titles.get(f["check_id"], ""),
                "severity": f.get("severity") or "", "family": f.get("family") or "",
                "article": f.get("article") or "", "instrument": f.get("instrument") or "",
                "party": f["party"], "provider": f["provider"], "kind": f.get("kind") or "breach",
                "template": template, "count": 0, "waived": 0, "examples": [],
            }
        g["count"] += 1
        if f.get("waived"):
            g["waived"] += 1
        severity = f.get("severity") or ""  # None and "" rank alike (last)
        if severity != g["severity"] and rank(severity) < rank(g["severity"]):
            g["severity"] = severity
        examples = g["examples"]
        if len(examples) < EXAMPLES and f["request_id"] not in examples:
            examples.append(f["request_id"])
    rows = list(groups.values())
    for g in rows:
        g["sev_rank"] = aggregate._severity_rank(g["severity"])
    rows.sort(key=lambda g: (g["sev_rank"], -g["count"], aggregate.natural_key(g["check_id"]), g["party"],
                             g["provider"], g["template"]))
    return rows

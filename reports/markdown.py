"""Markdown rendering of the index and the Party/provider reports."""

from __future__ import annotations

from typing import Any


def _cell(value: Any) -> str:
    """One table cell: no newlines, pipes escaped, None shown as empty."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch in ("\\", "|", "<", ">", "`", "*", "_", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def _pct(rate: Any) -> str:
    return "n/a" if rate is None else f"{float(rate) * 100:.1f}%"


def _status(status: Any) -> str:
    s = "" if status is None else str(status)
    return "**UNCONFIRMED**" if s.upper() == "UNCONFIRMED" else _cell(s)


def _table(headers: list[str], rows: list[list[Any]], raw: frozenset[int] = frozenset()) -> list[str]:
    """Markdown table; columns whose index is in ``raw`` are already formatted."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = [str(v) if i in raw else _cell(v) for i, v in enumerate(row)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _scope_lines(scope: dict) -> list[str]:
    period = scope["period"]
    if period.get("from") or period.get("to"):
        period_txt = f"{period.get('from') or '…'} to {period.get('to') or '…'}"
    else:
        period_txt = "no requests in scope"
    lines = [
        f"- Run: `{scope['run_id']}`",
        f"- As of: {scope['as_of']}",
        f"- Period: {period_txt}",
        f"- Rule pack: {_cell(scope['pack'])} {_cell(scope['pack_version'])}"
        + (f" — {_cell(scope['pack_title'])}" if scope.get("pack_title") else ""),
        f"- Tool version: {_cell(scope['tool_version'])}",
        "",
        "### Inputs",
        "",
    ]
    if scope["inputs"]:
        lines += _table(
            ["Table", "File", "SHA-256", "Read", "Stored", "Unchanged", "Quarantined"],
            [
                [i["table"], i["file"], i["sha256"], i["read"], i["stored"], i["unchanged"], i["quarantined"]]
                for i in scope["inputs"]
            ],
        )
    else:
        lines.append("No input files recorded.")
    lines += ["", "### Policy and legal parameters", ""]
    if scope["params"]:
        lines += _table(
            ["Name", "Value", "Kind", "Basis", "Status", "Description"],
            [
                [p["name"], p["value"], p["kind"], p["basis"], _status(p["status"]), p["description"]]
                for p in scope["params"]
            ],
            raw=frozenset({4}),
        )
    else:
        lines.append("No parameters recorded.")
    return lines + [""]


def _summary_lines(s: dict) -> list[str]:
    lines = [
        f"- Compliance rate: **{_pct(s['compliance_rate'])}** "
        f"({s['records_passed']} passed / {s['records_evaluated']} evaluated records)",
        f"- Findings: {s['findings']}",
        f"- Checks evaluated: {s['checks_evaluated']} (of {s['checks_total']} in pack)",
        f"- Checks passed: {s['checks_passed']}",
        f"- Checks failed: {s['checks_failed']}",
        f"- Checks not evaluated: {s['checks_not_evaluated']}",
    ]
    if s["checks_error"]:
        lines.append(f"- Checks in error: {s['checks_error']}")
    lines += ["", *_table(list(s["findings_by_severity"]), [list(s["findings_by_severity"].values())]), ""]
    return lines


def _checks_table(checks: list[dict]) -> list[str]:
    if not checks:
        return ["The rule pack has no checks.", ""]
    return _table(
        ["Check", "Title", "Citation", "Severity", "Legal basis", "Outcome", "Evaluated", "Passed", "Failed", "Unknown"],
        [
            [
                c["check_id"],
                c["title"],
                f"{c['article']}, {c['instrument']}",
                c["severity"],
                _status(c["legal_basis_status"]),
                c["outcome"].replace("_", " ") + (f" ({c['reason']})" if c["reason"] else ""),
                c["evaluated"],
                c["passed"],
                c["failed"],
                c["unknown"],
            ]
            for c in checks
        ],
        raw=frozenset({4}),
    ) + [""]


def _rows_table(rows: list[dict], head: str, links: bool) -> list[str]:
    if not rows:
        return [f"No {head.lower()} entries in scope.", ""]
    return _table(
        [head, "Findings", "Checks evaluated", "Passed", "Failed", "Not evaluated", "Compliance rate"],
        [
            [
                f"[{_cell(r['name'])}]({r['href']}.md)" if links else _cell(r["name"]),
                r["findings"],
                r["checks_evaluated"],
                r["checks_passed"],
                r["checks_failed"],
                r["checks_not_evaluated"],
                f"{_pct(r['compliance_rate'])} ({r['records_passed']}/{r['records_evaluated']})",
            ]
            for r in rows
        ],
        raw=frozenset({0}),
    ) + [""]


def render_index(ctx: dict[str, Any]) -> str:
    scope = ctx["scope"]
    lines = [
        f"# Compliance audit: {_cell(scope.get('pack_title') or scope['pack'])}",
        "",
        "## Scope",
        "",
        *_scope_lines(scope),
        "## Overall compliance",
        "",
        *_summary_lines(ctx["summary"]),
        f"Requests in scope: {ctx['requests']['requests']} ({ctx['requests']['disclosures']} with disclosure).",
        "",
        "## Parties",
        "",
        *_rows_table(ctx["party_rows"], "Party", ctx.get("links", True)),
        "## Service providers",
        "",
        *_rows_table(ctx["provider_rows"], "Provider", ctx.get("links", True)),
        "## Checks",
        "",
        *_checks_table(ctx["checks"]),
    ]
    return "\n".join(lines).rstrip() + "\n"


def render_scope(ctx: dict[str, Any]) -> str:
    report = ctx["report"]
    label = ctx["label"]
    lines = [f"# {label} report: {_cell(report['name'])}", "", "## Scope", ""]
    lines.append(f"{label}: **{_cell(report['name'])}**.")
    lines.append("")
    lines += _scope_lines(ctx["scope"])
    if report["kind"] == "party":
        lines += ["## Party profile", ""]
        if report["profile"]:
            lines += _table(["Field", "Value"], [[k, "unknown" if v is None else v] for k, v in report["profile"].items()])
        else:
            lines.append("No profile recorded for this Party; defaults of the rule pack apply.")
        lines.append("")
    lines += ["## Compliance summary", "", *_summary_lines(ctx["summary"])]
    lines += ["## Findings", ""]
    if not ctx["groups"]:
        lines += ["No findings.", ""]
    other = "Provider" if report["kind"] == "party" else "Party"
    for g in ctx["groups"]:
        lines += [f"### {_cell(g['family'])} ({len(g['findings'])})", ""]
        lines += _table(
            ["Severity", "Check", "Citation", "Legal basis", "Request", other, "Message", "Remediation"],
            [
                [
                    str(f["severity"] or "").upper(),
                    f["check_id"],
                    f"{f['article']}, {f['instrument']}",
                    _status(f["legal_basis_status"]),
                    f["request_id"] + (f" / {f['record_id']}" if f.get("record_id") else ""),
                    f["provider"] if report["kind"] == "party" else f["party"],
                    f["message"],
                    ctx["remediation"].get(f["check_id"], ""),
                ]
                for f in g["findings"]
            ],
            raw=frozenset({3}),
        )
        lines.append("")
    lines += ["## Checks", "", *_checks_table(ctx["checks"])]
    for c in ctx["checks"]:
        lines += [
            f"### {_cell(c['check_id'])} — {_cell(c['title'])}",
            "",
            f"- Citation: {_cell(c['article'])}, {_cell(c['instrument'])}"
            + (f" ({_cell(c['rule_id'])})" if c.get("rule_id") else "")
            + f"; legal basis {_status(c['legal_basis_status'])}",
            f"- Rationale: {_cell(c['rationale'])}",
            f"- Remediation: {_cell(c['remediation'])}",
            f"- Outcome in this scope: {c['outcome'].replace('_', ' ')} — {c['evaluated']} evaluated, "
            f"{c['passed']} passed, {c['failed']} failed, {c['unknown']} unknown"
            + (f" ({_cell(c['reason'])})" if c["reason"] else ""),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"

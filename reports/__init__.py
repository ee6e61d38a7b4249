"""Report writers: HTML, Markdown, JSON and CSV views of one audit run.

Entry point: :func:`write_reports`. Aggregation lives in
:mod:`reports.aggregate`, charts in :mod:`reports.charts`, rendering in
:mod:`reports.html` and :mod:`reports.markdown`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import aggregate

__all__ = ["FORMATS", "write_reports"]

FORMATS: tuple[str, ...] = ("html", "md", "json", "csv")


def _write_text(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    written.append(path)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _charts(model: dict, findings: list[dict], response_rows: list[dict], party_rows=None) -> tuple[dict, dict]:
    from . import charts

    uris: dict[str, str | None] = {}
    data: dict[str, Any] = {}
    png, data["family"] = charts.findings_by_family_chart(aggregate.findings_by_family(findings))
    uris["family"] = charts.data_uri(png)
    png, data["response"] = charts.response_times_chart(response_rows, model.get("deadlines") or {})
    uris["response"] = charts.data_uri(png)
    if party_rows is not None:
        png, data["compliance"] = charts.compliance_rate_chart(party_rows)
        uris["compliance"] = charts.data_uri(png)
    return uris, data


def write_reports(
    model: dict,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
) -> list[Path]:
    """Write the reports for one run into ``out_dir``; return the paths written.

    ``summary.json`` and ``findings.json`` are always written. ``formats``
    selects the rest: ``html`` (index + per-Party/provider pages), ``md``
    (Markdown twins), ``json`` (per-Party/provider JSON twins), ``csv``
    (``findings.csv``).
    """
    formats = tuple(str(f).lower() for f in formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    findings = aggregate.findings_records(model)
    _write_text(out_dir / "summary.json", _json(aggregate.run_summary(model)), written)
    _write_text(out_dir / "findings.json", _json(findings), written)

    if "csv" in formats:
        path = out_dir / "findings.csv"
        aggregate.findings_frame(model).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)

    want_html, want_md, want_json = "html" in formats, "md" in formats, "json" in formats
    if not (want_html or want_md or want_json):
        return written

    from . import html as html_render
    from . import markdown as md_render

    scope = aggregate.scope_header(model)
    checks = aggregate.check_results(model)
    remediation = {c["check_id"]: c["remediation"] or "" for c in checks}
    party_rows = aggregate.scope_rows(model, "party")
    provider_rows = aggregate.scope_rows(model, "provider")

    index_ctx: dict[str, Any] = {
        "scope": scope,
        "summary": aggregate.compliance_summary(checks, findings),
        "requests": aggregate.requests_tally(model),
        "party_rows": party_rows,
        "provider_rows": provider_rows,
        "checks": checks,
        "links": True,
    }
    if want_html:
        uris, data = _charts(model, findings, aggregate.response_times(model), party_rows)
        _write_text(
            out_dir / "index.html",
            html_render.render_index({**index_ctx, "charts": uris, "chart_data": data, "links": want_html}),
            written,
        )
    if want_md:
        _write_text(out_dir / "index.md", md_render.render_index({**index_ctx, "links": want_md}), written)

    scopes = [("party", n, s) for n, s in aggregate.slug_map(model, "party").items()]
    scopes += [("provider", n, s) for n, s in aggregate.slug_map(model, "provider").items()]
    for kind, name, slug in scopes:
        kw = {kind: name}
        report = aggregate.scope_report(model, **kw)
        base = out_dir / kind / slug
        if want_json:
            _write_text(base.with_suffix(".json"), _json(report), written)
        ctx = {
            "report": report,
            "scope": report["scope"],
            "summary": report["summary"],
            "checks": report["checks"],
            "groups": aggregate.group_by_family(report["findings"]),
            "remediation": remediation,
            "label": "Party" if kind == "party" else "Service provider",
            "index_link": want_html,
        }
        if want_html:
            uris, data = _charts(model, report["findings"], aggregate.response_times(model, **kw))
            _write_text(
                base.with_suffix(".html"),
                html_render.render_scope({**ctx, "charts": uris, "chart_data": data}),
                written,
            )
        if want_md:
            _write_text(base.with_suffix(".md"), md_render.render_scope(ctx), written)
    return written

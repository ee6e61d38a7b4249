"""HTML rendering (jinja2 templates in ``reports/templates``, autoescape on)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _pct(rate: Any) -> str:
    if rate is None:
        return "n/a"
    return f"{float(rate) * 100:.1f}%"


def _dictsummary(data: dict | None, unit: str = "") -> str:
    if not data:
        return "no data"
    return ", ".join(f"{k} {v}{unit}" for k, v in data.items())


def _rtsummary(data: dict | None) -> str:
    if not data:
        return "no data"
    parts = []
    for inst, d in data.items():
        total = sum(d["requests"])
        dl = f"deadline {d['deadline']} days" if d["deadline"] is not None else "no deadline"
        parts.append(f"{inst}: {total} requests, {d['over_deadline']} over {dl}")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # messages and names are data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = _pct
    env.filters["dictsummary"] = _dictsummary
    env.filters["rtsummary"] = _rtsummary
    return env


def render_index(
    context: dict[str, Any],
) -> str:
    """Render ``index.html``. ``context`` keys: scope, summary, requests,
    party_rows, provider_rows, checks, charts, chart_data, links."""
    return environment().get_template("index.html").render(**context)


def render_scope(context: dict[str, Any]) -> str:
    """Render a Party or provider page. ``context`` keys: report, scope,
    summary, checks, groups, remediation, charts, chart_data, label, index_link."""
    return environment().get_template("scope.html").render(**context)

"""HTML rendering (jinja2 templates in ``reports/templates``, autoescape on).

Pages are self-contained: inline CSS, inline JavaScript (sorting and filtering of tables),
charts as ``data:`` PNG images; nothing is fetched from the network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from . import i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _dictsummary(data: dict | None, unit: str = "") -> str:
    if not data:
        return "no data"
    return ", ".join(f"{k} {v}{unit}" for k, v in data.items())


def _rtsummary(data: dict | None) -> str:
    if not data:
        return "no data"
    parts = []
    for inst, d in data.items():
        total = d["total"] if "total" in d else sum(d["requests"])
        dl = f"deadline {d['deadline']} days" if d["deadline"] is not None else "no deadline"
        parts.append(f"{inst}: {total} requests, {d['over_deadline']} over {dl}")
    return "; ".join(parts)


@lru_cache(maxsize=4)
def environment(lang: str = "en") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # messages and names are data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda rate: i18n.pct(rate, lang)
    env.filters["dictsummary"] = _dictsummary
    env.filters["rtsummary"] = _rtsummary
    env.globals["_"] = i18n.translator(lang)
    env.globals["lang"] = lang
    return env


def render_index(context: dict[str, Any], lang: str = "en") -> str:
    """Render ``index.html`` (see ``reports.write_reports`` for the context keys)."""
    return environment(lang).get_template("index.html").render(**context)


def render_scope(context: dict[str, Any], lang: str = "en") -> str:
    """Render a Party or provider page."""
    return environment(lang).get_template("scope.html").render(**context)

"""HTML rendering (jinja2 templates in ``reports/templates``, autoescape on).

Pages are self-contained: inline CSS, inline JavaScript (sorting and filtering of tables),
charts as ``data:`` PNG images; nothing is fetched from the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import i18n, pages  # noqa: F401  (pages: the French of its fixed strings)

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _dictsummary(data: dict | None, unit: str = "", lang: str = "en") -> str:
    """A chart's data as its alt text says it: "security 87.5%, ..." (fr: "sécurité 87,5\u00a0%", family
    names and numbers in the page's language)."""
    if lang != "en":
        return _dictsummary_l(data, unit, lang)
    if not data:
        return "no data"
    return ", ".join(f"{k} {v}{unit}" for k, v in data.items())


def _dictsummary_l(data: dict | None, unit: str, lang: str) -> str:
    _ = i18n.translator(lang)
    if not data:
        return _("no data")

    def fmt(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return str(v)  # a text the chart data already hold in the page's language
        text = i18n.catalog.number(repr(float(v)).removesuffix(".0") if isinstance(v, float) else str(v), lang)
        return text + ("\u00a0" + unit if unit else "")

    def name(k: Any) -> str:
        label = str(k).replace("_", " ")
        return i18n.catalog.text(label, lang) or i18n.FR.get(label) or str(k)

    return ", ".join(f"{name(k)} {fmt(v)}" for k, v in data.items())


def countlist(data: dict | None) -> str:
    """{"mla": 42, "other": 3} -> "42 mla, 3 other" (the requests outside the audited instruments)."""
    return ", ".join(f"{n} {k}" for k, n in (data or {}).items())


_HTML_SPECIAL = re.compile("[&<>'\"]")


def _e(value: Any) -> str:
    """``{{ value }}`` with autoescape: the text of ``markupsafe.escape(value)``."""
    if value.__class__ is not str:
        if hasattr(value, "__html__"):
            return str(escape(value))
        value = str(value)
    if _HTML_SPECIAL.search(value) is None:
        return value
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def link(links: dict | None, kind: str, name: Any) -> str:
    """The relative href of a Party (``kind`` "party"), provider ("provider") or check ("check")
    page from a page whose ``links`` are given (see :func:`page_links`); "" when that page is not
    written (a check page in a PDF, a name without page, no links at all)."""
    if not links or not name:
        return ""
    if kind == "check":
        slug = links["checks"].get(name)
        return f"{links['prefix']}check/{slug}.html" if slug else ""
    slug = links[kind].get(name)
    return f"{links['prefix']}{kind}/{slug}.{links['ext']}" if slug else ""


def _linked(href: str, text: str) -> list[str]:
    return ['<a href="', _e(href), '">', text, "</a>"] if href else [text]


def finding_row(r: dict, _: Callable[[str], str], advisory: bool = False, links: dict | None = None) -> str:
    """One row of a findings table (``advisory``: of the advisory findings table, with the
    parameter basis; ``links``: the page's links, see :func:`page_links`, else the check cell
    points at the explanation on the same page and names are not linked): exactly what the
    ``finding_row`` Jinja macro writes (tests/reports/test_fast_render.py checks it), in Python
    because a large run has tens of thousands of rows."""
    sev = r["severity"]
    check_href = link(links, "check", r["check_id"]) or "#chk-" + str(r["check_id"])
    parts = [
        '<tr data-check="', _e(r["check_id"]), '" data-severity="', _e(sev), '" data-status="',
        _e(r.get("status") or ""), '" data-family="', _e(r["family"]), '" data-instrument="',
        _e(r["instrument"]), '" data-article="', _e(r["article"]),
        '" data-party="', _e(r["party"]), '" data-provider="', _e(r["provider"]), '" data-period="',
        _e(r["period"]), '" data-kind="', _e(r["kind"]), '"><td data-sort="', _e(r["sev_rank"]),
        '"><span class="badge sev-', _e(str(sev or "info").lower()), '">', _e(_(str(sev or "").lower()).upper()),
        '</span></td>',
        '<td class="mono"><a href="', _e(check_href), '" title="', _e(r["title"]), '">',
        _e(r["check_id"]), "</a></td><td>", _e(_(str(r["family"]).replace("_", " "))), "</td><td>",
        _e(r["article"]), ", ", _e(r["instrument"]), '</td><td class="mono">', _e(r["pack"]), "<br>",
        _e(r["request_instrument"] or "—"), "</td><td>",
        *_linked(link(links, "party", r["party"]), _e(r["party"] or "—")), "</td><td>",
        *_linked(link(links, "provider", r["provider"]), _e(r["provider"] or "—")), "</td><td>",
        _e(r["period"]), '</td><td class="mono">', _e(r["request_id"]),
    ]
    if r["record_id"]:
        parts += ["<br>", _e(r["record_id"])]
    parts += ["</td><td>", _e(r["issued"]), "</td><td>", _e(r["message"]), "</td><td>"]
    if r["status"]:
        parts += ['<span class="badge st-', _e(r["status"]), '">', _e(_(r["status"]).upper()), "</span>"]
    if r["waiver_reason"]:
        parts += ['<br><span class="muted">', _e(r["waiver_reason"])]
        if r["waiver_expires"]:
            parts += [" (", _e(_("until")), " ", _e(r["waiver_expires"]), ")"]
        parts.append("</span>")
    parts.append("</td>")
    if advisory:
        parts += ['<td class="wrap">', _e(r["basis"] or "—"), "</td>"]
    parts.append("</tr>\n")
    return "".join(parts)


def _findings_rows(lang: str) -> Callable[[dict], Markup]:
    _ = i18n.translator(lang)

    def findings_rows(ft: dict) -> Markup:
        cache = ft.get("cache")
        advisory = bool(ft.get("advisory"))
        links = ft.get("links")
        where = f"{links['prefix']}:{links['ext']}:{bool(links['checks'])}" if links else ""
        kind = f"html:{lang}:{advisory}:{where}"

        def render(r: dict) -> str:
            return finding_row(r, _, advisory, links)

        if cache is None:
            return Markup("".join(render(r) for r in ft["rows"]))
        return Markup("".join(cache.get(r, kind, render) for r in ft["rows"]))

    return findings_rows


class _FrenchLoader(jinja2.FileSystemLoader):
    """The templates as French typography wants them: the colon a template writes after a
    translated label (``{{ _("Source") }}: ...``) gets its no-break space (``catalog.french_spacing``
    spaces the translated texts themselves)."""

    _COLON = re.compile(r"(\}\}|</a>|</strong>|</span>):(?=[ \n])")

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source, path, uptodate = super().get_source(environment, template)
        return self._COLON.sub("\\1\u00a0:", source).replace('~ ": " ~', '~ "\u00a0: " ~'), path, uptodate


def _signed(value: Any, lang: str) -> str:
    """A difference in points: "+0.3" / "-17.8" (fr: "+0,3" / "−17,8" with babel's decimal comma)."""
    if lang == "en":
        return "%+.1f" % value  # noqa: UP031 - the exact English text of the templates
    return ("+" if float(value) >= 0 else "-") + i18n.num(abs(float(value)), lang, 1)


@lru_cache(maxsize=4)
def environment(lang: str = "en") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=(jinja2.FileSystemLoader if lang == "en" else _FrenchLoader)(str(TEMPLATE_DIR)),
        autoescape=True,  # messages and names are data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda rate: i18n.pct(rate, lang)
    env.filters["num"] = lambda value, digits=1: i18n.num(value, lang, digits)
    env.filters["dictsummary"] = lambda data, unit="": _dictsummary(data, unit, lang)
    env.filters["countlist"] = countlist
    env.filters["signed"] = lambda value: _signed(value, lang)
    env.globals["_"] = i18n.translator(lang)
    env.globals["lang"] = lang
    env.globals["findings_rows"] = _findings_rows(lang)
    env.globals["link"] = link
    env.globals["GROUP_NOTE"], env.globals["GROUPS_CUT_NOTE"] = i18n.GROUP_NOTE, i18n.GROUPS_CUT_NOTE
    env.globals["json_named"] = i18n.json_named
    return env


def page_links(nav: dict | None, ext: str) -> dict | None:
    """The links of a page rendered as ``ext`` ("html" or "pdf") from its ``nav``
    (``reports.pages.nav``): Party and provider pages in the same format; check pages and the
    key issues page exist in HTML only, so a PDF links to the check explanations on the page."""
    if not nav:
        return None
    html = ext == "html"
    return {"prefix": nav["prefix"], "ext": ext, "party": nav["party"], "provider": nav["provider"],
            "checks": nav["checks"] if html else {},
            "issues": f"{nav['prefix']}issues.html" if html and nav.get("issues") else ""}


def _with_links(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with its links resolved for its extension: ``nav_links`` (:func:`page_links`),
    the findings tables carrying them, and each check's ``href`` (its page, else its
    explanation on the page when it has one). A context without ``nav`` is left as it is."""
    links = page_links(context.get("nav"), str(context.get("ext") or "html"))
    if links is None:
        return context
    ctx = {**context, "nav_links": links, "issues_href": links["issues"]}  # ("links": the lead's flag)
    for key in ("findings_table_data", "advisory_table_data"):
        if isinstance(ctx.get(key), dict):
            ctx[key] = {**ctx[key], "links": links}
    if isinstance(ctx.get("checks"), list):
        ctx["checks"] = [{**c, "href": link(links, "check", c.get("check_id"))
                          or ("#chk-" + str(c.get("check_id")) if c.get("explain") else "")}
                         for c in ctx["checks"]]
    return ctx


def render_index(context: dict[str, Any], lang: str = "en") -> str:
    """Render ``index.html`` (see ``reports.write_reports`` for the context keys)."""
    return environment(lang).get_template("index.html").render(**_with_links(context))


def render_scope(context: dict[str, Any], lang: str = "en") -> str:
    """Render a Party or provider page."""
    return environment(lang).get_template("scope.html").render(**_with_links(context))


def write_page(render: Callable[..., str], context: dict[str, Any], lang: str, path: Path) -> None:
    """Write the page ``render`` (``render_index`` or ``render_scope``) would return, piece by
    piece as the template produces it: the page is never held whole as text (nor encoded whole),
    which at 5M requests saved two copies of a ~0.4 GB page."""
    template = {render_index: "index.html", render_scope: "scope.html"}[render]  # no other page
    write_template(template, context, lang, path)


def write_template(template: str, context: dict[str, Any], lang: str, path: Path) -> None:
    """Write ``template`` rendered with ``context`` (links resolved, see :func:`_with_links`) to
    ``path``, streamed (the key issues and check pages of ``reports.pages`` too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    environment(lang).get_template(template).stream(**_with_links(context)).dump(str(path), encoding="utf-8")

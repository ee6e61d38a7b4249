"""Markdown rendering of the index and the Party/provider reports (same contexts as HTML)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from auditor.textsafe import OTHER_CONTROLS, printable

from . import i18n
from .i18n import ADVISORY_NOTE, ADVISORY_TITLE, KIND_NOTE, KIND_TEXT

# Newlines become spaces; markup characters get a backslash; other control characters (not tab)
# are shown as \xNN (auditor.textsafe.printable), so `cat index.md` acts on none (one pass, only
# when there is one).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f" + OTHER_CONTROLS
_CELL_SPECIAL = re.compile("[\r\n\\\\|<>`*_\\[\\]" + _CONTROL + "]")
_MARKUP = frozenset("\\|<>`*_[]")


def _cell_char(match: re.Match) -> str:
    ch = match.group()
    if ch in "\r\n":
        return " "
    return "\\" + ch if ch in _MARKUP else printable(ch)


_MD_COLON = re.compile(r"(?<=[^\s:|`])[ ]?:(?= )")


def _typography(text: str, lang: str) -> str:
    """French pages: a no-break space before the colon a line writes after its label ("- Exécution :
    ..."); the translated texts are spaced already (``catalog.french_spacing``)."""
    return text if lang == "en" else _MD_COLON.sub("\u00a0:", text)


def _lang(t: Any) -> str:
    """The language of a translator (``i18n.translator`` marks it)."""
    return str(getattr(t, "lang", "en"))


def _cell(value: Any) -> str:
    """One table cell: no newlines, markup characters escaped, None shown as empty."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = str(value)
    return _CELL_SPECIAL.sub(_cell_char, text) if _CELL_SPECIAL.search(text) else text


def _status(status: Any) -> str:
    s = "" if status is None else str(status)
    return "**UNCONFIRMED**" if s.upper() == "UNCONFIRMED" else _cell(s)


def countlist(data: dict | None) -> str:
    """{"mla": 42, "other": 3} -> "42 mla, 3 other"."""
    return ", ".join(f"{n} {k}" for k, n in (data or {}).items())


def _table(headers: list[str], rows: Iterable[list[Any]], raw: frozenset[int] = frozenset()) -> list[str]:
    """Markdown table; columns whose index is in ``raw`` are already formatted."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out.extend(_row(row, raw) for row in rows)
    return out


def _row(row: list[Any], raw: frozenset[int] = frozenset()) -> str:
    cells = [str(v) if i in raw else _cell(v) for i, v in enumerate(row)]
    return "| " + " | ".join(cells) + " |"


class _R:
    def __init__(self, ctx: dict[str, Any], lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self._ = i18n.translator(lang)

    def pct(self, rate: Any) -> str:
        return i18n.pct(rate, self.lang)

    def scope_lines(self, scope: dict) -> list[str]:
        _ = self._
        period = scope["period"]
        if period.get("from") or period.get("to"):
            period_txt = f"{period.get('from') or '…'} {_('to')} {period.get('to') or '…'}"
        else:
            period_txt = _("no requests in scope")
        lines = [
            f"- {_('Run')}: `{scope['run_id']}`",
            f"- {_('As of')}: {scope['as_of']}",
            f"- {_('Period')}: {period_txt}",
            f"- {_('Rule packs')}: " + ("; ".join(
                f"{_cell(p['name'])} {_cell(p['version'])}" + (f" — {_cell(p['title'])}" if p.get("title") else "")
                + (f" (SHA-256 {p['sha256']})" if p.get("sha256") else "") for p in scope.get("packs") or [])
                or f"{_cell(scope['pack'])} {_cell(scope['pack_version'])}"),
            f"- {_('Audited request instruments')}: "
            + (_cell(", ".join(scope["audited_instruments"])) if scope.get("audited_instruments") is not None
               else _("every request (run of an earlier version)")),
            f"- {_('Tool version')}: {_cell(scope['tool_version'])}",
            *(f"- {_('Mapping profile')}: {_cell(m['name'])}"
              + (f" {_('version')} {_cell(m['version'])}" if m.get("version") else "")
              + f" (SHA-256 {m['sha256']}), {_('tables')}: {_cell(', '.join(m['tables']))}"
              for m in scope.get("mapping_profiles") or []),
            "", f"### {_('Inputs')}", "",
        ]
        if scope["inputs"]:
            lines += _table(
                [_("Table"), _("File"), "SHA-256", _("Read"), _("Stored"), _("Unchanged"), _("Quarantined")],
                [[i["table"], i["file"], i["sha256"], i["read"], i["stored"], i["unchanged"], i["quarantined"]]
                 for i in scope["inputs"]])
        else:
            lines.append(_("No input files recorded."))
        lines += ["", f"### {_('Policy and legal parameters')}", ""]
        if scope["params"]:
            lines += _table(
                [_("Name"), _("Value"), _("Kind"), _("Basis"), _("Status"), _("Description")],
                [[p["name"], p["value"], _(p["kind"]) if p["kind"] else p["kind"], p["basis"], _status(p["status"]), p["description"]]
                 for p in scope["params"]], raw=frozenset({4}))
        else:
            lines.append(_("No parameters recorded."))
        return lines + [""]

    def summary_lines(self, s: dict) -> list[str]:
        _ = self._
        lines = [
            f"- {_('Compliance rate')}: **{self.pct(s['compliance_rate'])}** ("
            + _cell(_("{p} passed / {e} evaluated records").format(p=s["records_passed"], e=s["records_evaluated"]))
            + ")",
            f"- {_('Findings')}: {_cell(s['findings'])} ({_('breaches of the text')}"
            + (f"; {_cell(_('{n} waived').format(n=s['waived']))}" if s.get("waived") else "") + ")",
            f"- {_('Advisory findings')}: {_cell(s['advisory'])} ({_('not in the compliance figures')})",
            f"- {_('Checks evaluated')}: {s['checks_evaluated']} ({_('of {n} in pack').format(n=s['checks_total'])})",
            f"- {_('Checks passed')}: {s['checks_passed']}",
            f"- {_('Checks failed')}: {s['checks_failed']}",
            f"- {_('Checks with advisory findings')}: {s['checks_advisory']}"
            + (f" ({_('{n} with advisory findings only').format(n=s['checks_advisory_only'])})"
               if s.get("checks_advisory_only") else ""),
            f"- {_('Not evaluated')}: {s['checks_not_evaluated']}",
        ]
        if s["checks_error"]:
            lines.append(f"- {_('{n} errored').format(n=s['checks_error'])}")
        sev = s["findings_by_severity"]
        lines += ["", f"{_('Breach findings by severity')}:", "",
                  *_table([_(k).upper() for k in sev], [list(sev.values())]), ""]
        return lines

    def requests_lines(self, req: dict) -> list[str]:
        _ = self._
        return [_cell(_("Requests in scope: {r} ({d} with disclosure).").format(r=req["requests"], d=req["disclosures"])
                      + " " + _("{a} under an audited instrument, {o} outside the audited instruments (counted, "
                                "not judged).").format(a=req["requests_audited"], o=req["requests_outside"])), ""]

    def instruments(self, rows: list[dict]) -> list[str]:
        _ = self._
        if not rows:
            return [_("The rule pack has no checks."), ""]
        sev = list(rows[0]["findings_by_severity"])
        return _table(
            [_("Instrument"), _("Rule pack"), _("Request instruments"), _("Requests audited"), _("Checks evaluated"),
             _("Compliance rate"), *[_(k).upper() for k in sev], _("Advisory findings")],
            [[r["instrument"], ", ".join(r["packs"]), ", ".join(r["request_instruments"]) or "—", r["requests"],
              f"{r['checks_evaluated']} / {r['checks']}",
              f"{self.pct(r['compliance_rate'])} ({r['records_passed']}/{r['records_evaluated']})",
              *r["findings_by_severity"].values(), r["advisory"]] for r in rows]) + [
            "", _("Severity columns count breach findings; compliance rates leave advisory records out."), ""]

    def outside(self, o: dict, by_party: bool = False) -> list[str]:
        _ = self._
        if not o["total"]:
            return [_("None: every request in scope is under an audited instrument."), ""]
        lines = [_cell(_("{n} requests were outside the audited instruments (no check of this run governs them) "
                         "and were therefore not judged: {what}.").format(n=o["total"], what=countlist(o["by_instrument"]))),
                 "", *_table([_("Request instrument"), _("Requests")], [[k, n] for k, n in o["by_instrument"].items()]),
                 ""]
        if by_party and o.get("by_party"):
            lines += [*_table([_("Party"), _("Requests outside the audited instruments")],
                              [[k or "—", n] for k, n in o["by_party"].items()]), ""]
        return lines

    def checks_table(self, checks: list[dict]) -> list[str]:
        _ = self._
        if not checks:
            return [_("The rule pack has no checks."), ""]
        return _table(
            [_("Check"), _("Title"), _("Citation"), _("Rule pack"), _("Kind"), _("Severity"), _("Legal basis"),
             _("Outcome"), _("Evaluated"), _("Passed"), _("Failed"), _("Advisory"), _("Unknown")],
            [[c["check_id"], c["title_l"], f"{c['article']}, {c['instrument']}", c["pack"], _(c["kind"]).upper(),
              _(c["severity"] or ""), _status(c["legal_basis_status"]),
              _(c["outcome"].replace("_", " ")) + (f" ({c['reason']})" if c["reason"] else ""),
              c["evaluated"], c["passed"], c["failed"], c["advisory"], c["unknown"]] for c in checks],
            raw=frozenset({6})) + ["", _cell(_(KIND_NOTE)), ""]

    def check_details(self, checks: list[dict]) -> list[str]:
        _ = self._
        params = self.ctx.get("params_by_name") or {}
        lines: list[str] = []
        for c in checks:
            used = "; ".join(f"{p} = {params.get(p, {}).get('value', '?')}" for p in c["params"]) or _("none")
            lines += [
                f"### {_cell(c['check_id'])} — {_cell(c['title_l'])}",
                "",
                f"- {_('Citation')}: {_cell(c['article'])}, {_cell(c['instrument'])}"
                + (f" ({_cell(c['rule_id'])})" if c.get("rule_id") else "")
                + f"; {_('legal basis')} {_status(c['legal_basis_status'])}",
                f"- {_('Family')}: {_cell(_(str(c['family'] or '').replace('_', ' ')))}",
                f"- {_('Kind')}: {_(c['kind']).upper()} — {_cell(_(KIND_TEXT.get(c['kind'], KIND_TEXT['breach'])))}",
                f"- {_('Rule pack')}: {_cell(c['pack'])}"
                + (f" · {_('governs')} {_cell(', '.join(c['scope']))}" if c.get("scope") else ""),
                f"- {_('Rationale')}: {_cell(c['rationale'])}",
                f"- {_('Remediation')}: {_cell(c['remediation_l'])}",
                *([f"- {_('Overlapping rules')}: {_cell(c['notes'])}"] if c.get("notes") else []),
                f"- {_('Outcome in this scope')}: {_(c['outcome'].replace('_', ' '))} — "
                + _cell(_("{e} evaluated, {p} passed, {f} failed, {u} unknown").format(
                    e=c["evaluated"], p=c["passed"], f=c["failed"], u=c["unknown"]))
                + (f" ({_cell(_('{a} of the failed records advisory').format(a=c['advisory']))})"
                   if c.get("advisory") else "")
                + (f" ({_cell(c['reason'])})" if c["reason"] else ""),
                f"- {_('Policy parameters used')}: {_cell(used)}",
                "",
            ]
        return lines

    def grouped(self, ft: dict) -> list[str]:
        """A findings table shown grouped (``reports.grouping``): one row per check x Party x
        provider x message template, then the note and the link to findings.csv."""
        _ = self._
        head = [_("Severity"), _("Check"), _("Article"), _("Party"), _("Provider"), _("Evidence"), _("Findings"),
                _("Waived"), _("Examples")]
        rows = [[_(g["severity"] or "").upper(), g["check_id"], f"{g['article']}, {g['instrument']}", g["party"],
                 g["provider"], g["template"], g["count"], g["waived"], ", ".join(g["examples"])] for g in ft["rows"]]
        prefix = (self.ctx.get("nav") or {}).get("prefix", "")
        note = i18n.json_named(_(i18n.GROUP_NOTE).format(total=ft["total"], limit=ft["limit"], groups=ft["groups"]),
                               ft.get("json_name"))
        if ft.get("groups_omitted"):
            note += " " + _(i18n.GROUPS_CUT_NOTE).format(shown=len(ft["rows"]), groups=ft["groups"])
        return [*_table(head, rows), "", f"{_cell(note)} [{_('All findings (CSV)')}]({prefix}findings.csv)", ""]

    def findings(self, ft: dict) -> list[str]:
        _ = self._
        advisory = bool(ft.get("advisory"))
        if ft.get("grouped"):
            return self.grouped(ft)
        if not ft["rows"]:
            return [_("No advisory findings.") if advisory else _("No findings."), ""]
        head = [_("Severity"), _("Check"), _("Family"), _("Article"), _("Pack / request instrument"), _("Party"),
                _("Provider"), _("Period"), _("Request"), _("Issued"), _("Evidence"), _("Status")]

        def cells(r: dict) -> list[Any]:
            return [_(r["severity"] or "").upper(), r["check_id"], _(r["family"].replace("_", " ")),
                    f"{r['article']}, {r['instrument']}", f"{r['pack']} / {r['request_instrument'] or '—'}",
                    r["party"], r["provider"], r["period"],
                    r["request_id"] + (f" / {r['record_id']}" if r.get("record_id") else ""),
                    r["issued"], r["message"],
                    (_(r["status"]) if r["status"] else "")
                    + (f" ({r['waiver_reason']})" if r.get("waiver_reason") else "")]
        if advisory:
            head.append(_("Parameter basis"))
            plain = cells

            def cells(r: dict) -> list[Any]:
                return [*plain(r), r["basis"] or "—"]

        def render(r: dict) -> str:
            return _row(cells(r))

        cache = ft.get("cache")  # a finding's row is the same on every page: rendered once
        kind = f"md:{self.lang}:{advisory}"
        lines = (render(r) for r in ft["rows"]) if cache is None else (cache.get(r, kind, render) for r in ft["rows"])
        out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        out.extend(lines)
        if ft.get("omitted"):
            out += ["", i18n.json_named(_(i18n.PAGE_NOTE).format(shown=len(ft["rows"]), total=ft["total"]),
                                        ft.get("json_name"))]
        return out + [""]

    def findings_sections(self, level: str = "##") -> list[str]:
        """The findings (breaches) and, apart, the advisory findings."""
        _ = self._
        return [f"{level} {_('Findings')}", "", _("Breaches of the text. Advisory findings are listed apart, below."),
                "", *self.findings(self.ctx["findings_table_data"]),
                f"{level} {_(ADVISORY_TITLE)}", "", _cell(_(ADVISORY_NOTE)), "",
                *self.findings(self.ctx["advisory_table_data"])]

    def diff(self, d: dict | None) -> list[str]:
        _ = self._
        if not d:
            return [_("No previous run on the same data scope: every finding is new."), ""]
        lines = [f"{_('Compared with the previous run on the same data scope')}: `{d['previous_run_id']}` "
                 f"({_('as of')} {d['previous_as_of']}).", "",
                 *_table([_("New"), _("Resolved"), _("Persisting")], [[d["new"], d["resolved"], d["persisting"]]]),
                 ""]
        if d.get("resolved_findings"):
            lines += [f"### {_('Resolved findings')}", ""]
            lines += _table([_("Check"), _("Severity"), _("Article"), _("Party"), _("Provider"), _("Request")],
                            [[r["check_id"], _(r["severity"] or "").upper(), r["article"], r["party"],
                              r["provider"], r["request_id"]] for r in d["resolved_findings"]])
            lines.append("")
        return lines

    def ranked(self, rows: list[dict], head: str) -> list[str]:
        _ = self._
        if not rows:
            return [_("No {what} in scope.").format(what=_(head)), ""]
        link = self.ctx.get("links", True)
        return _table(
            [_(head), _("Compliance rate"), _("Passed records"), _("Evaluated records"), _("Findings"),
             _("Advisory findings"), _("Checks failed"), _("Not evaluated"),
             _("Requests outside the audited instruments")],
            [[f"[{_cell(r['name'])}]({r['href']}.md)" if link else _cell(r["name"]),
              self.pct(r["compliance_rate"]), r["records_passed"], r["records_evaluated"], r["findings"],
              r["advisory"], r["checks_failed"], r["checks_not_evaluated"], r["requests_outside"]] for r in rows],
            raw=frozenset({0})) + [""]

    def glance(self, h: dict) -> list[str]:
        """The page's first figures (reports.headline.headline), as a list."""
        _, num = self._, self.num
        sev = h["findings_by_severity"]
        lines = [f"## {_('At a glance')}", "",
                 f"- **{h['requests_audited']}** {_('Requests audited').lower()} "
                 f"({_('of {n} in the audited period; {o} outside the audited instruments').format(n=h['requests'], o=h['requests_outside'])})",
                 f"- **{h['requests_with_findings']}** ({self.pct(h['share_with_findings'])}) "
                 f"{_('Requests with a breach finding').lower()}",
                 f"- **{num(h['critical_high_per_100'])}** {_('Critical + high findings per 100 requests').lower()} "
                 f"({_('{c} critical, {h} high, {m} medium, {l} low').format(c=sev.get('critical', 0), h=sev.get('high', 0), m=sev.get('medium', 0), l=sev.get('low', 0))})",
                 f"- **{len(h['checks_not_evaluated'])}** {_('Checks not evaluated').lower()}"
                 + ((": " if _lang(_) == "en" else "\u00a0: ") + ", ".join(f"{c['check_id']} ({_cell(i18n.reason(c['reason'], _lang(_)))})"
                                         for c in h["checks_not_evaluated"])
                    if h["checks_not_evaluated"] else "")]
        if h.get("quarantined_rows") is not None:
            lines.append(f"- **{h['quarantined_rows']}** {_('Input rows quarantined').lower()}")
        if h.get("provider_findings") is not None:
            own = _("The provider's own findings").lower()
            rest = _("of {n} breach findings on its requests; the rest are the authorities'").format(n=h["findings"])
            lines.append(f"- **{h['provider_findings']}** {own} ({rest})")
        policy = _("the auditor's policy, not breaches; not counted above")
        lines += [f"- **{h['advisory']}** {_('Advisory findings').lower()} ({policy})", ""]
        return lines

    def ranking(self, rows: list[dict], kind: str) -> list[str]:
        """A ranking (reports.headline.ranking) as a table, worst first."""
        _, num = self._, self.num
        if not rows:
            return [_("No Parties in scope.") if kind == "party" else _("No service providers in scope."), ""]
        link = self.ctx.get("links", True)
        head = [_("Rank"), _("Party") if kind == "party" else _("Provider"), _("Requests audited"),
                _("Weighted per 100 [95 % CI]"), _("Critical + high"), _("Most severe")]
        if kind == "provider":
            head.append(_("Authorities' findings"))
        body = []
        for r in rows:
            if r["insufficient"]:
                score = _("insufficient data (fewer than {n} requests)").format(n=r["min_requests"])
            elif r["score"] is None:
                score = "—"
            else:
                score = num(r["score"]) + (f" [{num(r['ci_low'])}–{num(r['ci_high'])}]" if r["ci_low"] is not None
                                           else "")
            row = [r["rank"] if r["rank"] is not None else "—",
                   f"[{_cell(r['name'])}]({r['href']}.md)" if link else _cell(r["name"]),
                   r["requests"], score, r["critical_high"], _(r["worst"]).upper() if r["worst"] else _("none")]
            if kind == "provider":
                row.append(r["authority_findings"])
            body.append(row)
        return _table(head, body, raw=frozenset({1})) + [""]

    def num(self, value: Any, digits: int = 1) -> str:
        return i18n.num(value, self.lang, digits)


def render_index(ctx: dict[str, Any], lang: str = "en") -> str:
    r = _R(ctx, lang)
    _ = r._
    scope = ctx["scope"]
    req = ctx["requests"]
    lines = [
        f"# {_('Compliance audit')}: {_cell(scope.get('pack_title') or scope['pack'])}", "",
        *([f"[{_('Key issues')}](issues.md): {_('breach findings grouped by check, Party and who must act')}", ""]
          if ctx.get("nav") is not None else []),  # issues.md is written with index.md (reports.pages)
        *r.glance(ctx["glance_figures"]),
        f"## {_('Needs attention first')}", "",
        *r.ranking(ctx["party_ranking"][:5], "party"),
        *r.ranking(ctx["provider_ranking"][:5], "provider"),
        f"## {_('Check results')}", "",
        *r.summary_lines(ctx["summary"]),
        *r.requests_lines(req),
        f"## {_('Compliance by legal instrument')}", "",
        *r.instruments(ctx["instruments"]),
        f"## {_('Requests outside the audited instruments')}", "",
        *r.outside(ctx["outside"], by_party=True),
        f"## {_('Parties ranked by weighted findings per request')}", "",
        *r.ranking(ctx["party_ranking"], "party"),
        f"## {_('Service providers ranked by their own findings per request')}", "",
        *r.ranking(ctx["provider_ranking"], "provider"),
        f"## {_('Check results by Party')}", "",
        f"{_('All-Party median compliance rate')}: {r.pct(ctx['median'])}", "",
        *r.ranked(ctx["party_rows"], "Party"),
        f"## {_('Check results by service provider')}", "",
        *r.ranked(ctx["provider_rows"], "Provider"),
        f"## {_('Changes since the previous run')}", "",
        *r.diff(ctx["diff"]),
        *_attestation_lines(ctx.get("attestations") or [], _),
        *(_decision_lines(ctx["decisions"], _) if ctx.get("decisions") is not None else []),
        *r.findings_sections(),
        f"## {_('Checks')}", "",
        *r.checks_table(ctx["checks"]),
        f"## {_('Check explanations')}", "",
        *r.check_details(ctx["checks"]),
        f"## {_('Scope')}", "",
        *r.scope_lines(scope),
    ]
    return _typography("\n".join(lines).rstrip() + "\n", lang)


def render_scope(ctx: dict[str, Any], lang: str = "en") -> str:
    r = _R(ctx, lang)
    _ = r._
    report = ctx["report"]
    label = ctx["label"]
    req = report["requests"]
    lines = [f"# {_(label + ' report')}: {_cell(report['name'])}", "",
             f"{_(label)}: **{_cell(report['name'])}**.", "",
             *r.glance(ctx["glance_figures"]),
             f"## {_('Check results')}", "", *r.summary_lines(ctx["summary"]),
             *r.requests_lines(req),
             f"### {_('Compliance by legal instrument')}", "", *r.instruments(ctx["instruments"])]
    if report["kind"] == "party" or ctx["outside"]["total"]:
        lines += [f"### {_('Requests outside the audited instruments')}", "", *r.outside(ctx["outside"])]
    comp = ctx.get("comparison")
    if comp:
        lines += [f"### {_('Comparison with all Parties')}", "",
                  f"{_('This Party')}: **{r.pct(comp['rate'])}** · {_('all-Party median')}: **{r.pct(comp['median'])}** "
                  f"({_('{n} Parties with evaluated records').format(n=comp['parties'])})", ""]
        lines += _table([_("Family"), _("This Party"), _("All-Party median"), _("Difference (points)")],
                        [[_(f["family"].replace("_", " ")), r.pct(f["rate"]), r.pct(f["median"]),
                          "—" if f.get("difference_points") is None else (f"{f['difference_points']:+.1f}" if _lang(_) == "en" else
                                                             ("+" if f["difference_points"] >= 0 else "-")
                                                             + i18n.num(abs(f["difference_points"]), _lang(_)))]
                         for f in comp["families"]]) + [""]
    lines += [f"## {_('Changes since the previous run')}", "", *r.diff(ctx["diff"]), *r.findings_sections()]
    if ctx.get("reconciliation"):
        lines += [f"## {_('Reconciliation with published transparency figures')}", ""]
        lines += _table([_("Party"), _("Provider"), _("Period"), _("Metric"), _("Logged"), _("Published (low)"),
                         _("Published (high)"), _("Status"), _("Note")],
                        [[x["party"], x["provider"], x["period"], x["metric"], x["logged"], x["published_low"],
                          x["published_high"], _(str(x["status"] or "").replace("_", " ")), x["note"]]
                         for x in ctx["reconciliation"]]) + [""]
    lines += [f"## {_('Checks')}", "", *r.checks_table(ctx["checks"]),
              f"## {_('Check explanations')}", "",
              _("Checks that failed or have findings in this scope; the index explains every check."), "",
              *r.check_details([c for c in ctx["checks"] if c["explain"]])]
    if report["kind"] == "party":
        lines += [f"## {_('Party profile')}", ""]
        if report["profile"]:
            lines += _table([_("Field"), _("Value")],
                            [[k, _("unknown") if v is None else (_("yes") if v is True else _("no") if v is False
                                                                 else i18n.reason(v, _lang(_)))]
                             for k, v in report["profile"].items()])
        else:
            lines.append(_("No profile recorded for this Party; defaults of the rule pack apply."))
        lines.append("")
    lines += [f"## {_('Scope')}", "", *r.scope_lines(ctx["scope"])]
    return _typography("\n".join(lines).rstrip() + "\n", lang)


def _attestation_lines(rows: list[dict], _) -> list[str]:
    if not rows:
        return []
    return [f"## {_('Attestations')}", "",
            _("Judgement-only safeguards attested by an auditor; status on the audit date."), "",
            *_table([_("Safeguard"), _("Check"), _("Party"), _("Provider"), _("Result"), _("Status"),
                     _("Attested by"), _("Evidence"), _("Expires")],
                    [[a["safeguard"], a["check"] or "—", a["party"] or "—", a["provider"] or "—", _(a["result"]),
                      _(a["status"] or ""), a["attested_by"], a["evidence"], a["expires"]] for a in rows]),
            ""]


def _decision_lines(rows: list[dict], _) -> list[str]:
    """The workbench decisions section (``auditor report --with-decisions``; the HTML index's
    ``decisions_section``)."""
    def decision(d: dict) -> str:
        parts = [_(d["decision"])] if d.get("decision") else []
        if d.get("pending"):
            parts.append(f"{_(d['pending']['decision'])} ({_('proposed, not approved')})")
        return "; ".join(parts) or "—"

    def who(name: str | None, at: str | None) -> str:
        return f"{name} {(at or '')[:10]}".strip() if name else ""

    lines = [f"## {_('Workbench decisions')}", "",
             _("Where each finding stands in the audit team's workbench (auditor serve) when this report was "
               "rendered: explanation requested, answered, a decision proposed, or a decision approved by a second "
               "person. A proposed decision is not in force until it is approved. Findings not listed are open."), ""]
    if not rows:
        return [*lines, _("No finding of this run has a workbench state yet."), ""]
    body = []
    for d in rows:
        p = d.get("pending") or {}
        body.append([d["check_id"], d.get("severity") or "", d.get("party") or "—", d.get("provider") or "—",
                     d.get("request_id") or "—", str(d.get("fingerprint") or "")[:12],
                     _(str(d["state"]).replace("_", " ")), decision(d), d.get("reason") or p.get("reason") or "",
                     d.get("until") or p.get("until") or "",
                     "; ".join(x for x in (who(d.get("proposed_by"), d.get("proposed_at")),
                                           who(p.get("proposed_by"), p.get("proposed_at"))) if x),
                     who(d.get("approved_by"), d.get("approved_at")) or "—"])
    return [*lines, *_table([_("Check"), _("Severity"), _("Party"), _("Provider"), _("Request"), _("Finding"),
                             _("State"), _("Decision"), _("Reason"), _("Until"), _("Proposed by"),
                             _("Approved by")], body), ""]


ADVISORY_ISSUES = "Advisory issues (the auditor's policy thresholds, not breaches of the text)"


def render_issues(ctx: dict[str, Any], lang: str = "en") -> str:
    """``issues.md``: the key issues (``reports.pages.issues_context``), breaches then, apart,
    the advisory groups; the Markdown twin of ``issues.html``."""
    r = _R(ctx, lang)
    _ = r._
    slugs = (ctx.get("nav") or {}).get("party") or {}

    def table(groups: list[dict], advisory: bool) -> list[str]:
        if not groups:
            return [_("No advisory findings.") if advisory else _("No breach findings."), ""]
        head = [_("Severity"), _("Check"), _("Article"), _("Party"), _("Who must act"), _("Findings"),
                _("Providers"), _("Examples")]
        head.append(_("Parameter basis") if advisory else _("Remediation"))
        rows = []
        for g in groups:
            party = _cell(g["party"] or "—")
            if g["party"] in slugs:
                party = f"[{party}](party/{slugs[g['party']]}.md)"
            rows.append([_(g["severity"] or "").upper(), f"{_cell(g['check_id'])} {_cell(g['title'])}",
                         _cell(f"{g['article']}, {g['instrument']}"), party, _cell(g["duty_l"]), _cell(g["count"]),
                         _cell(", ".join(g["providers"][:3]) + (f" (+{len(g['providers']) - 3})"
                                                                if len(g["providers"]) > 3 else "")),
                         _cell(", ".join(g["examples"])),
                         _cell(g["basis"] or "—") if advisory else _cell(g["remediation"])])
        return _table(head, rows, raw=frozenset(range(len(head)))) + [""]

    scope = ctx["scope"]
    lines = [f"# {_('Key issues: breach findings grouped by check, Party and who must act')}", "",
             f"{_cell(scope.get('pack_title') or scope['pack'])} · {_('run')} `{scope['run_id']}` · "
             f"{_('as of')} {scope['as_of']} · [{_('back to index')}](index.md)", "",
             _cell(_("Breach findings (not waived) grouped by check, Party and who must act; most severe first, "
                     "then the most findings.")), "",
             _("{n} breach findings in {g} groups.").format(n=ctx["findings_total"], g=len(ctx["groups"])), "",
             *table(ctx["groups"], False),
             f"## {_(ADVISORY_ISSUES)}", "",
             _cell(_(ADVISORY_NOTE)), "",
             _("{n} advisory findings in {g} groups.").format(n=ctx["advisory_total"],
                                                              g=len(ctx["advisory_groups"])), "",
             *table(ctx["advisory_groups"], True)]
    return _typography("\n".join(lines).rstrip() + "\n", lang)


def render_publication(ctx: dict[str, Any], lang: str = "en") -> str:
    """The published edition's page (``reports.publication``): the index (``ctx["page"]`` None) or
    one Party's / provider's figures. Every count is a published cell, as the HTML shows it."""
    _ = i18n.translator(lang)
    thr = ctx["threshold"]

    def n(value: Any) -> str:
        return i18n.num(value, lang, 0) if isinstance(value, int) else _cell(value)

    def rate(row: dict) -> str:
        return i18n.num(row["findings_per_100"], lang, 1)

    sevs = ctx["severities"]
    scope = ctx["scope"]
    page = ctx.get("page")
    audited = scope["audited"]
    period = _("requests issued from {a} to {b}").format(
        a=audited["audit_from"][:10] if audited.get("audit_from") else _("the first request"),
        b=(audited.get("audit_to") or scope["as_of"])[:10])
    title = _("Compliance audit") + " — " + _("published edition")
    if page:
        label = _("Party") if page["kind"] == "party" else _("Service provider")
        title = f"{label}: {_cell(page['name'])}"
    lines = [f"# {title}", ""]
    if ctx.get("classification"):
        lines += [f"**{_cell(ctx['classification'])}**", ""]
    lines += [
        "> **" + _("Published edition.") + "** " + _(
            "Counts from 1 to {n} are shown as \"<{t}\"; counts shown as \"x\" are withheld so that no withheld "
            "count can be worked out from the others (checked by linear programming over every published figure). "
            "No request identifiers, authority names or finding messages are published, and rates are shown only "
            "where both of their counts are.").format(n=thr - 1, t=thr).replace("<", "\\<"),
        "",
        f"- {_('Run')}: `{scope['run_id']}` · {_('as of')} {str(scope['as_of'])[:10]}",
        f"- {_('Audited period')}: {period}",
        "",
    ]
    if page:
        r = page
        rows = [[_("Requests audited"), n(r["requests"])], [_("Records evaluated"), n(r["records_evaluated"])],
                [_("Breach findings"), n(r["findings"])], [_("Breach findings per 100 requests"), rate(r)],
                [_("Advisory findings"), n(r["advisory_findings"])]]
        lines += [f"## {_('Figures')}", "", *_table([_("Figure"), _("Value")], rows, frozenset({1})), ""]
        return _typography("\n".join(lines), lang)

    head = [_("Requests audited"), _("Records evaluated"), _("Breach findings"), _("Breach findings per 100 requests"),
            _("Advisory findings")]

    def row(name: str, r: dict) -> list[Any]:
        return [_cell(name), n(r["requests"]), n(r["records_evaluated"]), n(r["findings"]), rate(r),
                n(r["advisory_findings"])]

    raw = frozenset(range(len(head) + 1))
    for key, label, heading in (("parties", _("Party"), _("Parties")),
                                ("providers", _("Service provider"), _("Service providers"))):
        rows = [row(r["name"], r) for r in ctx[key]] + [row(_("All"), ctx["total"])]
        lines += [f"## {heading}", "", *_table([label, *head], rows, raw), ""]
    total = ctx["total"]
    lines += [f"## {_('Breach findings by severity')}", "",
              *_table([*[_(s) for s in sevs], _("All")],
                      [[*[n(total["by_severity"][s]) for s in sevs], n(total["findings"])]], frozenset(range(6))), ""]
    rows = [[c["check_id"], c["title"] + (f" ({_('advisory')})" if c["kind"] == "advisory" else ""), c["article"],
             _(c["severity"]), _status(c["legal_basis_status"]), n(c["findings"]), n(c["advisory_findings"])]
            for c in ctx["checks"]]
    lines += [f"## {_('Findings per check')}", "",
              *_table([_("Check"), _("Title"), _("Article"), _("Severity"), _("Legal basis"), _("Breach findings"),
                       _("Advisory findings")], rows, frozenset({4, 5, 6})), ""]
    lines += [f"## {_('Rows set aside at intake')}", ""]
    if ctx["quarantine"]:
        rows = [[q["table"], q["column"], q["reason"], n(q["rows"])] for q in ctx["quarantine"]]
        lines += _table([_("Table"), _("Column"), _("Reason"), _("Rows")], rows, frozenset({3}))
    else:
        lines.append(_("No row was set aside."))
    pub = ctx["publication"]
    lines += ["", f"## {_('Disclosure control')}", "", _(
        "{cells} published counts; {primary} below {t} shown as \"<{t}\", {complementary} more withheld (\"x\") "
        "so that none of them can be worked out from the others.").format(
        cells=pub["cells"], primary=pub["primary"], complementary=pub["complementary"], t=thr).replace("<", "\\<"), ""]
    return _typography("\n".join(lines), lang)

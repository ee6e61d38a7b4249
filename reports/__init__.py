"""Report writers: HTML, PDF, Markdown, JSON and CSV views of one audit run.

Entry point: :func:`write_reports`. Aggregation lives in :mod:`reports.aggregate` and
:mod:`reports.compare`, charts in :mod:`reports.charts`, rendering in :mod:`reports.html`,
:mod:`reports.markdown` and :mod:`reports.pdf`, fixed text in :mod:`reports.i18n`.

``publish=True`` writes the published edition instead (:mod:`reports.publication`): protected
tables only, every count a cell of one cube with primary and complementary suppression; the
full report's pages below are never written for publication.

Hostile values are written safely: CSV cells that a spreadsheet would run as a formula get a
``'`` in front (``auditor.textsafe.csv_frame``; the JSON files keep the exact values), Markdown
and XML show control characters escaped, chart text is never parsed as mathtext, and page
file names are bounded, hashed slugs (``aggregate.slug_map``). A rendering is written into a
staging folder and moved into place whole (``reports.staging``): a failure leaves the reports
folder as it was.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from auditor.textsafe import arrow_columns, csv_bytes, csv_frame

from . import aggregate, compare, grouping, headline, i18n, jsonio, labels
from . import pages as drill  # the key issues and check pages, the links between pages
from .chartpool import ChartPool
from .staging import Staging

__all__ = ["DEFAULT_FORMATS", "FORMATS", "write_reports"]

FORMATS: tuple[str, ...] = ("html", "md", "json", "csv", "pdf", "parquet")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "md", "json", "csv")
DEFAULT_THRESHOLD = 5
#: findings an HTML/PDF/Markdown page lists one by one; a page with more shows them grouped
#: (reports.grouping; 0: always list); every finding is always in findings.json (and
#: findings.csv, the Party/provider JSON twins, SARIF)
PAGE_FINDINGS = 10_000


def _write_text(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    written.append(path)


#: findings per piece of findings.csv (write_findings_csv)
CSV_CHUNK = 50_000


def write_findings_csv(records: list[dict], path: Path, chunk: int = CSV_CHUNK) -> None:
    """``findings.csv`` of the finding records (``aggregate.findings_records``), ``chunk`` rows at
    a time: the same text as one DataFrame of every finding (``aggregate.findings_frame``, its
    columns and order) written at once, without that frame (and its formula-escaped copy) of a
    million findings. A cell starting with = + - @ tab or CR gets a ' in front (a spreadsheet
    runs no formula; ``auditor.textsafe.csv_frame``)."""
    import pandas as pd

    columns = list(aggregate.ALL_FINDING_COLUMNS) + aggregate.waiver_columns(records)
    with path.open("w", encoding="utf-8", newline="") as fh:
        if not records:
            pd.DataFrame(columns=columns).to_csv(fh, index=False, lineterminator="\n")
        for start in range(0, len(records), chunk):
            frame = pd.DataFrame(records[start:start + chunk], columns=columns)
            csv_frame(frame).to_csv(fh, index=False, header=start == 0, lineterminator="\n")


#: above this many findings, findings.json holds one finding per line (compact JSON, the same
#: value once parsed) instead of the indented layout: at a million findings the indentation alone
#: was about 130 MB, and the indented encoder keeps a text cache of every finding
JSON_COMPACT_ABOVE = 10_000


def write_findings_json(records: list[dict], path: Path, chunk: int = CSV_CHUNK, gz: bool = False) -> None:
    """``findings.json`` of more than :data:`JSON_COMPACT_ABOVE` finding records: a JSON array
    with one finding per line (``{"run_id":"...","check_id":"..."}``; the C encoder, ``chunk``
    findings joined at a time). Parsed, it is the same value as the indented file; a tool that
    reads line by line (grep, ``jq -c``) sees one finding per line. ``gz``: the same text
    gzip-compressed (``findings.json.gz``, :func:`open_text`)."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode
    with open_text(path, gz) as fh:
        if not records:
            fh.write("[]\n")
            return
        for start in range(0, len(records), chunk):
            fh.write(("[\n" if start == 0 else ",\n") + ",\n".join(map(encode, records[start:start + chunk])))
        fh.write("\n]\n")


def _write_bytes(fh: Any, data: bytes) -> None:
    """UTF-8 ``data`` into the text file ``fh`` (:func:`open_text`) after what was written before."""
    if isinstance(fh, GzipText):
        fh.write_bytes(data)
    else:
        fh.flush()
        fh.buffer.write(data)


def write_findings_files(frame: Any, model: dict, out_dir: Path, formats: tuple[str, ...], json_name: str,
                         chunk: int = CSV_CHUNK) -> list[Path]:
    """``findings.json`` (named ``json_name``: findings.json.gz when compressed) and, with ``csv``
    in ``formats``, ``findings.csv`` of a run of more than :data:`JSON_COMPACT_ABOVE` findings,
    from its findings frame (``auditor.audit.build_model(findings_frame=True)``: the rows the model's
    findings are made of) ``chunk`` rows at a time: the same files as :func:`write_findings_json`
    and :func:`write_findings_csv` of the model's finding records, without a record per finding
    held at once. The rows are put in the records' order (:func:`aggregate.record_order`) first,
    from three of their columns. Made to run in a helper process beside the pages
    (``auditor.audit.render_run``): the frame's columns are Arrow buffers the helper only reads."""
    import pandas as pd

    out_dir = Path(out_dir)
    n = len(frame)
    order = aggregate.frame_order(frame)
    columns = list(aggregate.ALL_FINDING_COLUMNS) + [c for c in aggregate.WAIVER_COLUMNS if c in frame.columns]
    want_csv = "csv" in formats
    json_path, csv_path = out_dir / json_name, out_dir / "findings.csv"
    encode = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode
    with contextlib.ExitStack() as stack:
        jf = stack.enter_context(open_text(json_path, json_name.endswith(".gz")))
        cf = stack.enter_context(csv_path.open("wb")) if want_csv else None
        if n == 0:
            jf.write("[]\n")
            if cf is not None:
                cf.write(pd.DataFrame(columns=columns).to_csv(index=False, lineterminator="\n").encode("utf-8"))
        for start in range(0, n, chunk):
            cols = aggregate.record_columns(model, frame.take(order[start:start + chunk]))
            # Arrow's string kernels (one conversion of the columns for both files); the encoder
            # and pandas for a chunk holding other values (the same text)
            arrays = arrow_columns([cols[c] if c in cols else [None] * len(cols["check_id"]) for c in columns])
            records = arrays if list(cols) == columns else arrow_columns(list(cols.values()))  # the JSON's keys
            jf.write("[\n" if start == 0 else ",\n")
            lines = None if records is None else jsonio.compact_lines(dict(zip(cols, records, strict=True)))
            if lines is None:
                jf.write(",\n".join(map(encode, aggregate.column_records(cols))))
            else:
                _write_bytes(jf, lines)
            del lines
            if cf is not None:
                text = None if arrays is None else csv_bytes(arrays, columns if start == 0 else None)
                if text is None:
                    text = csv_frame(pd.DataFrame(cols, columns=columns)).to_csv(
                        index=False, header=start == 0, lineterminator="\n").encode("utf-8")
                cf.write(text)
        if n:
            jf.write("\n]\n")
    return [json_path, *([csv_path] if want_csv else [])]


#: above this many findings, ``--compress-findings auto`` (the default) writes findings.json
#: gzip-compressed as ``findings.json.gz``: at a million findings the plain file is ~585 MB
#: (about 85 % of the report folder), compressed ~15-20 % of that; every JSON tool and language
#: reads gzip (``zcat findings.json.gz | jq``, ``pandas.read_json(path)``)
JSON_GZIP_ABOVE = 100_000
#: --compress-findings: auto (gzip above JSON_GZIP_ABOVE), always, never
COMPRESS_CHOICES: tuple[str, ...] = ("auto", "always", "never")
#: gzip level of findings.json.gz: level 1 compresses at ~200 MB/s (a second or three at a million
#: findings) to within a few percent of level 6, which is four times slower
GZIP_LEVEL = 1


def findings_json_name(count: int, compress: str = "auto") -> str:
    """The file name of the findings' JSON export of ``count`` findings: ``findings.json`` or
    ``findings.json.gz`` (``compress``: one of :data:`COMPRESS_CHOICES`)."""
    if compress not in COMPRESS_CHOICES:
        raise ValueError(f"unknown compress setting {compress!r}; choose from {', '.join(COMPRESS_CHOICES)}")
    gz = compress == "always" or (compress == "auto" and count > JSON_GZIP_ABOVE)
    return "findings.json.gz" if gz else "findings.json"


def open_text(path: Path, gz: bool = False):
    """``path`` opened for UTF-8 text with \\n line ends; ``gz``: gzip-compressed by a thread
    (:class:`GzipText`) while the caller goes on encoding."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not gz:
        return path.open("w", encoding="utf-8", newline="\n")
    return GzipText(path)


class GzipText:
    """A text file written gzip-compressed (level :data:`GZIP_LEVEL`; the header holds no time
    and no file name, so the same text gives the same bytes). Text is gathered into blocks of
    ``block`` characters, and a thread compresses and writes each block while the caller
    encodes the next one (zlib releases the interpreter lock): at a million findings the
    compression costs the rendering almost no time. An error of the thread is raised at the
    next write or on closing."""

    def __init__(self, path: Path, block: int = 1 << 23) -> None:
        import queue  # noqa: PLC0415
        import threading  # noqa: PLC0415
        import zlib  # noqa: PLC0415

        self._fh = Path(path).open("wb")  # noqa: SIM115 - closed by close()
        self._zip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
        self._parts: list[str] = []
        self._size = 0
        self._block = block
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="auditor-gzip", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the writer raises it
            try:
                self._fh.write(self._zip.compress(data))
            except BaseException as exc:  # noqa: BLE001 - raised in the writer's thread
                self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            self._stop()  # no thread is left behind by a writer that gives up on the error
            raise self._error

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)  # the thread drains the queue once it has an error
            self._thread.join()

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self._block:
            self._send()
        return len(text)

    def _send(self) -> None:
        self._raise()
        if self._parts:
            self._queue.put("".join(self._parts).encode("utf-8"))
            self._parts, self._size = [], 0

    def write_bytes(self, data: bytes) -> int:
        """``data``, UTF-8 text already encoded, after the text written before it."""
        self._send()
        self._queue.put(data)
        return len(data)

    def close(self) -> None:
        try:
            self._send()
            self._queue.put(None)
            self._thread.join()
            self._raise()
            self._fh.write(self._zip.flush())
        finally:
            self._stop()  # an error before the sentinel
            self._fh.close()

    def __enter__(self) -> GzipText:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _omitted(kind: str, name: str, count: int, limit: int, json_name: str = "findings.json") -> dict:
    """What a Party/provider JSON twin says instead of listing more than ``limit`` findings."""
    return {"count": count, "limit": limit,
            "reason": f"more findings than --page-findings ({limit}); findings.csv and {json_name} list them all",
            "files": ["../findings.csv", f"../{json_name}"], "where": {kind: name}}


def _write_json(path: Path, data: Any, written: list[Path], cache: jsonio.Cache | None = None,
                gz: bool = False) -> None:
    """``json.dumps(data, indent=2, ensure_ascii=False, default=str)`` and a newline, written to
    ``path`` as it is encoded (``jsonio.dump``; ``cache`` as for ``jsonio.dumps``; ``gz``
    through gzip, :func:`open_text`)."""
    with open_text(path, gz) as fh:
        jsonio.dump(data, fh, cache)
        fh.write("\n")
    written.append(path)


class RowCache:
    """Rendered table rows (HTML, Markdown) by row, shared by every page of one rendering.

    A finding's row is the same on the index, its Party's page and its provider's page, so it
    is rendered once. Holds the rows, so their ids stay theirs; rows must not change.
    """

    def __init__(self) -> None:
        self._rows: dict[int, dict] = {}
        self._text: dict[tuple[int, str], str] = {}

    def get(self, row: dict, kind: str, render: Any) -> str:
        key = (id(row), kind)
        text = self._text.get(key)
        if text is None:
            self._rows[id(row)] = row
            text = self._text[key] = render(row)
        return text


class _View:
    """Everything shared by the pages of one rendering (language, diff)."""

    def __init__(self, model: dict, lang: str, page_findings: int = PAGE_FINDINGS,
                 json_name: str = "findings.json") -> None:
        self.model = model
        self.json_name = json_name  # findings.json or findings.json.gz: the notes under the tables name it
        self.page_findings = page_findings
        self.lang = lang
        self.t = i18n.translator(lang)
        self.gran = compare.granularity(model)
        self.partial = compare.partial_period(model, self.gran)  # the last period, when partial: marked on trends
        self.status = compare.diff_status(model)
        self.params_by_name = {p["name"]: p for p in i18n.localise_scope(aggregate.scope_header(model), lang)["params"]
                               if p.get("name")}
        #: check id -> its English message template (a French page rebuilds messages from it)
        self.templates = {str(c.get("id")): str(c.get("message") or "") for c in model.get("checks") or []}
        self.row_cache = RowCache()
        self._ranking: dict[str, list[dict]] = {}
        self._trends: dict[tuple[str, str, str], int] | None = None  # compare.trend_table of the breaches
        # finding -> its table row; the findings are the memoized records
        self._finding_rows: dict[tuple, dict[int, tuple[dict, dict]]] = {}
        # message templates of grouped pages, once per finding, from the message in the page's language
        self.grouped_templates = grouping.Templates(
            None if lang == "en" else
            lambda f: i18n.message(f.get("message") or "", self.templates.get(f["check_id"], ""), self.lang),
            universe=lambda: aggregate.findings_records(model))

    # ---- tables
    def checks(self, results: list[dict], explain_all: bool = False) -> list[dict]:
        out = []
        for c in results:
            c = {**c, "explain": explain_all or c["outcome"] in ("fail", "advisory", "error")
                 or bool(c.get("findings")) or bool(c.get("advisory_findings")),
                 "title_l": i18n.check_text(c, "title", self.lang),
                 "remediation_l": i18n.check_text(c, "remediation", self.lang),
                 **i18n.localise_check(c, self.lang)}
            out.append(c)
        return out

    def basis(self, check: dict) -> str:
        """The parameters an advisory finding of ``check`` rests on: name = value (basis), the
        policy parameters first (all of them when the check has no policy parameter); "" when
        the check names none."""
        params = [self.params_by_name.get(name, {"name": name}) for name in check.get("params") or []]
        policy = [p for p in params if p.get("kind") == "policy"] or params
        return ("; " if self.lang == "en" else "\u202f; ").join(
            f"{p['name']} = {p.get('value', '?')}" + (f" ({p['basis']})" if p.get("basis") else "") for p in policy)

    def grouped(self, page_findings: int) -> bool:
        """True when a page with ``page_findings`` findings shows them grouped: more than
        ``--page-findings`` (``reports.grouping``)."""
        return 0 < self.page_findings < page_findings

    def findings_tables(self, findings: list[dict], checks: list[dict],
                        page_findings: int | None = None) -> tuple[dict, dict]:
        """(breach findings table, advisory findings table) of a page; both grouped when the page
        (``page_findings`` findings, default those given) has more than ``--page-findings``."""
        group = self.grouped(len(findings) if page_findings is None else page_findings)
        breach, advisory, *_ = aggregate.parts(findings)
        return (self.findings_table(breach, checks, group=group),
                self.findings_table(advisory, checks, advisory=True, group=group))

    def findings_table(self, findings: list[dict], checks: list[dict], advisory: bool = False,
                       group: bool | None = None) -> dict:
        titles = {c["check_id"]: c["title_l"] for c in checks}
        bases = {c["check_id"]: self.basis(c) for c in checks} if advisory else {}
        rows: list[dict] = []
        total = len(findings)
        if self.grouped(len(findings)) if group is None else group:  # too many to list; the files list all
            return self.grouped_table(findings, titles, advisory)
        # the same finding makes the same row on every page: build it once
        known = self._finding_rows.setdefault(tuple(titles.items()), {})
        for f in findings:
            hit = known.get(id(f))
            if hit is None or hit[0] is not f:
                hit = known[id(f)] = (f, self._finding_row(f, titles, bases))
            rows.append(hit[1])
        filters = drill.filters(rows)  # check, severity, status, family, instrument, ...
        omitted = total - len(rows)
        return {"rows": rows, "filters": filters, "cache": self.row_cache, "omitted": omitted, "total": total,
                "advisory": advisory, "id": "advisory-findings" if advisory else "findings",
                "json_name": self.json_name}

    def grouped_table(self, findings: list[dict], titles: dict, advisory: bool) -> dict:
        """A findings table of one row per check x Party x provider x message template
        (``reports.grouping``), at most ``page_findings`` groups, for a page with more findings
        than ``page_findings``."""
        groups = grouping.finding_groups(findings, titles, self.grouped_templates)
        rows = groups[: self.page_findings]
        return {"rows": rows, "grouped": True, "groups": len(groups), "groups_omitted": len(groups) - len(rows),
                "limit": self.page_findings, "filters": [f for f in drill.filters(rows) if f["values"]],
                "cache": None, "omitted": 0, "total": len(findings), "advisory": advisory,
                "id": "advisory-findings" if advisory else "findings", "json_name": self.json_name}

    def _finding_row(self, f: dict, titles: dict, bases: dict) -> dict:
        status = "waived" if f.get("waived") else self.status.get(str(f.get("fingerprint") or ""), "")
        return {
            "severity": f.get("severity") or "", "sev_rank": aggregate._severity_rank(f.get("severity")),
            "check_id": f["check_id"], "title": titles.get(f["check_id"], ""),
            "family": f.get("family") or "", "article": f.get("article") or "",
            "instrument": f.get("instrument") or "", "party": f["party"], "provider": f["provider"],
            "kind": f.get("kind") or "breach", "pack": f.get("pack") or "",
            "request_instrument": f.get("request_instrument") or "", "basis": bases.get(f["check_id"], ""),
            "period": compare.period_label(f.get("issued_at"), self.gran),
            "request_id": f["request_id"], "record_id": f.get("record_id"),
            "issued": (f.get("issued_at") or "")[:10], "message": i18n.message(f["message"], self.templates.get(f["check_id"], ""), self.lang),
            "status": status,
            "waiver_reason": f.get("waiver_reason"), "waiver_expires": f.get("waiver_expires"),
        }

    def rows(self, kind: str) -> list[dict]:
        return compare.rank(aggregate.scope_rows(self.model, kind))

    def trend(self, key: str | None, party: str | None = None, provider: str | None = None) -> dict:
        """``compare.trend`` of the breach findings of the run or of one Party/provider (the
        findings are counted once per rendering, ``compare.trend_table``)."""
        if self._trends is None:
            self._trends = compare.trend_table(_breaches(aggregate.findings_records(self.model)), self.gran)
        return compare.trend_of(self._trends, key, party, provider)

    def glance(self, party: str | None = None, provider: str | None = None) -> dict:
        """The page's first figures (:func:`reports.headline.headline`)."""
        return headline.headline(self.model, party, provider)

    def ranking(self, kind: str) -> list[dict]:
        """Parties or providers worst first (:func:`reports.headline.ranking`)."""
        if kind not in self._ranking:
            self._ranking[kind] = headline.ranking(self.model, kind)
        return self._ranking[kind]

    def diff(self, party: str | None = None, provider: str | None = None) -> dict | None:
        return compare.diff_summary(self.model, party, provider)

    def reconciliation(self, party: str | None = None, provider: str | None = None) -> list[dict]:
        rows = [r for r in (self.model.get("reconciliation") or [])
                if (party is None or str(r.get("party") or "") == party)
                and (provider is None or str(r.get("provider") or "") == provider)]
        return [{k: r.get(k) for k in ("party", "provider", "period", "metric", "logged", "published_low",
                                       "published_high", "status", "note")} for r in rows]

    def outside(self, party: str | None = None, provider: str | None = None) -> dict:
        """Requests outside the audited instruments (counted, not judged)."""
        return aggregate.outside_audited(self.model, party, provider)

    def instruments(self, party: str | None = None, provider: str | None = None) -> list[dict]:
        """The per-legal-instrument rows of a page."""
        return aggregate.instrument_rows(self.model, party, provider)

    def family_rates(self, party: str | None = None, provider: str | None = None) -> list[dict]:
        return compare.family_rates(self.model, party, provider)


def _breaches(findings: list[dict]) -> list[dict]:
    """The breach findings (charts of findings plot breaches; advisory findings are apart)."""
    return aggregate.parts(findings).breach


def _index_charts(view: _View, findings: list[dict], party_rows: list[dict], pool: ChartPool) -> dict:
    """The index page's chart jobs (see :func:`_chart_results`)."""
    t, model = view.t, view.model
    gran = t(view.gran)
    return {
        "family_rate": pool.submit("family_rate_chart", view.family_rates()),
        "ranking": pool.submit("ranking_chart", view.ranking("party")),
        "heatmap": pool.submit("heatmap_chart", compare.heatmap(model)),
        "response": pool.submit("deadline_chart", aggregate.deadline_checks(model)),
        "trend_party": pool.submit("trend_chart", view.trend("party"),
                                   t("Findings per {g} by Party").format(g=gran), partial=view.partial),
        "trend_provider": pool.submit("trend_chart", view.trend("provider"),
                                      t("Findings per {g} by provider").format(g=gran), partial=view.partial),
    }


def _scope_charts(view: _View, findings: list[dict], party: str | None, provider: str | None,
                  medians: dict | None, reconciliation: list[dict], pool: ChartPool) -> dict:
    """A Party/provider page's chart jobs (see :func:`_chart_results`)."""
    t, model = view.t, view.model
    active = aggregate.parts(findings).active_breach
    return {
        "family_rate": pool.submit("family_rate_chart", view.family_rates(party, provider), medians),
        "family": pool.submit("findings_by_family_chart", aggregate.findings_by_family(active)),
        "response": pool.submit("deadline_chart", aggregate.deadline_checks(model, party, provider)),
        "trend": pool.submit("trend_chart", view.trend(None, party, provider),
                             t("Findings per {g}").format(g=t(view.gran)), partial=view.partial),
        "reconciliation": pool.submit("reconciliation_chart", reconciliation) if reconciliation else None,
    }


#: what a page's chart is when the rendering draws none (``write_reports(charts=False)``): the
#: page says the chart is left out, not that it has no data
NO_CHART = "omitted"


def _chart_results(view: _View, jobs: dict, pool: ChartPool, draw: bool = True) -> tuple[dict, dict]:
    """{name: data URI or None}, {name: plotted data (as the alt text shows it)} of a page's charts
    (``draw`` False: :data:`NO_CHART` for each, nothing drawn)."""
    from . import charts

    uris: dict[str, str | None] = {}
    data: dict[str, Any] = {}
    for name, job in jobs.items():
        if not draw:
            uris[name], data[name] = NO_CHART, {}
            continue
        if job is None:
            uris[name], data[name] = None, {}
            continue
        png, plotted = pool.result(job)
        uris[name], data[name] = charts.data_uri(png), plotted
    return uris, data


def _write_runs_page(view: _View, base_ctx: dict, out_dir: Path, want_html: bool, want_pdf: bool,
                     written: list[Path], pdf_jobs: list[tuple[str, Path]], draw: bool = True) -> None:
    """``runs.html``: the stored runs up to this one and, per Party, breach findings per 100
    requests across them (:func:`reports.headline.history`)."""
    from . import charts
    from . import html as html_render

    rows = headline.history(view.model)
    png, data = charts.history_chart(rows, t=view.t) if draw else (None, {})
    ctx = {**base_ctx, "history": rows, "history_chart": charts.data_uri(png) if draw else NO_CHART,
           "history_data": data,
           "history_parties": sorted({p for r in rows for p in r["parties"]}),
           "min_requests": headline.min_requests(view.model)}
    template = html_render.environment(view.lang).get_template("runs.html")
    if want_html:
        _write_text(out_dir / "runs.html", template.render(**ctx, ext="html"), written)
    if want_pdf:
        pdf_jobs.append((template.render(**ctx, ext="pdf"), out_dir / "runs.pdf"))


def write_reports(
    model: dict,
    out_dir: Path,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    *,
    lang: str = "en",
    publish: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
    page_findings: int = PAGE_FINDINGS,
    staged: bool = True,
    classification: str | None = None,
    pdf_standard: str | None = None,
    charts: bool = True,
    chart_cache: dict | None = None,
    release_findings: bool = False,
    compress: str = "auto",
    findings_files: bool = True,
    findings_frame: Any = None,
) -> list[Path]:
    """Write the reports for one run into ``out_dir``; return the paths written.

    ``summary.json`` and ``findings.json`` are always written. ``formats`` selects the rest:
    ``html`` (index + per-Party/provider pages), ``pdf`` (the same pages printed),
    ``md`` (Markdown twins), ``json`` (per-Party/provider JSON twins), ``csv`` (``findings.csv``),
    ``parquet`` (``findings.parquet``, ``reports.tabular``).
    ``page_findings``: findings an HTML/PDF/Markdown page lists one by one; a page with more
    shows them grouped by check x Party x provider x message template (``reports.grouping``;
    0: always list); a Party/provider JSON twin with more lists none (``findings`` null,
    ``findings_omitted`` says where they are). findings.json, findings.csv and findings.parquet
    list every finding.
    ``staged``: write into a staging folder and move the files into ``out_dir`` once all are
    written (``reports.staging``; a failure changes nothing in ``out_dir``); False: straight
    into ``out_dir`` (a caller that stages itself, e.g. ``auditor.audit.render_run``).
    ``pdf_standard``: the PDFs' conformance, ``pdf/ua-1`` (accessible, the default) or ``pdf/a-3a``
    (tagged PDF/A-3 for archiving; ``reports.pdf``).
    ``classification``: a marking ("OFFICIAL", "RESTREINT") shown on the PDF cover, in every PDF
    page's running header and footer and, small, in the HTML pages' header; None: no marking.
    ``charts``: False draws no chart (each says it is left out): the pages in about a tenth of
    the time, for a quick look (the workbench's regenerated report can be served so).
    ``chart_cache``: a dict kept between renderings of the same run: a chart drawn by an earlier
    rendering (the same call, the same data) is taken from it, not drawn again.
    ``release_findings``: once the finding records are built, ``model["findings"]`` is emptied
    (the records hold every finding; at a million findings the model's list of dicts is about a
    gigabyte held twice). For a caller that needs the model's findings no more
    (``auditor.audit.render_run``, which writes SARIF and JUnit from them first).
    ``compress``: ``findings.json`` written gzip-compressed as ``findings.json.gz``: ``auto`` above
    :data:`JSON_GZIP_ABOVE` findings, ``always``, or ``never`` (:func:`findings_json_name`).
    ``findings_files``: False writes neither ``findings.json`` nor ``findings.csv`` (a caller that
    writes them itself from the findings frame, :func:`write_findings_files`).
    ``findings_frame``: the run's findings as the frame ``auditor.audit.build_model(findings_frame=True)``
    gives (the rows its findings are made of): the finding records are made from it
    (:func:`aggregate.frame_records`, one dict per finding) and ``model["findings"]`` is not read
    (None will do), unless published (the published edition reads the model's findings). A list
    holding the frame is emptied once the records are made: a caller that keeps no other
    reference lets the frame go then, not after the pages.
    A model with ``decisions`` (``auditor.audit.build_model(with_decisions=True)``, ``auditor
    report --with-decisions``) adds the workbench decisions of its findings to the index page,
    ``index.md`` and ``summary.json``; a model without them renders as before.
    """
    formats = tuple(str(f).lower() for f in formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r}; choose from {', '.join(i18n.LANGS)}")
    if publish and threshold < 1:
        raise ValueError("the publication threshold must be at least 1")
    if page_findings < 0:
        raise ValueError("page_findings must be 0 (all) or more")
    findings_json_name(0, compress)  # an unknown compress setting fails before anything is written
    if pdf_standard is not None and pdf_standard not in ("pdf/ua-1", "pdf/a-3a"):  # reports.pdf.PDF_VARIANTS
        raise ValueError(f"unknown PDF standard {pdf_standard!r}; choose pdf/ua-1 or pdf/a-3a")
    out_dir = Path(out_dir)
    if staged:
        with Staging(out_dir, formats=formats) as stage:  # one run's set and its manifest.json
            written = _render(model, stage.dir, formats, lang, publish, threshold, page_findings, classification,
                              pdf_standard, charts, chart_cache, release_findings, compress, findings_files,
                              findings_frame)
            return stage.commit(written)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _render(model, out_dir, formats, lang, publish, threshold, page_findings, classification, pdf_standard,
                   charts, chart_cache, release_findings, compress, findings_files, findings_frame)


def _render(model: dict, out_dir: Path, formats: tuple[str, ...], lang: str, publish: bool, threshold: int,
            page_findings: int, classification: str | None = None, pdf_standard: str | None = None,
            charts: bool = True, chart_cache: dict | None = None, release_findings: bool = False,
            compress: str = "auto", findings_files: bool = True, findings_frame: Any = None) -> list[Path]:
    if publish:  # the published edition: protected tables only (reports.publication)
        from . import publication

        return publication.write(model, out_dir, formats, lang=lang, threshold=threshold,
                                 classification=classification, pdf_standard=pdf_standard)
    # every page shares one computation of each aggregate; charts render in worker processes
    with aggregate.memoized(model), ChartPool(lang, None if charts else 0, chart_cache) as pool:  # no chart: no worker
        return _write_reports(model, out_dir, formats, lang=lang, page_findings=page_findings, pool=pool,
                              classification=classification, pdf_standard=pdf_standard, charts=charts,
                              release_findings=release_findings, compress=compress,
                              findings_files=findings_files, findings_frame=findings_frame)


def _write_reports(model: dict, out_dir: Path, formats: tuple[str, ...], *, lang: str, page_findings: int,
                   pool: ChartPool, classification: str | None = None,
                   pdf_standard: str | None = None, charts: bool = True,
                   release_findings: bool = False, compress: str = "auto",
                   findings_files: bool = True, findings_frame: Any = None) -> list[Path]:
    """The full report (never published: ``--publish`` writes :mod:`reports.publication`)."""
    written: list[Path] = []
    # release_findings: every aggregate reads the records from here (memoized): one copy, not two
    if findings_frame is not None:  # one dict per finding, made from the frame's columns
        # a list holding the frame: emptied, so that the frame goes once the records are made
        frame = findings_frame.pop() if isinstance(findings_frame, list) else findings_frame
        findings = aggregate.frame_records(model, frame)
        del frame
    elif release_findings:
        findings = aggregate.release_records(model)
    else:
        findings = aggregate.findings_records(model)
    json_name = findings_json_name(len(findings), compress)
    view = _View(model, lang, page_findings, json_name)
    records = jsonio.Cache(findings)  # findings.json and the Party/provider twins repeat them
    summary_json = aggregate.run_summary(model)
    summary_json["headline"] = view.glance()
    summary_json["ranking"] = {"min_requests": headline.min_requests(model), "weights": headline.weights(model),
                               "parties": view.ranking("party"), "providers": view.ranking("provider")}
    decided = model.get("decisions")  # the workbench state of the findings that have one, if asked for
    if decided is not None:
        summary_json["workbench_decisions"] = decided
    _write_json(out_dir / "summary.json", summary_json, written)
    gz = json_name.endswith(".gz")
    if not findings_files:
        pass  # written by the caller (write_findings_files)
    elif len(findings) > JSON_COMPACT_ABOVE:
        write_findings_json(findings, out_dir / json_name, gz=gz)
        written.append(out_dir / json_name)
    else:
        _write_json(out_dir / json_name, findings, written, records, gz=gz)

    if "parquet" in formats:
        from .tabular import write_findings_parquet

        written.append(write_findings_parquet(findings, out_dir / "findings.parquet"))
    if "csv" in formats and findings_files:
        path = out_dir / "findings.csv"
        write_findings_csv(findings, path)
        written.append(path)

    want_html, want_pdf = "html" in formats, "pdf" in formats
    want_md, want_json = "md" in formats, "json" in formats
    want_pages = want_html or want_pdf
    if not (want_pages or want_md or want_json):
        return written

    from . import html as html_render
    from . import markdown as md_render

    # HTML/PDF pages wait for their charts: rendered last, while the JSON and Markdown are written
    # (``written`` keeps the order in which the files are listed: a page's place is taken now).
    pages: list[tuple[Any, dict, dict, Path | None, Path | None]] = []
    scope = i18n.localise_scope(aggregate.scope_header(model), lang)
    audited = headline.period(model)  # the audited period and what it left out (counted)
    scope = {**scope, "audited": audited}
    checks = view.checks(aggregate.check_results(model), explain_all=True)
    party_rows = view.rows("party")
    provider_rows = view.rows("provider")
    base_ctx = {"scope": scope, "gran": view.gran,
                "partial_period": view.partial,
                "params_by_name": view.params_by_name, "classification": (classification or "").strip() or None}
    breach_table, advisory_table = view.findings_tables(findings, checks)
    index_ctx: dict[str, Any] = {
        **base_ctx,
        "summary": aggregate.compliance_summary(aggregate.check_results(model), findings),
        "glance_figures": view.glance(),
        "data_quality": i18n.localise_quality(model.get("data_quality") or [], lang),
        "party_ranking": view.ranking("party"),
        "provider_ranking": view.ranking("provider"),
        "weights": headline.weights(model),
        "min_requests": headline.min_requests(model),
        "requests": aggregate.requests_tally(model),
        "outside": view.outside(),
        "instruments": view.instruments(),
        "party_rows": party_rows,
        "provider_rows": provider_rows,
        "median": compare.median_rate([r for r in party_rows if not isinstance(r.get("compliance_rate"), str)]),
        "checks": checks,
        "diff": view.diff(),
        "attestations": aggregate.attestations(model),
        "findings_table_data": breach_table,
        "advisory_table_data": advisory_table,
        "links": True,
        "nav": drill.nav(model, 0, want_html),  # links to the Party, provider, check pages (reports.pages)
    }
    if decided is not None:
        index_ctx["decisions"] = decided
    if want_pages:
        jobs = _index_charts(view, findings, party_rows, pool)
        html_path = out_dir / "index.html" if want_html else None
        if html_path:
            written.append(html_path)
        pages.append((html_render.render_index, index_ctx, jobs, html_path,
                      out_dir / "index.pdf" if want_pdf else None))
    if want_md:
        _write_text(out_dir / "index.md", md_render.render_index(index_ctx, lang), written)

    scopes = [("party", n, s) for n, s in aggregate.slug_map(model, "party").items()]
    scopes += [("provider", n, s) for n, s in aggregate.slug_map(model, "provider").items()]
    for kind, name, slug in scopes:
        party = name if kind == "party" else None
        provider = name if kind == "provider" else None
        report = aggregate.scope_report(model, party=party, provider=provider)
        scope_findings = report["findings"]
        comparison = compare.party_comparison(model, name) if kind == "party" else None
        reconciliation = view.reconciliation(party, provider)
        s_checks = view.checks(report["checks"])
        authority_table = None
        if kind == "provider":
            # the provider answers for its own duties: the authorities' findings on requests to it
            # are listed apart (reports.aggregate.provider_split), never as the provider's
            own, others = aggregate.provider_split(scope_findings)
            others_split = aggregate.parts(others)  # shared lists: their rows are known (aggregate._rows)
            breach_table, advisory_table = view.findings_tables(
                aggregate.joined(own, others_split.advisory), s_checks, len(scope_findings))
            authority_table = {**view.findings_table(others_split.breach, s_checks,
                                                     group=view.grouped(len(scope_findings))),
                               "id": "authority-findings"}
        else:
            breach_table, advisory_table = view.findings_tables(scope_findings, s_checks)
        ctx = {
            **base_ctx,
            "report": report,
            "summary": report["summary"],
            "checks": s_checks,
            "label": "Party" if kind == "party" else "Service provider",
            "index_link": True,
            "nav": drill.nav(model, 1, want_html),
            "comparison": comparison,
            "diff": view.diff(party, provider),
            "reconciliation": reconciliation,
            "outside": view.outside(party, provider),
            "instruments": view.instruments(party, provider),
            "findings_table_data": breach_table,
            "advisory_table_data": advisory_table,
            "glance_figures": view.glance(party, provider),
            "authority_table_data": authority_table,
        }
        ctx["profile_rows"], ctx["profile_source"] = labels.profile_rows(report.get("profile"))
        base = out_dir / kind / slug
        if want_json:
            twin = {**report, "comparison": comparison, "diff": ctx["diff"]}
            if reconciliation:
                twin["reconciliation"] = reconciliation
            if 0 < page_findings < len(scope_findings):
                # findings.json and findings.csv list them all: a twin repeating them (every finding
                # twice, in its Party's and its provider's twin) was most of a big run's output
                twin["findings"] = None
                twin["findings_omitted"] = _omitted(kind, name, len(scope_findings), page_findings, json_name)
            _write_json(base.with_suffix(".json"), twin, written, records)
        if want_pages:
            medians = {f["family"]: f["median"] for f in comparison["families"]} if comparison else None
            jobs = _scope_charts(view, scope_findings, party, provider, medians, reconciliation, pool)
            html_path = base.with_suffix(".html") if want_html else None
            if html_path:
                written.append(html_path)
            pages.append((html_render.render_scope, ctx, jobs, html_path,
                          base.with_suffix(".pdf") if want_pdf else None))
        if want_md:
            _write_text(base.with_suffix(".md"), md_render.render_scope(ctx, lang), written)

    # the key issues page and one page per check (reports.pages)
    drill.write_pages(view, out_dir, findings, checks, base_ctx, formats, written)
    records.text.clear()  # every JSON file is written: the findings' cached text is not needed again
    pdf_jobs: list[tuple[str, Path]] = []
    if want_pages:  # "How to read this report", linked from every page
        guide = {**base_ctx, "weights": headline.weights(model), "min_requests": headline.min_requests(model)}
        template = html_render.environment(lang).get_template("guide.html")
        if want_html:
            _write_text(out_dir / "guide.html", template.render(**guide, ext="html"), written)
        if want_pdf:
            pdf_jobs.append((template.render(**guide, ext="pdf"), out_dir / "guide.pdf"))
        _write_runs_page(view, base_ctx, out_dir, want_html, want_pdf, written, pdf_jobs, charts)
    for render, ctx, jobs, html_path, pdf_path in pages:
        uris, data = _chart_results(view, jobs, pool, charts)
        page = {**ctx, "charts": uris, "chart_data": data}
        if html_path:
            html_render.write_page(render, {**page, "ext": "html"}, lang, html_path)
        if pdf_path:
            pdf_jobs.append((render({**page, "ext": "pdf"}, lang), pdf_path))
    if pdf_jobs:
        from . import pdf

        written.extend(pdf.write_all(pdf_jobs, lang, pdf_standard or pdf.PDF_VARIANT))
    return written

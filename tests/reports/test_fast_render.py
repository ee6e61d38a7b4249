"""The fast paths of the report stage write exactly what the plain ones did.

- ``reports.jsonio.dumps`` is ``json.dumps(..., indent=2, ensure_ascii=False, default=str)``;
- ``reports.html.finding_row`` is the ``finding_row`` Jinja macro;
- ``markdown._cell`` escapes as before;
- memoized aggregates equal the computed ones;
- charts rendered in worker processes are the bytes rendered inline.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import random
from pathlib import Path

import pytest
from markupsafe import Markup, escape

from reports import aggregate, chartpool, compare, html, i18n, jsonio, markdown, write_reports


def _ref_json(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)


def _random_json(rng: random.Random, depth: int = 0):
    scalars = [None, True, False, 0, -3, 2**70, 1.5, float("nan"), float("inf"), -float("inf"), "",
               'a\nb"c\\é\u2028\x00', "<x>", decimal.Decimal("1.10"), datetime.date(2025, 1, 2), Path("p")]
    r = rng.random()
    if depth > 3 or r < 0.4:
        return rng.choice(scalars)
    if r < 0.6:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if r < 0.7:
        return tuple(_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    keys = ["a", "b", 1, 2.5, True, False, None, "ü"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_jsonio_matches_json_dumps():
    rng = random.Random(7)
    for _ in range(3000):
        obj = _random_json(rng)
        assert jsonio.dumps(obj) == _ref_json(obj)


def test_jsonio_cache_matches_json_dumps(model):
    records = aggregate.findings_records(model)
    cache = jsonio.Cache(records)
    for obj in (records, {"findings": records, "n": [records[:2]]}, records[0], []):
        assert jsonio.dumps(obj, cache) == _ref_json(obj)
        assert jsonio.dumps(obj, cache) == _ref_json(obj)  # from the cache this time


def _as_items(obj, rng: random.Random):
    """``obj`` with some of its lists replaced by ``jsonio.Items`` generators."""
    if isinstance(obj, dict):
        return {k: _as_items(v, rng) for k, v in obj.items()}
    if isinstance(obj, list):
        items = [_as_items(v, rng) for v in obj]
        return jsonio.Items(v for v in items) if rng.random() < 0.5 else items
    return obj


def test_jsonio_dump_writes_the_text_of_dumps_while_it_encodes():
    """``dump`` (to a file, in pieces) writes exactly ``dumps``' text, also for arrays given as
    ``Items`` generators (empty ones too) and for documents larger than its write buffer."""
    import io

    rng = random.Random(11)
    for _ in range(2000):
        obj = _random_json(rng)
        fh = io.StringIO()
        jsonio.dump(_as_items(obj, random.Random(3)), fh)
        assert fh.getvalue() == _ref_json(obj)
    big = {"results": [{"id": i, "text": "x" * 300, "tags": ["a", i]} for i in range(20_000)], "n": []}
    fh = io.StringIO()
    jsonio.dump({"results": jsonio.Items(iter(big["results"])), "n": jsonio.Items(iter([]))}, fh)
    assert fh.getvalue() == _ref_json(big) and len(fh.getvalue()) > 3 << 20


def test_sarif_is_written_as_json_dumps_would_write_it(model, tmp_path):
    from reports import sarif

    path = sarif.write(model, tmp_path / "f.sarif", detail=True)
    assert path.read_text(encoding="utf-8") == _ref_json(sarif.build(model, detail=True)) + "\n"
    assert len(sarif.build(model, detail=True)["runs"][0]["results"]) == len(model["findings"]) > 0


def test_jsonio_rejects_bad_keys_like_json():
    with pytest.raises(TypeError):
        json.dumps({(1, 2): [1]}, indent=2)
    with pytest.raises(TypeError):
        jsonio.dumps({(1, 2): [1]})


def test_html_escape_matches_markupsafe():
    rng = random.Random(1)
    for _ in range(3000):
        text = "".join(rng.choice("ab&<>'\"é ") for _ in range(rng.randint(0, 10)))
        for value in (text, Markup(text), None, 3, 4.5, True):
            assert html._e(value) == str(escape(value))


def _old_cell(value):
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


def test_markdown_cell_matches_replace_chain():
    rng = random.Random(2)
    for _ in range(3000):
        text = "".join(rng.choice("ab \r\n\\|<>`*_[]é{}") for _ in range(rng.randint(0, 12)))
        for value in (text, None, True, False, 1, 2.5):
            assert markdown._cell(value) == _old_cell(value)


def _old_counts(records, key, order=None):
    import pandas as pd

    series = pd.Series([aggregate._str(r.get(key)) for r in records], dtype="object")
    counts = {str(k): int(v) for k, v in series.value_counts().items()}
    if order is not None:
        result = {k: counts.pop(k, 0) for k in order}
        result.update(dict(sorted(counts.items())))
        return result
    return dict(sorted(counts.items()))


def test_counts_match_value_counts():
    rng = random.Random(0)
    values = [None, "", "high", "low", 1, "1", 2.0, "x", "critical", True, 1.0, False, 0, [1]]
    for _ in range(2000):
        records = [{"severity": rng.choice(values)} if rng.random() < 0.9 else {} for _ in range(rng.randint(0, 20))]
        for order in (None, aggregate.SEVERITIES):
            got, want = aggregate._counts(records, "severity", order), _old_counts(records, "severity", order)
            assert got == want and list(got) == list(want)


def _rows(model, lang: str, advisory: bool = False) -> list[dict]:
    from reports import _View

    view = _View(model, lang)
    checks = view.checks(aggregate.check_results(model), explain_all=True)
    findings = [f for f in aggregate.findings_records(model) if aggregate.is_advisory(f) == advisory]
    return view.findings_table(findings, checks, advisory=advisory)["rows"]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("advisory", [False, True])
def test_finding_row_matches_jinja_macro(model, lang, advisory):
    model = copy.deepcopy(model)
    f = model["findings"]
    f[0].update(waived=True, waiver_reason="accepted <risk> & 'more'", waiver_expires="2026-12-31")
    f[1].update(waived=True, waiver_reason="no expiry", waiver_expires=None)
    f[2]["family"] = "data_protection"
    f[3]["severity"] = None
    f[4]["party"] = None
    f[5].update(waived=True, waiver_reason="policy <accepted>", waiver_expires=None, request_instrument=None)
    f[8]["pack"] = None  # an advisory finding without pack: its check's
    model["checks"][3]["params"] = ["no_such_param"]  # PRO003: a parameter the run does not list
    model["diff"] = {"previous_run_id": "run-x", "previous_as_of": "2026-01-01",
                     "new": ["f3", "f6"], "persisting": ["f4"], "resolved": []}
    rows = _rows(model, lang, advisory)
    assert rows
    env = html.environment(lang)
    macro = env.from_string('{% from "macros.html" import finding_row %}{{ finding_row(r, advisory) }}')
    _ = i18n.translator(lang)
    for r in rows:
        assert html.finding_row(r, _, advisory) == macro.render(r=r, advisory=advisory) + "\n"
    if advisory:
        assert any("no_such_param = ?" in r["basis"] for r in rows)


def test_memoized_aggregates_equal_computed(model):
    model = copy.deepcopy(model)
    model["findings"][0]["waived"] = True
    plain = {
        "all": aggregate.findings_records(model),
        "parties": {p: aggregate.findings_records(model, party=p) for p in aggregate.parties(model)},
        "providers": {p: aggregate.findings_records(model, provider=p) for p in aggregate.providers(model)},
        "both": aggregate.findings_records(model, "DE", "examplemail"),
        "checks": aggregate.check_results(model, party="FR"),
        "rows": aggregate.scope_rows(model, "provider"),
        "families": compare.family_rates(model, party="DE"),
        "summary": aggregate.run_summary(model),
    }
    with aggregate.memoized(model):
        for _ in range(2):  # computed, then from the memo
            memo = {
                "all": aggregate.findings_records(model),
                "parties": {p: aggregate.findings_records(model, party=p) for p in aggregate.parties(model)},
                "providers": {p: aggregate.findings_records(model, provider=p) for p in aggregate.providers(model)},
                "both": aggregate.findings_records(model, "DE", "examplemail"),
                "checks": aggregate.check_results(model, party="FR"),
                "rows": aggregate.scope_rows(model, "provider"),
                "families": compare.family_rates(model, party="DE"),
                "summary": aggregate.run_summary(model),
            }
            assert memo == plain
    # outside the block nothing is cached
    model["findings"].pop()
    assert len(aggregate.findings_records(model)) == len(plain["all"]) - 1


def test_period_label_cache_is_transparent():
    for value in ("2025-03-04T10:00:00Z", "2025-12-31", "not a date", 20250304):
        for gran in ("month", "quarter"):
            assert compare.period_label(value, gran) == compare._period_label(value, gran)
    assert compare.period_label("", "month") == compare.period_label(None, "month") == ""


def _tree(root: Path) -> dict[str, bytes]:
    # manifest.json differs by its written_at alone; the files it lists are compared here
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


@pytest.mark.parametrize("publish", [False, True])
def test_chart_workers_write_the_same_files(model, tmp_path, monkeypatch, publish):
    model["diff"] = {"previous_run_id": "run-x", "previous_as_of": "2026-01-01",
                     "new": ["f1", "f3"], "persisting": ["f2"], "resolved": []}
    outs = {}
    for workers in ("0", "2"):
        monkeypatch.setenv(chartpool.ENV_WORKERS, workers)
        out = tmp_path / workers
        written = write_reports(copy.deepcopy(model), out, ("html", "md", "json", "csv"), publish=publish)
        outs[workers] = (written, _tree(out))
    assert [p.relative_to(tmp_path / "0") for p in outs["0"][0]] == \
        [p.relative_to(tmp_path / "2") for p in outs["2"][0]]
    assert outs["0"][1] == outs["2"][1]
    assert any(name.endswith(".html") for name in outs["0"][1])


def test_chart_pool_reports_missing_translations_from_workers():
    i18n.MISSING.clear()
    rows = [{"family": "timeliness", "rate": 0.5}]
    with chartpool.ChartPool("fr", workers=2) as pool:
        jobs = [pool.submit("family_rate_chart", rows, title=f"untranslated title {i}") for i in range(chartpool.MIN_JOBS)]
        results = [pool.result(j) for j in jobs]
    assert all(png for png, _ in results)
    assert {f"untranslated title {i}" for i in range(chartpool.MIN_JOBS)} <= i18n.MISSING
    i18n.MISSING.clear()


def test_chart_pool_inline_equals_workers():
    rows = [{"family": "timeliness", "rate": 0.5}, {"family": "retention", "rate": 0.9}]
    with chartpool.ChartPool("en", workers=0) as inline, chartpool.ChartPool("en", workers=2) as pooled:
        a = [inline.result(inline.submit("family_rate_chart", rows)) for _ in range(chartpool.MIN_JOBS)]
        jobs = [pooled.submit("family_rate_chart", rows) for _ in range(chartpool.MIN_JOBS)]
        b = [pooled.result(j) for j in jobs]
    assert a == b


def test_chart_pool_cache_draws_a_chart_once(monkeypatch):
    rows = [{"family": "timeliness", "rate": 0.5}]
    cache: dict = {}
    with chartpool.ChartPool("en", workers=0, cache=cache) as pool:
        first = pool.result(pool.submit("family_rate_chart", rows))
    assert len(cache) == 1
    drawn = []
    real = chartpool._render
    monkeypatch.setattr(chartpool, "_render", lambda *a: drawn.append(a[1]) or real(*a))
    with chartpool.ChartPool("en", workers=0, cache=cache) as pool:
        assert pool.result(pool.submit("family_rate_chart", rows)) == first  # from the cache
        other = pool.result(pool.submit("family_rate_chart", [{"family": "retention", "rate": 0.9}]))
    assert drawn == ["family_rate_chart"] and other != first and len(cache) == 2  # other data: drawn


def test_pages_streamed_to_disk_equal_the_rendered_pages(model, tmp_path, monkeypatch):
    """HTML pages are written piece by piece as the template produces them (``html.write_page``):
    every page is byte-identical to the text ``render_index``/``render_scope`` return."""
    streamed = write_reports(model, tmp_path / "streamed", ("html",))

    def whole(render, context, lang, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(context, lang), encoding="utf-8", newline="\n")

    monkeypatch.setattr(html, "write_page", whole)
    rendered = write_reports(model, tmp_path / "rendered", ("html",))
    pages = [p for p in streamed if p.suffix == ".html"]
    assert len(pages) > 3 and [p.relative_to(tmp_path / "streamed") for p in streamed] == [
        p.relative_to(tmp_path / "rendered") for p in rendered]
    for page in pages:
        twin = tmp_path / "rendered" / page.relative_to(tmp_path / "streamed")
        assert page.read_bytes() == twin.read_bytes(), page.name


def test_disk_chart_cache_is_shared_by_processes_and_keyed_by_code(tmp_path, monkeypatch):
    """``AUDITOR_CHART_CACHE``: a chart drawn once is read back by another pool (another
    process would read the same file), the same bytes and data; its missing translations come
    back with it; another code version misses; a folder others can write is refused."""
    folder = tmp_path / "charts"
    monkeypatch.setenv(chartpool.ENV_CACHE, str(folder))
    rows = [{"family": "timeliness", "rate": 0.5}]
    i18n.MISSING.clear()
    with chartpool.ChartPool("fr", workers=0) as pool:
        first = pool.result(pool.submit("family_rate_chart", rows, title="a title nobody translated"))
    assert "a title nobody translated" in i18n.MISSING and len(list(folder.glob("*.pickle"))) == 1
    i18n.MISSING.clear()
    drawn = []
    real = chartpool._render
    monkeypatch.setattr(chartpool, "_render", lambda *a: drawn.append(a[1]) or real(*a))
    with chartpool.ChartPool("fr", workers=0) as pool:
        again = pool.result(pool.submit("family_rate_chart", rows, title="a title nobody translated"))
    assert again == first and drawn == [] and "a title nobody translated" in i18n.MISSING
    i18n.MISSING.clear()
    monkeypatch.setattr(chartpool, "code_version", lambda: "another version of reports/")
    with chartpool.ChartPool("fr", workers=0) as pool:
        assert pool.result(pool.submit("family_rate_chart", rows, title="a title nobody translated")) == first
    assert drawn == ["family_rate_chart"]  # drawn again: the cached one came from other code
    i18n.MISSING.clear()
    from auditor.errors import UsageError

    folder.chmod(0o777)
    with pytest.raises(UsageError, match="writable by others"):
        chartpool.disk_cache()
    monkeypatch.setenv(chartpool.ENV_CACHE, str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(UsageError, match="cannot be used"):  # exit 2 with the reason, not a crash
        chartpool.disk_cache()

"""The attacker of published tables: from the published cells (exact counts, ``"<5"`` bands and
``"x"``), recompute each suppressed cell by linear programming (HiGHS) over every non-negative
table consistent with them. Protection holds when, for every suppressed cell, the least and the
greatest value differ by at least one.

The attacker here is written apart from ``reports.disclosure`` (its own LP over the published
text), so the engine is judged by an independent reader. Covered: a crafted Party table with one
small cell in each row and column, linked tables (a check x provider table, its severity totals
and a severity-weighted score sharing the same base), the naive banding that issue 20 broke
(the attacker must recover it, else it proves nothing), and ``--publish`` writing no row-level
quarantine file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports import disclosure

THRESHOLD = 5


def _attacker(forms: dict, published: dict) -> dict:
    """{suppressed cell: (min, max)} from the published text alone: an int is an equation,
    ``"<5"`` a band 1..4, ``"x"`` only non-negative."""
    highspy = pytest.importorskip("highspy")
    variables = sorted({v for f in forms.values() for v in f}, key=repr)
    col = {v: i for i, v in enumerate(variables)}
    h = disclosure._highs()  # the same quiet constructor; the model below is the test's own
    h.setOptionValue("output_flag", False)
    h.addVars(len(col), np.zeros(len(col)), np.full(len(col), highspy.kHighsInf))
    hidden = []
    for key, shown in published.items():
        idx = np.array([col[v] for v in forms[key]], dtype=np.int32)
        val = np.array([float(c) for c in forms[key].values()])
        if isinstance(shown, int):
            h.addRow(shown, shown, len(idx), idx, val)
        elif shown == f"<{THRESHOLD}":
            h.addRow(1, THRESHOLD - 1, len(idx), idx, val)
            hidden.append(key)
        else:
            assert shown == disclosure.SUPPRESSED, shown
            hidden.append(key)
    out = {}
    for key in hidden:
        bounds = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeColsCost(len(col), np.arange(len(col), dtype=np.int32), np.zeros(len(col)))
            idx = np.array([col[v] for v in forms[key]], dtype=np.int32)
            h.changeColsCost(len(idx), idx, np.array([float(c) for c in forms[key].values()]))
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            assert status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded), status
            bounds.append(h.getInfo().objective_function_value
                          if status == highspy.HighsModelStatus.kOptimal else float("inf"))
        out[key] = tuple(bounds)
    return out


def _table(values: list[list[int]]) -> disclosure.Cube:
    """A rows x columns table with its row and column totals and grand total."""
    cube = disclosure.Cube()
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            cube.add_base((i, j), v)
            cube.add_cell(("cell", i, j), [(i, j)])
    n, m = len(values), len(values[0])
    for i in range(n):
        cube.add_cell(("row", i), [(i, j) for j in range(m)])
    for j in range(m):
        cube.add_cell(("col", j), [(i, j) for i in range(n)])
    cube.add_cell(("total",), [(i, j) for i in range(n) for j in range(m)])
    return cube


def _published(cube: disclosure.Cube, prot: disclosure.Protection) -> dict:
    return {k: prot.show(k) for k in cube.forms}


def _assert_protected(cube: disclosure.Cube, prot: disclosure.Protection) -> None:
    published = _published(cube, prot)
    ranges = _attacker(cube.forms, published)
    assert set(ranges) == prot.primary | prot.secondary
    pinned = {k: r for k, r in ranges.items() if r[1] - r[0] < 1 - 1e-6}
    assert not pinned, f"recomputed from the published cells: {pinned}"
    for k in prot.primary:  # the truth lies in what the attacker can say, and the band is kept
        assert ranges[k][0] - 1e-6 <= cube.value(k) <= ranges[k][1] + 1e-6
        assert published[k] == "<5"


def test_naive_banding_is_recovered_by_the_attacker():
    # issue 20: the row total, the other cells and the column totals are public: 47 - 43 = 4
    cube = _table([[43, 4], [120, 30]])
    naive = {k: (f"<{THRESHOLD}" if 0 < cube.value(k) < THRESHOLD else int(cube.value(k))) for k in cube.forms}
    assert _attacker(cube.forms, naive)[("cell", 0, 1)] == pytest.approx((4.0, 4.0))


def test_a_party_with_one_small_cell_in_each_row_and_column_is_protected():
    values = [[2, 30, 40, 50, 11], [25, 3, 35, 45, 9], [20, 22, 1, 60, 17], [33, 44, 55, 4, 8]]
    cube = _table(values)
    prot = disclosure.protect(cube, THRESHOLD)
    assert prot.primary == {("cell", 0, 0), ("cell", 1, 1), ("cell", 2, 2), ("cell", 3, 3)}
    assert prot.secondary  # one small cell per row and column: complements are unavoidable
    assert ("total",) not in prot.secondary  # the cheapest cells go first, the grand total stays
    _assert_protected(cube, prot)


def test_linked_tables_with_severity_totals_and_a_weighted_score_are_protected():
    """Checks x providers of one Party, with the severity of each check: the Party's total,
    totals per provider, per check, per severity and severity x provider, and the weighted
    score (critical 10, high 5, medium 2) all over the same base: the relations across tables."""
    severity = {"C1": "critical", "C2": "high", "C3": "high", "C4": "medium"}
    weight = {"critical": 10, "high": 5, "medium": 2}
    counts = {("C1", "p1"): 3, ("C1", "p2"): 0, ("C1", "p3"): 0,
              ("C2", "p1"): 40, ("C2", "p2"): 12, ("C2", "p3"): 2,
              ("C3", "p1"): 7, ("C3", "p2"): 30, ("C3", "p3"): 25,
              ("C4", "p1"): 50, ("C4", "p2"): 1, ("C4", "p3"): 19}
    cube = disclosure.Cube()
    for cell, n in counts.items():
        cube.add_base(cell, n)
        cube.add_cell(("findings",) + cell, [cell])
    for c in severity:
        cube.add_cell(("check", c), [k for k in counts if k[0] == c])
    for p in ("p1", "p2", "p3"):
        cube.add_cell(("provider", p), [k for k in counts if k[1] == p])
        for s in weight:
            cube.add_cell(("severity", s, p), [k for k in counts if k[1] == p and severity[k[0]] == s])
    for s in weight:
        cube.add_cell(("severity", s), [k for k in counts if severity[k[0]] == s])
    cube.add_cell(("critical_high",), [k for k in counts if severity[k[0]] in ("critical", "high")])
    cube.add_cell(("total",), list(counts))
    cube.add_cell(("weighted",), {k: weight[severity[k[0]]] for k in counts})
    prot = disclosure.protect(cube, THRESHOLD)
    # total - high - medium, critical_high - high, weighted: each would give the critical count
    assert ("severity", "critical") in prot.primary
    assert {("total",), ("critical_high",), ("weighted",)} & (prot.secondary | prot.primary) or \
        {("severity", "high"), ("severity", "medium")} & prot.secondary
    _assert_protected(cube, prot)


def test_publish_writes_no_row_level_quarantine_file(model, tmp_path, monkeypatch):
    """``auditor run --publish`` renders through ``render_run`` with the ingest's rejected rows:
    published, no quarantine.csv (no request id, no authority, no row at all); not published,
    the file is there for the supplier to fix."""
    from auditor import audit

    monkeypatch.setattr(audit, "build_model", lambda engine, run_id, **kw: model)
    rows = pd.DataFrame([{"file": "requests.csv", "row": 7, "column": "party", "reason": "unknown Party",
                          "request_id": "REQ-SECRET-1", "issuing_authority": "Secret Office"}])
    out = tmp_path / "pub"
    written = audit.render_run(None, None, out, ("json", "csv"), publish=True, quarantine=rows)
    assert "quarantine.csv" not in {p.name for p in written} and not (out / "quarantine.csv").exists()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "REQ-SECRET-1" not in text and "Secret Office" not in text, path
    normal = audit.render_run(None, None, tmp_path / "normal", ("json",), quarantine=rows)
    assert "quarantine.csv" in {p.name for p in normal}


def test_the_report_cube_holds_the_figures_the_pages_show(model):
    """``disclosure.report_cube`` (the base for wiring --publish to the engine) gives every
    figure as aggregate/headline compute it: run, Party, provider, check and severity counts,
    compliance records and the ranking's weighted sums."""
    from reports import aggregate, headline

    cube = disclosure.report_cube(model)
    key = disclosure.cell_key
    for scope in ({}, *({"party": p} for p in aggregate.parties(model)),
                  *({"provider": p} for p in aggregate.providers(model))):
        summary = aggregate.compliance_summary(aggregate.check_results(model, **scope),
                                               aggregate.findings_records(model, **scope))
        for name in ("records_evaluated", "records_passed", "records_failed", "waived"):
            assert cube.value(key(name, **scope)) == summary[name], (name, scope)
        assert cube.value(key("findings", **scope)) == summary["findings"], scope
        assert cube.value(key("advisory_findings", **scope)) == summary["advisory"], scope
        for sev, n in summary["findings_by_severity"].items():
            cell = key("findings", severity=sev, **scope)
            assert (cube.value(cell) if cell in cube.forms else 0) == n, (sev, scope)
        for r in aggregate.check_results(model, **scope):
            for name in ("evaluated", "passed", "failed", "advisory", "unknown", "findings", "advisory_findings"):
                cell = key(name, check=r["check_id"], **scope)
                assert (cube.value(cell) if cell in cube.forms else 0) == r[name], (name, r["check_id"], scope)
    for r in headline.ranking(model, "party"):
        assert cube.value(key("weighted", party=r["name"])) == pytest.approx(r["weighted"])

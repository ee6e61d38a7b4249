"""The time-limit chart is drawn from the checks' own measurements (auditor.engine.deadlines):
its "over" count is the check's breach findings in every scope, an EU-only run plots no CETS 224
or MLA instrument, a run of an earlier version gets a note instead of the old chart, and the
partial last period of a trend is marked."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from auditor import audit
from auditor.store import db
from reports import aggregate, charts, compare, write_reports
from tests.conftest import AS_OF

#: every check of the shipped packs that measures a time limit
TIME_CHECKS = {"TIM001", "TIM002", "TIM003", "TIM004", "TIM005",
               "EU008", "EU009", "EU010", "EU011", "EU012", "EU016", "EU017", "EU018"}


@pytest.fixture(scope="module")
def sample_model(sample_run) -> dict:
    return audit.build_model(db.get_engine(f"sqlite:///{sample_run['db']}"), None)


def _findings(model: dict, kind: str, party: str | None = None, provider: str | None = None) -> Counter:
    return Counter(f["check_id"] for f in model["findings"]
                   if (f.get("kind") or "breach") == kind and not f.get("waived")
                   and (party is None or f["party"] == party) and (provider is None or f["provider"] == provider))


def _chart(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """The plotted data (``charts.deadline_data``: what ``deadline_chart`` draws, without drawing)."""
    return charts.deadline_data(aggregate.deadline_checks(model, party, provider))


def test_over_the_limit_equals_the_checks_breach_findings_on_the_index_and_a_party_page(sample_model):
    breaches = _findings(sample_model, "breach")
    parties = sorted({f["party"] for f in sample_model["findings"] if f["check_id"] in TIME_CHECKS})
    party = max(parties, key=lambda p: sum(n for c, n in _findings(sample_model, "breach", p).items()
                                           if c in TIME_CHECKS))
    for scope in ({}, {"party": party}):
        data = _chart(sample_model, **scope)
        want_breach = _findings(sample_model, "breach", **scope)
        want_advisory = _findings(sample_model, "advisory", **scope)
        assert data["checks"], scope
        for check_id, got in data["checks"].items():
            assert got["over"] == want_breach.get(check_id, 0), (scope, check_id)
            assert got["advisory"] == want_advisory.get(check_id, 0), (scope, check_id)
    index = _chart(sample_model)
    assert set(index["checks"]) == TIME_CHECKS
    assert sum(index["checks"][c]["over"] for c in TIME_CHECKS) == sum(breaches[c] for c in TIME_CHECKS) > 0
    # TIM002: the limit per data category (20 days subscriber, 45 traffic), counted from service
    tim002 = [s for s in index["strips"] if s["check_id"] == "TIM002"]
    assert {s["clock"] for s in tim002} >= {"days from service to the ordered return date"}
    assert set(next(s for s in tim002 if "ordered" in s["clock"])["limits"]) == {20, 45}
    # Art. 7(7): an escalation period ("too early"), never a deadline
    tim003 = next(s for s in index["strips"] if s["check_id"] == "TIM003")
    assert tim003["limit_kind"] == "escalation period" and "too early" in index["alt"]


def test_a_provider_page_counts_the_same(sample_model):
    provider = Counter(f["provider"] for f in sample_model["findings"] if f["check_id"] == "TIM002").most_common(1)[0][0]
    data = _chart(sample_model, provider=provider)
    want = _findings(sample_model, "breach", provider=provider)
    assert all(got["over"] == want.get(c, 0) for c, got in data["checks"].items())


def test_the_chart_is_drawn(sample_model):
    png, data = charts.deadline_chart(aggregate.deadline_checks(sample_model))
    assert png.startswith(b"\x89PNG")
    assert data == _chart(sample_model)


def test_eu_only_run_plots_eu_checks_only(tmp_path, sample_run, sample_model):
    """The EU pack alone: only EU checks and EU instruments, and the very counts of the whole
    run's EU checks (partitioned runs store the same aggregates: tests/scale/test_partitioned.py)."""
    dst = tmp_path / "eu.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(dst) as out:
        src.backup(out)
    engine = db.get_engine(f"sqlite:///{dst}")
    audit.audit_store(engine, ["eu2023_1543"], as_of=audit.parse_as_of(AS_OF))
    model = audit.build_model(engine, None)
    measured = aggregate.deadline_checks(model)
    assert {c["check_id"] for c in measured["clocks"]} == {c for c in TIME_CHECKS if c.startswith("EU")}
    assert {r["instrument"] for r in measured["rows"]} <= {"eu_epoc", "eu_epoc_pr"}
    data = _chart(model)
    assert all(c.startswith("EU") for c in data["checks"])
    assert "cets224" not in data["alt"] and "mla" not in data["alt"]
    whole = _chart(sample_model)
    assert data["checks"] == {c: v for c, v in whole["checks"].items() if c.startswith("EU")}


def test_run_of_an_earlier_version_gets_a_note_not_the_old_chart(model, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITOR_REPORT_WORKERS", "0")
    assert "deadline_checks" not in model
    assert charts.deadline_chart(aggregate.deadline_checks(model)) == (None, {"unavailable": True})
    model["run"]["as_of"] = "2026-05-15T00:00:00Z"  # mid-quarter (and the data run to 2026-05-30)
    write_reports(model, tmp_path, formats=("html",))
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "not available for this run: made by an earlier version" in page
    assert "Response time distribution" not in page
    assert "The last period, 2026-Q2, is partial." in page


@pytest.mark.parametrize(("as_of", "to", "gran", "partial"), [
    ("2026-08-15", "2026-08-10", "quarter", "2026-Q3"),  # the audit date mid-quarter
    ("2026-09-30", "2026-09-30", "quarter", None),  # both on the quarter's last day: complete
    ("2026-09-30", "2026-09-12", "quarter", "2026-Q3"),  # the data end before the quarter does
    ("2026-09-30T00:00:00Z", "2026-09-30T17:00:00Z", "month", None),
    ("2026-10-31", "2026-10-30", "month", "2026-10"),
])
def test_partial_last_period(as_of, to, gran, partial):
    model = {"run": {"as_of": as_of, "period": {"from": "2026-01-01", "to": to}}}
    assert compare.partial_period(model, gran) == partial


def test_trend_chart_marks_the_partial_period():
    series = {"all": {"2026-Q2": 9, "2026-Q3": 2}}
    png, data = charts.trend_chart(series, "t", partial="2026-Q3")
    assert png.startswith(b"\x89PNG") and data == series
    assert charts.trend_chart(series, "t", partial="2026-Q1")[0].startswith(b"\x89PNG")  # not plotted: no mark


def test_thousands_of_late_durations_are_one_marker_collection_each_in_order(monkeypatch):
    """A messy log has a distinct elapsed time per late request: the failures of a strip are one
    scatter per marker (in their sorted order), not one each (4.7 s -> 0.75 s at 200k messy)."""
    drawn = {}

    def keep(fig, t=charts._same):
        drawn["fig"] = fig
        return b""

    monkeypatch.setattr(charts, "_to_png", keep)
    fails = {(10.0 + i / 8, "breach" if i % 3 else "advisory"): 1 + i % 4 for i in range(2000)}
    fails[(900.0, "breach")] = 2  # far beyond the whiskers: drawn at the edge with a ">"
    strip = {"check_id": "TIM001", "article": "Art. 8(6)(a)", "clock": "days", "unit": "days",
             "limit_kind": "legal_deadline", "bound": "max", "limits": {45: {}},
             "values": sorted({v for v, _ in fails}), "counts": [1] * len({v for v, _ in fails}),
             "measured": 2001, "over": 1335, "advisory": 667, "unknown": 0}
    charts._deadline_png([strip], {id(strip): fails}, "t", charts._same)
    ax = drawn["fig"].get_axes()[0]
    markers = [c for c in ax.collections if c.get_offsets().shape[0] and c.get_zorder() == 4]
    assert len(markers) == 2  # "o" for the failures in view, ">" for the far one
    near, far = sorted(markers, key=lambda c: len(c.get_offsets()))[::-1]
    assert len(near.get_offsets()) == 2000 and len(far.get_offsets()) == 1
    want = sorted(fails)[:-1]  # (value, state) order, the far one apart
    assert near.get_offsets()[:, 0].tolist() == [v for v, _ in want]
    hollow = [fc[3] == 0 for fc in near.get_facecolors()]  # advisory: no fill
    assert hollow == [state == "advisory" for _, state in want]
    assert near.get_sizes().tolist() == [14 + 6 * min(fails[k], 10) for k in want]

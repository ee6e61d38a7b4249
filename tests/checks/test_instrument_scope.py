"""Each request is judged only by the rules of its own instrument (legal-requirements.md §8).

The engine hands every check only the requests of the instruments it declares (``Check.scope``)
and their disclosures and custody events: CETS 224 Art. 14(1)(a) governs data a Party "receives
under this Protocol", never an EU order or mutual assistance; the EU checks govern EU orders
only; nothing governs ``mla`` or ``other``. These tests fail if any check can see a request
outside its scope, and if a check that returns one is not stopped.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from auditor.engine.registry import load_all
from auditor.engine.runner import run_check, run_checks
from auditor.ingest.schema import INSTRUMENTS

#: one request per instrument, each with a disclosure and the custody events of received data
#: that break every Art. 14 safeguard (late retention, onward transfer without authorisation,
#: domestic share without reference, unlogged access, incident never notified, automated decision
#: without review, sensitive data without safeguard, data beyond the order)
AS_OF = "2027-06-30"


def _mixed_log(make_requests, make_disclosures, make_events):
    rows, dis, ev = [], [], []
    for n, inst in enumerate(INSTRUMENTS, start=1):
        rid = f"{inst.upper()}-1"
        rows.append({
            "request_id": rid, "instrument": inst, "issuing_party": "FR", "receiving_party": "IE",
            "provider": "cloudbox", "data_requested": "subscriber", "issued_at": f"2026-09-0{n % 9 + 1}T09:00:00Z",
            "emergency": "true", "authority_type": "police", "channel": "direct",
            "provider_received_at": "2026-09-10T10:00:00Z", "transmitted_at": "2026-09-10T09:00:00Z",
            "offence_max_penalty_years": "1", "identifiers_count": "500",
            "data_time_from": "2020-01-01", "data_time_to": "2026-09-01",
        })
        dis.append({"disclosure_id": f"D-{rid}", "request_id": rid, "responded_at": "2026-10-20T10:00:00Z",
                    "outcome": "disclosed", "data_disclosed": "subscriber;traffic;content", "sensitive_data": "true",
                    "received_at": "2026-10-20T12:00:00Z"})
        for kind, extra in (("received", {}), ("accessed", {"actor": "", "reference": ""}),
                            ("retention_set", {"until": "2026-11-01"}),
                            ("shared_domestic", {"counterparty": "unit", "reference": ""}),
                            ("transferred_onward", {"counterparty": "Europol"}),
                            ("security_incident", {"significant_risk": "true"}),
                            ("automated_decision", {"significant_adverse_effect": "true"})):
            ev.append({"event_id": f"E-{rid}-{kind}", "request_id": rid, "event": kind,
                       "at": "2026-10-21T10:00:00Z", **extra})
    return make_requests(rows), make_disclosures(dis), make_events(ev)


@pytest.fixture
def mixed_ctx(make_requests, make_disclosures, make_events, make_ctx):
    requests, disclosures, events = _mixed_log(make_requests, make_disclosures, make_events)
    return make_ctx(requests, disclosures, events, as_of=AS_OF)


#: request id -> its instrument, in the mixed log
INSTRUMENT_OF = {f"{i.upper()}-1": i for i in INSTRUMENTS}


@pytest.mark.parametrize("check_id", sorted(load_all()))
def test_no_check_can_see_a_request_outside_its_instruments(check_id, mixed_ctx):
    check = load_all()[check_id]
    seen = []

    def spy(ctx):
        seen.append(ctx)
        return check.func(ctx)

    run, _scope, findings = run_check(replace(check, func=spy), mixed_ctx)
    assert run.outcome != "error", run.reason
    assert len(seen) == 1
    ctx = seen[0]
    allowed = set(check.scope)
    looked_at = {
        "requests": set(ctx.tables["requests"]["instrument"].astype(str)),
        "requests (with flags)": set(ctx.requests["instrument"].astype(str)),
    }
    for table in ("disclosures", "custody_events"):
        if table in ctx.tables:
            looked_at[table] = {INSTRUMENT_OF[str(r)] for r in ctx.tables[table]["request_id"]}
    if "disclosures" in ctx.tables:
        looked_at["disclosures (with flags)"] = {INSTRUMENT_OF[str(r)] for r in ctx.disclosures["request_id"]}
    for table, instruments in looked_at.items():
        assert instruments <= allowed, f"{check_id} saw {table} of {sorted(instruments - allowed)}"
    judged = set(findings["request_instrument"].astype(str)) if not findings.empty else set()
    assert judged <= allowed, f"{check_id} judged {sorted(judged - allowed)}"


def test_requests_of_no_audited_instrument_are_never_judged(mixed_ctx):
    out = run_checks(mixed_ctx, list(load_all().values()))
    judged = set(out.findings["request_instrument"].astype(str))
    assert judged  # the log breaks many rules of both instruments
    assert not judged & {"mla", "other"}
    by_instrument = out.findings.groupby("request_instrument")["instrument"].agg(set).to_dict()
    for inst, legal in by_instrument.items():
        expected = {"EU 2023/1543"} if inst.startswith("eu_") else {"CETS 224"}
        assert legal <= expected, f"{inst} requests got {legal} findings"


def test_a_check_returning_a_request_outside_its_scope_is_an_error(mixed_ctx):
    check = load_all()["AUT001"]

    def leaky(ctx):
        everything = ctx._root.tables["requests"]  # reaches past the scope on purpose
        return pd.DataFrame({"request_id": everything["request_id"], "failed": True})

    run, _scope, findings = run_check(replace(check, func=leaky), mixed_ctx)
    assert run.outcome == "error"
    assert "outside the instruments" in run.reason
    assert findings.empty


def test_scoped_context_keeps_a_requests_disclosures_and_events_together(mixed_ctx):
    cets = mixed_ctx.scoped(("cets224_art7",))
    assert list(cets.tables["requests"]["request_id"]) == ["CETS224_ART7-1"]
    assert set(cets.tables["disclosures"]["request_id"]) == {"CETS224_ART7-1"}
    assert set(cets.tables["custody_events"]["request_id"]) == {"CETS224_ART7-1"}
    assert cets.requests["req_subscriber"].tolist() == [True]  # category flags come along
    # the whole log is the context itself: nothing copied
    assert mixed_ctx.scoped(tuple(INSTRUMENTS)) is mixed_ctx

"""Event times recorded as columns of a kept row (``served_at``, ``notification_sent_at``,
``user_notified_at`` ...) are cut to the audit date like the records themselves: a time after the
as-of day means the act had not happened on it (``engine.period.restrict`` blanks it, flags it and
counts it as ``event_times_after_as_of``). For each check reading such a column: the same request
audited as of a date before the act (no finding, or not judged) and after it (the finding as
before), and never a deadline started from a fallback clock (``issued_at`` or ``transmitted_at``)
in place of an act dated after the audit date. See docs/operations.md, "Event times after the
audit date"."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor.engine import chunked, packs, period
from auditor.engine.context import AuditContext
from auditor.engine.profiles import merge_profiles
from auditor.ingest.schema import TABLES
from checks._lib import after_as_of
from tests.checks.conftest import (
    build_disclosures,
    build_events,
    build_parties,
    build_requests,
    run_id,
)

EPOC = {  # an in-scope, compliant EPOC (as tests/checks/eu/conftest.py)
    "instrument": "eu_epoc", "issuing_party": "FR", "issuing_authority": "Tribunal judiciaire de Paris",
    "authority_type": "judge", "receiving_party": "IE", "provider": "cloudbox", "case_reference": "CASE-FR-1",
    "offence": "illegal_access", "offence_max_penalty_years": "5",
    "necessity_rationale": "Identifies the account holder; no less intrusive means.",
    "data_requested": "subscriber", "emergency": "false", "issued_at": "2026-09-01T09:00:00Z",
    "transmitted_at": "2026-09-01T10:00:00Z", "provider_received_at": "2026-09-01T15:00:00Z",
    "deadline_at": "2026-09-11", "contact_point": "FR e-evidence desk",
}
PARAMS = packs.select().values()


def epoc(**fields) -> dict:
    return {**EPOC, **fields}


def audit(check_id: str, as_of: str, requests: list[dict], disclosures: list[dict] | None = None,
          events: list[dict] | None = None, parties: list[dict] | None = None):
    """Run one check as a real audit does: the tables cut to the audit date by
    ``period.restrict``, then the check. Returns (CheckRun, findings, cut)."""
    tables = {"requests": build_requests(requests)}
    if disclosures is not None:
        tables["disclosures"] = build_disclosures(disclosures)
    if events is not None:
        tables["custody_events"] = build_events(events)
    span = period.AuditPeriod.make(pd.Timestamp(as_of, tz="UTC"))
    cut_tables, evidence, cut = period.restrict(tables, span)
    profiles = merge_profiles(build_parties(parties) if parties else None, PARAMS)
    ctx = AuditContext(as_of=span.as_of, tables=cut_tables, params=PARAMS, profiles=profiles, evidence=evidence)
    result, findings = run_id(check_id, ctx)
    return result, findings, cut


def judged(result) -> int:
    return result.evaluated + result.unknown


# ------------------------------------------------------------------------------ the cut itself
def test_every_timestamp_column_is_either_an_event_time_or_not():
    for name in ("requests", "disclosures", "custody_events"):
        stamps = {c.name for c in TABLES[name].columns if c.kind == "timestamp"}
        events, others = set(period.EVENT_COLUMNS[name]), set(period.NOT_EVENT_COLUMNS[name])
        assert not events & others, name
        assert stamps == events | others, f"{name}: classify {sorted(stamps - events - others)}"


def test_restrict_blanks_event_times_after_the_as_of_day_flags_and_counts_them():
    req = build_requests([
        {"instrument": "cets224_art8", "served_at": "2026-07-01T00:00:00Z",  # after: blanked
         "notification_sent_at": "2026-06-30T23:59:59Z",  # the whole as-of day is known: kept
         "ordered_return_by": "2026-08-01", "deadline_at": "2026-09-01", "data_time_to": "2026-12-31"},
        {"issued_at": "2026-07-02", "served_at": "2026-07-03"},  # issued after: dropped, not counted
    ])
    dis = build_disclosures([{"user_notified_at": "2026-07-05", "received_at": "2026-06-01"}])
    ev = build_events([{"event": "retention_set", "until": "2027-01-01"}])
    span = period.AuditPeriod.make(pd.Timestamp("2026-06-30", tz="UTC"))
    tables, _, cut = period.restrict({"requests": req, "disclosures": dis, "custody_events": ev}, span)
    r, d = tables["requests"], tables["disclosures"]
    assert list(r["request_id"]) == ["R1"]
    assert pd.isna(r.loc[0, "served_at"]) and bool(r.loc[0, period.after_as_of_column("served_at")])
    assert r.loc[0, "notification_sent_at"] == pd.Timestamp("2026-06-30T23:59:59Z")
    for kept in ("ordered_return_by", "deadline_at", "data_time_to"):  # stated dates, not acts
        assert pd.notna(r.loc[0, kept]), kept
    assert pd.isna(d.loc[0, "user_notified_at"]) and pd.notna(d.loc[0, "received_at"])
    assert tables["custody_events"] is ev  # nothing to blank: the frame itself
    assert cut["counts"]["event_times_after_as_of"] == 2
    assert req.loc[0, "served_at"] == pd.Timestamp("2026-07-01T00:00:00Z")  # the input is not modified
    described = period.describe(span, cut)
    assert described["excluded"]["event_times_after_as_of"] == 2
    assert "2 event time(s) recorded after the audit date read as not yet happened" in period.summary_line(described)
    assert period.merge_cuts([cut, cut])["counts"]["event_times_after_as_of"] == 4


def test_evidence_rows_are_cut_too_but_not_counted():
    req = build_requests([{"instrument": "cets224_art7", "issued_at": "2026-01-05",
                           "provider_received_at": "2026-08-01"},
                          {"instrument": "cets224_art8", "issued_at": "2026-03-01", "linked_request_id": "R1"}])
    span = period.AuditPeriod.make(pd.Timestamp("2026-06-30", tz="UTC"), "2026-02-01")
    tables, evidence, cut = period.restrict({"requests": req}, span)
    assert list(evidence["request_id"]) == ["R1"] and pd.isna(evidence["provider_received_at"].iloc[0])
    assert cut["counts"]["event_times_after_as_of"] == 0


def test_nothing_after_the_audit_date_leaves_the_tables_as_they_are():
    req = build_requests([{"served_at": "2026-06-01"}])
    tables, _, cut = period.restrict({"requests": req}, period.AuditPeriod.make(pd.Timestamp("2026-06-30", tz="UTC")))
    assert tables["requests"] is req and cut["counts"]["event_times_after_as_of"] == 0


def test_a_partition_is_cut_the_same_way():
    """The chunked and dask engines audit each partition through ``chunked.audit_partition``,
    which applies ``restrict``: same blanking, same count, same result."""
    from auditor.engine.registry import get

    rows = [{"instrument": "cets224_art8", "data_requested": "traffic",
             "all_information_received_at": "2026-01-01T10:00:00Z", "served_at": "2026-03-01T10:00:00Z"}]
    span = period.AuditPeriod.make(pd.Timestamp("2026-02-10", tz="UTC"))
    present = {n: set(TABLES[n].names) for n in ("requests",)}
    output, agg = chunked.audit_partition({"requests": build_requests(rows)}, span.as_of, PARAMS,
                                          merge_profiles(None, PARAMS), present, [get("TIM001")],
                                          lambda ctx, params: {}, span)
    assert output.findings.empty
    assert agg[period.CUT_KEY]["counts"]["event_times_after_as_of"] == 1


def test_after_as_of_reads_the_marker_and_an_uncut_value():
    req = build_requests([{"served_at": "2026-07-01"}, {"served_at": "2026-06-30T23:00:00Z"}, {}])
    ctx = AuditContext(as_of=pd.Timestamp("2026-06-30", tz="UTC"), tables={"requests": req}, params=PARAMS,
                       profiles=merge_profiles(None, PARAMS))
    assert after_as_of(ctx, req, "served_at").tolist() == [True, False, False]  # a context never cut
    cut, _, _ = period.restrict({"requests": req}, period.AuditPeriod.make(ctx.as_of))
    assert after_as_of(ctx, cut["requests"], "served_at").tolist() == [True, False, False]
    assert after_as_of(ctx, cut["requests"], "notification_sent_at").tolist() == [False] * 3


# ------------------------------------------------------------------------------ CETS 224 checks
ART8 = {"instrument": "cets224_art8", "data_requested": "traffic", "all_information_received_at": "2026-01-01T10:00:00Z"}


def test_tim001_served_after_the_audit_date_is_not_yet_served():
    row = {**ART8, "served_at": "2026-03-01T10:00:00Z"}  # day 59: late (target 45)
    result, findings, _ = audit("TIM001", "2026-02-10", [row])  # day 40: not served, target still running
    assert (result.failed, findings.empty) == (0, True)
    result, findings, _ = audit("TIM001", "2026-02-20", [row])  # day 50: unserved beyond the target
    assert "has not been served 50 days" in findings.loc[0, "message"]
    result, findings, _ = audit("TIM001", "2026-03-10", [row])  # served by then: as today
    assert "was served 59 days" in findings.loc[0, "message"]


def test_tim001_clock_started_after_the_audit_date_is_not_judged_nor_unknown():
    row = {**ART8, "all_information_received_at": "2026-03-01T10:00:00Z"}
    result, _, _ = audit("TIM001", "2026-02-10", [row])
    assert judged(result) == 0  # not "all_information_received_at not recorded"
    assert judged(audit("TIM001", "2026-03-10", [row])[0]) == 1


def test_tim002_judges_only_requests_served_on_the_audit_date():
    row = {**ART8, "served_at": "2026-01-10T10:00:00Z", "ordered_return_by": "2026-04-01"}  # 81 days: breach
    assert judged(audit("TIM002", "2026-01-09", [row])[0]) == 0  # not served yet: TIM001's
    assert audit("TIM002", "2026-01-10", [row])[0].failed == 1


ART9 = {"instrument": "cets224_art9", "transmitted_at": "2026-01-01T10:00:00Z",
        "provider_received_at": "2026-01-05T10:00:00Z"}


def test_tim004_never_starts_the_clock_from_transmission_for_a_receipt_after_the_audit_date():
    answer = [{"responded_at": "2026-01-06T10:00:00Z"}]  # 24 h after receipt: in time
    result, findings, _ = audit("TIM004", "2026-01-04", [ART9], answer)  # 3 days after transmission
    assert judged(result) == 0 and findings.empty  # not "no decision recorded 72 hours after receipt"
    result, findings, _ = audit("TIM004", "2026-01-10", [ART9], answer)
    assert (result.evaluated, result.failed) == (1, 0)


def test_tim004_undecided_on_the_audit_date_after_receipt_fails():
    answer = [{"responded_at": "2026-01-12T10:00:00Z"}]
    result, findings, _ = audit("TIM004", "2026-01-09", [ART9], answer)
    assert result.failed == 1 and "no decision recorded" in findings.loc[0, "message"]


def test_tim004_transmitted_after_the_audit_date_without_receipt_is_not_judged():
    row = {**ART9, "provider_received_at": None, "transmitted_at": "2026-01-05T10:00:00Z"}
    assert judged(audit("TIM004", "2026-01-04", [row], [{"request_id": "R9"}])[0]) == 0
    assert audit("TIM004", "2026-01-10", [row], [{"request_id": "R9"}])[0].failed == 1


def test_tim003_receipt_after_the_audit_date_is_unknown_not_a_pass_or_a_guess():
    rows = [{"instrument": "cets224_art7", "issued_at": "2026-01-01", "provider_received_at": "2026-03-01"},
            {"instrument": "cets224_art8", "issued_at": "2026-02-01", "linked_request_id": "R1"}]
    result, _, _ = audit("TIM003", "2026-02-15", rows, [])
    assert (result.unknown, result.failed) == (1, 0)
    assert "after the audit date" in result.reason


def test_tim005_decision_after_the_audit_date_is_not_judged():
    rows = [{"instrument": "cets224_art8"}]
    refusal = [{"responded_at": "2026-01-20", "outcome": "refused", "decided_at": "2026-02-01"}]
    assert judged(audit("TIM005", "2026-01-25", rows, refusal)[0]) == 0
    assert judged(audit("TIM005", "2026-02-05", rows, refusal)[0]) == 1


NOTIFY_US = [{"party": "US", "art7_notification_required": "true"}]


def test_not001_notification_after_the_audit_date_is_missing_once_the_day_has_passed():
    row = {"transmitted_at": "2026-01-10T10:00:00Z", "notification_sent_at": "2026-01-15T10:00:00Z"}
    result, _, _ = audit("NOT001", "2026-01-10", [row], parties=NOTIFY_US)  # the same day: still simultaneous
    assert judged(result) == 0
    result, findings, _ = audit("NOT001", "2026-01-12", [row], parties=NOTIFY_US)
    assert "has no notification of the provider's Party recorded" in findings.loc[0, "message"]
    result, findings, _ = audit("NOT001", "2026-01-20", [row], parties=NOTIFY_US)
    assert "was notified 5 day(s) after it was sent" in findings.loc[0, "message"]


def test_not001_never_falls_back_to_the_issue_date_for_a_sending_after_the_audit_date():
    row = {"issued_at": "2026-01-05", "transmitted_at": "2026-01-20T10:00:00Z",
           "notification_sent_at": "2026-01-20T11:00:00Z"}  # notified the day it was sent: compliant
    result, findings, _ = audit("NOT001", "2026-01-10", [row], parties=NOTIFY_US)
    assert judged(result) == 0 and findings.empty  # not "5 days after issue, no notification"
    result, findings, _ = audit("NOT001", "2026-01-25", [row], parties=NOTIFY_US)
    assert (result.evaluated, result.failed) == (1, 0)


ART10 = {"instrument": "cets224_art10", "channel": "network_24_7", "issued_at": "2026-01-05",
         "transmitted_at": "2026-01-20T10:00:00Z", "central_authority_copy_at": "2026-01-20T12:00:00Z"}


def test_not003_never_falls_back_to_the_issue_date_and_a_copy_not_yet_due_is_not_judged():
    parties = [{"party": "US", "art10_direct_channels_accepted": "true"}]
    assert judged(audit("NOT003", "2026-01-10", [ART10], parties=parties)[0]) == 0  # not sent yet
    assert judged(audit("NOT003", "2026-01-20", [{**ART10, "central_authority_copy_at": "2026-01-21"}],
                        parties=parties)[0]) == 0  # the copy is still due that day
    result, findings, _ = audit("NOT003", "2026-01-21", [{**ART10, "central_authority_copy_at": "2026-01-22"}],
                                parties=parties)
    assert result.failed == 1 and "no simultaneous copy" in findings.loc[0, "message"]
    assert audit("NOT003", "2026-01-25", [ART10], parties=parties)[0].failed == 0


def test_not003_an_unaccepted_channel_is_judged_while_the_copy_is_not_yet_due():
    parties = [{"party": "US", "art10_direct_channels_accepted": "false"}]
    row = {**ART10, "issued_at": "2026-01-20", "central_authority_copy_at": None}
    assert audit("NOT003", "2026-01-20", [row], parties=parties)[0].failed == 1


def test_not002_notice_after_the_audit_date_had_not_been_given():
    rows = [{"issuing_party": "FR"}]
    disclosure = [{"responded_at": "2026-01-01", "user_notified_at": "2026-05-01"}]
    parties = [{"party": "FR", "general_notice_published": "false"}]
    assert judged(audit("NOT002", "2026-03-01", rows, disclosure, parties=parties)[0]) == 0  # 59 days: grace
    result, _, cut = audit("NOT002", "2026-04-15", rows, disclosure, parties=parties)  # 104 days, no notice
    assert result.failed == 1 and cut["counts"]["event_times_after_as_of"] == 1
    assert audit("NOT002", "2026-05-02", rows, disclosure, parties=parties)[0].failed == 0  # notified: as today


def test_not005_a_stop_instruction_after_the_audit_date_had_not_been_given():
    rows = [{"host_instruction_at": "2026-02-01"}]
    disclosure = [{"responded_at": "2026-02-05"}]  # disclosed after the instruction: a breach once it exists
    assert judged(audit("NOT005", "2026-01-31", rows, [{**disclosure[0], "responded_at": "2026-01-20"}])[0]) == 0
    assert audit("NOT005", "2026-02-10", rows, disclosure)[0].failed == 1


def test_not006_issuer_informed_after_the_audit_date_is_not_yet_informed():
    row = {"host_instruction_at": "2026-01-01T10:00:00Z", "issuer_informed_at": "2026-01-10T10:00:00Z"}
    assert judged(audit("NOT006", "2026-01-03", [row])[0]) == 0  # within the 3 days
    result, findings, _ = audit("NOT006", "2026-01-06", [row])
    assert (result.failed, result.advisory) == (1, 0)  # never informed so far: a breach, not "late"
    assert "has not been informed 5 day(s)" in findings.loc[0, "message"]
    result, findings, _ = audit("NOT006", "2026-01-12", [row])
    assert (result.failed, result.advisory) == (1, 1)  # informed late: as today


# ------------------------------------------------------------------------------ EU 2023/1543 checks
def test_eu003_validation_before_a_sending_after_the_audit_date_is_in_time():
    """The fallback (issue time for a missing sending time) would call a validation 30 minutes
    after issue 'after sending'; the order had not been sent on the audit date."""
    row = epoc(authority_type="police", validating_authority_type="prosecutor",
               validating_authority="Parquet de Paris", validated_at="2026-09-01T09:30:00Z",
               transmitted_at="2026-09-20T10:00:00Z", provider_received_at="2026-09-20T11:00:00Z")
    result, findings, _ = audit("EU003", "2026-09-10", [row])
    assert result.failed == 0 and findings.empty
    assert audit("EU003", "2026-09-30", [row])[0].failed == 0


def test_eu003_sent_before_a_validation_after_the_audit_date_was_sent_unvalidated():
    row = epoc(authority_type="police", validating_authority_type="prosecutor",
               validating_authority="Parquet de Paris", validated_at="2026-09-20T09:30:00Z")
    result, findings, _ = audit("EU003", "2026-09-10", [row])
    assert result.failed == 1 and "without the validation by a prosecutor" in findings.loc[0, "message"]
    result, findings, _ = audit("EU003", "2026-09-30", [row])
    assert result.failed == 1 and "only after it was sent" in findings.loc[0, "message"]


def test_eu003_emergency_ex_post_validation_after_the_audit_date():
    row = epoc(authority_type="police", validating_authority_type="prosecutor", emergency="true",
               validating_authority="Parquet de Paris", validated_at="2026-09-05T09:00:00Z")  # 96 h: late
    result, _, _ = audit("EU003", "2026-09-02", [row])  # 15 h after issue: within the 48 h
    assert judged(result) == 0  # neither "late" nor "validated_at not recorded"
    result, findings, _ = audit("EU003", "2026-09-04", [row])  # 63 h, not validated
    assert result.failed == 1 and "not yet validated ex post" in findings.loc[0, "message"]
    result, findings, _ = audit("EU003", "2026-09-10", [row])
    assert result.failed == 1 and "validated ex post by a prosecutor on" in findings.loc[0, "message"]


def test_eu008_never_falls_back_to_the_issue_time_for_a_sending_after_the_audit_date():
    row = epoc(data_requested="traffic", issued_at="2026-09-01T09:00:00Z", transmitted_at="2026-09-20T10:00:00Z",
               provider_received_at="2026-09-20T11:00:00Z", notification_sent_at="2026-09-20T10:30:00Z")
    result, findings, _ = audit("EU008", "2026-09-10", [row])
    assert judged(result) == 0 and findings.empty  # not "no notification ... 9 days after issue"
    assert audit("EU008", "2026-09-30", [row])[0].failed == 0


def test_eu008_notification_after_the_audit_date_is_missing():
    row = epoc(data_requested="traffic", notification_sent_at="2026-09-05T10:00:00Z")
    result, findings, _ = audit("EU008", "2026-09-03", [row])
    assert result.failed == 1 and "has no notification of the enforcing State" in findings.loc[0, "message"]
    result, findings, _ = audit("EU008", "2026-09-10", [row])
    assert result.failed == 1 and "notified the enforcing State 96.0 h after" in findings.loc[0, "message"]


@pytest.mark.parametrize("check_id,fields", [("EU009", {}), ("EU010", {"emergency": "true"})])
def test_eu009_eu010_receipt_after_the_audit_date_has_not_started_the_clock(check_id, fields):
    row = epoc(provider_received_at="2026-09-20T10:00:00Z", **fields)
    result, _, _ = audit(check_id, "2026-09-15", [row], [])
    assert judged(result) == 0  # not "provider_received_at not recorded"
    result, findings, _ = audit(check_id, "2026-10-15", [row], [])
    assert result.failed == 1 and "is unanswered" in findings.loc[0, "message"]


def test_eu011_extension_after_the_audit_date_is_not_judged():
    row = epoc(instrument="eu_epoc_pr", provider_received_at="2026-09-01T15:00:00Z",
               preservation_extended_at="2026-11-15")  # day 75: late
    assert judged(audit("EU011", "2026-10-15", [row])[0]) == 0
    assert audit("EU011", "2026-11-20", [row])[0].failed == 1


def test_eu012_person_informed_after_the_audit_date_had_not_been_informed():
    disclosure = [{"responded_at": "2026-09-05", "user_notified_at": "2026-11-20"}]
    assert judged(audit("EU012", "2026-10-01", [epoc()], disclosure)[0]) == 0  # 26 days: limit 30
    result, findings, _ = audit("EU012", "2026-10-20", [epoc()], disclosure)
    assert result.failed == 1 and "have not been notified to the person" in findings.loc[0, "message"]
    result, findings, _ = audit("EU012", "2026-11-30", [epoc()], disclosure)
    assert result.failed == 1 and "were notified to the person" in findings.loc[0, "message"]


def test_eu016_notification_or_receipt_after_the_audit_date_is_not_judged():
    row = epoc(data_requested="traffic", notification_sent_at="2026-09-01T10:00:00Z")
    produced = [{"responded_at": "2026-09-03", "outcome": "disclosed"}]  # day 2, unconfirmed: early
    assert audit("EU016", "2026-09-10", [row], produced)[0].failed == 1
    late_notice = {**row, "notification_sent_at": "2026-09-20T10:00:00Z"}
    assert judged(audit("EU016", "2026-09-10", [late_notice], produced)[0]) == 0
    late_receipt = {**row, "provider_received_at": "2026-09-20T10:00:00Z"}
    assert judged(audit("EU016", "2026-09-10", [late_receipt], produced)[0]) == 0


def test_eu017_objection_before_a_notification_after_the_audit_date_is_judged_from_the_objection():
    row = epoc(emergency="true", data_requested="traffic", enforcing_objection_at="2026-09-02T10:00:00Z",
               notification_sent_at="2026-09-20T10:00:00Z")
    produced = [{"responded_at": "2026-09-01T20:00:00Z", "outcome": "disclosed"}]
    result, _, _ = audit("EU017", "2026-09-10", [row], produced, events=[])
    assert (result.failed, result.unknown) == (1, 0)  # no deletion 8 days after the objection
    row_late = {**row, "enforcing_objection_at": "2026-09-12T10:00:00Z"}
    assert judged(audit("EU017", "2026-09-10", [row_late], produced, events=[])[0]) == 0


def test_eu018_objection_after_the_audit_date_had_not_been_raised():
    row = epoc(reasoned_objection_at="2026-09-20")  # day 19: late
    assert judged(audit("EU018", "2026-09-15", [row])[0]) == 0
    assert audit("EU018", "2026-09-25", [row])[0].failed == 1

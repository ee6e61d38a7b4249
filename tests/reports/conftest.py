"""Fixture: a small audit model (2 Parties, 2 providers, 3 checks, 5 findings)."""

from __future__ import annotations

import copy

import pytest

RUN_ID = "run-20261123T180512-ab12cd"

_MODEL = {
    "run": {
        "run_id": RUN_ID,
        "as_of": "2026-06-30T00:00:00Z",
        "tool_version": "0.1.0",
        "pack": "cets224",
        "pack_version": "2026.11.0",
        "pack_title": "CETS 224 Second Additional Protocol safeguards",
        "started_at": "2026-11-23T18:05:12Z",
        "finished_at": "2026-11-23T18:05:14Z",
        "period": {"from": "2025-01-03", "to": "2026-05-30"},
        "inputs": [
            {
                "table": "requests",
                "file": "sample_data/requests.csv",
                "sha256": "a" * 64,
                "read": 10,
                "stored": 9,
                "unchanged": 0,
                "quarantined": 1,
            },
            {
                "table": "disclosures",
                "file": "sample_data/disclosures.csv",
                "sha256": "b" * 64,
                "read": 7,
                "stored": 7,
                "unchanged": 0,
                "quarantined": 0,
            },
        ],
        "params": [
            {
                "name": "art8_subscriber_return_days",
                "value": 20,
                "kind": "legal",
                "basis": "CETS 224 Art. 8(6)(a)(i)",
                "status": "UNCONFIRMED",
                "description": "Days to return subscriber information.",
            },
            {
                "name": "retention_default_days",
                "value": 365,
                "kind": "policy",
                "basis": "local policy",
                "status": "confirmed",
                "description": "Default retention limit.",
            },
        ],
    },
    "checks": [
        {
            "id": "TIM002",
            "rule_id": "CETS224-8.6.a.i",
            "title": "Subscriber information returned within deadline",
            "title_fr": "",
            "instrument": "CETS 224",
            "article": "Art. 8(6)(a)",
            "family": "timeliness",
            "severity": "medium",
            "legal_basis_status": "UNCONFIRMED",
            "rationale": "Art. 8 orders must be answered in time.",
            "remediation": "Escalate overdue orders.",
            "remediation_fr": "",
            "applies_to": "requests",
            "message": "late",
            "requires": {"requests": ["served_at"]},
            "params": ["art8_subscriber_return_days"],
            "profile_fields": [],
            "notes": "",
            "outcome": "fail",
            "reason": None,
            "evaluated": 20,
            "passed": 17,
            "failed": 3,
            "unknown": 0,
        },
        {
            "id": "RET001",
            "rule_id": "CETS224-14.5",
            "title": "Retention does not exceed the limit",
            "title_fr": "",
            "instrument": "CETS 224",
            "article": "Art. 14(5)",
            "family": "retention",
            "severity": "high",
            "legal_basis_status": "confirmed",
            "rationale": "Data kept no longer than necessary.",
            "remediation": "Delete data past its retention limit.",
            "remediation_fr": "",
            "applies_to": "disclosures",
            "message": "kept too long",
            "requires": {"disclosures": ["deleted_at"]},
            "params": ["retention_default_days"],
            "profile_fields": ["retention_max_days"],
            "notes": "",
            "outcome": "fail",
            "reason": None,
            "evaluated": 10,
            "passed": 8,
            "failed": 2,
            "unknown": 0,
        },
        {
            "id": "SEC001",
            "rule_id": "CETS224-14.7",
            "title": "Security incidents notified",
            "title_fr": "",
            "instrument": "CETS 224",
            "article": "Art. 14(7)(c)",
            "family": "security",
            "severity": "critical",
            "legal_basis_status": "confirmed",
            "rationale": "Incidents must be notified.",
            "remediation": "Record incident notifications.",
            "remediation_fr": "",
            "applies_to": "incidents",
            "message": "",
            "requires": {"incidents": ["notified_at"]},
            "params": [],
            "profile_fields": ["incident_notice_hours"],
            "notes": "",
            "outcome": "not_evaluated",
            "reason": "no incidents table supplied",
            "evaluated": 0,
            "passed": 0,
            "failed": 0,
            "unknown": 0,
        },
    ],
    "scope": [
        {"check_id": "TIM002", "party": "FR", "provider": "examplemail", "evaluated": 10, "passed": 8, "failed": 2, "unknown": 0},
        {"check_id": "TIM002", "party": "DE", "provider": "cloudco", "evaluated": 10, "passed": 9, "failed": 1, "unknown": 0},
        {"check_id": "RET001", "party": "FR", "provider": "examplemail", "evaluated": 6, "passed": 6, "failed": 0, "unknown": 0},
        {"check_id": "RET001", "party": "DE", "provider": "", "evaluated": 4, "passed": 2, "failed": 2, "unknown": 0},
    ],
    "findings": [
        {
            "fingerprint": "f1", "check_id": "TIM002", "family": "timeliness", "instrument": "CETS 224",
            "article": "Art. 8(6)(a)", "severity": "medium", "legal_basis_status": "UNCONFIRMED",
            "party": "FR", "receiving_party": "US", "provider": "examplemail", "request_id": "FR-2025-000123",
            "record_id": None, "issued_at": "2025-03-04T10:00:00Z", "message": "FR late answer alpha",
        },
        {
            "fingerprint": "f2", "check_id": "TIM002", "family": "timeliness", "instrument": "CETS 224",
            "article": "Art. 8(6)(a)", "severity": "medium", "legal_basis_status": "UNCONFIRMED",
            "party": "FR", "receiving_party": "US", "provider": "examplemail", "request_id": "FR-2025-000099",
            "record_id": None, "issued_at": "2025-02-04T10:00:00Z", "message": "FR late answer <b>beta</b>",
        },
        {
            "fingerprint": "f3", "check_id": "TIM002", "family": "timeliness", "instrument": "CETS 224",
            "article": "Art. 8(6)(a)", "severity": "medium", "legal_basis_status": "UNCONFIRMED",
            "party": "DE", "receiving_party": "US", "provider": "cloudco", "request_id": "DE-2025-000001",
            "record_id": None, "issued_at": "2025-05-04T10:00:00Z", "message": "DE late answer gamma",
        },
        {
            "fingerprint": "f4", "check_id": "RET001", "family": "retention", "instrument": "CETS 224",
            "article": "Art. 14(5)", "severity": "high", "legal_basis_status": "confirmed",
            "party": "DE", "receiving_party": "US", "provider": "", "request_id": "DE-2025-000002",
            "record_id": "D-000002", "issued_at": "2025-06-04T10:00:00Z", "message": "DE kept too long delta",
        },
        {
            "fingerprint": "f5", "check_id": "RET001", "family": "retention", "instrument": "CETS 224",
            "article": "Art. 14(5)", "severity": "high", "legal_basis_status": "confirmed",
            "party": "DE", "receiving_party": "US", "provider": "", "request_id": "DE-2025-000003",
            "record_id": "D-000003", "issued_at": "2025-06-05T10:00:00Z", "message": "DE kept too long epsilon",
        },
    ],
    "profiles": [
        {
            "party": "FR", "profile_source": "user+default", "cets224_ratified_at": "2024-01-10",
            "cets224_in_force_from": "2025-05-01", "art7_reserved": False, "art7_supervision_required": True,
            "art7_notification_required": None, "art8_traffic_reserved": False, "retention_max_days": 365,
            "incident_notice_hours": 72, "eu_2023_1543_bound": True,
        },
    ],
    "response_times": [
        {"party": "FR", "provider": "examplemail", "instrument": "cets224_art8", "days": 12, "count": 3},
        {"party": "FR", "provider": "examplemail", "instrument": "cets224_art8", "days": 25, "count": 2},
        {"party": "DE", "provider": "cloudco", "instrument": "cets224_art8", "days": 12, "count": 1},
        {"party": "DE", "provider": "cloudco", "instrument": "eu_epoc", "days": 8, "count": 4},
    ],
    "deadlines": {"cets224_art7": 30, "cets224_art8": 20, "eu_epoc": 10},
    "requests_by": [
        {"party": "FR", "provider": "examplemail", "instrument": "cets224_art8", "requests": 10, "disclosures": 9},
        {"party": "DE", "provider": "cloudco", "instrument": "cets224_art8", "requests": 6, "disclosures": 5},
        {"party": "DE", "provider": "cloudco", "instrument": "eu_epoc", "requests": 4, "disclosures": 4},
    ],
}


@pytest.fixture
def model() -> dict:
    return copy.deepcopy(_MODEL)


@pytest.fixture
def empty_model() -> dict:
    m = copy.deepcopy(_MODEL)
    for key in ("scope", "findings", "profiles", "response_times", "requests_by"):
        m[key] = []
    m["run"]["period"] = {"from": None, "to": None}
    return m

"""Builders for the Regulation (EU) 2023/1543 check tests.

``epoc(**fields)`` is an in-scope, compliant EPOC (FR prosecutor+judge → provider cloudbox in
IE, both bound by default, issued after the application date); each test changes only the fields
its check reads. ``eu_ctx`` builds an AuditContext with the eu2023_1543 pack parameters.
"""

from __future__ import annotations

import pytest

from auditor.engine import packs

ISSUED = "2026-09-01T09:00:00Z"
SENT = "2026-09-01T10:00:00Z"
RECEIVED = "2026-09-01T15:00:00Z"
AS_OF = "2026-12-31"

EPOC = {
    "instrument": "eu_epoc",
    "issuing_party": "FR",
    "issuing_authority": "Tribunal judiciaire de Paris",
    "authority_type": "judge",
    "receiving_party": "IE",
    "provider": "cloudbox",
    "case_reference": "CASE-FR-1",
    "offence": "illegal_access",
    "offence_max_penalty_years": "5",
    "necessity_rationale": "Identifies the account holder; no less intrusive means.",
    "data_requested": "subscriber",
    "emergency": "false",
    "issued_at": ISSUED,
    "transmitted_at": SENT,
    "provider_received_at": RECEIVED,
    "deadline_at": "2026-09-11",
    "contact_point": "FR e-evidence desk",
}


def epoc(**fields) -> dict:
    """A compliant in-scope EPOC row with ``fields`` changed (None = empty)."""
    return {**EPOC, **fields}


def not_bound(*parties: str) -> list[dict]:
    """Party rows switching the Regulation off for ``parties``."""
    return [{"party": p, "eu_2023_1543_bound": "false"} for p in parties]


@pytest.fixture
def eu_params() -> dict:
    return packs.load("eu2023_1543").values()


@pytest.fixture
def eu_ctx(make_ctx, make_requests, make_disclosures, make_events, make_parties, eu_params):
    """eu_ctx(request_rows, disclosures=None, events=None, parties=None, as_of=AS_OF, params=None, absent=None)."""

    def build(requests, disclosures=None, events=None, parties=None, as_of=AS_OF, params=None, absent=None):
        return make_ctx(
            make_requests(requests),
            disclosures=None if disclosures is None else make_disclosures(disclosures),
            custody_events=None if events is None else make_events(events),
            parties=None if parties is None else make_parties(parties),
            as_of=as_of,
            params={**eu_params, **(params or {})},
            absent=absent,
        )

    return build


@pytest.fixture(name="epoc")
def _epoc():
    return epoc


@pytest.fixture(name="not_bound")
def _not_bound():
    return not_bound

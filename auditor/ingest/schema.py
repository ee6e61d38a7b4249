"""The canonical input contract (``shared/spec/log-format.md``, version 1) as data.

Every reader, the validation suite, the store and the sample-data generator use these
definitions, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "party", "enum", "set", "bool", "timestamp", "int", "float", "personal"]

DATA_CATEGORIES = ("subscriber", "ip_identification", "traffic", "content", "domain_registration")
INSTRUMENTS = (
    "cets224_art6",
    "cets224_art7",
    "cets224_art8",
    "cets224_art9",
    "cets224_art10",
    "eu_epoc",
    "eu_epoc_pr",
    "mla",
    "other",
)
AUTHORITY_TYPES = ("judge", "prosecutor", "independent", "police", "administrative", "other")
CHANNELS = ("direct", "central_authority", "network_24_7", "provider_portal", "eu_decentralised", "other")
OUTCOMES = ("disclosed", "partial", "refused", "no_data", "withdrawn")
NOTIFICATION_BLOCKS = ("none", "confidentiality_order", "emergency", "law", "other")
CUSTODY_EVENTS = (
    "received",
    "accessed",
    "retention_set",
    "retention_reviewed",
    "deleted",
    "shared_domestic",
    "transfer_authorised",
    "transferred_onward",
    "security_incident",
    "incident_notified",
    "subject_notified",
    "automated_decision",
    "human_review",
)
#: Reg. (EU) 2023/1543 Art. 5(4)(b)-(c) offence categories (``requests.offence_category``)
OFFENCE_CATEGORIES = (
    "attacks_on_information_systems",  # Dir. 2013/40/EU Arts. 3-8
    "non_cash_payment_fraud",  # Dir. (EU) 2019/713 Arts. 3-8
    "child_sexual_abuse",  # Dir. 2011/93/EU Arts. 3-7
    "terrorism",  # Dir. (EU) 2017/541 Arts. 3-12 (Art. 5(4)(c))
    "other",
)
#: instruments for which ``provider`` is mandatory
PROVIDER_INSTRUMENTS = ("cets224_art6", "cets224_art7", "cets224_art8", "eu_epoc", "eu_epoc_pr")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "str"
    required: bool = False
    values: tuple[str, ...] = ()
    #: personal data: pseudonymised at ingest, never stored or written in clear
    personal: bool = False
    #: ``int``/``float``: the column's range (inclusive); beyond it a value is a defect. Every
    #: ``int`` is also within 64 bits and every ``float`` finite (``normalise.to_int64``, ...)
    low: float | None = None
    high: float | None = None


#: ranges of the numeric columns: counts are never negative; durations stay within what date
#: arithmetic can add to a timestamp (about 270 years)
COUNT = {"low": 0}
DAYS = {"low": 0, "high": 100_000}
HOURS = {"low": 0, "high": 2_400_000}
MONTHS = {"low": 0, "high": 3_600}
YEARS = {"low": 0, "high": 300}


@dataclass(frozen=True)
class TableSpec:
    name: str
    id_column: str
    columns: tuple[Column, ...]
    #: (column, parent table) for rows that must reference an existing parent row
    parent: tuple[str, str] | None = None
    mandatory: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def of_kind(self, *kinds: str) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]


C = Column

REQUESTS = TableSpec(
    name="requests",
    id_column="request_id",
    mandatory=True,
    columns=(
        C("request_id", required=True),
        C("instrument", "enum", True, INSTRUMENTS),
        C("issuing_party", "party", True),
        C("issuing_authority", required=True),
        C("authority_type", "enum", values=AUTHORITY_TYPES),
        C("validating_authority"),
        C("validating_authority_type", "enum", values=AUTHORITY_TYPES),
        C("channel", "enum", values=CHANNELS),
        C("linked_request_id"),
        C("receiving_party", "party", True),
        C("provider"),
        C("case_reference"),
        C("offence"),
        C("offence_max_penalty_years", "float", **YEARS),
        C("legal_basis"),
        C("purpose"),
        C("necessity_rationale"),
        C("protocol_statement", "bool"),
        C("data_description"),
        C("data_requested", "set", True, DATA_CATEGORIES),
        C("identifiers_count", "int", **COUNT),
        C("data_time_from", "timestamp"),
        C("data_time_to", "timestamp"),
        C("subscriber_identifier", "personal", personal=True),
        C("emergency", "bool"),
        C("emergency_justification"),
        C("issued_at", "timestamp", True),
        C("transmitted_at", "timestamp"),
        C("provider_received_at", "timestamp"),
        C("served_at", "timestamp"),
        C("notification_sent_at", "timestamp"),
        C("return_timeframe_days", "int", **DAYS),
        C("deadline_at", "timestamp"),
        C("preservation_reference"),
        C("contact_point"),
        # optional, added for CETS 224 Art. 7(8): why no Art. 7 order was tried first
        C("no_prior_attempt_reason"),
        # optional, added for CETS 224 Art. 10(9): copy of a direct emergency request to the central authority
        C("central_authority_copy_at", "timestamp"),
        # optional, added for Reg. (EU) 2023/1543 (docs/coverage/eu2023_1543.md)
        C("art8_2_exception", "bool"),  # Art. 8(2): offence and person in the issuing State
        C("sentence_months", "int", **MONTHS),  # Art. 5(3): EPOC issued to enforce a custodial sentence
        C("sentence_in_absentia", "bool"),  # Art. 5(3): that sentence was given in absentia
        C("person_absconded", "bool"),  # Art. 5(3): the sentenced person absconded
        C("preservation_extended_at", "timestamp"),  # Art. 11(1): the one 30-day extension asked
        C("preservation_released_at", "timestamp"),  # Art. 11(1): preservation ended / released
        # optional, added for the instrument-by-instrument review (issue 17; legal-requirements.md §8)
        C("all_information_received_at", "timestamp"),  # CETS 8(6)(a): requested Party has all 8(3)-(4) info
        C("ordered_return_by", "timestamp"),  # CETS 8(6)(a): return date the requested Party ordered
        C("ordered_traffic_return_by", "timestamp"),  # CETS 8(6)(a)(ii): separate date for traffic data
        C("agreed_authority", "bool"),  # CETS 8(11): sent by an authority mutually determined instead
        C("notification_statement", "bool"),  # CETS 7(4)(g): order states simultaneous notification
        C("host_instruction_at", "timestamp"),  # CETS 7(5)(c): host Party told the provider not to disclose
        C("issuer_informed_at", "timestamp"),  # CETS 7(5)(d): host Party told the issuer, with reasons
        C("validated_at", "timestamp"),  # EU 4(1)(b), 4(3)(b), 4(5): when the order was validated
        C("offence_category", "enum", values=OFFENCE_CATEGORIES),  # EU 5(4)(b)-(d)
        C("committed_via_information_system", "bool"),  # EU 5(4)(b)
        C("enforcing_confirmed_at", "timestamp"),  # EU 10(2): enforcing authority raises no ground
        C("enforcing_objection_at", "timestamp"),  # EU 10(4), 12: enforcing authority objected
        C("reasoned_objection_at", "timestamp"),  # EU 17(1)-(2): provider's reasoned objection
    ),
)

DISCLOSURES = TableSpec(
    name="disclosures",
    id_column="disclosure_id",
    parent=("request_id", "requests"),
    columns=(
        C("disclosure_id", required=True),
        C("request_id", required=True),
        C("provider"),
        C("responded_at", "timestamp", True),
        C("outcome", "enum", True, OUTCOMES),
        C("refusal_ground"),
        C("data_disclosed", "set", values=DATA_CATEGORIES),
        C("records_disclosed", "int", **COUNT),
        C("sensitive_data", "bool"),
        C("received_at", "timestamp"),
        C("user_notified_at", "timestamp"),
        C("notification_blocked_by", "enum", values=NOTIFICATION_BLOCKS),
        # optional, added for CETS 224 Art. 14(4): safeguard applied to sensitive data
        C("safeguard_reference"),
        # optional, added for CETS 224 Art. 8(8): when the requested Party decided to refuse
        C("decided_at", "timestamp"),
    ),
)

CUSTODY_EVENTS_TABLE = TableSpec(
    name="custody_events",
    id_column="event_id",
    parent=("request_id", "requests"),
    columns=(
        C("event_id", required=True),
        C("request_id", required=True),
        C("event", "enum", True, CUSTODY_EVENTS),
        C("at", "timestamp", True),
        C("actor"),
        C("counterparty"),
        C("reference"),
        C("until", "timestamp"),
        # optional, added for the instrument-by-instrument review (issue 17; legal-requirements.md §8)
        C("purpose"),  # CETS 14(2)(a): purpose of an access, share or transfer
        C("significant_adverse_effect", "bool"),  # CETS 14(6): on automated_decision events
        C("significant_risk", "bool"),  # CETS 14(7)(b): on security_incident events
        C("notice_exemption"),  # CETS 14(7)(b): ground for delaying or omitting the notice
        C("granted_by_party", "party"),  # CETS 14(10)(a): Party whose authority authorised a transfer
    ),
)

PARTIES = TableSpec(
    name="parties",
    id_column="party",
    columns=(
        C("party", "party", True),
        C("cets224_ratified_at", "timestamp"),
        C("art7_reserved", "bool"),
        C("art7_supervision_required", "bool"),
        C("art7_notification_required", "bool"),
        C("art8_traffic_reserved", "bool"),
        C("retention_max_days", "int", **DAYS),
        C("incident_notice_hours", "int", **HOURS),
        C("eu_2023_1543_bound", "bool"),
        # optional CETS 224 declarations (Art. 19(2)) added for the cets224 pack
        C("art8_prior_art7_required", "bool"),  # Art. 7(8)
        C("art8_central_authority_required", "bool"),  # Art. 8(11)
        C("art9_subscriber_only_refused", "bool"),  # Art. 9(1)(b)
        C("art10_direct_channels_accepted", "bool"),  # Art. 10(9)
        # optional, added for the instrument-by-instrument review (issue 17)
        C("general_notice_published", "bool"),  # CETS 14(11)(a): a general notice is published
        C("incident_notice_authority"),  # CETS 14(7)(c): authority designated for incident notices
        C("transfers_suspended_from", "timestamp"),  # CETS 14(15): transfers to this Party suspended
        C("transfers_suspended_until", "timestamp"),  # end of that suspension (empty: still suspended)
    ),
)

#: in dependency order: parents before children
TABLES: dict[str, TableSpec] = {
    t.name: t for t in (REQUESTS, DISCLOSURES, CUSTODY_EVENTS_TABLE, PARTIES)
}

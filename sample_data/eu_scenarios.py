"""Labelled Regulation (EU) 2023/1543 scenarios added to the sample data (fixed seed).

``add_eu_scenarios(tables)`` appends EPOC and EPOC-PR requests (with their responses and, for
the Art. 10(4) scenarios, custody events) issued between the Regulation's application date
(18 Aug 2026) and early October 2026, and returns their labels for ``expected.json`` (the
default run audits both instruments, ``as_of`` = AS_OF_EU = the sample's AS_OF):

- every scenario request starts compliant with every EU check; a planted violation changes only
  the fields its check reads, one violation per request, so each label is one finding;
- near misses (a 1-year terrorism offence, a late notification whose tolerance is policy, a
  deadline stated as a time frame, the end of a preservation, ...) are labelled clean or
  advisory as the text says;
- the EPOCs the base generator makes (``eu_epoc``, issued 2025-01 .. 2026-03) predate the
  Regulation: each is labelled EU001 (Art. 34(2)) and nothing else (``generate._eu001_labels``).

Labels are ``(check, request_id, record_id, kind)`` (record_id = disclosure id for EU012/EU014,
empty otherwise).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pandas as pd

SEED = 224
AS_OF_EU = "2026-10-31"  # = generate.AS_OF
APPLIES_FROM = datetime(2026, 8, 18, tzinfo=UTC)
PACK = "eu2023_1543"
PREFIX = "EU-"

#: provider slug -> Member State of its designated establishment / legal representative
EU_PROVIDERS = {"cloudbox": "IE", "hostco": "NL", "nordicmail": "DK", "frcloud": "FR"}
ISSUERS = {
    "FR": ("Tribunal judiciaire de Paris", "Parquet de Paris", "Police judiciaire Paris"),
    "DE": ("Amtsgericht Berlin-Tiergarten", "Staatsanwaltschaft Berlin", "Landeskriminalamt Berlin"),
    "ES": ("Juzgado de Instrucción Madrid", "Fiscalía Provincial de Madrid", "Policía Nacional"),
    "NL": ("Rechter-commissaris Rotterdam", "Openbaar Ministerie Rotterdam", "Politie Rotterdam"),
}
LISTED = ["illegal_access", "child_sexual_abuse_material", "non_cash_payment_fraud", "illegal_data_interference"]
#: scenario -> (check it plants, or "" for a compliant control or near miss; how many requests)
PLAN = [
    ("ok_subscriber", "", 14), ("ok_traffic", "", 10), ("ok_content_exception", "", 3),
    ("ok_emergency", "", 5), ("ok_police_validated", "", 4), ("ok_sentence", "", 2),
    ("ok_refusal", "", 3), ("ok_preservation", "", 6),
    ("ok_terrorism_short", "", 2), ("ok_listed_infosys", "", 2), ("ok_emergency_validated", "", 2),
    ("ok_timeframe_only", "", 2), ("ok_objection_deleted", "", 2), ("ok_reasoned_objection", "", 1),
    ("ok_preservation_ended", "", 2),
    ("out_of_territory", "EU002", 3),
    ("police_subscriber", "EU003", 3),
    ("emergency_validated_late", "EU003", 2),
    ("prosecutor_traffic", "EU004", 4),
    ("no_rationale", "EU005", 3),
    ("minor_offence", "EU006", 3),
    ("listed_not_infosys", "EU006", 1),
    ("bad_sentence", "EU007", 3),
    ("sentence_traffic_minor", "EU007", 1),
    ("late_notification", "EU008", 3),
    ("late_answer", "EU009", 4),
    ("late_emergency", "EU010", 3),
    ("late_extension", "EU011", 3),
    ("person_not_informed", "EU012", 3),
    ("incomplete_certificate", "EU013", 3),
    ("bad_non_execution", "EU014", 3),
    ("police_preservation", "EU015", 3),
    ("early_production", "EU016", 3),
    ("objection_not_deleted", "EU017", 2),
    ("late_reasoned_objection", "EU018", 2),
    ("other_channel", "EU019", 2),
]
#: scenarios whose request must not raise the named check (the text allows them)
NEAR = {
    "ok_terrorism_short": ("EU006", "a terrorist offence qualifies whatever the penalty (Art. 5(4)(c))"),
    "ok_listed_infosys": ("EU006", "a listed offence committed by means of an information system (Art. 5(4)(b))"),
    "ok_emergency_validated": ("EU003", "emergency order validated ex post within 48 hours (Art. 4(5))"),
    "ok_timeframe_only": ("EU013", "the deadline is stated as a time frame (Annex I §C)"),
    "ok_objection_deleted": ("EU017", "data deleted after the enforcing authority's objection (Art. 10(4))"),
    "ok_reasoned_objection": ("EU018", "reasoned objection within 10 days (Art. 17(2))"),
    "ok_preservation_ended": ("EU011", "ending a preservation is not a breach (Art. 11(1))"),
}
#: advisory kinds of planted labels: the part of a mixed check that rests on a policy tolerance
ADVISORY = {"EU019"}

EVENT_KEYS = ("event_id", "request_id", "event", "at", "actor", "counterparty", "reference", "until", "purpose",
              "significant_adverse_effect", "significant_risk", "notice_exemption", "granted_by_party")


def _iso(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _build(seed: int = SEED) -> tuple[list[dict], list[dict], list[dict], list[tuple], list[tuple]]:
    """(requests, disclosures, custody events, labels, near misses) of the scenario set; a pure
    function of the seed."""
    rng = random.Random(seed * 1543)
    as_of = datetime.fromisoformat(AS_OF_EU).replace(tzinfo=UTC)
    requests: list[dict] = []
    disclosures: list[dict] = []
    events: list[dict] = []
    labels: list[tuple[str, str, str, str]] = []
    near: list[tuple[str, str, str, str]] = []
    n = 0

    def count(check: str) -> int:
        return len([x for x in labels if x[0] == check])

    def new_request(scenario: str, instrument: str = "eu_epoc", cats: str = "subscriber",
                    latest: datetime = datetime(2026, 10, 5, tzinfo=UTC)) -> dict:
        nonlocal n
        n += 1
        party = rng.choice(sorted(ISSUERS))
        provider = rng.choice(["cloudbox", "hostco"])
        if EU_PROVIDERS[provider] == party:
            provider = "cloudbox"
        judge, prosecutor, _police = ISSUERS[party]
        heavy = any(c in cats for c in ("traffic", "content"))
        issued = APPLIES_FROM + timedelta(seconds=rng.uniform(3600, (latest - APPLIES_FROM).total_seconds()))
        issued = issued.replace(microsecond=0)
        sent = issued + timedelta(minutes=rng.randint(10, 120))
        received = sent + timedelta(minutes=rng.randint(5, 90))
        offence = rng.choice(LISTED) if heavy and rng.random() < 0.5 else rng.choice(
            ["ransomware_extortion", "fraud", "threats_to_kill", "illegal_access"])
        notified = heavy and instrument == "eu_epoc"
        row = {
            "request_id": f"{PREFIX}{party}-2026-{n:04d}",
            "instrument": instrument,
            "issuing_party": party,
            "issuing_authority": judge if heavy else prosecutor,
            "authority_type": "judge" if heavy else "prosecutor",
            "validating_authority": "",
            "validating_authority_type": "",
            "channel": "eu_decentralised",
            "linked_request_id": "",
            "receiving_party": EU_PROVIDERS[provider],
            "provider": provider,
            "case_reference": f"EU-CASE-{party}-{rng.randint(1000, 9999)}",
            "offence": offence,
            "offence_max_penalty_years": str(rng.choice([3, 5, 8, 10])),
            "legal_basis": "Regulation (EU) 2023/1543 and national implementing law",
            "purpose": "criminal investigation",
            "necessity_rationale": "The account was used to commit the offence; the data identify the user "
                                   "and no less intrusive means exist.",
            "protocol_statement": "",
            "data_description": f"{cats} data for 1 account between the stated dates",
            "data_requested": cats,
            "identifiers_count": "1",
            "data_time_from": (issued - timedelta(days=60)).strftime("%Y-%m-%d"),
            "data_time_to": issued.strftime("%Y-%m-%d"),
            "subscriber_identifier": f"eu-target{n}@mail.example",
            "emergency": "false",
            "emergency_justification": "",
            "issued_at": _iso(issued),
            "transmitted_at": _iso(sent),
            "provider_received_at": _iso(received),
            "served_at": "",
            "notification_sent_at": _iso(sent) if notified else "",
            "return_timeframe_days": "10" if instrument == "eu_epoc" else "",
            "deadline_at": _iso(received + timedelta(days=10)) if instrument == "eu_epoc" else "",
            "preservation_reference": "",
            "contact_point": f"{party} e-evidence desk",
            "art8_2_exception": "",
            "sentence_months": "",
            "sentence_in_absentia": "",
            "person_absconded": "",
            "preservation_extended_at": "",
            "preservation_released_at": "",
            "validated_at": "",
            "offence_category": "",
            "committed_via_information_system": "",
            # Art. 10(2): the enforcing authority confirms early that it raises no ground
            "enforcing_confirmed_at": _iso(received + timedelta(hours=12)) if notified else "",
            "enforcing_objection_at": "",
            "reasoned_objection_at": "",
        }
        row["_received"] = received
        requests.append(row)
        return row

    def respond(r: dict, after: timedelta, outcome: str = "disclosed", ground: str = "",
                notice: str = "ok") -> dict:
        responded = r["_received"] + after
        disclosed = r["data_requested"] if outcome in ("disclosed", "partial") else ""
        d = {
            "disclosure_id": f"D-{r['request_id']}",
            "request_id": r["request_id"],
            "provider": r["provider"],
            "responded_at": _iso(responded),
            "outcome": outcome,
            "refusal_ground": ground,
            "data_disclosed": disclosed,
            "records_disclosed": "1" if disclosed else "0",
            "sensitive_data": "false",
            "received_at": _iso(responded + timedelta(hours=1)) if disclosed else "",
            "user_notified_at": "",
            "notification_blocked_by": "",
        }
        if disclosed and notice == "ok":
            told = responded + timedelta(days=rng.randint(3, 25))
            if told <= as_of and rng.random() < 0.6:
                d["user_notified_at"] = _iso(told)
            else:
                d["notification_blocked_by"] = rng.choice(["confidentiality_order", "law"])
        disclosures.append(d)
        return d

    def answer(r: dict, **kw) -> dict:
        if r["emergency"] == "true":
            return respond(r, timedelta(minutes=rng.randint(30, 7 * 60)), **kw)
        return respond(r, timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 12)), **kw)

    def emergency(r: dict) -> None:
        r["emergency"] = "true"
        r["emergency_justification"] = "Imminent threat to the life of a named person"
        r["deadline_at"] = _iso(r["_received"] + timedelta(hours=8))
        r["enforcing_confirmed_at"] = ""

    def event(r: dict, kind: str, at: datetime, **kw) -> None:
        e = dict.fromkeys(EVENT_KEYS, "")
        e.update(event_id=f"{PREFIX}E-{len(events) + 1:04d}", request_id=r["request_id"], event=kind, at=_iso(at),
                 actor=kw.get("actor", "investigator"), reference=r["case_reference"])
        events.append(e)

    def confirm(pr: dict, when: datetime) -> None:
        """A compliant production EPOC confirming EPOC-PR ``pr`` (its issued_at is the confirmation),
        answered in time unless its answer would fall after as_of (then it is not yet due)."""
        r = new_request("production", "eu_epoc", pr["data_requested"])
        r["request_id"] = f"{pr['request_id']}-P"
        for key in ("issuing_party", "provider", "receiving_party"):
            r[key] = pr[key]
        heavy = any(c in r["data_requested"] for c in ("traffic", "content"))
        r["issuing_authority"] = ISSUERS[r["issuing_party"]][0 if heavy else 1]
        r["authority_type"] = "judge" if heavy else "prosecutor"
        r["linked_request_id"] = r["preservation_reference"] = pr["request_id"]
        sent = when + timedelta(minutes=30)
        r["_received"] = sent + timedelta(minutes=20)
        r["issued_at"], r["transmitted_at"] = _iso(when), _iso(sent)
        r["provider_received_at"] = _iso(r["_received"])
        r["deadline_at"] = _iso(r["_received"] + timedelta(days=10))
        d = answer(r)
        if d["responded_at"] > _iso(as_of):
            disclosures.remove(d)

    heavy_cats = {"ok_traffic": "subscriber;traffic", "ok_content_exception": "content",
                  "prosecutor_traffic": "traffic", "minor_offence": "traffic", "ok_terrorism_short": "traffic",
                  "ok_listed_infosys": "traffic", "listed_not_infosys": "content",
                  "sentence_traffic_minor": "traffic", "early_production": "traffic",
                  "objection_not_deleted": "traffic", "ok_objection_deleted": "traffic"}
    for scenario, check, number in PLAN:
        for _ in range(number):
            cats = heavy_cats.get(scenario) or ("traffic" if scenario == "late_notification" and rng.random() < 0.5
                                                else "content" if scenario == "late_notification" else None) or \
                rng.choice(["subscriber", "ip_identification", "subscriber;ip_identification"])
            instrument = "eu_epoc_pr" if scenario in ("ok_preservation", "late_extension", "police_preservation",
                                                      "ok_preservation_ended") else "eu_epoc"
            latest = datetime(2026, 9, 15, tzinfo=UTC) if scenario == "person_not_informed" else \
                datetime(2026, 8, 20, tzinfo=UTC) if instrument == "eu_epoc_pr" else \
                datetime(2026, 10, 5, tzinfo=UTC)
            r = new_request(scenario, instrument, cats, latest)
            rid = r["request_id"]
            record = f"D-{rid}" if check in ("EU012", "EU014") else ""
            kind = "advisory" if check in ADVISORY else "breach"
            if check:
                labels.append((check, rid, record, kind))
            elif scenario in NEAR:
                near.append((NEAR[scenario][0], rid, "", NEAR[scenario][1]))
            party = r["issuing_party"]
            if scenario == "ok_content_exception":
                r["art8_2_exception"], r["notification_sent_at"], r["enforcing_confirmed_at"] = "true", "", ""
            elif scenario in ("ok_emergency", "late_emergency"):
                emergency(r)
            elif scenario == "ok_police_validated":
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
                r["validating_authority"], r["validating_authority_type"] = ISSUERS[party][1], "prosecutor"
                r["validated_at"] = _iso(datetime.fromisoformat(r["issued_at"].replace("Z", "+00:00"))
                                         + timedelta(minutes=5))
            elif scenario in ("ok_emergency_validated", "emergency_validated_late"):
                emergency(r)
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
                r["validating_authority"], r["validating_authority_type"] = ISSUERS[party][1], "prosecutor"
                hours = rng.randint(20, 40) if scenario.startswith("ok") else rng.randint(55, 70)
                r["validated_at"] = _iso(datetime.fromisoformat(r["issued_at"].replace("Z", "+00:00"))
                                         + timedelta(hours=hours))
            elif scenario in ("ok_sentence", "bad_sentence", "sentence_traffic_minor"):
                r["sentence_months"], r["sentence_in_absentia"], r["person_absconded"] = "18", "false", "true"
                r["purpose"] = "execution of a custodial sentence"
                if scenario == "bad_sentence":
                    field, value = [("sentence_months", "3"), ("sentence_in_absentia", "true"),
                                    ("person_absconded", "false")][count("EU007") % 3 - 1]
                    r[field] = value
                elif scenario == "sentence_traffic_minor":  # Art. 5(4)(d): only for (a)-(c) offences
                    r["offence"], r["offence_max_penalty_years"], r["offence_category"] = "theft", "1", "other"
            elif scenario == "out_of_territory":
                kind_of = count("EU002") % 3
                if kind_of == 1:  # to a provider established in Denmark (not bound)
                    r["provider"], r["receiving_party"] = "nordicmail", "DK"
                else:  # issued by Denmark (2), or a domestic French order (0)
                    party = "DK" if kind_of == 2 else "FR"
                    r["issuing_party"] = party
                    r["issuing_authority"] = "Anklagemyndigheden" if party == "DK" else ISSUERS["FR"][1]
                    if party == "FR":
                        r["provider"], r["receiving_party"] = "frcloud", "FR"
                    r["request_id"] = rid = f"{PREFIX}{party}-2026-{n:04d}"
                    labels[-1] = ("EU002", rid, "", "breach")
            elif scenario == "police_subscriber":
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
                if count("EU003") % 2 == 0:
                    r["validating_authority"], r["validating_authority_type"] = "Police headquarters", "police"
            elif scenario == "police_preservation":
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
            elif scenario == "prosecutor_traffic":
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][1], "prosecutor"
            elif scenario == "no_rationale":
                r["necessity_rationale"] = ""
            elif scenario == "minor_offence":
                r["offence"], r["offence_max_penalty_years"] = "theft", str(rng.choice([1, 2]))
                r["offence_category"] = "other"
            elif scenario == "listed_not_infosys":
                r["offence"], r["offence_max_penalty_years"] = "child sexual abuse", "2"
                r["offence_category"], r["committed_via_information_system"] = "child_sexual_abuse", "false"
            elif scenario == "ok_terrorism_short":
                r["offence"], r["offence_max_penalty_years"] = "receiving terrorist training", "1"
                r["offence_category"] = "terrorism"
            elif scenario == "ok_listed_infosys":
                r["offence"], r["offence_max_penalty_years"] = "illegal system interference", "2"
                r["offence_category"], r["committed_via_information_system"] = "attacks_on_information_systems", "true"
            elif scenario == "late_notification":
                sent = datetime.fromisoformat(r["transmitted_at"].replace("Z", "+00:00"))
                if count("EU008") % 3 == 1:  # none at all: a breach of Art. 8(1)
                    r["notification_sent_at"] = ""
                else:  # a day late: the tolerance of "at the same time" is the auditor's policy
                    r["notification_sent_at"] = _iso(sent + timedelta(days=1))
                    labels[-1] = ("EU008", rid, "", "advisory")
            elif scenario == "incomplete_certificate":
                field = ["case_reference", "contact_point", "deadline_at"][count("EU013") % 3 - 1]
                r[field] = ""
                if field == "deadline_at":  # no deadline in either form
                    r["return_timeframe_days"] = ""
            elif scenario == "ok_timeframe_only":
                r["deadline_at"] = ""
            elif scenario == "other_channel":
                r["channel"] = "other"
            elif scenario == "early_production":
                r["enforcing_confirmed_at"] = ""
            elif scenario in ("objection_not_deleted", "ok_objection_deleted"):
                emergency(r)
                r["notification_sent_at"] = r["transmitted_at"]
                sent = datetime.fromisoformat(r["transmitted_at"].replace("Z", "+00:00"))
                r["enforcing_objection_at"] = _iso(sent + timedelta(hours=rng.randint(30, 80)))
            elif scenario in ("late_reasoned_objection", "ok_reasoned_objection"):
                days = rng.randint(3, 8) if scenario.startswith("ok") else rng.randint(12, 15)
                r["reasoned_objection_at"] = _iso(r["_received"] + timedelta(days=days, hours=2))

            # --- responses ---------------------------------------------------------------
            if instrument == "eu_epoc_pr":
                received = r["_received"]
                if scenario in ("ok_preservation", "police_preservation"):
                    k = len([x for x in requests if x["instrument"] == "eu_epoc_pr"]) % 3
                    if k == 0:  # production confirmed within 60 days
                        confirm(r, received + timedelta(days=rng.randint(10, 60)))
                    elif k == 1:  # extended in time, confirmed between day 61 and as_of
                        r["preservation_extended_at"] = _iso(received + timedelta(days=rng.randint(40, 58)))
                        confirm(r, received + timedelta(days=rng.randint(62, 70)))
                    else:  # released in time without production
                        r["preservation_released_at"] = _iso(received + timedelta(days=rng.randint(30, 60)))
                elif scenario == "ok_preservation_ended":  # held, then released after day 60: no breach
                    r["preservation_released_at"] = _iso(received + timedelta(days=rng.randint(63, 70)))
                else:  # the one extension asked after the 60 days: the only breach of Art. 11(1)
                    r["preservation_extended_at"] = _iso(received + timedelta(days=rng.randint(62, 65)))
                continue
            if scenario == "late_answer":
                if count("EU009") % 2 == 0:
                    respond(r, timedelta(days=rng.randint(11, 15), hours=rng.randint(0, 6)))
                # else: never answered, long past day 10
            elif scenario == "late_emergency":
                respond(r, timedelta(hours=rng.randint(9, 30)))
            elif scenario == "ok_refusal":
                answer(r, outcome=rng.choice(["refused", "no_data"]),
                       ground=rng.choice(["data not stored", "Manifest errors", "de facto impossibility"]))
            elif scenario == "bad_non_execution":
                if count("EU014") % 2 == 0:
                    answer(r, outcome="refused", ground="conflict with fundamental domestic principles")
                else:
                    answer(r, outcome="no_data", ground="")
            elif scenario == "person_not_informed":
                d = answer(r, notice="none")
                if count("EU012") % 3 == 0:  # told too late: "without undue delay" in days is policy
                    told = datetime.fromisoformat(d["responded_at"].replace("Z", "+00:00")) + timedelta(days=31)
                    d["user_notified_at"] = _iso(told)
                    labels[-1] = ("EU012", rid, record, "advisory")
            elif scenario == "early_production":  # produced on day 2-5, no confirmation: Art. 10(2)
                respond(r, timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 6)))
            elif scenario in ("objection_not_deleted", "ok_objection_deleted"):
                d = answer(r)
                got = datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
                event(r, "received", got, actor="registry clerk")
                if scenario.startswith("ok"):
                    objected = datetime.fromisoformat(r["enforcing_objection_at"].replace("Z", "+00:00"))
                    event(r, "deleted", objected + timedelta(hours=6), actor="data protection officer")
            else:
                answer(r)

    for r in requests:
        r.pop("_received")
    return requests, disclosures, events, sorted(labels), sorted(near)


def add_eu_scenarios(tables: dict[str, pd.DataFrame], seed: int = SEED) -> tuple[list[tuple], list[tuple]]:
    """Append the scenario requests, responses and custody events to the generated ``tables``
    (in place); return their (labels, near misses)."""
    requests, disclosures, events, labels, near = _build(seed)
    tables["requests"] = pd.concat([tables["requests"], pd.DataFrame(requests)], ignore_index=True)
    tables["disclosures"] = pd.concat([tables["disclosures"], pd.DataFrame(disclosures)], ignore_index=True)
    if events:
        tables["custody_events"] = pd.concat([tables["custody_events"], pd.DataFrame(events)], ignore_index=True)
    return labels, near

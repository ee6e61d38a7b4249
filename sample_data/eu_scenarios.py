"""Labelled Regulation (EU) 2023/1543 scenarios added to the sample data (fixed seed).

``add_eu_scenarios(tables)`` appends EPOC and EPOC-PR requests (and their responses) issued
between the Regulation's application date (18 Aug 2026) and early October 2026; ``expected_eu``
gives the ground truth for the ``eu2023_1543`` pack with ``as_of`` = AS_OF_EU:

- every scenario request starts compliant with every EU check; a planted violation changes only
  the fields its check reads, one violation per request, so each label is one finding;
- the EPOCs the base generator already makes (``eu_epoc``, issued 2025-01 .. 2026-03) predate
  the Regulation: each is labelled EU001 (Art. 34(2)) and nothing else;
- the scenario rows are dated after the CETS 224 sample's as_of (2026-06-30) and are compliant
  with the data checks that read every request (disclosed data within the order, no custody
  events), so they add nothing to ``expected.json``.

Labels are ``[check, request_id, record_id]`` (record_id = disclosure id for EU012/EU014).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

SEED = 224
AS_OF_EU = "2026-10-31"
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
#: scenario -> (check it plants, or "" for a compliant control; how many requests)
PLAN = [
    ("ok_subscriber", "", 14), ("ok_traffic", "", 10), ("ok_content_exception", "", 3),
    ("ok_emergency", "", 5), ("ok_police_validated", "", 4), ("ok_sentence", "", 2),
    ("ok_refusal", "", 3), ("ok_preservation", "", 6),
    ("out_of_territory", "EU002", 3),
    ("police_subscriber", "EU003", 3),
    ("prosecutor_traffic", "EU004", 4),
    ("no_rationale", "EU005", 3),
    ("minor_offence", "EU006", 3),
    ("bad_sentence", "EU007", 3),
    ("late_notification", "EU008", 3),
    ("late_answer", "EU009", 4),
    ("late_emergency", "EU010", 3),
    ("bad_preservation", "EU011", 3),
    ("person_not_informed", "EU012", 3),
    ("incomplete_certificate", "EU013", 3),
    ("bad_non_execution", "EU014", 3),
    ("police_preservation", "EU015", 3),
]


def _iso(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _build(seed: int = SEED) -> tuple[list[dict], list[dict], list[tuple[str, str, str]]]:
    """(requests, disclosures, labels) of the scenario set; a pure function of the seed."""
    rng = random.Random(seed * 1543)
    as_of = datetime.fromisoformat(AS_OF_EU).replace(tzinfo=UTC)
    requests: list[dict] = []
    disclosures: list[dict] = []
    labels: list[tuple[str, str, str]] = []
    n = 0

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
            "notification_sent_at": _iso(sent) if heavy and instrument == "eu_epoc" else "",
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

    for scenario, check, count in PLAN:
        for _ in range(count):
            cats = {"ok_traffic": "subscriber;traffic", "ok_content_exception": "content",
                    "prosecutor_traffic": "traffic", "minor_offence": "traffic",
                    "late_notification": rng.choice(["traffic", "content"])}.get(
                scenario, rng.choice(["subscriber", "ip_identification", "subscriber;ip_identification"]))
            instrument = "eu_epoc_pr" if scenario in ("ok_preservation", "bad_preservation",
                                                      "police_preservation") else "eu_epoc"
            latest = datetime(2026, 9, 15, tzinfo=UTC) if scenario == "person_not_informed" else \
                datetime(2026, 8, 20, tzinfo=UTC) if instrument == "eu_epoc_pr" else \
                datetime(2026, 10, 5, tzinfo=UTC)
            r = new_request(scenario, instrument, cats, latest)
            rid = r["request_id"]
            if check:
                labels.append((check, rid, "" if check not in ("EU012", "EU014") else f"D-{rid}"))
            if scenario == "ok_content_exception":
                r["art8_2_exception"], r["notification_sent_at"] = "true", ""
            elif scenario in ("ok_emergency", "late_emergency"):
                emergency(r)
            elif scenario == "ok_police_validated":
                party = r["issuing_party"]
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
                r["validating_authority"], r["validating_authority_type"] = ISSUERS[party][1], "prosecutor"
            elif scenario in ("ok_sentence", "bad_sentence"):
                r["sentence_months"], r["sentence_in_absentia"], r["person_absconded"] = "18", "false", "true"
                r["purpose"] = "execution of a custodial sentence"
                if scenario == "bad_sentence":
                    field, value = [("sentence_months", "3"), ("sentence_in_absentia", "true"),
                                    ("person_absconded", "false")][len([x for x in labels if x[0] == "EU007"]) % 3]
                    r[field] = value
            elif scenario == "out_of_territory":
                kind = len([x for x in labels if x[0] == "EU002"]) % 3
                if kind == 1:  # to a provider established in Denmark (not bound)
                    r["provider"], r["receiving_party"] = "nordicmail", "DK"
                else:  # issued by Denmark (2), or a domestic French order (0)
                    party = "DK" if kind == 2 else "FR"
                    r["issuing_party"] = party
                    r["issuing_authority"] = "Anklagemyndigheden" if party == "DK" else ISSUERS["FR"][1]
                    if party == "FR":
                        r["provider"], r["receiving_party"] = "frcloud", "FR"
                    r["request_id"] = rid = f"{PREFIX}{party}-2026-{n:04d}"
                    labels[-1] = ("EU002", rid, "")
            elif scenario == "police_subscriber":
                party = r["issuing_party"]
                r["issuing_authority"], r["authority_type"] = ISSUERS[party][2], "police"
                if len([x for x in labels if x[0] == "EU003"]) % 2 == 0:
                    r["validating_authority"], r["validating_authority_type"] = "Police headquarters", "police"
            elif scenario == "police_preservation":
                r["issuing_authority"], r["authority_type"] = ISSUERS[r["issuing_party"]][2], "police"
            elif scenario == "prosecutor_traffic":
                r["issuing_authority"], r["authority_type"] = ISSUERS[r["issuing_party"]][1], "prosecutor"
            elif scenario == "no_rationale":
                r["necessity_rationale"] = ""
            elif scenario == "minor_offence":
                r["offence"], r["offence_max_penalty_years"] = "theft", str(rng.choice([1, 2]))
            elif scenario == "late_notification":
                sent = datetime.fromisoformat(r["transmitted_at"].replace("Z", "+00:00"))
                r["notification_sent_at"] = "" if rng.random() < 0.5 else _iso(sent + timedelta(days=1))
            elif scenario == "incomplete_certificate":
                field = ["case_reference", "contact_point", "deadline_at"][
                    len([x for x in labels if x[0] == "EU013"]) % 3 - 1]
                r[field] = ""

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
                else:
                    k = len([x for x in labels if x[0] == "EU011"]) % 3
                    if k == 1:  # extension asked too late
                        r["preservation_extended_at"] = _iso(received + timedelta(days=rng.randint(62, 65)))
                    elif k == 2:  # production confirmed after 60 days, no extension
                        confirm(r, received + timedelta(days=rng.randint(62, 68)))
                    else:  # kept beyond 60 days without confirmation
                        r["preservation_released_at"] = _iso(received + timedelta(days=rng.randint(63, 70)))
                continue
            if scenario == "late_answer":
                if len([x for x in labels if x[0] == "EU009"]) % 2 == 0:
                    respond(r, timedelta(days=rng.randint(11, 15), hours=rng.randint(0, 6)))
                # else: never answered, long past day 10
            elif scenario == "late_emergency":
                respond(r, timedelta(hours=rng.randint(9, 30)))
            elif scenario == "ok_refusal":
                answer(r, outcome=rng.choice(["refused", "no_data"]),
                       ground=rng.choice(["data not stored", "Manifest errors", "de facto impossibility"]))
            elif scenario == "bad_non_execution":
                if len([x for x in labels if x[0] == "EU014"]) % 2 == 0:
                    answer(r, outcome="refused", ground="conflict with fundamental domestic principles")
                else:
                    answer(r, outcome="no_data", ground="")
            elif scenario == "person_not_informed":
                d = answer(r, notice="none")
                if len([x for x in labels if x[0] == "EU012"]) % 3 == 0:  # told too late
                    told = datetime.fromisoformat(d["responded_at"].replace("Z", "+00:00")) + timedelta(days=31)
                    d["user_notified_at"] = _iso(told)
            else:
                answer(r)

    for r in requests:
        r.pop("_received")
    return requests, disclosures, sorted(labels)



def add_eu_scenarios(tables: dict[str, pd.DataFrame], seed: int = SEED) -> None:
    """Append the scenario requests and responses to the generated ``tables`` (in place)."""
    requests, disclosures, _labels = _build(seed)
    tables["requests"] = pd.concat([tables["requests"], pd.DataFrame(requests)], ignore_index=True)
    tables["disclosures"] = pd.concat([tables["disclosures"], pd.DataFrame(disclosures)], ignore_index=True)


def expected_eu(tables: dict[str, pd.DataFrame], seed: int = SEED) -> dict:
    """Ground truth for the eu2023_1543 pack on the generated tables at AS_OF_EU."""
    _r, _d, labels = _build(seed)
    req = tables["requests"]
    base = req[req["instrument"].isin(["eu_epoc", "eu_epoc_pr"])
               & ~req["request_id"].astype(str).str.startswith((PREFIX, "BAD-"))]
    for rid, issued in zip(base["request_id"], base["issued_at"], strict=True):
        if datetime.fromisoformat(str(issued).replace("Z", "+00:00")) < APPLIES_FROM:
            labels.append(("EU001", rid, ""))
        else:  # the base generator only dates requests up to 2026-03-31
            raise RuntimeError(f"sample data: base EU request {rid} is not pre-application")
    labels = sorted(set(labels))
    counts: dict[str, int] = {}
    for c, _rid, _rec in labels:
        counts[c] = counts.get(c, 0) + 1
    return {
        "as_of": AS_OF_EU,
        "seed": seed,
        "pack": PACK,
        "findings_per_check": dict(sorted(counts.items())),
        "labels": [list(x) for x in labels],
    }


def write_expected_eu(out: Path, tables: dict[str, pd.DataFrame], seed: int = SEED) -> None:
    (Path(out) / "expected_eu.json").write_text(json.dumps(expected_eu(tables, seed), indent=2) + "\n",
                                                encoding="utf-8")

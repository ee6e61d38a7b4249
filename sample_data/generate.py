"""Deterministic sample data (fixed seed) with planted violations and their ground truth.

    python -m sample_data.generate [--out sample_data] [--requests 3000] [--seed 224]

Writes requests.csv, disclosures.csv, custody_events.csv, parties.csv and expected.json: the
findings the default run (every shipped pack: cets224 and eu2023_1543) must report on this
mixed log with ``as_of`` = AS_OF, one label ``[check, request, record, kind]`` per planted
violation (kind = breach or advisory), the requests each check must flag
(``requests_per_check``, the per-request ground truth the per-family precision/recall test
uses), the labelled *near misses* that must raise nothing (``near_misses``: the same defect on a
request of an instrument the check does not govern, or a case the text allows), the requests
outside the audited instruments, and the rows ingest must quarantine. Every request starts
compliant; a planted violation changes only the fields its check reads, on requests no other
plant touches.

The log mixes instruments as a Member State's authorities do: CETS 224 Arts. 6-10 requests,
mutual assistance (``mla``), a few ``other`` requests, and EU production/preservation orders
(``sample_data/eu_scenarios.py``). Each request is judged only by the rules of its own
instrument: the Art. 13-14 safeguards only on data received under the Protocol.

The scenario is synthetic: Party codes are real, but the ratification dates in parties.csv are
invented so that the Protocol is in force between the sample Parties (in reality it is not yet
in force). Japan keeps its real Art. 7(9)(a) reservation.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from sample_data.eu_scenarios import add_eu_scenarios

AS_OF = "2026-10-31"
CETS = ("cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9", "cets224_art10")
SEED = 224
T0 = datetime(2025, 1, 2, tzinfo=UTC)
T1 = datetime(2026, 3, 31, tzinfo=UTC)

PROVIDERS = {  # provider -> Party where it is established
    "examplemail": "US",
    "chatapp": "US",
    "cloudbox": "IE",
    "hostco": "NL",
    "jpmail": "JP",
    "nameco": "US",  # a domain registrar (Art. 6)
}
ISSUERS = {"FR": 0.25, "DE": 0.2, "ES": 0.15, "NL": 0.1, "GB": 0.15, "US": 0.15}
AUTHORITIES = {
    "FR": "Parquet de Paris", "DE": "Staatsanwaltschaft Berlin", "ES": "Fiscalía Provincial de Madrid",
    "NL": "Openbaar Ministerie Rotterdam", "GB": "Crown Prosecution Service", "US": "US Attorney SDNY",
    "CA": "Public Prosecution Service of Canada",
}
RETENTION_MAX = {"FR": 365, "DE": 180, "ES": 365, "NL": 730, "US": 365}  # GB: periodic review
INCIDENT_HOURS = {"FR": 72, "DE": 24}  # the others: the pack's default (policy) applies
#: CETS 224 Art. 14(11)(a): Parties that publish a general notice (the others do not; CA unknown)
GENERAL_NOTICE = {"FR": "true", "NL": "true", "DE": "false", "ES": "false", "GB": "false", "US": "false",
                  "IE": "true"}
#: CETS 224 Art. 14(15): a (synthetic) one-week suspension of transfers to GB
SUSPENDED = {"GB": ("2025-11-10", "2025-11-16")}
PURPOSE = "criminal investigation"
PARTIES = [
    # party, ratified (synthetic except JP, RS), art7_reserved, supervision, notification, traffic_reserved
    ("FR", "2024-03-01", "false", "false", "false", "false"),
    ("DE", "2024-01-15", "false", "false", "false", "false"),
    ("ES", "2024-06-01", "false", "false", "false", "false"),
    ("NL", "2024-02-20", "false", "true", "false", "false"),
    ("GB", "2024-05-20", "false", "false", "false", "false"),
    ("US", "2024-02-01", "false", "false", "false", "false"),
    ("IE", "2024-04-10", "false", "true", "true", "true"),
    ("JP", "2023-08-10", "true", "", "", ""),
    ("RS", "2023-02-09", "", "", "", ""),
]


#: synthetic Art. 19(2) declarations of the sample Parties (JP and RS keep the shipped defaults)
DECLARATIONS = {
    "NL": {"art8_prior_art7_required": "true", "art9_subscriber_only_refused": "true"},
    "US": {"art10_direct_channels_accepted": "true"},
}
DECLARATION_FIELDS = ("art8_prior_art7_required", "art8_central_authority_required",
                      "art9_subscriber_only_refused", "art10_direct_channels_accepted")
#: optional request columns (the contract's extensions) every generated row carries, empty by default
EXTRA_REQUEST_COLUMNS = (
    "no_prior_attempt_reason", "central_authority_copy_at", "all_information_received_at",
    "ordered_return_by", "ordered_traffic_return_by", "agreed_authority", "notification_statement",
    "host_instruction_at", "issuer_informed_at",
)


def iso(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Truth:
    labels: list[tuple[str, str, str, str]] = field(default_factory=list)
    near: list[tuple[str, str, str, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def add(self, check: str, request_id: str, record_id: str = "", kind: str = "breach") -> None:
        self.labels.append((check, request_id, record_id, kind))

    def near_miss(self, check: str, request_id: str, why: str) -> None:
        """A request that looks like a violation of ``check`` but must raise no finding of it."""
        self.near.append((check, request_id, "", why))


def _pick(rng: random.Random, rows: list[dict], n: int, used: set[str], pred) -> list[dict]:
    pool = [r for r in rows if r["request_id"] not in used and pred(r)]
    chosen = rng.sample(pool, n)
    used.update(r["request_id"] for r in chosen)
    return chosen


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _base_requests(rng: random.Random, n_requests: int) -> list[dict]:
    span = (T1 - T0).total_seconds()
    requests: list[dict] = []
    instruments = ["cets224_art7"] * 45 + ["cets224_art8"] * 25 + ["cets224_art9"] * 5 + \
        ["cets224_art10"] * 3 + ["cets224_art6"] * 5 + ["mla"] * 10 + ["eu_epoc"] * 1 + ["other"] * 1
    parties = list(ISSUERS)
    weights = list(ISSUERS.values())
    for n in range(1, n_requests + 1):
        party = rng.choices(parties, weights)[0]
        inst = rng.choice(instruments)
        if inst == "cets224_art6":
            provider = "nameco"
        elif inst == "cets224_art7":
            provider = rng.choice(["examplemail", "chatapp", "cloudbox", "hostco"])
        else:
            provider = rng.choice(["examplemail", "chatapp", "cloudbox", "hostco", "jpmail"])
        if PROVIDERS[provider] == party:  # keep every request cross-border
            provider = "cloudbox" if party != "IE" else "examplemail"
        if inst == "eu_epoc" and PROVIDERS[provider] not in ("IE", "NL"):
            provider = "cloudbox"
        if inst == "eu_epoc" and party in ("GB", "US"):
            inst = "mla"
        issued = T0 + timedelta(seconds=rng.uniform(0, span))
        issued = issued.replace(microsecond=0)
        transmitted = issued + timedelta(hours=rng.randint(0, 6))
        received = transmitted + timedelta(minutes=rng.randint(5, 600))
        cats = {
            "cets224_art6": "domain_registration", "cets224_art7": "subscriber",
            "cets224_art8": rng.choice(["subscriber", "subscriber;traffic"]),
            "cets224_art9": "traffic;content", "cets224_art10": "content", "mla": "content",
            "eu_epoc": rng.choice(["subscriber", "traffic"]), "other": "subscriber",
        }[inst]
        if inst == "cets224_art8" and PROVIDERS[provider] == "IE":
            cats = "subscriber"  # IE reserved Art. 8(13) (traffic data) in the sample profiles
        emergency = inst in ("cets224_art9", "cets224_art10")
        rid = f"{party}-{issued.year}-{n:05d}"
        row = {
            "request_id": rid,
            "instrument": inst,
            "issuing_party": party,
            "issuing_authority": AUTHORITIES[party],
            "authority_type": "prosecutor" if inst in ("cets224_art7", "cets224_art8", "eu_epoc") else rng.choice(["prosecutor", "police"]),
            "validating_authority": "",
            "validating_authority_type": "",
            "channel": {"cets224_art7": "provider_portal", "cets224_art6": "direct", "cets224_art9": "network_24_7",
                        "eu_epoc": "eu_decentralised", "other": "other"}.get(inst, "central_authority"),
            "linked_request_id": "",
            "receiving_party": PROVIDERS[provider],
            "provider": provider,
            "case_reference": f"CASE-{party}-{rng.randint(1000, 9999)}",
            "offence": rng.choice(["fraud (computer-related)", "child sexual abuse material", "ransomware extortion",
                                   "illegal access", "threats to kill"]),
            "offence_max_penalty_years": rng.choice(["5", "7", "10"]),
            "legal_basis": "Code of Criminal Procedure, production orders",
            "purpose": PURPOSE,
            "necessity_rationale": "Identifies the holder of the account used in the offence; no less intrusive means available.",
            "protocol_statement": "true" if inst.startswith("cets224") else "",
            "data_description": f"{cats} data for {rng.randint(1, 3)} account(s) between the stated dates",
            "data_requested": cats,
            "identifiers_count": str(rng.randint(1, 3)),
            "data_time_from": (issued - timedelta(days=90)).strftime("%Y-%m-%d"),
            "data_time_to": issued.strftime("%Y-%m-%d"),
            "subscriber_identifier": f"target{n}@mail.example",
            "emergency": "true" if emergency else "false",
            "emergency_justification": "Credible threat to kill a named person within 48 hours" if emergency else "",
            "issued_at": iso(issued),
            "transmitted_at": iso(transmitted),
            "provider_received_at": iso(received) if inst != "cets224_art8" else "",
            "served_at": "",
            "notification_sent_at": "",
            "return_timeframe_days": "30",
            "deadline_at": "",
            "preservation_reference": "",
            "contact_point": f"{party} central contact point",
            **dict.fromkeys(EXTRA_REQUEST_COLUMNS, ""),
        }
        if inst == "cets224_art8":
            if PROVIDERS[provider] == "NL":
                row["no_prior_attempt_reason"] = "provider does not answer direct orders"
            complete = transmitted + timedelta(days=rng.randint(0, 2), hours=rng.randint(0, 8))
            served = complete + timedelta(days=rng.randint(3, 38), hours=rng.randint(0, 8))
            row["all_information_received_at"] = iso(complete)
            row["served_at"] = iso(served)
            row["provider_received_at"] = iso(served + timedelta(hours=1))
            row["ordered_return_by"] = iso(served + timedelta(days=20))
            if "traffic" in cats:
                row["ordered_traffic_return_by"] = iso(served + timedelta(days=45))
        if inst == "cets224_art7" and PROVIDERS[provider] == "IE":
            row["notification_sent_at"] = iso(transmitted)  # simultaneous
            row["notification_statement"] = "true"  # and the order says so (Art. 7(4)(g))
        requests.append(row)
    return requests


def generate(n_requests: int = 3000, seed: int = SEED) -> tuple[dict[str, pd.DataFrame], dict]:
    rng = random.Random(seed)
    truth = Truth()
    as_of = datetime.fromisoformat(AS_OF).replace(tzinfo=UTC)
    requests = _base_requests(rng, n_requests)
    used = truth.used
    by_id = {r["request_id"]: r for r in requests}

    def cets(*names: str):
        names = names or CETS
        return lambda r: r["instrument"] in names

    # ---- planted request-level violations -------------------------------------------------
    for r in _pick(rng, requests, 6, used, cets("cets224_art9", "cets224_art10")):
        r["emergency_justification"] = ""
        truth.add("NEC001", r["request_id"])
    for r in _pick(rng, requests, 8, used, cets()):
        r["necessity_rationale"] = ""
        truth.add("PRO001", r["request_id"])
    for r in _pick(rng, requests, 5, used, lambda r: r["instrument"] == "cets224_art7" and r["receiving_party"] in ("IE", "NL")):
        r["authority_type"] = "police"
        truth.add("PRO002", r["request_id"])
    for r in _pick(rng, requests, 5, used, cets("cets224_art7")):
        r["data_requested"] = "subscriber;traffic"
        truth.add("MIN002", r["request_id"])
    for i, r in enumerate(_pick(rng, requests, 4, used, cets("cets224_art7"))):
        if i % 2 == 0:
            r["protocol_statement"] = "false"
        else:
            r["offence"] = ""
        truth.add("COM001", r["request_id"])
    for r in _pick(rng, requests, 3, used, lambda r: r["instrument"] == "cets224_art7" and r["issuing_party"] != "US"):
        r["provider"], r["receiving_party"] = "jpmail", "JP"
        r["notification_sent_at"] = r["notification_statement"] = ""
        truth.add("COM002", r["request_id"])
    for r in _pick(rng, requests, 4, used, cets("cets224_art8")):
        r["issuing_party"], r["issuing_authority"] = "CA", AUTHORITIES["CA"]
        truth.add("COM003", r["request_id"])
    for i, r in enumerate(_pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art7" and r["receiving_party"] == "IE")):
        t = _ts(r["transmitted_at"])
        r["notification_sent_at"] = "" if i % 2 == 0 else iso(t + timedelta(days=2))
        truth.add("NOT001", r["request_id"])
    # Art. 7(4)(g): the order does not state the simultaneous notification IE requires
    for r in _pick(rng, requests, 3, used, lambda r: r["instrument"] == "cets224_art7" and r["receiving_party"] == "IE"):
        r["notification_statement"] = "false"
        truth.add("NOT004", r["request_id"])
    # Art. 8(6)(a) service: the clock runs from receipt of all the information (TIM001, advisory)
    for r in _pick(rng, requests, 4, used, cets("cets224_art8")):
        served = _ts(r["all_information_received_at"]) + timedelta(days=rng.randint(50, 60))
        _serve(r, served)
        truth.add("TIM001", r["request_id"], kind="advisory")
    for r in _pick(rng, requests, 2, used, cets("cets224_art8")):  # late after transmission, not after completion
        t = _ts(r["transmitted_at"])
        r["all_information_received_at"] = iso(t + timedelta(days=20))
        _serve(r, t + timedelta(days=rng.randint(50, 60)))
        truth.near_miss("TIM001", r["request_id"], "served over 45 days after transmission, within 45 after the "
                        "information was complete")
    # Art. 8(6)(a)(i)-(ii): the return date the requested Party ordered (TIM002)
    tim002_ordered = _pick(rng, requests, 3, used, lambda r: r["instrument"] == "cets224_art8"
                           and r["served_at"] < "2026-03-01")
    for i, r in enumerate(tim002_ordered):
        served = _ts(r["served_at"])
        if "traffic" in r["data_requested"] and i == 2:  # one date for both parts: 45 days
            r["ordered_return_by"], r["ordered_traffic_return_by"] = iso(served + timedelta(days=45)), ""
        else:
            r["ordered_return_by"] = iso(served + timedelta(days=rng.randint(28, 35)))
        truth.add("TIM002", r["request_id"])
    late_answer = _pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art8"
                        and r["data_requested"] == "subscriber" and r["served_at"] < "2026-03-01")
    for i, r in enumerate(late_answer):
        if i < 2:  # no ordered date on record: the late answer is evidence only (advisory)
            r["ordered_return_by"] = ""
            truth.add("TIM002", r["request_id"], kind="advisory")
        else:
            truth.near_miss("TIM002", r["request_id"], "ordered within 20 days; the provider answered late")
    late_answer_ids = {r["request_id"] for r in late_answer}
    forced_disclosed, forced_refused, tim004 = _plant_second_set(rng, requests, truth)

    # ---- disclosures ------------------------------------------------------------------------
    disclosures: list[dict] = []

    def cets_or(*extra: str):
        return lambda r: r["instrument"] in CETS + extra

    min001 = {r["request_id"] for r in _pick(rng, requests, 7, used, lambda r: r["instrument"] == "cets224_art8" and r["data_requested"] == "subscriber")}
    min001_near = {r["request_id"] for r in _pick(rng, requests, 2, used, lambda r: r["instrument"] == "mla"
                                                  and r["data_requested"] == "content")}
    not002 = {r["request_id"] for r in _pick(
        rng, requests, 6, used, lambda r: r["issued_at"] < "2025-12-01" and r["instrument"] == "cets224_art7"
        and r["issuing_party"] in ("DE", "ES", "GB", "US"))}
    not002_near = {r["request_id"]: why for r, why in zip(
        _pick(rng, requests, 3, used, lambda r: r["issued_at"] < "2025-12-01" and (
            (r["instrument"] == "cets224_art7" and r["issuing_party"] == "FR")
            or (r["instrument"] == "mla" and r["issuing_party"] in ("DE", "GB")))),
        ("", "", ""), strict=True)}
    sen001 = {r["request_id"] for r in _pick(
        rng, requests, 4, used, lambda r: r["instrument"] in ("cets224_art7", "cets224_art9") and r["issued_at"] < "2026-03-01")}
    sen001_near = {r["request_id"] for r in _pick(rng, requests, 2, used, lambda r: r["instrument"] == "mla"
                                                  and r["issued_at"] < "2026-03-01")}
    forced_disclosed |= sen001 | sen001_near | min001_near | set(not002_near)
    for r in requests:
        rid = r["request_id"]
        if rng.random() < 0.08 and rid not in (min001 | not002 | late_answer_ids | forced_disclosed | forced_refused) and \
                r["instrument"] != "cets224_art8" and r["emergency"] != "true":
            continue  # no answer yet (and no deadline check depends on it)
        if r["instrument"] == "cets224_art8":
            served = _ts(r["served_at"])
            limit = 20 if r["data_requested"] == "subscriber" else 45
            days = rng.randint(25, 35) if rid in late_answer_ids else rng.randint(2, limit)
            responded = served + timedelta(days=days)
        else:
            start = _ts(r["provider_received_at"])
            hours = rng.randint(1, 30) if r["emergency"] == "true" else rng.randint(24, 24 * 25)
            if rid in tim004:
                hours = rng.randint(60, 120)  # beyond the 48-hour rapid-decision threshold
            responded = start + timedelta(hours=hours)
        if responded > as_of:
            if rid in late_answer_ids:
                responded = as_of - timedelta(days=1)
            else:
                continue
        outcome = rng.choices(["disclosed", "partial", "refused", "no_data"], [80, 8, 7, 5])[0]
        if rid in (min001 | not002 | forced_disclosed):
            outcome = "disclosed"
        if rid in forced_refused:
            outcome = "refused"
        disclosed = r["data_requested"] if outcome in ("disclosed", "partial") else ""
        if outcome == "partial" and ";" in disclosed:
            disclosed = disclosed.split(";")[0]
        if rid in min001:
            disclosed = "subscriber;traffic"
            truth.add("MIN001", rid, f"D-{rid}")
        if rid in min001_near:
            disclosed = "content;subscriber"
            truth.near_miss("MIN001", rid, "mutual assistance: data beyond the request are not judged by Art. 14(2)(b)")
        got = responded + timedelta(hours=rng.randint(1, 12))
        d = {
            "disclosure_id": f"D-{rid}",
            "request_id": rid,
            "provider": r["provider"],
            "responded_at": iso(responded),
            "outcome": outcome,
            "refusal_ground": "conflict with fundamental domestic principles" if outcome == "refused" else "",
            "data_disclosed": disclosed,
            "records_disclosed": str(rng.randint(1, 3)) if disclosed else "0",
            "sensitive_data": "false",
            "safeguard_reference": "",
            "received_at": iso(got) if disclosed else "",
            "user_notified_at": "",
            "notification_blocked_by": "",
            "decided_at": iso(responded - timedelta(hours=rng.randint(2, 30)))
            if outcome == "refused" and r["instrument"] == "cets224_art8" else "",
        }
        if rid in sen001 | sen001_near:
            d["sensitive_data"] = "true"
            if rid in sen001:
                truth.add("SEN001", rid, d["disclosure_id"])
            else:
                truth.near_miss("SEN001", rid, "mutual assistance: Art. 14(4) does not govern it")
        elif disclosed and r["offence"] == "child sexual abuse material" and rid.endswith("0"):
            d["sensitive_data"], d["safeguard_reference"] = "true", f"RESTRICTED-{r['issuing_party']}-14(4)"
        if outcome in ("disclosed", "partial"):
            if rid in not002:
                truth.add("NOT002", rid, d["disclosure_id"])
            elif rid in not002_near:
                truth.near_miss("NOT002", rid, "a general notice is published (FR)" if r["instrument"] != "mla"
                                else "mutual assistance: Art. 14(11) does not govern it")
            elif responded + timedelta(days=60) < as_of and rng.random() < 0.6:
                d["user_notified_at"] = iso(responded + timedelta(days=rng.randint(10, 60)))
            else:
                d["notification_blocked_by"] = rng.choice(["confidentiality_order", "law"])
        disclosures.append(d)
    _plant_refusal_notices(rng, requests, disclosures, truth)
    _label_suspension(by_id, disclosures, truth)

    # ---- custody events ---------------------------------------------------------------------
    events = _custody_events(rng, requests, by_id, disclosures, truth, as_of)

    tables = {
        "requests": pd.DataFrame(requests),
        "disclosures": pd.DataFrame(disclosures),
        "custody_events": pd.DataFrame(events),
        "parties": pd.DataFrame(
            [
                {"party": p, "cets224_ratified_at": rat, "art7_reserved": res, "art7_supervision_required": sup,
                 "art7_notification_required": notif, "art8_traffic_reserved": traf,
                 "retention_max_days": RETENTION_MAX.get(p, ""), "incident_notice_hours": INCIDENT_HOURS.get(p, ""),
                 "eu_2023_1543_bound": "",
                 **{f: DECLARATIONS.get(p, {}).get(f, "false" if p not in ("JP", "RS") else "")
                    for f in DECLARATION_FIELDS},
                 "general_notice_published": GENERAL_NOTICE.get(p, ""),
                 "transfers_suspended_from": SUSPENDED.get(p, ("", ""))[0],
                 "transfers_suspended_until": SUSPENDED.get(p, ("", ""))[1]}
                for p, rat, res, sup, notif, traf in PARTIES
            ]
        ),
    }
    eu_labels, eu_near = add_eu_scenarios(tables, seed)  # labelled EU 2023/1543 scenarios (eu_scenarios.py)
    labels = sorted(set(truth.labels) | set(eu_labels) | set(_eu001_labels(tables)))
    near = sorted(set(truth.near) | set(eu_near))
    quarantine = _plant_bad_rows(tables)
    counts: dict[str, int] = {}
    kinds: dict[str, dict[str, int]] = {}
    for c, _r, _e, kind in labels:
        counts[c] = counts.get(c, 0) + 1
        kinds.setdefault(c, {"breach": 0, "advisory": 0})[kind] += 1
    req = tables["requests"]
    good = req[~req["request_id"].astype(str).str.startswith("BAD-")]
    outside = good[~good["instrument"].isin(CETS + ("eu_epoc", "eu_epoc_pr"))]
    expected = {
        "as_of": AS_OF,
        "seed": seed,
        "packs": ["cets224", "eu2023_1543"],
        "rows": {k: len(v) for k, v in tables.items()},
        "quarantined": quarantine,
        "findings_per_check": dict(sorted(counts.items())),
        "kinds_per_check": dict(sorted(kinds.items())),
        # ground truth per request: the requests each check must flag (the family follows from the check)
        "requests_per_check": {c: sorted({r for c2, r, _e, _k in labels if c2 == c}) for c in sorted(counts)},
        "outside_audited_instruments": {k: int(v) for k, v in outside["instrument"].value_counts().sort_index().items()},
        "labels": [list(x) for x in labels],
        "near_misses": [list(x) for x in near],
    }
    return tables, expected


def _serve(r: dict, served: datetime) -> None:
    """Art. 8: the requested Party serves the provider at ``served`` (and orders the return
    within the Art. 8(6)(a) periods from then)."""
    r["served_at"] = iso(served)
    r["provider_received_at"] = iso(served + timedelta(hours=1))
    r["ordered_return_by"] = iso(served + timedelta(days=20))
    if r["ordered_traffic_return_by"]:
        r["ordered_traffic_return_by"] = iso(served + timedelta(days=45))


def _plant_second_set(rng: random.Random, requests: list[dict], truth: Truth) -> tuple[set[str], set[str], set[str]]:
    """Violations of the checks added with the complete CETS 224 pack and since, with their
    compliant counterparts and near misses. Returns the requests whose answer must be a
    disclosure, those whose answer must be a refusal, and the emergency requests to answer late
    (TIM004)."""
    used = truth.used

    def pick(n: int, pred) -> list[dict]:
        return _pick(rng, requests, n, used, pred)

    def inst(*names: str):
        return lambda r: r["instrument"] in names

    for i, r in enumerate(pick(3, inst("cets224_art6"))):
        r[("contact_point", "return_timeframe_days", "protocol_statement")[i]] = "" if i < 2 else "false"
        truth.add("COM004", r["request_id"])
    # Art. 7(3)(f): a description is the text's requirement; identifiers and a period are the
    # auditor's reading of "specific" (advisory)
    for i, r in enumerate(pick(4, inst("cets224_art7"))):
        if i == 0:
            r["data_description"] = ""
        elif i == 1:
            r["identifiers_count"] = "0"
        elif i == 2:
            r["data_time_to"] = ""
        else:  # a range that ends before it starts
            r["data_time_from"] = (_ts(r["issued_at"]) + timedelta(days=2)).strftime("%Y-%m-%d")
        truth.add("COM005", r["request_id"], kind="breach" if i == 0 else "advisory")
    for i, r in enumerate(pick(4, inst("cets224_art7"))):
        r[("legal_basis", "offence_max_penalty_years", "contact_point", "return_timeframe_days")[i]] = ""
        truth.add("COM006", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "NL"):
        r["no_prior_attempt_reason"] = ""
        truth.add("COM007", r["request_id"])
    for r in pick(2, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "NL"):
        r["no_prior_attempt_reason"], r["data_requested"] = "", "traffic"  # Art. 7(8): subscriber information only
        r["data_description"] = "traffic data for 1 account between the stated dates"
        r["ordered_return_by"] = iso(_ts(r["served_at"]) + timedelta(days=45))
        r["ordered_traffic_return_by"] = ""
        truth.near_miss("COM007", r["request_id"], "traffic data only: Art. 7(8) covers subscriber information")
    for i, r in enumerate(pick(5, inst("cets224_art8"))):
        col = ("protocol_statement", "offence", "data_description", "legal_basis", "contact_point")[i]
        r[col] = "false" if col == "protocol_statement" else ""
        truth.add("COM008", r["request_id"])
    for i, r in enumerate(pick(4, inst("cets224_art9"))):
        col = ("protocol_statement", "offence", "legal_basis", "data_description")[i]
        r[col] = "false" if col == "protocol_statement" else ""
        truth.add("COM009", r["request_id"])
    # Art. 9(1): emergency requests go 24/7 point of contact to 24/7 point of contact
    for i, r in enumerate(pick(3, inst("cets224_art9"))):
        r["channel"] = ("central_authority", "direct", "provider_portal")[i]
        truth.add("COM010", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "IE"):
        r["data_requested"] = "subscriber;traffic"
        r["ordered_traffic_return_by"] = iso(_ts(r["served_at"]) + timedelta(days=45))
        truth.add("RES001", r["request_id"])
    # Art. 8(11): JP requires the central authority "or such other authority as mutually determined"
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "JP"):
        r["channel"], r["agreed_authority"] = "direct", "false"
        truth.add("RES002", r["request_id"])
    for r in pick(2, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "JP"):
        r["channel"], r["agreed_authority"] = "direct", "true"
        truth.near_miss("RES002", r["request_id"], "sent by an authority mutually determined under Art. 8(11)")
    for r in pick(3, lambda r: r["instrument"] == "cets224_art9" and r["receiving_party"] == "NL"):
        r["data_requested"] = "subscriber"
        truth.add("RES003", r["request_id"])
    # Art. 10(9): US accepts 24/7 requests with a same-day copy; IE and NL accept none
    for i, r in enumerate(pick(3, lambda r: r["instrument"] == "cets224_art10" and r["receiving_party"] == "US")):
        r["channel"] = "network_24_7"
        if i < 2:
            truth.add("NOT003", r["request_id"])  # no copy to the central authority
        else:
            r["central_authority_copy_at"] = r["transmitted_at"]
    for r in pick(2, lambda r: r["instrument"] == "cets224_art10" and r["receiving_party"] in ("IE", "NL")):
        r["channel"], r["central_authority_copy_at"] = "network_24_7", r["transmitted_at"]
        truth.add("NOT003", r["request_id"])
    # Art. 13 proportionality thresholds: the auditor's policy (advisory)
    for i, r in enumerate(pick(4, lambda r: r["instrument"].startswith("cets224"))):
        if i % 2 == 0:
            r["identifiers_count"] = "250"
        else:
            r["data_time_from"] = (_ts(r["issued_at"]) - timedelta(days=3 * 365)).strftime("%Y-%m-%d")
        truth.add("PRO003", r["request_id"], kind="advisory")
    for r in pick(4, lambda r: r["instrument"].startswith("cets224")):
        r["purpose"] = ""
        truth.add("NEC002", r["request_id"])
    for r in pick(2, inst("cets224_art6")):
        r["data_requested"] = "domain_registration;subscriber"
        truth.add("MIN003", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] != "IE"):
        r["data_requested"] = "subscriber;traffic;content"
        r["ordered_traffic_return_by"] = iso(_ts(r["served_at"]) + timedelta(days=45))
        truth.add("MIN004", r["request_id"])
    # Art. 7(7): escalations linked to an Art. 7 order of the same Party, 3 premature and 3 in
    # time; the finding is the Art. 7 order's (record: the escalating request)
    forced: set[str] = set()
    orders = [r for r in requests if r["instrument"] == "cets224_art7" and r["request_id"] not in used]
    for i, esc in enumerate(pick(6, lambda r: r["instrument"] in ("cets224_art8", "mla")
                                 and r["issued_at"] > "2025-06-01")):
        lo, hi = (5, 25) if i < 3 else (40, 90)
        issued = _ts(esc["issued_at"])
        pool = [o for o in orders if o["request_id"] not in used and o["issuing_party"] == esc["issuing_party"]
                and lo <= (issued.date() - _ts(o["provider_received_at"]).date()).days <= hi]
        order = rng.choice(pool)
        used.add(order["request_id"])
        forced.add(order["request_id"])  # answered (not refused), so only the period allows escalation
        esc["linked_request_id"] = order["request_id"]
        if i < 3:
            truth.add("TIM003", order["request_id"], esc["request_id"])
    # Art. 9(6)/10(4) "rapidly expedited": the hours are the auditor's policy (advisory)
    tim004 = {r["request_id"] for r in pick(3, lambda r: r["emergency"] == "true" and r["issued_at"] < "2026-03-01")}
    for rid in tim004:
        truth.add("TIM004", rid, kind="advisory")
    # Art. 7(5)(c)-(d): the host Party tells the provider not to disclose, and the issuer why
    refused: set[str] = set()
    for r in pick(3, lambda r: r["instrument"] == "cets224_art7" and r["issued_at"] < "2026-03-01"):
        stop = _ts(r["provider_received_at"]) + timedelta(hours=2)
        r["host_instruction_at"], r["issuer_informed_at"] = iso(stop), iso(stop + timedelta(hours=20))
        forced.add(r["request_id"])  # the provider discloses anyway
        truth.add("NOT005", r["request_id"], f"D-{r['request_id']}")
    for r in pick(2, lambda r: r["instrument"] == "cets224_art7" and r["issued_at"] < "2026-03-01"):
        stop = _ts(r["provider_received_at"]) + timedelta(hours=2)
        r["host_instruction_at"], r["issuer_informed_at"] = iso(stop), iso(stop + timedelta(hours=6))
        refused.add(r["request_id"])  # compliant: the provider refuses
    for i, r in enumerate(pick(4, lambda r: r["instrument"] == "cets224_art7" and r["issued_at"] < "2026-03-01")):
        stop = _ts(r["provider_received_at"]) + timedelta(hours=2)
        r["host_instruction_at"] = iso(stop)
        r["issuer_informed_at"] = iso(stop + timedelta(days=rng.randint(9, 14))) if i < 2 else ""
        refused.add(r["request_id"])
        truth.add("NOT006", r["request_id"], kind="advisory" if i < 2 else "breach")
    return forced, refused, tim004


def _plant_refusal_notices(rng: random.Random, requests: list[dict], disclosures: list[dict], truth: Truth) -> None:
    """Art. 8(8): refusals notified as soon as practicable; three notified two weeks after the
    decision (TIM005, advisory)."""
    by_id = {r["request_id"]: r for r in requests}
    refused = [d for d in disclosures if d["decided_at"] and d["request_id"] not in truth.used]
    for d in rng.sample(refused, 3):
        truth.used.add(d["request_id"])
        d["decided_at"] = iso(_ts(d["responded_at"]) - timedelta(days=rng.randint(15, 20)))
        assert by_id[d["request_id"]]["instrument"] == "cets224_art8"
        truth.add("TIM005", d["request_id"], d["disclosure_id"], kind="advisory")


def _label_suspension(by_id: dict[str, dict], disclosures: list[dict], truth: Truth) -> None:
    """Art. 14(15): every disclosure to a Party during the suspension of transfers to it."""
    for party, (start, end) in SUSPENDED.items():
        lo = datetime.fromisoformat(start).replace(tzinfo=UTC)
        hi = datetime.fromisoformat(end).replace(tzinfo=UTC) + timedelta(days=1)
        for d in disclosures:
            r = by_id[d["request_id"]]
            if r["issuing_party"] != party or d["outcome"] not in ("disclosed", "partial"):
                continue
            if lo <= _ts(d["responded_at"]) < hi:
                if r["instrument"] in CETS:
                    truth.add("ONW003", r["request_id"], d["disclosure_id"])
                else:
                    truth.near_miss("ONW003", r["request_id"], f"{r['instrument']}: Art. 14(15) does not govern it")


def _custody_events(rng: random.Random, requests: list[dict], by_id: dict[str, dict], disclosures: list[dict],
                    truth: Truth, as_of: datetime) -> list[dict]:
    used = truth.used
    events: list[dict] = []
    with_data = [d for d in disclosures if d["data_disclosed"] and _ts(d["received_at"]) <= as_of]

    def sample(n: int, pred) -> set[str]:
        pool = [d["request_id"] for d in with_data if d["request_id"] not in used and pred(by_id[d["request_id"]])]
        chosen = set(rng.sample(pool, n))
        used.update(chosen)
        return chosen

    def cets(r: dict) -> bool:
        return r["instrument"] in CETS

    def outside(r: dict) -> bool:
        return r["instrument"] in ("mla", "eu_epoc", "other")

    def received_before(days: int, party: str | None = None, inst=cets):
        limit = as_of - timedelta(days=days)
        ok = {d["request_id"] for d in with_data if _ts(d["received_at"]) < limit}
        return lambda r: r["request_id"] in ok and inst(r) and (party is None or r["issuing_party"] == party)

    ret001 = sample(6, cets)
    ret002 = sample(4, lambda r: cets(r) and r["issuing_party"] == "DE")
    ret002_held = sample(2, received_before(200, "DE"))  # no retention date at all, past DE's maximum
    ret004 = sample(2, received_before(400, "GB"))  # no retention date and no review, past the interval
    onw001 = sample(4, cets)
    onw002 = sample(3, cets)
    sec001 = sample(5, cets)
    sec002 = sample(2, cets)
    rec001 = sample(5, cets)
    ret003 = sample(3, lambda r: cets(r) and r["issuing_party"] == "GB")
    aut001 = sample(3, cets)
    nec003 = sample(3, cets)
    # near misses: the same defects on data not received under the Protocol, or allowed by the text
    near = {
        "RET001": sample(1, lambda r: r["instrument"] == "eu_epoc"),
        "RET002": sample(1, received_before(200, "DE", lambda r: r["instrument"] == "mla")),
        "ONW001": sample(2, outside),
        "ONW002": sample(1, outside),
        "REC001": sample(2, outside),
        "AUT001": sample(1, outside),
        "AUT001 no effect": sample(2, cets),
        "SEC001 no risk": sample(1, cets),
        "SEC001 exempt": sample(1, cets),
        "SEC001": sample(1, outside),
        "NEC003": sample(1, outside),
    }
    seq = 0

    def ev(rid: str, kind: str, at: datetime, **kw) -> dict:
        nonlocal seq
        seq += 1
        purpose = by_id[rid]["purpose"] if kind in ("accessed", "shared_domestic", "transferred_onward") else ""
        e = {"event_id": f"E-{seq:06d}", "request_id": rid, "event": kind, "at": iso(at),
             "actor": kw.get("actor", "investigator"), "counterparty": kw.get("counterparty", ""),
             "reference": kw.get("reference", by_id[rid]["case_reference"]), "until": kw.get("until", ""),
             "purpose": kw.get("purpose", purpose), "significant_adverse_effect": kw.get("effect", ""),
             "significant_risk": kw.get("risk", ""), "notice_exemption": kw.get("exemption", ""),
             "granted_by_party": kw.get("granted_by", "")}
        events.append(e)
        return e

    def why(check: str) -> str:
        inst = by_id[rid]["instrument"]
        return f"{inst}: data not received under CETS 224, Art. 14 does not govern them"

    for d in with_data:
        rid = d["request_id"]
        r = by_id[rid]
        party = r["issuing_party"]
        got = _ts(d["received_at"])
        ev(rid, "received", got, actor="registry clerk")
        acc = ev(rid, "accessed", got + timedelta(hours=rng.randint(1, 48)))
        if rid in rec001 or rid in near["REC001"]:
            if rng.random() < 0.5:
                acc["actor"] = ""
            else:
                acc["reference"] = ""
            if rid in rec001:
                truth.add("REC001", rid, acc["event_id"])
            else:
                truth.near_miss("REC001", rid, why("REC001"))
        if rid in nec003 or rid in near["NEC003"]:
            use = ev(rid, "accessed", got + timedelta(days=3), purpose="intelligence analysis for another investigation",
                     reference=f"INTEL-{party}-{rng.randint(100, 999)}")
            if rid in nec003:
                truth.add("NEC003", rid, use["event_id"])
            else:
                truth.near_miss("NEC003", rid, why("NEC003"))
        max_days = RETENTION_MAX.get(party, 180)
        if rid in ret002_held or rid in near["RET002"]:  # no retention decision at all, past the maximum
            if rid in ret002_held:
                truth.add("RET002", rid)
            else:
                truth.near_miss("RET002", rid, why("RET002"))
        elif rid in ret004:
            truth.add("RET004", rid)
        else:
            keep = max_days if rid not in ret002 else max_days + rng.randint(30, 200)
            if rid in ret003:  # GB sets no retention period: the next review must be within a year
                keep = rng.randint(400, 700)
                truth.add("RET003", rid, kind="advisory")
            until = got + timedelta(days=keep)
            ev(rid, "retention_set", got + timedelta(hours=2), until=until.strftime("%Y-%m-%d"))
            until_day = datetime(until.year, until.month, until.day, tzinfo=UTC)
            if rid in ret002:
                truth.add("RET002", rid)
            planted = rid in ret001 or rid in near["RET001"]
            if until_day < as_of:
                if planted:
                    if rid in ret001:
                        truth.add("RET001", rid)
                    else:
                        truth.near_miss("RET001", rid, why("RET001"))
                    if rng.random() < 0.5:
                        ev(rid, "deleted", until_day + timedelta(days=rng.randint(2, 20)))
                elif party == "GB" and rng.random() < 0.5:
                    ev(rid, "retention_reviewed", until_day - timedelta(days=3), actor="data protection officer")
                else:
                    ev(rid, "deleted", until_day - timedelta(days=rng.randint(0, 5)))
            elif planted:  # needs a due date: move it into the past
                events[-1]["until"] = (got + timedelta(days=20)).strftime("%Y-%m-%d")
                if got + timedelta(days=20) < as_of - timedelta(days=1):
                    if rid in ret001:
                        truth.add("RET001", rid)
                    else:
                        truth.near_miss("RET001", rid, why("RET001"))
                else:
                    raise RuntimeError("sample data: RET001 plant cannot be due")
        if rid in onw002 or rid in near["ONW002"] or rng.random() < 0.08:
            share = ev(rid, "shared_domestic", got + timedelta(days=2), counterparty=f"{party} cybercrime unit",
                       reference=f"MoU-{party}-14(9)")
            if rid in onw002 or rid in near["ONW002"]:
                share["reference"] = ""
                if rid in onw002:  # REC001 leaves a share's reference to ONW002
                    truth.add("ONW002", rid, share["event_id"])
                else:
                    truth.near_miss("ONW002", rid, why("ONW002"))
        if rid in onw001 or rid in near["ONW001"] or rng.random() < 0.04:
            to = "Europol" if rng.random() < 0.5 else "CH"
            t = got + timedelta(days=5)
            transferring = r["receiving_party"]
            if rid in onw001 or rid in near["ONW001"]:
                kind = sorted(onw001).index(rid) % 3 if rid in onw001 else 0
                if kind == 1:  # authorised only after the transfer
                    ev(rid, "transfer_authorised", t + timedelta(days=3), counterparty=to, actor="central authority",
                       granted_by=transferring)
                elif kind == 2:  # authorised before, but by the receiving Party itself (Art. 14(10)(a))
                    ev(rid, "transfer_authorised", t - timedelta(days=1), counterparty=to, actor="prosecutor",
                       granted_by=party)
                tr = ev(rid, "transferred_onward", t, counterparty=to)
                if rid in onw001:
                    truth.add("ONW001", rid, tr["event_id"])
                else:
                    truth.near_miss("ONW001", rid, why("ONW001"))
            else:
                ev(rid, "transfer_authorised", t - timedelta(days=1), counterparty=to, actor="central authority",
                   granted_by=transferring)
                ev(rid, "transferred_onward", t, counterparty=to)
        incident = (rid in sec001 or rid in sec002 or rid in near["SEC001"] or rid in near["SEC001 no risk"]
                    or rid in near["SEC001 exempt"] or rng.random() < 0.01)
        if incident:
            t = got + timedelta(days=7)
            hours = INCIDENT_HOURS.get(party, 72)
            risk = "false" if rid in near["SEC001 no risk"] else "true"
            exemption = "national security (Art. 14(7)(b))" if rid in near["SEC001 exempt"] else ""
            inc = ev(rid, "security_incident", t, actor="IT security", risk=risk, exemption=exemption)
            notify_at = t + timedelta(hours=rng.randint(1, hours))
            recipient = r["receiving_party"]
            if rid in sec001:
                k = sorted(sec001).index(rid)
                if k == 0:  # never notified to anyone
                    notify_at = None
                elif k == 1:  # notified only to someone else than the transferring authority
                    recipient = f"{party} data protection authority"
                else:  # late: a breach against the Party's own period, advisory against the default
                    notify_at = t + timedelta(hours=hours + 5)
                advisory = k >= 2 and party not in INCIDENT_HOURS
                truth.add("SEC001", rid, inc["event_id"], kind="advisory" if advisory else "breach")
            elif rid in near["SEC001 no risk"] or rid in near["SEC001 exempt"] or rid in near["SEC001"]:
                notify_at = None
                truth.near_miss("SEC001", rid, "no significant risk of harm" if risk == "false" else
                                "notice omitted on a recorded ground" if exemption else why("SEC001"))
            if notify_at is not None:
                ev(rid, "incident_notified", notify_at, counterparty=recipient)
            if rid in sec002:
                truth.add("SEC002", rid, inc["event_id"], kind="advisory")
            elif risk == "true" and not exemption:
                ev(rid, "subject_notified", t + timedelta(days=2), counterparty="the person concerned")
        decision = rid in aut001 or rid in near["AUT001"] or rid in near["AUT001 no effect"] or (
            r["offence"] == "fraud (computer-related)" and rid.endswith("7"))
        if decision:
            effect = "false" if rid in near["AUT001 no effect"] else "true"
            dec = ev(rid, "automated_decision", got + timedelta(days=3), actor="risk scoring system", effect=effect)
            if rid in aut001:
                truth.add("AUT001", rid, dec["event_id"])
            elif rid in near["AUT001"]:
                truth.near_miss("AUT001", rid, why("AUT001"))
            elif rid in near["AUT001 no effect"]:
                truth.near_miss("AUT001", rid, "no significant adverse effect: Art. 14(6) does not apply")
            else:
                ev(rid, "human_review", got + timedelta(days=4), actor="investigating officer")
    return events


def _eu001_labels(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, str, str]]:
    """The EPOCs of the base log predate the Regulation (issued 2025-01 .. 2026-03): EU001 each."""
    from sample_data.eu_scenarios import APPLIES_FROM, PREFIX  # noqa: PLC0415

    req = tables["requests"]
    base = req[req["instrument"].isin(["eu_epoc", "eu_epoc_pr"]) & ~req["request_id"].astype(str).str.startswith(PREFIX)]
    labels = []
    for rid, issued in zip(base["request_id"], base["issued_at"], strict=True):
        if _ts(str(issued)) >= APPLIES_FROM:
            raise RuntimeError(f"sample data: base EU request {rid} is not pre-application")
        labels.append(("EU001", rid, "", "breach"))
    return labels


def _plant_bad_rows(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """A few malformed rows, so the demo shows quarantine; they must never be audited."""
    req = tables["requests"]
    bad = [req.iloc[0].copy(), req.iloc[1].copy(), req.iloc[2].copy()]
    bad[0]["request_id"], bad[0]["issued_at"] = "BAD-0001", "31/02/2025"
    bad[1]["request_id"], bad[1]["receiving_party"] = "BAD-0002", "Atlantis"
    bad[2]["request_id"], bad[2]["data_requested"] = "BAD-0003", "subscriber;passwords"
    tables["requests"] = pd.concat([req, pd.DataFrame(bad)], ignore_index=True)
    dis = tables["disclosures"]
    orphan = dis.iloc[0].copy()
    orphan["disclosure_id"], orphan["request_id"] = "D-ORPHAN-1", "XX-2025-99999"
    tables["disclosures"] = pd.concat([dis, pd.DataFrame([orphan])], ignore_index=True)
    return {"requests": 3, "disclosures": 1, "custody_events": 0, "parties": 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).parent))
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    tables, expected = generate(args.requests, args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    stale = out / "expected_eu.json"  # merged into expected.json: one run audits both instruments
    if stale.exists():
        stale.unlink()
    print(f"wrote {', '.join(f'{k}: {len(v)}' for k, v in tables.items())} to {out}")


if __name__ == "__main__":
    main()

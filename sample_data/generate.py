"""Deterministic sample data (fixed seed) with planted violations and their ground truth.

    python -m sample_data.generate [--out sample_data] [--requests 3000] [--seed 224]

Writes requests.csv, disclosures.csv, custody_events.csv, parties.csv and expected.json (the
findings the cets224 pack must report on this data with ``as_of`` = AS_OF, one label per
planted violation, the requests each check must flag (``requests_per_check``, the per-request
ground truth the per-family precision/recall test uses) and the rows ingest must quarantine). Every request starts compliant; a
planted violation changes only the fields its check reads, on requests no other plant touches.

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

from sample_data.eu_scenarios import add_eu_scenarios, write_expected_eu

AS_OF = "2026-06-30"
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
INCIDENT_HOURS = {"FR": 72, "DE": 24}
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


def iso(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Truth:
    labels: list[tuple[str, str, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def add(self, check: str, request_id: str, record_id: str = "") -> None:
        self.labels.append((check, request_id, record_id))


def _pick(rng: random.Random, rows: list[dict], n: int, used: set[str], pred) -> list[dict]:
    pool = [r for r in rows if r["request_id"] not in used and pred(r)]
    chosen = rng.sample(pool, n)
    used.update(r["request_id"] for r in chosen)
    return chosen


def generate(n_requests: int = 3000, seed: int = SEED) -> tuple[dict[str, pd.DataFrame], dict]:
    rng = random.Random(seed)
    truth = Truth()
    as_of = datetime.fromisoformat(AS_OF).replace(tzinfo=UTC)
    span = (T1 - T0).total_seconds()
    requests: list[dict] = []
    instruments = ["cets224_art7"] * 45 + ["cets224_art8"] * 25 + ["cets224_art9"] * 5 + \
        ["cets224_art10"] * 3 + ["cets224_art6"] * 5 + ["mla"] * 10 + ["eu_epoc"] * 7
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
            "eu_epoc": rng.choice(["subscriber", "traffic"]),
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
                        "eu_epoc": "eu_decentralised"}.get(inst, "central_authority"),
            "linked_request_id": "",
            "receiving_party": PROVIDERS[provider],
            "provider": provider,
            "case_reference": f"CASE-{party}-{rng.randint(1000, 9999)}",
            "offence": rng.choice(["fraud (computer-related)", "child sexual abuse material", "ransomware extortion",
                                   "illegal access", "threats to kill"]),
            "offence_max_penalty_years": rng.choice(["5", "7", "10"]),
            "legal_basis": "Code of Criminal Procedure, production orders",
            "purpose": "criminal investigation",
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
            "no_prior_attempt_reason": "provider does not answer direct orders" if inst == "cets224_art8"
            and PROVIDERS[provider] == "NL" else "",
            "central_authority_copy_at": "",
        }
        if inst == "cets224_art8":
            served = transmitted + timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 8))
            row["served_at"] = iso(served)
            row["provider_received_at"] = iso(served + timedelta(hours=1))
        if inst == "cets224_art7" and PROVIDERS[provider] == "IE":
            row["notification_sent_at"] = iso(transmitted)  # simultaneous
        requests.append(row)

    used = truth.used
    by_id = {r["request_id"]: r for r in requests}

    # ---- planted request-level violations -------------------------------------------------
    for r in _pick(rng, requests, 6, used, lambda r: r["instrument"] in ("cets224_art9", "cets224_art10")):
        r["emergency_justification"] = ""
        truth.add("NEC001", r["request_id"])
    for r in _pick(rng, requests, 8, used, lambda r: r["instrument"].startswith("cets224")):
        r["necessity_rationale"] = ""
        truth.add("PRO001", r["request_id"])
    for r in _pick(rng, requests, 5, used, lambda r: r["instrument"] == "cets224_art7" and r["receiving_party"] in ("IE", "NL")):
        r["authority_type"] = "police"
        truth.add("PRO002", r["request_id"])
    for r in _pick(rng, requests, 5, used, lambda r: r["instrument"] == "cets224_art7"):
        r["data_requested"] = "subscriber;traffic"
        truth.add("MIN002", r["request_id"])
    for i, r in enumerate(_pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art7")):
        if i % 2 == 0:
            r["protocol_statement"] = "false"
        else:
            r["offence"] = ""
        truth.add("COM001", r["request_id"])
    for r in _pick(rng, requests, 3, used, lambda r: r["instrument"] == "cets224_art7" and r["issuing_party"] != "US"):
        r["provider"], r["receiving_party"] = "jpmail", "JP"
        r["notification_sent_at"] = ""
        truth.add("COM002", r["request_id"])
    for r in _pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art8"):
        r["issuing_party"], r["issuing_authority"] = "CA", AUTHORITIES["CA"]
        truth.add("COM003", r["request_id"])
    for i, r in enumerate(_pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art7" and r["receiving_party"] == "IE")):
        t = datetime.fromisoformat(r["transmitted_at"].replace("Z", "+00:00"))
        r["notification_sent_at"] = "" if i % 2 == 0 else iso(t + timedelta(days=2))
        truth.add("NOT001", r["request_id"])
    tim001 = _pick(rng, requests, 4, used, lambda r: r["instrument"] == "cets224_art8")
    for r in tim001:
        t = datetime.fromisoformat(r["transmitted_at"].replace("Z", "+00:00"))
        served = t + timedelta(days=rng.randint(50, 60))
        r["served_at"] = iso(served)
        r["provider_received_at"] = iso(served + timedelta(hours=1))
        truth.add("TIM001", r["request_id"])
    tim002 = {r["request_id"] for r in _pick(
        rng, requests, 5, used,
        lambda r: r["instrument"] == "cets224_art8" and r["data_requested"] == "subscriber" and r["served_at"] < "2026-03-01")}
    for rid in tim002:
        truth.add("TIM002", rid)
    forced_disclosed, tim004 = _plant_second_set(rng, requests, truth)

    # ---- disclosures ------------------------------------------------------------------------
    disclosures: list[dict] = []
    min001 = {r["request_id"] for r in _pick(rng, requests, 7, used, lambda r: r["instrument"] == "cets224_art8" and r["data_requested"] == "subscriber")}
    not002 = {r["request_id"] for r in _pick(rng, requests, 6, used, lambda r: r["issued_at"] < "2025-12-01" and r["instrument"] == "cets224_art7")}
    sen001 = {r["request_id"] for r in _pick(
        rng, requests, 4, used, lambda r: r["instrument"] in ("cets224_art7", "cets224_art9") and r["issued_at"] < "2026-03-01")}
    forced_disclosed |= sen001
    for r in requests:
        rid = r["request_id"]
        if rng.random() < 0.08 and rid not in (min001 | not002 | tim002 | forced_disclosed) and \
                r["instrument"] != "cets224_art8" and r["emergency"] != "true":
            continue  # no answer yet (and no deadline check depends on it)
        if r["instrument"] == "cets224_art8":
            served = datetime.fromisoformat(r["served_at"].replace("Z", "+00:00"))
            limit = 20 if r["data_requested"] == "subscriber" else 45
            days = rng.randint(25, 35) if rid in tim002 else rng.randint(2, limit)
            responded = served + timedelta(days=days)
        else:
            start = datetime.fromisoformat(r["provider_received_at"].replace("Z", "+00:00"))
            hours = rng.randint(1, 30) if r["emergency"] == "true" else rng.randint(24, 24 * 25)
            if rid in tim004:
                hours = rng.randint(60, 120)  # beyond the 48-hour rapid-decision threshold
            responded = start + timedelta(hours=hours)
        if responded > as_of:
            if rid in tim002:
                responded = as_of - timedelta(days=1)
            else:
                continue
        outcome = rng.choices(["disclosed", "partial", "refused", "no_data"], [80, 8, 7, 5])[0]
        if rid in (min001 | not002 | forced_disclosed):
            outcome = "disclosed"
        disclosed = r["data_requested"] if outcome in ("disclosed", "partial") else ""
        if outcome == "partial" and ";" in disclosed:
            disclosed = disclosed.split(";")[0]
        if rid in min001:
            disclosed = "subscriber;traffic"
            truth.add("MIN001", rid, f"D-{rid}")
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
        }
        if rid in sen001:
            d["sensitive_data"] = "true"
            truth.add("SEN001", rid, d["disclosure_id"])
        elif disclosed and r["offence"] == "child sexual abuse material" and rid.endswith("0"):
            d["sensitive_data"], d["safeguard_reference"] = "true", f"RESTRICTED-{r['issuing_party']}-14(4)"
        if outcome in ("disclosed", "partial"):
            if rid in not002:
                truth.add("NOT002", rid, d["disclosure_id"])
            elif responded + timedelta(days=60) < as_of and rng.random() < 0.6:
                d["user_notified_at"] = iso(responded + timedelta(days=rng.randint(10, 60)))
            else:
                d["notification_blocked_by"] = rng.choice(["confidentiality_order", "law"])
        disclosures.append(d)

    # ---- custody events ---------------------------------------------------------------------
    events: list[dict] = []
    with_data = [d for d in disclosures if d["data_disclosed"]]
    data_ids = [d["request_id"] for d in with_data if d["request_id"] not in used]
    ret001 = set(rng.sample(data_ids, 6))
    used |= ret001
    ret002 = set(rng.sample([i for i in data_ids if i not in used and by_id[i]["issuing_party"] == "DE"], 4))
    used |= ret002
    onw001 = set(rng.sample([i for i in data_ids if i not in used], 3))
    used |= onw001
    onw002 = set(rng.sample([i for i in data_ids if i not in used], 3))
    used |= onw002
    sec001 = set(rng.sample([i for i in data_ids if i not in used], 2))
    used |= sec001
    rec001 = set(rng.sample([i for i in data_ids if i not in used], 5))
    used |= rec001
    ret003 = set(rng.sample([i for i in data_ids if i not in used and by_id[i]["issuing_party"] == "GB"], 3))
    used |= ret003
    aut001 = set(rng.sample([i for i in data_ids if i not in used], 3))
    used |= aut001
    seq = 0

    def ev(rid: str, kind: str, at: datetime, **kw) -> dict:
        nonlocal seq
        seq += 1
        e = {"event_id": f"E-{seq:06d}", "request_id": rid, "event": kind, "at": iso(at),
             "actor": kw.get("actor", "investigator"), "counterparty": kw.get("counterparty", ""),
             "reference": kw.get("reference", by_id[rid]["case_reference"]), "until": kw.get("until", "")}
        events.append(e)
        return e

    for d in with_data:
        rid = d["request_id"]
        r = by_id[rid]
        party = r["issuing_party"]
        got = datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
        if got > as_of:
            continue
        ev(rid, "received", got, actor="registry clerk")
        acc = ev(rid, "accessed", got + timedelta(hours=rng.randint(1, 48)))
        if rid in rec001:
            if rng.random() < 0.5:
                acc["actor"] = ""
            else:
                acc["reference"] = ""
            truth.add("REC001", rid, acc["event_id"])
        max_days = RETENTION_MAX.get(party, 180)
        keep = max_days if rid not in ret002 else max_days + rng.randint(30, 200)
        if rid in ret003:  # GB sets no retention period: the next review must be within a year
            keep = rng.randint(400, 700)
            truth.add("RET003", rid)
        until = got + timedelta(days=keep)
        ev(rid, "retention_set", got + timedelta(hours=2), until=until.strftime("%Y-%m-%d"))
        until_day = datetime(until.year, until.month, until.day, tzinfo=UTC)
        if rid in ret002:
            truth.add("RET002", rid)
        if until_day < as_of:
            if rid in ret001:
                truth.add("RET001", rid)
                if rng.random() < 0.5:
                    ev(rid, "deleted", until_day + timedelta(days=rng.randint(2, 20)))
            elif party == "GB" and rng.random() < 0.5:
                ev(rid, "retention_reviewed", until_day - timedelta(days=3), actor="data protection officer")
            else:
                ev(rid, "deleted", until_day - timedelta(days=rng.randint(0, 5)))
        elif rid in ret001:  # needs a due date: move it into the past
            events[-1]["until"] = (got + timedelta(days=20)).strftime("%Y-%m-%d")
            if got + timedelta(days=20) < as_of - timedelta(days=1):
                truth.add("RET001", rid)
            else:
                raise RuntimeError("sample data: RET001 plant cannot be due")
        if rid in onw002 or rng.random() < 0.08:
            share = ev(rid, "shared_domestic", got + timedelta(days=2), counterparty=f"{party} cybercrime unit",
                       reference=f"MoU-{party}-14(9)")
            if rid in onw002:
                share["reference"] = ""
                truth.add("ONW002", rid, share["event_id"])  # REC001 leaves a share's reference to ONW002
        if rid in onw001 or rng.random() < 0.04:
            to = "Europol" if rng.random() < 0.5 else "CH"
            t = got + timedelta(days=5)
            if rid in onw001:
                if rng.random() < 0.5:
                    ev(rid, "transfer_authorised", t + timedelta(days=3), counterparty=to, actor="central authority")
                tr = ev(rid, "transferred_onward", t, counterparty=to)
                truth.add("ONW001", rid, tr["event_id"])
            else:
                ev(rid, "transfer_authorised", t - timedelta(days=1), counterparty=to, actor="central authority")
                ev(rid, "transferred_onward", t, counterparty=to)
        if rid in sec001 or rng.random() < 0.01:
            t = got + timedelta(days=7)
            inc = ev(rid, "security_incident", t, actor="IT security")
            hours = INCIDENT_HOURS.get(party, 72)
            if rid in sec001:
                ev(rid, "incident_notified", t + timedelta(hours=hours + 5), counterparty=r["receiving_party"])
                truth.add("SEC001", rid, inc["event_id"])
            else:
                ev(rid, "incident_notified", t + timedelta(hours=rng.randint(1, hours)), counterparty=r["receiving_party"])

        if rid in aut001 or (r["offence"] == "fraud (computer-related)" and rid.endswith("7")):
            dec = ev(rid, "automated_decision", got + timedelta(days=3), actor="risk scoring system")
            if rid in aut001:
                truth.add("AUT001", rid, dec["event_id"])
            else:
                ev(rid, "human_review", got + timedelta(days=4), actor="investigating officer")

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
                    for f in DECLARATION_FIELDS}}
                for p, rat, res, sup, notif, traf in PARTIES
            ]
        ),
    }
    add_eu_scenarios(tables, seed)  # labelled EU 2023/1543 scenarios (sample_data/eu_scenarios.py)
    quarantine = _plant_bad_rows(tables)
    labels = sorted(set(truth.labels))
    counts: dict[str, int] = {}
    for c, _r, _e in labels:
        counts[c] = counts.get(c, 0) + 1
    expected = {
        "as_of": AS_OF,
        "seed": seed,
        "pack": "cets224",
        "rows": {k: len(v) for k, v in tables.items()},
        "quarantined": quarantine,
        "findings_per_check": dict(sorted(counts.items())),
        # ground truth per request: the requests each check must flag (the family follows from the check)
        "requests_per_check": {c: sorted({r for c2, r, _e in labels if c2 == c}) for c in sorted(counts)},
        "labels": [list(x) for x in labels],
    }
    return tables, expected


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _plant_second_set(rng: random.Random, requests: list[dict], truth: Truth) -> tuple[set[str], set[str]]:
    """Violations of the checks added with the complete CETS 224 pack (COM004-COM009, TIM003,
    TIM004, RES001-RES003, NOT003, PRO003, NEC002, MIN003, MIN004), plus compliant counterparts of the Art. 7(7)
    escalations and Art. 10(9) channels. Returns the requests whose answer must be a disclosure
    and the emergency requests to answer late (TIM004)."""
    used = truth.used

    def pick(n: int, pred) -> list[dict]:
        return _pick(rng, requests, n, used, pred)

    def inst(*names: str):
        return lambda r: r["instrument"] in names

    for i, r in enumerate(pick(3, inst("cets224_art6"))):
        r[("contact_point", "return_timeframe_days", "protocol_statement")[i]] = "" if i < 2 else "false"
        truth.add("COM004", r["request_id"])
    for i, r in enumerate(pick(4, inst("cets224_art7"))):
        if i == 0:
            r["data_description"] = ""
        elif i == 1:
            r["identifiers_count"] = "0"
        elif i == 2:
            r["data_time_to"] = ""
        else:  # a range that ends before it starts
            r["data_time_from"] = (_ts(r["issued_at"]) + timedelta(days=2)).strftime("%Y-%m-%d")
        truth.add("COM005", r["request_id"])
    for i, r in enumerate(pick(4, inst("cets224_art7"))):
        r[("legal_basis", "offence_max_penalty_years", "contact_point", "return_timeframe_days")[i]] = ""
        truth.add("COM006", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "NL"):
        r["no_prior_attempt_reason"] = ""
        truth.add("COM007", r["request_id"])
    for i, r in enumerate(pick(5, inst("cets224_art8"))):
        col = ("protocol_statement", "offence", "data_description", "legal_basis", "contact_point")[i]
        r[col] = "false" if col == "protocol_statement" else ""
        truth.add("COM008", r["request_id"])
    for i, r in enumerate(pick(4, inst("cets224_art9"))):
        col = ("protocol_statement", "offence", "legal_basis", "data_description")[i]
        r[col] = "false" if col == "protocol_statement" else ""
        truth.add("COM009", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "IE"):
        r["data_requested"] = "subscriber;traffic"
        truth.add("RES001", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] == "JP"):
        r["channel"] = "direct"
        truth.add("RES002", r["request_id"])
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
    for i, r in enumerate(pick(4, lambda r: r["instrument"].startswith("cets224"))):
        if i % 2 == 0:
            r["identifiers_count"] = "250"
        else:
            r["data_time_from"] = (_ts(r["issued_at"]) - timedelta(days=3 * 365)).strftime("%Y-%m-%d")
        truth.add("PRO003", r["request_id"])
    for r in pick(4, lambda r: r["instrument"].startswith("cets224")):
        r["purpose"] = ""
        truth.add("NEC002", r["request_id"])
    for r in pick(2, inst("cets224_art6")):
        r["data_requested"] = "domain_registration;subscriber"
        truth.add("MIN003", r["request_id"])
    for r in pick(3, lambda r: r["instrument"] == "cets224_art8" and r["receiving_party"] != "IE"):
        r["data_requested"] = "subscriber;traffic;content"
        truth.add("MIN004", r["request_id"])
    # Art. 7(7): escalations linked to an Art. 7 order of the same Party, 3 premature and 3 in time
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
            truth.add("TIM003", esc["request_id"])
    tim004 = {r["request_id"] for r in pick(3, lambda r: r["emergency"] == "true" and r["issued_at"] < "2026-03-01")}
    for rid in tim004:
        truth.add("TIM004", rid)
    return forced, tim004


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
    write_expected_eu(out, tables, args.seed)  # ground truth of the eu2023_1543 pack
    print(f"wrote {', '.join(f'{k}: {len(v)}' for k, v in tables.items())} to {out}")


if __name__ == "__main__":
    main()

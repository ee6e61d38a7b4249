"""Synthetic benchmark data: N requests, each with one disclosure and two custody events (Parquet).

    python -m bench.generate --requests 1000000 --out bench/data/1m [--seed 224] [--profile messy]

Vectorised with numpy (1M requests in a few seconds). Values follow the input contract
(``shared/spec/log-format.md``); timestamps are native Parquet timestamps (UTC), the rest strings.
About 1 % of requests carry a planted defect or safeguard violation so every stage has work to do;
the rest are compliant under every check of both packs (EU orders are issued after the Regulation
applies, by bound Member States, answered within 10 days; Art. 8 orders carry their ordered return
date; Art. 9 requests go through the 24/7 Network), as in a log an authority would keep. Audit
date: AS_OF.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
#: the audit date of the benchmark run (bench.stages)
AS_OF = "2026-12-31"
#: the generator's version: cached data of another version is generated again (bench.run)
VERSION = "2"
T0 = np.datetime64("2025-01-02T00:00:00", "s")
SPAN_S = 450 * 86400
#: EU orders: from the Regulation's application date (Art. 34(2)), over 100 days
EU_T0_S = int((np.datetime64("2026-08-18T00:00:00", "s") - T0) / np.timedelta64(1, "s"))
EU_SPAN_S = 100 * 86400
EU_ISSUERS = np.array(["FR", "DE", "ES"])
ISSUERS = np.array(["FR", "DE", "ES", "NL", "GB", "US"])
PROVIDERS = np.array(["examplemail", "chatapp", "cloudbox", "hostco"])
PROVIDER_PARTY = {"examplemail": "US", "chatapp": "US", "cloudbox": "IE", "hostco": "NL"}
INSTRUMENTS = np.array(["cets224_art7", "cets224_art8", "cets224_art9", "mla", "eu_epoc"])
INSTR_P = [0.5, 0.25, 0.05, 0.1, 0.1]
OUTCOMES = np.array(["disclosed", "partial", "refused", "no_data"])


def _ts(seconds: np.ndarray) -> pd.Series:
    return pd.Series((T0 + seconds.astype("timedelta64[s]")).astype("datetime64[us]")).dt.tz_localize("UTC")


def generate(n: int, seed: int = 224) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = np.arange(1, n + 1)
    rid = pd.Series(idx).map("R{:09d}".format).to_numpy()
    party = ISSUERS[rng.integers(0, len(ISSUERS), n)]
    provider = PROVIDERS[rng.integers(0, len(PROVIDERS), n)]
    receiving = pd.Series(provider).map(PROVIDER_PARTY).to_numpy()
    inst = INSTRUMENTS[rng.choice(len(INSTRUMENTS), n, p=INSTR_P)]
    epoc = inst == "eu_epoc"
    # EU orders: a bound Member State to a provider established in another one (IE, NL)
    party = np.where(epoc, EU_ISSUERS[rng.integers(0, len(EU_ISSUERS), n)], party)
    provider = np.where(epoc, np.where(rng.random(n) < 0.5, "cloudbox", "hostco"), provider)
    receiving = pd.Series(provider).map(PROVIDER_PARTY).to_numpy()
    issued_s = np.where(epoc, EU_T0_S + rng.integers(0, EU_SPAN_S, n), rng.integers(0, SPAN_S, n))
    transmitted_s = issued_s + rng.integers(0, 6 * 3600, n)
    received_s = transmitted_s + rng.integers(300, 36000, n)
    art8 = inst == "cets224_art8"
    emergency = inst == "cets224_art9"
    cats = np.where(inst == "cets224_art7", "subscriber",
                    np.where(art8, "subscriber;traffic", np.where(emergency, "traffic;content", "subscriber")))
    plant = rng.random(n)
    necessity = np.where(plant < 0.005, None, "No less intrusive means available.")
    requests = pd.DataFrame({
        "request_id": rid,
        "instrument": inst,
        "issuing_party": party,
        "issuing_authority": pd.Series(party).map("{} prosecutor".format).to_numpy(),
        "authority_type": "prosecutor",
        "channel": np.select([inst == "cets224_art7", emergency, epoc],
                             ["provider_portal", "network_24_7", "eu_decentralised"], "central_authority"),
        "linked_request_id": None,
        "receiving_party": receiving,
        "provider": provider,
        "case_reference": pd.Series(idx % 50000).map("CASE-{:05d}".format).to_numpy(),
        "offence": "fraud (computer-related)",
        "offence_max_penalty_years": "7",
        "legal_basis": "Code of Criminal Procedure",
        "purpose": "criminal investigation",
        "necessity_rationale": necessity,
        "protocol_statement": np.where(pd.Series(inst).str.startswith("cets224"), "true", None),
        "data_description": "data for 1 account between the stated dates",
        "data_requested": cats,
        "identifiers_count": "1",
        "data_time_from": _ts(issued_s - 90 * 86400).dt.strftime("%Y-%m-%d"),
        "data_time_to": _ts(issued_s).dt.strftime("%Y-%m-%d"),
        "subscriber_identifier": pd.Series(idx).map("target{}@mail.example".format).to_numpy(),
        "emergency": np.where(emergency, "true", "false"),
        "emergency_justification": np.where(emergency & (plant > 0.01), "Threat to life", None),
        "issued_at": _ts(issued_s),
        "transmitted_at": _ts(transmitted_s),
        "provider_received_at": _ts(received_s),
        "served_at": _ts(np.where(art8, received_s, 0)).where(art8),
        # Art. 8(6)(a): the information was complete on transmission; return ordered within 20 days
        "all_information_received_at": _ts(transmitted_s).where(art8),
        "ordered_return_by": _ts(received_s + 20 * 86400).where(art8),
        "ordered_traffic_return_by": _ts(received_s + 45 * 86400).where(art8),
        "notification_sent_at": _ts(transmitted_s).where(receiving == "IE"),
        "return_timeframe_days": "30",
        "contact_point": pd.Series(party).map("{} contact point".format).to_numpy(),
    })
    # ~0.1 % input defects that ingest must quarantine (bad enum, bad Party code)
    bad = plant > 0.999
    requests.loc[bad, "instrument"] = "carrier_pigeon"
    # EU orders are answered within the 10 days of Art. 10(2)-(3)
    responded_s = received_s + np.where(epoc, rng.integers(3600, 9 * 86400, n), rng.integers(86400, 40 * 86400, n))
    outcome = OUTCOMES[rng.integers(0, len(OUTCOMES), n)]
    disclosed = np.isin(outcome, ["disclosed", "partial"])
    disclosures = pd.DataFrame({
        "disclosure_id": pd.Series(idx).map("D{:09d}".format).to_numpy(),
        "request_id": rid,
        "provider": provider,
        "responded_at": _ts(responded_s),
        "outcome": outcome,
        "data_disclosed": np.where(disclosed, cats, None),
        "records_disclosed": np.where(disclosed, "1", "0"),
        "sensitive_data": "false",
        "received_at": _ts(responded_s + 3600),
    })
    ev = np.repeat(idx, 2)
    second = np.tile([False, True], n)
    at = np.repeat(responded_s, 2) + np.where(second, 86400, 3600)
    custody = pd.DataFrame({
        "event_id": pd.Series(np.arange(1, 2 * n + 1)).map("E{:010d}".format).to_numpy(),
        "request_id": np.repeat(rid, 2),
        "event": np.where(second, "accessed", "received"),
        "at": _ts(at),
        "actor": np.where(second, "investigator", "registry clerk"),
        "reference": pd.Series(ev % 50000).map("CASE-{:05d}".format).to_numpy(),
    })
    return {"requests": requests, "disclosures": disclosures, "custody_events": custody}


#: the data profiles: clean (about 1 % of requests with a defect) and messy (about one finding
#: per request, bench.messy)
PROFILES = ("clean", "messy")


def write(n: int, out: Path, seed: int = 224, profile: str = "clean") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    version = VERSION
    if profile == "messy":
        from bench.messy import MESSY_VERSION, generate_messy  # noqa: PLC0415

        frames, version = generate_messy(n, seed), MESSY_VERSION
    else:
        frames = generate(n, seed)
    for name, frame in frames.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
    # the sample's Party profiles, with a retention maximum for GB (the bench logs no retention
    # decisions: without one, every GB request would be a RET004 finding) and no suspension
    parties = pd.read_csv(ROOT / "sample_data" / "parties.csv", dtype=str, keep_default_na=False)
    parties.loc[parties["party"] == "GB", "retention_max_days"] = "365"
    parties[["transfers_suspended_from", "transfers_suspended_until"]] = ""
    parties.to_csv(out / "parties.csv", index=False)
    (out / "VERSION").write_text(version)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=224)
    ap.add_argument("--profile", choices=PROFILES, default="clean")
    args = ap.parse_args()
    write(args.requests, args.out, args.seed, args.profile)
    print(f"wrote {args.requests} {args.profile} requests to {args.out}")


if __name__ == "__main__":
    main()

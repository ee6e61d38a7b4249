"""Fixtures for the transparency tests: where the real files are, and a synthetic Party log that
reproduces one published provider row."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_REALDATA = ROOT.parent / "shared" / "realdata"
VENDORED_REALDATA = Path(__file__).resolve().parent / "realdata"  # a copy, for clones without ../shared
REALDATA = Path(os.environ.get("AUDITOR_REALDATA")
                or (SHARED_REALDATA if SHARED_REALDATA.is_dir() else VENDORED_REALDATA))


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real transparency files not found at {REALDATA} (set AUDITOR_REALDATA)")
        pytest.skip(f"real transparency files not found at {REALDATA}")
    return REALDATA


def synthetic_log(
    party: str,
    provider: str,
    start: datetime,
    days: int,
    cells: dict[str, dict[str, int]],
    prefix: str = "SYN",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical requests + disclosures whose roll-up gives ``cells``.

    ``cells`` maps a process ('criminal', 'emergency', 'preservation') to counts: requests,
    accounts_specified, content_disclosed, noncontent_disclosed, no_data, rejected (the rest of the
    requests get no disclosure). Request dates are spread evenly over ``days`` from ``start``.
    """
    req, dis = [], []
    total = sum(c["requests"] for c in cells.values())
    step = timedelta(days=days) / max(total, 1)
    i = 0
    for process, c in cells.items():
        n = c["requests"]
        accounts = c.get("accounts_specified", n)
        outcomes = (
            [("disclosed", "subscriber;content")] * c.get("content_disclosed", 0)
            + [("disclosed", "subscriber;traffic")] * c.get("noncontent_disclosed", 0)
            + [("no_data", None)] * c.get("no_data", 0)
            + [("refused", None)] * c.get("rejected", 0)
        )
        assert len(outcomes) <= n
        for k in range(n):
            rid = f"{prefix}-{party}-{i:06d}"
            when = pd.Timestamp(start + step * i).tz_convert("UTC")
            ids = accounts // n + (1 if k < accounts % n else 0)
            req.append(
                {
                    "request_id": rid,
                    "issuing_party": party,
                    "provider": provider,
                    "instrument": "eu_epoc_pr" if process == "preservation" else "cets224_art7",
                    "emergency": process == "emergency",
                    "identifiers_count": ids,
                    "issued_at": when - pd.Timedelta(hours=5),
                    "transmitted_at": when - pd.Timedelta(hours=1),
                    "provider_received_at": when,
                }
            )
            if k < len(outcomes):
                outcome, data = outcomes[k]
                dis.append(
                    {
                        "disclosure_id": f"D-{rid}",
                        "request_id": rid,
                        "provider": provider,
                        "responded_at": when + pd.Timedelta(days=3),
                        "outcome": outcome,
                        "data_disclosed": data,
                    }
                )
            i += 1
    requests = pd.DataFrame(req).astype(
        {
            "request_id": "string",
            "issuing_party": "string",
            "provider": "string",
            "instrument": "string",
            "emergency": "boolean",
            "identifiers_count": "Int64",
        }
    )
    disclosures = pd.DataFrame(
        dis,
        columns=[
            "disclosure_id",
            "request_id",
            "provider",
            "responded_at",
            "outcome",
            "data_disclosed",
        ],
    ).astype({"request_id": "string", "outcome": "string", "data_disclosed": "string"})
    return requests, disclosures


@pytest.fixture
def make_log():
    return synthetic_log


def write_canonical(
    requests: pd.DataFrame, disclosures: pd.DataFrame, out: Path, sample: Path
) -> Path:
    """Write the synthetic log as a canonical data folder (CSV), using the first sample request and
    disclosure as templates for the columns the roll-up does not read."""
    out.mkdir(parents=True, exist_ok=True)
    tpl_r = pd.read_csv(sample / "requests.csv", dtype=str, keep_default_na=False).iloc[0]
    tpl_d = pd.read_csv(sample / "disclosures.csv", dtype=str, keep_default_na=False).iloc[0]
    iso = "%Y-%m-%dT%H:%M:%SZ"
    rows = []
    for i, r in enumerate(requests.itertuples(index=False)):
        t = tpl_r.copy()
        t["request_id"], t["issuing_party"], t["provider"] = (
            r.request_id,
            r.issuing_party,
            r.provider,
        )
        t["receiving_party"] = "US"
        t["case_reference"] = f"CASE-SYN-{i}"
        t["subscriber_identifier"] = f"syn{i}@mail.example"
        t["identifiers_count"] = str(int(r.identifiers_count))
        t["emergency"] = "true" if r.emergency else "false"
        if r.emergency:
            t["emergency_justification"] = "imminent risk to the life of a person"
        t["issued_at"] = r.issued_at.strftime(iso)
        t["transmitted_at"] = r.transmitted_at.strftime(iso)
        t["provider_received_at"] = r.provider_received_at.strftime(iso)
        t["data_time_from"] = (r.issued_at - pd.Timedelta(days=90)).strftime("%Y-%m-%d")
        t["data_time_to"] = r.issued_at.strftime("%Y-%m-%d")
        rows.append(t)
    pd.DataFrame(rows).to_csv(out / "requests.csv", index=False)
    drows = []
    for d in disclosures.itertuples(index=False):
        t = tpl_d.copy()
        t["disclosure_id"], t["request_id"], t["provider"] = (
            d.disclosure_id,
            d.request_id,
            d.provider,
        )
        t["responded_at"] = d.responded_at.strftime(iso)
        t["outcome"] = d.outcome
        t["data_disclosed"] = "" if pd.isna(d.data_disclosed) else d.data_disclosed
        t["refusal_ground"] = (
            "conflict with fundamental domestic principles" if d.outcome == "refused" else ""
        )
        t["records_disclosed"] = "1" if d.outcome == "disclosed" else "0"
        drows.append(t)
    pd.DataFrame(drows).to_csv(out / "disclosures.csv", index=False)
    (out / "parties.csv").write_text((sample / "parties.csv").read_text())
    header = (sample / "custody_events.csv").read_text().splitlines()[0]
    (out / "custody_events.csv").write_text(header + "\n")
    return out


@pytest.fixture
def write_log():
    return write_canonical


PG_BASE = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request, tmp_path):
    """An engine on SQLite, and on PostgreSQL in a throw-away schema (required in CI)."""
    import uuid

    import sqlalchemy as sa

    from auditor.store import db

    if request.param == "sqlite":
        yield db.get_engine(f"sqlite:///{tmp_path / 't.db'}")
        return
    try:
        with sa.create_engine(PG_BASE, connect_args={"connect_timeout": 3}).connect():
            pass
    except Exception:  # noqa: BLE001
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 not reachable (allowed outside CI only)")
    schema = f"transp_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = db.get_engine(f"{PG_BASE}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

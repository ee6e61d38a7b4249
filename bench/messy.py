"""The messy benchmark profile: the clean data of :mod:`bench.generate` made untidy, so that a
run has about one finding per request (issue 21 item 5).

    python -m bench.generate --profile messy --requests 1000000 --out bench/data/messy-1000000

Same row counts as the clean profile (N requests, N disclosures, 2N custody events, Parquet) and
a fixed seed, so the same N always gives the same files. On top of the clean rows:

- ``authority_type`` drawn at random from the whole vocabulary (judge, prosecutor, independent,
  police, administrative, other, or missing): a police or administrative issuer of an EU order
  without validation is a finding, as is a missing type where a check needs it;
- optional columns missing: ``contact_point``, ``return_timeframe_days`` and
  ``offence_max_penalty_years`` are left out of the file altogether (their checks are then *not
  evaluated*), ``case_reference``, ``necessity_rationale``, ``offence`` and
  ``emergency_justification`` are blank on a share of the rows;
- late answers: a share of the disclosures arrive after the instrument's deadline.

The defects are independent draws, so findings spread over every check, Party and provider,
with many distinct request ids: the case the reports must summarise instead of list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.generate import VERSION, generate

#: the messy data's version (bench.run regenerates cached data of another version)
MESSY_VERSION = f"{VERSION}-messy1"

#: the ``authority_type`` vocabulary (shared/spec/log-format.md) and a missing value
AUTHORITY_TYPES = np.array(["judge", "prosecutor", "independent", "police", "administrative", "other", None],
                           dtype=object)
#: optional request columns left out of the messy files altogether
DROPPED = ("contact_point", "return_timeframe_days", "offence_max_penalty_years")
#: optional request columns blank on this share of the rows
BLANK = {"case_reference": 0.3, "necessity_rationale": 0.3, "offence": 0.25, "emergency_justification": 0.3}
#: share of the disclosures answered late (60-120 days after receipt)
LATE = 0.2


def generate_messy(n: int, seed: int = 224) -> dict[str, pd.DataFrame]:
    frames = generate(n, seed)
    rng = np.random.default_rng(seed + 1)
    req = frames["requests"]
    req["authority_type"] = AUTHORITY_TYPES[rng.integers(0, len(AUTHORITY_TYPES), n)]
    for col, share in BLANK.items():
        req[col] = req[col].where(rng.random(n) >= share, None)
    frames["requests"] = req.drop(columns=list(DROPPED))
    dis = frames["disclosures"]
    late = rng.random(n) < LATE
    delay = pd.Series(pd.to_timedelta(rng.integers(60 * 86400, 120 * 86400, n), unit="s"))
    dis["responded_at"] = dis["responded_at"].where(~late, req["provider_received_at"] + delay)
    dis["received_at"] = dis["responded_at"] + pd.Timedelta(hours=1)
    return frames

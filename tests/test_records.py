"""auditor.records: the report model's finding dicts built column by column are the dicts
``DataFrame.to_dict("records")`` gave (same keys, values and types), with repeated strings shared."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor import audit, records


def _frame(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "check_id": pd.array(rng.choice(["TIM001", "NEC001", None], n), dtype="str"),
        "request_id": [f"R{i:04d}" if i % 7 else None for i in range(n)],  # object, mostly unique
        "count": np.arange(n, dtype="int64"),
        "waived": rng.random(n) > 0.5,
        "score": np.where(np.arange(n) % 5 == 0, np.nan, rng.random(n)),
        "sev": pd.Categorical(rng.choice(["high", "low"], n)),
    })


def test_records_equal_to_dict_records():
    frame = _frame()
    want = frame.astype(object).where(frame.notna(), None).to_dict("records")
    got = records.to_records(frame)
    assert got == want
    for g, w in zip(got, want, strict=True):
        assert [type(v) for v in g.values()] == [type(v) for v in w.values()]
        assert list(g) == list(w)
    assert got[0]["score"] is None and any(r["check_id"] is None for r in got)


def test_a_repeated_value_is_one_shared_object_a_unique_one_is_not_pooled():
    got = records.to_records(_frame())
    highs = [r["sev"] for r in got if r["sev"] == "high"]
    assert len(highs) > 1 and all(h is highs[0] for h in highs)
    assert len({r["request_id"] for r in got}) > len(got) // 2  # unique values keep their own path


def test_empty_frame_has_no_records():
    assert records.to_records(_frame().iloc[:0]) == []


def test_iso_utc_is_the_one_at_a_time_formatting():
    aware = pd.Series(pd.to_datetime(["2025-05-26T04:00:05+02:00", None, "2025-12-31T23:59:59Z"], utc=True))
    naive = pd.Series(pd.to_datetime(["2025-05-26 02:00:05", None]))
    for s in (aware, naive):
        one_at_a_time = [None if pd.isna(v) else v for v in s.map(audit._iso)]  # the model's None
        assert records.iso_utc(s).tolist() == one_at_a_time
    assert records.iso_utc(aware).tolist() == ["2025-05-26T02:00:05Z", None, "2025-12-31T23:59:59Z"]


def test_shared_key_dicts_are_plain_dicts_each_its_own_values():
    """``records.shared_key_dicts``: the dicts ``dict(zip(keys, row))`` gives (equal, same key order,
    of type dict, serialised alike), each changed on its own (a value set, a key added or removed
    touches no other), and on CPython smaller than a dict of its own keys (one table of keys for all)."""
    import json
    import platform
    import sys

    from auditor.records import shared_key_dicts

    keys = [f"column_{i}" for i in range(24)]
    rows = [[f"v{r}-{i}" if i % 3 else None for i in range(24)] for r in range(3)]
    made = shared_key_dicts(keys, rows)
    plain = [dict(zip(keys, row, strict=True)) for row in rows]
    assert made == plain and all(type(d) is dict for d in made)
    assert [list(d) for d in made] == [keys] * 3
    assert json.dumps(made) == json.dumps(plain)
    made[0]["column_1"] = "changed"
    made[1]["extra"] = 1
    del made[2]["column_0"]
    assert made[1]["column_1"] == "v1-1" and made[2]["column_1"] == "v2-1" and "extra" not in made[0]
    assert list(made[1])[-1] == "extra" and "column_0" in made[0] and "column_0" in made[1]
    assert shared_key_dicts(keys, []) == []
    if platform.python_implementation() == "CPython":
        fresh = shared_key_dicts(keys, rows[:1])[0]
        assert sys.getsizeof(fresh) < sys.getsizeof(plain[0]) / 2

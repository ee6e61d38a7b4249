"""``runner._scope_counts`` (integer codes + ``np.bincount``) gives exactly what a pandas
group-by on (Party, provider) gives, missing keys counted under "", in the same order and dtypes."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.engine.runner import SCOPE_COLUMNS, _scope_counts
from tests.conftest import examples

_KEYS = st.sampled_from([None, "", "FR", "DE", "US", "Zeta", "éclair", "ab", "a"])
_OUTCOMES = st.sampled_from([True, False, None])


def _reference(check_id: str, party: pd.Series, provider: pd.Series, failed: pd.Series,
               advisory: pd.Series) -> pd.DataFrame:
    key = pd.DataFrame({"party": party, "provider": provider}).astype(object).fillna("")
    grouped = pd.DataFrame({
        "party": key["party"], "provider": key["provider"],
        "passed": (failed == False).fillna(False).astype(int),  # noqa: E712
        "failed": failed.fillna(False).astype(int),
        "unknown": failed.isna().astype(int),
        "advisory": (failed.fillna(False) & advisory).astype(int),
    }).groupby(["party", "provider"], as_index=False, sort=True).sum()
    grouped["evaluated"] = grouped["passed"] + grouped["failed"]
    grouped.insert(0, "check_id", check_id)
    return grouped[SCOPE_COLUMNS]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(_KEYS, _KEYS, _OUTCOMES, st.booleans()), min_size=1, max_size=60))
def test_scope_counts_equal_a_group_by(rows):
    party = pd.Series([r[0] for r in rows], dtype="string")
    provider = pd.Series([r[1] for r in rows], dtype="string")
    failed = pd.Series([r[2] for r in rows], dtype="boolean")
    advisory = pd.Series([r[3] for r in rows], dtype=bool)  # counted only where the record failed
    got = _scope_counts("X-001", party, provider, failed, advisory)
    want = _reference("X-001", party, provider, failed, advisory)
    pd.testing.assert_frame_equal(got, want)  # values, order and dtypes
    assert got[["evaluated", "unknown"]].to_numpy().sum() == len(rows)


def test_a_missing_party_or_provider_is_counted_under_the_empty_name():
    got = _scope_counts("X-001", pd.Series(["FR", None, "FR"], dtype="string"),
                        pd.Series([None, "p", ""], dtype="string"),
                        pd.Series([True, False, None], dtype="boolean"))
    assert got[["party", "provider", "evaluated", "passed", "failed", "unknown"]].values.tolist() == [
        ["", "p", 1, 1, 0, 0], ["FR", "", 1, 0, 1, 1]]

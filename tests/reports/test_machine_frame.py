"""junit.xml and findings.sarif written from the findings frame (``audit._machine_outputs`` with a
frame, ``records.FrameRecords``: a count and the first few findings per group, no dict per
finding) are the bytes written from the frame's dicts (``records.to_records``), whatever the
frame holds: missing values (None, NaN) in the grouping columns, waived True/False/None, any kind,
values that are not strings (``1``, ``1.0`` and ``True`` are equal keys), text and object columns,
groups of more than, exactly and fewer than five findings, no rows, no waiver columns."""

from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import audit, records
from reports import junit, sarif
from tests.conftest import examples
from tests.reports.conftest import _MODEL

NAN = math.nan
#: hostile values of each column a JUnit case or a SARIF group reads (None, NaN, not text, equal
#: keys of other types, control characters)
VALUES = {
    "check_id": ["TIM002", "RET001", "PRO003", "SEC001", "EU009", "XYZ999", None, NAN, "", 1, 1.0, True, "1"],
    "party": ["FR", "DE", "", None, NAN, 0, False, "0", "NL\x1b[31m"],
    "provider": ["examplemail", "cloudco", "", None, NAN, 2, "=cmd"],
    "request_id": ["R1", "R2", "R3", None, NAN, 7, "R1 "],
    "severity": ["high", "medium", "low", "critical", "info", None, NAN, 3, "HIGH"],
    "kind": ["advisory", "breach", None, NAN, "other", 0],
    "waived": [True, False, None, NAN, 1, 0, "yes", ""],
    "waiver_id": ["W1", "W2", None, NAN, 5],
    "waiver_reason": ["because (approved by DPO)", None, "x\x07"],
    "waiver_expires": ["2026-12-31", None],
    "waiver_approver": ["DPO", None],
    "message": ["late", None, "<b>late</b> & \x00", ""],
    "record_id": ["D1", None],
}
#: the other finding columns of the model (audit.FINDING_COLUMNS), one value each
PLAIN = {"fingerprint": "f", "family": "timeliness", "instrument": "CETS 224", "article": "Art. 8",
         "legal_basis_status": "confirmed", "pack": "cets224", "request_instrument": "cets224_art8",
         "receiving_party": "US", "issued_at": "2025-03-04T10:00:00Z"}
ORDER = ["fingerprint", "check_id", "family", "instrument", "article", "severity", "legal_basis_status", "kind",
         "pack", "request_instrument", "party", "receiving_party", "provider", "request_id", "record_id",
         "issued_at", "message", "waived", "waiver_reason", "waiver_expires", "waiver_approver", "waiver_id"]


def _model() -> dict:
    model = copy.deepcopy(_MODEL)
    model["attestations"] = [{"id": "A1", "safeguard": "s", "result": "fail", "status": "fail", "party": "FR"}]
    model["findings"] = None
    return model


def _column(values: list, dtype: str) -> pd.Series:
    """``values`` as an object column, or as text (``str``) when each is text or missing."""
    if dtype == "str" and all(v is None or isinstance(v, str) or (isinstance(v, float) and math.isnan(v))
                              for v in values):
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)


def _frame(rows: list[dict], dtypes: dict[str, str] | None = None, leave_out: tuple[str, ...] = ()) -> pd.DataFrame:
    dtypes = dtypes or {}
    data = {}
    for name in ORDER:
        if name in leave_out:
            continue
        values = [r.get(name, PLAIN.get(name)) for r in rows]
        dtype = dtypes.get(name, "object")
        data[name] = (pd.Series(values, dtype=bool) if dtype == "bool" else _column(values, dtype))
    return pd.DataFrame(data, columns=[c for c in ORDER if c not in leave_out])


def _written(model: dict, frame: pd.DataFrame, sarif_detail: bool = False) -> None:
    """Both files from the frame and from its dicts: the same bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        from_frame, from_dicts = Path(tmp) / "frame", Path(tmp) / "dicts"
        from_frame.mkdir()
        from_dicts.mkdir()
        audit._machine_outputs({**model, "findings": None}, from_frame, sarif_detail, "findings.json.gz", frame)
        audit._machine_outputs({**model, "findings": records.to_records(frame)}, from_dicts, sarif_detail,
                               "findings.json.gz")
        for name in ("junit.xml", "findings.sarif"):
            assert (from_frame / name).read_bytes() == (from_dicts / name).read_bytes(), name


_row = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in VALUES.items()})


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_row, max_size=40),
       dtypes=st.fixed_dictionaries({name: st.sampled_from(["object", "str"]) for name in VALUES}),
       waived_bool=st.booleans(), leave_out_waivers=st.booleans())
def test_frame_and_dicts_write_the_same_bytes(rows, dtypes, waived_bool, leave_out_waivers):
    if waived_bool:  # the model's own: a bool column (waivers.apply)
        rows = [{**r, "waived": bool(r["waived"]) if r["waived"] == r["waived"] else False} for r in rows]
        dtypes = {**dtypes, "waived": "bool"}
    leave_out = tuple(c for c in ORDER if c.startswith("waive")) if leave_out_waivers else ()
    _written(_model(), _frame(rows, dtypes, leave_out))


@pytest.mark.parametrize("size", [4, 5, 6, 11])
@pytest.mark.parametrize("dtype", ["object", "str"])
def test_groups_of_fewer_exactly_and_more_than_the_listed(size, dtype):
    """A JUnit case (open, waived, advisory) and a SARIF group of ``size`` findings: the count,
    the first five in order, "... and N more"."""
    rows = []
    for i in range(size):
        for party, kind, waived in (("FR", "breach", False), ("DE", "advisory", False), ("NL", "breach", True)):
            rows.append({"check_id": "TIM002", "party": party, "provider": "examplemail", "kind": kind,
                         "waived": waived, "waiver_id": "W1" if waived else None, "severity": ["high", "low"][i % 2],
                         "request_id": f"R{i % 3}", "message": f"m{i}", "record_id": None,
                         "waiver_reason": "why" if waived else None, "waiver_expires": "2026-12-31" if waived else None})
    frame = _frame(rows, {"waived": "bool", **dict.fromkeys(["check_id", "party", "request_id"], dtype)})
    _written(_model(), frame)
    with tempfile.TemporaryDirectory() as tmp:
        audit._machine_outputs(_model(), Path(tmp), False, "findings.json", frame)
        text = (Path(tmp) / "junit.xml").read_text()
        assert f"{size} finding(s) of TIM002 for FR" in text
        assert ("more (see findings.csv" in text) == (size > junit.MAX_LISTED)
        assert f'"count": {size}' in (Path(tmp) / "findings.sarif").read_text()


def test_no_rows_and_no_waiver_columns():
    model = _model()
    _written(model, _frame([]))
    _written(model, _frame([], leave_out=("waived", "waiver_id", "waiver_reason")))
    rows = [{"check_id": "RET001", "party": "DE", "kind": "breach", "request_id": f"R{i}"} for i in range(7)]
    _written(model, _frame(rows, leave_out=tuple(c for c in ORDER if c.startswith("waive"))))


def test_a_big_frame_of_every_dtype():
    """Past ``records.SAMPLE`` rows: columns of (nearly) unique values (not shared by
    ``python_values``: a provider per row), floats, nullable integers, booleans with missing
    values, categoricals, and object columns mixing ``1``, ``1.0`` and ``True``."""
    rng = np.random.default_rng(224)
    n = 3 * records.SAMPLE
    pick = lambda values: [values[i] for i in rng.integers(0, len(values), n)]  # noqa: E731
    frame = _frame([{} for _ in range(n)])
    frame["check_id"] = pd.Series(pick(["TIM002", "RET001", "PRO003", None, 1, 1.0, True]), dtype=object)
    frame["party"] = pd.array(pick([1, 2, None]), dtype="Int64")
    frame["provider"] = pd.Series([f"p{i}" if i % 9 else None for i in range(n)], dtype=object)
    frame["severity"] = pd.Series(pick([0.0, -0.0, 1.5, NAN]), dtype=float)
    frame["kind"] = pd.Categorical(pick(["advisory", "breach", None]))
    frame["waived"] = pd.array(pick([True, False, None]), dtype="boolean")
    frame["waiver_id"] = pd.Series(pick(["W1", 1, True, None]), dtype=object)
    frame["request_id"] = pd.Series(pick([f"R{i}" for i in range(n // 3)]), dtype="str")
    frame["message"] = pd.Series([f"m{i}" for i in range(n)], dtype="str")
    _written(_model(), frame)


def test_a_repeated_column_name_reads_as_the_dicts_do():
    """``to_records`` keeps the last of two columns of one name: so does the frame's reading."""
    rows = [{"check_id": "TIM002", "party": p, "kind": "breach", "request_id": f"R{i}"}
            for i, p in enumerate(["FR", "DE", None, "FR"] * 3)]
    frame = _frame(rows)
    frame = pd.concat([frame, pd.Series(["DE", "NL", "DE"] * 4, name="party")], axis=1)
    _written(_model(), frame)


def test_groups_left_out_past_the_limit_and_the_detail(monkeypatch):
    """The grouped log cut at ``MAX_RESULTS`` (most severe and largest first) and the log of every
    finding (``--sarif-detail``: from the frame's dicts) are the same from the frame."""
    rng = np.random.default_rng(7)
    rows = [{name: values[rng.integers(0, len(values))] for name, values in VALUES.items()} for _ in range(300)]
    frame = _frame(rows)
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    _written(_model(), frame)
    _written(_model(), frame, sarif_detail=True)


def test_grouped_outputs_make_no_dict_per_finding(monkeypatch, tmp_path):
    """From a frame, grouped SARIF and JUnit never call ``to_records`` (a dict per finding)."""
    def refuse(frame):
        raise AssertionError("a dict per finding")

    monkeypatch.setattr(records, "to_records", refuse)
    frame = _frame([{"check_id": "TIM002", "party": "FR", "kind": "breach", "request_id": "R1"}] * 8)
    written = audit._machine_outputs(_model(), tmp_path, False, "findings.json", frame)
    assert [p.name for p in written] == ["junit.xml", "findings.sarif"]
    with pytest.raises(TypeError):
        sarif.build(_model(), detail=True, findings=records.FrameRecords(frame))


def test_heads_of_dicts_and_of_a_frame():
    frame = _frame([{"check_id": c, "party": p, "request_id": f"R{i}"}
                    for i, (c, p) in enumerate([("A", "FR"), ("A", None), ("B", "FR"), ("A", NAN), ("A", "FR")] * 3)])
    key = lambda f: (str(f.get("check_id")), f.get("party") or "-")  # noqa: E731
    columns = {"check_id": str, "party": lambda v: v or "-"}
    want = records.heads(records.to_records(frame), key, 2)
    got = records.heads(records.FrameRecords(frame), key, 2, columns)
    assert {k: (h.count, h.listed) for k, h in got.items()} == {k: (h.count, h.listed) for k, h in want.items()}
    assert got[("A", "-")].count == 6 and [f["request_id"] for f in got[("A", "-")].listed] == ["R1", "R3"]
    with pytest.raises(TypeError):
        records.heads(records.FrameRecords(frame), key, 2)

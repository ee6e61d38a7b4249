"""findings.parquet (``--format parquet``) and JSON twins that do not repeat a big scope's findings
(issue 21): the same findings as findings.csv, typed; a twin over ``--page-findings`` points to
the full lists instead of copying them."""

from __future__ import annotations

import csv
import json

import pandas as pd

from reports import write_reports


def test_parquet_holds_the_csv_rows(model, tmp_path):
    write_reports(model, tmp_path, ("csv", "parquet"))
    table = pd.read_parquet(tmp_path / "findings.parquet")
    with (tmp_path / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(table.columns) == list(rows[0])
    assert len(table) == len(rows) == len(model["findings"])
    assert sorted(table["fingerprint"]) == sorted(r["fingerprint"] for r in rows)
    model["findings"][0]["waived"] = True  # a run with waivers: the waiver columns, typed
    write_reports(model, tmp_path / "w", ("parquet",))
    waived = pd.read_parquet(tmp_path / "w" / "findings.parquet")
    assert waived["waived"].dtype == bool and int(waived["waived"].sum()) == 1


def test_parquet_of_no_findings_has_the_columns(empty_model, tmp_path):
    write_reports(empty_model, tmp_path, ("parquet",))
    table = pd.read_parquet(tmp_path / "findings.parquet")
    assert len(table) == 0 and "check_id" in table.columns


def test_twin_over_the_page_limit_points_to_the_full_lists(model, tmp_path):
    counts: dict[str, int] = {}
    for f in model["findings"]:
        counts[f["party"]] = counts.get(f["party"], 0) + 1
    big = max(counts, key=counts.get)
    limit = counts[big] - 1  # the biggest Party is just over the limit
    write_reports(model, tmp_path, ("json",), page_findings=limit)
    twin = json.loads((tmp_path / "party" / f"{big}.json").read_text(encoding="utf-8"))
    assert twin["findings"] is None
    assert twin["findings_omitted"]["count"] == counts[big] and twin["findings_omitted"]["where"] == {"party": big}
    listed = [p for p, n in counts.items() if n <= limit]
    for party in listed:  # at or under the limit: listed as before
        small = json.loads((tmp_path / "party" / f"{party}.json").read_text(encoding="utf-8"))
        assert len(small["findings"]) == counts[party] and "findings_omitted" not in small
    every = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert len(every) == len(model["findings"])  # the full list is still there


def test_findings_json_over_the_compact_limit_is_one_finding_per_line(model, tmp_path, monkeypatch):
    import reports

    n = len(model["findings"])
    monkeypatch.setattr(reports, "JSON_COMPACT_ABOVE", n)  # at the limit: the indented layout
    write_reports(model, tmp_path / "at", ("json",))
    indented = (tmp_path / "at" / "findings.json").read_text(encoding="utf-8")
    assert indented.startswith('[\n  {\n    "run_id"')
    monkeypatch.setattr(reports, "JSON_COMPACT_ABOVE", n - 1)  # one over: one finding per line
    write_reports(model, tmp_path / "over", ("json",))
    compact = (tmp_path / "over" / "findings.json").read_text(encoding="utf-8")
    lines = compact.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == n + 2
    assert all(line.startswith('{"run_id":') for line in lines[1:-1])
    assert json.loads(compact) == json.loads(indented)  # the same value, key order included
    assert [list(f) for f in json.loads(compact)] == [list(f) for f in json.loads(indented)]
    assert len(compact) < 0.9 * len(indented)


def test_release_findings_frees_the_models_list_and_changes_no_output(model, tmp_path):
    import copy
    import hashlib

    def sums(folder):
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}

    kept = copy.deepcopy(model)
    write_reports(kept, tmp_path / "kept", ("md", "json", "csv"))
    assert len(kept["findings"]) == len(model["findings"]) > 0  # the default leaves the model as it was
    released = copy.deepcopy(model)
    write_reports(released, tmp_path / "released", ("md", "json", "csv"), release_findings=True)
    assert released["findings"] == []
    assert sums(tmp_path / "released") == sums(tmp_path / "kept")


def test_findings_json_over_the_gzip_limit_is_compressed_and_named_everywhere(model, tmp_path, monkeypatch):
    """``--compress-findings auto``: above ``JSON_GZIP_ABOVE`` findings, findings.json.gz (the same
    value, the same bytes on every rendering) and no findings.json; the grouped pages' notes and
    the twins name the file that exists; at the limit, or with ``never``, findings.json as before."""
    import gzip

    import reports

    n = len(model["findings"])
    monkeypatch.setattr(reports, "JSON_GZIP_ABOVE", n)
    write_reports(model, tmp_path / "at", ("json", "md"))
    assert (tmp_path / "at" / "findings.json").exists() and not (tmp_path / "at" / "findings.json.gz").exists()
    plain = json.loads((tmp_path / "at" / "findings.json").read_text(encoding="utf-8"))

    monkeypatch.setattr(reports, "JSON_GZIP_ABOVE", n - 1)  # one over: compressed
    for name in ("a", "b"):
        write_reports(model, tmp_path / name, ("json", "md", "html"), page_findings=3)
    out = tmp_path / "a"
    assert not (out / "findings.json").exists()
    assert json.loads(gzip.decompress((out / "findings.json.gz").read_bytes())) == plain
    assert (out / "findings.json.gz").read_bytes() == (tmp_path / "b" / "findings.json.gz").read_bytes()
    md = (out / "index.md").read_text(encoding="utf-8")
    assert "findings.json.gz" in md and "findings.json " not in md and "findings.json)" not in md
    assert "findings.json.gz" in (out / "index.html").read_text(encoding="utf-8")
    twins = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "party").glob("*.json")]
    omitted = [t["findings_omitted"] for t in twins if t.get("findings_omitted")]
    assert omitted and all("../findings.json.gz" in o["files"] for o in omitted)

    write_reports(model, tmp_path / "never", ("json",), compress="never")
    assert json.loads((tmp_path / "never" / "findings.json").read_text(encoding="utf-8")) == plain
    monkeypatch.setattr(reports, "JSON_GZIP_ABOVE", 10**9)
    write_reports(model, tmp_path / "always", ("json",), compress="always")  # indented, then compressed
    text = gzip.decompress((tmp_path / "always" / "findings.json.gz").read_bytes()).decode("utf-8")
    assert text == (tmp_path / "at" / "findings.json").read_text(encoding="utf-8")


def test_gzip_text_compresses_block_by_block_in_order(tmp_path):
    """``reports.GzipText``: many blocks, compressed by its thread, read back as the text written
    (order, UTF-8); an error of the thread reaches the writer."""
    import gzip

    import pytest

    from reports import GzipText

    line = "Übermittlung an Europol, ohne Genehmigung\n"
    with GzipText(tmp_path / "a.gz", block=100) as fh:
        for i in range(2000):
            fh.write(f"{i} {line}")
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()).decode("utf-8") == "".join(
        f"{i} {line}" for i in range(2000))
    import threading

    broken = GzipText(tmp_path / "b.gz", block=10)
    broken._fh.close()  # the disk goes away under the thread
    with pytest.raises(ValueError):
        for _ in range(100):
            broken.write("some text that fills a block\n")
        broken.close()
    # the writer gave up at the error: its thread has ended with it (a thread left running
    # would keep every later helper of the process from being forked)
    assert not broken._thread.is_alive()
    assert "auditor-gzip" not in [t.name for t in threading.enumerate()]


def _sample_model(sample_run):
    from auditor import audit
    from auditor.records import to_records
    from auditor.store import db

    model = audit.build_model(db.get_engine(f"sqlite:///{sample_run['db']}"), None, findings_frame=True)
    assert model["findings"] is None  # left to the caller, after its helpers are forked
    model["findings"] = to_records(model["findings_frame"])
    return model


def test_findings_files_from_the_frame_are_the_files_of_the_records(sample_run, tmp_path):
    """``write_findings_files`` (a big run's findings.json(.gz) and findings.csv, written from the
    findings frame in pieces by a helper) writes the bytes the record writers write, whatever the
    piece size, waived findings included."""
    from reports import aggregate, write_findings_csv, write_findings_files, write_findings_json

    model = _sample_model(sample_run)
    frame = model.pop("findings_frame")
    assert len(frame) == len(model["findings"]) > 100
    for i in (0, 5):  # a waived finding or two: the waiver columns carry values
        frame.loc[i, ["waived", "waiver_reason", "waiver_expires"]] = [True, "accepted, see DPA note 4", "2027-01-31"]
        model["findings"][i].update(waived=True, waiver_reason="accepted, see DPA note 4", waiver_expires="2027-01-31")
    records = aggregate.findings_records(model)
    (tmp_path / "want").mkdir()
    write_findings_json(records, tmp_path / "want" / "findings.json")
    write_findings_json(records, tmp_path / "want" / "findings.json.gz", gz=True)
    write_findings_csv(records, tmp_path / "want" / "findings.csv")
    for chunk in (7, 50_000):
        got = tmp_path / f"got-{chunk}"
        got.mkdir()
        written = write_findings_files(frame, model, got, ("csv",), "findings.json", chunk=chunk)
        assert written == [got / "findings.json", got / "findings.csv"]
        write_findings_files(frame, model, got / "gz", ("json",), "findings.json.gz", chunk=chunk)
        for name in ("findings.json", "findings.csv"):
            assert (got / name).read_bytes() == (tmp_path / "want" / name).read_bytes(), (chunk, name)
        assert (got / "gz" / "findings.json.gz").read_bytes() == (tmp_path / "want" / "findings.json.gz").read_bytes()
        assert not (got / "gz" / "findings.csv").exists()  # csv not asked for
    assert json.loads((tmp_path / "want" / "findings.json").read_text(encoding="utf-8"))[0]["severity"] == "critical"


def test_a_big_run_writes_its_findings_files_beside_the_pages(sample_run, tmp_path, monkeypatch):
    """``auditor report`` of a run over ``JSON_COMPACT_ABOVE`` findings: findings.json and
    findings.csv come from the helper (the frame), the same findings as the records give."""
    import reports
    from auditor import audit
    from auditor.store import db
    from reports import aggregate, write_findings_json

    engine = db.get_engine(f"sqlite:///{sample_run['db']}")
    audit.render_run(engine, None, tmp_path / "small", ("csv", "json"))
    monkeypatch.setattr(reports, "JSON_COMPACT_ABOVE", 10)
    real = reports.write_findings_files

    def spy(*args, **kw):  # in the helper process (or inline, when no helper can be forked)
        (tmp_path / "written-from-the-frame").touch()
        return real(*args, **kw)

    monkeypatch.setattr(reports, "write_findings_files", spy)
    audit.render_run(engine, None, tmp_path / "big", ("csv", "json"))
    assert (tmp_path / "written-from-the-frame").exists()
    assert (tmp_path / "big" / "findings.csv").read_bytes() == (tmp_path / "small" / "findings.csv").read_bytes()
    model = audit.build_model(engine, None)
    write_findings_json(aggregate.findings_records(model), tmp_path / "compact.json")
    assert (tmp_path / "big" / "findings.json").read_bytes() == (tmp_path / "compact.json").read_bytes()
    assert json.loads((tmp_path / "big" / "findings.json").read_text(encoding="utf-8")) == json.loads(
        (tmp_path / "small" / "findings.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "big" / "manifest.json").read_text(encoding="utf-8"))
    assert "findings.json" in json.dumps(manifest) and "findings.csv" in json.dumps(manifest)


def test_a_findings_files_helper_that_dies_has_its_files_made_from_the_run_read_again(sample_run, tmp_path,
                                                                                       monkeypatch, request):
    """The pages let the findings frame go once their records are made (``render_run`` hands it
    over in a list they empty), so a findings-files helper that dies cannot be redone from it: the
    run is read again and the same findings.json and findings.csv are written."""
    import multiprocessing
    import os

    import reports
    from auditor import audit
    from auditor.store import db
    from tests.conftest import alone

    if alone(request):  # the helper must be forked for the test to mean anything
        return
    engine = db.get_engine(f"sqlite:///{sample_run['db']}")
    monkeypatch.setattr(reports, "JSON_COMPACT_ABOVE", 10)
    audit.render_run(engine, None, tmp_path / "helper", ("csv", "json"))
    real = reports.write_findings_files
    redone = []

    def dies_in_the_helper(*args, **kw):
        if multiprocessing.parent_process() is not None:
            (tmp_path / "died").touch()
            os._exit(9)  # as if killed: nothing is sent back
        redone.append(True)
        return real(*args, **kw)

    monkeypatch.setattr(reports, "write_findings_files", dies_in_the_helper)
    audit.render_run(engine, None, tmp_path / "redone", ("csv", "json"))
    assert (tmp_path / "died").exists() and redone == [True]  # forked, died, redone here
    for name in ("findings.csv", "findings.json"):
        assert (tmp_path / "redone" / name).read_bytes() == (tmp_path / "helper" / name).read_bytes(), name


def test_machine_outputs_are_the_same_when_no_helper_can_be_forked(sample_run, tmp_path, monkeypatch):
    """junit.xml and findings.sarif written by the helper and written here (no helper: a thread
    running, ``AUDITOR_HELPERS=0``) list the same findings: the inline writer runs before the pages
    let the model's findings go (it once ran after, on an emptied list)."""
    from auditor import audit
    from auditor.store import db

    engine = db.get_engine(f"sqlite:///{sample_run['db']}")
    audit.render_run(engine, None, tmp_path / "helper", ("json",))
    monkeypatch.setenv("AUDITOR_HELPERS", "0")
    audit.render_run(engine, None, tmp_path / "inline", ("json",))
    for name in ("junit.xml", "findings.sarif"):
        assert (tmp_path / "inline" / name).read_bytes() == (tmp_path / "helper" / name).read_bytes(), name
    sarif = json.loads((tmp_path / "inline" / "findings.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]  # the findings are there


def test_the_frames_order_is_the_records_order_for_any_ids():
    """``aggregate.frame_order`` (vectorised) puts rows where ``sorted(records, key=record_order)``
    puts them: severities (an unknown one and none included), ids in code point order (case,
    accents, digits, the empty id), ties in frame order."""
    import random

    import pandas as pd

    from reports import aggregate

    rng = random.Random(7)
    ids = ["R1", "R10", "R2", "r1", "Ä1", "É", "e", "", "Z", "z9", "R1 ", "日本"]
    rows = [{"severity": rng.choice(["critical", "high", "medium", "low", "info", "odd", None]),
             "check_id": rng.choice(["CETS-7", "CETS-10", "EU003", "eu003"]),
             "request_id": rng.choice(ids), "n": i} for i in range(400)]
    frame = pd.DataFrame(rows).astype({"check_id": "string", "request_id": "string"})
    want = [r["n"] for r in sorted(rows, key=aggregate.record_order)]
    assert [rows[i]["n"] for i in aggregate.frame_order(frame)] == want


def _hostile_frame(n: int = 300, waivers: bool = True):
    """A findings frame as ``build_model(findings_frame=True)`` gives one, with what a stored run
    may hold: missing ids, kinds and packs, an unknown severity, a kind of an earlier run (None),
    non-text ids, repeated and unique values, waiver columns (NaN reasons, NaT-like None dates)."""
    import random

    import numpy as np

    rng = random.Random(11)
    rows = []
    for i in range(n):
        row = {"fingerprint": f"fp{i}", "check_id": rng.choice(["CETS-7", "CETS-10", "EU003", None]),
               "family": rng.choice(["retention", None]), "instrument": "CETS 224", "article": "Art. 14(4)",
               "severity": rng.choice(["critical", "high", "low", "odd", None]),
               "legal_basis_status": "confirmed", "kind": rng.choice(["breach", "advisory", None, "ADVISORY"]),
               "pack": rng.choice(["cets224", "", None]), "request_instrument": rng.choice(["cets224_art7", None]),
               "party": rng.choice(["FR", "DE", None, ""]), "receiving_party": rng.choice(["FR", None]),
               "provider": rng.choice(["ACME", "Globex", None]), "request_id": rng.choice([f"R{i}", "R1", None, ""]),
               "record_id": f"D{i}", "issued_at": rng.choice(["2025-01-02T03:04:05Z", None]),
               "message": rng.choice([f"held {i} days", "no record", None])}
        if waivers:
            row.update(waived=rng.random() < 0.3, waiver_reason=rng.choice(["accepted", np.nan]),
                       waiver_expires=rng.choice(["2026-01-01", None]), waiver_approver="DPO", waiver_id="W1")
        rows.append(row)
    frame = pd.DataFrame(rows)
    text = [c for c in frame.columns if c not in ("waived",)]
    return frame.astype({c: "string" for c in text if c != "waiver_reason"})


def test_frame_records_are_the_records_of_the_models_findings():
    """``aggregate.frame_records`` (column by column, one dict per finding) gives the same list as
    ``findings_records`` of a model whose findings are ``records.to_records(frame)``: same dicts,
    same key order, same values and types, same order; with and without waiver columns, with
    the run's packs filling missing ones, and for an empty frame; made 1, 7 or ``RECORD_CHUNK``
    findings at a time (a chunk of 0 read as 1)."""
    from auditor import records as _records
    from reports import aggregate

    run = {"run": {"run_id": "RUN1", "pack": "default-pack", "packs": [{"name": "cets224", "checks": ["CETS-7"]}]},
           "checks": [{"id": "CETS-7", "duty": "provider", "pack": "cets224"}, {"id": "EU003", "duty": None}]}
    for frame in (_hostile_frame(), _hostile_frame(waivers=False), _hostile_frame().iloc[:0]):
        want = aggregate.findings_records({**run, "findings": _records.to_records(frame)})
        for chunk in (0, 1, 7, aggregate.RECORD_CHUNK):  # a chunk at a time (0: one): boundaries change nothing
            got = aggregate.frame_records(dict(run), frame, chunk=chunk)
            assert got == want
            assert [list(r) for r in got] == [list(r) for r in want]  # key order
            assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in want]
    assert want == [] and got == []


def test_pages_from_the_frame_are_the_pages_from_the_models_findings(sample_run, tmp_path):
    """``write_reports(findings_frame=...)`` (what ``auditor report`` does) writes the same files as
    ``write_reports`` of the model with its findings, byte for byte."""
    import hashlib

    from auditor import audit
    from auditor.store import db

    def sums(folder):
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}

    engine = db.get_engine(f"sqlite:///{sample_run['db']}")
    model = audit.build_model(engine, None)
    write_reports(model, tmp_path / "dicts", ("md", "json", "csv"))
    framed = audit.build_model(engine, None, findings_frame=True)
    frame = framed.pop("findings_frame")
    assert framed["findings"] is None
    write_reports(framed, tmp_path / "frame", ("md", "json", "csv"), findings_frame=frame)
    assert sums(tmp_path / "frame") == sums(tmp_path / "dicts")


def test_findings_files_from_the_frame_are_those_of_the_records(tmp_path):
    """``write_findings_files`` (record columns of the frame, a chunk at a time) writes the same
    findings.json and findings.csv bytes as ``write_findings_json``/``write_findings_csv`` of the
    records, for hostile frames with and without waivers, chunk boundaries included."""
    from reports import aggregate, write_findings_csv, write_findings_files, write_findings_json

    model = {"run": {"run_id": "RUN1", "pack": "p"}, "checks": [{"id": "CETS-7", "duty": "provider"}]}
    for waivers in (True, False):
        frame = _hostile_frame(waivers=waivers)
        out = tmp_path / str(waivers)
        out.mkdir()
        write_findings_files(frame, model, out, ("csv",), "findings.json", chunk=7)
        records = aggregate.frame_records(dict(model), frame)
        write_findings_json(records, out / "want.json")
        write_findings_csv(records, out / "want.csv")
        assert (out / "findings.json").read_bytes() == (out / "want.json").read_bytes()
        assert (out / "findings.csv").read_bytes() == (out / "want.csv").read_bytes()


def test_the_frames_text_columns_are_held_in_arrow_with_the_same_values():
    """``audit._text_in_arrow`` (the findings frame of ``build_model(findings_frame=True)``): an
    ``object`` column of text and missing values (None, NaN), or of missing values only, becomes
    Arrow-backed text read back as the same records; a column holding anything else stays as it was."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from auditor import audit
    from auditor import records as _records

    frame = pd.DataFrame({
        "request_id": pd.Series(["R1", None, "R2", "é", ""], dtype=object),
        "waiver_reason": pd.Series(["ok", np.nan, None, "ok", "x"], dtype=object),
        "waiver_id": pd.Series([None] * 5, dtype=object),
        "waiver_expires": pd.Series([dt.date(2026, 1, 1), None, None, None, None], dtype=object),
        "mixed": pd.Series(["1", 1, None, "a", True], dtype=object),
        "check_id": pd.Series(["C1"] * 5, dtype="str"),
    })
    want = _records.to_records(frame)
    got = audit._text_in_arrow(frame.copy())
    arrow = [isinstance(t, pd.StringDtype) and t.storage == "pyarrow" for t in got.dtypes]
    assert arrow == [True, True, True, False, False, True]
    assert [str(got[c].dtype) for c in ("waiver_expires", "mixed")] == ["object", "object"]
    assert _records.to_records(got) == want
    assert [[type(v) for v in r.values()] for r in _records.to_records(got)] == [
        [type(v) for v in r.values()] for r in want]

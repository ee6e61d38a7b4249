"""A subscriber identifier planted in the input appears in no output, in any format, in either
mode (normal and --publish), nor in the database file or the command's output."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pypdf
from click.testing import CliRunner

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
PLANTED = "planted.subscriber+7731@leak-canary.example"
ALL_FORMATS = ["--format", "html", "--format", "md", "--format", "json", "--format", "csv", "--format", "pdf"]


def _small_copy(dst: Path, n_requests: int = 60, providers: int | None = None) -> None:
    """The first requests of the sample data (with their disclosures and custody events);
    every fifth request carries the planted identifier. ``providers``: only the first requests
    of one issuing Party to that many providers (fewer pages: each PDF costs seconds)."""
    dst.mkdir()
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        every = list(reader)
    if providers is None:
        rows = every[:n_requests]
    else:
        party = every[0]["issuing_party"]
        names = sorted({r["provider"] for r in every if r["issuing_party"] == party})[:providers]
        rows = [r for r in every if r["issuing_party"] == party and r["provider"] in names][:n_requests]
    for i, r in enumerate(rows):
        if i % 5 == 0:
            r["subscriber_identifier"] = PLANTED
    ids = {r["request_id"] for r in rows}
    with (dst / "requests.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    for name in ("disclosures.csv", "custody_events.csv"):
        with (SAMPLE / name).open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            keep = [r for r in reader if r["request_id"] in ids]
            fields2 = reader.fieldnames
        with (dst / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields2)
            w.writeheader()
            w.writerows(keep)
    (dst / "parties.csv").write_bytes((SAMPLE / "parties.csv").read_bytes())


def _texts(path: Path, decode_pdf: bool = True) -> list[str]:
    data = path.read_bytes()
    out = [data.decode("utf-8", errors="ignore"), data.decode("latin-1")]
    if path.suffix == ".pdf" and decode_pdf:
        out.append("\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages))
    return out


def test_planted_identifier_never_output(tmp_path):
    data = tmp_path / "data"
    _small_copy(data, n_requests=30, providers=2)  # one Party, two providers: every format, fewer PDFs
    assert PLANTED in (data / "requests.csv").read_text(encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(work)
    try:
        normal = runner.invoke(main, ["run", "--data", str(data), "--out", str(work / "normal"),
                                      "--as-of", "2026-06-30", *ALL_FORMATS])
        # the published PDFs hold a subset of the normal ones' text: not rendered again (each PDF
        # costs seconds to render and to read back)
        published = runner.invoke(main, ["report", "--out", str(work / "published"), "--publish",
                                         *ALL_FORMATS[:-2]])
        french = runner.invoke(main, ["report", "--out", str(work / "fr"), "--publish", "--lang", "fr",
                                      "--format", "html", "--format", "md", "--format", "json"])
    finally:
        os.chdir(old)
    for res in (normal, published, french):
        assert res.exit_code == 0, res.output
        assert PLANTED not in res.output
    files = [p for p in work.rglob("*") if p.is_file()]
    suffixes = {p.suffix for p in files}
    assert {".html", ".md", ".json", ".csv", ".pdf", ".db"} <= suffixes, suffixes
    assert len([p for p in files if p.suffix == ".pdf"]) >= 6
    # every PDF is rendered from its HTML twin, which is read in full; decoding a PDF's text
    # costs about 3 s, so the text of the index and of the first Party and provider page is
    # decoded (the raw bytes of every PDF are still searched)
    # (guide.pdf and runs.pdf hold no log value beyond Party codes and run ids: bytes searched only)
    decoded = {p for p in files if p.suffix == ".pdf" and (p.name == "index.pdf" or (
        p.parent.name in ("party", "provider")
        and p == min(q for q in files if q.suffix == ".pdf" and q.parent == p.parent)))}
    assert len(decoded) >= 3, decoded
    for path in files:
        for text in _texts(path, decode_pdf=path in decoded):
            assert PLANTED not in text, path
            assert "leak-canary" not in text, path
    # the published set also carries no request ids
    some_id = next(csv.DictReader((data / "requests.csv").open(encoding="utf-8")))["request_id"]
    for path in (work / "published").rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert some_id not in path.read_text(encoding="utf-8"), path

"""Golden tests: the JSON and Markdown twins of the sample data audit (as_of 2026-06-30).

Volatile fields (run id, timestamps, tool version, absolute paths) are normalised. After an
intended change to the checks, the sample data or the reports, regenerate the goldens with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_golden.py      (or: make golden)

and review the diff of tests/reports/golden/ before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
FILES = (
    "summary.json",
    "index.md",
    "party/FR.json",
    "party/FR.md",
    "provider/examplemail.json",
    "provider/examplemail.md",
)


def normalise(text: str) -> str:
    text = text.replace(str(ROOT), "<ROOT>")
    text = re.sub(r"run-\d{8}T\d{6}-[0-9a-f]{6}", "<RUN_ID>", text)
    text = re.sub(r'("(?:started_at|finished_at)": )"[^"]*"', r'\1"<TIMESTAMP>"', text)
    text = re.sub(r'("tool_version": )"[^"]*"', r'\1"<VERSION>"', text)
    text = re.sub(r"(Tool version\W+)[0-9][\w.+-]*", r"\1<VERSION>", text)
    return text


@pytest.mark.parametrize("name", FILES)
def test_golden(sample_run, name):
    produced = normalise((sample_run["out"] / name).read_text(encoding="utf-8"))
    golden = GOLDEN / (name.replace("/", "__") + ".golden")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(produced, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = golden.read_text(encoding="utf-8")
    assert produced == expected, f"{name} differs from its golden file; if intended, regenerate (see module doc)"


def test_normalise_removes_volatile_fields():
    text = '{"run_id": "run-20261123T185219-5094a3", "started_at": "2026-11-23T18:52:19Z", "tool_version": "0.1.0"}'
    assert normalise(text) == '{"run_id": "<RUN_ID>", "started_at": "<TIMESTAMP>", "tool_version": "<VERSION>"}'

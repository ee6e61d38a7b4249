"""The workbench's free text (whom an explanation is asked from, an answer, a decision's reason) is
stored in the chain for good and shown in the regenerated report: text that looks like it holds a
personal identifier is refused, in the library, with nothing recorded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

pytest.importorskip("fastapi")

from auditor.web import accounts, decisions  # noqa: E402


@pytest.fixture()
def setup(sample_db_copy):
    engine = sample_db_copy
    auditor = accounts.add_user(engine, "auditor", "auditor", "a long enough password")
    with engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM findings LIMIT 1")).mappings().one())
    return engine, auditor, row


def _events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM web_events")).scalar_one()


@pytest.mark.parametrize("to", ["jane.doe@ministry.example", "+49 30 12345678", "http://intranet/contact",
                                "10.1.2.3", "Ms Martin, call +33 6 12 34 56 78 before noon",
                                "the DPO on 06 12 34 56 78", "ring +49 (30) 1234-5678 please"])
def test_an_identifier_in_the_free_text_is_refused_and_nothing_recorded(setup, to):
    engine, auditor, row = setup
    before = _events(engine)
    with pytest.raises(decisions.DecisionError, match="personal identifier"):
        decisions.record(engine, auditor, "explanation_requested", row, {"to": to, "due": "2027-01-31"})
    assert _events(engine) == before


def test_plain_text_with_dates_and_article_numbers_is_recorded(setup):
    engine, auditor, row = setup
    decisions.record(engine, auditor, "explanation_requested", row,
                     {"to": "DE ministry, data protection office", "due": "2027-01-31"})
    decisions.record(engine, auditor, "answer_recorded", row,
                     {"text": "Letter of 2026-11-02, ref. 2026/114: the order was oral under Art. 9(1)."})
    decisions.record(engine, auditor, "answer_recorded", row,  # dates, references, sums: no phone number
                     {"text": "Answered on 02.11.2026 and 03.11.2026 (DE-2025-02812), within 10 + 5 days."})
    with pytest.raises(decisions.DecisionError, match="answer looks like"):
        decisions.record(engine, auditor, "answer_recorded", row, {"text": "call 004930123456789"})
    with pytest.raises(decisions.DecisionError, match="reason looks like"):
        decisions.record(engine, auditor, "decision_proposed", row,
                         {"decision": "waived", "reason": "asked j.doe@x.example", "until": "2027-06-30"})
    assert decisions.state(engine, row["fingerprint"]).status == "answered"


@pytest.mark.parametrize(("name", "kept"), [
    ("letter to jane.doe@example.org.pdf", "attachment.pdf"),
    ("call 004930123456789.txt", "attachment.txt"),
    ("call +33 6 12 34 56 78.pdf", "attachment.pdf"),
    ("C:\\Users\\x\\answer 2026-11-02.pdf", "answer 2026-11-02.pdf"),
])
def test_an_attachment_name_that_looks_identifying_is_not_kept(name, kept):
    assert decisions.safe_filename(name) == kept

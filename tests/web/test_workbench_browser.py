"""The workbench in headless Chromium (Playwright), as an audit team uses it: an auditor signs in,
finds a finding, asks the audited authority for an explanation, records the answer and proposes
to waive it; an approver (another person) approves it; a viewer sees the decision and can change
nothing. The server is the real app under uvicorn on a free local port; the pages fetch nothing
from elsewhere. Skips on a laptop without chromium, never in CI (the ``browser`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from auditor.web import accounts  # noqa: E402
from auditor.web.app import create_app  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(sample_run, tmp_path_factory):
    db = tmp_path_factory.mktemp("wbb") / "auditor.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    engine = sa.create_engine(f"sqlite:///{db}")
    for name in ("auditor", "approver", "viewer"):
        accounts.add_user(engine, name, name, PASSWORD)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(engine, secure_cookies=False)
    app.state.report_charts = False  # the regenerated report without charts: a tenth of the time
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine
    srv.should_exit = True
    thread.join(10)
    engine.dispose()


def _session(browser, base: str, user: str):
    ctx = browser.new_context()
    page = ctx.new_page()
    seen: dict[str, list] = {"errors": [], "elsewhere": []}
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(base) else seen["elsewhere"].append(r.url))
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert "/login" not in page.url, page.content()[:500]
    return ctx, page, seen


def test_triage_explanation_answer_and_second_person_approval(server, browser):
    base, engine = server
    ctx, page, seen = _session(browser, base, "auditor")
    page.click("#runs tbody a")  # the run
    page.click("text=breach findings")
    page.click("#groups tbody tr:first-child a")  # a finding of the biggest group
    finding_url = page.url
    assert "open" in page.inner_text("#status")
    page.fill("#request-explanation input[name=to]", "Prosecutor's office, FR")
    page.fill("#request-explanation input[name=due]", "2027-01-15")
    page.click("#request-explanation button")
    assert "explanation requested" in page.inner_text("#status")
    page.fill("#record-answer textarea", "The answer was sent by post; copy attached to file 12/2026.")
    letter = b"%PDF-1.4 scanned letter of the prosecutor's office"
    page.set_input_files("#record-answer input[type=file]",
                         files=[{"name": "letter 12-2026.pdf", "mimeType": "application/pdf", "buffer": letter}])
    page.click("#record-answer button")
    assert "answered" in page.inner_text("#status")
    assert "letter 12-2026.pdf" in page.inner_text("#events")
    with page.expect_download() as download:  # served as an attachment, never shown inline
        page.click("#events a.attachment")
    assert download.value.suggested_filename == "letter 12-2026.pdf"
    assert Path(download.value.path()).read_bytes() == letter
    page.select_option("#propose-decision select[name=decision]", "waived")
    page.fill("#propose-decision input[name=reason]", "late answer explained by a postal strike")
    page.fill("#propose-decision input[name=until]", "2027-06-30")
    page.click("#propose-decision button")
    assert "Waiting for approval" in page.inner_text("#proposal")
    assert page.locator("#approve").count() == 0  # never one's own decision
    assert not seen["errors"] and not seen["elsewhere"], seen
    ctx.close()

    ctx, page, seen = _session(browser, base, "approver")
    page.goto(finding_url)
    page.click("#approve button")
    assert "Decision: waived" in page.inner_text("#decision") and "approved by approver" in page.inner_text("#decision")
    # ... and sees it in the run's report, regenerated with the decisions
    fingerprint = finding_url.rstrip("/").rsplit("/", 1)[1]
    page.goto(finding_url.split("/findings/")[0])  # the run's page
    page.click("#report-link")
    assert page.url.endswith("/report/index.html")
    row = page.locator(f"#decisions-table tr:has(td[title='{fingerprint}'])")
    cells = row.locator("td").all_inner_texts()
    assert cells[6:10] == ["decided", "waived", "late answer explained by a postal strike", "2027-06-30"], cells
    assert cells[10].startswith("auditor ") and cells[11].startswith("approver "), cells
    page.click("#decisions-table th:first-child")  # the report's own script runs (sorting): allowed by its hash
    assert page.get_attribute("#decisions-table th:first-child", "aria-sort") == "ascending"
    assert not seen["errors"] and not seen["elsewhere"], seen
    ctx.close()

    ctx, page, seen = _session(browser, base, "viewer")
    page.goto(finding_url)
    assert "Decision: waived" in page.inner_text("#decision")
    assert page.locator("form#request-explanation, form#approve, form#propose-decision").count() == 0
    history = page.inner_text("#events")
    assert history.index("explanation requested") < history.index("answer recorded") < history.index(
        "decision approved")
    ctx.close()
    from auditor.web import decisions

    assert decisions.verify_chain(engine)[1] is None
    assert any("postal strike" in w.justification for w in decisions.waivers(engine))

"""The workbench (``auditor serve``): sign-in, sessions, CSRF, roles route by route, and the
read-only views of runs and findings, through FastAPI's test client on the sample's database:
every test on SQLite, then on PostgreSQL (the ``backend`` fixture, ``tests/web/conftest.py``)."""

from __future__ import annotations

import html
import json
import re
import sqlite3

import pytest
import sqlalchemy as sa

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient  # noqa: E402

from auditor.web import accounts  # noqa: E402
from auditor.web.app import LOGIN_LIMIT, ROUTES, create_app  # noqa: E402

PASSWORD = "correct horse battery"
ROLES = ("viewer", "auditor", "approver", "admin")


@pytest.fixture(scope="module")
def engine(sample_run, tmp_path_factory, backend, request):
    from auditor.store import db as store

    db = tmp_path_factory.mktemp("wb") / "auditor.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)  # the WAL's pages too (a file copy would miss them)
    eng = sa.create_engine(f"sqlite:///{db}")
    if backend == "postgresql":  # the sample's database copied into a schema of its own
        from tests.web.conftest import copy_database

        pg = store.get_engine(request.getfixturevalue("pg_schema_url"))
        copy_database(eng, pg)
        eng.dispose()
        eng = pg
    for role in ROLES:
        accounts.add_user(eng, role, role, PASSWORD)
    accounts.add_user(eng, "victim", "viewer", PASSWORD)  # the one the disable route may disable
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def ids(engine):
    with engine.connect() as conn:
        run_id, fingerprint = conn.execute(sa.text("SELECT run_id, fingerprint FROM findings LIMIT 1")).one()
    from auditor.web import decisions

    # an answer with an attachment, for the download route of the matrix
    row = _row_of(engine, run_id, fingerprint)
    auditor = accounts.get_user(engine, "auditor")
    decisions.record(engine, auditor, "explanation_requested", row, {"to": "the authority", "due": "2027-01-31"})
    answer = decisions.record(engine, auditor, "answer_recorded", row, {"text": "see the letter"},
                              attachment=("letter.txt", b"the letter"))
    sha256 = json.loads(answer["data"])["attachment"]["sha256"]
    return {"run_id": run_id, "fingerprint": fingerprint, "username": "victim", "page": "index.html",
            "sha256": sha256}


@pytest.fixture(scope="module")
def app(engine):
    app = create_app(engine, secure_cookies=False)
    app.state.report_charts = False  # the regenerated report's pages without charts: a tenth of the time
    return app


def _csrf(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _signed_in(app, role: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": role, "password": PASSWORD, "csrf": _csrf(client)})
    assert r.status_code == 303, r.text
    return client


def test_anonymous_is_sent_to_sign_in(app):
    client = TestClient(app, follow_redirects=False)
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/healthz").json() == {"status": "ok"}


def test_sign_in_needs_the_right_password_and_is_rate_limited(engine):
    app = create_app(engine, secure_cookies=False)  # its own failure counter
    client = TestClient(app, follow_redirects=False)
    token = _csrf(client)
    for _ in range(LOGIN_LIMIT):
        r = client.post("/login", data={"username": "auditor", "password": "wrong password!", "csrf": token})
        assert r.status_code == 401 and "Wrong user name or password." in r.text
    r = client.post("/login", data={"username": "auditor", "password": PASSWORD, "csrf": token})
    assert r.status_code == 429  # even the right password, until the window has passed
    other = _signed_in(app, "viewer")  # another name is not blocked
    assert other.get("/").status_code == 200


def test_a_post_without_the_csrf_token_is_refused(app):
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 403
    admin = _signed_in(app, "admin")
    r = admin.post("/admin/users", data={"username": "mallory", "role": "admin", "password": PASSWORD * 2,
                                         "csrf": "forged"})
    assert r.status_code == 403
    assert "mallory" not in admin.get("/admin/users").text


def test_sessions_cookie_is_strict_and_http_only(app):
    client = TestClient(app, follow_redirects=False)
    r = client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_no_open_redirect_after_sign_in(app):
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf": _csrf(client),
                                    "next": "//evil.example/"})
    assert r.headers["location"] == "/"


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize(("method", "path", "needed"),
                         [r for r in ROUTES if r[1] != "/logout" and not r[1].startswith("/login")])
def test_authorisation_matrix(app, ids, role, method, path, needed):
    client = _signed_in(app, role) if role else TestClient(app, follow_redirects=False)
    url = path.format(**ids)
    if method == "GET":
        r = client.get(url)
    else:
        data = {"csrf": _csrf(client, "/login"), "username": "new-" + (role or "anon"), "role": "viewer",
                "password": PASSWORD, "action": "explanation_requested", "to": "the authority", "due": "2027-01-31"}
        r = client.post(url, data=data)
    allowed = needed is None or (role is not None and accounts.may(role, needed))
    if allowed:
        assert r.status_code in (200, 204, 303), (r.status_code, r.text[:300])
        if r.status_code == 303:
            assert not r.headers["location"].startswith("/login")
    elif role is None:
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    else:
        assert r.status_code == 403


def test_runs_dashboard_findings_and_a_finding(app, ids, engine):
    client = _signed_in(app, "viewer")
    assert ids["run_id"] in client.get("/").text
    page = client.get(f"/runs/{ids['run_id']}").text
    with engine.connect() as conn:
        breaches = conn.execute(sa.text("SELECT COUNT(*) FROM findings WHERE run_id = :r AND "
                                        "COALESCE(kind, 'breach') = 'breach'"), {"r": ids["run_id"]}).scalar_one()
    assert f"{breaches} breach findings" in page
    listing = client.get(f"/runs/{ids['run_id']}/findings?party=FR&kind=breach").text
    groups = re.findall(r"<tr><td>(\w+)</td><td>\w+</td><td>breach</td><td>(\w+)</td>", listing)
    assert groups and {p for _, p in groups} == {"FR"}
    detail = client.get(f"/runs/{ids['run_id']}/findings/{ids['fingerprint']}").text
    assert ids["fingerprint"][:12] in detail and ids["run_id"] in detail
    assert client.get("/runs/nope").status_code == 404


def test_disabled_account_loses_its_session(app, engine):
    accounts.add_user(engine, "temp-user", "viewer", PASSWORD)
    client = _signed_in(app, "temp-user")
    assert client.get("/").status_code == 200
    accounts.disable_user(engine, "temp-user")
    assert client.get("/").status_code == 303
    r = client.post("/login", data={"username": "temp-user", "password": PASSWORD, "csrf": _csrf(client)})
    assert r.status_code == 401


def test_account_rules(engine):
    with pytest.raises(accounts.AccountError):
        accounts.add_user(engine, "x", "viewer", PASSWORD)  # name too short
    with pytest.raises(accounts.AccountError):
        accounts.add_user(engine, "someone", "root", PASSWORD)  # no such role
    with pytest.raises(accounts.AccountError):
        accounts.add_user(engine, "someone", "viewer", "short")
    with pytest.raises(accounts.AccountError):
        accounts.add_user(engine, "viewer", "viewer", PASSWORD)  # exists
    stored = accounts.get_user(engine, "viewer")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


# ---------------------------------------------------------------- the finding lifecycle


def _act(client: TestClient, ids: dict, fingerprint: str, **data: str):
    url = f"/runs/{ids['run_id']}/findings/{fingerprint}"
    token = _csrf(client, url)
    return client.post(url + "/act", data={"csrf": token, **data})


def _fingerprints(engine, n: int) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT fingerprint FROM findings WHERE COALESCE(kind, 'breach') = 'breach' "
            "AND request_id IS NOT NULL ORDER BY fingerprint LIMIT :n OFFSET 5"), {"n": n})]


def test_lifecycle_with_a_second_person(app, ids, engine):
    fp = _fingerprints(engine, 1)[0]
    auditor, approver, viewer = (_signed_in(app, r) for r in ("auditor", "approver", "viewer"))
    assert _act(auditor, ids, fp, action="explanation_requested", to="FR prosecutor", due="2027-01-15").status_code == 303
    assert _act(auditor, ids, fp, action="answer_recorded", text="Order lost in transit").status_code == 303
    r = _act(auditor, ids, fp, action="decision_proposed", decision="waived", reason="re-sent", until="2027-06-30")
    assert r.status_code == 303
    # the author cannot approve (even as admin), a viewer cannot act at all
    assert _act(viewer, ids, fp, action="decision_approved").status_code == 403
    own = _signed_in(app, "admin")
    assert _act(own, ids, fp, action="decision_proposed", decision="confirmed").status_code == 400  # one pending
    page = approver.get(f"/runs/{ids['run_id']}/findings/{fp}").text
    assert 'id="approve"' in page and "Waiting for approval" in page
    assert 'id="approve"' not in auditor.get(f"/runs/{ids['run_id']}/findings/{fp}").text
    assert _act(approver, ids, fp, action="decision_approved").status_code == 303
    page = viewer.get(f"/runs/{ids['run_id']}/findings/{fp}").text
    assert "Decision: waived" in page and "approved by approver" in page
    # the decision is a waiver the next audit applies, and the exports list it
    from auditor.web import decisions

    (w,) = [w for w in decisions.waivers(engine) if w.request is not None and fp in _fp_of(engine, w)]
    assert w.expires.isoformat() == "2027-06-30" and "approver" in w.approver and "auditor" in w.approver
    toml = viewer.get("/exports/waivers.toml").text
    assert "[[waivers]]" in toml and 'justification = "waived (workbench): re-sent"' in toml
    # the next audit of the database applies it: the finding is waived, the run records the waiver
    from click.testing import CliRunner

    from auditor import audit
    from auditor.cli import main
    from tests.conftest import AS_OF, KEY

    res = CliRunner().invoke(main, ["audit", "--db", engine.url.render_as_string(hide_password=False), "--as-of", AS_OF],
                             env={"AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false"})
    assert res.exit_code in (0, 1), res.output
    model = audit.build_model(engine, None)
    hit = [f for f in model["findings"] if f["fingerprint"] == fp]
    assert hit and all(f["waived"] and str(f["waiver_id"]).startswith("workbench-") for f in hit)
    log = viewer.get("/exports/decisions.json").json()
    assert [e["action"] for e in log if e["fingerprint"] == fp] == [
        "explanation_requested", "answer_recorded", "decision_proposed", "decision_approved"]


def _fp_of(engine, w) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.text(
            "SELECT fingerprint FROM findings WHERE check_id = :c AND request_id = :q"), {"c": w.check, "q": w.request})}


def test_author_cannot_approve_own_decision_in_the_library(engine):
    from auditor.web import decisions

    fp = _fingerprints(engine, 2)[1]
    with engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM findings WHERE fingerprint = :f LIMIT 1"), {"f": fp}).mappings().one())
    boss = accounts.get_user(engine, "admin")
    decisions.record(engine, boss, "decision_proposed", row, {"decision": "confirmed"})
    with pytest.raises(decisions.DecisionError, match="someone other"):
        decisions.record(engine, boss, "decision_approved", row)
    with pytest.raises(decisions.DecisionError, match="role"):
        decisions.record(engine, accounts.get_user(engine, "auditor"), "decision_approved", row)


def test_an_edited_decision_is_caught_by_verify(engine):
    from click.testing import CliRunner

    from auditor.cli import main
    from auditor.web import decisions

    fp = _fingerprints(engine, 3)[2]
    with engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM findings WHERE fingerprint = :f LIMIT 1"), {"f": fp}).mappings().one())
    decisions.record(engine, accounts.get_user(engine, "auditor"), "decision_proposed", row,
                     {"decision": "waived", "reason": "late but lawful", "until": "2027-03-01"})
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--db", url])
    assert ok.exit_code == 0 and "Workbench decisions intact" in ok.output, ok.output
    edit = sa.text("UPDATE web_events SET data = replace(data, :a, :b) "
                   "WHERE action = 'decision_proposed' AND fingerprint = :f")
    with engine.begin() as conn:  # the module's database, put back afterwards
        conn.execute(edit, {"a": "waived", "b": "confirmed", "f": fp})
    try:
        bad = runner.invoke(main, ["verify", "--db", url])
    finally:
        with engine.begin() as conn:
            conn.execute(edit, {"a": "confirmed", "b": "waived", "f": fp})
    assert bad.exit_code == 1 and "Workbench decisions BROKEN" in bad.output + (bad.stderr or "")
    assert runner.invoke(main, ["verify", "--db", url]).exit_code == 0


# ---------------------------------------------------------------- the report regenerated with the decisions


def _row_of(engine, run_id: str, fp: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM findings WHERE run_id = :r AND fingerprint = :f"),
                                 {"r": run_id, "f": fp}).mappings().one())


def _decisions_table(page: str) -> dict[str, list[str]]:
    """{fingerprint: the cells of its row} of the report's decisions section."""
    table = re.search(r'<table class="sortable" id="decisions-table">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for tr in re.findall(r"<tr class=\"decision-\w+\">(.*?)</tr>", table, re.S):
        fp = re.search(r'title="(\w+)"', tr).group(1)
        rows[fp] = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
    return rows


def test_regenerated_report_shows_an_approved_decision_and_a_proposed_one(app, ids, engine, tmp_path):
    from click.testing import CliRunner

    from auditor.cli import main
    from auditor.web import decisions

    decided, proposed = _fingerprints(engine, 7)[5:7]
    auditor, approver = accounts.get_user(engine, "auditor"), accounts.get_user(engine, "approver")
    row = _row_of(engine, ids["run_id"], decided)
    decisions.record(engine, auditor, "explanation_requested", row, {"to": "DE ministry", "due": "2027-02-01"})
    decisions.record(engine, auditor, "answer_recorded", row, {"text": "the order was oral, confirmed in writing"})
    decisions.record(engine, auditor, "decision_proposed", row,
                     {"decision": "justified", "reason": "urgent <b>oral</b> order", "until": "2027-09-30"})
    decisions.record(engine, approver, "decision_approved", row)
    decisions.record(engine, auditor, "decision_proposed", _row_of(engine, ids["run_id"], proposed),
                     {"decision": "waived", "reason": "lost in transit", "until": "2027-04-30"})

    viewer = _signed_in(app, "viewer")
    run_page = viewer.get(f"/runs/{ids['run_id']}").text
    assert f'href="/runs/{ids["run_id"]}/report/index.html"' in run_page
    r = viewer.get(f"/runs/{ids['run_id']}/report")
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{ids['run_id']}/report/index.html"
    r = viewer.get(r.headers["location"])
    assert r.status_code == 200 and "script-src 'sha256-" in r.headers["content-security-policy"]
    rows = _decisions_table(r.text)
    assert "urgent &lt;b&gt;oral&lt;/b&gt; order" in r.text  # escaped, never markup
    d = rows[decided]
    assert d[6] == "decided" and d[7] == "justified" and d[8] == "urgent <b>oral</b> order" and d[9] == "2027-09-30"
    assert d[10].startswith("auditor ") and d[11].startswith("approver ")
    assert "asked of DE ministry by auditor, due 2027-02-01; answer recorded by auditor" in d[12]
    p = rows[proposed]  # not approved: proposed, never decided
    assert p[6] == "proposed" and p[7] == "waived (proposed, not approved)" and p[11] == "—"
    assert len(rows) == len(decisions.by_fingerprint(engine, {f for f in rows}))  # only findings with a step
    # the other pages of the report are served from the same rendering; nothing outside it
    assert viewer.get(f"/runs/{ids['run_id']}/report/guide.html").status_code == 200
    assert viewer.get(f"/runs/{ids['run_id']}/report/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert viewer.get("/runs/nope/report/index.html").status_code == 404

    # a new decision is in the next rendering
    decisions.record(engine, approver, "decision_approved", _row_of(engine, ids["run_id"], proposed))
    again = _decisions_table(viewer.get(f"/runs/{ids['run_id']}/report/index.html").text)
    assert again[proposed][6] == "decided" and again[proposed][7] == "waived"

    # the same section from the command line (Markdown: no chart to draw), and only when asked for
    runner = CliRunner()
    db = engine.url.render_as_string(hide_password=False)
    out = runner.invoke(main, ["report", "--run", ids["run_id"], "--out", str(tmp_path / "with"), "--format", "md",
                               "--with-decisions", "--db", db])
    assert out.exit_code == 0, out.output
    md = (tmp_path / "with" / "index.md").read_text()
    assert "## Workbench decisions" in md
    line = next(x for x in md.splitlines() if decided[:12] in x)
    assert "| decided | justified |" in line and "| 2027-09-30 | auditor 20" in line and "| approver 20" in line
    summary = json.loads((tmp_path / "with" / "summary.json").read_text())
    states = {w["fingerprint"]: w for w in summary["workbench_decisions"]}
    assert states[decided]["approved_by"] == "approver" and states[decided]["decision"] == "justified"
    plain = runner.invoke(main, ["report", "--run", ids["run_id"], "--out", str(tmp_path / "plain"), "--format",
                                 "md", "--db", db])
    assert plain.exit_code == 0, plain.output
    assert "Workbench decisions" not in (tmp_path / "plain" / "index.md").read_text()
    assert "workbench_decisions" not in json.loads((tmp_path / "plain" / "summary.json").read_text())
    fr = runner.invoke(main, ["report", "--run", ids["run_id"], "--out", str(tmp_path / "fr"), "--format", "md",
                              "--lang", "fr", "--with-decisions", "--db", db])
    assert fr.exit_code == 0, fr.output
    md_fr = (tmp_path / "fr" / "index.md").read_text()
    assert "## Décisions de l'atelier d'audit" in md_fr and "| État | Décision |" in md_fr
    assert "| décidé | justifié |" in next(x for x in md_fr.splitlines() if decided[:12] in x)


# ---------------------------------------------------------------- attachments to answers


def test_an_answer_attachment_is_stored_once_by_hash_served_and_checked(app, ids, engine):
    import hashlib

    from click.testing import CliRunner

    from auditor.cli import main
    from auditor.web import decisions

    first, second = _fingerprints(engine, 9)[7:9]
    auditor, viewer = _signed_in(app, "auditor"), _signed_in(app, "viewer")
    content = b"%PDF-1.4 the authority's letter\n" + bytes(range(256))
    digest = hashlib.sha256(content).hexdigest()
    for fp in (first, second):  # the same letter attached to two answers
        assert _act(auditor, ids, fp, action="explanation_requested", to="FR", due="2027-01-15").status_code == 303
        url = f"/runs/{ids['run_id']}/findings/{fp}"
        r = auditor.post(url + "/act", data={"csrf": _csrf(auditor, url), "action": "answer_recorded",
                                             "text": "letter attached"},
                         files={"attachment": ("C:\\scans\\../lettre;12.pdf", content, "application/pdf")})
        assert r.status_code == 303, r.text
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM web_blobs WHERE sha256 = :h"), {"h": digest}).scalar() == 1
    page = auditor.get(f"/runs/{ids['run_id']}/findings/{first}").text
    link = f"/runs/{ids['run_id']}/findings/{first}/attachments/{digest}"
    assert f'href="{link}"' in page and "lettre_12.pdf" in page
    r = auditor.get(link)
    assert r.status_code == 200 and r.content == content
    assert r.headers["content-disposition"] == 'attachment; filename="lettre_12.pdf"'
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["content-type"] == "application/octet-stream"
    # a viewer sees the name, not the file; an attachment of another finding is not served here
    assert f'href="{link}"' not in viewer.get(f"/runs/{ids['run_id']}/findings/{first}").text
    assert viewer.get(link).status_code == 403
    assert auditor.get(f"/runs/{ids['run_id']}/findings/{first}/attachments/{ids['sha256']}").status_code == 404
    # the hash is in the answer's event (the chain covers it), the download is an event too
    events = decisions.state(engine, first).events
    answer = next(e for e in events if e["action"] == "answer_recorded")
    assert answer["data"]["attachment"] == {"sha256": digest, "size": len(content), "name": "lettre_12.pdf"}
    assert [e["actor"] for e in events if e["action"] == "attachment_downloaded"] == ["auditor"]

    # tampering with the stored bytes: the download refuses them, verify names the event
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE web_blobs SET data = :d WHERE sha256 = :h"), {"d": content + b"!", "h": digest})
    try:
        assert auditor.get(link).status_code == 409
        bad = CliRunner().invoke(main, ["verify", "--db", engine.url.render_as_string(hide_password=False)])
        assert bad.exit_code == 1 and "was changed after it was stored" in bad.output + (bad.stderr or "")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE web_blobs SET data = :d WHERE sha256 = :h"), {"d": content, "h": digest})
    assert decisions.verify_chain(engine)[1] is None


def test_an_attachment_over_the_limit_is_refused(app, ids, engine, monkeypatch):
    from auditor.web import decisions

    monkeypatch.setattr(decisions, "MAX_ATTACHMENT", 1024)  # the boundary, without sending 10 MiB
    fp = _fingerprints(engine, 10)[9]
    auditor = _signed_in(app, "auditor")
    assert _act(auditor, ids, fp, action="explanation_requested", to="FR", due="2027-01-15").status_code == 303
    url = f"/runs/{ids['run_id']}/findings/{fp}"
    over = auditor.post(url + "/act", data={"csrf": _csrf(auditor, url), "action": "answer_recorded", "text": "big"},
                        files={"attachment": ("big.bin", b"x" * 1025, "application/octet-stream")})
    assert over.status_code == 413 and "larger than" in over.text
    assert decisions.state(engine, fp).status == "explanation_requested"  # nothing recorded
    fits = auditor.post(url + "/act", data={"csrf": _csrf(auditor, url), "action": "answer_recorded", "text": "ok"},
                        files={"attachment": ("fits.bin", b"y" * 1024, "application/octet-stream")})
    assert fits.status_code == 303
    with pytest.raises(decisions.DecisionError, match="at most"), engine.begin() as conn:  # the library too
        decisions.store_blob(conn, b"z" * 1025)

"""The workbench (``auditor serve``): sign-in, sessions, CSRF, roles route by route, and the
read-only views of runs and findings, through FastAPI's test client on the sample's database."""

from __future__ import annotations

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
def engine(sample_run, tmp_path_factory):
    db = tmp_path_factory.mktemp("wb") / "auditor.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)  # the WAL's pages too (a file copy would miss them)
    eng = sa.create_engine(f"sqlite:///{db}")
    for role in ROLES:
        accounts.add_user(eng, role, role, PASSWORD)
    accounts.add_user(eng, "victim", "viewer", PASSWORD)  # the one the disable route may disable
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def ids(engine):
    with engine.connect() as conn:
        run_id, fingerprint = conn.execute(sa.text("SELECT run_id, fingerprint FROM findings LIMIT 1")).one()
    return {"run_id": run_id, "fingerprint": fingerprint, "username": "victim"}


@pytest.fixture(scope="module")
def app(engine):
    return create_app(engine, secure_cookies=False)


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
@pytest.mark.parametrize(("method", "path", "needed"), [r for r in ROUTES if r[1] not in ("/login", "/logout")])
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

    res = CliRunner().invoke(main, ["audit", "--db", str(engine.url), "--as-of", AS_OF],
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


def test_an_edited_decision_is_caught_by_verify(engine, tmp_path):
    from click.testing import CliRunner

    from auditor.cli import main
    from auditor.web import decisions

    fp = _fingerprints(engine, 3)[2]
    with engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM findings WHERE fingerprint = :f LIMIT 1"), {"f": fp}).mappings().one())
    decisions.record(engine, accounts.get_user(engine, "auditor"), "decision_proposed", row,
                     {"decision": "waived", "reason": "late but lawful", "until": "2027-03-01"})
    db = tmp_path / "copy.db"
    with sqlite3.connect(str(engine.url.database)) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--db", f"sqlite:///{db}"])
    assert ok.exit_code == 0 and "Workbench decisions intact" in ok.output, ok.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE web_events SET data = replace(data, 'waived', 'confirmed') "
                     "WHERE action = 'decision_proposed' AND fingerprint = ?", (fp,))
    bad = runner.invoke(main, ["verify", "--db", f"sqlite:///{db}"])
    assert bad.exit_code == 1 and "Workbench decisions BROKEN" in bad.output + (bad.stderr or "")

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
                "password": PASSWORD}
        r = client.post(url, data=data)
    allowed = needed is None or (role is not None and accounts.may(role, needed))
    if allowed:
        assert r.status_code in (200, 303), (r.status_code, r.text[:300])
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

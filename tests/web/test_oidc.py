"""OpenID Connect sign-in (``auditor serve --oidc-issuer``): the whole authorization code flow
against a fake provider served in-process (discovery, JWKS, authorize, token; ID tokens signed
RS256 with joserfc, the JOSE library authlib itself verifies with), through the test client."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("authlib")

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from auditor.web import accounts  # noqa: E402
from auditor.web.app import create_app  # noqa: E402
from auditor.web.oidc import COOKIE, OIDCConfig  # noqa: E402

ISSUER = "https://idp.test"
CLIENT_ID, CLIENT_SECRET = "workbench", "client-secret-for-tests"
PASSWORD = "correct horse battery"


class FakeIdP:
    """A provider with one signed-in person at a time (``claims``); it checks the client's
    credentials, the redirect URI and the PKCE verifier before issuing a token. With ``consent``,
    its authorize endpoint first shows a page whose button POSTs back to it (as a real provider's
    sign-in form does), so a browser arrives at the callback from the provider's own page."""

    def __init__(self, issuer: str = ISSUER, consent: bool = False) -> None:
        self.issuer, self.consent = issuer, consent
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.claims: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens_issued = 0
        self.audience = CLIENT_ID
        self.signing_key = self.key
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
        ])

    async def discovery(self, request: Request) -> JSONResponse:
        i = self.issuer
        return JSONResponse({"issuer": i, "authorization_endpoint": f"{i}/authorize",
                             "token_endpoint": f"{i}/token", "jwks_uri": f"{i}/jwks",
                             "response_types_supported": ["code"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"],
                             "code_challenge_methods_supported": ["S256"]})

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if self.consent and request.method == "GET":
            return HTMLResponse(f'<form method="post" action="/authorize?{request.url.query}">'
                                '<button id="allow" type="submit">Allow</button></form>')
        assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID and "openid" in q["scope"].split()
        assert q["code_challenge_method"] == "S256" and q["nonce"] and q["state"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "nonce": q["nonce"], "redirect_uri": q["redirect_uri"]}
        return RedirectResponse(q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]}), 302)

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        grant = self.codes.pop(form.get("code"), None)
        if request.headers.get("authorization") != f"Basic {basic}" or grant is None:
            return JSONResponse({"error": "invalid_client" if grant else "invalid_grant"}, 400)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"].encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["challenge"] or form["redirect_uri"] != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "sub": "subject-1", "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **self.claims}
        self.tokens_issued += 1
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.signing_key)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from auditor.store import db

    eng = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('oidc') / 'auditor.db'}")
    accounts.add_user(eng, "alice", "auditor", PASSWORD)
    accounts.add_user(eng, "gone", "admin", PASSWORD)
    accounts.disable_user(eng, "gone")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def idp():
    return FakeIdP()


@pytest.fixture
def app(engine, idp):
    idp.claims, idp.audience, idp.signing_key = {}, CLIENT_ID, idp.key
    config = OIDCConfig(issuer=ISSUER, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name="Test IdP",
                        client_kwargs={"transport": httpx.ASGITransport(app=idp.app)})
    return create_app(engine, secure_cookies=False, oidc=config)


def _to_provider(client: TestClient, next_: str = "/") -> str:
    r = client.get("/login/oidc", params={"next": next_})
    assert r.status_code == 302 and r.headers["location"].startswith(f"{ISSUER}/authorize?"), r.text[:300]
    return r.headers["location"]


def _provider_answers(idp: FakeIdP, authorize_url: str) -> str:
    """The browser at the provider: the person signs in there, it redirects back with a code."""
    r = TestClient(idp.app, base_url=ISSUER, follow_redirects=False).get(authorize_url)
    assert r.status_code == 302
    return r.headers["location"]


def test_full_code_flow_signs_in_the_local_account(app, idp, caplog):
    idp.claims = {"preferred_username": "alice", "email": "alice@example.org"}
    browser = TestClient(app, follow_redirects=False)
    login = browser.get("/login").text
    assert 'href="/login/oidc?next=%2F"' in login and "Sign in with Test IdP" in login
    start = browser.get("/login/oidc", params={"next": "/runs/x"})
    cookie = next(c for c in start.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
    assert "samesite=lax" in cookie.lower() and "httponly" in cookie.lower() and "path=/login/oidc" in cookie.lower()
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["redirect_uri"] == ["http://testserver/login/oidc/callback"] and query["code_challenge_method"] == ["S256"]
    callback = _provider_answers(idp, authorize)
    assert callback.startswith("http://testserver/login/oidc/callback?code=")
    with caplog.at_level(logging.INFO, logger="auditor.web"):
        done = browser.get(callback)
    assert done.status_code == 200, done.text[:300]
    # a page that moves on by itself (the Strict session cookie rides on this site's own navigation)
    assert re.search(r'<meta http-equiv="refresh" content="0; url=/runs/x">', done.text)
    set_cookies = done.headers.get_list("set-cookie")
    assert any(c.startswith("auditor_session=") and "samesite=strict" in c.lower() for c in set_cookies)
    assert any(c.startswith(COOKIE + '=""') or c.startswith(COOKIE + "=;") for c in set_cookies)  # deleted
    assert "alice (auditor)" in browser.get("/").text  # the local account and its local role
    assert idp.tokens_issued >= 1
    hits = [r for r in caplog.records if r.getMessage() == "signed in"]
    assert hits and hits[-1].method == "oidc" and hits[-1].user == "alice"
    # the callback cannot be replayed: the flow's cookie is gone, and so is the code
    assert TestClient(app, follow_redirects=False).get(callback).status_code == 400


@pytest.mark.parametrize("name", ["nobody", "gone", "Alice"])
def test_unknown_disabled_or_differently_spelled_account_is_refused(app, idp, name):
    idp.claims = {"preferred_username": name}
    browser = TestClient(app, follow_redirects=False)
    r = browser.get(_provider_answers(idp, _to_provider(browser)))
    assert r.status_code == 403 and "no enabled workbench account" in r.text
    assert browser.get("/").status_code == 303  # not signed in


def test_wrong_or_missing_state_is_refused(app, idp):
    idp.claims = {"preferred_username": "alice"}
    browser = TestClient(app, follow_redirects=False)
    callback = _provider_answers(idp, _to_provider(browser))
    before = idp.tokens_issued
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    assert browser.get(forged).status_code == 400
    other = TestClient(app, follow_redirects=False)  # a browser that did not start this sign-in
    assert other.get(callback).status_code == 400
    assert idp.tokens_issued == before  # the code was never redeemed
    assert browser.get("/").status_code == 303 and other.get("/").status_code == 303


@pytest.mark.parametrize("tamper", ["audience", "signature"])
def test_id_token_for_another_client_or_badly_signed_is_refused(app, idp, tamper):
    idp.claims = {"preferred_username": "alice"}
    if tamper == "audience":
        idp.audience = "another-client"
    else:
        idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    browser = TestClient(app, follow_redirects=False)
    r = browser.get(_provider_answers(idp, _to_provider(browser)))
    assert r.status_code == 401 and "did not sign you in" in r.text
    assert browser.get("/").status_code == 303


def test_not_configured_no_button_and_404(engine):
    browser = TestClient(create_app(engine, secure_cookies=False), follow_redirects=False)
    page = browser.get("/login").text
    assert "Sign in with" not in page and "/login/oidc" not in page
    assert browser.get("/login/oidc").status_code == 404
    assert browser.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_serve_needs_issuer_and_client_id_together():
    from click.testing import CliRunner

    from auditor.cli import main

    r = CliRunner().invoke(main, ["serve", "--oidc-issuer", ISSUER])
    assert r.exit_code == 2 and "--oidc-client-id" in r.output
    r = CliRunner().invoke(main, ["serve", "--oidc-issuer", "http://idp.example", "--oidc-client-id", "x"])
    assert r.exit_code == 2 and "https://" in r.output


def test_provider_unreachable_is_a_page_not_a_crash(engine):
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    config = OIDCConfig(issuer=ISSUER, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name="Test IdP",
                        client_kwargs={"transport": httpx.MockTransport(down)})
    browser = TestClient(create_app(engine, secure_cookies=False, oidc=config), follow_redirects=False)
    r = browser.get("/login/oidc")
    assert r.status_code == 502 and "Test IdP cannot be reached" in r.text
    assert COOKIE not in browser.cookies

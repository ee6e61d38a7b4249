"""OpenID Connect sign-in in headless Chromium, where SameSite is enforced: the workbench at
127.0.0.1 and the fake provider at localhost are two sites, so the provider's redirect back is a
cross-site navigation. The flow's Lax cookie must reach the callback, and the Strict session
cookie must be used on the next page (the callback's own page moves on, not a redirect, which
Chromium would treat as part of the provider's cross-site chain and send without the cookie).
Skips on a laptop without chromium, never in CI (the ``browser`` fixture of tests/conftest.py)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("authlib")
uvicorn = pytest.importorskip("uvicorn")

from auditor.web import accounts  # noqa: E402
from auditor.web.app import create_app  # noqa: E402
from auditor.web.oidc import OIDCConfig  # noqa: E402
from tests.web.test_oidc import CLIENT_ID, CLIENT_SECRET, PASSWORD, FakeIdP  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app, port: int) -> uvicorn.Server:
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    return srv


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    from auditor.store import db

    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('oidcb') / 'auditor.db'}")
    accounts.add_user(engine, "alice", "auditor", PASSWORD)
    wb_port, idp_port = _port(), _port()
    idp = FakeIdP(issuer=f"http://localhost:{idp_port}", consent=True)
    app = create_app(engine, secure_cookies=False, oidc=OIDCConfig(
        issuer=idp.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name="Test IdP"))
    servers = [_serve(app, wb_port), _serve(idp.app, idp_port)]
    yield f"http://127.0.0.1:{wb_port}", idp
    for srv in servers:
        srv.should_exit = True
    engine.dispose()


@pytest.mark.parametrize("name", ["alice", "nobody"])
def test_sign_in_through_the_provider_in_a_browser(browser, sites, name):
    base, idp = sites
    idp.claims = {"preferred_username": name}
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(base + "/login?next=/admin/users")
    page.click("#oidc")
    page.wait_for_url(idp.issuer + "/authorize*")
    page.click("#allow")  # the provider's page posts to the provider, which redirects back to us
    if name == "alice":
        page.wait_for_url(base + "/admin/users")  # the callback's page moved on, with the session
        assert "alice (auditor)" in page.inner_text("header")
        assert "needs the admin role" in page.inner_text("main")  # the local role, nothing from the provider
    else:
        page.wait_for_url(base + "/login/oidc/callback*")
        assert "no enabled workbench account" in page.inner_text("main")
        page.goto(base + "/")
        assert page.url.startswith(base + "/login")
    cookies = {c["name"]: c for c in ctx.cookies()}
    assert "auditor_oidc" not in cookies  # the flow's cookie is spent
    if name == "alice":
        assert cookies["auditor_session"]["sameSite"] == "Strict"
    ctx.close()

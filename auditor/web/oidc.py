"""Optional OpenID Connect sign-in for the workbench (``auditor serve --oidc-issuer URL
--oidc-client-id ID``, the client secret in ``AUDITOR_OIDC_CLIENT_SECRET``).

The provider is found by discovery (``ISSUER/.well-known/openid-configuration``); sign-in is the
authorization code flow with PKCE (S256), ``state`` and ``nonce``, through authlib's Starlette
client. The ID token's signature (the provider's JWKS), issuer, audience, expiry and nonce are
checked by authlib before anything here looks at its claims.

**Accounts stay local.** The claim :attr:`OIDCConfig.username_claim` (default
``preferred_username``) of the ID token names a local account; the person signs in only when
that account exists and is enabled, and gets that account's role. The provider grants no role
and creates no account: ``auditor users add NAME --role ROLE`` first (the account's password may
be a long random one nobody knows, if password sign-in is not wanted for that person). Use a
claim the provider's users cannot choose for themselves.

**Cookies.** The session cookie stays ``SameSite=Strict``. The provider's redirect back to
``/login/oidc/callback`` is a cross-site top-level navigation, on which a browser does not send a
Strict cookie, so the flow's state (``state``, PKCE verifier, nonce, where to go next) cannot live
in the session: it travels in its own cookie, ``auditor_oidc``, signed with the session key,
``SameSite=Lax`` (sent on that top-level GET), ``HttpOnly``, limited to the path ``/login/oidc``
and to :data:`STATE_TTL` seconds, and deleted by the callback. For the same reason the callback
does not redirect at once: a redirect that continues the provider's cross-site chain would still
arrive without the new Strict session cookie, so the callback answers with a short page that
moves on by itself (``<meta http-equiv="refresh">``, a navigation started by this site; a link
too, no JavaScript).
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from . import accounts

__all__ = ["COOKIE", "STATE_TTL", "OIDCConfig", "install", "loggable_name"]

log = logging.getLogger("auditor.web")

#: the flow's own cookie (the session cookie is Strict: see the module's docstring)
COOKIE = "auditor_oidc"
#: seconds a started sign-in may take at the provider
STATE_TTL = 600
_PATH = "/login/oidc"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


def loggable_name(name: str) -> str:
    """``name`` for a log line when it has the form of a user name, else a placeholder (a refused
    sign-in logs what was typed or sent, and that could be anything)."""
    return name if _NAME.fullmatch(name or "") else "(not a user name)"


@dataclass(frozen=True)
class OIDCConfig:
    """Where the provider is and who this client is. ``name`` labels the button ("Sign in with
    NAME"); ``redirect_uri`` overrides the callback URL derived from the request (behind a proxy
    that does not pass ``X-Forwarded-Proto``); ``client_kwargs`` go to the HTTP client (httpx:
    the tests' transport, a CA bundle as ``verify``)."""

    issuer: str
    client_id: str
    client_secret: str | None = None
    name: str = "single sign-on"
    username_claim: str = "preferred_username"
    scope: str = "openid email profile"
    redirect_uri: str | None = None
    client_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _client(config: OIDCConfig):  # noqa: ANN202
    from authlib.integrations.starlette_client import OAuth  # noqa: PLC0415

    oauth = OAuth()
    return oauth.register(
        name="oidc", client_id=config.client_id, client_secret=config.client_secret,
        server_metadata_url=config.discovery_url,
        client_kwargs={"scope": config.scope, "code_challenge_method": "S256", **config.client_kwargs})


def install(app: FastAPI, engine: Engine, config: OIDCConfig, *, secret: str, secure_cookies: bool,
            page: Callable[..., HTMLResponse], start_session: Callable[[Request, accounts.User], None]) -> None:
    """Add ``GET /login/oidc`` (start: to the provider) and ``GET /login/oidc/callback`` to ``app``.
    ``page(request, template, status, **ctx)`` renders a page, ``start_session(request, user)``
    signs ``user`` in (the same as a password sign-in)."""
    from itsdangerous import BadSignature, URLSafeTimedSerializer  # noqa: PLC0415

    client = _client(config)
    signer = URLSafeTimedSerializer(secret, salt="auditor-oidc-state")

    def refused(request: Request, status: int, message: str) -> HTMLResponse:
        response = page(request, "login.html", status, next="/", error=message)
        response.delete_cookie(COOKIE, path=_PATH, secure=secure_cookies, httponly=True, samesite="lax")
        return response

    @app.get(_PATH)
    async def oidc_start(request: Request, next: str = "/") -> Response:  # noqa: A002
        from .app import _local  # noqa: PLC0415

        redirect_uri = config.redirect_uri or str(request.url_for("oidc_callback"))
        try:
            rv = await client.create_authorization_url(redirect_uri)
        except Exception as exc:  # noqa: BLE001 - discovery failed: network, TLS, not JSON, no endpoint
            log.warning("OpenID Connect discovery at %s failed: %s", config.discovery_url, type(exc).__name__)
            return refused(request, 502, f"{config.name} cannot be reached: try again later or sign in "
                                         "with your password.")
        flow = {"state": rv["state"], "verifier": rv["code_verifier"], "nonce": rv["nonce"],
                "redirect_uri": redirect_uri, "next": _local(next)}
        response = RedirectResponse(rv["url"], status_code=302)
        response.set_cookie(COOKIE, signer.dumps(flow), max_age=STATE_TTL, path=_PATH, secure=secure_cookies,
                            httponly=True, samesite="lax")
        return response

    @app.get(_PATH + "/callback", name="oidc_callback")
    async def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
        try:
            flow = signer.loads(request.cookies.get(COOKIE, ""), max_age=STATE_TTL)
        except BadSignature:  # missing, forged or expired (SignatureExpired is a BadSignature)
            log.warning("OpenID Connect sign-in refused: no sign-in was started from this browser, or it expired")
            return refused(request, 400, "This sign-in did not start here or took too long: try again.")
        if not state or not hmac.compare_digest(str(flow.get("state", "")), state):
            log.warning("OpenID Connect sign-in refused: the state does not match")
            return refused(request, 400, "This sign-in did not start here: try again.")
        if error or not code:
            log.warning("OpenID Connect sign-in refused by the provider: %s", error or "no code")
            return refused(request, 401, f"{config.name} did not sign you in.")
        try:
            token = await client.fetch_access_token(redirect_uri=flow["redirect_uri"], code=code,
                                                    code_verifier=flow["verifier"])
            claims = await client.parse_id_token(token, nonce=flow["nonce"])
        except Exception as exc:  # noqa: BLE001 - token endpoint refused, bad signature, wrong iss/aud/nonce
            log.warning("OpenID Connect sign-in refused: the code or the ID token was not accepted (%s)",
                        type(exc).__name__)
            return refused(request, 401, f"{config.name} did not sign you in.")
        if claims is None:
            return refused(request, 401, f"{config.name} sent no ID token.")
        name = str(claims.get(config.username_claim) or "")
        user = accounts.get_user(engine, name) if name else None
        if user is None or user.disabled:
            log.warning("sign-in refused: %s", "no enabled account for the name the provider gave",
                        extra={"method": "oidc", "user": loggable_name(name)})
            return refused(request, 403, f"{config.name} signed you in, but no enabled workbench account has "
                                         "that name: ask an admin.")
        start_session(request, user)
        log.info("signed in", extra={"method": "oidc", "user": user.username})
        target = flow.get("next") or "/"
        response = page(request, "signed_in.html", 200, target=target)
        response.delete_cookie(COOKIE, path=_PATH, secure=secure_cookies, httponly=True, samesite="lax")
        return response

"""`auditor serve` and `auditor users add|disable|reset|list` (issue 22, the workbench).

FastAPI and uvicorn are imported inside the command bodies so ``auditor --help`` stays fast.
"""

from __future__ import annotations

import click

from auditor.clikit import EXIT_OK, _guard, _say, db_option


def _engine(db_url: str | None):  # noqa: ANN202
    from auditor import audit  # noqa: PLC0415

    return audit.open_store(db_url, write=True)


@click.command("serve", epilog="Exit codes: 0 stopped, 2 usage error.")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Send the session cookie over HTTPS only. Default: on, except on the loopback address "
                   "(127.0.0.1, localhost), where a browser talks plain HTTP to a local server.")
@click.option("--oidc-issuer", default=None, metavar="URL", envvar="AUDITOR_OIDC_ISSUER",
              help="Also offer sign-in with this OpenID Connect provider (found by URL/.well-known/"
                   "openid-configuration); the client secret comes from AUDITOR_OIDC_CLIENT_SECRET. A person "
                   "signs in only to an enabled local account of the same name (see --oidc-username-claim).")
@click.option("--oidc-client-id", default=None, metavar="ID", envvar="AUDITOR_OIDC_CLIENT_ID",
              help="This workbench's client id at the provider (with --oidc-issuer).")
@click.option("--oidc-name", default="single sign-on", show_default=True, metavar="NAME",
              help='The login page\'s button: "Sign in with NAME".')
@click.option("--oidc-username-claim", default="preferred_username", show_default=True, metavar="CLAIM",
              help="The ID token claim that names the local account (one the provider's users cannot "
                   "choose themselves).")
@click.option("--oidc-redirect-uri", default=None, metavar="URL",
              help="The callback URL registered at the provider (default: derived from the request, "
                   "https://HOST/login/oidc/callback behind a proxy that sends X-Forwarded-Proto).")
@_guard
def serve(db_url, host, port, secure_cookies, oidc_issuer, oidc_client_id, oidc_name, oidc_username_claim,
          oidc_redirect_uri):
    """Serve the audit workbench: runs, findings and decisions, for the accounts of `auditor users`
    (sign-in required on every page; optionally through an OpenID Connect provider)."""
    import os  # noqa: PLC0415

    from auditor.errors import UsageError  # noqa: PLC0415
    from auditor.web import accounts, app  # noqa: PLC0415
    from auditor.web.oidc import OIDCConfig  # noqa: PLC0415

    oidc = None
    if oidc_issuer or oidc_client_id:
        if not (oidc_issuer and oidc_client_id):
            raise UsageError("OpenID Connect needs both --oidc-issuer and --oidc-client-id")
        if not oidc_issuer.startswith("https://") and not oidc_issuer.startswith(("http://127.0.0.1",
                                                                                   "http://localhost")):
            raise UsageError(f"the OpenID Connect issuer {oidc_issuer!r} must be an https:// URL")
        oidc = OIDCConfig(issuer=oidc_issuer, client_id=oidc_client_id,
                          client_secret=os.environ.get("AUDITOR_OIDC_CLIENT_SECRET") or None, name=oidc_name,
                          username_claim=oidc_username_claim, redirect_uri=oidc_redirect_uri)
    engine = _engine(db_url)
    if not accounts.list_users(engine):
        _say("No account yet: add one first, e.g. `auditor users add NAME --role admin`.")
    secure = secure_cookies if secure_cookies is not None else host not in ("127.0.0.1", "localhost", "::1")
    import uvicorn  # noqa: PLC0415

    uvicorn.run(app.create_app(engine, secure_cookies=secure, oidc=oidc), host=host, port=port, log_level="info")
    return EXIT_OK


@click.group("users")
def users() -> None:
    """Accounts of the workbench (`auditor serve`): roles viewer, auditor, approver, admin."""


def _password(prompt: bool, value: str | None) -> str:
    if value:
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@db_option
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "auditor", "approver", "admin"]), default="viewer",
              show_default=True)
@click.option("--password-env", default=None, metavar="VAR",
              help="Read the password from this environment variable (default: prompt).")
@_guard
def users_add(db_url, username, role, password_env):
    """Add an account (the password is stored as an argon2id hash)."""
    import os  # noqa: PLC0415

    from auditor.web import accounts  # noqa: PLC0415

    password = _password(True, os.environ.get(password_env) if password_env else None)
    accounts.add_user(_engine(db_url), username, role, password)
    _say(f"added {username} ({role})")


@users.command("disable")
@db_option
@click.argument("username")
@_guard
def users_disable(db_url, username):
    """Disable an account: it cannot sign in, and its open sessions end."""
    from auditor.web import accounts  # noqa: PLC0415

    accounts.disable_user(_engine(db_url), username)
    _say(f"disabled {username}")


@users.command("reset")
@db_option
@click.argument("username")
@click.option("--password-env", default=None, metavar="VAR",
              help="Read the new password from this environment variable (default: prompt).")
@_guard
def users_reset(db_url, username, password_env):
    """Set a new password (and enable the account); its open sessions end."""
    import os  # noqa: PLC0415

    from auditor.web import accounts  # noqa: PLC0415

    accounts.reset_password(_engine(db_url), username,
                            _password(True, os.environ.get(password_env) if password_env else None))
    _say(f"reset {username}")


@users.command("list")
@db_option
@_guard
def users_list(db_url):
    """List the accounts (name, role, status)."""
    from auditor.web import accounts  # noqa: PLC0415

    for u in accounts.list_users(_engine(db_url)):
        click.echo(f"{u.username}\t{u.role}\t{'disabled' if u.disabled else 'active'}")

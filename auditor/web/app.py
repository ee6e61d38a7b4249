"""The workbench web app (``auditor serve``): FastAPI on the auditor's own database.

Every page works without JavaScript (plain forms, no CDN: nothing is fetched from elsewhere).
Sessions are signed cookies (``SameSite=Strict``, ``HttpOnly``, ``Secure`` unless served on the
loopback address); every form carries a per-session CSRF token checked on the server; a sign-in
is refused after :data:`LOGIN_LIMIT` failures for the same name and address within
:data:`LOGIN_WINDOW` seconds; sign-in through an OpenID Connect provider is optional
(``auditor.web.oidc``, to local accounts only). Each route declares the least role it needs (:data:`ROUTES`), so
the authorisation matrix is tested route by route.

Status (issue 22): accounts, sign-in, sessions, CSRF, roles, the runs list, a run's dashboard,
grouped and paginated findings with filters in the URL, a finding's page with its history and
lifecycle (``auditor.web.decisions``: explanation requested, answer, a decision approved by a
second person that becomes a waiver of the next audit; every step and every view of a finding in
a hash-chained log that ``auditor verify`` checks), and the exports (decisions as JSON/CSV,
approved waivers as TOML), an answer's attachment (stored once by its SHA-256 in ``web_blobs``,
at most ``decisions.MAX_ATTACHMENT`` bytes, its hash in the answer's event; downloaded as an
attachment, each download an event), and the run's report regenerated with each finding's
workbench state (``/runs/{run_id}/report``: the HTML pages of ``auditor report --with-decisions``,
rendered again when a decision changed, each chart drawn once per run). Not built yet: French pages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.middleware.sessions import SessionMiddleware

from . import accounts, decisions
from .oidc import OIDCConfig, loggable_name

__all__ = ["LOGIN_LIMIT", "LOGIN_WINDOW", "PAGE_SIZE", "ROUTES", "create_app"]

#: failed sign-ins for one name from one address before the next ones are refused
LOGIN_LIMIT = 5
#: ... within this many seconds
LOGIN_WINDOW = 300
#: groups of findings per page
PAGE_SIZE = 50
#: (method, path, least role; None: anyone) of every route, for the authorisation matrix
ROUTES: tuple[tuple[str, str, str | None], ...] = (
    ("GET", "/healthz", None),
    ("GET", "/favicon.ico", None),
    ("GET", "/login", None),
    ("POST", "/login", None),
    ("GET", "/login/oidc", None),  # only with OpenID Connect configured (auditor.web.oidc), else 404
    ("GET", "/login/oidc/callback", None),
    ("POST", "/logout", "viewer"),
    ("GET", "/", "viewer"),
    ("GET", "/runs/{run_id}", "viewer"),
    ("GET", "/runs/{run_id}/findings", "viewer"),
    ("GET", "/runs/{run_id}/report", "viewer"),
    ("GET", "/runs/{run_id}/report/{page}", "viewer"),
    ("GET", "/runs/{run_id}/findings/{fingerprint}", "viewer"),
    ("POST", "/runs/{run_id}/findings/{fingerprint}/act", "auditor"),
    ("GET", "/runs/{run_id}/findings/{fingerprint}/attachments/{sha256}", "auditor"),
    ("GET", "/exports/decisions.json", "viewer"),
    ("GET", "/exports/decisions.csv", "viewer"),
    ("GET", "/exports/waivers.toml", "viewer"),
    ("GET", "/admin/users", "admin"),
    ("POST", "/admin/users", "admin"),
    ("POST", "/admin/users/{username}/disable", "admin"),
)
_TEMPLATES = Path(__file__).parent / "templates"
_log = logging.getLogger("auditor.web")
_SEVERITIES = ("critical", "high", "medium", "low", "info")


def _secret(engine: Engine) -> str:
    """The session-signing key: ``AUDITOR_WEB_SECRET``, else one kept in the database (shared by
    every process serving it, so a restart keeps people signed in)."""
    import os

    env = os.environ.get("AUDITOR_WEB_SECRET")
    if env:
        return env
    meta = sa.MetaData()
    table = sa.Table("web_settings", meta, sa.Column("key", sa.String(40), primary_key=True),
                     sa.Column("value", sa.Text, nullable=False))
    meta.create_all(engine)
    with engine.begin() as conn:
        row = conn.execute(sa.select(table.c.value).where(table.c.key == "session_secret")).first()
        if row:
            return str(row[0])
        value = secrets.token_urlsafe(48)
        conn.execute(sa.insert(table).values(key="session_secret", value=value))
        return value


def create_app(engine: Engine, secure_cookies: bool = True, oidc: OIDCConfig | None = None) -> FastAPI:
    """The FastAPI application serving ``engine``'s runs (this module is imported only by
    ``auditor serve`` and the tests: FastAPI stays out of the other commands' start-up)."""
    accounts.ensure_tables(engine)
    decisions.ensure_tables(engine)
    _ensure_indexes(engine)
    app = FastAPI(title="auditor workbench", docs_url=None, redoc_url=None, openapi_url=None)
    secret = _secret(engine)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="auditor_session",
                       same_site="strict", https_only=secure_cookies, max_age=8 * 3600)
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    templates.env.globals["oidc_name"] = oidc.name if oidc is not None else None  # the login page's button
    failures: dict[tuple[str, str], deque] = defaultdict(deque)

    @app.middleware("http")
    async def headers(request: Request, call_next):  # noqa: ANN202
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                                "frame-ancestors 'none'; form-action 'self'"))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = request.session["csrf"] = secrets.token_urlsafe(32)
        return token

    def csrf_ok(request: Request, token: str | None) -> bool:
        expected = request.session.get("csrf")
        return bool(expected and token and hmac.compare_digest(str(expected), str(token)))

    def current(request: Request) -> accounts.User | None:
        name = request.session.get("user")
        if not name:
            return None
        user = accounts.get_user(engine, name)
        if user is None or user.disabled or user.session_epoch != request.session.get("epoch"):
            request.session.clear()
            return None
        return user

    def page(request: Request, name: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"user": current(request), "csrf": csrf_token(request),
                                                          **ctx}, status_code=http_status)

    class Denied(Exception):
        def __init__(self, response: Response) -> None:
            self.response = response

    @app.exception_handler(Denied)
    async def denied(request: Request, exc: Denied):  # noqa: ANN202
        return exc.response

    def need(request: Request, role: str) -> accounts.User:
        user = current(request)
        if user is None:
            raise Denied(RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303))
        if not accounts.may(user.role, role):
            raise Denied(page(request, "error.html", 403, message=f"This page needs the {role} role."))
        return user

    def post_guard(request: Request, token: str | None) -> None:
        if not csrf_ok(request, token):
            raise Denied(PlainTextResponse("CSRF token missing or wrong: reload the page and try again.",
                                           status_code=403))

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)  # no icon: a browser asks for one on every first visit

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002
        return page(request, "login.html", next=_local(next), error=None)

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf: str = Form(""), next: str = Form("/")) -> Response:  # noqa: A002
        post_guard(request, csrf)
        key = (request.client.host if request.client else "", username)
        now = time.monotonic()
        recent = failures[key]
        while recent and now - recent[0] > LOGIN_WINDOW:
            recent.popleft()
        if len(recent) >= LOGIN_LIMIT:
            return page(request, "login.html", 429, next=_local(next),
                        error="Too many failed sign-ins: wait a few minutes.")
        user = accounts.authenticate(engine, username, password)
        if user is None:
            recent.append(now)
            _log.warning("sign-in refused: wrong user name or password", extra={"method": "password",
                                                                               "user": loggable_name(username)})
            return page(request, "login.html", 401, next=_local(next), error="Wrong user name or password.")
        recent.clear()
        start_session(request, user)
        _log.info("signed in", extra={"method": "password", "user": user.username})
        return RedirectResponse(_local(next), status_code=303)

    def start_session(request: Request, user: accounts.User) -> None:
        request.session.clear()  # a new session (and CSRF token) after sign-in
        request.session.update(user=user.username, epoch=user.session_epoch, csrf=secrets.token_urlsafe(32))

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        need(request, "viewer")
        post_guard(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    if oidc is not None:  # GET /login/oidc and its callback; unconfigured, both are 404
        from .oidc import install  # noqa: PLC0415

        install(app, engine, oidc, secret=secret, secure_cookies=secure_cookies, page=page,
                start_session=start_session)

    @app.get("/", response_class=HTMLResponse)
    def runs(request: Request) -> HTMLResponse:
        need(request, "viewer")
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(sa.text(
                "SELECT run_id, as_of, status, started_at FROM audit_runs ORDER BY started_at DESC")).mappings()]
            for r in rows:  # a finished run's findings never change (the ledger): counted once per process
                r["findings"] = frozen(r, ("count",), lambda r=r: conn.execute(sa.text(
                    "SELECT COUNT(*) FROM findings WHERE run_id = :r"), {"r": r["run_id"]}).scalar_one())
        return page(request, "runs.html", runs=rows)

    answers: OrderedDict[tuple, Any] = OrderedDict()
    answers_lock = threading.Lock()

    def frozen(run: dict, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` for a finished run, once per process (its findings never change after it
        is stored: the ledger refuses an edit), the last 256 answers kept; computed every time for
        a run that is not finished. Copies are handed out: callers may change them."""
        if run.get("status") != "finished":
            return compute()
        k = (run["run_id"], *key)
        with answers_lock:
            value = answers.get(k)
            if value is not None:
                answers.move_to_end(k)
        if value is None:
            value = compute()
            with answers_lock:
                answers[k] = value
                while len(answers) > 256:
                    answers.popitem(last=False)
        return [dict(v) for v in value] if isinstance(value, list) else value

    def run_row(run_id: str) -> dict | None:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT run_id, as_of, status, pack, pack_version, started_at, finished_at "
                                       "FROM audit_runs WHERE run_id = :r"), {"r": run_id}).mappings().first()
        return dict(row) if row else None

    def not_found(request: Request, what: str) -> HTMLResponse:
        return page(request, "error.html", 404, message=f"No {what}.")

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run(request: Request, run_id: str) -> HTMLResponse:
        need(request, "viewer")
        info = run_row(run_id)
        if info is None:
            return not_found(request, "such run")
        with engine.connect() as conn:  # one pass on the covering index (_ensure_indexes), in its order
            by = frozen(info, ("dashboard",), lambda: [dict(r) for r in conn.execute(sa.text(
                "SELECT check_id, severity, kind, party, provider, COUNT(*) AS n FROM findings WHERE run_id = :r "
                "GROUP BY check_id, severity, kind, party, provider"), {"r": run_id}).mappings()])
        sev = {s: 0 for s in _SEVERITIES}
        kinds = {"breach": 0, "advisory": 0}
        per_party: dict[str, int] = {}
        for r in by:
            kind = r["kind"] or "breach"
            kinds[kind] = kinds.get(kind, 0) + r["n"]
            if kind == "breach":
                sev[r["severity"]] = sev.get(r["severity"], 0) + r["n"]
                per_party[r["party"]] = per_party.get(r["party"], 0) + r["n"]
        parties = [{"party": p, "n": n} for p, n in sorted(per_party.items(), key=lambda x: str(x[0] or ""))]
        return page(request, "run.html", run=info, severities=sev, kinds=kinds, parties=parties)

    @app.get("/runs/{run_id}/findings", response_class=HTMLResponse)
    def findings(request: Request, run_id: str, check: str = "", party: str = "", provider: str = "",
                 kind: str = "", page_no: int = 1) -> HTMLResponse:
        need(request, "viewer")
        info = run_row(run_id)
        if info is None:
            return not_found(request, "such run")
        where = ["run_id = :r"]
        args: dict[str, Any] = {"r": run_id}
        for name, value in (("check_id", check), ("party", party), ("provider", provider)):
            if value:
                where.append(f"{name} = :{name}")
                args[name] = value
        if kind in ("breach", "advisory"):
            where.append("COALESCE(kind, 'breach') = :kind")
            args["kind"] = kind
        page_no = max(1, page_no)
        # one pass over the run's findings on the covering index (_ensure_indexes): the groups are
        # few (checks x Parties x providers), so they are counted, ordered and cut here
        sql = ("SELECT check_id, severity, COALESCE(kind, 'breach') AS kind, party, provider, COUNT(*) AS n, "
               "MIN(fingerprint) AS example FROM findings WHERE " + " AND ".join(where) +
               " GROUP BY check_id, severity, kind, party, provider")
        with engine.connect() as conn:
            every = frozen(info, ("groups", sql, tuple(sorted(args.items()))),
                           lambda: [dict(r) for r in conn.execute(sa.text(sql), args).mappings()])
        merged: dict[tuple, dict] = {}
        for g in every:  # NULL and 'breach' kinds are grouped apart by SQL: one group here
            k = (g["check_id"], g["severity"], g["kind"], g["party"], g["provider"])
            if k in merged:
                merged[k]["n"] += g["n"]
                merged[k]["example"] = min(merged[k]["example"], g["example"])
            else:
                merged[k] = g
        ordered = sorted(merged.values(), key=lambda g: (-g["n"], str(g["check_id"]), str(g["party"] or ""),
                                                         str(g["provider"] or ""), str(g["severity"]), str(g["kind"])))
        total = len(ordered)
        groups = ordered[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
        filters = {k: v for k, v in (("check", check), ("party", party), ("provider", provider), ("kind", kind)) if v}
        pages = max(1, -(-total // PAGE_SIZE))
        return page(request, "findings.html", run=info, groups=groups, total=total, page_no=page_no, pages=pages,
                    filters=filters, query=lambda **kw: urlencode({**filters, **kw}))

    def finding_row(run_id: str, fingerprint: str) -> dict | None:
        # by fingerprint alone (its own index; a finding has one row per run), the run picked here: with
        # run_id in the WHERE clause SQLite chose the run's covering index and read every finding of it
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM findings WHERE fingerprint = :f"),
                                {"f": fingerprint}).mappings().all()
        row = next((r for r in rows if r["run_id"] == run_id), None)
        return dict(row) if row else None

    @app.get("/runs/{run_id}/findings/{fingerprint}", response_class=HTMLResponse)
    def finding(request: Request, run_id: str, fingerprint: str, error: str = "") -> HTMLResponse:
        user = need(request, "viewer")
        row = finding_row(run_id, fingerprint)
        if row is None:
            return not_found(request, "such finding in this run")
        decisions.record(engine, user, "evidence_viewed", row)  # every view of evidence is in the chain
        with engine.connect() as conn:
            history = conn.execute(sa.text(
                "SELECT f.run_id, r.as_of FROM findings f JOIN audit_runs r ON r.run_id = f.run_id "
                "WHERE f.fingerprint = :f ORDER BY r.started_at DESC"), {"f": fingerprint}).mappings().all()
            latest = conn.execute(sa.text("SELECT run_id, as_of FROM audit_runs WHERE status = 'finished' "
                                          "ORDER BY started_at DESC LIMIT 1")).mappings().first()
        st = decisions.state(engine, fingerprint)
        status = st.status
        if latest is not None and latest["run_id"] not in {h["run_id"] for h in history}:
            status = "resolved"  # not found again by the latest run
        elif st.decision and st.decision.get("until") and latest is not None \
                and str(st.decision["until"]) <= str(latest["as_of"])[:10]:
            status = "reopened"  # its waiver or justification ran out before the latest run's date
        events = [e for e in st.events or [] if e["action"] not in decisions.VIEWS]
        return page(request, "finding.html", finding=row, history=history, finding_status=status, state=st, events=events,
                    may=lambda role: accounts.may(user.role, role), error=error,
                    max_attachment_mib=decisions.MAX_ATTACHMENT // (1024 * 1024))

    @app.post("/runs/{run_id}/findings/{fingerprint}/act")
    def act(request: Request, run_id: str, fingerprint: str, action: str = Form(""), csrf: str = Form(""),
            to: str = Form(""), due: str = Form(""), text: str = Form(""), decision: str = Form(""),
            reason: str = Form(""), until: str = Form(""),
            attachment: UploadFile | None = File(None)) -> Response:  # noqa: B008
        user = need(request, "auditor")
        post_guard(request, csrf)
        row = finding_row(run_id, fingerprint)
        if row is None:
            return not_found(request, "such finding in this run")
        upload = None
        if attachment is not None and attachment.filename:  # a file input left empty sends no name
            content = attachment.file.read(decisions.MAX_ATTACHMENT + 1)  # never more than the limit + 1 in memory
            if len(content) > decisions.MAX_ATTACHMENT:
                return page(request, "error.html", 413, message=(
                    f"The attachment is larger than {decisions.MAX_ATTACHMENT // (1024 * 1024)} MiB: "
                    "nothing was recorded. Attach a smaller file (or split it)."))
            upload = (attachment.filename, content)
        fields = {"explanation_requested": {"to": to, "due": due}, "answer_recorded": {"text": text},
                  "decision_proposed": {"decision": decision, "reason": reason, "until": until or None},
                  "decision_approved": {}}
        if action not in fields:
            return page(request, "error.html", 400, message="Unknown action.")
        try:
            decisions.record(engine, user, action, row, fields[action], attachment=upload)
        except decisions.DecisionError as exc:
            status = 403 if "role" in exc.message or "someone other" in exc.message else 400
            return page(request, "error.html", status, message=exc.message)
        return RedirectResponse(f"/runs/{run_id}/findings/{fingerprint}", status_code=303)

    @app.get("/runs/{run_id}/findings/{fingerprint}/attachments/{sha256}")
    def download(request: Request, run_id: str, fingerprint: str, sha256: str) -> Response:
        user = need(request, "auditor")
        row = finding_row(run_id, fingerprint)
        if row is None:
            return not_found(request, "such finding in this run")
        # only an attachment of this finding's answers, under the name its answer recorded
        names = [e["data"]["attachment"].get("name") for e in decisions.state(engine, fingerprint).events or []
                 if e["action"] == "answer_recorded" and (e["data"].get("attachment") or {}).get("sha256") == sha256]
        if not names:
            return not_found(request, "such attachment to this finding")
        try:
            content = decisions.attachment(engine, sha256)  # checked against its hash
        except decisions.DecisionError as exc:
            return page(request, "error.html", 409 if "changed" in exc.message else 404, message=exc.message)
        decisions.record(engine, user, "attachment_downloaded", row, {"sha256": sha256})  # in the chain, like a view
        name = decisions.safe_filename(names[-1])
        return Response(content, media_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox"})

    # ---- the run's report regenerated with the workbench decisions (reports.write_reports): the
    # HTML pages of `auditor report --with-decisions`, rendered on demand into a private temporary
    # folder, again whenever a decision changed (a view changes none). ``app.state.report_charts``
    # False: no chart drawn (a tenth of the time; the tests)
    app.state.report_charts = True
    app.state.reports_dir = tempfile.TemporaryDirectory(prefix="auditor-workbench-reports-")  # mode 0700
    rendered: dict[str, tuple[tuple, Path]] = {}
    chart_cache: dict[str, dict] = {}  # by run: its charts are drawn once (a decision changes none)
    render_lock = threading.Lock()

    def report_file(run_id: str, name: str) -> bytes | None:
        """The bytes of page ``name`` of ``run_id``'s report with the decisions (rendered if the
        decisions changed since the last rendering); None: no such page."""
        from auditor import audit  # noqa: PLC0415
        from reports import write_reports  # noqa: PLC0415

        key = (decisions.head(engine), bool(app.state.report_charts))
        with render_lock:  # one rendering at a time; a page is never read while its folder is replaced
            hit = rendered.get(run_id)
            if hit is None or hit[0] != key:
                model = audit.build_model(engine, run_id, with_decisions=True)
                folder = Path(app.state.reports_dir.name) / secrets.token_hex(8)
                write_reports(model, folder, ("html",), charts=key[1],
                              chart_cache=chart_cache.setdefault(run_id, {}))
                if hit is not None:
                    shutil.rmtree(hit[1], ignore_errors=True)
                rendered[run_id] = hit = (key, folder)
            root = hit[1].resolve()
            target = (root / name).resolve()
            if not target.is_relative_to(root) or target.suffix not in (".html", ".json") or not target.is_file():
                return None
            return target.read_bytes()

    @app.get("/runs/{run_id}/report")
    def report(request: Request, run_id: str) -> Response:
        need(request, "viewer")
        return RedirectResponse(f"/runs/{run_id}/report/index.html", status_code=303)

    @app.get("/runs/{run_id}/report/{name:path}")
    def report_page(request: Request, run_id: str, name: str) -> Response:
        need(request, "viewer")
        if run_row(run_id) is None:
            return not_found(request, "such run")
        from auditor.errors import AuditorError  # noqa: PLC0415

        try:
            body = report_file(run_id, name)
        except AuditorError as exc:  # e.g. a run whose ledger record does not check out
            return page(request, "error.html", 409, message=exc.message)
        if body is None:
            return not_found(request, "such page in this report")
        if name.endswith(".json"):
            return Response(body, media_type="application/json")
        # the report's pages are self-contained: inline CSS, charts as data: images, and inline
        # scripts (sorting, filters) allowed by their hashes only
        scripts = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'"
                           for m in re.findall(rb"<script>(.*?)</script>", body, re.S))
        return Response(body, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": (
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src {scripts or 'none'}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")})

    def decision_log(request: Request) -> list[dict]:
        need(request, "viewer")
        decisions.ensure_tables(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(decisions.Event.__table__).where(
                decisions.Event.__table__.c.action.not_in(decisions.VIEWS)).order_by(
                decisions.Event.__table__.c.id)).mappings().all()
        return [dict(r) for r in rows]

    @app.get("/exports/decisions.json")
    def export_json(request: Request) -> Response:
        return Response(json.dumps(decision_log(request), ensure_ascii=False, indent=2), media_type="application/json",
                        headers={"Content-Disposition": "attachment; filename=decisions.json"})

    @app.get("/exports/decisions.csv")
    def export_csv(request: Request) -> Response:
        import csv  # noqa: PLC0415
        import io  # noqa: PLC0415

        from auditor.textsafe import csv_cell  # noqa: PLC0415

        rows = decision_log(request)
        out = io.StringIO()
        cols = ["id", "at", "actor", "action", "run_id", "fingerprint", "check_id", "party", "provider",
                "request_id", "data", "hash"]
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[csv_cell(r.get(c)) for c in cols] for r in rows])
        return Response(out.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": "attachment; filename=decisions.csv"})

    @app.get("/exports/waivers.toml")
    def export_waivers(request: Request) -> Response:
        need(request, "viewer")
        lines = ["# Waivers approved in the auditor workbench (auditor run applies them already: this file is",
                 "# for review or for another database's --waivers).", ""]
        for w in decisions.waivers(engine):
            lines.append("[[waivers]]")
            for key, value in (("id", w.id), ("check", w.check), ("party", w.party), ("provider", w.provider),
                               ("request", w.request), ("justification", w.justification),
                               ("approver", w.approver)):
                if value is not None:
                    lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            lines += [f"expires = {w.expires.isoformat()}", ""]
        return Response("\n".join(lines), media_type="application/toml",
                        headers={"Content-Disposition": "attachment; filename=waivers.toml"})

    @app.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request) -> HTMLResponse:
        need(request, "admin")
        return page(request, "users.html", users=accounts.list_users(engine), roles=accounts.ROLES, error=None)

    @app.post("/admin/users", response_class=HTMLResponse)
    def add_user(request: Request, username: str = Form(""), role: str = Form("viewer"),
                 password: str = Form(""), csrf: str = Form("")) -> Response:
        need(request, "admin")
        post_guard(request, csrf)
        try:
            accounts.add_user(engine, username, role, password)
        except accounts.AccountError as exc:
            return page(request, "users.html", 400, users=accounts.list_users(engine), roles=accounts.ROLES,
                        error=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    @app.post("/admin/users/{username}/disable")
    def disable(request: Request, username: str, csrf: str = Form("")) -> Response:
        admin = need(request, "admin")
        post_guard(request, csrf)
        if username == admin.username:
            return page(request, "error.html", 400, message="You cannot disable your own account.")
        try:
            accounts.disable_user(engine, username)
        except accounts.AccountError as exc:
            return page(request, "error.html", 404, message=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    return app


def _ensure_indexes(engine: Engine) -> None:
    """The index the grouped findings page reads (run, check, severity, kind, Party, provider,
    fingerprint: the query is answered from the index alone). Created once, on SQLite and
    PostgreSQL alike; the store's tables are not otherwise changed."""
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_findings_run_groups ON findings "
                             "(run_id, check_id, severity, kind, party, provider, fingerprint)"))


def _local(target: str) -> str:
    """``target`` if it is a path on this site, else "/" (no open redirect after sign-in)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"

"""The finding lifecycle of the workbench, as a hash-chained log of events.

A finding (its fingerprint, in a run) goes: open -> *explanation requested* (to whom, due date)
-> *answer recorded* (text) -> *decision proposed* (``confirmed`` breach, ``justified`` with a
reason, or ``waived`` with a reason until a date) -> *decision approved* by a second person (the
approver is never the author: enforced here, not only in the web page). Every step, and every view
of a finding's evidence (``evidence_viewed``), is one row of ``web_events``; each row holds the SHA-256 of the previous row and its own, over its
canonical JSON, so an edited, inserted or deleted event breaks the chain: :func:`verify_chain`
(run by ``auditor verify``) recomputes it.

One source of truth: an approved ``waived`` or ``justified`` decision is a waiver
(:func:`waivers`) that ``auditor run`` / ``auditor audit`` apply beside ``--waivers FILE``
(scoped to the finding's check, Party, provider and request; until the decision's date, on the
audit date, never the clock), so the run records it with its other waivers and the run ledger
covers it. A ``confirmed`` decision waives nothing.

An answer may carry one attachment (a letter, a scan): stored once per content in ``web_blobs``,
keyed by its SHA-256 (:func:`store_blob`; in the database, so a team's PostgreSQL holds it too),
at most :data:`MAX_ATTACHMENT` bytes. The answer's event records the hash, size and a sanitised
file name, so the chain covers the hash and :func:`verify_chain` checks each attachment's bytes
against it; :func:`attachment` refuses bytes that no longer match. A download is an event
(``attachment_downloaded``), like a view of a finding.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from auditor.errors import UsageError
from auditor.textsafe import SENTENCE_IDENTIFYING

from . import accounts

__all__ = ["ACTIONS", "DECISIONS", "MAX_ATTACHMENT", "VIEWS", "Blob", "DecisionError", "Event", "FindingState",
           "attachment", "by_fingerprint", "ensure_tables", "head", "record", "safe_filename", "state", "store_blob",
           "verify_chain", "waivers"]

ACTIONS = ("explanation_requested", "answer_recorded", "decision_proposed", "decision_approved", "evidence_viewed",
           "attachment_downloaded")
#: the events that only record a look at the evidence: they change no finding's state
VIEWS = ("evidence_viewed", "attachment_downloaded")
#: the largest attachment an answer may carry, in bytes (10 MiB)
MAX_ATTACHMENT = 10 * 1024 * 1024
DECISIONS = ("confirmed", "justified", "waived")
#: the least role for each action
NEEDS = {"explanation_requested": "auditor", "answer_recorded": "auditor", "decision_proposed": "auditor",
         "decision_approved": "approver", "evidence_viewed": "viewer", "attachment_downloaded": "auditor"}
GENESIS = "0" * 64


class DecisionError(UsageError):
    """An action the lifecycle does not allow (exit 2; a 400/403 page in the workbench)."""


class Event(SQLModel, table=True):
    __tablename__ = "web_events"
    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(max_length=32)
    actor: str = Field(max_length=40)
    action: str = Field(max_length=32)
    run_id: str = Field(max_length=40)
    fingerprint: str = Field(index=True, max_length=64)
    check_id: str = Field(max_length=20)
    party: str | None = None
    provider: str | None = None
    request_id: str | None = None
    data: str = "{}"
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Blob(SQLModel, table=True):
    """An attachment's bytes, once per content: keyed by their SHA-256 (hex)."""

    __tablename__ = "web_blobs"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


def ensure_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine, tables=[Event.__table__, Blob.__table__])


_FIELDS = ("at", "actor", "action", "run_id", "fingerprint", "check_id", "party", "provider", "request_id", "data")


def _hash(prev: str, row: dict[str, Any]) -> str:
    body = json.dumps({k: row.get(k) for k in _FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "\n" + body).encode("utf-8")).hexdigest()


@dataclass
class FindingState:
    """Where a finding stands: ``status`` (open, explanation_requested, answered, proposed,
    decided), the pending proposal (its event id and author) and the decision in force."""

    status: str = "open"
    proposal: dict | None = None
    decision: dict | None = None
    events: list[dict] | None = None


def _events(conn: sa.Connection, fingerprint: str | None = None) -> list[dict]:
    t = Event.__table__
    stmt = sa.select(t).order_by(t.c.id)
    if fingerprint is not None:
        stmt = stmt.where(t.c.fingerprint == fingerprint)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def state(engine: Engine, fingerprint: str) -> FindingState:
    ensure_tables(engine)
    with engine.connect() as conn:
        events = _events(conn, fingerprint)
    return _fold(events)


def _fold(events: list[dict]) -> FindingState:
    st = FindingState(events=[{**e, "data": json.loads(e["data"] or "{}")} for e in events])
    for e in st.events:
        action = e["action"]
        if action == "explanation_requested":
            st.status = "explanation_requested"
        elif action == "answer_recorded":
            st.status = "answered"
        elif action == "decision_proposed":
            st.status, st.proposal = "proposed", e
        elif action == "decision_approved" and st.proposal is not None:
            st.status, st.decision = "decided", {**st.proposal["data"], "author": st.proposal["actor"],
                                                 "approver": e["actor"], "approved_at": e["at"],
                                                 "proposal_id": st.proposal["id"]}
            st.proposal = None
    return st


def record(engine: Engine, actor: accounts.User, action: str, finding: dict[str, Any],
           data: dict[str, Any] | None = None, now: datetime | None = None,
           attachment: tuple[str, bytes] | None = None) -> dict:
    """Append one event for ``finding`` (a row of ``findings``: run_id, fingerprint, check_id,
    party, provider, request_id) by ``actor``, after checking the role and the lifecycle; return
    it. DecisionError on a refused action. ``attachment`` (file name, bytes): an answer's file,
    stored by its hash in the same transaction (:func:`store_blob`); the event's ``data`` gets
    ``attachment``: sha256, size and the sanitised name."""
    from auditor.store.db import begin_write  # noqa: PLC0415

    ensure_tables(engine)
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}")
    if actor.disabled or not accounts.may(actor.role, NEEDS[action]):
        raise DecisionError(f"{action.replace('_', ' ')} needs the {NEEDS[action]} role")
    data = dict(data or {})
    with engine.begin() as conn:
        begin_write(conn)  # one writer at a time: the chain has one head
        st = _fold(_events(conn, finding["fingerprint"]))
        _allowed(st, actor, action, data)
        if attachment is not None:
            if action != "answer_recorded":
                raise DecisionError("only an answer carries an attachment")
            name, content = attachment
            data["attachment"] = {"sha256": store_blob(conn, content), "size": len(content),
                                  "name": safe_filename(name)}
        t = Event.__table__
        last = conn.execute(sa.select(t.c.hash).order_by(t.c.id.desc()).limit(1)).scalar()
        row = {"at": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"), "actor": actor.username,
               "action": action, "run_id": finding["run_id"], "fingerprint": finding["fingerprint"],
               "check_id": finding["check_id"], "party": finding.get("party"), "provider": finding.get("provider"),
               "request_id": finding.get("request_id"),
               "data": json.dumps(data, sort_keys=True, ensure_ascii=False)}
        prev = last or GENESIS
        row.update(prev_hash=prev, hash=_hash(prev, row))
        row["id"] = conn.execute(sa.insert(t).values(**row)).inserted_primary_key[0]
    return row


def head(engine: Engine) -> int:
    """The id of the last event that is not a view (0: none): what a rendering of the decisions
    depends on (a view of a finding changes no decision)."""
    if not sa.inspect(engine).has_table(Event.__tablename__):
        return 0
    t = Event.__table__
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(t.c.id)).where(t.c.action.not_in(VIEWS))).scalar() or 0)


#: the keys of each :func:`by_fingerprint` value besides ``state`` (None when not known)
_STATE_KEYS = ("requested_from", "due", "requested_by", "requested_at", "answered_by", "answered_at", "decision",
               "reason", "until", "proposed_by", "proposed_at", "approved_by", "approved_at", "pending")


def by_fingerprint(engine: Engine, fingerprints: Iterable[str] | None = None,
                   as_of: str | None = None) -> dict[str, dict[str, Any]]:
    """Each finding's workbench state, by fingerprint, for a report (``auditor report
    --with-decisions``, the workbench's regenerated report): only the findings with a step of
    their lifecycle (a view is not one; a finding left out is *open*). Each value: ``state``
    (explanation_requested, answered, proposed, decided, or reopened: its decision's date is on or
    before ``as_of``, the run's audit date), the explanation asked (``requested_from``, ``due``,
    ``requested_by``, ``requested_at``), ``answered_by``/``answered_at``, the decision in force
    (``decision``, ``reason``, ``until``, ``proposed_by``, ``proposed_at``, ``approved_by``,
    ``approved_at``) and a proposal waiting for approval (``pending``: decision, reason, until,
    proposed_by, proposed_at; never a decision in force). User names only: no answer text, no
    subscriber identifier (the findings carry pseudonyms)."""
    if not sa.inspect(engine).has_table(Event.__tablename__):
        return {}
    wanted = None if fingerprints is None else set(fingerprints)
    t = Event.__table__
    by: dict[str, list[dict]] = {}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.action.not_in(VIEWS)).order_by(t.c.id)).mappings()
        for r in rows:
            if wanted is None or r["fingerprint"] in wanted:
                by.setdefault(r["fingerprint"], []).append(dict(r))
    out: dict[str, dict[str, Any]] = {}
    for fp, evs in by.items():
        st = _fold(evs)
        item: dict[str, Any] = {"state": st.status, **dict.fromkeys(_STATE_KEYS)}
        for e in st.events or []:
            if e["action"] == "explanation_requested":
                item.update(requested_from=e["data"].get("to"), due=e["data"].get("due"),
                            requested_by=e["actor"], requested_at=e["at"])
            elif e["action"] == "answer_recorded":
                item.update(answered_by=e["actor"], answered_at=e["at"])
        d = st.decision
        if d:
            proposed_at = next((e["at"] for e in st.events or [] if e["id"] == d["proposal_id"]), None)
            item.update(decision=d.get("decision"), reason=d.get("reason"), until=d.get("until"),
                        proposed_by=d["author"], proposed_at=proposed_at, approved_by=d["approver"],
                        approved_at=d["approved_at"])
            if d.get("until") and as_of and str(d["until"]) <= str(as_of)[:10]:
                item["state"] = "reopened"
        if st.proposal is not None:
            p = st.proposal
            item["pending"] = {"decision": p["data"].get("decision"), "reason": p["data"].get("reason"),
                               "until": p["data"].get("until"), "proposed_by": p["actor"], "proposed_at": p["at"]}
        out[fp] = item
    return out


def store_blob(conn: sa.Connection, content: bytes) -> str:
    """Store ``content`` once (an existing copy is kept) in ``web_blobs`` on ``conn`` (in the
    caller's transaction); return its SHA-256. DecisionError above :data:`MAX_ATTACHMENT`."""
    if len(content) > MAX_ATTACHMENT:
        raise DecisionError(f"the attachment is {len(content):,} bytes: at most {MAX_ATTACHMENT:,} "
                            f"({MAX_ATTACHMENT // (1024 * 1024)} MiB) may be attached")
    if not content:
        raise DecisionError("the attachment is empty")
    digest = hashlib.sha256(content).hexdigest()
    t = Blob.__table__
    if conn.execute(sa.select(t.c.sha256).where(t.c.sha256 == digest)).first() is None:
        conn.execute(sa.insert(t).values(sha256=digest, size=len(content), data=content))
    return digest


def attachment(engine: Engine, sha256: str) -> bytes:
    """The bytes stored under ``sha256``, checked against it: DecisionError when there are none or
    they were changed since they were stored."""
    ensure_tables(engine)
    t = Blob.__table__
    with engine.connect() as conn:
        data = conn.execute(sa.select(t.c.data).where(t.c.sha256 == sha256)).scalar()
    if data is None:
        raise DecisionError("no such attachment")
    data = bytes(data)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DecisionError(f"attachment {sha256[:12]} was changed after it was stored: it is not served")
    return data


#: what a file name keeps: letters, digits, dot, dash, underscore, space, parentheses
_UNSAFE = re.compile(r"[^\w.\- ()]", re.ASCII)


def safe_filename(name: str | None) -> str:
    """``name`` as a download may carry it: no folder (a browser's ``C:\\...\\x.pdf`` too), no
    control or quote character, no leading dot, at most 100 characters; "attachment" when
    nothing is left, and "attachment" with the extension when the name looks like it holds an
    identifier ("letter to jane.doe@example.org.pdf": the name is in the chain and on the page)."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    looks = _SENTENCE_IDENTIFYING.search(base)  # before "@" and the like become "_"
    base = _UNSAFE.sub("_", base).strip(" .")
    if looks:
        ext = base.rpartition(".")[2] if "." in base else ""
        base = "attachment" + (f".{ext}" if ext.isalnum() and len(ext) <= 10 else "")
    if len(base) > 100:  # shortened before its extension, which stays
        stem, dot, ext = base.rpartition(".")
        base = stem[:100 - len(ext) - 1].rstrip(" .") + dot + ext if dot and len(ext) <= 10 else base[:100]
    return base.strip(" .") or "attachment"


#: the free text of a lifecycle step: stored in the chain for good and shown in the regenerated
#: report, so it is refused when it looks like it holds an identifier (auditor.ingest.safety's rule)
TEXT_FIELDS = {"to": "whom the explanation is asked from", "text": "answer", "reason": "reason"}
#: the quarantine's identifier rule (auditor.textsafe.IDENTIFYING) and a phone number inside a sentence
_SENTENCE_IDENTIFYING = re.compile(SENTENCE_IDENTIFYING)


def _screened(data: dict) -> None:
    for key, what in TEXT_FIELDS.items():
        if _SENTENCE_IDENTIFYING.search(str(data.get(key) or "")):
            raise DecisionError(
                f"the {what} looks like it holds a personal identifier (an e-mail address, a phone, account "
                "or device number, an IP or MAC address, a URL): the workbench keeps none in clear; name the "
                "office, refer to the request id or attach the document instead")


def _allowed(st: FindingState, actor: accounts.User, action: str, data: dict) -> None:
    if action in VIEWS:
        return
    _screened(data)
    if action == "explanation_requested":
        if not str(data.get("to") or "").strip():
            raise DecisionError("say whom the explanation is asked from")
        _date(data.get("due"), "due date")
    elif action == "answer_recorded":
        if st.status not in ("explanation_requested", "answered"):
            raise DecisionError("no explanation was requested for this finding")
        if not str(data.get("text") or "").strip():
            raise DecisionError("the answer is empty")
    elif action == "decision_proposed":
        if st.proposal is not None:
            raise DecisionError("a decision is already waiting for approval")
        if data.get("decision") not in DECISIONS:
            raise DecisionError(f"decision must be one of {', '.join(DECISIONS)}")
        if data["decision"] != "confirmed" and not str(data.get("reason") or "").strip():
            raise DecisionError("a justified or waived decision needs its reason")
        if data["decision"] != "confirmed":
            _date(data.get("until"), "review or expiry date")
    elif action == "decision_approved":
        if st.proposal is None:
            raise DecisionError("there is no decision waiting for approval")
        if st.proposal["actor"] == actor.username:
            raise DecisionError("a decision is approved by someone other than its author")


def _date(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DecisionError(f"the {what} must be a date YYYY-MM-DD") from None


def verify_chain(engine: Engine) -> tuple[int, str | None]:
    """(events verified, the first broken link or None). No table: (0, None)."""
    if not sa.inspect(engine).has_table(Event.__tablename__):
        return 0, None
    with engine.connect() as conn:
        events = _events(conn)
    prev = GENESIS
    for n, e in enumerate(events):
        if e["prev_hash"] != prev:
            return n, f"workbench event {e['id']} does not follow event {events[n - 1]['id'] if n else 'none'}"
        if _hash(prev, e) != e["hash"]:
            return n, f"workbench event {e['id']} ({e['action']} by {e['actor']}) was changed after it was recorded"
        prev = e["hash"]
    blobs = Blob.__table__
    with engine.connect() as conn:
        for n, e in enumerate(events):
            att = json.loads(e["data"] or "{}").get("attachment") if e["action"] == "answer_recorded" else None
            if not att:
                continue
            data = conn.execute(sa.select(blobs.c.data).where(blobs.c.sha256 == att.get("sha256"))).scalar() \
                if sa.inspect(conn).has_table(Blob.__tablename__) else None
            if data is None:
                return n, f"the attachment of workbench event {e['id']} ({att.get('name')}) is missing"
            if hashlib.sha256(bytes(data)).hexdigest() != att.get("sha256"):
                return n, f"the attachment of workbench event {e['id']} ({att.get('name')}) was changed after it was stored"
    return len(events), None


def waivers(engine: Engine) -> list:
    """The approved ``waived`` and ``justified`` decisions as waivers (``auditor.waivers.Waiver``),
    each scoped to its finding's check, Party, provider and request."""
    from auditor.waivers import Waiver  # noqa: PLC0415

    if not sa.inspect(engine).has_table(Event.__tablename__):
        return []
    with engine.connect() as conn:
        events = _events(conn)
    by: dict[str, list[dict]] = {}
    for e in events:
        by.setdefault(e["fingerprint"], []).append(e)
    out = []
    for _fingerprint, evs in sorted(by.items()):
        st = _fold(evs)
        d = st.decision
        if not d or d.get("decision") not in ("waived", "justified"):
            continue
        first = evs[0]
        out.append(Waiver(id=f"workbench-{d['proposal_id']}", check=first["check_id"],
                          justification=f"{d['decision']} (workbench): {d['reason']}",
                          approver=f"{d['approver']} (proposed by {d['author']})",
                          expires=date.fromisoformat(d["until"]), party=first["party"],
                          provider=first["provider"], request=first["request_id"]))
    return out

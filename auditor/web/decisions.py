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
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from auditor.errors import UsageError

from . import accounts

__all__ = ["ACTIONS", "DECISIONS", "DecisionError", "Event", "FindingState", "ensure_tables", "record",
           "state", "verify_chain", "waivers"]

ACTIONS = ("explanation_requested", "answer_recorded", "decision_proposed", "decision_approved", "evidence_viewed")
DECISIONS = ("confirmed", "justified", "waived")
#: the least role for each action
NEEDS = {"explanation_requested": "auditor", "answer_recorded": "auditor", "decision_proposed": "auditor",
         "decision_approved": "approver", "evidence_viewed": "viewer"}
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


def ensure_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine, tables=[Event.__table__])


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
           data: dict[str, Any] | None = None, now: datetime | None = None) -> dict:
    """Append one event for ``finding`` (a row of ``findings``: run_id, fingerprint, check_id,
    party, provider, request_id) by ``actor``, after checking the role and the lifecycle; return
    it. DecisionError on a refused action."""
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


def _allowed(st: FindingState, actor: accounts.User, action: str, data: dict) -> None:
    if action == "evidence_viewed":
        return
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

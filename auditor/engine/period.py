"""The audited period: which stored records an audit judges, and which it leaves out (counted).

An audit is a statement about the log *as it stood on the audit date* (``--as-of``), for the
requests issued in the audited period (``--from`` .. ``--to``). Dates are ISO calendar dates
(``YYYY-MM-DD``, nothing else: ``06/07/2026`` is 6 July to some readers and 7 June to others)
and whole UTC days, both bounds included.

- **Known on the audit date**: a request issued, a disclosure responded or a custody event
  dated on or before the as-of day. A later record had not happened on the audit date: it is
  excluded from the audit and counted (``issued_after_as_of``, ``disclosures_after_as_of``,
  ``custody_events_after_as_of``).
- **Audited**: the known requests issued from ``--from`` (default: the first) to ``--to``
  (default: the as-of date), with their known disclosures and custody events. The other known
  requests are excluded and counted (``before_from``, ``after_to``) with their disclosures and
  custody events (``*_of_excluded_requests``); they stay available, as evidence only, to a
  check that looks up a *linked* request (``AuditContext.evidence``): an Art. 8 request of the
  period that follows an Art. 7 order issued before ``--from`` still finds that order.

Why excluding the disclosures and custody events dated after the audit date never makes a
false breach: every check that judges a duty by a deadline compares the deadline with
``ctx.as_of`` (RET001 ``due``, RET002/RET004 ``held_until = deleted or as_of``, TIM001/TIM002,
NOT002, SEC001/SEC002, EU008/EU009/EU010/EU012/EU017 ...). A deadline that had passed on the
audit date is missed by an act dated after it either way (the finding says "not done" instead
of "done late"); a deadline still running on the audit date is not judged, whereas the act
dated after it, had it been kept, could only have been judged "late" before it was due: a
breach the audit date could not know. The checks without a deadline judge an act against an
earlier one (a prior authorisation before a transfer, a review at or after an automated
decision): a decision whose review is dated after the audit date was unreviewed on that date,
as an audit run on that day would have found.

- **Event times of a kept row** (``EVENT_COLUMNS``: ``served_at``, ``notification_sent_at``,
  ``user_notified_at`` ...) after the as-of day are blanked (NaT) and counted
  (``event_times_after_as_of``): the act had not happened on the audit date, and the log as it
  stood then had the cell empty. Each blanked cell is flagged in a marker column
  (``after_as_of_column``; ``checks._lib.after_as_of`` reads it), because an empty cell alone
  reads as "not recorded": a check that falls back to an earlier clock when a cell is empty
  (``transmitted_at`` or ``issued_at`` for a sending time, ``transmitted_at`` for a receipt)
  must not start a deadline from it, and a check that says "not recorded" must not say it of
  an act that had simply not happened yet. Deadlines, stated dates and data ranges
  (``NOT_EVENT_COLUMNS``) are known from the day they were set, whenever they fall, and are
  kept. The per-check semantics are in docs/operations.md, "Event times after the audit date".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from auditor.errors import UsageError

#: an as-of date more than this many days after the last stored request warns (operational, not
#: a pack parameter: a year and a day, so an annual audit of last year's log does not warn)
FAR_DAYS = 366
#: the key under which a partition's counts travel in its aggregates (``engine.chunked``)
CUT_KEY = "_period_cut"
#: what a record is dated by, per table
DATE_COLUMN = {"requests": "issued_at", "disclosures": "responded_at", "custody_events": "at"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_ONE_DAY = pd.Timedelta(days=1)
COUNT_KEYS = ("issued_after_as_of", "before_from", "after_to", "disclosures_after_as_of",
              "custody_events_after_as_of", "disclosures_of_excluded_requests",
              "custody_events_of_excluded_requests", "event_times_after_as_of")
#: the times of acts recorded as columns of a row (after the as-of day: not yet happened, blanked)
EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "requests": ("transmitted_at", "provider_received_at", "served_at", "notification_sent_at",
                 "central_authority_copy_at", "preservation_extended_at", "preservation_released_at",
                 "all_information_received_at", "host_instruction_at", "issuer_informed_at", "validated_at",
                 "enforcing_confirmed_at", "enforcing_objection_at", "reasoned_objection_at"),
    "disclosures": ("received_at", "user_notified_at", "decided_at"),
    "custody_events": (),
}
#: the other timestamp columns, kept whatever their value: the record's own date (``DATE_COLUMN``,
#: cut as a record), the data's time range, and dates stated or set (a deadline is known from the
#: day it is set, however far ahead it falls)
NOT_EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "requests": ("issued_at", "data_time_from", "data_time_to", "deadline_at", "ordered_return_by",
                 "ordered_traffic_return_by"),
    "disclosures": ("responded_at",),
    "custody_events": ("at", "until"),
}


def after_as_of_column(column: str) -> str:
    """The marker column ``restrict`` adds beside an event column it blanked somewhere: True
    where that row's time was after the as-of day (only present when something was blanked)."""
    return f"{column}@after_as_of"


def _blank_event_times(name: str, frame: pd.DataFrame, known_until: pd.Timestamp
                       ) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with its event times at or after ``known_until`` blanked (NaT) and flagged in
    marker columns, and per row the number of cells blanked. The frame itself when nothing is
    after (no copy)."""
    blanked = np.zeros(len(frame), dtype=np.int64)
    later = {}
    for col in EVENT_COLUMNS.get(name, ()):
        if col not in frame:
            continue
        m = (frame[col] >= known_until).fillna(False).to_numpy(dtype=bool)
        if m.any():
            later[col] = m
            blanked += m
    if not later:
        return frame, blanked
    frame = frame.copy()
    for col, m in later.items():
        frame[col] = frame[col].mask(m)
        marker = after_as_of_column(col)
        frame[marker] = m if marker not in frame else frame[marker].fillna(False).to_numpy(dtype=bool) | m
    return frame, blanked


def parse_date(value: str, option: str) -> pd.Timestamp:
    """``value`` as midnight UTC of an ISO calendar date (``YYYY-MM-DD``). UsageError naming
    the option and the value for anything else: another layout (``06/07/2026``,
    ``June 30 2026``, a time), a date that does not exist (``2026-02-30``), an empty value."""
    text = str(value).strip()
    hint = f"write the date as YYYY-MM-DD (ISO 8601), e.g. {option} 2026-06-30"
    if not text:
        raise UsageError(f"{option} is empty", hint=hint + " (leave the option out for its default)")
    if not _ISO.fullmatch(text):
        slashed = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if slashed:
            a, b, y = slashed.groups()
            hint += f"; {text} could be {y}-{int(b):02d}-{int(a):02d} or {y}-{int(a):02d}-{int(b):02d}"
        raise UsageError(f"{option} {value!r} is not a date in the form YYYY-MM-DD", hint=hint)
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} {value!r} is not a date: {exc}", hint=hint) from None
    return pd.Timestamp(day, tz="UTC")


def _day(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class AuditPeriod:
    """The audit date and the audited period (whole UTC days, bounds included)."""

    as_of: pd.Timestamp
    start: pd.Timestamp | None = None  # --from; None: from the first request
    end: pd.Timestamp | None = None  # --to; None: the as-of date

    @classmethod
    def make(cls, as_of: pd.Timestamp, start: str | pd.Timestamp | None = None,
             end: str | pd.Timestamp | None = None) -> AuditPeriod:
        """The period of an audit; ``start``/``end`` as ISO text (``--from``/``--to``) or
        timestamps. UsageError (exit 2) for ``--to`` after the as-of date or ``--from`` after
        ``--to``: a run that audits no day, or days it cannot know, is an operator mistake."""
        as_of = as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
        day = as_of.normalize()
        lo = parse_date(start, "--from") if isinstance(start, str) else start
        hi = parse_date(end, "--to") if isinstance(end, str) else end
        lo = None if lo is None else lo.tz_localize("UTC").normalize() if lo.tzinfo is None else lo.tz_convert("UTC").normalize()
        hi = None if hi is None else hi.tz_localize("UTC").normalize() if hi.tzinfo is None else hi.tz_convert("UTC").normalize()
        if hi is not None and hi > day:
            raise UsageError(f"--to {_day(hi)} is after the audit date --as-of {_day(day)}",
                             hint="records dated after the audit date cannot be audited on it: give --to on or "
                                  "before --as-of, or a later --as-of")
        if lo is not None and lo > (hi if hi is not None else day):
            which = f"--to {_day(hi)}" if hi is not None else f"the audit date --as-of {_day(day)} (the default --to)"
            raise UsageError(f"--from {_day(lo)} is after {which}: the period is empty",
                             hint="give --from on or before --to")
        return cls(as_of=as_of, start=lo, end=hi)

    @property
    def last_day(self) -> pd.Timestamp:
        """The last day audited (``--to``, default: the as-of day)."""
        return self.end if self.end is not None else self.as_of.normalize()

    def as_params(self) -> dict[str, str | None]:
        """The period as the run stores it in ``run.params`` (hashed by the ledger)."""
        return {"from": _day(self.start), "to": _day(self.last_day), "as_of": _day(self.as_of.normalize()),
                "to_given": self.end is not None}


def _empty_cut() -> dict[str, Any]:
    return {"counts": dict.fromkeys(COUNT_KEYS, 0), "data_first": None, "data_last": None, "requests": 0}


def restrict(tables: dict[str, pd.DataFrame], period: AuditPeriod
             ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None, dict[str, Any]]:
    """The tables cut to the audited period, the known requests outside it (evidence for linked
    look-ups; None when there are none) and what was left out (``cut``: counts, the stored
    requests' first and last issue time, the requests kept). Event times after the as-of day
    are blanked in the rows kept and the evidence (``EVENT_COLUMNS``, flagged by
    ``after_as_of_column``). Vectorised; a table with nothing to drop or blank is returned as it
    is (no copy)."""
    cut = _empty_cut()
    if "requests" not in tables:
        return tables, None, cut
    known_until = period.as_of.normalize() + _ONE_DAY  # exclusive: the whole as-of day is known
    req = tables["requests"]
    issued = req["issued_at"]
    if len(req):
        first, last = issued.min(), issued.max()
        cut["data_first"] = None if pd.isna(first) else first.isoformat()
        cut["data_last"] = None if pd.isna(last) else last.isoformat()
    # a request without an issue time cannot be placed: it stays audited (never silently dropped)
    future = (issued >= known_until).fillna(False).to_numpy(dtype=bool)
    before = np.zeros(len(req), dtype=bool) if period.start is None else \
        (issued < period.start).fillna(False).to_numpy(dtype=bool)
    after = ~future & (issued >= period.last_day + _ONE_DAY).fillna(False).to_numpy(dtype=bool)
    keep = ~(future | before | after)
    counts = cut["counts"]
    counts.update(issued_after_as_of=int(future.sum()), before_from=int(before.sum()), after_to=int(after.sum()))
    cut["requests"] = int(keep.sum())
    # event times after the as-of day are blanked in every known request, evidence rows included
    # (a linked look-up sees the log as it stood on the audit date too); counted for those audited
    req, blanked = _blank_event_times("requests", req, known_until)
    counts["event_times_after_as_of"] = int(blanked[keep].sum())
    out = dict(tables)
    out["requests"] = req
    evidence = req[before | after] if (before | after).any() else None
    dropped = None
    if not keep.all():
        from auditor.ingest.normalise import arrow_text  # noqa: PLC0415

        out["requests"] = req[keep]
        dropped = arrow_text(req["request_id"][~keep])
    for name in ("disclosures", "custody_events"):
        if name not in tables:
            continue
        t = tables[name]
        late = (t[DATE_COLUMN[name]] >= known_until).fillna(False).to_numpy(dtype=bool)
        of_dropped = np.zeros(len(t), dtype=bool)
        if dropped is not None:
            from auditor.ingest.normalise import index_in  # noqa: PLC0415

            of_dropped = (index_in(t["request_id"], dropped) >= 0) & ~late
        counts[f"{name}_after_as_of"] = int(late.sum())
        counts[f"{name}_of_excluded_requests"] = int(of_dropped.sum())
        if late.any() or of_dropped.any():
            t = t[~(late | of_dropped)]
        t, blanked = _blank_event_times(name, t, known_until)
        counts["event_times_after_as_of"] += int(blanked.sum())
        out[name] = t
    return out, evidence, cut


def merge_cuts(cuts: list[dict[str, Any] | None]) -> dict[str, Any]:
    """The cut of the whole data from the cuts of disjoint partitions."""
    out = _empty_cut()
    for c in cuts:
        if not c:
            continue
        for k in COUNT_KEYS:
            out["counts"][k] += int(c["counts"].get(k, 0))
        out["requests"] += int(c.get("requests", 0))
        for key, pick in (("data_first", min), ("data_last", max)):
            vals = [v for v in (out[key], c.get(key)) if v]
            out[key] = pick(vals, key=pd.Timestamp) if vals else None
    return out


def _iso(value: str | None) -> str | None:
    return None if not value else pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(period: AuditPeriod, cut: dict[str, Any], audited: dict | None = None) -> dict[str, Any]:
    """``aggregates["period"]`` of a run (``build_model`` shows it as ``model["run"]["period"]``):
    ``from``/``to`` keep their meaning (first and last issue time of the requests audited: what
    the reports' trend charts span), beside the period asked for, the stored data's range and
    what was excluded."""
    audited = audited or {}
    return {
        "from": audited.get("from"),
        "to": audited.get("to"),
        "audit_from": _day(period.start),
        "audit_to": _day(period.last_day),
        "as_of": _day(period.as_of.normalize()),
        "data_first": _iso(cut.get("data_first")),
        "data_last": _iso(cut.get("data_last")),
        "requests_in_period": int(cut.get("requests", 0)),
        "excluded": {k: int(cut["counts"].get(k, 0)) for k in COUNT_KEYS},
    }


def warnings(period: AuditPeriod, cut: dict[str, Any]) -> list[str]:
    """What an operator should hear about the period (stderr, not an error): an audit date far
    from the data's range, and a period with no request left. An empty period is not refused:
    a month without requests is a true answer for a scheduled job; ``--strict`` makes it exit 5
    (every check is then not evaluated), so a mistyped date cannot pass unnoticed."""
    out = []
    day = period.as_of.normalize()
    first = pd.Timestamp(cut["data_first"]).normalize() if cut.get("data_first") else None
    last = pd.Timestamp(cut["data_last"]).normalize() if cut.get("data_last") else None
    if first is not None and day < first:
        out.append(f"the audit date {_day(day)} is before the first stored request (issued {_day(first)}): "
                   "nothing stored had happened on that date; check --as-of")
    elif last is not None and (day - last).days > FAR_DAYS:
        out.append(f"the audit date {_day(day)} is {(day - last).days} days after the last stored request "
                   f"(issued {_day(last)}), more than {FAR_DAYS}: deadlines are judged as of that date; "
                   "check --as-of")
    if cut.get("requests", 0) == 0:
        span = (f"{_day(period.start)} .. {_day(period.last_day)}" if period.start is not None
                else f"up to {_day(period.last_day)}")
        out.append(f"no stored request was issued in the audited period ({span}, as of {_day(day)}): the run "
                   "audits 0 requests and every check is not evaluated; check --from, --to and --as-of")
    return out


def summary_line(agg_period: dict[str, Any]) -> str | None:
    """The CLI's one-line account of a run's period (None for a run stored without one)."""
    if not agg_period or "audit_to" not in agg_period:
        return None
    start = agg_period.get("audit_from") or (agg_period.get("from") or "")[:10]
    span = f"{start} .. {agg_period['audit_to']}" if start else f"up to {agg_period['audit_to']}"
    ex = agg_period.get("excluded") or {}
    parts = []
    for key, label in (("issued_after_as_of", "request(s) issued after the audit date"),
                       ("before_from", "request(s) issued before --from"),
                       ("after_to", "request(s) issued after --to"),
                       ("disclosures_after_as_of", "disclosure(s) dated after the audit date"),
                       ("custody_events_after_as_of", "custody event(s) dated after the audit date")):
        if ex.get(key):
            parts.append(f"{ex[key]} {label}")
    tail = f"excluded: {', '.join(parts)}" if parts else "nothing excluded"
    if ex.get("event_times_after_as_of"):
        tail += (f"; {ex['event_times_after_as_of']} event time(s) recorded after the audit date "
                 "read as not yet happened")
    return (f"period {span} (issue dates), {agg_period.get('requests_in_period', 0)} request(s); "
            f"{tail}")

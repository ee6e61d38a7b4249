"""The figures a reader needs first, and rankings that mean something.

:func:`headline` answers, for the run or one Party/provider: how many requests were audited,
how many have at least one breach finding, how severe (critical + high findings per 100
requests), which checks could not be evaluated and why, how many input rows were quarantined,
and how many requests are outside the audited instruments. It replaces a lone "compliance rate"
(passed / evaluated records over every check × record pair), which reads 99 % when one request
in twenty has a defect.

:func:`ranking` orders Parties (or providers) by **severity-weighted breach findings per
request**, worst first, with the sample size and a 95 % confidence interval; a Party with fewer
audited requests than the pack's ``report_min_requests`` is "insufficient data", not ranked.
The weights (``report_weight_critical`` ... ``report_weight_info``) and the minimum sample are
pack parameters of kind *policy*: the auditor's reading choices, printed with the report.

Waived findings and advisory findings (the auditor's policy, not the text) never count here.
Provider rankings count the provider's own duties only (``duty == "provider"``); the
authorities' findings on requests to a provider are shown beside them, never against it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .aggregate import (
    SEVERITIES,
    _int,
    _str,
    check_results,
    distinct_text,
    findings_records,
    is_advisory,
    outside_audited,
    parts,
    provider_split,
    requests_tally,
    slug_map,
    tally,
    weight_sums,
)

#: used when a stored run predates the parameters (its pack files had none)
DEFAULT_WEIGHTS = {"critical": 10.0, "high": 5.0, "medium": 2.0, "low": 1.0, "info": 0.0}
DEFAULT_MIN_REQUESTS = 20
#: two-sided 95 % normal quantile
Z95 = 1.959963984540054
PROVIDER_DUTY = "provider"


def _param(model: dict, name: str, default: Any) -> Any:
    for p in (model.get("run") or {}).get("params") or []:
        if isinstance(p, dict) and p.get("name") == name and p.get("value") is not None:
            return p["value"]
    return default


def weights(model: dict) -> dict[str, float]:
    """{severity: weight} of the run (pack parameters ``report_weight_<severity>``)."""
    return {s: float(_param(model, f"report_weight_{s}", DEFAULT_WEIGHTS[s])) for s in SEVERITIES}


def min_requests(model: dict) -> int:
    """Audited requests a Party/provider needs before it is ranked (``report_min_requests``)."""
    return max(1, int(_param(model, "report_min_requests", DEFAULT_MIN_REQUESTS)))


def active_breaches(records: Iterable[dict]) -> list[dict]:
    """Breach findings that count: not advisory, not waived (a shared list when ``records`` is one
    of ``findings_records``'s while memoized: do not change it)."""
    if isinstance(records, list):
        return parts(records).active_breach
    return [f for f in records if not f.get("waived") and not is_advisory(f)]


def _tally(findings: list[dict], key: str) -> Counter:
    """{value of ``key``: findings} in the order first met (records have every column; else
    ``get``)."""
    counted = tally(findings, key)
    return counted if counted is not None else Counter(_str(f.get(key)) for f in findings)


def _request_ids(findings: list[dict]) -> set[str]:
    """The distinct request ids of ``findings`` (as text)."""
    return distinct_text(findings, "request_id")


def _per100(count: float, n: int) -> float | None:
    return round(100.0 * count / n, 2) if n else None


def score(findings: list[dict], n: int, w: dict[str, float]) -> dict:
    """Severity-weighted findings per request over ``n`` audited requests (requests with no
    finding score 0), as a rate per 100 requests with a 95 % normal-approximation confidence
    interval of the mean (sample variance of the per-request scores; lower bound at 0). The
    interval is left out (None) when fewer than two requests have a finding: the normal
    approximation says nothing there (it would read [0.0-0.0]). ``n == 0``: every figure None."""
    if not n:
        return {"score": None, "ci_low": None, "ci_high": None, "weighted": 0.0}
    per_request = weight_sums(findings, "request_id", "severity", w)  # each request's, in the order first met
    total = sum(per_request)
    squares = sum(v * v for v in per_request)
    mean = total / n
    if n > 1 and len(per_request) > 1:
        var = max(0.0, (squares - n * mean * mean) / (n - 1))
        half = Z95 * math.sqrt(var / n)
    else:
        half = float("nan")
    low = None if math.isnan(half) else round(100 * max(0.0, mean - half), 2)
    high = None if math.isnan(half) else round(100 * (mean + half), 2)
    return {"score": round(100 * mean, 2), "ci_low": low, "ci_high": high, "weighted": round(total, 4)}


def headline(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """The first figures of a page (the run, or one Party or provider).

    ``requests_audited``: requests under an instrument some check of the run governs;
    ``requests_with_findings``: those with at least one breach finding (not waived, not
    advisory), also as ``share_with_findings`` (0..1); ``critical_high`` and
    ``critical_high_per_100``; ``findings`` by severity; ``checks_not_evaluated``: the checks
    without a result, with the reason; ``quarantined_rows``: input rows not stored (run level
    only); ``requests_outside``: requests counted, not judged; ``provider_findings`` (a provider
    page only, else None): the breach findings of the provider's own duties."""
    tally = requests_tally(model, party, provider)
    n = _int(tally.get("requests_audited"))
    records = findings_records(model, party, provider)
    split = parts(records)
    breaches = split.active_breach
    advisory = split.active_advisory
    with_findings = _request_ids(breaches)
    by_sev = {s: 0 for s in SEVERITIES}  # most severe first
    for sev, count in _tally(breaches, "severity").items():
        s = _str(sev)
        by_sev[s] = by_sev.get(s, 0) + count
    crit_high = by_sev.get("critical", 0) + by_sev.get("high", 0)
    results = check_results(model, party, provider)
    not_evaluated = [{"check_id": r["check_id"], "reason": r.get("reason") or ""}
                     for r in results if r.get("outcome") == "not_evaluated"]
    quarantined = excluded = None
    if party is None and provider is None:
        ex = ((model.get("run") or {}).get("period") or {}).get("excluded") or {}
        excluded = sum(_int(ex.get(k)) for k in ("issued_after_as_of", "before_from", "after_to"))
        quarantined = sum(_int(i.get("quarantined")) for i in (model.get("run") or {}).get("inputs") or []
                          if isinstance(i, dict))
    return {
        "requests": _int(tally.get("requests")),
        "requests_audited": n,
        "requests_with_findings": len(with_findings),
        "share_with_findings": (len(with_findings) / n) if n else None,
        "findings": len(breaches),
        "findings_by_severity": by_sev,
        "critical_high": crit_high,
        "critical_high_per_100": _per100(crit_high, n),
        "advisory": len(advisory),
        "waived": len(split.waived),
        "checks": len(results),
        "checks_not_evaluated": not_evaluated,
        "quarantined_rows": quarantined,
        "requests_excluded": excluded,  # run level: issued after the audit date or outside --from/--to
        "requests_outside": _int(outside_audited(model, party, provider).get("total")),
        # a provider page: the findings of the provider's own duties (the rest are the authorities')
        "provider_findings": len(provider_split(breaches)[0]) if provider is not None else None,
    }


def ranking(model: dict, kind: str) -> list[dict]:
    """One row per Party (``kind="party"``) or provider, worst first.

    Row: ``name``, ``href``, ``requests`` (audited: the sample size), ``findings`` (breach,
    counted), ``critical_high``, ``score`` / ``ci_low`` / ``ci_high`` (severity-weighted
    findings per 100 requests), ``worst`` (most severe counted finding), ``rank`` (1 = needs
    attention first; equal scores share a rank) or None with ``insufficient`` True when the
    sample is below :func:`min_requests`. Providers are scored on their own duties; their
    ``authority_findings`` are the other duty holders' findings on requests to them."""
    w = weights(model)
    floor = min_requests(model)
    rows = []
    for name, slug in slug_map(model, kind).items():
        kw = {"party": name} if kind == "party" else {"provider": name}
        n = _int(requests_tally(model, **kw).get("requests_audited"))
        breaches = active_breaches(findings_records(model, **kw))
        authority: list[dict] = []
        if kind == "provider":
            breaches, authority = provider_split(breaches)  # its own duties; the authorities' apart
        sev: dict[str, int] = {}
        for s, count in _tally(breaches, "severity").items():
            sev[_str(s)] = sev.get(_str(s), 0) + count
        worst = next((s for s in SEVERITIES if s in sev), None)  # SEVERITIES: most severe first
        rows.append({
            "name": name, "slug": slug, "href": f"{kind}/{slug}", "requests": n,
            "findings": len(breaches),
            "requests_with_findings": len(_request_ids(breaches)),
            "critical_high": sev.get("critical", 0) + sev.get("high", 0),
            "worst": worst, "authority_findings": len(authority) if kind == "provider" else None,
            "insufficient": n < floor, "min_requests": floor,
            **score(breaches, n, w),
        })
    ranked = sorted((r for r in rows if not r["insufficient"]),
                    key=lambda r: (-(r["score"] or 0.0), -r["critical_high"], r["name"]))
    rank, last = 0, None
    for i, r in enumerate(ranked, 1):
        key = (r["score"], r["critical_high"])
        if key != last:
            rank, last = i, key
        r["rank"] = rank
    rest = sorted((r for r in rows if r["insufficient"]), key=lambda r: (-r["requests"], r["name"]))
    for r in rest:
        r["rank"] = None
    return ranked + rest


def history(model: dict) -> list[dict]:
    """The stored runs up to this one (``model["history"]``, oldest first), each with per Party
    ``requests_audited``, ``findings`` (breach, before waivers) and ``per_100`` (None below the
    pack's ``report_min_requests``, like the ranking); ``current`` marks
    this run and ``label`` names it on a chart (as-of date and pack versions)."""
    this = (model.get("run") or {})
    floor = min_requests(model)  # a Party below the ranking's minimum sample has no rate either
    runs = list(model.get("history") or [])
    started = this.get("started_at")
    if started:
        runs = [r for r in runs if (r.get("started_at") or "") <= started]
    out = []
    for r in runs:
        packs = ", ".join(f"{p.get('name')} {p.get('version')}" for p in r.get("packs") or [])
        parties = {}
        total_n = total_f = 0
        for party, v in (r.get("parties") or {}).items():
            n, f = _int(v.get("requests_audited")), _int(v.get("findings"))
            total_n, total_f = total_n + n, total_f + f
            parties[party] = {"requests_audited": n, "findings": f, "insufficient": n < floor,
                              "per_100": None if n < floor else round(100.0 * f / n, 2)}
        out.append({"run_id": r.get("run_id"), "as_of": r.get("as_of"), "started_at": r.get("started_at"),
                    "packs": packs, "label": f"{r.get('as_of')} ({packs})", "parties": parties,
                    "requests_audited": total_n, "findings": total_f,
                    "per_100": None if not total_n else round(100.0 * total_f / total_n, 2),
                    "current": r.get("run_id") == this.get("run_id")})
    # two runs with the same as-of date and packs: tell them apart on the chart by their run id
    seen: dict[str, int] = {}
    for r in out:
        seen[r["label"]] = seen.get(r["label"], 0) + 1
    for r in out:
        if seen[r["label"]] > 1:
            r["label"] = f"{r['as_of']} {str(r['run_id'])[-6:]}"
    return out


#: what the audit left out (auditor.engine.period COUNT_KEYS) as the reports name it
EXCLUDED_LABELS = {
    "issued_after_as_of": "requests issued after the audit date",
    "before_from": "requests issued before the audited period (--from)",
    "after_to": "requests issued after the audited period (--to)",
    "disclosures_after_as_of": "disclosures dated after the audit date",
    "custody_events_after_as_of": "custody events dated after the audit date",
    "disclosures_of_excluded_requests": "disclosures of the requests left out",
    "custody_events_of_excluded_requests": "custody events of the requests left out",
}
#: counted by the period cut but not a record left out: event times of kept rows read as "not yet"
AS_OF_READ = {"event_times_after_as_of": "event times recorded after the audit date, read as not yet happened"}


def period(model: dict) -> dict:
    """The audited period of the run as the scope section shows it: ``audit_from`` / ``audit_to``
    (None: from the first / up to the audit date), and ``excluded``: ``{key, label, count}`` of
    every kind of record left out and counted (nonzero only); ``recorded`` False for a run of an
    earlier version, which stored no period."""
    p = (model.get("run") or {}).get("period") or {}
    excluded = p.get("excluded")
    rows = [{"key": k, "label": EXCLUDED_LABELS.get(k, k.replace("_", " ")), "count": _int(v)}
            for k, v in (excluded or {}).items() if _int(v) and k not in AS_OF_READ]
    read = [{"key": k, "label": label, "count": _int((excluded or {}).get(k))}
            for k, label in AS_OF_READ.items() if _int((excluded or {}).get(k))]
    out = {"audit_from": p.get("audit_from"), "audit_to": p.get("audit_to"), "excluded": rows,
           "recorded": excluded is not None}
    if read:  # only when some were: the reports of runs without any stay as they were
        out["read_as_not_yet"] = read
    return out

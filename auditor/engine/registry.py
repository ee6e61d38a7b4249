"""Check metadata and the registry. A check is a pure, vectorised function of an
``AuditContext`` that returns one row per evaluated record:

- ``request_id`` (always), ``record_id`` (the disclosure or custody event id, when the record is one)
- ``failed``: nullable boolean. True = violation, False = compliant, <NA> = this record cannot be
  evaluated (a needed value is missing); ``why`` may say why for <NA> rows.
- any columns named in the check's ``message`` template.

The runner joins the issuing Party and provider from ``requests``, counts outcomes and turns
failing rows into findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from auditor.engine.context import AuditContext

FAMILIES = (
    "necessity",
    "proportionality",
    "minimisation",
    "retention",
    "timeliness",
    "completeness",
    "notification",
    "supervision",
    "reservation",
    "onward_transfer",
    "security",
    "records",
    "sensitive_data",
    "automated_decision",
    "transparency",
)
SEVERITIES = ("info", "low", "medium", "high", "critical")
STATUSES = ("C", "P", "R", "UNCONFIRMED")
INSTRUMENTS = ("CETS 224", "EU 2023/1543", "ETS 185")
#: the request instruments (``requests.instrument``) a check may govern: every instrument the
#: packs audit. ``mla`` and ``other`` are outside every check (counted, never judged).
AUDITED_INSTRUMENTS = ("cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9", "cets224_art10",
                       "eu_epoc", "eu_epoc_pr")
#: breach = the rule is the text's; advisory = the auditor's policy (a number or reading the text
#: does not fix); mixed = the check returns an ``advisory`` column saying which rows are which
KINDS = ("breach", "advisory", "mixed")
#: who must act: whose duty the rule a check tests is, read from the provision behind it
#: (legal-requirements.md). ``issuing_authority``: the authority of the issuing / requesting Party
#: that issued the order or request (its contents, necessity, channel, the notifications it owes);
#: ``requested_party``: the requested (host) Party's competent or central authority (it serves an
#: Art. 8 order, orders the return, decides, notifies); ``provider``: the service provider, the
#: addressee of the order (EU deadlines, Annex III reasons, a stop instruction it must obey);
#: ``receiving_authority``: the authority that holds the data received (retention, onward
#: transfer, security, records, access, notice to the person). The duty is per check, not per
#: finding: a rule that binds two actors is split into two checks, so that a provider's page never
#: counts an authority's failure against the provider. Where a provision binds "the Party" in
#: general, the check names the authority that acts on the record it judges, and says so in its
#: notes.
DUTIES = ("issuing_authority", "requested_party", "provider", "receiving_authority")
#: the plain-language actor of each duty, as ``auditor explain`` prints it ("Who must act: ...")
DUTY_TEXT = {
    "issuing_authority": "the issuing authority (the authority of the issuing or requesting Party that issued the "
                         "order or request)",
    "requested_party": "the requested Party (its competent or central authority, which serves the order, orders "
                       "the return, decides and notifies)",
    "provider": "the service provider (the addressee of the order or request)",
    "receiving_authority": "the receiving authority (the authority that holds the data received: retention, onward "
                           "transfer, security, records, access)",
}

CheckFunc = Callable[["AuditContext"], "pd.DataFrame"]


@dataclass(frozen=True)
class Check:
    id: str
    rule_id: str  # the rule id of shared/domain/legal-requirements.md §6
    title: str  # states the compliant state
    instrument: str
    article: str  # e.g. "Art. 14(10)"
    family: str
    severity: str
    legal_basis_status: str
    rationale: str
    remediation: str
    message: str  # str.format template over the result columns (+ party, provider)
    requires: dict[str, tuple[str, ...]]  # table -> columns
    func: CheckFunc
    #: the request instruments this check governs (``requests.instrument`` values). The engine
    #: hands the check only these requests and their disclosures and custody events.
    scope: tuple[str, ...] = ()
    kind: str = "breach"
    #: who must act (one of DUTIES); required: an empty or unknown duty fails validate_metadata
    duty: str = ""
    params: tuple[str, ...] = ()
    profile_fields: tuple[str, ...] = ()
    title_fr: str = ""
    remediation_fr: str = ""
    notes: str = ""
    applies_to: str = ""  # plain-language population, shown in explain
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def citation(self) -> str:
        return f"{self.instrument} {self.article}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "title": self.title,
            "title_fr": self.title_fr,
            "instrument": self.instrument,
            "article": self.article,
            "family": self.family,
            "severity": self.severity,
            "legal_basis_status": self.legal_basis_status,
            "scope": list(self.scope),
            "kind": self.kind,
            "duty": self.duty,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "remediation_fr": self.remediation_fr,
            "applies_to": self.applies_to,
            "message": self.message,
            "requires": {t: list(c) for t, c in self.requires.items()},
            "params": list(self.params),
            "profile_fields": list(self.profile_fields),
            "notes": self.notes,
        }


_REGISTRY: dict[str, Check] = {}


def check(**meta) -> Callable[[CheckFunc], CheckFunc]:
    """Decorator registering a check function with its metadata."""

    def wrap(func: CheckFunc) -> CheckFunc:
        c = Check(func=func, **meta)
        problems = validate_metadata(c)
        if problems:
            raise ValueError(f"check {c.id}: " + "; ".join(problems))
        if c.id in _REGISTRY and _REGISTRY[c.id].func.__qualname__ != func.__qualname__:
            raise ValueError(f"duplicate check id {c.id}")
        _REGISTRY[c.id] = c
        return func

    return wrap


def validate_metadata(c: Check) -> list[str]:
    problems = []
    if c.family not in FAMILIES:
        problems.append(f"family {c.family!r} not in {FAMILIES}")
    if c.severity not in SEVERITIES:
        problems.append(f"severity {c.severity!r} not in {SEVERITIES}")
    if c.legal_basis_status not in STATUSES:
        problems.append(f"legal_basis_status {c.legal_basis_status!r} not in {STATUSES}")
    if c.kind not in KINDS:
        problems.append(f"kind {c.kind!r} not in {KINDS}")
    if not c.duty:
        problems.append(f"duty is missing: say who must act, one of {DUTIES}")
    elif c.duty not in DUTIES:
        problems.append(f"duty {c.duty!r} not in {DUTIES}")
    if not c.scope:
        problems.append("scope must name the request instruments the check governs")
    elif not set(c.scope) <= set(AUDITED_INSTRUMENTS):
        problems.append(f"scope {sorted(set(c.scope) - set(AUDITED_INSTRUMENTS))} outside {AUDITED_INSTRUMENTS}")
    if c.instrument == "CETS 224" and not set(c.scope) <= set(AUDITED_INSTRUMENTS[:5]):
        problems.append("a CETS 224 check governs cets224_art6..art10 requests only (Art. 14(1)(a))")
    if c.instrument == "EU 2023/1543" and not set(c.scope) <= {"eu_epoc", "eu_epoc_pr"}:
        problems.append("an EU 2023/1543 check governs eu_epoc / eu_epoc_pr requests only")
    if c.instrument not in INSTRUMENTS:
        problems.append(f"instrument {c.instrument!r} not in {INSTRUMENTS}")
    if not c.article.startswith("Art. ") and not c.article.startswith("Annex"):
        problems.append(f"article {c.article!r} must read like 'Art. 14(10)'")
    for name in ("title", "rationale", "remediation", "message", "rule_id"):
        if not getattr(c, name).strip():
            problems.append(f"{name} is empty")
    if "requests" not in c.requires:
        problems.append("requires must name the requests columns it reads (party/provider come from there)")
    return problems


def load_all() -> dict[str, Check]:
    """Import the rule modules (registers every check) and return the registry."""
    import checks  # noqa: F401, PLC0415

    return dict(sorted(_REGISTRY.items()))


def get(check_id: str) -> Check:
    registry = load_all()
    key = check_id.upper()
    if key not in registry:
        from auditor.errors import NotFoundError  # noqa: PLC0415

        close = [c for c in registry if c[:3] == key[:3]]
        raise NotFoundError(
            f"unknown check id {check_id!r}",
            hint=("did you mean " + ", ".join(close) + "? " if close else "") + "see `auditor checks list`",
        )
    return registry[key]

"""Statistical disclosure control: primary and complementary cell suppression, and the attacker's
audit that proves it.

``--publish`` uses it through ``reports.publication`` (the published edition: 210 cells on the
sample, protected in about 1 s). :func:`report_cube`, the full report's every count (12,705 cells
on the sample, 2,678 below 5), is kept for measuring: protecting it takes minutes and withholds
most of it, which is why the edition publishes coarser tables.

Every published count is a *cell*: a linear form (a weighted sum) over *base* counts, the finest
counts the figures are made of (records of a check x Party x provider by outcome, say). Totals,
rows and columns, severity sums, weighted scores and rates are all cells of the same base, so one
:class:`Cube` holds every relation a reader could use between the published figures.

:func:`protect` suppresses:

- *primary*: every cell from 1 to ``threshold - 1`` (shown ``"<threshold"``, so a reader knows
  it lies in that band);
- *complementary*: until no suppressed cell can be recomputed. The audit is the attacker's own
  linear programme (:func:`attack`, HiGHS through ``highspy``): over every non-negative table that
  agrees with the published cells (and the bands), the least and the greatest value of each
  suppressed cell. A cell whose two differ by less than one is *pinned*; the published cells whose
  equations bind the optimum (a non-zero dual value) are the ones that pin it, and the cheapest of
  them (smallest count, then fewest base cells) is suppressed as well (shown ``"x"``). The loop
  ends when no suppressed cell is pinned (at worst when every cell touching it is suppressed).

Why not tau-argus alone: ``pytauargus`` 0.6.0 (PyPI, EUPL-1.2) bundles the tau-argus engine with
HiGHS and needs no external binary; on one check x Party x provider table of the sample's
findings it suppresses in 0.3 s (OPT or MOD), and on the crafted table of the tests its pattern
passes the attacker. But it protects tables (with hierarchies), not arbitrary linear relations:
the severity-weighted scores, the links between the check, severity, family and instrument
margins of the same counts, and the bands themselves (four banded cells under a banded total of
at most 4 are all 1) need the audit here, over every published relation at once. The sound
combination is tau-argus for the bulk of the suppression, then :func:`protect`'s loop over the
whole cube to close what crosses tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SUPPRESSED", "Cube", "Protection", "attack", "base_counts", "cell_key", "check_dims", "protect",
           "report_cube"]

#: how a complementary suppressed cell is shown (a primary one is shown ``"<threshold"``)
SUPPRESSED = "x"
#: a suppressed cell must be free over at least this width (the attacker's min .. max)
PROTECTION = 1.0
_EPS = 1e-6

Key = Hashable


class Cube:
    """Base counts and the published cells as linear forms over them."""

    def __init__(self) -> None:
        self.base: dict[Key, int] = {}
        self.forms: dict[Key, dict[Key, float]] = {}

    def add_base(self, var: Key, value: int) -> None:
        self.base[var] = self.base.get(var, 0) + int(value)

    def add_cell(self, key: Key, terms: Mapping[Key, float] | Iterable[Key]) -> None:
        """Publish ``key`` as the sum of ``terms`` (base keys, or {base key: coefficient})."""
        form = dict(terms) if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        form = {v: float(c) for v, c in form.items() if c}
        if key in self.forms and self.forms[key] != form:
            raise ValueError(f"cell {key!r} defined twice with different forms")
        self.forms[key] = form

    def value(self, key: Key) -> float:
        return sum(c * self.base.get(v, 0) for v, c in self.forms[key].items())


@dataclass
class Protection:
    """The suppression decided for a cube: ``show(key)`` is the published text of a cell."""

    cube: Cube
    threshold: int
    primary: set = field(default_factory=set)
    secondary: set = field(default_factory=set)
    #: primary cells shown ``"x"``, not as the band: their bands together would pin one
    #: (four banded cells of at least 1 under a banded total of at most 4 are all 1)
    unbanded: set = field(default_factory=set)
    rounds: int = 0

    def suppressed(self, key: Key) -> bool:
        return key in self.primary or key in self.secondary

    def show(self, key: Key) -> Any:
        """The cell's count (an int), ``"<threshold"`` (primary) or ``"x"`` (complementary).
        A key that is not a cell of the cube is an error: nothing is published unprotected."""
        if key not in self.cube.forms:
            raise KeyError(f"no protected cell {key!r}")
        if key in self.primary and key not in self.unbanded:
            return f"<{self.threshold}"
        if key in self.primary or key in self.secondary:
            return SUPPRESSED
        v = self.cube.value(key)
        return int(round(v)) if abs(v - round(v)) < _EPS else v

    def get(self, key: Key, default: Any = None) -> Any:
        return self.show(key) if key in self.cube.forms else default


def _is_count(v: float) -> bool:
    return abs(v - round(v)) < _EPS


def _pinned(lo: float, hi: float, value: float) -> bool:
    """True when the attacker's range ``lo .. hi`` leaves a cell no freedom: for a count (an
    integer), no second integer in the range (0.5 .. 1.5 is as good as 1); for a weighted sum,
    a range narrower than :data:`PROTECTION`."""
    if _is_count(value):
        if math.isinf(hi):
            return False
        return math.floor(hi + _EPS) - math.ceil(lo - _EPS) < PROTECTION
    return hi - lo < PROTECTION - _EPS


def _highs() -> Any:
    """A ``highspy.Highs`` solver; the banner HiGHS prints on the process's first one (on file
    descriptor 1, below Python) is kept off the command's output."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            try:
                return highspy.Highs()
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


_SCREEN_MIN = 40
_SCREEN_ROUNDS = 24


def _screen(h: Any, cols: dict, forms: Mapping, targets: list, truth: Mapping, n: int) -> set:
    """The targets that some feasible table (an LP optimum in a random direction over the
    targets) puts at least :data:`PROTECTION` away from their real value."""
    import random

    import highspy
    import numpy as np

    rng = random.Random(224)  # deterministic: the same suppression for the same data
    free: set = set()
    idx = {t: [(cols[v], c) for v, c in forms[t].items() if v in cols] for t in targets}
    for _ in range(_SCREEN_ROUNDS):
        open_ = [t for t in targets if t not in free and idx[t]]
        if not open_:
            break
        cost = np.zeros(n)
        for t in open_:
            sign = rng.choice((-1.0, 1.0)) * (0.5 + rng.random())
            for i, c in idx[t]:
                cost[i] += sign * c
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue  # unbounded in that direction: the exact solves decide
        x = np.asarray(h.getSolution().col_value)
        found = {t for t in open_ if abs(sum(x[i] * c for i, c in idx[t]) - truth[t]) >= PROTECTION - _EPS}
        if not found and len(free) > 0:
            break
        free |= found
    return free


def attack(forms: Mapping[Key, Mapping[Key, float]], public: Mapping[Key, float],
           banded: Mapping[Key, tuple[float, float]], targets: Iterable[Key],
           want_duals: bool = False, truth: Mapping[Key, float] | None = None,
           ) -> dict[Key, tuple[float, float, set]]:
    """The attacker's linear programme: for each target cell, its least and greatest value over
    every non-negative base table where the ``public`` cells have their values and the ``banded``
    cells lie in their band. Returns {target: (min, max, binding public cells)}; the binding set
    (public cells with a non-zero dual at either optimum) only when ``want_duals``. ``truth``
    (the cells' real values, known to the protector): a target whose maximum is at least one
    above its value is free, and its minimum is not computed (reported as its value)."""
    import highspy
    import numpy as np

    zero = {v for k, val in public.items() if abs(val) < _EPS
            for v, c in forms[k].items() if c > 0 and all(cc > 0 for cc in forms[k].values())}
    cols: dict[Key, int] = {}
    for k in (*public, *banded, *targets):
        for v in forms[k]:
            if v not in zero and v not in cols:
                cols[v] = len(cols)
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")  # re-solves from the previous basis (warm start)
    inf = highspy.kHighsInf
    n = len(cols)
    if n:
        h.addVars(n, np.zeros(n), np.full(n, inf))
    rows: list[Key] = []  # the public cells' rows first, then the banded ones
    n_public = 0
    for k, (lo, hi) in [*((k, (v, v)) for k, v in public.items()), *banded.items()]:
        idx = [cols[v] for v in forms[k] if v in cols]
        val = [forms[k][v] for v in forms[k] if v in cols]
        if not idx:
            continue
        h.addRow(lo, hi, len(idx), np.array(idx, dtype=np.int32), np.array(val, dtype=np.float64))
        rows.append(k)
        n_public += k in public
    out: dict[Key, tuple[float, float, set]] = {}
    targets = list(targets)
    if truth is not None and len(targets) > _SCREEN_MIN:
        # the real table is one feasible point: any other feasible table where a target differs
        # from it by one or more proves the target free. A few solves in random directions find
        # such tables for most targets at once; only the rest get their own min and max.
        free = _screen(h, cols, forms, targets, truth, n)
        for t in free:
            out[t] = (truth[t], truth[t] + PROTECTION, set())
        targets = [t for t in targets if t not in free]
    cost_idx: list[int] = []
    if n:
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    for t in targets:
        form = {cols[v]: c for v, c in forms[t].items() if v in cols}
        if not form:
            out[t] = (0.0, 0.0, set())
            continue
        if cost_idx:
            h.changeColsCost(len(cost_idx), np.array(cost_idx, dtype=np.int32), np.zeros(len(cost_idx)))
        cost_idx = list(form)
        h.changeColsCost(len(cost_idx), np.array(cost_idx, dtype=np.int32),
                         np.array([form[i] for i in cost_idx], dtype=np.float64))
        bounds, binding = [], set()
        for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
            if bounds and truth is not None and bounds[0] >= truth[t] + PROTECTION - _EPS:
                bounds.append(truth[t])  # free above its value: not pinned, the minimum is not needed
                break
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
                h.clearSolver()  # a warm start gone wrong: solve it again from scratch
                h.run()
                status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(h.getInfo().objective_function_value)
                if want_duals:
                    duals = np.asarray(h.getSolution().row_dual)[:n_public]
                    binding |= {rows[i] for i in np.flatnonzero(np.abs(duals) > _EPS)}
            elif status == highspy.HighsModelStatus.kUnbounded:
                bounds.append(math.inf)
            else:  # infeasible: the published figures contradict themselves (a bug)
                raise RuntimeError(f"disclosure audit: the published cells are inconsistent ({status})")
        out[t] = (bounds[1], bounds[0], binding)
    return out


def protect(cube: Cube, threshold: int, max_rounds: int = 200, prune_limit: int = 300,
            rank: Callable[[Key], int] | None = None) -> Protection:
    """Primary suppression of the cells from 1 to ``threshold - 1``, then complementary
    suppression until :func:`attack` pins no suppressed cell (see the module text), then the
    complementary cells found unneeded published again (:func:`_prune`, up to ``prune_limit``
    suppressed cells). ``rank``: how much a cell is worth keeping (higher: chosen for
    complementary suppression only after every lower-ranked candidate; e.g. the totals)."""
    prot = Protection(cube, threshold)
    values = {k: cube.value(k) for k in cube.forms}
    prot.primary = {k for k, v in values.items() if 0 < v < threshold and _is_count(v)}
    if not prot.primary:
        return prot
    # the cells sharing a base cell with a given one: the candidates when no dual names one
    by_var: dict[Key, set] = {}
    for k, form in cube.forms.items():
        for v in form:
            by_var.setdefault(v, set()).add(k)

    def cost(k: Key) -> tuple:
        return (rank(k) if rank else 0, values[k], len(cube.forms[k]), repr(k))

    # suppressing a cell removes an equation: the attacker's ranges only widen, so a cell found
    # free stays free and each round audits only the cells still pinned and the new ones
    todo = set(prot.primary)
    while prot.rounds < max_rounds:
        prot.rounds += 1
        hidden = prot.primary | prot.secondary
        public = {k: v for k, v in values.items() if k not in hidden}
        banded = {k: (1.0, threshold - 1.0) for k in prot.primary - prot.unbanded}
        result = attack(cube.forms, public, banded, sorted(todo, key=repr), want_duals=True, truth=values)
        pinned = [k for k, (lo, hi, _) in result.items() if _pinned(lo, hi, values[k])]
        if not pinned:
            _prune(prot, values, prune_limit, rank)
            return prot
        chosen: set = set()
        unband: set = set()
        for k in pinned:
            if result[k][2] & chosen:  # a cell chosen for another pinned one binds this one too
                continue
            binding = set(result[k][2])
            if not binding:
                binding = {c for v in cube.forms[k] for c in by_var[v] if c in public} - chosen
            if binding:
                chosen.add(min(binding, key=cost))
            else:  # only the bands pin it: show it and the banded cells around it as "x"
                around = {c for v in cube.forms[k] for c in by_var[v]} & prot.primary
                unband |= {k, *around} & prot.primary - prot.unbanded
        if not chosen and not unband:  # nothing left to hide around the pinned cells
            raise RuntimeError(f"disclosure: cannot protect {pinned[:3]!r}")
        prot.secondary |= chosen
        prot.unbanded |= unband
        todo = set(pinned) | chosen | unband
    raise RuntimeError(f"disclosure: no protection after {max_rounds} rounds")


def _prune(prot: Protection, values: Mapping[Key, float], limit: int,
           rank: Callable[[Key], int] | None = None) -> None:
    """Publish again each complementary cell, the costliest first, whose suppression turns out
    unneeded (the audit of every suppressed cell still pins none without it). Each trial is a
    full audit, so only when at most ``limit`` cells are suppressed."""
    if len(prot.primary) + len(prot.secondary) > limit:
        return
    banded = {k: (1.0, prot.threshold - 1.0) for k in prot.primary - prot.unbanded}
    for s in sorted(prot.secondary, key=lambda k: (-(rank(k) if rank else 0), -values[k], repr(k))):
        trial = prot.secondary - {s}
        hidden = prot.primary | trial
        public = {k: v for k, v in values.items() if k not in hidden}
        result = attack(prot.cube.forms, public, banded, sorted(hidden, key=repr), truth=values)
        if not any(_pinned(lo, hi, values[k]) for k, (lo, hi, _) in result.items()):
            prot.secondary = trial



# ---------------------------------------------------------------- the report's cube

#: the measures of a check x Party x provider, as sums of its base counts (see :func:`report_cube`)
MEASURES: dict[str, tuple[str, ...]] = {
    "evaluated": ("pass", "fb", "wb", "fa", "wa", "xf"),
    "passed": ("pass",),
    "failed": ("fb", "wb", "fa", "wa", "xf"),
    "advisory": ("fa", "wa"),
    "unknown": ("unk",),
    "findings": ("fb",),
    "advisory_findings": ("fa",),
    "waived": ("wb", "wa"),
    # compliance counts: advisory records and advisory checks left out (aggregate.compliance_counts)
    "records_evaluated": ("pass", "fb", "wb", "xf"),
    "records_passed": ("pass",),
    "records_failed": ("fb", "wb", "xf"),
}
_COMPLIANCE = frozenset({"records_evaluated", "records_passed", "records_failed"})
#: the scopes the measures are published in (each also with a Party and with a provider)
SCOPES: tuple[tuple[str, ...], ...] = ((), ("check",), ("severity",), ("family",), ("instrument",),
                                       ("instrument", "severity"), ("duty",), ("critical_high",),
                                       ("duty", "critical_high"))


def cell_key(measure: str, **scope: Any) -> tuple:
    """The key of a published cell: its measure and scope (dimension = value, sorted; None
    values left out), e.g. ``cell_key("findings", party="CA", severity="critical")``."""
    return (measure, tuple(sorted((k, str(v)) for k, v in scope.items() if v is not None)))


def check_dims(model: dict) -> dict[str, dict[str, str]]:
    """{check id: {check, severity, family, instrument, duty ("provider"/"authority"),
    critical_high ("yes"/"no"), kind}}: the dimensions a check's counts are published by."""
    from .headline import PROVIDER_DUTY  # noqa: PLC0415

    dims: dict[str, dict[str, str]] = {}
    for c in model.get("checks") or []:
        cid, sev = str(c.get("id")), str(c.get("severity") or "")
        dims[cid] = {"check": cid, "severity": sev, "family": str(c.get("family") or ""),
                     "instrument": str(c.get("instrument") or ""),
                     "duty": "provider" if str(c.get("duty") or "") == PROVIDER_DUTY else "authority",
                     "critical_high": "yes" if sev in ("critical", "high") else "no",
                     "kind": str(c.get("kind") or "breach")}
    return dims


def base_counts(model: dict, dims: dict[str, dict[str, str]] | None = None) -> dict[tuple, dict[str, int]]:
    """{(check, Party, provider): {base name: count}} of the run's scope rows: passed (``pass``) and
    unknown (``unk``) records, active and waived breach findings (``fb``, ``wb``), active and
    waived advisory findings (``fa``, ``wa``) and failed records without a finding (``xf``: none
    in a consistent run). Checks not in ``dims`` (:func:`check_dims`) are left out."""
    dims = check_dims(model) if dims is None else dims
    found: dict[tuple, dict[str, int]] = {}
    for f in model.get("findings") or []:
        cell = (str(f.get("check_id") or ""), str(f.get("party") or ""), str(f.get("provider") or ""))
        slot = ("w" if f.get("waived") else "f") + ("a" if f.get("kind") == "advisory" else "b")
        found.setdefault(cell, {})
        found[cell][slot] = found[cell].get(slot, 0) + 1
    out: dict[tuple, dict[str, int]] = {}
    for r in model.get("scope") or []:
        cid, party, prov = str(r.get("check_id") or ""), str(r.get("party") or ""), str(r.get("provider") or "")
        if cid not in dims:
            continue
        passed, failed, unknown = (int(r.get(k) or 0) for k in ("passed", "failed", "unknown"))
        got = found.get((cid, party, prov), {})
        base = {"pass": passed, "unk": unknown, **{k: got.get(k, 0) for k in ("fb", "wb", "fa", "wa")},
                "xf": max(0, failed - sum(got.values()))}
        cell = out.setdefault((cid, party, prov), dict.fromkeys(base, 0))
        for k, v in base.items():
            cell[k] += v
    return out


def report_cube(model: dict) -> Cube:
    """Every count of checks, records and findings the published reports show, as cells over one
    base: per check x Party x provider, passed (``pass``) and unknown (``unk``) records, active
    and waived breach findings (``fb``, ``wb``), active and waived advisory findings (``fa``,
    ``wa``) and failed records without a finding (``xf``: none in a consistent run).

    Cells: each of :data:`MEASURES` over every scope of :data:`SCOPES`, alone, with a Party and
    with a provider; and the severity-weighted breach findings the rankings score (``weighted``)
    of the run, each Party, each provider and a provider's own duties."""
    from .headline import weights as run_weights  # noqa: PLC0415

    dims = check_dims(model)
    cube = Cube()
    counts = base_counts(model, dims)
    members = set(counts)
    for (cid, party, prov), base in counts.items():
        for name, value in base.items():
            cube.add_base((name, cid, party, prov), value)
    by_scope: dict[tuple, list[tuple]] = {}
    for cid, party, prov in sorted(members):
        d = dims[cid]
        for names in SCOPES:
            for extra in ({}, {"party": party}, {"provider": prov}):
                scope = {**{n: d[n] for n in names}, **extra}
                by_scope.setdefault(tuple(sorted(scope.items())), []).append((cid, party, prov))
    w = run_weights(model)
    for scope, cells in by_scope.items():
        sc = dict(scope)
        for measure, parts in MEASURES.items():
            mine = [m for m in cells if measure not in _COMPLIANCE or dims[m[0]]["kind"] != "advisory"]
            cube.add_cell(cell_key(measure, **sc), [(p, *m) for m in mine for p in parts])
        if set(sc) <= {"party", "provider", "duty"}:
            cube.add_cell(cell_key("weighted", **sc), {("fb", *m): w.get(dims[m[0]]["severity"], 0.0) for m in cells})
    return cube

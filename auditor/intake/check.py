"""``auditor intake check``: what a mapping profile does to an export, before anything is stored.

Per file (and sheet): the columns it maps and to what, the headers it leaves unmapped (ingest
ignores them with a warning), the headers the profile names that the file does not have, the
values the profile cannot map (with counts; a value is shown only in a vocabulary column and
only when it does not look like an identifier), the dates that do not match the declared format,
and the required columns missing. Then, over the whole export, which checks will be NOT
EVALUATED because a table or a column they require is absent (each check declares its
``requires``; the runner says *not evaluated* exactly then: ``engine.runner.missing_inputs``).

The mapping is applied with ``auditor.ingest.mapping.apply``, the function ingest uses, so the
rows counted here are the rows ingest would quarantine for the mapping's reasons; the contract's
own rules (a Party code, a vocabulary value without a map) are counted too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from auditor.ingest.schema import TABLES
from auditor.intake.sources import Source, read_file, resolve

#: kinds whose values may be listed (a closed vocabulary, not free text or identifiers)
_VOCAB_KINDS = ("enum", "bool", "set", "party")


@dataclass
class Problem:
    column: str
    header: str
    rows: int
    what: str
    value: str | None = None  # shown only for a vocabulary value that does not look identifying
    first_rows: list[int] = field(default_factory=list)


@dataclass
class SourceReport:
    table: str
    label: str
    rows: int
    mapped: dict[str, str] = field(default_factory=dict)  # header -> canonical column
    ignored: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # profile headers the file does not have
    missing_required: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: a table taken from another's rows (a wide export): which rows
    taken_from: str | None = None

    @property
    def rows_blocked(self) -> int:
        return sum(p.rows for p in self.problems)


@dataclass
class CheckReport:
    profile: str
    profile_file: str
    sources: list[SourceReport] = field(default_factory=list)
    #: table -> what the profile names that is not in the folder
    not_found: dict[str, list[str]] = field(default_factory=dict)
    #: table -> columns present after mapping (constants included)
    present: dict[str, list[str]] = field(default_factory=dict)
    not_evaluated: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[str]:
        out = []
        if "requests" not in self.present:
            out.append("no requests are read: the requests table is mandatory")
        for table, what in self.not_found.items():
            out.append(f"{table}: not found in the folder: {', '.join(what)}")
        for s in self.sources:
            if s.missing_required:
                out.append(f"{s.label} ({s.table}): required column(s) missing: {', '.join(s.missing_required)}")
            if s.problems:
                out.append(f"{s.label} ({s.table}): {s.rows_blocked} cell(s) the mapping cannot turn into the "
                           "contract: their rows would be quarantined")
        return out

    @property
    def ready(self) -> bool:
        return not self.blocking

    def as_dict(self) -> dict:
        d = asdict(self)
        d["blocking"] = self.blocking
        d["ready"] = self.ready
        return d


def _few_rows(rows) -> list[int]:
    return [int(r) for r in list(rows)[:5]]


def _shown(value: str, kind: str) -> str | None:
    from auditor.ingest.safety import looks_identifying  # noqa: PLC0415

    if kind not in _VOCAB_KINDS or len(value) > 60 or looks_identifying(pd.Series([value]))[0]:
        return None
    return value


def _contract_problems(out: pd.DataFrame, table: str, headers: dict[str, str], skip: set,
                       mapping, row_numbers) -> list[Problem]:
    """Cells the mapping passes on that the contract will reject anyway: a vocabulary value with
    no map, a time without its zone and no declared format."""
    from auditor.ingest.normalise import canonical_column, distinct  # noqa: PLC0415
    from auditor.ingest.validate import value_ok  # noqa: PLC0415

    spec = TABLES[table]
    problems = []
    for name in out.columns:
        col = spec.column(name)
        if col.personal or col.kind not in (*_VOCAB_KINDS, "timestamp"):
            continue
        if col.kind == "timestamp" and name in mapping.dates:
            continue
        s = out[name]
        codes, uniques = distinct(s)
        if not len(uniques):
            continue
        ok = value_ok(spec, name, canonical_column(uniques.astype("string"), col, b"-"))
        for i in [i for i in range(len(uniques)) if not ok[i]]:
            rows_mask = (codes == i) & ~pd.Series(out.index.isin(skip), index=out.index).to_numpy()
            n = int(rows_mask.sum())
            if not n:
                continue
            header = headers.get(name, name)
            if col.kind == "timestamp":
                what = (f"not an ISO 8601 time with its offset: declare its format under "
                        f"[tables.{table}.dates]")
                shown = None
            else:
                shown = _shown(str(uniques.iloc[i]), col.kind)
                what = f"not a valid {name} value and not in the mapping: add it under [tables.{table}.values.{name}]"
            problems.append(Problem(name, header, n, what, shown, _few_rows(row_numbers[rows_mask])))
    return problems


def _merge(problems: list[Problem]) -> list[Problem]:
    """One line per (column, what, value): counts added, first rows kept."""
    merged: dict[tuple, Problem] = {}
    for p in problems:
        key = (p.column, p.what, p.value)
        if key in merged:
            merged[key].rows += p.rows
            merged[key].first_rows = (merged[key].first_rows + p.first_rows)[:5]
        else:
            merged[key] = p
    return list(merged.values())


def _check_source(src: Source, table: str, mapping, profile_name: str) -> tuple[SourceReport, set[str]]:
    from auditor.ingest import mapping as mp  # noqa: PLC0415

    spec = TABLES[table]
    frame = src.frame
    rows = src.rows
    if mapping.source is not None:
        picked = mp.rows_selected(frame, mapping)
        frame, rows = frame[picked], rows[picked]
    typed = {h for h, mask in src.dates.items() if mask.any()}
    local = {mapping.targets.get(c) for c in mapping.dates} if mapping.dates else set()
    if typed - local:  # cells typed as dates outside a declared zone are UTC, as ingest reads them
        frame = frame.copy()
        for h in typed - local:
            s = frame[h].astype("string")
            frame[h] = s.where(~s.str.contains("T", regex=False).fillna(False), s + "Z")
    report = SourceReport(table, src.label, len(frame), notes=list(src.notes))
    if mapping.source is not None:
        which = f" with a value in {', '.join(mapping.when_any)}" if mapping.when_any else ""
        report.taken_from = f"the {mapping.source} rows{which}"
    keep = mapping.resolve(list(frame.columns), spec)
    report.mapped = {str(h): c for h, c in keep.items()}
    folded_listed = {mp._fold(h): c for h, c in mapping.columns.items()}
    report.ignored = [h for h in src.headers if folded_listed.get(mp._fold(h)) == ""]
    report.unmapped = mp.unmapped_columns(list(frame.columns), mapping, spec)
    present_folded = {mp._fold(h) for h in src.headers}
    report.absent = [h for h, c in mapping.columns.items() if c and mp._fold(h) not in present_folded]
    out, defects = mp.apply(frame, mapping, spec, source_name=profile_name)
    cols = set(out.columns)
    report.missing_required = [c for c in spec.required if c not in cols]
    headers = {c: str(h) for h, c in keep.items()}
    by: dict[tuple, list] = {}
    for d in defects:
        by.setdefault((d.column, d.reason), []).append(d.index)
    pos = {idx: i for i, idx in enumerate(frame.index)}
    for (column, reason), idx in by.items():
        value = None
        what = reason.split(" (source column", 1)[0]
        if what.startswith('value "') and '" not in the mapping' in what:
            value, what = what[len('value "'):].split('" ', 1)
        elif what.startswith("value "):
            what = what[len("value "):]
        report.problems.append(Problem(column, headers.get(column, column), len(idx), what, value,
                                       _few_rows(rows[[pos[i] for i in idx]])))
    skip = {d.index for d in defects}
    report.problems += _contract_problems(out, table, headers, skip, mapping, rows)
    report.problems = _merge(report.problems)
    report._out = out  # type: ignore[attr-defined]  (the mapped rows, for the parent check)
    report._rows = rows  # type: ignore[attr-defined]
    return report, cols


def _orphans(report: CheckReport) -> None:
    """Disclosures and custody events whose request is not among the requests read: ingest
    quarantines them (a child row must reference a stored request). Counts only."""
    ids: set[str] = set()
    for sr in report.sources:
        out = getattr(sr, "_out", None)
        if sr.table == "requests" and out is not None and "request_id" in out.columns:
            ids.update(out["request_id"].dropna().astype(str))
    for sr in report.sources:
        out = getattr(sr, "_out", None)
        spec = TABLES[sr.table]
        if out is None or spec.parent is None or spec.parent[0] not in out.columns:
            continue
        ref = out[spec.parent[0]]
        lost = (ref.notna() & ~ref.astype(str).isin(ids)).to_numpy(dtype=bool)
        if lost.any():
            sr.problems.append(Problem(spec.parent[0], spec.parent[0], int(lost.sum()),
                                       "refers to a request that is not among the requests read",
                                       None, _few_rows(sr._rows[lost])))  # type: ignore[attr-defined]


def check(data_dir: Path, profile_path: Path, packs: list[str] | None = None) -> CheckReport:
    """Everything ``intake check`` prints, computed without storing anything."""
    from auditor.engine import packs as packs_mod  # noqa: PLC0415
    from auditor.engine.registry import load_all  # noqa: PLC0415
    from auditor.ingest.mapping import TableMapping, load_profile  # noqa: PLC0415

    profile = load_profile(profile_path)
    report = CheckReport(profile.name, str(profile_path))
    present: dict[str, set[str]] = {}
    read: dict[str, list[Source]] = {}
    for table in TABLES:
        mapping = profile.table(table)
        if mapping is None:  # not in the profile: a canonical file, read as without a profile
            mapping = TableMapping(table)
            pairs, _ = resolve(data_dir, (), None, table)
            if not pairs:
                continue
        elif mapping.source is not None:
            continue  # after its source table
        else:
            pairs, missing = resolve(data_dir, mapping.files, mapping.sheets, table)
            if missing:
                report.not_found[table] = missing
        read[table] = [read_file(p, s, mapping.header_row) for p, s in pairs]
        for src in read[table]:
            sr, cols = _check_source(src, table, mapping, Path(profile_path).name)
            report.sources.append(sr)
            present.setdefault(table, set()).update(cols)
    for table, mapping in profile.tables.items():
        if mapping.source is None or mapping.source not in read:
            continue
        for src in read[mapping.source]:
            sr, cols = _check_source(src, table, mapping, Path(profile_path).name)
            report.sources.append(sr)
            present.setdefault(table, set()).update(cols)
    _orphans(report)
    # a file read by two tables (a wide export): a header is unmapped only if neither maps it
    by_label: dict[str, list[SourceReport]] = {}
    for sr in report.sources:
        by_label.setdefault(sr.label, []).append(sr)
    for group in by_label.values():
        if len(group) > 1:
            used = {h for sr in group for h in (*sr.mapped, *sr.ignored)}
            for sr in group:
                sr.unmapped = [h for h in sr.unmapped if h not in used]
    report.present = {t: sorted(c) for t, c in present.items()}
    registry = load_all()
    selection = packs_mod.select(packs or [])
    for cid in selection.checks:
        c = registry[cid]
        for table, columns in c.requires.items():
            if table not in present:
                why = f"no {table} table is read"
                report.not_evaluated.append({"check_id": c.id, "title": c.title, "reason": why, "table": table,
                                             "columns": []})
                break
            absent = [col for col in columns if col not in present[table]]
            if absent:
                report.not_evaluated.append({"check_id": c.id, "title": c.title, "table": table, "columns": absent,
                                             "reason": f"column(s) {', '.join(absent)} of {table} not mapped"})
                break
    return report


def render_text(r: CheckReport) -> str:
    lines = [f"Mapping profile {r.profile} ({r.profile_file})"]
    for table, what in r.not_found.items():
        lines.append(f"  {table}: NOT FOUND in the folder: {', '.join(what)} (check files/sheets in the profile)")
    for s in r.sources:
        lines.append("")
        taken = f", taken from {s.taken_from}" if s.taken_from else ""
        lines.append(f"{s.label} -> {s.table} ({s.rows} row(s){taken})")
        lines.append(f"  mapped ({len(s.mapped)}): " + ", ".join(f"{h} -> {c}" if h != c else c
                                                                   for h, c in s.mapped.items()))
        if s.ignored:
            lines.append(f"  ignored on purpose ({len(s.ignored)}): {', '.join(s.ignored)}")
        if s.unmapped:
            lines.append(f"  UNMAPPED columns ({len(s.unmapped)}), not read: {', '.join(s.unmapped)}")
        if s.absent:
            lines.append(f"  named in the profile but not in this file: {', '.join(s.absent)}")
        if s.missing_required:
            lines.append(f"  REQUIRED column(s) missing: {', '.join(s.missing_required)} (map a column or set a "
                         f"constant under [tables.{s.table}.constants])")
        for p in s.problems:
            value = f'value "{p.value}": ' if p.value is not None else ""
            at = f" (rows {', '.join(str(x) for x in p.first_rows)}{' ...' if p.rows > len(p.first_rows) else ''})"
            lines.append(f"  {p.rows} row(s): {p.header} -> {p.column}: {value}{p.what}{at}")
        for n in s.notes:
            lines.append(f"  note: {n}")
    lines.append("")
    if r.not_evaluated:
        lines.append(f"{len(r.not_evaluated)} check(s) will be NOT EVALUATED for lack of a table or column:")
        for ne in r.not_evaluated:
            lines.append(f"  {ne['check_id']}: {ne['reason']} ({ne['title']})")
    else:
        lines.append("Every check of the selected packs has the columns it needs.")
    lines.append("")
    blocking = r.blocking
    if blocking:
        lines.append("NOT READY: fix these before ingesting (or accept that the rows named above are quarantined):")
        lines += [f"  - {b}" for b in blocking]
    else:
        lines.append("Ready: `auditor run --data DIR --mapping PROFILE ...` will read every row with this profile.")
    return "\n".join(lines)


def counts(r: CheckReport) -> Counter:
    """Rows per table that the mapping or the contract would quarantine (for summaries)."""
    out: Counter = Counter()
    for s in r.sources:
        out[s.table] += s.rows_blocked
    return out

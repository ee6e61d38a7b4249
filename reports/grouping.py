"""Findings grouped for a page that has too many to list (issue 21 item 1).

A page with more findings than ``--page-findings`` shows one row per check x Party x provider
x message template, with the count, how many are waived and up to :data:`EXAMPLES` example
requests, instead of listing findings one by one; every finding stays in findings.csv and
findings.json. A message template is the finding's message with its request id, its record id
and every number masked, so "Request R1 (FR → US) was answered 705.0 hours after receipt" and
the same message for another request and another delay make one group.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from . import aggregate

#: example requests shown per group
EXAMPLES = 5
#: a number that varies between findings (a count, delay, date or time); not an article or
#: paragraph number ("Art. 8(13)", "(7(3)(d))"). The leading ``(?=\d)`` changes no match: it lets
#: the engine leave a position that holds no digit before trying the two lookbehinds there
#: (a million messages: 2.4 -> 1.4 s)
_NUMBER = re.compile(r"(?=\d)(?<!Art\. )(?<![(\w.,:])\d+(?:[.,:]\d+)*(?![\w)])")


def message_template(message: str, request_id: str = "", record_id: str | None = None,
                     numbered: dict[str, str] | None = None) -> str:
    """``message`` with ``request_id`` -> ``{request}``, ``record_id`` -> ``{record}`` and each
    number (dates, times, counts, decimals; not article numbers) -> ``#``. ``numbered``: a dict
    remembering the last step's result per text (the bench's million messy findings are
    about 45,000 texts once their ids are replaced: the pattern runs once per text; at most
    :data:`NUMBERED_MAX` texts are remembered)."""
    text = str(message or "")
    if record_id:
        text = text.replace(str(record_id), "{record}")
    if request_id:
        text = text.replace(str(request_id), "{request}")
    if numbered is None:
        return _NUMBER.sub("#", text)
    done = numbered.get(text)
    if done is None:
        done = _NUMBER.sub("#", text)
        if len(numbered) < NUMBERED_MAX:
            numbered[text] = done
    return done


#: texts :func:`message_template` remembers in one rendering (``numbered``)
NUMBERED_MAX = 200_000


class Templates:
    """Message templates and group keys of the findings of one rendering, computed once: a finding
    is grouped on the index, its Party's, its provider's and its check's page. Given the
    rendering's records (``universe``, a callable returning the shared list), a page's findings
    are found in them by identity and grouped with numpy; findings not among them (a caller's own
    list) are grouped on their own. Equal templates share one string."""

    def __init__(self, localise: Callable[[dict], str] | None = None,
                 universe: Callable[[], list[dict]] | None = None) -> None:
        #: the message as the page shows it (a French page: the translated message); default: as stored
        self._localise = localise or (lambda f: f.get("message") or "")
        self._universe = universe
        self._table: _Table | None = None
        self._strings: dict[str, str] = {}
        self._numbered: dict[str, str] = {}  # message_template's pattern results, per text

    def of(self, f: dict) -> str:
        text = message_template(self._localise(f), f.get("request_id") or "", f.get("record_id"), self._numbered)
        return self._strings.setdefault(text, text)

    def locate(self, findings: list[dict]) -> tuple[_Table, np.ndarray]:
        """(the table ``findings`` are rows of, their row positions in it, in order)."""
        if self._universe is not None:
            if self._table is None:
                universe = self._universe()
                known = aggregate.columns_of(universe, "check_id", "party", "provider", "request_id", "severity")
                self._table = _Table(universe, self, known[0] if known is not None else None)
            known = aggregate._rows(findings)  # a shared list of the run's records: its rows are known
            if known is not None and known[0].records is self._table.records:
                return self._table, known[1]
            try:
                return self._table, self._table.positions(findings)
            except KeyError:  # a finding that is not one of the rendering's records
                pass
        return _Table(findings, self), np.arange(len(findings), dtype=np.int64)


class _Table:
    """Columns of a list of findings for grouping: the group (check x Party x provider x message
    template) of each, its severity rank, waiver and request, as numpy arrays by row."""

    def __init__(self, records: list[dict], templates: Templates, cols: Any = None) -> None:
        self.records = records  # held: the ids below stay those of live objects
        self._pos: dict[int, int] | None = None
        if cols is not None and self._from_columns(cols, templates):  # the run's records: their columns
            return  # (aggregate._Columns) give all but the templates
        keys: dict[tuple, int] = {}
        self.keys: list[tuple[str, str, str, str]] = []
        requests: dict[Any, int] = {}
        n = len(records)
        group = np.empty(n, dtype=np.int64)
        request = np.empty(n, dtype=np.int64)
        of, rank = templates.of, aggregate._severity_rank
        for i, f in enumerate(records):
            key = (f["check_id"], f["party"], f["provider"], of(f))
            g = keys.get(key)
            if g is None:
                g = keys[key] = len(self.keys)
                self.keys.append(key)
            group[i] = g
            request[i] = requests.setdefault(f["request_id"], len(requests))
        self.group, self.request = group, request
        self.rank = np.fromiter((rank(f.get("severity") or "") for f in records), dtype=np.int64, count=n)
        self.waived = np.fromiter((bool(f.get("waived")) for f in records), dtype=bool, count=n)

    def _from_columns(self, cols: Any, templates: Templates) -> bool:
        """The columns from ``cols``; False (nothing set) when the group keys would not fit one
        64-bit code (a million distinct providers and templates, say): the dicts are read then."""
        of, rank = templates.of, aggregate._severity_rank
        (check, checks), (party, parties), (provider, providers) = (cols.codes(k) for k in ("check_id", "party", "provider"))
        if len(checks) * len(parties) * len(providers) * max(len(self.records), 1) >= 1 << 62:
            return False
        texts: dict[str, int] = {}
        template = np.fromiter((texts.setdefault(of(f), len(texts)) for f in self.records), dtype=np.int64,
                               count=len(self.records))
        combined = ((check.astype(np.int64) * len(parties) + party) * len(providers) + provider) * len(texts) + template
        distinct, self.group = np.unique(combined, return_inverse=True)
        self.group = self.group.ravel().astype(np.int64)
        names = list(texts)
        self.keys = []
        for code in distinct.tolist():
            rest, t = divmod(code, len(texts))
            rest, v = divmod(rest, len(providers))
            c, p = divmod(rest, len(parties))
            self.keys.append((checks[c], parties[p], providers[v], names[t]))
        self.request = cols.codes("request_id")[0].astype(np.int64)
        severity, severities = cols.codes("severity")
        self.rank = np.array([rank(v or "") for v in severities], dtype=np.int64)[severity]
        self.waived = cols.mask("waived")
        return True

    def positions(self, findings: list[dict]) -> np.ndarray:
        """Row positions of ``findings`` (KeyError: one is not a row of this table)."""
        if findings is self.records:
            return np.arange(len(findings), dtype=np.int64)
        if self._pos is None:
            self._pos = {id(f): i for i, f in enumerate(self.records)}
        return np.fromiter(map(self._pos.__getitem__, map(id, findings)), dtype=np.int64, count=len(findings))


def finding_groups(findings: list[dict], titles: dict[str, str], templates: Templates | None = None) -> list[dict]:
    """One row per check x Party x provider x message template of ``findings``: its count,
    waived count, most severe severity and up to :data:`EXAMPLES` distinct example request ids
    (in the findings' order); most severe first, then most findings, then check, Party,
    provider and template. The fields of a group (family, article, kind...) are its first
    finding's; its severity the first most severe."""
    templates = templates or Templates()
    if not findings:
        return []
    table, pos = templates.locate(findings)
    records = table.records
    # the page's groups, numbered in order of first appearance on the page
    keys, first, inv = np.unique(table.group[pos], return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    renumber = np.empty(len(keys), dtype=np.int64)
    renumber[order] = np.arange(len(keys))
    inv, first = renumber[inv.ravel()], first[order]
    sizes = np.bincount(inv, minlength=len(first))
    waived = np.bincount(inv, weights=table.waived[pos], minlength=len(first)).astype(np.int64)
    # severity: the first of the most severe findings of each group
    at = np.arange(len(pos))
    by_rank = np.lexsort((at, table.rank[pos], inv))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    severe = by_rank[starts]
    # examples: the first EXAMPLES distinct requests of each group, in the findings' order
    _, seen = np.unique(inv * (int(table.request.max()) + 1) + table.request[pos], return_index=True)
    seen.sort()
    seen_group = inv[seen]
    by_group = np.argsort(seen_group, kind="stable")  # group by group, each in the findings' order
    group_start = np.concatenate(([0], np.cumsum(np.bincount(seen_group, minlength=len(first)))[:-1]))
    nth = np.arange(len(seen)) - group_start[seen_group[by_group]]  # 0, 1, 2... within its group
    examples: list[list[str]] = [[] for _ in range(len(first))]
    for i in seen[by_group[nth < EXAMPLES]]:
        examples[inv[i]].append(records[pos[i]]["request_id"])
    rows = []
    for g, (i, s) in enumerate(zip(first.tolist(), severe.tolist(), strict=True)):
        f = records[pos[i]]
        check_id, party, provider, template = table.keys[table.group[pos[i]]]
        severity = records[pos[s]].get("severity") or ""
        rows.append({
            "check_id": check_id, "title": titles.get(check_id, ""),
            "severity": severity, "family": f.get("family") or "",
            "article": f.get("article") or "", "instrument": f.get("instrument") or "",
            "party": party, "provider": provider, "kind": f.get("kind") or "breach",
            "template": template, "count": int(sizes[g]), "waived": int(waived[g]), "examples": examples[g],
            "sev_rank": aggregate._severity_rank(severity),
        })
    rows.sort(key=lambda g: (g["sev_rank"], -g["count"], aggregate.natural_key(g["check_id"]), g["party"],
                             g["provider"], g["template"]))
    return rows

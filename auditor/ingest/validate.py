"""Validation of the canonical frame with a great-expectations 1.x suite per table.

The suite is built from the contract in ``schema.py``: required columns present and not null,
enumerations, ISO Party codes, booleans, category sets, timestamps, numbers, id uniqueness, and
references from disclosures/custody events to an existing request. Each failing row of each
expectation becomes a ``Defect`` (row index, column, reason); the pipeline quarantines those rows.

great-expectations is imported here, lazily, never on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from auditor import iso
from auditor.ingest.normalise import CANON_TS_REGEX, FLOAT_REGEX, INT_REGEX
from auditor.ingest.schema import PROVIDER_INSTRUMENTS, TableSpec


@dataclass(frozen=True)
class Defect:
    index: int
    column: str
    reason: str


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import great_expectations as gx  # noqa: PLC0415  (heavy: ~4 s)

    return gx


_CONTEXT: Any = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        gx = _gx()
        _CONTEXT = gx.get_context(mode="ephemeral")
        from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: PLC0415

        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
        _CONTEXT.data_sources.add_pandas("auditor")
    return _CONTEXT


def build_suite(spec: TableSpec, parent_ids: pd.Series | None = None):
    """The expectation suite for a table, each expectation tagged with the column and reason kind."""
    gx = _gx()
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"auditor.{spec.name}")

    def add(exp, kind: str, column: str) -> None:
        exp.meta = {"auditor_kind": kind, "auditor_column": column}
        suite.add_expectation(exp)

    for col in spec.columns:
        name = col.name
        if col.required:
            add(E.ExpectColumnValuesToNotBeNull(column=name), "required", name)
        if col.personal:
            continue
        if col.kind == "enum":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=list(col.values)), "enum", name)
        elif col.kind == "party":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=sorted(iso.codes())), "party", name)
        elif col.kind == "bool":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=["true", "false"]), "bool", name)
        elif col.kind == "set":
            alt = "|".join(re.escape(v) for v in col.values)
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=f"^(?:{alt})(?:;(?:{alt}))*$"), "set", name)
        elif col.kind == "timestamp":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=CANON_TS_REGEX), "timestamp", name)
        elif col.kind == "int":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=INT_REGEX), "int", name)
        elif col.kind == "float":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=FLOAT_REGEX), "float", name)
    add(E.ExpectColumnValuesToBeUnique(column=spec.id_column), "unique", spec.id_column)
    if spec.name == "requests":
        cond = "instrument.isin([" + ",".join(f'"{i}"' for i in PROVIDER_INSTRUMENTS) + "])"
        add(
            E.ExpectColumnValuesToNotBeNull(column="provider", row_condition=cond, condition_parser="pandas"),
            "provider_required",
            "provider",
        )
    if spec.parent and parent_ids is not None:
        column, _parent = spec.parent
        add(
            E.ExpectColumnValuesToBeInSet(column=column, value_set=list(pd.unique(parent_ids.dropna()))),
            "parent",
            column,
        )
    return suite


def _reason(kind: str, spec: TableSpec, column: str, value: Any, personal: bool) -> str:
    shown = "value" if personal else repr(str(value)) if value is not None and value is not pd.NA else "value"
    col = spec.column(column)
    if kind == "required":
        return f"required value missing in {column}"
    if kind == "enum":
        return f"{shown} is not one of: {', '.join(col.values)}"
    if kind == "party":
        return f"{shown} is not an ISO 3166-1 alpha-2 code or a known country name"
    if kind == "bool":
        return f"{shown} is not a boolean (true/false, 1/0, yes/no; empty for unknown)"
    if kind == "set":
        return f"{shown} holds a value outside the categories {', '.join(col.values)} (separate with ';')"
    if kind == "timestamp":
        return f"{shown} is not an ISO 8601 timestamp with Z or an offset, nor a bare date (YYYY-MM-DD)"
    if kind == "int":
        return f"{shown} is not a whole number"
    if kind == "float":
        return f"{shown} is not a number"
    if kind == "unique":
        return f"{column} {shown} appears on more than one row of this file; ids must be unique"
    if kind == "provider_required":
        return "provider is required for instruments " + ", ".join(PROVIDER_INSTRUMENTS)
    if kind == "parent":
        return f"{column} {shown} does not match a stored request (it may be missing or quarantined)"
    return kind


def validate(canon: pd.DataFrame, spec: TableSpec, parent_ids: pd.Series | None = None) -> list[Defect]:
    """Run the table's suite on its canonical frame; every unexpected row becomes a Defect."""
    if canon.empty:
        return []
    ctx = _context()
    source = ctx.data_sources.get("auditor")
    asset_name = f"{spec.name}"
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch_def = asset.get_batch_definition("all")
    except (KeyError, LookupError, ValueError):
        batch_def = asset.add_batch_definition_whole_dataframe("all")
    frame = canon.astype(object).where(canon.notna(), None)
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    suite = build_suite(spec, parent_ids)
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    defects: list[Defect] = []
    for r in result.results:
        if r.success:
            continue
        meta = r.expectation_config.meta or {}
        kind = meta.get("auditor_kind", r.expectation_config.type)
        column = meta.get("auditor_column", r.expectation_config.kwargs.get("column", ""))
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"validation of {spec.name}.{column} failed inside great-expectations: "
                f"{r.exception_info.get('exception_message')}"
            )
        personal = spec.column(column).personal
        idx = r.result.get("unexpected_index_list") or []
        values = canon[column].reindex(idx) if idx else pd.Series(dtype="string")
        for i in idx:
            v = values.get(i)
            defects.append(Defect(int(i), column, _reason(kind, spec, column, v, personal)))
    return defects

"""`auditor transparency import|show|check` and `auditor reconcile` (issue 6).

Heavy imports (pandas, matplotlib) stay inside the command bodies so ``auditor --help`` is fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from auditor.clikit import EXIT_FINDINGS, EXIT_OK, _guard, _quiet, db_option
from auditor.textsafe import json_for_terminal, printable, write_csv

PROVIDER_CHOICES = ("google", "apple", "microsoft", "github", "hongkong", "hongkong-government")


def _json_default(o: object) -> object:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)


def _clean(frame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def _table(records: list[dict], columns: list[str]) -> str:
    if not records:
        return "(no rows)"
    cells = [
        [
            ("" if r.get(c) is None else (f"{r[c]:g}" if isinstance(r[c], float) else printable(r[c])))
            for c in columns
        ]
        for r in records
    ]
    widths = [min(60, max(len(c), *(len(row[i]) for row in cells))) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


@click.group()
def transparency() -> None:
    """Import providers' transparency reports, show them, and check their consistency."""


@transparency.command("import")
@click.option(
    "--provider",
    required=True,
    type=click.Choice(PROVIDER_CHOICES, case_sensitive=False),
    help="Whose layout the file has (hongkong = providers' Hong Kong figures; "
    "hongkong-government = the Hong Kong government's register).",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@_guard
def import_cmd(provider, files, fmt, db_url):
    """Read published FILES into the normalised transparency table (re-importing a file
    replaces it)."""
    from auditor.store import db  # noqa: PLC0415
    from auditor.transparency.consistency import check  # noqa: PLC0415
    from auditor.transparency.store import import_file, load_rows  # noqa: PLC0415

    engine = db.get_engine(db_url)
    results = [import_file(engine, f, provider) for f in files]
    names = {r.source_file for r in results}
    rows = load_rows(engine)
    findings = check(rows[rows["source_file"].isin(names)])
    if fmt == "json":
        click.echo(
            json.dumps(
                {"imports": [r.as_dict() for r in results], "findings": _clean(findings)},
                indent=2,
                default=_json_default,
            )
        )
        return
    if _quiet():
        return
    for r in results:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(r.reasons.items())) or "none"
        click.echo(printable(
            f"{r.source_file} [{r.adapter}]: {r.rows_read} row(s) read, {r.rows_stored} stored "
            f"({r.values_stored} figures, {r.unknown_values} explicit unknowns), {r.quarantined} "
            f"quarantined ({reasons})"
        ))
    click.echo(
        f"{len(findings)} consistency finding(s); list them with `auditor transparency check`"
    )


SHOW_COLUMNS = [
    "provider",
    "party",
    "period",
    "process_published",
    "process",
    "metric",
    "value",
    "low",
    "high",
    "unknown_reason",
    "source_file",
    "source_row",
]


@transparency.command("show")
@click.option("--provider", required=True, help="Provider name (as imported, e.g. microsoft).")
@click.option("--party", default=None, metavar="XX", help="ISO code of the requesting Party.")
@click.option(
    "--period", default=None, metavar="2025-H1", help="Period label (2025-H1, or a year)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@_guard
def show(provider, party, period, fmt, db_url):
    """Print the normalised rows: one per provider, Party, period, process and metric."""
    from auditor.store import db  # noqa: PLC0415
    from auditor.transparency.store import load_rows  # noqa: PLC0415

    engine = db.get_engine(db_url)
    rows = load_rows(engine, provider=provider, party=party, period=period)
    keep = [
        *SHOW_COLUMNS,
        "period_start",
        "period_end",
        "country_label",
        "published_metric",
        "is_total",
        "note",
        "side",
        "authority",
    ]
    records = _clean(rows[keep]) if len(rows) else []
    if fmt == "json":
        click.echo(json_for_terminal(json.dumps(records, indent=2, default=_json_default, ensure_ascii=False)))
    else:
        click.echo(_table(records, SHOW_COLUMNS))


@transparency.command("check")
@click.option("--provider", default=None, help="Only this provider's imported files.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@_guard
def check_cmd(provider, fmt, db_url):
    """Consistency checks on the imported reports (family transparency); exit 1 when any is
    found."""
    from auditor.store import db  # noqa: PLC0415
    from auditor.transparency import consistency  # noqa: PLC0415
    from auditor.transparency.consistency import check  # noqa: PLC0415
    from auditor.transparency.store import load_rows  # noqa: PLC0415

    engine = db.get_engine(db_url)
    findings = check(load_rows(engine, provider=provider))
    records = _clean(findings)
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, default=_json_default))
    else:
        click.echo(
            _table(records, [c for c in consistency.FINDING_COLUMNS if c != "family"])
        )
    sys.exit(EXIT_FINDINGS if records else EXIT_OK)


@transparency.command("quarantine")
@click.option("--provider", default=None, help="Only this provider's rows.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@_guard
def quarantine_cmd(provider, fmt, db_url):
    """Source rows that were not imported, with the reason (file and row cited)."""
    from auditor.store import db  # noqa: PLC0415
    from auditor.transparency.store import load_quarantine  # noqa: PLC0415

    q = load_quarantine(db.get_engine(db_url), provider)
    cols = ["provider", "source_file", "source_row", "reason", "detail"]
    records = _clean(q[cols]) if len(q) else []
    if fmt == "json":
        click.echo(json_for_terminal(json.dumps(records, indent=2, default=_json_default, ensure_ascii=False)))
    else:
        click.echo(_table(records, cols))




@click.command()
@click.option(
    "--party", required=True, metavar="XX", help="ISO code of the Party whose log is reconciled."
)
@click.option("--provider", default=None, help="Provider (default: every imported provider).")
@click.option(
    "--log-provider",
    default=None,
    metavar="NAME",
    help="The provider's name in the Party log when it differs from the published name.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write reconciliation.json, reconciliation.csv and reconciliation.png here.",
)
@db_option
@_guard
def reconcile(party, provider, log_provider, fmt, out_dir, db_url):
    """Party's logged counts against the provider's published counts, per period: consistent,
    under_logged, over_logged or not_comparable, with the numbers behind each cell."""
    from auditor import iso  # noqa: PLC0415
    from auditor.errors import UsageError  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415
    from auditor.transparency import reconcile as rec  # noqa: PLC0415
    from auditor.transparency.store import has_data  # noqa: PLC0415

    code = iso.normalise(party)
    if code is None:
        raise UsageError(f"--party {party!r} is not an ISO 3166-1 code or country name")
    engine = db.get_engine(db_url)
    if not has_data(engine):
        raise UsageError(
            "no transparency report imported in this database",
            hint="run `auditor transparency import --provider P FILE` first",
        )
    cells = rec.reconcile(engine, code, provider, log_provider)
    if cells.empty:
        click.echo(
            f"Note: nothing to reconcile for {code}: no request of {code} in the log matches an "
            "imported provider's periods, and no register of its own was imported.",
            err=True,
        )
    records = _clean(cells)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "reconciliation.json").write_text(
            json.dumps(records, indent=2, default=_json_default)
        )
        write_csv(cells, out_dir / "reconciliation.csv")  # formulas neutralised (auditor.textsafe)
        if len(cells):
            rec.chart(cells, out_dir / "reconciliation.png", f"{code} x {provider or 'providers'}")
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, default=_json_default))
    else:
        click.echo(_table(records, list(rec.REPORT_KEYS)))
        counts = cells["status"].value_counts().to_dict() if len(cells) else {}
        click.echo(", ".join(f"{s}: {counts.get(s, 0)}" for s in rec.STATUSES))

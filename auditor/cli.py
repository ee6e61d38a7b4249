"""Command line: parse options, call the library, map typed errors to exit codes.

Exit codes: 0 success (no finding at or above --fail-on), 1 findings at or above --fail-on,
2 usage error, 3 input error (nothing audited), 4 internal error.
Heavy imports (pandas, great-expectations, matplotlib) happen inside commands, so
``auditor --help`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4
SEVERITIES = ("info", "low", "medium", "high", "critical")
FORMATS = ("html", "md", "json", "csv")
EPILOG = (
    "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error, "
    "3 input error (nothing audited), 4 internal error."
)

db_option = click.option(
    "--db", "db_url", envvar="AUDITOR_DB_URL", default=None, metavar="URL",
    help="SQLAlchemy database URL [env AUDITOR_DB_URL; default sqlite:///auditor.db in the working folder].",
)
pack_option = click.option("--pack", default="cets224", show_default=True, help="Rule pack name or path to a pack .toml.")
as_of_option = click.option("--as-of", "as_of", default=None, metavar="DATE",
                            help="Audit date (YYYY-MM-DD, UTC). Default: today.")
param_option = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                            help="Override a pack parameter for this audit (repeatable).")
fail_on_option = click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                              help="Exit 1 when a finding has this severity or higher.")
format_option = click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
                             help="Report formats (repeatable). Default: html, md, json, csv.")


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


def _guard(func):
    """Turn typed library errors into 'Error: ...' on stderr and a documented exit code."""

    def wrapper(*args, **kwargs):
        from auditor.errors import AuditorError  # noqa: PLC0415

        try:
            return func(*args, **kwargs)
        except AuditorError as exc:
            _echo_err(f"Error: {exc.message}")
            if exc.hint:
                _echo_err(f"  Fix: {exc.hint}")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001
            _echo_err(f"Internal error: {type(exc).__name__}: {exc}")
            _echo_err("  This is a bug in auditor; please report it with the command you ran.")
            if os.environ.get("AUDITOR_DEBUG"):
                raise
            sys.exit(EXIT_INTERNAL)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    from auditor.errors import UsageError  # noqa: PLC0415

    out = {}
    for p in params:
        if "=" not in p:
            raise UsageError(f"--param {p!r} is not NAME=VALUE")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _print_ingest(result) -> None:
    click.echo(f"Ingest {result.ingest_id} from {result.data_dir}")
    click.echo(f"  {'table':<15} {'read':>8} {'stored':>8} {'unchanged':>10} {'quarantined':>12}")
    for c in result.counts:
        click.echo(f"  {c.table:<15} {c.read:>8} {c.stored:>8} {c.unchanged:>10} {c.quarantined:>12}")
    if len(result.quarantine):
        click.echo(f"  {len(result.quarantine)} defect(s) on {sum(c.quarantined for c in result.counts)} "
                   "quarantined row(s); see quarantine.csv or `auditor quarantine`")


def _print_audit(res) -> None:
    run = res.run
    o = run.summary["outcomes"]
    click.echo(f"Audit {run.run_id}: pack {run.pack} {run.pack_version}, as of {run.as_of:%Y-%m-%d}")
    click.echo(f"  checks: {o['pass']} pass, {o['fail']} fail, {o['not_evaluated']} not evaluated, {o['error']} error")
    f = res.output.findings
    if len(f):
        counts = f["severity"].value_counts()
        sev = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts)
        click.echo(f"  findings: {len(f)} ({sev})")
    else:
        click.echo("  findings: none")
    for r in res.output.runs:
        if r.outcome == "error":
            click.echo(f"  ERROR in {r.check.id}: {r.reason}")


def _exit_for(findings, fail_on: str | None) -> int:
    if not fail_on or findings.empty:
        return EXIT_OK
    threshold = SEVERITIES.index(fail_on)
    hit = findings["severity"].map(SEVERITIES.index) >= threshold
    return EXIT_FINDINGS if bool(hit.any()) else EXIT_OK


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="auditor")
def main() -> None:
    """Audit cross-border e-evidence logs against the data-protection safeguards of
    CETS 224 (Second Additional Protocol) and Regulation (EU) 2023/1543."""


@main.command(epilog=EPILOG)
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path), help="Folder with requests.csv etc.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder for the reports.")
@db_option
@as_of_option
@pack_option
@param_option
@format_option
@fail_on_option
@_guard
def run(data_dir, out_dir, db_url, as_of, pack, params, formats, fail_on):
    """Ingest, validate, store, audit and report in one go."""
    from auditor import audit, privacy  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    overrides = _parse_params(params)
    when = audit.parse_as_of(as_of)
    audit_pack = audit.packs.load(pack).with_overrides(overrides)  # fail fast on a bad pack/param
    engine = db.get_engine(db_url)
    result = audit.ingest_data(data_dir, engine, privacy.load_key())
    _print_ingest(result)
    res = audit.audit_store(engine, audit_pack.path if Path(pack).suffix == ".toml" else pack, when, overrides)
    _print_audit(res)
    written = audit.render_run(engine, res.run.run_id, out_dir, tuple(formats) or FORMATS)
    audit.write_quarantine(result, out_dir)
    click.echo(f"Reports ({len(written) + 1} files) written to {Path(out_dir).resolve()}")
    click.echo(f"  open {Path(out_dir).resolve() / 'index.html'}")
    sys.exit(_exit_for(res.output.findings, fail_on))


@main.command(epilog=EPILOG)
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path))
@click.option("--quarantine-out", type=click.Path(path_type=Path), default=None,
              help="Also write the rejected rows to this CSV file.")
@db_option
@_guard
def ingest(data_dir, quarantine_out, db_url):
    """Validate a data folder and store it; rejected rows go to the quarantine table."""
    from auditor import audit, privacy  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    engine = db.get_engine(db_url)
    result = audit.ingest_data(data_dir, engine, privacy.load_key())
    _print_ingest(result)
    if quarantine_out:
        Path(quarantine_out).parent.mkdir(parents=True, exist_ok=True)
        result.quarantine.to_csv(quarantine_out, index=False)


@main.command("audit", epilog=EPILOG)
@db_option
@as_of_option
@pack_option
@param_option
@fail_on_option
@_guard
def audit_cmd(db_url, as_of, pack, params, fail_on):
    """Audit the stored data with a rule pack; prints the run id."""
    from auditor import audit  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    overrides = _parse_params(params)
    when = audit.parse_as_of(as_of)
    engine = db.get_engine(db_url)
    res = audit.audit_store(engine, pack, when, overrides)
    _print_audit(res)
    click.echo(f"Run id: {res.run.run_id}")
    sys.exit(_exit_for(res.output.findings, fail_on))


@main.command(epilog=EPILOG)
@click.option("--run", "run_id", default="latest", show_default=True, help="Run id, or 'latest'.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path))
@format_option
@db_option
@_guard
def report(run_id, out_dir, formats, db_url):
    """Render the reports of a stored audit run."""
    from auditor import audit  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    engine = db.get_engine(db_url)
    written = audit.render_run(engine, run_id, out_dir, tuple(formats) or FORMATS)
    click.echo(f"Reports ({len(written)} files) written to {Path(out_dir).resolve()}")


@main.command()
@db_option
@_guard
def runs(db_url):
    """List stored audit runs."""
    from auditor.store import db  # noqa: PLC0415

    engine = db.get_engine(db_url)
    for r in db.list_runs(engine):
        o = (r.summary or {}).get("outcomes", {})
        click.echo(f"{r.run_id}  {r.status:<8} as_of {r.as_of:%Y-%m-%d}  {r.pack} {r.pack_version}  "
                   f"findings {(r.summary or {}).get('findings', 0)}  fail {o.get('fail', 0)}")


@main.group()
def checks() -> None:
    """Inspect the registered checks."""


@checks.command("list")
@click.option("--pack", default=None, help="Only the checks of this pack.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_guard
def checks_list(pack, fmt):
    """List checks with their family, citation and severity."""
    from auditor.engine import packs  # noqa: PLC0415
    from auditor.engine.registry import load_all  # noqa: PLC0415

    registry = load_all()
    ids = list(packs.load(pack).checks) if pack else list(registry)
    rows = [registry[i] for i in ids]
    if fmt == "json":
        click.echo(json.dumps([
            {"id": c.id, "rule_id": c.rule_id, "title": c.title, "family": c.family, "instrument": c.instrument,
             "article": c.article, "severity": c.severity, "legal_basis_status": c.legal_basis_status,
             "requires": {t: list(cols) for t, cols in c.requires.items()}, "params": list(c.params),
             "profile_fields": list(c.profile_fields)} for c in rows], indent=2))
        return
    click.echo(f"{'id':<8} {'family':<16} {'severity':<9} {'status':<12} {'citation':<26} title")
    for c in rows:
        click.echo(f"{c.id:<8} {c.family:<16} {c.severity:<9} {c.legal_basis_status:<12} {c.citation:<26} {c.title}")


@main.command()
@click.argument("check_id")
@_guard
def explain(check_id):
    """Explain a check: what it requires, why, and how to fix a finding."""
    from auditor.engine.registry import get  # noqa: PLC0415

    c = get(check_id)
    click.echo(f"{c.id}: {c.title}")
    click.echo(f"  Legal basis : {c.citation} (rule {c.rule_id}; text status: {c.legal_basis_status})")
    click.echo(f"  Family      : {c.family}    Severity: {c.severity}")
    click.echo(f"  Applies to  : {c.applies_to}")
    click.echo("  Requires    : " + "; ".join(f"{t}: {', '.join(cols)}" for t, cols in c.requires.items()))
    if c.params:
        click.echo(f"  Parameters  : {', '.join(c.params)} (rule pack)")
    if c.profile_fields:
        click.echo(f"  Party profile: {', '.join(c.profile_fields)}")
    click.echo("\nWhy it matters\n  " + c.rationale)
    click.echo("\nRemediation\n  " + c.remediation)
    if c.legal_basis_status == "UNCONFIRMED":
        click.echo("\nNote: the legal text behind this check is UNCONFIRMED in the project's legal reference; "
                   "its numbers live in the rule pack so they can be corrected without a code change.")


@main.command()
@db_option
@click.option("--limit", default=50, show_default=True)
@_guard
def quarantine(db_url, limit):
    """Show quarantined rows (file, row, column, reason)."""
    from auditor.store import db, models  # noqa: PLC0415

    engine = db.get_engine(db_url)
    q = db.read_sql_frame(engine, models.QuarantineRow)
    click.echo(f"{len(q)} quarantined defect(s)")
    for rec in q.head(limit).itertuples():
        click.echo(f"{rec.file}:{rec.row} [{rec.column_name or '-'}] {rec.reason}")


if __name__ == "__main__":  # pragma: no cover
    main()

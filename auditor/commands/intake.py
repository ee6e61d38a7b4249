"""`auditor intake suggest|check` (issue 23): draft a mapping profile for an authority's own
export, and see what a profile does to it before anything is stored.

Heavy imports (pandas, the spreadsheet reader) stay inside the command bodies so ``auditor
--help`` is fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from auditor.clikit import EXIT_FINDINGS, EXIT_OK, _guard, _quiet, _say


def _from_config(name: str) -> bool:
    """The option's value came from the config file: a config's ``out`` is the reports folder and
    its ``format`` the report formats, not this command's draft file or output format."""
    source = click.get_current_context().get_parameter_source(name)
    return source == click.core.ParameterSource.DEFAULT_MAP


@click.group()
def intake() -> None:
    """Map an export in another layout (spreadsheets, other headers and vocabularies) to the
    input contract: draft a mapping profile, then check it before ingesting."""


@intake.command("suggest", epilog="Exit codes: 0 draft written, 2 usage error, 3 unreadable input.")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Folder with the export's files (CSV, .xlsx, .ods, Parquet, JSON Lines).")
@click.option("--out", "out_file", default=None, type=click.Path(path_type=Path), metavar="FILE",
              help="Write the draft profile here (default: print it).")
@click.option("--tz", default=None, metavar="ZONE",
              help="Time zone the export writes its local times in (IANA name, e.g. Europe/Paris). "
                   "Default: a guess from the headers' language, marked GUESS.")
@_guard
def suggest_cmd(data_dir, out_file, tz):
    """Write a draft mapping profile from the headers and distinct values of the files in DIR.
    Every match that is not exact is marked `# GUESS: confirm`; headers and values it cannot
    match are listed for you to map."""
    from auditor.errors import UsageError  # noqa: PLC0415
    from auditor.intake.suggest import suggest  # noqa: PLC0415

    if _from_config("out_file"):
        out_file = None
    if out_file is not None and out_file.is_dir():
        raise UsageError(f"--out {out_file} is a folder", hint="give a file name, e.g. --out mapping.toml")
    text, drafts, unplaced = suggest(data_dir, tz)
    if out_file is None:
        click.echo(text, nl=False)
        return
    out_file.write_text(text, encoding="utf-8")
    if _quiet():
        return
    _say(f"Draft mapping profile written to {out_file}")
    for d in drafts:
        guesses = sum(m.guess for m in d.columns.values())
        where = f"rows of {d.source_table} (wide)" if d.source_table else \
            ", ".join(dict.fromkeys(s.label for s in d.sources))
        _say(f"  {d.table}: {where}: {len(d.columns)} column(s) matched ({guesses} guessed), "
             f"{len(d.unmatched)} unmatched header(s)")
    for s in unplaced:
        _say(f"  {s.label}: its headers fit no table (not in the draft)")
    click.echo(f"Confirm every GUESS, then: auditor intake check --data {data_dir} --mapping {out_file}")


@intake.command("check", epilog="Exit codes: 0 ready, 1 something blocks (listed), 2 usage error or bad "
                "profile, 3 unreadable input.")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Folder with the export's files.")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The mapping profile (TOML) to check.")
@click.option("--pack", "pack", multiple=True, metavar="NAME|FILE.toml",
              help="Only the checks of these packs (repeatable). Default: every shipped pack.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guard
def check_cmd(data_dir, mapping_file, pack, fmt):
    """Show, per file and sheet, what the profile maps, leaves unmapped or cannot map (with
    counts), the required columns missing and the checks that will be NOT EVALUATED for lack of
    a column. Nothing is stored."""
    from auditor.intake.check import check, render_text  # noqa: PLC0415

    if _from_config("fmt"):
        fmt = "text"
    report = check(data_dir, mapping_file, list(pack))
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in render_text(report).splitlines():
            _say(line)
    sys.exit(EXIT_OK if report.ready else EXIT_FINDINGS)

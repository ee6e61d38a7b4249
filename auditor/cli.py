"""Command line: parse options, call the library, map typed errors to exit codes.

Exit codes: 0 success (no finding at or above --fail-on), 1 findings at or above --fail-on,
2 usage error, 3 input error (nothing audited), 4 internal error, 5 with --strict: a check not
evaluated or in error (and no finding at or above --fail-on). The reason for 1 and 5 is one line
on stderr. A reader that goes away (``auditor ... | head``) is not an error: the rest of the
output is dropped and the command finishes with its own exit code.
Heavy imports (pandas, great-expectations, matplotlib) happen inside commands, so
``auditor --help`` starts fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

if __name__ == "__main__":  # pragma: no cover
    # `python -m auditor.cli`: run the importable module. Executing this file as __main__ would
    # make a second copy of the command group beside the one the entry point registers.
    from auditor.cli import main as _main

    _main()

from auditor.clikit import (  # noqa: F401  (EXIT_* are part of this module's interface)
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    _ctx_obj,
    _echo_err,
    _guard,
    _quiet,
    _say,
    db_option,
)

SEVERITIES = ("info", "low", "medium", "high", "critical")
FORMATS = ("html", "md", "json", "csv", "pdf", "parquet")
DEFAULT_FORMATS = ("html", "md", "json", "csv")
EPILOG = (
    "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error, "
    "3 input error (nothing audited), 4 internal error, "
    "5 with --strict: a check not evaluated or in error."
)

pack_option = click.option(
    "--pack", "pack", multiple=True, metavar="NAME|FILE.toml",
    help="Rule pack to run (repeatable): cets224, eu2023_1543 or a pack .toml. Default: every shipped "
         "pack, so each request is judged by the rules of its own instrument.")
as_of_option = click.option("--as-of", "as_of", default=None, metavar="DATE",
                            help="Audit date (YYYY-MM-DD only, UTC). Default: today. Records dated after it "
                                 "are left out of the audit (counted).")


def period_options(func):
    """--from / --to: the audited period (issue dates, YYYY-MM-DD, both days included)."""
    func = click.option("--to", "date_to", default=None, metavar="DATE",
                        help="Audit the requests issued up to this day (YYYY-MM-DD). Default and "
                             "latest: the --as-of date.")(func)
    return click.option("--from", "date_from", default=None, metavar="DATE",
                        help="Audit the requests issued from this day (YYYY-MM-DD). Default: the first.")(func)
param_option = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                            help="Override a pack parameter for this audit (repeatable).")


def fail_on_option(func):
    """--fail-on SEVERITY and --fail-on-advisory."""
    func = click.option("--fail-on-advisory", "fail_on_advisory", is_flag=True, default=False,
                        help="Let advisory findings (the auditor's policy thresholds, not breaches of the "
                             "text) count for --fail-on too.")(func)
    return click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                        help="Exit 1 when a breach finding has this severity or higher (advisory "
                             "findings only with --fail-on-advisory).")(func)
strict_option = click.option(
    "--strict", is_flag=True, default=False,
    help="Exit 5 when a check was not evaluated (including: no applicable record in scope) or crashed, "
         "and no finding reached --fail-on: an incomplete audit is not a pass.")
format_option = click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
                             help="Report formats (repeatable): html, md, json, csv, pdf, parquet (findings.parquet). "
                                  "Default: html, md, json, csv.")


def publish_options(func):
    """--publish, --publish-threshold, --lang, --page-findings, --classification and --pdf-standard
    (reports)."""
    func = click.option("--pdf-standard", "pdf_standard", type=click.Choice(["pdf/ua-1", "pdf/a-3a"]),
                        default="pdf/ua-1", show_default=True,
                        help="Conformance of the PDFs (--format pdf): pdf/ua-1 (accessible) or pdf/a-3a (tagged "
                             "PDF/A-3 for archiving). A file declares one of them.")(func)
    func = click.option("--classification", default=None, metavar="TEXT",
                        help="Classification marking (e.g. OFFICIAL, RESTREINT) on the PDF cover, in every "
                             "PDF page's header and footer and in the HTML pages' header. Default: none.")(func)
    # the default is reports.PAGE_FINDINGS, not imported here: it would load pandas at start-up
    func = click.option("--page-findings", "page_findings", type=click.IntRange(min=0), default=10_000,
                        show_default=True, metavar="N",
                        help="Findings an HTML/PDF/Markdown page lists one by one; a page with more shows "
                             "them grouped by check, Party, provider and message, with counts and examples "
                             "(0: always list); a Party/provider JSON twin with more lists none and says where "
                             "they are. findings.json, findings.csv and findings.parquet list every finding.")(func)
    func = click.option("--compress-findings", "compress", type=click.Choice(["auto", "always", "never"]),
                        default="auto", show_default=True,
                        help="Write findings.json gzip-compressed as findings.json.gz: auto above 100,000 findings "
                             "(about 85 % of a big run's report folder; zcat findings.json.gz | jq), always, or "
                             "never. The notes in the pages and junit.xml name the file written.")(func)
    func = click.option("--sarif-detail", "sarif_detail", is_flag=True, default=False,
                        help="findings.sarif with one result per finding (default: one per check x Party x "
                             "provider, with a count and example requests).")(func)
    func = click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
                        help="Language of the reports' fixed text.")(func)
    func = click.option("--publish-threshold", "threshold", type=click.IntRange(min=1), default=5,
                        show_default=True, help="With --publish: counts from 1 to this minus 1 are withheld "
                                                "(shown <N), and further counts until none can be recomputed.")(func)
    return click.option("--publish", is_flag=True, default=False,
                        help="Write the published edition instead of the audit report: counts per Party, provider, "
                             "check and severity only, protected so that no withheld count can be recomputed; no "
                             "request ids, messages or row-level files.")(func)
def scale_options(func):
    """--engine / --scheduler / --chunk-size: partitioned audits (see docs/performance.md)."""
    func = click.option("--scheduler", default=None, metavar="ADDRESS",
                        help="dask scheduler address (tcp://host:8786) for --engine dask; default: a local cluster.")(func)
    func = click.option("--chunk-size", "chunk_size", type=click.IntRange(min=0), default=None, metavar="N",
                        help="Audit N requests at a time (memory bounded by N, not by the input size). "
                             "Default: 250000 when more than 500000 requests are stored; 0: all at once.")(func)
    return click.option("--engine", "engine_name", type=click.Choice(["pandas", "dask"]), default="pandas",
                        show_default=True, help="Where the checks run: this process, or a dask.distributed cluster.")(func)


mapping_option = click.option(
    "--mapping", "mapping_path", default=None, type=click.Path(path_type=Path), metavar="FILE.toml",
    help="Mapping profile: read an authority's own export (renamed columns, value maps, declared date "
         "formats, constants, .xlsx/.ods sheets) as the canonical contract; recorded with the ingest.")


def _profile(mapping_path: Path | None):
    """The mapping profile of --mapping (or ``mapping`` in the config file), validated before any
    work (a ProfileError is a usage error, exit 2)."""
    if mapping_path is None:
        return None
    from auditor.ingest.mapping import load_profile  # noqa: PLC0415

    return load_profile(mapping_path)


waivers_option = click.option("--waivers", "waivers_path", default=None, type=click.Path(path_type=Path),
                              metavar="FILE", help="Waivers and attestations file (TOML or YAML).")


class _PipeSafe:
    """A stdout/stderr that survives its reader going away (``auditor ... | head``): on EPIPE
    the stream is pointed at /dev/null, later output is dropped, and the command goes on to
    finish its work and exit with its own code, without "BrokenPipeError" noise."""

    def __init__(self, stream) -> None:  # noqa: ANN001
        self._stream = stream
        self._gone = False

    def write(self, data):  # noqa: ANN001, ANN201
        if self._gone:
            return len(data)
        try:
            return self._stream.write(data)
        except BrokenPipeError:
            self._drop()
            return len(data)

    def flush(self) -> None:
        if self._gone:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop()

    def _drop(self) -> None:
        self._gone = True
        try:  # so that the interpreter's last flush of the real stream writes nowhere, quietly
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self._stream.fileno())
            finally:
                os.close(null)
        except (OSError, ValueError, AttributeError):
            pass

    @property
    def buffer(self):  # noqa: ANN201
        inner = getattr(self._stream, "buffer", None)
        return None if inner is None else _PipeSafe(inner)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._stream, name)


def _pipe_safe_std_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _PipeSafe):
            setattr(sys, name, _PipeSafe(stream))


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
    _say(f"Ingest {result.ingest_id} from {result.data_dir}")
    click.echo(f"  {'table':<15} {'read':>8} {'added':>8} {'unchanged':>10} {'revised':>8} {'quarantined':>12}")
    for c in result.counts:
        skipped = "  unchanged, skipped" if getattr(c, "skipped", False) else ""  # same SHA-256 as last ingest
        click.echo(f"  {c.table:<15} {c.read:>8} {c.stored:>8} {c.unchanged:>10} {c.revised:>8} {c.quarantined:>12}"
                   f"{skipped}")
    for c in result.counts:
        if c.revised:
            shown = ", ".join(c.revised_ids[:10]) + (" …" if len(c.revised_ids) > 10 else "")
            _say(f"  {c.table}: {c.revised} revised row(s), earlier versions kept: {shown}")
    if len(result.quarantine):
        fresh = sum(c.quarantined for c in result.counts if not getattr(c, "skipped", False))
        click.echo(f"  {len(result.quarantine)} defect(s) on {fresh} "
                   "quarantined row(s); see quarantine.csv or `auditor quarantine`")


def _print_audit(res) -> None:
    run = res.run
    o = run.summary["outcomes"]
    packs = (run.params or {}).get("packs") or [{"name": run.pack, "version": run.pack_version}]
    shown = ", ".join(f"{p['name']} {p['version']}" for p in packs)
    _say(f"Audit {run.run_id}: pack{'s' if len(packs) > 1 else ''} {shown}, as of {run.as_of:%Y-%m-%d}")
    from auditor.engine.period import summary_line  # noqa: PLC0415

    period = summary_line((run.aggregates or {}).get("period") or {})
    if period:
        click.echo(f"  {period}")
    click.echo(f"  checks: {o['pass']} pass, {o['fail']} fail, {o.get('advisory', 0)} advisory only, "
               f"{o['not_evaluated']} not evaluated, {o['error']} error")
    f = res.output.findings
    advisory = f["kind"] == "advisory" if "kind" in f.columns else None
    breach = f[~advisory] if advisory is not None else f
    if len(breach):
        counts = breach["severity"].value_counts()
        sev = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts)
        click.echo(f"  findings: {len(breach)} ({sev})")
    else:
        click.echo("  findings: none")
    if advisory is not None and advisory.any():
        click.echo(f"  advisory: {int(advisory.sum())} (the auditor's policy thresholds, not breaches of the "
                   "text; not counted for --fail-on unless --fail-on-advisory)")
    if len(f):
        n_waived = int(f["waived"].sum()) if "waived" in f.columns else 0
        if n_waived:
            click.echo(f"  waived: {n_waived} finding(s) (shown as waived; they do not count for --fail-on)")
    outside = _outside(res)
    if outside:
        shown = ", ".join(f"{n} {i}" for i, n in sorted(outside.items()))
        _say(f"  outside the audited instruments (counted, not judged): {sum(outside.values())} "
             f"request(s): {shown}")
    for a in (res.run.params or {}).get("attestations", []):
        _say(f"  attestation {a['id']} {a['safeguard']}: {a['status']} (by {a['attested_by']}, "
             f"evidence {a['evidence']}, expires {a['expires']})")
    for r in res.output.runs:
        if r.outcome == "error":
            _say(f"  ERROR in {r.check.id}: {r.reason}")


def _outside(res) -> dict[str, int]:
    """Requests per instrument that no check of the run governs."""
    audited = set((res.run.params or {}).get("audited_instruments") or [])
    out: dict[str, int] = {}
    for row in (res.run.aggregates or {}).get("requests_by", []):
        inst = str(row.get("instrument") or "")
        if inst not in audited:
            out[inst or "(none)"] = out.get(inst or "(none)", 0) + int(row.get("requests") or 0)
    return out


def _crossing(findings, fail_on: str | None, advisory: bool = False):
    """The findings that fail the job: not waived, breach (or any kind with ``advisory``), at or
    above ``fail_on``."""
    if not fail_on or findings.empty:
        return findings.iloc[0:0]
    if "waived" in findings.columns:  # a waived finding is reported but does not fail the job
        findings = findings[~findings["waived"].astype(bool)]
    if not advisory and "kind" in findings.columns:  # the auditor's policy, not the text
        findings = findings[findings["kind"] != "advisory"]
    threshold = SEVERITIES.index(fail_on)
    return findings[findings["severity"].map(SEVERITIES.index) >= threshold]


def _few(ids: list[str], n: int = 10) -> str:
    return ", ".join(ids[:n]) + (f" and {len(ids) - n} more" if len(ids) > n else "")


def _verdict(output, fail_on: str | None, advisory: bool, strict: bool) -> tuple[int, list[str]]:
    """The exit code of an audit and the stderr line(s) that say why when it is not 0: exit 1
    when findings cross --fail-on, else exit 5 with --strict when a check was not evaluated or
    crashed (an incomplete audit is not a pass)."""
    code, lines = EXIT_OK, []
    hit = _crossing(output.findings, fail_on, advisory)
    if len(hit):
        counts = hit["severity"].value_counts()
        sev = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts)
        kind = "breach or advisory" if advisory else "breach"
        lines.append(f"Exit 1: {len(hit)} {kind} finding(s) at or above --fail-on {fail_on}, not waived ({sev}) "
                     f"in {_few(sorted(set(hit['check_id'].astype(str))))}")
        code = EXIT_FINDINGS
    if strict:
        parts = []
        for outcome, label in (("not_evaluated", "not evaluated"), ("error", "in error")):
            ids = [r.check.id for r in output.runs if r.outcome == outcome]
            if ids:
                parts.append(f"{len(ids)} check(s) {label} ({_few(ids)})")
        if parts and code == EXIT_OK:
            lines.append(f"Exit 5 (--strict): the audit is incomplete: {'; '.join(parts)}; see summary.json "
                         "(checks_not_evaluated, checks_error) for the reasons")
            code = EXIT_INCOMPLETE
        elif parts:
            lines.append(f"--strict: also {'; '.join(parts)}")
    return code, lines


def _finish(output, fail_on: str | None, advisory: bool, strict: bool) -> None:
    """Say on stderr why the exit code is not 0 (even with --quiet), then exit with it."""
    _exit_with(*_verdict(output, fail_on, advisory, strict))


def _exit_with(code: int, lines: list[str]) -> None:
    """Say on stderr why the exit code is not 0 (``lines``, even with --quiet), then exit with ``code``."""
    from auditor import logs  # noqa: PLC0415

    for line in lines:
        if logs.log_format() == "json":
            logging.getLogger("auditor.exit").warning(line, extra={"exit_code": code})
        else:
            _echo_err(line)
    sys.exit(code)


def _key() -> bytes:
    """The pseudonymisation key: AUDITOR_PSEUDONYM_KEY, else the key file of AUDITOR_KEY_FILE or
    of the config file (key_file), else the default (``auditor.privacy``)."""
    from auditor import privacy  # noqa: PLC0415

    return privacy.load_key(os.environ.get("AUDITOR_KEY_FILE") or _ctx_obj().get("key_file"))


def _start_run() -> str:
    """A run id taken before the run starts; every log line from here on carries it."""
    from auditor import audit, logs  # noqa: PLC0415

    run_id = audit.new_run_id()
    logs.set_context(run_id=run_id)
    return run_id


def _configure(ctx: click.Context, config_path: Path | None, log_format: str | None, quiet: bool) -> None:
    """Load the config file into click's default_map (the command line wins) and set up logs."""
    from auditor import config, logs  # noqa: PLC0415

    _pipe_safe_std_streams()
    cfg = config.load(config_path) if config_path else None
    key_file = None
    if cfg is not None:
        config.check_group_values(cfg, ctx.command)
        ctx.default_map = config.default_map(cfg, ctx.command)
        key_file = config.key_file(cfg)
    src = click.core.ParameterSource
    if ctx.get_parameter_source("log_format") in (None, src.DEFAULT):
        log_format = config.group_value(cfg, "log_format", log_format or "text")
    if ctx.get_parameter_source("quiet") in (None, src.DEFAULT):
        quiet = config.group_value(cfg, "quiet", quiet) is True  # typed: check_group_values
    if log_format not in logs.LOG_FORMATS:
        from auditor.errors import ConfigError  # noqa: PLC0415

        raise ConfigError(f"log_format {log_format!r} is not one of {', '.join(logs.LOG_FORMATS)}")
    logs.setup(log_format, quiet)
    ctx.obj = {"config": cfg, "quiet": quiet, "key_file": key_file}


def _config_sha() -> str | None:
    cfg = _ctx_obj().get("config")
    return cfg.sha256 if cfg is not None else None


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="auditor")
@click.option("--config", "config_path", envvar="AUDITOR_CONFIG", default=None, type=click.Path(path_type=Path),
              metavar="FILE", help="Config file (auditor.toml) [env AUDITOR_CONFIG]; command-line options win.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Log lines on stderr as text (default) or JSON, one per line, for schedulers.")
@click.option("--quiet", "-q", is_flag=True, default=False, help="Only warnings, errors and the exit code.")
@click.pass_context
@_guard
def main(ctx, config_path, log_format, quiet) -> None:
    """Audit cross-border e-evidence logs against the data-protection safeguards of
    CETS 224 (Second Additional Protocol) and Regulation (EU) 2023/1543."""
    _configure(ctx, config_path, log_format, quiet)


@main.command(epilog=EPILOG)
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path), help="Folder with requests.csv etc.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder for the reports.")
@click.option("--rescan", is_flag=True, default=False,
              help="Read every file again, even one unchanged (same SHA-256) since its last ingest.")
@db_option
@as_of_option
@period_options
@pack_option
@param_option
@format_option
@publish_options
@fail_on_option
@strict_option
@waivers_option
@scale_options
@mapping_option
@_guard
def run(data_dir, out_dir, db_url, as_of, date_from, date_to, pack, params, formats, publish, threshold, lang,
        sarif_detail, page_findings, classification, pdf_standard, rescan, fail_on, fail_on_advisory, strict, waivers_path, engine_name, chunk_size, scheduler,
        mapping_path, compress):
    """Ingest, validate, store, audit and report in one go."""
    from auditor import audit, collector  # noqa: PLC0415
    from auditor.engine.period import AuditPeriod  # noqa: PLC0415

    overrides = _parse_params(params)
    when = audit.parse_as_of(as_of)
    span = AuditPeriod.make(when, date_from, date_to)  # fail fast on a bad period
    audit.packs.select(list(pack)).with_overrides(overrides)  # fail fast on a bad pack/param
    waived = audit.load_waivers(waivers_path)  # fail fast on a malformed waivers file
    profile = _profile(mapping_path)  # fail fast on a bad mapping profile
    audit.check_out_dir(out_dir)  # an unusable --out or --db fails before anything is stored
    engine = audit.open_store(db_url, write=True)
    key = _key()
    run_id = _start_run()
    # the audit reuses the ingested rows: from memory when it runs in one piece, from the
    # ingest's spill files (auditor.ingest.spill) when it is partitioned
    in_memory = not chunk_size and engine_name == "pandas"
    keep = (True if chunk_size == 0 else audit.AUTO_PARTITION_REQUESTS) if in_memory else False
    result = audit.ingest_data(data_dir, engine, key, keep_frames=keep, spill=chunk_size != 0, rescan=rescan,
                               profile=profile)
    try:
        if not _quiet():
            _print_ingest(result)
        # quarantine.csv (announced above) is written with the reports, as one set (render_run)
        res = audit.audit_store(engine, list(pack), when, overrides, waivers=waived, config_sha256=_config_sha(),
                                chunk_size=chunk_size, engine_name=engine_name, scheduler=scheduler,
                                fresh=result if result.frames or result.spill else None, run_id=run_id,
                                period=span)
    except Exception:
        # an audit that cannot run (every request quarantined, say) still leaves the rejected
        # rows for the supplier to fix: --out then holds them alone (audit.write_quarantine)
        if len(result.quarantine) and not publish:  # published: no row-level file at all
            _write_quarantine_alone(audit, result, out_dir)
        raise
    finally:
        result.release()
    if not _quiet():
        _print_audit(res)
    else:
        click.echo(res.run.run_id)  # even with --quiet: stdout is the run id, one line
    # the exit code is the audit's: settled now, so that its findings and measurements (frames
    # of a row per finding and per request) are let go before the reports, which read the run
    # back from the store (at a million messy requests the process went from 1.35 to ~0.2 GiB)
    verdict, run_id = _verdict(res.output, fail_on, fail_on_advisory, strict), res.run.run_id
    del res
    collector.release_memory()
    # one set replaces --out's earlier one: reports, machine outputs, quarantine.csv, manifest.json
    written = audit.render_run(engine, run_id, out_dir, tuple(formats) or DEFAULT_FORMATS,
                               lang=lang, publish=publish, threshold=threshold, page_findings=page_findings,
                               quarantine=result.quarantine, sarif_detail=sarif_detail,
                               classification=classification, pdf_standard=pdf_standard, compress=compress)
    if not _quiet():
        click.echo(f"Reports ({len(written)} files) written to {Path(out_dir).resolve()}")
        click.echo(f"  open {Path(out_dir).resolve() / 'index.html'}")
    _exit_with(*verdict)


def _write_quarantine_alone(audit, result, out_dir) -> None:
    """``quarantine.csv`` as --out's set after a failed audit; a failure here is logged: the
    audit's own error is the one reported."""
    try:
        audit.write_quarantine(result, out_dir)
    except Exception as exc:
        logging.getLogger("auditor").warning("quarantine.csv could not be written to %s: %s", out_dir, exc)


@main.command(epilog=EPILOG)
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path))
@click.option("--quarantine-out", type=click.Path(path_type=Path), default=None,
              help="Also write the rejected rows to this CSV file.")
@click.option("--rescan", is_flag=True, default=False,
              help="Read every file again, even one unchanged (same SHA-256) since its last ingest "
                   "(e.g. after changing the pseudonymisation key).")
@db_option
@mapping_option
@_guard
def ingest(data_dir, quarantine_out, rescan, db_url, mapping_path):
    """Validate a data folder and store it; rejected rows go to the quarantine table."""
    from auditor import audit  # noqa: PLC0415
    from auditor.errors import UsageError  # noqa: PLC0415

    if quarantine_out and Path(quarantine_out).is_dir():
        raise UsageError(f"--quarantine-out {quarantine_out} is a folder", hint="give a file name, e.g. quarantine.csv")
    profile = _profile(mapping_path)
    engine = audit.open_store(db_url, write=True)
    result = audit.ingest_data(data_dir, engine, _key(), rescan=rescan, profile=profile)
    if not _quiet():
        _print_ingest(result)
    if quarantine_out:
        from auditor import textsafe  # noqa: PLC0415

        textsafe.write_csv(result.quarantine, quarantine_out)  # formulas neutralised, written whole


@main.command("audit", epilog=EPILOG)
@db_option
@as_of_option
@period_options
@pack_option
@param_option
@fail_on_option
@strict_option
@waivers_option
@scale_options
@_guard
def audit_cmd(db_url, as_of, date_from, date_to, pack, params, fail_on, fail_on_advisory, strict, waivers_path,
              engine_name, chunk_size, scheduler):
    """Audit the stored data with a rule pack; prints the run id (alone with --quiet)."""
    from auditor import audit  # noqa: PLC0415
    from auditor.engine.period import AuditPeriod  # noqa: PLC0415

    overrides = _parse_params(params)
    when = audit.parse_as_of(as_of)
    span = AuditPeriod.make(when, date_from, date_to)  # fail fast on a bad period
    waived = audit.load_waivers(waivers_path)
    engine = audit.open_store(db_url, write=True)
    run_id = _start_run()
    res = audit.audit_store(engine, list(pack), when, overrides, waivers=waived, config_sha256=_config_sha(),
                            chunk_size=chunk_size, engine_name=engine_name, scheduler=scheduler, run_id=run_id,
                            period=span)
    if not _quiet():
        _print_audit(res)
        click.echo(f"Run id: {res.run.run_id}")
    else:
        click.echo(res.run.run_id)
    _finish(res.output, fail_on, fail_on_advisory, strict)


@main.command(epilog=EPILOG)
@click.option("--run", "run_id", default="latest", show_default=True, help="Run id, or 'latest'.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path))
@click.option("--with-decisions", "with_decisions", is_flag=True, default=False,
              help="Also show each finding's workbench state (auditor serve: explanation asked, answered, decision "
                   "proposed or approved, reason, dates, who proposed and approved it) on the index page, in "
                   "index.md and in summary.json. Not with --publish.")
@format_option
@publish_options
@db_option
@_guard
def report(run_id, out_dir, with_decisions, formats, publish, threshold, lang, sarif_detail, page_findings,
           classification, pdf_standard, db_url, compress):
    """Render the reports of a stored audit run."""
    from auditor import audit  # noqa: PLC0415
    from auditor.errors import UsageError  # noqa: PLC0415

    if with_decisions and publish:
        raise UsageError("--with-decisions is for the full report: the published edition shows no finding",
                         hint="leave out --publish or --with-decisions")
    audit.check_out_dir(out_dir)
    engine = audit.open_store(db_url)
    written = audit.render_run(engine, run_id, out_dir, tuple(formats) or DEFAULT_FORMATS,
                               lang=lang, publish=publish, threshold=threshold, page_findings=page_findings,
                               sarif_detail=sarif_detail, classification=classification,
                               pdf_standard=pdf_standard, with_decisions=with_decisions, compress=compress)
    click.echo(f"Reports ({len(written)} files) written to {Path(out_dir).resolve()}")


@main.command("diff", epilog="RUN_A and RUN_B: run ids, 'latest' or 'previous' (the run before the latest), in "
              "either order: the earlier run is the baseline. Exit code 0 whatever the differences; 2 for an "
              "unknown run id.")
@click.argument("run_a")
@click.argument("run_b")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@_guard
def diff_cmd(run_a, run_b, fmt, db_url):
    """New, resolved and persisting findings of the later run since the earlier (by fingerprint)."""
    from auditor import audit, rundiff  # noqa: PLC0415

    engine = audit.open_store(db_url)
    d = rundiff.diff_runs(engine, run_a, run_b)
    if fmt == "json":
        click.echo(json.dumps(d, indent=2, default=str))
        return
    _say(f"Findings of {d['run_b']} since {d['run_a']}: {len(d['new'])} new, "
         f"{len(d['resolved'])} resolved, {len(d['persisting'])} persisting")
    if not d["same_scope"]:
        click.echo("  note: the two runs do not have the same rule pack and input files")
    if not d["same_period"]:
        def span(p: dict) -> str:
            return f"{p['from'] or 'first request'} .. {p['to'] or p['as_of']} as of {p['as_of']}"

        _say(f"  note: the runs audit different periods ({d['run_a']}: {span(d['period_a'])}; {d['run_b']}: "
             f"{span(d['period_b'])}); a finding can be new or resolved only because its request entered or "
             "left the period")
    if d["checks_only_in_a"] or d["checks_only_in_b"]:
        _say(f"  note: the runs ran different checks (packs {d['packs_a']} / {d['packs_b']}); findings of "
             "a check only one run ran are neither new nor resolved:")
        if d["not_audited_in_b"]:
            _say(f"    {len(d['not_audited_in_b'])} finding(s) of {d['run_a']} were not audited in "
                 f"{d['run_b']} (checks {', '.join(d['checks_only_in_a'])})")
        if d["not_audited_in_a"]:
            _say(f"    {len(d['not_audited_in_a'])} finding(s) of {d['run_b']} were not audited in "
                 f"{d['run_a']} (checks {', '.join(d['checks_only_in_b'])})")
    for status in ("new", "resolved", "persisting", "not_audited_in_a", "not_audited_in_b"):
        label = {"not_audited_in_a": "only-in-B", "not_audited_in_b": "only-in-A"}.get(status, status)
        for r in d[status]:
            _say(f"  {label:<10} {r['check_id']:<8} {r['severity'] or '':<8} {r['party'] or '-':<4} "
                 f"{r['provider'] or '-':<14} {r['request_id'] or '-'}  {r['fingerprint']}")


@main.command()
@db_option
@_guard
def runs(db_url):
    """List stored audit runs."""
    from auditor import audit  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    engine = audit.open_store(db_url)
    for r in db.list_runs(engine):
        o = (r.summary or {}).get("outcomes", {})
        _say(f"{r.run_id}  {r.status:<8} as_of {r.as_of:%Y-%m-%d}  {r.pack} {r.pack_version}  "
             f"findings {(r.summary or {}).get('findings', 0)}  fail {o.get('fail', 0)}")


@main.group()
def checks() -> None:
    """Inspect the registered checks."""


@checks.command("list")
@click.option("--pack", default=None, help="Only the checks of this pack (default: every check of every pack).")
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
             "kind": c.kind, "duty": c.duty, "scope": list(c.scope),
             "requires": {t: list(cols) for t, cols in c.requires.items()}, "params": list(c.params),
             "profile_fields": list(c.profile_fields), "notes": c.notes} for c in rows], indent=2))
        return
    click.echo(f"{'id':<8} {'family':<19} {'severity':<9} {'kind':<9} {'status':<12} {'citation':<26} title")
    for c in rows:
        click.echo(f"{c.id:<8} {c.family:<19} {c.severity:<9} {c.kind:<9} {c.legal_basis_status:<12} "
                   f"{c.citation:<26} {c.title}")


@main.command()
@click.argument("check_id")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the explanation (the same texts as the report in that language).")
@_guard
def explain(check_id, lang):
    """Explain a check: what it requires, why, and how to fix a finding."""
    from auditor.engine.registry import DUTY_TEXT, get  # noqa: PLC0415

    c = get(check_id)
    if lang != "en":
        from reports import explain as explained  # noqa: PLC0415

        click.echo("\n".join(explained.lines(c, lang)))
        return
    click.echo(f"{c.id}: {c.title}")
    click.echo(f"  Legal basis : {c.citation} (rule {c.rule_id}; text status: {c.legal_basis_status})")
    click.echo(f"  Who must act: {DUTY_TEXT.get(c.duty, c.duty)}")
    click.echo(f"  Family      : {c.family}    Severity: {c.severity}    Kind: {c.kind}")
    click.echo(f"  Instruments : {', '.join(c.scope)} (requests of other instruments are never judged)")
    click.echo(f"  Applies to  : {c.applies_to}")
    if c.kind != "breach":
        click.echo("  Advisory    : " + ("every finding of this check is advisory: its rule is the auditor's policy, "
                                        "not the text" if c.kind == "advisory" else
                                        "some findings are advisory (see the notes): they rest on the auditor's "
                                        "policy, not the text")
                   + "; advisory findings are shown apart and do not count for --fail-on")
    click.echo("  Requires    : " + "; ".join(f"{t}: {', '.join(cols)}" for t, cols in c.requires.items()))
    if c.params:
        click.echo(f"  Parameters  : {', '.join(c.params)} (rule pack)")
    if c.profile_fields:
        click.echo(f"  Party profile: {', '.join(c.profile_fields)}")
    click.echo("\nWhy it matters\n  " + c.rationale)
    click.echo("\nRemediation\n  " + c.remediation)
    if c.notes:
        click.echo("\nNotes\n  " + c.notes)
    if c.legal_basis_status == "R":
        click.echo("\nNote: the legal text behind this check is status R in the project's legal reference: a "
                   "reviewer's reading of the official text, still to be checked word for word.")
    if c.legal_basis_status == "UNCONFIRMED":
        click.echo("\nNote: the legal text behind this check is UNCONFIRMED in the project's legal reference; "
                   "its numbers live in the rule pack so they can be corrected without a code change.")


@main.command()
@db_option
@click.option("--limit", default=50, show_default=True)
@_guard
def quarantine(db_url, limit):
    """Show quarantined rows (file, row, column, reason)."""
    from auditor import audit  # noqa: PLC0415
    from auditor.store import db, models  # noqa: PLC0415

    engine = audit.open_store(db_url)
    q = db.read_sql_frame(engine, models.QuarantineRow)
    click.echo(f"{len(q)} quarantined defect(s)")
    for rec in q.head(limit).itertuples():
        _say(f"{rec.file}:{rec.row} [{rec.column_name or '-'}] {rec.reason}")


@main.command(epilog="Exit codes: 0 the ledger is intact, 1 a link is broken (the first one is named), "
              "2 usage error, 4 internal error.")
@db_option
@_guard
def verify(db_url):
    """Recompute the tamper-evident run ledger and report the first broken link."""
    from auditor import ledger  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    engine = db.get_engine(db_url)
    from auditor.web.decisions import verify_chain  # noqa: PLC0415

    res = ledger.verify(engine)
    for warning in res.warnings:  # not a broken link (yet): an operator should look
        _echo_err(f"Warning: {warning}")
    events, broken = verify_chain(engine)  # the workbench's decisions (auditor serve)
    if broken:
        _echo_err(f"Workbench decisions BROKEN after {events} intact event(s): {broken}")
        sys.exit(EXIT_FINDINGS)
    if res.ok:
        if events and not _quiet():
            click.echo(f"Workbench decisions intact: {events} event(s) verified.")
        if not _quiet():
            click.echo(f"Ledger intact: {res.records} run record(s) verified (record hashes, links, run records, "
                       "findings, outcomes, per-Party counts, input rows and their ingests).")
            if res.old_format:
                click.echo(f"  {res.old_format} of them in ledger format 1 (written by an earlier auditor): verified "
                           "as that format recorded them, which does not cover the stored run record (audit date, "
                           "parameters, waivers) nor the ingest records.")
        sys.exit(EXIT_OK)
    _echo_err(f"Ledger BROKEN after {res.records} intact record(s): {res.broken}")
    sys.exit(EXIT_FINDINGS)


from auditor.commands.transparency import reconcile as _reconcile_cmd  # noqa: E402
from auditor.commands.transparency import transparency as _transparency_cmd  # noqa: E402

main.add_command(_transparency_cmd)
main.add_command(_reconcile_cmd)

from auditor.commands.intake import intake as _intake_cmd  # noqa: E402

main.add_command(_intake_cmd)


from auditor.commands.web import serve as _serve_cmd  # noqa: E402
from auditor.commands.web import users as _users_cmd  # noqa: E402

main.add_command(_serve_cmd)
main.add_command(_users_cmd)

"""auditor.toml: every option has a config twin, the command line wins, unknown keys are errors."""

from __future__ import annotations

import json

from auditor import config
from auditor.cli import main
from tests.jobs.conftest import invoke


def _cfg(tmp_path, slice_dir, extra=""):
    p = tmp_path / "auditor.toml"
    p.write_text(f'''data = "{slice_dir}"
out = "reports"            # relative to this file
db = "sqlite:///{tmp_path / 'cfg.db'}"
as_of = "2026-06-30"
format = ["csv"]
fail-on = "high"
log_format = "json"

[params]
art8_serve_days = 12
{extra}''')
    return p


def test_config_supplies_options_and_the_command_line_wins(tmp_path, slice_dir):
    cfg = _cfg(tmp_path, slice_dir)
    r = invoke("--config", cfg, "run")
    assert r.exit_code == 1, r.output  # fail_on = high from the file; the slice has high findings
    out = tmp_path / "reports"
    assert (out / "findings.csv").exists() and not (out / "index.html").exists()  # format = ["csv"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary  # written where the config said
    # the command line wins over the file: --fail-on critical fails only on a critical breach
    import csv

    with (out / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert any(f["severity"] == "high" and f["kind"] == "breach" for f in rows)
    critical = any(f["severity"] == "critical" and f["kind"] == "breach" for f in rows)
    r = invoke("--config", cfg, "run", "--fail-on", "critical", "--out", tmp_path / "cli-out")
    assert r.exit_code == (1 if critical else 0), r.output
    assert (tmp_path / "cli-out" / "findings.sarif").exists()


def test_config_from_environment_and_params_table(tmp_path, slice_dir):
    cfg = _cfg(tmp_path, slice_dir)
    r = invoke("audit", env={"AUDITOR_CONFIG": str(cfg)})
    assert r.exit_code == 3  # nothing ingested yet in cfg.db: an input error, from the config's db
    assert "holds no requests" in r.output
    dm = config.default_map(config.load(cfg), main)
    assert dm["audit"]["params"] == ("art8_serve_days=12",)
    assert dm["run"]["out_dir"] == str(tmp_path / "reports")
    assert dm["run"]["formats"] == ("csv",) and dm["report"]["formats"] == ("csv",)
    assert "formats" not in dm["checks"]["list"] and "fmt" not in dm["checks"]["list"]


def test_unknown_key_is_an_error_naming_the_key(tmp_path, slice_dir):
    cfg = _cfg(tmp_path, slice_dir, extra="\n")
    cfg.write_text(cfg.read_text().replace('as_of = "2026-06-30"', 'as_off = "2026-06-30"'))
    r = invoke("--config", cfg, "run")
    assert r.exit_code == 2
    assert "unknown key(s) 'as_off'" in r.output and str(cfg) in r.output


def test_bad_value_and_bad_toml_are_usage_errors_with_the_line(tmp_path, slice_dir):
    cfg = _cfg(tmp_path, slice_dir)
    cfg.write_text(cfg.read_text().replace('fail-on = "high"', 'fail-on = "severe"'))
    r = invoke("--config", cfg, "run")
    assert r.exit_code == 2 and "fail_on" in r.output and "'severe' is not one of" in r.output
    cfg.write_text('data = "x"\nout = \n')
    r = invoke("--config", cfg, "run")
    assert r.exit_code == 2 and f"{cfg}:2: not valid TOML" in r.output
    r = invoke("--config", tmp_path / "missing.toml", "runs")
    assert r.exit_code == 2 and "does not exist" in r.output


def test_json_logs_from_config_are_one_object_per_line(tmp_path, slice_dir):
    cfg = _cfg(tmp_path, slice_dir)
    r = invoke("--config", cfg, "ingest")
    assert r.exit_code == 0, r.output
    lines = [json.loads(ln) for ln in r.stderr.splitlines() if ln.startswith("{")]
    ingest = [x for x in lines if x["logger"] == "auditor.ingest" and x.get("table") == "requests"]
    assert ingest and ingest[0]["level"] == "INFO"
    x = ingest[0]
    assert x["read"] == x["added"] + x["unchanged"] + x["revised"] + x["quarantined"]
    assert "@mail.example" not in r.stderr  # no subscriber identifiers in logs


def test_quiet_prints_only_errors(tmp_path, slice_dir):
    r = invoke("--quiet", "ingest", "--data", slice_dir, "--db", f"sqlite:///{tmp_path / 'q.db'}")
    assert r.exit_code == 0
    assert r.output.strip() == ""
    r = invoke("--quiet", "ingest", "--data", tmp_path / "nope", "--db", f"sqlite:///{tmp_path / 'q.db'}")
    assert r.exit_code == 3 and "Error:" in r.output

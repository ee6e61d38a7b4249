"""Configuration file (``auditor.toml``), chosen by ``--config FILE`` or ``AUDITOR_CONFIG``.

Every command-line option has a config twin: the key is the long option name without the
dashes (``--fail-on`` -> ``fail_on`` or ``fail-on``); the command line wins over the file. Keys
that no command knows are an error naming the key.

Values are typed as TOML types them: a flag (``quiet``, ``publish``) takes ``true`` or ``false``,
never a string (``quiet = "false"`` is an error naming the key, not quiet on); a number option
takes an integer; paths, names and choices take strings (``data = 123`` is an error). ``as_of``
may be a TOML date. Relative paths (``data``, ``out``, ``waivers``, ``key_file`` ...) are relative
to the config file's folder, and so is the file of a relative SQLite URL
(``db = "sqlite:///auditor.db"`` is ``auditor.db`` next to the config file); ``~`` is expanded.

Extra keys that are not options:

- ``[params]`` table: pack parameter overrides (twin of repeated ``--param NAME=VALUE``);
- ``key_file``: where the pseudonymisation key lives (sets ``AUDITOR_KEY_FILE`` unless the
  environment already says).

``mapping = "profiles/fr.toml"`` is the twin of ``--mapping`` (``ingest`` and ``run``): a mapping
profile (``auditor.ingest.mapping``), relative to the config file's folder like every path.

Example::

    data = "/srv/evidence/export"
    db = "postgresql+psycopg2://auditor@db/auditor"
    out = "/srv/reports/latest"
    format = ["html", "json"]
    fail_on = "high"
    pack = "cets224"
    waivers = "waivers.toml"
    log_format = "json"
    key_file = "/etc/auditor/pseudonym.key"

    [params]
    art8_serve_days = 10
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from auditor.errors import ConfigError

EXTRA_KEYS = {"params", "key_file"}
ALIASES = {"formats": "format"}


@dataclass
class Config:
    path: Path
    sha256: str
    values: dict[str, Any] = field(default_factory=dict)  # normalised keys


def _norm(key: str) -> str:
    k = key.strip().replace("-", "_")
    return ALIASES.get(k, k)


def load(path: str | Path) -> Config:
    """Parse the file; syntax errors name the line."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} does not exist", hint="check --config or AUDITOR_CONFIG")
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{p}:{m.group(1)}" if m else str(p)
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    values: dict[str, Any] = {}
    for k, v in data.items():
        values[_norm(k)] = v
    return Config(p.resolve(), hashlib.sha256(raw).hexdigest(), values)


def option_key(opt: click.Option) -> str | None:
    longs = [o for o in opt.opts if o.startswith("--")]
    return _norm(longs[0][2:]) if longs else None


def _options(cmd: click.Command) -> dict[str, click.Option]:
    return {k: p for p in cmd.params if isinstance(p, click.Option) and (k := option_key(p))}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append(((*prefix, name), cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


def known_keys(group: click.Group) -> set[str]:
    keys = set(EXTRA_KEYS) | set(_options(group))
    for _path, cmd in _commands(group):
        keys |= set(_options(cmd))
    return keys


def _relative_to(cfg: Config, value: str) -> str:
    """A path from the file: ``~`` expanded, relative to the config file's folder."""
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else cfg.path.parent / path)


def resolve_db_url(cfg: Config, url: str) -> str:
    """A SQLite URL whose file is a relative path names that file relative to the config file's
    folder (``sqlite:///auditor.db``, ``sqlite:///file:data/a.db?mode=ro&uri=true``); other URLs
    (PostgreSQL, in-memory, absolute paths) are unchanged."""
    m = re.match(r"^(sqlite(?:\+\w+)?:///)(file:)?([^?]*)(\?.*)?$", url.strip())
    if not m:
        return url
    prefix, file_scheme, path, query = m.group(1), m.group(2) or "", m.group(3), m.group(4) or ""
    if not path or path == ":memory:" or path.startswith("/") or (file_scheme and path.startswith("//")):
        return url
    return f"{prefix}{file_scheme}{_relative_to(cfg, path)}{query}"


def _convert(cfg: Config, key: str, opt: click.Option, value: Any) -> Any:
    if isinstance(value, date | datetime) and not isinstance(opt.type, click.Path):
        value = value.isoformat()  # as_of = 2026-06-30 (a TOML date)
    if isinstance(opt.type, click.Path) and isinstance(value, str):
        value = _relative_to(cfg, value)
    if key == "db" and isinstance(value, str):
        value = resolve_db_url(cfg, value)
    if opt.multiple:
        if isinstance(value, dict):
            return tuple(f"{k}={v}" for k, v in value.items())
        return tuple(value) if isinstance(value, list | tuple) else (value,)
    return value


def default_map(cfg: Config, group: click.Group) -> dict[str, Any]:
    """Click ``default_map`` for the group's commands; raises ConfigError on an unknown key."""
    known = known_keys(group)
    unknown = sorted(k for k in cfg.values if k not in known)
    if unknown:
        raise ConfigError(
            f"{cfg.path}: unknown key(s) {', '.join(repr(k) for k in unknown)}",
            hint="config keys are the long option names (see auditor COMMAND --help), plus [params] and key_file",
        )
    values = dict(cfg.values)
    if "params" in values:
        if not isinstance(values["params"], dict):
            raise ConfigError(f"{cfg.path}: params must be a table ([params] NAME = VALUE)")
        values["param"] = values.pop("params")
    out: dict[str, Any] = {}
    accepted: dict[str, str | None] = {}  # key -> error when no command accepts the value
    for path, cmd in _commands(group):
        opts = _options(cmd)
        sub = {}
        for k, v in values.items():
            if k not in opts:
                continue
            conv = _convert(cfg, k, opts[k], v)
            problem = _check(opts[k], conv)
            if problem is None:
                sub[opts[k].name] = conv
                accepted[k] = None
            else:
                accepted.setdefault(k, problem)
        target = out
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target.setdefault(path[-1], {}).update(sub)
    bad = {k: e for k, e in accepted.items() if e is not None}
    if bad:
        k, e = sorted(bad.items())[0]
        raise ConfigError(f"{cfg.path}: {k}: {e}", hint=_HINT)
    return out


def _type_problem(opt: click.Option, item: Any) -> str | None:
    """None when ``item`` has the TOML type the option takes, else what was expected."""
    kind = opt.type
    if opt.is_flag or isinstance(kind, click.types.BoolParamType):
        ok, want = isinstance(item, bool), "true or false (a TOML boolean, without quotes)"
    elif isinstance(kind, click.types.IntParamType):
        ok, want = isinstance(item, int) and not isinstance(item, bool), "an integer"
    elif isinstance(kind, click.types.FloatParamType):
        ok, want = isinstance(item, int | float) and not isinstance(item, bool), "a number"
    else:
        ok, want = isinstance(item, str), "a string (in quotes)"
    if ok:
        return None
    shown = f"the {_toml_type(item)} {item!r}" if not isinstance(item, str) else f"the string {item!r}"
    return f"expected {want}, not {shown}"


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, date | datetime):
        return "date"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _check(opt: click.Option, value: Any) -> str | None:
    """None when ``value`` is acceptable for ``opt``, else what is wrong (click's message)."""
    if not opt.multiple and isinstance(value, list | dict):
        return "takes one value, not a list or table"
    items = value if opt.multiple else (value,)
    if opt.is_flag and not isinstance(value, bool):
        return _type_problem(opt, value)
    for item in items:
        problem = _type_problem(opt, item)
        if problem:
            return problem
        try:
            opt.type.convert(item, opt, None)
        except click.BadParameter as exc:
            return exc.format_message()
    return None


def group_value(cfg: Config | None, key: str, default: Any) -> Any:
    if cfg is None:
        return default
    return cfg.values.get(_norm(key), default)


def check_group_values(cfg: Config, group: click.Group) -> None:
    """ConfigError naming the key for a global option (``quiet``, ``log_format``) or
    ``key_file`` whose value has the wrong type or is not allowed, or for ``config`` (a config
    file cannot name another)."""
    if "config" in cfg.values:
        raise ConfigError(f"{cfg.path}: config: a config file cannot name another config file",
                          hint="remove the key; pass --config or AUDITOR_CONFIG instead")
    for key, opt in _options(group).items():
        if key in cfg.values and key != "config":
            problem = _check(opt, cfg.values[key])
            if problem:
                raise ConfigError(f"{cfg.path}: {key}: {problem}", hint=_HINT)
    if "key_file" in cfg.values and (not isinstance(cfg.values["key_file"], str)
                                     or not cfg.values["key_file"].strip()):
        raise ConfigError(f"{cfg.path}: key_file: expected a path in quotes, not {cfg.values['key_file']!r}",
                          hint=_HINT)


_HINT = "see docs/operations.md (Configuration file) for each key and its type"


def key_file(cfg: Config | None) -> str | None:
    if cfg is None or "key_file" not in cfg.values:
        return None
    return _relative_to(cfg, str(cfg.values["key_file"]))

"""Rule packs: which checks a regime uses, and the parameters they read.

A pack is a TOML file in ``checks/packs/``. Legal numbers whose source is UNCONFIRMED (days,
hours) and the auditor's own policy thresholds live there, never in code, so they can be
corrected without a release and overridden per audit (``--param name=value``).

An audit runs a *selection* of packs (``select``): by default every shipped pack, so that one
run judges each request by the rules of its own instrument (CETS 224 orders by the cets224
pack, EU orders by the eu2023_1543 pack). ``--pack`` narrows the selection (repeatable).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError, UsageError


@dataclass(frozen=True)
class Param:
    name: str
    value: Any
    kind: str  # "legal" (from the instrument) or "policy" (the auditor's judgement)
    basis: str
    status: str
    description: str
    pack: str = ""

    def as_dict(self) -> dict:
        return {
            "pack": self.pack,
            "name": self.name,
            "value": self.value,
            "kind": self.kind,
            "basis": self.basis,
            "status": self.status,
            "description": self.description,
        }


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    title: str
    checks: tuple[str, ...]
    params: dict[str, Param]
    path: str
    #: the packs a selection combines (``select``); empty for a single pack file
    members: tuple[Pack, ...] = ()
    #: SHA-256 of the pack file's text (the ledger records it)
    sha256: str = ""

    @property
    def parts(self) -> tuple[Pack, ...]:
        """The single packs this one is made of (itself when it is one)."""
        return self.members or (self,)

    def pack_of(self) -> dict[str, str]:
        """check id -> the name of the (first) pack that runs it."""
        out: dict[str, str] = {}
        for part in self.parts:
            for cid in part.checks:
                out.setdefault(cid, part.name)
        return out

    def values(self) -> dict[str, Any]:
        return {k: p.value for k, p in self.params.items()}

    def with_overrides(self, overrides: dict[str, str]) -> Pack:
        params = dict(self.params)
        for name, raw in overrides.items():
            if name not in params:
                raise UsageError(
                    f"unknown pack parameter {name!r} for pack {self.name}",
                    hint="known parameters: " + ", ".join(sorted(params)),
                )
            old = params[name]
            params[name] = Param(name, _coerce(raw, old.value, name), old.kind, old.basis,
                                 old.status + " (overridden for this audit)", old.description, old.pack)
        members = tuple(Pack(m.name, m.version, m.title, m.checks,
                             {k: params[k] for k in m.params}, m.path, (), m.sha256) for m in self.members)
        return Pack(self.name, self.version, self.title, self.checks, params, self.path, members, self.sha256)


def _coerce(raw: str, like: Any, name: str) -> Any:
    try:
        if isinstance(like, bool):
            if raw.lower() in ("true", "1", "yes"):
                return True
            if raw.lower() in ("false", "0", "no"):
                return False
            raise ValueError(raw)
        if isinstance(like, int):
            return int(raw)
        if isinstance(like, float):
            return float(raw)
    except ValueError:
        raise UsageError(f"parameter {name}: {raw!r} is not a {type(like).__name__}") from None
    return raw


def available() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in resources.files("checks").joinpath("packs").iterdir()
                  if p.name.endswith(".toml"))


def load(name_or_path: str) -> Pack:
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        name = name_or_path.replace("-", "_").lower()
        aliases = {"eu_2023_1543": "eu2023_1543", "eu": "eu2023_1543"}
        name = aliases.get(name, name)
        res = resources.files("checks").joinpath("packs", f"{name}.toml")
        if not res.is_file():
            raise UsageError(f"unknown rule pack {name_or_path!r}", hint="available packs: " + ", ".join(available()))
        text = res.read_text(encoding="utf-8")
        source = f"checks/packs/{name}.toml"
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    meta = doc.get("pack", {})
    params = {}
    for pname, p in doc.get("params", {}).items():
        if not isinstance(p, dict) or "value" not in p:
            raise ConfigError(f"{source}: parameter {pname} needs a table with at least `value`")
        params[pname] = Param(pname, p["value"], p.get("kind", "policy"), p.get("basis", ""),
                              p.get("status", ""), p.get("description", ""), meta.get("name", path.stem))
    from auditor.engine.registry import load_all  # noqa: PLC0415

    registry = load_all()
    unknown = [c for c in meta.get("checks", []) if c not in registry]
    if unknown:
        raise ConfigError(f"{source}: unknown check id(s) {', '.join(unknown)}")
    for cid in meta.get("checks", []):
        missing = [p for p in registry[cid].params if p not in params]
        if missing:
            raise ConfigError(f"{source}: check {cid} needs parameter(s) {', '.join(missing)}")
    return Pack(meta.get("name", path.stem), str(meta.get("version", "0")), meta.get("title", ""),
                tuple(meta.get("checks", [])), params, source,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def select(names: str | list[str] | tuple[str, ...] | None = None) -> Pack:
    """The packs an audit runs, as one ``Pack`` whose ``members`` are the packs: every shipped
    pack when ``names`` is empty (one run audits every instrument present), else the named ones
    (names or ``.toml`` paths, in the order given). Checks in more than one pack run once; a
    parameter defined by two packs must have the same value in both."""
    if isinstance(names, str):
        names = [names]
    names = [n for n in (names or []) if str(n).strip()] or available()
    chosen: list[Pack] = []
    for n in names:
        pack = load(n)
        if all(p.name != pack.name for p in chosen):
            chosen.append(pack)
    if len(chosen) == 1:
        only = chosen[0]
        return Pack(only.name, only.version, only.title, only.checks, only.params, only.path, (only,),
                    only.sha256)
    checks: list[str] = []
    params: dict[str, Param] = {}
    for pack in chosen:
        checks.extend(c for c in pack.checks if c not in checks)
        for k, p in pack.params.items():
            if k in params and params[k].value != p.value:
                raise ConfigError(f"packs {params[k].pack} and {pack.name} both set parameter {k}, "
                                  f"to {params[k].value!r} and {p.value!r}",
                                  hint="give the parameter one value (edit a pack file, or --param)")
            params.setdefault(k, p)
    return Pack("+".join(p.name for p in chosen), "+".join(p.version for p in chosen),
                "; ".join(p.title for p in chosen), tuple(checks), params,
                ";".join(p.path for p in chosen), tuple(chosen),
                hashlib.sha256("".join(p.sha256 for p in chosen).encode()).hexdigest())

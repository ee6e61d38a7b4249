"""Meta-tests over every registered check: metadata vocabularies, pack membership and parameters,
input columns in the contract, and one test module per check."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine import packs
from auditor.engine.profiles import PROFILE_FIELDS
from auditor.engine.registry import FAMILIES, INSTRUMENTS, SEVERITIES, STATUSES, load_all
from auditor.ingest.schema import TABLES

HERE = Path(__file__).parent
EXPECTED_IDS = {
    "NEC001", "PRO001", "PRO002", "MIN001", "MIN002", "RET001", "RET002", "TIM001", "TIM002",
    "COM001", "COM002", "COM003", "NOT001", "NOT002", "ONW001", "ONW002", "SEC001", "REC001",
    "COM004", "COM005", "COM006", "COM007", "COM008", "COM009", "TIM003", "TIM004", "RES001",
    "RES002", "RES003", "NOT003", "PRO003", "NEC002", "SEN001", "RET003", "AUT001", "MIN003", "MIN004",
    "COM010", "NOT004", "NOT005", "NOT006", "TIM005", "NEC003", "ONW003", "SEC002", "RET004",
    *(f"EU{i:03d}" for i in range(1, 20)),
}


@pytest.fixture(scope="module")
def registry():
    return load_all()


@pytest.fixture(scope="module")
def pack():
    return packs.load("cets224")


def _assert_none(offenders: list[str]) -> None:
    assert not offenders, "\n".join(offenders)


def test_registry_holds_every_expected_check(registry):
    assert set(registry) >= EXPECTED_IDS, sorted(EXPECTED_IDS - set(registry))


def test_check_ids_are_unique_and_match_their_key(registry):
    offenders = [f"{key}: id {c.id}" for key, c in registry.items() if key != c.id]
    ids = [c.id for c in registry.values()]
    offenders += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    funcs = [c.func for c in registry.values()]
    offenders += [f"{c.id}: function shared with another check" for c in registry.values() if funcs.count(c.func) > 1]
    _assert_none(offenders)


def test_check_metadata_is_complete_and_in_vocabulary(registry):
    offenders = []
    for c in registry.values():
        for name in ("title", "rationale", "remediation", "message", "rule_id", "applies_to"):
            if not getattr(c, name).strip():
                offenders.append(f"{c.id}: empty {name}")
        if not c.article.startswith(("Art. ", "Annex ")):
            offenders.append(f"{c.id}: article {c.article!r} does not start with 'Art. ' or 'Annex '")
        if c.family not in FAMILIES:
            offenders.append(f"{c.id}: family {c.family!r}")
        if c.severity not in SEVERITIES:
            offenders.append(f"{c.id}: severity {c.severity!r}")
        if c.legal_basis_status not in STATUSES:
            offenders.append(f"{c.id}: legal_basis_status {c.legal_basis_status!r}")
        if c.instrument not in INSTRUMENTS:
            offenders.append(f"{c.id}: instrument {c.instrument!r}")
    _assert_none(offenders)


def test_every_cets224_check_is_in_the_pack_and_pack_checks_exist(registry, pack):
    offenders = [f"{c.id}: not listed in checks/packs/cets224.toml" for c in registry.values()
                 if c.instrument == "CETS 224" and c.id not in pack.checks]
    offenders += [f"pack lists unknown check {cid}" for cid in pack.checks if cid not in registry]
    _assert_none(offenders)


def test_every_declared_parameter_exists_in_the_pack(registry, pack):
    offenders = [f"{cid}: parameter {p} not in the cets224 pack"
                 for cid in pack.checks for p in registry[cid].params if p not in pack.params]
    _assert_none(offenders)


def test_required_columns_and_profile_fields_exist_in_the_contract(registry):
    offenders = []
    for c in registry.values():
        for table, columns in c.requires.items():
            if table not in TABLES:
                offenders.append(f"{c.id}: requires unknown table {table}")
                continue
            offenders += [f"{c.id}: requires unknown column {table}.{col}"
                          for col in columns if col not in TABLES[table].names]
        offenders += [f"{c.id}: unknown profile field {f}" for f in c.profile_fields if f not in PROFILE_FIELDS]
    _assert_none(offenders)


def test_every_check_has_a_test_module(registry):
    modules = {p.name for p in HERE.rglob("test_*.py")}  # tests/checks/ and its per-pack folders
    offenders = [f"{c.id}: missing tests/checks/**/test_{c.id.lower()}.py" for c in registry.values()
                 if f"test_{c.id.lower()}.py" not in modules]
    _assert_none(offenders)


def test_cets224_pack_checks_cite_a_paragraph_and_use_spec_families(registry, pack):
    # every finding must cite instrument, article and paragraph: "Art. 7(3)" (Art. 13 and Art. 16 are
    # single-paragraph rules in the legal reference and cited as such)
    offenders = [f"{cid}: article {registry[cid].article!r} has no paragraph" for cid in pack.checks
                 if "(" not in registry[cid].article and registry[cid].article not in ("Art. 13", "Art. 16")]
    offenders += [f"{cid}: instrument {registry[cid].instrument}" for cid in pack.checks
                  if registry[cid].instrument != "CETS 224"]
    _assert_none(offenders)


def test_policy_parameters_are_marked_and_legal_ones_carry_a_status(pack):
    offenders = [f"{p.name}: policy parameter with status {p.status!r}" for p in pack.params.values()
                 if p.kind == "policy" and not p.status.startswith("policy")]
    offenders += [f"{p.name}: kind {p.kind!r}" for p in pack.params.values() if p.kind not in ("legal", "policy")]
    offenders += [f"{p.name}: legal parameter without a status" for p in pack.params.values()
                  if p.kind == "legal" and p.status not in STATUSES]
    _assert_none(offenders)


def test_every_check_declares_its_instruments_and_kind(registry):
    from auditor.engine.registry import AUDITED_INSTRUMENTS, KINDS

    cets = {i for i in AUDITED_INSTRUMENTS if i.startswith("cets224_")}
    offenders = [f"{c.id}: kind {c.kind!r}" for c in registry.values() if c.kind not in KINDS]
    offenders += [f"{c.id}: no scope" for c in registry.values() if not c.scope]
    # CETS 224 Art. 14(1)(a): the safeguards govern data received under the Protocol only; the EU
    # checks govern EU orders only; nothing governs mutual assistance or `other`
    offenders += [f"{c.id}: CETS check governs {sorted(set(c.scope) - cets)}" for c in registry.values()
                  if c.instrument == "CETS 224" and not set(c.scope) <= cets]
    offenders += [f"{c.id}: EU check governs {sorted(set(c.scope) - {'eu_epoc', 'eu_epoc_pr'})}"
                  for c in registry.values()
                  if c.instrument == "EU 2023/1543" and not set(c.scope) <= {"eu_epoc", "eu_epoc_pr"}]
    offenders += [f"{c.id}: governs {i}" for c in registry.values() for i in c.scope if i in ("mla", "other")]
    _assert_none(offenders)


def test_advisory_checks_say_so_and_rest_on_a_policy_parameter(registry):
    """A rule that is the auditor's policy, not the text's, is advisory and must read as such."""
    every = packs.select()
    offenders = []
    for c in registry.values():
        if c.kind == "breach":
            continue
        if "advisory" not in (c.notes + c.rationale).lower():
            offenders.append(f"{c.id}: kind {c.kind} but neither rationale nor notes explain what is advisory")
        stated = ("reasonable efforts", "no number", "no field", "cannot show", "judgement")
        if c.kind == "advisory" and not any(every.params[p].kind == "policy" for p in c.params) \
                and not any(s in (c.notes + c.rationale).lower() for s in stated):
            offenders.append(f"{c.id}: advisory without a policy parameter or a stated reason")
    _assert_none(offenders)

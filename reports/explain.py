"""``auditor explain CHECK --lang fr``: a check's documentation in another language, from the same
texts the HTML report shows (the check's metadata and the catalogue of ``reports.catalog``).

The English explanation is written by ``auditor.cli.explain`` itself; this module writes the
others, with the same layout."""

from __future__ import annotations

from typing import Any

from . import i18n

#: the labels of the explanation, in the order printed (English: the catalogue's msgids)
LABELS = ("Legal basis", "Who must act", "Family", "Severity", "Kind", "Instruments", "Applies to", "Advisory findings",
          "Requires", "Parameters", "Party profile")


def lines(check: Any, lang: str) -> list[str]:
    """The explanation of ``check`` (an ``auditor.engine.registry.Check``) in ``lang``, line by line."""
    from auditor.engine.registry import DUTY_TEXT  # noqa: PLC0415

    _ = i18n.translator(lang)
    d = check.as_dict()
    width = max(len(_(label)) for label in LABELS)

    def row(label: str, text: str) -> str:
        return f"  {_(label):<{width}} : {text}"

    status = {"C": _("confirmed"), "P": _("partly confirmed"), "R": _("a reviewer's reading of the official text"),
              "UNCONFIRMED": _("unconfirmed")}.get(check.legal_basis_status, check.legal_basis_status)
    out = [f"{check.id} : {i18n.check_text(d, 'title', lang)}",
           row("Legal basis", _("{citation} (rule {rule}; text status: {status})").format(
               citation=check.citation, rule=check.rule_id, status=status)),
           row("Who must act", _(DUTY_TEXT.get(check.duty, check.duty))),
           row("Family", _(check.family.replace("_", " "))),
           row("Severity", _(check.severity)),
           row("Kind", _(check.kind)),
           row("Instruments", _("{scope} (requests of other instruments are never judged)").format(
               scope=", ".join(check.scope))),
           row("Applies to", i18n.check_text(d, "applies_to", lang))]
    if check.kind != "breach":
        out.append(row("Advisory findings", _(
            "every finding of this check is advisory: its rule is the auditor's policy, not the text"
            if check.kind == "advisory" else
            "some findings are advisory (see the notes): they rest on the auditor's policy, not the text")
            + _("; advisory findings are shown apart and do not count for --fail-on")))
    out.append(row("Requires", "; ".join(f"{t} : {', '.join(cols)}" for t, cols in check.requires.items())))
    if check.params:
        out.append(row("Parameters", _("{names} (rule pack)").format(names=", ".join(check.params))))
    if check.profile_fields:
        out.append(row("Party profile", ", ".join(check.profile_fields)))
    out += ["", _("Why it matters"), "  " + i18n.check_text(d, "rationale", lang),
            "", _("Remediation"), "  " + i18n.check_text(d, "remediation", lang)]
    if check.notes:
        out += ["", _("Notes"), "  " + i18n.check_text(d, "notes", lang)]
    if check.legal_basis_status == "R":
        out += ["", _("Note: the legal text behind this check is status R in the project's legal reference: a "
                      "reviewer's reading of the official text, still to be checked word for word.")]
    if check.legal_basis_status == "UNCONFIRMED":
        out += ["", _("Note: the legal text behind this check is UNCONFIRMED in the project's legal reference; "
                      "its numbers live in the rule pack so they can be corrected without a code change.")]
    return [i18n.catalog.french_spacing(line) for line in out] if lang == "fr" else out

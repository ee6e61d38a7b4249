"""Report languages: English (the source text) and French.

Every fixed string of the reports is written in English in the templates and the writers and
looked up here (``translator(lang)``). Check titles and remediation come in both languages from
the check metadata (``title_fr`` / ``remediation_fr``); ``CHECK_FR`` fills gaps by check id.
A check without French text falls back to English, marked ``[EN]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import catalog

LANGS: tuple[str, ...] = ("en", "fr")
FALLBACK_MARK = "[EN] "

# Strings a French page asked for but the table lacks (tests assert this stays empty).
MISSING: set[str] = set()

FR: dict[str, str] = {}  # filled below

#: the note under a findings table that lists fewer findings than its page has
PAGE_NOTE = (
    "This page lists the {shown} most severe of {total} findings. Every finding is in findings.json "
    "(and findings.csv) in the report folder; --page-findings sets how many a page lists."
)
#: the note under a findings table shown grouped (reports.grouping): the page has more findings
#: than --page-findings
GROUP_NOTE = (
    "This page has more findings than --page-findings ({limit}): these {total} are shown in {groups} groups "
    "of the same check, Party, provider and message (numbers and ids shown as #, {{request}} and {{record}}), "
    "with up to 5 example requests each. Every finding is listed in findings.csv (and findings.json) in the "
    "report folder."
)


def json_named(note: str, json_name: str | None) -> str:
    """``note`` (PAGE_NOTE, GROUP_NOTE, in any language) naming the findings' JSON file as it was
    written: ``findings.json.gz`` when compressed (``reports.findings_json_name``)."""
    if not json_name or json_name == "findings.json":
        return note
    return note.replace("findings.json", json_name)


#: added to GROUP_NOTE when even the groups are more than --page-findings
GROUPS_CUT_NOTE = "The {shown} groups with the most severe and most findings are shown, of {groups}."

#: the heading of the advisory findings, apart from the findings (breaches)
ADVISORY_TITLE = "Advisory findings (the auditor's policy thresholds, not breaches of the text)"
ADVISORY_NOTE = (
    "These findings rest on a threshold or reading that the auditor set (a number the text does not fix); they "
    "are not breaches of the text, are not counted in the compliance figures and do not fail a pipeline. The "
    "parameter basis column gives the parameters and their source.")
KIND_NOTE = (
    "Kind: BREACH, the rule is the text's; ADVISORY, the rule is the auditor's policy (a threshold the text does "
    "not fix); MIXED, some findings are advisory. Failed counts every failing record; Advisory, those of them "
    "whose finding is advisory (left out of the compliance figures).")
KIND_TEXT = {
    "advisory": "every finding of this check is advisory: its rule is the auditor's policy, not the text",
    "mixed": "some findings of this check are advisory (they rest on the auditor's policy); the rest are breaches "
             "of the text",
    "breach": "a failure is a breach of the text",
}

# French titles / remediation by check id, used when the check's metadata has none.
CHECK_FR: dict[str, dict[str, str]] = {}


def translate(text: str, lang: str = "en") -> str:
    if lang == "en" or not text:
        return text
    _settle()
    out = FR.get(text)
    if out is None:
        out = catalog.text(text, lang)  # the gettext catalogue (reports/locale/fr)
        if out is None:
            MISSING.add(text)
            return text
    return out


_SETTLED: list[bool] = []


def _settle() -> None:
    """Once, at the first French lookup (every module-level ``FR.update`` has run): French spacing
    before : ; ? ! and inside « » (``catalog.french_spacing``) for the texts of ``FR``."""
    if not _SETTLED:
        _SETTLED.append(True)
        for k, v in FR.items():
            FR[k] = catalog.french_spacing(v)


def translator(lang: str = "en") -> Callable[[str], str]:
    """A ``_(text)`` function for one language."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")

    def _(text: str) -> str:
        return translate(str(text), lang)

    _.lang = lang  # type: ignore[attr-defined]  # charts format numbers in the page's language
    return _


def pct(rate: Any, lang: str = "en") -> str:
    """0.875 -> "87.5%" (en) / "87,5 %" (fr); None -> "n/a" / "n.d."."""
    if rate is None or isinstance(rate, str):
        return translate("n/a", lang) if rate is None else rate
    if lang != "en":  # babel: "87,5\u00a0%" (fr)
        return catalog.percent(float(rate), lang)
    return f"{float(rate) * 100:.1f}%"


def num(value: Any, lang: str = "en", digits: int = 1) -> str:
    """4.25 -> "4.3" (en) / "4,3" (fr) with ``digits`` decimals; None -> "n/a" / "n.d."; a
    banded text ("<5") as it is."""
    if value is None or isinstance(value, str):
        return translate("n/a", lang) if value is None else value
    if lang != "en":  # babel: "1\u202f234,5" (fr)
        return catalog.decimal(float(value), lang, digits)
    return f"{float(value):.{digits}f}"


def check_text(check: dict, field: str, lang: str = "en") -> str:
    """A check's ``title``, ``remediation``, ``rationale``, ``notes`` or ``applies_to`` in ``lang``:
    the check's own ``<field>_fr``, else the catalogue's entry for the English text, else
    ``CHECK_FR``; English marked [EN] when there is none."""
    en = str(check.get(field) or "")
    if lang == "en" or not en:
        return en
    cid = str(check.get("check_id") or check.get("id") or "")
    fr = check.get(f"{field}_fr") or catalog.text(en, lang) or CHECK_FR.get(cid, {}).get(field)
    return catalog.french_spacing(str(fr)) if fr else (FALLBACK_MARK + en if en else en)


def missing_check_texts(checks: list[dict]) -> dict[str, list[str]]:
    """{check_id: [fields without French text]} (for the coordinator)."""
    out: dict[str, list[str]] = {}
    for c in checks:
        cid = str(c.get("check_id") or c.get("id") or "")
        miss = [f for f in ("title", "remediation")
                if not (c.get(f"{f}_fr") or CHECK_FR.get(cid, {}).get(f))]
        if miss:
            out[cid] = miss
    return out


FR.update({
    # page structure
    "Compliance audit": "Audit de conformité",
    "Overall compliance": "Conformité globale",
    "Compliance summary": "Synthèse de conformité",
    "Compliance rate": "Taux de conformité",
    "Findings": "Constats",
    "Checks": "Contrôles",
    "Check": "Contrôle",
    "Check explanations": "Explication des contrôles",
    "Checks evaluated": "Contrôles évalués",
    "Checks failed": "Contrôles non conformes",
    "Checks passed": "Contrôles conformes",
    "Not evaluated": "Non évalués",
    "Scope": "Périmètre",
    "Run": "Exécution",
    "run": "exécution",
    "As of": "Date d'audit",
    "as of": "au",
    "Period": "Période",
    "Rule pack": "Référentiel de règles",
    "rule pack": "référentiel",
    "Tool version": "Version de l'outil",
    # mapping profiles (issue 23): the scope section names the profile the inputs were read through
    "Mapping profile": "Profil de correspondance",
    "version": "version",
    "tables": "tables",
    "The inputs were read through this mapping profile (column renames, value maps, declared date "
    "formats); its exact text is stored with the ingest and covered by the run ledger.":
        "Les données d'entrée ont été lues au moyen de ce profil de correspondance (colonnes renommées, "
        "correspondances de valeurs, formats de date déclarés) ; son texte exact est conservé avec "
        "l'ingestion et couvert par le registre des exécutions.",
    "Inputs": "Données d'entrée",
    "Table": "Table",
    "File": "Fichier",
    "Read": "Lues",
    "Stored": "Enregistrées",
    "Unchanged": "Inchangées",
    "Quarantined": "En quarantaine",
    "Policy and legal parameters": "Paramètres juridiques et de politique",
    "Name": "Nom",
    "Value": "Valeur",
    "Kind": "Nature",
    "Basis": "Fondement",
    "Status": "Statut",
    "Description": "Description",
    "No input files recorded.": "Aucun fichier d'entrée enregistré.",
    "No parameters recorded.": "Aucun paramètre enregistré.",
    "no requests in scope": "aucune demande dans le périmètre",
    "to": "au",
    "{p} passed / {e} evaluated records": "{p} conformes / {e} enregistrements évalués",
    "{n} waived": "{n} dérogations",
    "of {n} in pack": "sur {n} dans le référentiel",
    "{n} errored": "{n} en erreur",
    "Requests in scope: {r} ({d} with disclosure).": "Demandes dans le périmètre : {r} ({d} avec communication).",
    "Generated by auditor {v}": "Produit par auditor {v}",
    "Pseudonymised: no subscriber identifiers are shown.": "Pseudonymisé : aucun identifiant d'abonné n'est affiché.",
    # ranking and comparison
    "Parties ranked by compliance rate": "Parties classées par taux de conformité",
    "Service providers ranked by compliance rate": "Fournisseurs de services classés par taux de conformité",
    "All-Party median compliance rate": "Taux de conformité médian de toutes les Parties",
    "Rank": "Rang",
    "Party": "Partie",
    "Provider": "Fournisseur",
    "Service provider": "Fournisseur de services",
    "Party report": "Rapport de la Partie",
    "Service provider report": "Rapport du fournisseur de services",
    "Passed records": "Enregistrements conformes",
    "Evaluated records": "Enregistrements évalués",
    "No Parties in scope.": "Aucune Partie dans le périmètre.",
    "No service providers in scope.": "Aucun fournisseur de services dans le périmètre.",
    "No {what} in scope.": "Aucun élément ({what}) dans le périmètre.",
    "Comparison with all Parties": "Comparaison avec l'ensemble des Parties",
    "This Party": "Cette Partie",
    "all-Party median": "médiane des Parties",
    "All-Party median": "Médiane des Parties",
    "Difference (points)": "Écart (points)",
    "{n} Parties with evaluated records": "{n} Parties avec des enregistrements évalués",
    "compliance report": "rapport de conformité",
    "back to index": "retour à l'index",
    "Findings and check results for requests issued by this Party.":
        "Constats et résultats des contrôles pour les demandes émises par cette Partie.",
    "Findings and check results for requests addressed to this service provider.":
        "Constats et résultats des contrôles pour les demandes adressées à ce fournisseur de services.",
    "Party profile": "Profil de la Partie",
    "No profile recorded for this Party; defaults of the rule pack apply.":
        "Aucun profil enregistré pour cette Partie ; les valeurs par défaut du référentiel s'appliquent.",
    "Field": "Champ",
    # diff
    "Changes since the previous run": "Évolutions depuis l'exécution précédente",
    "Compared with the previous run on the same data scope":
        "Comparaison avec l'exécution précédente sur le même périmètre de données",
    "No previous run on the same data scope: every finding is new.":
        "Aucune exécution précédente sur le même périmètre de données : tous les constats sont nouveaux.",
    "New": "Nouveaux",
    "Resolved": "Résolus",
    "Persisting": "Persistants",
    "Resolved findings": "Constats résolus",
    "new": "nouveau",
    "persisting": "persistant",
    "waived": "dérogation",
    # findings table
    "Filter findings": "Filtrer les constats",
    "Search": "Rechercher",
    "all": "tous",
    "{n} of {total} rows shown": "{n} lignes affichées sur {total}",
    "Severity": "Gravité",
    "Family": "Famille",
    "Article": "Article",
    "Request": "Demande",
    "Issued": "Émise le",
    "Evidence": "Éléments probants",
    "Waived": "Dérogations",
    "until": "jusqu'au",
    "No findings.": "Aucun constat.",
    GROUP_NOTE: "Cette page compte plus de constats que --page-findings ({limit}) : ces {total} constats sont présentés en {groups} groupes de même contrôle, Partie, fournisseur et message (nombres et identifiants notés #, {{request}} et {{record}}), avec jusqu'à 5 demandes en exemple chacun. Tous les constats figurent dans findings.csv (et findings.json) dans le dossier du rapport.",
    GROUPS_CUT_NOTE: "Sont présentés les {shown} groupes les plus graves et les plus nombreux, sur {groups}.",
    "All findings (CSV)": "Tous les constats (CSV)",
    PAGE_NOTE: "Cette page présente les {shown} constats les plus graves sur {total}. Tous les constats figurent dans findings.json (et findings.csv) dans le dossier du rapport ; --page-findings fixe le nombre de constats par page.",
    # checks
    "Title": "Intitulé",
    "Citation": "Référence",
    "Legal basis": "Base juridique",
    "legal basis": "base juridique",
    "legal basis not yet confirmed": "base juridique non encore confirmée",
    "Outcome": "Résultat",
    "Evaluated": "Évalués",
    "Passed": "Conformes",
    "Failed": "Non conformes",
    "Unknown": "Indéterminés",
    "The rule pack has no checks.": "Le référentiel ne contient aucun contrôle.",
    "Rationale": "Justification",
    "Remediation": "Mesure corrective",
    "Overlapping rules": "Règles qui se recoupent",
    "Attestations": "Attestations",
    "Judgement-only safeguards attested by an auditor; status on the audit date.":
        "Garanties relevant du jugement, attestées par un auditeur ; statut à la date de l'audit.",
    "Safeguard": "Garantie",
    "Result": "Résultat",
    "Attested by": "Attesté par",
    "Expires": "Expire le",
    "expired": "expirée",
    "Outcome in this scope": "Résultat dans ce périmètre",
    "{e} evaluated, {p} passed, {f} failed, {u} unknown":
        "{e} évalués, {p} conformes, {f} non conformes, {u} indéterminés",
    "Policy parameters used": "Paramètres utilisés",
    "Checks that failed or have findings in this scope; the index explains every check.":
        "Contrôles non conformes ou ayant des constats dans ce périmètre ; l'index explique tous les contrôles.",
    "none": "aucun",
    "unknown": "inconnu",
    "yes": "oui",
    "no": "non",
    "n/a": "n.d.",
    "pass": "conforme",
    "fail": "non conforme",
    "not evaluated": "non évalué",
    "error": "erreur",
    "critical": "critique",
    "high": "élevée",
    "medium": "moyenne",
    "low": "faible",
    "info": "information",
    # reconciliation
    "Reconciliation with published transparency figures": "Rapprochement avec les chiffres de transparence publiés",
    "Reconciliation status": "Statut du rapprochement",
    "Metric": "Indicateur",
    "Logged": "Journalisé",
    "Published (low)": "Publié (bas)",
    "Published (high)": "Publié (haut)",
    "Note": "Remarque",
    "consistent": "cohérent",
    "under logged": "sous-journalisé",
    "over logged": "sur-journalisé",
    "not comparable": "non comparable",
    # charts
    "Findings by family": "Constats par famille",
    "Horizontal bar chart of findings by family": "Diagramme en barres horizontales des constats par famille",
    "Compliance rate by family": "Taux de conformité par famille",
    "Compliance rate by family (passed / evaluated records)":
        "Taux de conformité par famille (enregistrements conformes / évalués)",
    "Bar chart of compliance rate by family": "Diagramme en barres du taux de conformité par famille",
    "Compliance rate by Party": "Taux de conformité par Partie",
    "Compliance rate by Party (passed / evaluated records)":
        "Taux de conformité par Partie (enregistrements conformes / évalués)",
    "Bar chart of compliance rate by Party": "Diagramme en barres du taux de conformité par Partie",
    "Compliance rate by Party and family": "Taux de conformité par Partie et par famille",
    "Heat map of compliance rate by Party and family": "Carte thermique du taux de conformité par Partie et par famille",
    "Response time vs legal deadline": "Délai de réponse et délai légal",
    "Response time distribution vs legal deadline": "Distribution des délais de réponse et délai légal",
    "Box plots of days from receipt to response per instrument with the legal deadline marked":
        "Boîtes à moustaches des jours entre réception et réponse par instrument, délai légal indiqué",
    "legal deadline": "délai légal",
    "{o} of {n} over": "{o} sur {n} hors délai",
    "{n} requests": "{n} demandes",
    "days from receipt to response (box: 25-75 %, whiskers: 5-95 %)":
        "jours entre réception et réponse (boîte : 25-75 %, moustaches : 5-95 %)",
    "instrument": "instrument",
    "Findings per {g}": "Constats par {g}",
    "Findings per {g} by Party": "Constats par {g} et par Partie",
    "Findings per {g} by provider": "Constats par {g} et par fournisseur",
    "Line chart of findings per period": "Courbe des constats par période",
    "Line chart of findings per period and Party": "Courbes des constats par période et par Partie",
    "Line chart of findings per period and provider": "Courbes des constats par période et par fournisseur",
    "Bar chart of reconciliation rows by status": "Diagramme en barres des lignes de rapprochement par statut",
    "month": "mois",
    "quarter": "trimestre",
    "findings (count)": "constats (nombre)",
    "family": "famille",
    "requests": "demandes",
    "requests (count)": "demandes (nombre)",
    "rows (count)": "lignes (nombre)",
    "status": "statut",
    "days from receipt to response": "jours entre réception et réponse",
    "legal deadline ({n} days)": "délai légal ({n} jours)",
    "(unknown instrument)": "(instrument inconnu)",
    "passed / evaluated records (%)": "enregistrements conformes / évalués (%)",
    "period (issue date)": "période (date d'émission)",
    "compliance rate": "taux de conformité",
    "no data": "aucune donnée",
    # families (shown with spaces)
    "necessity": "nécessité",
    "proportionality": "proportionnalité",
    "minimisation": "minimisation",
    "retention": "conservation",
    "timeliness": "délais",
    "completeness": "complétude",
    "notification": "notification",
    "supervision": "contrôle",
    "reservation": "réserves",
    "onward transfer": "transferts ultérieurs",
    "security": "sécurité",
    "records": "registres",
    "sensitive data": "données sensibles",
    "automated decision": "décision automatisée",
    "transparency": "transparence",
})


FR.update({
    # packs, kinds, advisory findings, instruments (breach vs advisory; requests outside the audit)
    "a reviewer's reading of the official text": "lecture du texte officiel par un relecteur",
    "breach": "manquement",
    "advisory": "indicatif",
    "mixed": "mixte",
    "Advisory": "Indicatifs",
    "Kind": "Nature",
    "Rule packs": "Référentiels de règles",
    "rule packs": "référentiels",
    "Audited request instruments": "Instruments de demande audités",
    "every request (run of an earlier version)": "toutes les demandes (exécution d'une version antérieure)",
    "breaches of the text": "manquements au texte",
    "Advisory findings": "Constats indicatifs",
    "not in the compliance figures": "hors des chiffres de conformité",
    "Checks with advisory findings": "Contrôles avec constats indicatifs",
    "{n} with advisory findings only": "{n} avec seulement des constats indicatifs",
    "Breach findings by severity": "Manquements par gravité",
    "Read as of the audit date": "Lu à la date de l'audit",
    "event times recorded after the audit date, read as not yet happened":
        "horodatages d'actes postérieurs à la date de l'audit, lus comme non encore survenus",
    # the published edition (reports.publication)
    "All": "Ensemble",
    "Article": "Article",
    "Breach findings": "Manquements",
    "Breach findings per 100 requests": "Manquements pour 100 demandes",
    "Counts from 1 to {n} are shown as \"<{t}\"; counts shown as \"x\" are withheld so that no withheld count can "
    "be worked out from the others (checked by linear programming over every published figure). No request "
    "identifiers, authority names or finding messages are published, and rates are shown only where both of "
    "their counts are.":
        "Les effectifs de 1 à {n} sont affichés « <{t} » ; les effectifs affichés « x » sont masqués afin "
        "qu'aucun effectif masqué ne puisse être déduit des autres (vérifié par programmation linéaire sur "
        "l'ensemble des chiffres publiés). Aucun identifiant de demande, nom d'autorité ni libellé de constat "
        "n'est publié, et un taux n'est affiché que si ses deux effectifs le sont.",
    "Disclosure control": "Contrôle de la divulgation statistique",
    "Figure": "Indicateur",
    "Figures": "Chiffres",
    "Findings per check": "Constats par contrôle",
    "No row was set aside.": "Aucune ligne n'a été écartée.",
    "Parties": "Parties",
    "Published edition.": "Édition publiée.",
    "Published edition: all Parties and providers": "Édition publiée : toutes les Parties et tous les fournisseurs "
                                                    "de services",
    "Records evaluated": "Enregistrements évalués",
    "Records evaluated: a request counts once for each breach check that evaluates it (and each disclosure or "
    "custody event once per check). Breach and advisory findings are active findings (waived ones are not "
    "counted). The compliance rate is not published: with its denominator it would give the findings count away.":
        "Enregistrements évalués : une demande compte une fois pour chaque contrôle de manquement qui l'évalue "
        "(et chaque communication ou événement de conservation une fois par contrôle). Les manquements et les "
        "constats indicatifs sont les constats actifs (ceux qui font l'objet d'une dérogation ne sont pas "
        "comptés). Le taux de conformité n'est pas publié : accompagné de son dénominateur, il révélerait le "
        "nombre de manquements.",
    "Rows set aside at intake": "Lignes écartées à la réception",
    "Service providers": "Fournisseurs de services",
    "The published edition gives each Party's and provider's figures over all checks; findings per check and per "
    "severity are published for all Parties together.":
        "L'édition publiée donne les chiffres de chaque Partie et de chaque fournisseur de services pour "
        "l'ensemble des contrôles ; les constats par contrôle et par gravité sont publiés pour l'ensemble des "
        "Parties.",
    "all reasons": "tous motifs",
    "all tables": "toutes les tables",
    "published edition": "édition publiée",
    "{cells} published counts; {primary} below {t} shown as \"<{t}\", {complementary} more withheld (\"x\") so "
    "that none of them can be worked out from the others.":
        "{cells} effectifs publiés ; {primary} inférieurs à {t} affichés « <{t} », {complementary} autres "
        "masqués (« x ») afin qu'aucun ne puisse être déduit des autres.",
    "{a} under an audited instrument, {o} outside the audited instruments (counted, not judged).":
        "{a} relevant d'un instrument audité, {o} hors des instruments audités (comptées, non jugées).",
    "Compliance by legal instrument": "Conformité par instrument juridique",
    "Instrument": "Instrument",
    "Request instruments": "Instruments de demande",
    "Request instrument": "Instrument de demande",
    "Requests audited": "Demandes auditées",
    "Requests": "Demandes",
    "Severity columns count breach findings; compliance rates leave advisory records out.":
        "Les colonnes de gravité comptent les manquements ; les taux de conformité excluent les enregistrements "
        "indicatifs.",
    "Requests outside the audited instruments": "Demandes hors des instruments audités",
    "{n} requests were outside the audited instruments (no check of this run governs them) and were therefore "
    "not judged: {what}.":
        "{n} demandes relevaient d'instruments non audités (aucun contrôle de cette exécution ne les régit) et "
        "n'ont donc pas été jugées : {what}.",
    "None: every request in scope is under an audited instrument.":
        "Aucune : toutes les demandes du périmètre relèvent d'un instrument audité.",
    "Pack / request instrument": "Référentiel / instrument de demande",
    "Parameter basis": "Fondement des paramètres",
    "No advisory findings.": "Aucun constat indicatif.",
    "Breaches of the text. Advisory findings are listed apart, below.":
        "Manquements au texte. Les constats indicatifs sont présentés à part, ci-dessous.",
    ADVISORY_TITLE: "Constats indicatifs (seuils de politique de l'auditeur, et non manquements au texte)",
    ADVISORY_NOTE: "Ces constats reposent sur un seuil ou une lecture fixés par l'auditeur (un nombre que le texte "
                   "ne fixe pas) ; ce ne sont pas des manquements au texte, ils ne sont pas comptés dans les "
                   "chiffres de conformité et ne font pas échouer une chaîne d'intégration. La colonne « fondement "
                   "des paramètres » donne les paramètres et leur source.",
    KIND_NOTE: "Nature : MANQUEMENT, la règle est celle du texte ; INDICATIF, la règle relève de la politique de "
               "l'auditeur (un seuil que le texte ne fixe pas) ; MIXTE, certains constats sont indicatifs. Non "
               "conformes compte tous les enregistrements en échec ; Indicatifs, ceux dont le constat est "
               "indicatif (exclus des chiffres de conformité).",
    KIND_TEXT["advisory"]: "tous les constats de ce contrôle sont indicatifs : sa règle relève de la politique de "
                           "l'auditeur, non du texte",
    KIND_TEXT["mixed"]: "certains constats de ce contrôle sont indicatifs (ils reposent sur la politique de "
                        "l'auditeur) ; les autres sont des manquements au texte",
    KIND_TEXT["breach"]: "un échec est un manquement au texte",
    "governs": "régit",
    # who must act (reports.aggregate.DUTY_LABELS)
    "Who must act": "Qui doit agir",
    "Issuing authority": "Autorité d'émission",
    "Requested Party": "Partie requise",
    "Receiving authority": "Autorité destinataire",
    "{a} of the failed records advisory": "dont {a} enregistrements en échec indicatifs",
})


# reports at a glance, rankings, guide, runs over time, data quality, Party profile labels (issue 19)
FR.update({
    # at a glance (reports.headline, templates/glance.html)
    "At a glance": "Vue d'ensemble",
    "How to read this report": "Comment lire ce rapport",
    "Request audited": "Demande auditée",
    "of {n} in the audited period; {o} outside the audited instruments": "sur {n} de la période auditée ; {o} hors des instruments audités",
    "Requests with a breach finding": "Demandes avec manquement",
    "Requests with a finding": "Demandes avec constat",
    "not waived, not advisory": "hors dérogations et constats indicatifs",
    "Critical + high findings per 100 requests": "Constats de gravité critique ou élevée pour 100 demandes",
    "{c} critical, {h} high, {m} medium, {l} low": "critique : {c}, élevée : {h}, moyenne : {m}, faible : {l}",
    "Checks not evaluated": "Contrôles non évalués",
    "why: in the check table below": "motif : dans le tableau des contrôles ci-dessous",
    "all {n} checks gave a result": "les {n} contrôles ont tous donné un résultat",
    "Input rows quarantined": "Lignes d'entrée mises en quarantaine",
    "data-quality defects, by reason": "défauts de qualité des données, par motif",
    "data-quality defects": "défauts de qualité des données",
    "The provider's own findings": "Constats propres au fournisseur",
    "of {n} breach findings on its requests; the rest are the authorities'":
        "sur {n} manquements relevés sur ses demandes ; les autres visent les autorités",
    "the auditor's policy, not breaches; not counted above":
        "politique de l'auditeur, et non manquements ; non comptés ci-dessus",
    # rankings
    "Needs attention first": "À examiner en priorité",
    "Ranked by severity-weighted breach findings per 100 audited requests (weights: critical {c}, high {h}, "
    "medium {m}, low {l}); a Party or provider with fewer than {n} audited requests is not ranked. Providers are "
    "ranked on their own duties only.":
        "Classement selon les manquements pondérés par gravité pour 100 demandes auditées (pondérations : critique "
        "{c}, élevée {h}, moyenne {m}, faible {l}) ; une Partie ou un fournisseur ayant moins de {n} demandes "
        "auditées n'est pas classé. Les fournisseurs ne sont classés que sur leurs propres obligations.",
    "Parties ranked by weighted findings per request": "Parties classées par constats pondérés par demande",
    "Service providers ranked by their own findings per request":
        "Fournisseurs de services classés par leurs propres constats par demande",
    "A provider is scored on the findings whose duty is the provider's; the issuing, requested and receiving "
    "authorities' findings on requests to it are counted apart.":
        "Un fournisseur est évalué sur les constats dont l'obligation lui incombe ; les constats visant l'autorité "
        "d'émission, la Partie requise ou l'autorité destinataire sur les demandes qui lui sont adressées sont "
        "comptés à part.",
    "Weighted per 100 [95 % CI]": "Pondéré pour 100 [IC 95 %]",
    "Severity-weighted breach findings per 100 audited requests, with a 95 % confidence interval":
        "Manquements pondérés par gravité pour 100 demandes auditées, avec un intervalle de confiance à 95 %",
    "severity-weighted breach findings per 100 requests (95 % CI)":
        "manquements pondérés par gravité pour 100 demandes (IC 95 %)",
    "Critical + high": "Critique + élevée",
    "Most severe": "Gravité maximale",
    "most severe finding": "constat le plus grave",
    "Authorities' findings": "Constats visant les autorités",
    "Findings whose duty is an authority's (issuing, requested or receiving), on requests to this provider: not "
    "counted against the provider":
        "Constats dont l'obligation incombe à une autorité (d'émission, de la Partie requise ou destinataire), sur "
        "les demandes adressées à ce fournisseur : non imputés au fournisseur",
    "Authorities' findings on requests to this provider":
        "Constats visant les autorités sur les demandes adressées à ce fournisseur",
    "Breaches of the issuing, requested or receiving authority's duties on requests addressed to this provider: "
    "listed for context, not the provider's failures.":
        "Manquements aux obligations de l'autorité d'émission, de la Partie requise ou de l'autorité destinataire "
        "sur les demandes adressées à ce fournisseur : présentés pour information, ils ne sont pas imputables au "
        "fournisseur.",
    "Breaches of a duty the text places on the service provider. Advisory findings are listed apart, below.":
        "Manquements à une obligation que le texte impose au fournisseur de services. Les constats indicatifs sont "
        "présentés à part, ci-dessous.",
    "All {n} ranked below": "Classement complet ({n}) ci-dessous",
    "fewer than {n} audited requests": "moins de {n} demandes auditées",
    "insufficient data": "données insuffisantes",
    "insufficient data (fewer than {n} requests)": "données insuffisantes (moins de {n} demandes)",
    "Weighted findings per 100 requests": "Constats pondérés pour 100 demandes",
    "Weighted findings per 100 requests by Party": "Constats pondérés pour 100 demandes, par Partie",
    "Weighted findings per 100 requests by Party (worst first; hatched: insufficient data)":
        "Constats pondérés pour 100 demandes, par Partie (les moins bonnes en premier ; hachuré : données "
        "insuffisantes)",
    "Bar chart of severity-weighted breach findings per 100 requests by Party, with 95 % confidence intervals":
        "Diagramme en barres des manquements pondérés par gravité pour 100 demandes, par Partie, avec intervalles "
        "de confiance à 95 %",
    "breach findings per 100 requests": "manquements pour 100 demandes",
    "Findings per 100 requests": "Constats pour 100 demandes",
    "Check results": "Résultats des contrôles",
    "Check results by Party": "Résultats des contrôles par Partie",
    "Check results by service provider": "Résultats des contrôles par fournisseur de services",
    "Compliance rate: passed / evaluated records over every check, where a request counts once for each check "
    "that evaluates it (and each disclosure or custody event once per check); advisory findings are left out. It "
    "measures how much of the log passes, not how many requests have a defect: see At a glance.":
        "Taux de conformité : enregistrements conformes / évalués sur l'ensemble des contrôles, une demande "
        "comptant une fois pour chaque contrôle qui l'évalue (et chaque communication ou événement de traitement "
        "une fois par contrôle) ; les constats indicatifs sont exclus. Il mesure la part du journal qui est "
        "conforme, non le nombre de demandes présentant un défaut : voir « Vue d'ensemble ».",
    # guide (templates/guide.html)
    "What was audited": "Objet de l'audit",
    "The auditor reads the logs of cross-border requests for electronic evidence (requests and orders, the "
    "providers' disclosures, and the custody events of the data received) and runs safeguard checks that each "
    "cite the article and paragraph they rest on. Each request is judged only by the rules of the instrument it "
    "was made under: the CETS 224 checks judge requests made under the Second Additional Protocol (Arts. 6-10) "
    "and the data received under them; the EU 2023/1543 checks judge European Production and Preservation "
    "Orders.":
        "L'auditeur lit les journaux des demandes transfrontières de preuves électroniques (demandes et "
        "injonctions, communications des fournisseurs et événements de traitement des données reçues) et exécute "
        "des contrôles des garanties, qui citent chacun l'article et le paragraphe sur lesquels ils reposent. "
        "Chaque demande n'est jugée qu'au regard des règles de l'instrument au titre duquel elle a été faite : les "
        "contrôles CETS 224 jugent les demandes faites au titre du deuxième Protocole additionnel (art. 6 à 10) "
        "et les données reçues à ce titre ; les contrôles du règlement (UE) 2023/1543 jugent les injonctions "
        "européennes de production et de conservation.",
    "Requests under mutual legal assistance or another instrument are outside the audited instruments: they are "
    "counted on every page and never judged.":
        "Les demandes relevant de l'entraide judiciaire ou d'un autre instrument sont hors des instruments "
        "audités : elles sont comptées sur chaque page et ne sont jamais jugées.",
    "Terms": "Définitions",
    "A request whose instrument some check of the run governs, issued in the audited period.":
        "Demande émise pendant la période auditée, au titre d'un instrument couvert par au moins un contrôle de "
        "l'exécution.",
    "Record": "Enregistrement",
    "What a check evaluates: a request, a disclosure or a custody event. A request counts once for every check "
    "that evaluates it, so the number of records is larger than the number of requests.":
        "Ce qu'évalue un contrôle : une demande, une communication ou un événement de traitement. Une demande "
        "compte une fois pour chaque contrôle qui l'évalue ; le nombre d'enregistrements est donc supérieur au "
        "nombre de demandes.",
    "Evaluated, passed, failed": "Évalué, conforme, non conforme",
    "A record is evaluated when the check could decide; it passed or failed. A record the check could not "
    "decide (a needed value is missing) is unknown, with the reason, and is not in the compliance rate.":
        "Un enregistrement est évalué lorsque le contrôle a pu statuer : il est alors conforme ou non conforme. Un "
        "enregistrement sur lequel le contrôle n'a pas pu statuer (faute d'une valeur nécessaire) est "
        "indéterminé, avec le motif, et n'entre pas dans le taux de conformité.",
    "Passed records divided by evaluated records, over every check (breach rules only). It says how much of the "
    "log passes; it does not say how many requests have a defect: that is the share of requests with a breach "
    "finding.":
        "Enregistrements conformes divisés par les enregistrements évalués, sur l'ensemble des contrôles (hors "
        "règles indicatives). Il indique la part du journal qui est conforme ; il n'indique pas combien de "
        "demandes présentent un défaut : c'est la part des demandes avec manquement.",
    "Finding": "Constat",
    "A failed record, with the check, its article and a message. One request may have several findings.":
        "Un enregistrement non conforme, avec le contrôle, son article et un message. Une même demande peut "
        "donner lieu à plusieurs constats.",
    "The rankings' measure: each breach finding counts its severity's weight (critical {c}, high {h}, medium "
    "{m}, low {l}, info {i}), summed over a Party's or provider's audited requests and divided by their number, "
    "times 100. The interval is a 95 % confidence interval of that mean. With fewer than {n} audited requests a "
    "Party or provider shows insufficient data and is not ranked. The weights and the minimum are the auditor's "
    "policy (pack parameters), not the text's.":
        "Mesure retenue pour les classements : chaque manquement compte pour le poids de sa gravité (critique "
        "{c}, élevée {h}, moyenne {m}, faible {l}, information {i}) ; ces poids sont additionnés sur les demandes "
        "auditées d'une Partie ou d'un fournisseur, divisés par le nombre de ces demandes et multipliés par 100. "
        "L'intervalle est un intervalle de confiance à 95 % de cette moyenne. Avec moins de {n} demandes "
        "auditées, une Partie ou un fournisseur est signalé « données insuffisantes » et n'est pas classé. Les "
        "pondérations et le minimum relèvent de la politique de l'auditeur (paramètres du référentiel), non du "
        "texte.",
    "No figure: nothing was evaluated (no record of that kind in the scope). Hatched cells and bars on the charts "
    "are n/a, never a value.":
        "Aucun chiffre : rien n'a été évalué (aucun enregistrement de ce type dans le périmètre). Les cellules et "
        "les barres hachurées des graphiques signifient n.d., jamais une valeur.",
    "In a Party profile: the value is not recorded (neither in the shipped chart nor in the user's file); checks "
    "that need it leave the record unknown.":
        "Dans un profil de Partie : la valeur n'est pas renseignée (ni dans le tableau fourni avec l'auditeur, ni "
        "dans le fichier de l'utilisateur) ; les contrôles qui en ont besoin laissent l'enregistrement "
        "indéterminé.",
    "A finding the audit team accepted until a date, with a reason (the waivers file). Waived findings are "
    "listed, marked, and not counted.":
        "Constat que l'équipe d'audit a accepté jusqu'à une date donnée, pour un motif indiqué (fichier des "
        "dérogations). Les constats faisant l'objet d'une dérogation sont listés, signalés et non comptés.",
    "Breach and advisory": "Manquements et constats indicatifs",
    "BREACH": "MANQUEMENT",
    "ADVISORY": "INDICATIF",
    "MIXED": "MIXTE",
    "The rule is the text's: a failure is a breach of the instrument.":
        "La règle est celle du texte : un échec constitue un manquement à l'instrument.",
    "The rule rests on a threshold or reading the auditor set (a number the text does not fix, such as a grace "
    "period): a finding is a matter to look at, not a breach. Advisory findings are listed apart, are not in any "
    "compliance figure or ranking, and do not fail a pipeline.":
        "La règle repose sur un seuil ou une lecture fixés par l'auditeur (un nombre que le texte ne fixe pas, "
        "tel qu'un délai de grâce) : un constat est un point à examiner, non un manquement. Les constats "
        "indicatifs sont présentés à part, n'entrent dans aucun chiffre de conformité ni aucun classement et ne "
        "font pas échouer une chaîne d'intégration.",
    "Some findings of the check are breaches and some advisory; each finding says which.":
        "Certains constats du contrôle sont des manquements, d'autres sont indicatifs ; chaque constat précise "
        "sa nature.",
    "Status of the legal basis": "Statut de la base juridique",
    "Confirmed: the provision was read in the official text.":
        "Confirmée : la disposition a été lue dans le texte officiel.",
    "Partly confirmed: a source shows the paragraph exists (for example a Party's declaration cites it), but its "
    "wording was not read.":
        "Partiellement confirmée : une source atteste l'existence du paragraphe (par exemple, la déclaration "
        "d'une Partie le cite), mais son libellé n'a pas été lu.",
    "A reviewer's reading of the official text: stronger than unconfirmed, still to be checked word for word.":
        "Lecture du texte officiel par un relecteur : plus sûre qu'une base non confirmée, elle reste à vérifier "
        "mot à mot.",
    "Recalled from the official text, not yet verified against it. A finding of such a check is reported with "
    "this mark so that the reader can weigh it.":
        "Restituée de mémoire d'après le texte officiel, sans vérification sur celui-ci à ce stade. Un constat "
        "d'un tel contrôle porte cette mention afin que le lecteur puisse en apprécier la portée.",
    "Check outcomes": "Résultats possibles d'un contrôle",
    "PASS": "CONFORME",
    "FAIL": "NON CONFORME",
    "NOT EVALUATED": "NON ÉVALUÉ",
    "ERROR": "ERREUR",
    "Every evaluated record passed.": "Tous les enregistrements évalués sont conformes.",
    "At least one breach finding.": "Au moins un manquement.",
    "Advisory findings only.": "Uniquement des constats indicatifs.",
    "The check could not run: a column or table it needs is missing from the log, or no request is in its "
    "scope. The reason is given with the check. A check not evaluated is not a pass.":
        "Le contrôle n'a pas pu être exécuté : une colonne ou une table dont il a besoin manque dans le journal, "
        "ou aucune demande n'entre dans son périmètre. Le motif est indiqué avec le contrôle. Un contrôle non "
        "évalué n'est pas un contrôle conforme.",
    "The check failed to run (a bug or unexpected data); the run says so and --strict fails it.":
        "Le contrôle s'est interrompu sur une erreur (anomalie logicielle ou données inattendues) ; l'exécution "
        "le signale et, avec --strict, échoue.",
    "Every finding names the holder of the duty the rule states: the issuing authority (the authority that "
    "issued the order or request), the requested Party (its authority that serves, decides or notifies), the "
    "service provider, or the receiving authority (the authority that holds the data received: retention, "
    "onward transfer, security, records). A provider's page shows the provider's own findings apart from the "
    "authorities' findings on requests to it.":
        "Chaque constat désigne le titulaire de l'obligation énoncée par la règle : l'autorité d'émission "
        "(l'autorité qui a émis l'injonction ou la demande), la Partie requise (celle de ses autorités qui "
        "signifie, statue ou notifie), le fournisseur de services ou l'autorité destinataire (l'autorité qui "
        "détient les données reçues : conservation, transferts ultérieurs, sécurité, registres). La page d'un "
        "fournisseur présente ses propres constats séparément des constats visant les autorités sur les demandes "
        "qui lui sont adressées.",
    "Audit period": "Période d'audit",
    "The audit date (as of) is the day the log is judged at: deadlines still running on that day are not "
    "breaches. Requests issued after the audit date, or outside the period chosen with --from and --to, are left "
    "out and counted in the scope section. On trend charts the last period is marked partial when the audit date "
    "falls before its end.":
        "La date d'audit (« au ») est la date à laquelle le journal est apprécié : les délais encore en cours ce "
        "jour-là ne constituent pas des manquements. Les demandes émises après la date d'audit, ou hors de la "
        "période choisie avec --from et --to, sont écartées et comptées dans la section « Périmètre ». Sur les "
        "graphiques d'évolution, la dernière période est signalée comme partielle lorsque la date d'audit est "
        "antérieure à sa fin.",
    "Published reports": "Rapports publiés",
    "This report is not for publication: it lists request ids and finding messages. --publish writes the "
    "published edition instead: counts per Party, provider, check and severity only, small counts shown as a "
    "band (for example <5) and further counts withheld (x) so that none can be worked out from the others.":
        "Ce rapport n'est pas destiné à la publication : il énumère des identifiants de demande et les libellés "
        "des constats. --publish produit à la place l'édition publiée : des effectifs par Partie, par "
        "fournisseur de services, par contrôle et par gravité uniquement, les faibles effectifs affichés sous "
        "forme de tranche (par exemple <5) et d'autres effectifs masqués (x) afin qu'aucun ne puisse être "
        "déduit des autres.",
    # runs over time (templates/runs.html)
    "Runs over time": "Historique des exécutions",
    "Every finished run stored in this database up to this one, oldest first. Breach findings per 100 audited "
    "requests, before waivers; advisory findings are not counted. Runs audit what was in the database at their "
    "date with the rule pack versions shown: a change of pack version can change the figures by itself.":
        "Toutes les exécutions terminées enregistrées dans cette base de données jusqu'à celle-ci, de la plus "
        "ancienne à la plus récente. Manquements pour 100 demandes auditées, avant dérogations ; les constats "
        "indicatifs ne sont pas comptés. Chaque exécution audite le contenu de la base à sa date, avec les "
        "versions de référentiel indiquées : un changement de version de référentiel peut à lui seul modifier "
        "les chiffres.",
    "Started": "Début",
    "this run": "cette exécution",
    "Line chart of breach findings per 100 requests per Party across runs":
        "Courbes des manquements pour 100 demandes par Partie, d'une exécution à l'autre",
    "Breach findings per 100 requests across runs, by Party":
        "Manquements pour 100 demandes d'une exécution à l'autre, par Partie",
    "Per Party": "Par Partie",
    "No finished run is stored.": "Aucune exécution terminée n'est enregistrée.",
    # data quality
    "Data quality": "Qualité des données",
    "Input rows that were not stored, by reason: each was quarantined with its file, row and column (auditor "
    "quarantine lists them). A quarantined request is not audited; fix the row and ingest the file again.":
        "Lignes d'entrée non enregistrées, par motif : chacune a été mise en quarantaine avec son fichier, sa "
        "ligne et sa colonne (auditor quarantine les liste). Une demande en quarantaine n'est pas auditée ; "
        "corriger la ligne puis importer de nouveau le fichier.",
    "No input row was quarantined.": "Aucune ligne d'entrée n'a été mise en quarantaine.",
    "Column": "Colonne",
    "Rows": "Lignes",
    # Party profile labels (reports.labels)
    "Source": "Source",
    "Ratified CETS 224 on": "A ratifié le Protocole CETS 224 le",
    "CETS 224 in force for this Party from": "Protocole CETS 224 en vigueur pour cette Partie à compter du",
    "Reservation: does not apply Article 7 (no direct orders to its providers)":
        "Réserve : n'applique pas l'article 7 (aucune injonction directe à ses fournisseurs)",
    "Declaration: Art. 7 orders to its providers need a prosecutor's, judicial or independent authority's "
    "supervision":
        "Déclaration : les injonctions de l'art. 7 adressées à ses fournisseurs requièrent la supervision d'un "
        "procureur, d'une autorité judiciaire ou d'une autorité indépendante",
    "Requires simultaneous notification of Art. 7 orders to its providers":
        "Exige la notification simultanée des injonctions de l'art. 7 adressées à ses fournisseurs",
    "Reservation: does not give effect to Art. 8 orders for traffic data":
        "Réserve : ne donne pas effet aux injonctions de l'art. 8 portant sur des données relatives au trafic",
    "Requires an Art. 7 order to have been tried before an Art. 8 request":
        "Exige qu'une injonction de l'art. 7 ait été tentée avant toute demande de l'art. 8",
    "Art. 8 requests must go through its central authority":
        "Les demandes de l'art. 8 doivent être transmises par son autorité centrale",
    "Does not give effect to emergency requests for subscriber information only (Art. 9)":
        "Ne donne pas effet aux demandes d'urgence portant uniquement sur des informations relatives aux "
        "abonnés (art. 9)",
    "Accepts emergency mutual assistance requests by direct channels (Art. 10)":
        "Accepte les demandes d'entraide d'urgence transmises par des canaux directs (art. 10)",
    "Has published the general notice of Art. 14": "A publié l'avis général de l'art. 14",
    "Domestic maximum retention of received data (days)":
        "Durée maximale de conservation des données reçues prévue par le droit interne (jours)",
    "Hours within which a security incident is notified to the transferring Party":
        "Délai de notification d'un incident de sécurité à la Partie ayant transféré les données (heures)",
    "Authority notified of security incidents": "Autorité à laquelle les incidents de sécurité sont notifiés",
    "Transfers to this Party suspended from": "Transferts vers cette Partie suspendus à compter du",
    "Transfers to this Party suspended until": "Transferts vers cette Partie suspendus jusqu'au",
    "Member State bound by Regulation (EU) 2023/1543": "État membre lié par le règlement (UE) 2023/1543",
    "the auditor's shipped profile (seeded from the CETS 224 signature and ratification chart)":
        "le profil fourni avec l'auditeur (établi à partir du tableau des signatures et ratifications du "
        "Protocole CETS 224)",
    "the parties file of the audited log": "le fichier des Parties du journal audité",
    "the parties file of the audited log, completed by the auditor's shipped profile":
        "le fichier des Parties du journal audité, complété par le profil fourni avec l'auditeur",
    "none: not in the shipped chart or the log's parties file; the rule pack's defaults apply":
        "aucun : absent du tableau fourni avec l'auditeur et du fichier des Parties du journal ; les valeurs par "
        "défaut du référentiel s'appliquent",
})


def _rem(**texts: str) -> None:
    for cid, text in texts.items():
        CHECK_FR.setdefault(cid, {})["remediation"] = text


# French remediation for checks whose metadata has none (check metadata takes precedence).
_rem(
    AUT001="Faire examiner chaque décision automatisée par une personne et l'enregistrer comme événement "
           "human_review.",
    COM001="Compléter l'injonction avant son envoi : ajouter la déclaration relative au Protocole et l'infraction.",
    COM002="Retirer l'injonction directe et transmettre la demande au titre de l'art. 8 ou de l'entraide judiciaire.",
    COM003="Recourir à l'entraide judiciaire ou à un autre instrument applicable tant que le Protocole n'est pas "
           "en vigueur entre les deux Parties.",
    COM004="Compléter la demande (contact_point, data_description, protocol_statement, return_timeframe_days) "
           "avant de l'adresser à l'entité d'enregistrement.",
    COM005="Indiquer dans l'injonction les données recherchées, les identifiants (identifiers_count) et la période "
           "(data_time_from/to).",
    COM006="Joindre à chaque injonction legal_basis, la peine maximale encourue, un contact_point et "
           "return_timeframe_days.",
    COM007="Rattacher la demande de l'art. 8 à l'injonction de l'art. 7 tentée d'abord, ou consigner pourquoi "
           "aucune ne l'a été (no_prior_attempt_reason).",
    COM008="Compléter la demande (protocol_statement, offence, data_description, legal_basis, contact_point) "
           "avant de la transmettre.",
    COM009="Compléter la demande d'urgence (protocol_statement, offence, legal_basis, offence_max_penalty_years, "
           "data_description).",
    EU001="Recourir à l'entraide judiciaire ou à la décision d'enquête européenne pour les injonctions émises "
          "avant la date d'application.",
    EU002="Transmettre les injonctions hors du champ territorial du règlement par l'entraide judiciaire ou une "
          "injonction nationale.",
    EU003="Faire émettre ou valider l'injonction par un juge, une juridiction ou un procureur et consigner "
          "validating_authority(_type).",
    EU004="Faire émettre ou valider les injonctions relatives aux données de trafic et de contenu par un juge ou "
          "une juridiction et consigner validating_authority(_type).",
    EU005="Consigner les motifs de nécessité et de proportionnalité au dossier avant l'émission de l'injonction.",
    EU006="N'émettre d'EPOC relatives au trafic ou au contenu que pour les infractions au-delà du seuil ou "
          "figurant sur la liste ; à défaut, demander des données relatives aux abonnés ou recourir à un autre "
          "instrument.",
    EU007="N'émettre d'EPOC d'exécution de peine que pour des peines d'au moins 4 mois, non prononcées par "
          "défaut, lorsque la personne s'est soustraite à la justice.",
    EU008="Adresser l'EPOC à l'autorité d'exécution en même temps qu'au fournisseur, ou consigner les motifs de "
          "l'art. 8(2) (art8_2_exception).",
    EU009="Relancer le fournisseur pour les EPOC restées sans réponse et, après l'échéance, envisager "
          "l'exécution au titre de l'art. 16.",
    EU010="Relancer immédiatement le contact d'urgence du fournisseur pour les EPOC d'urgence sans réponse et "
          "consigner le délai de réponse.",
    EU011="Confirmer la demande de production ou demander l'unique prolongation avant le 60e jour ; à défaut, "
          "laisser le fournisseur libérer les données.",
    EU012="Informer la personne en indiquant les voies de recours, ou consigner le motif du report "
          "(notification_blocked_by).",
    EU013="Compléter le certificat avant son envoi : référence du dossier, autorité de validation, échéance et "
          "autorité de contact.",
    EU014="Demander au fournisseur le motif de l'annexe III et le consigner dans refusal_ground avec les codes "
          "du référentiel.",
    EU015="Faire émettre ou valider les injonctions de conservation par un juge, une juridiction ou un procureur "
          "et consigner validating_authority(_type).",
    MIN001="Restituer ou effacer les données hors des catégories demandées, consigner l'effacement et signaler la "
           "communication excessive au fournisseur ou à la Partie requise.",
    MIN002="Limiter les injonctions de l'art. 7 aux informations relatives aux abonnés ; demander les autres "
           "catégories au titre de l'art. 8 ou de l'entraide judiciaire.",
    MIN003="Limiter la demande de l'art. 6 aux données d'enregistrement de noms de domaine (domain_registration) ; "
           "demander les autres données par l'instrument qui le permet.",
    MIN004="Retirer le contenu (et les données d'enregistrement de domaine) de la demande de l'art. 8 ; demander "
           "le contenu par l'entraide judiciaire.",
    NEC002="Consigner case_reference et purpose sur chaque demande avant son envoi.",
    NOT001="Notifier la Partie du fournisseur le jour de l'envoi de l'injonction et consigner notification_sent_at.",
    NOT002="Informer la personne, ou consigner l'ordonnance de confidentialité ou tout autre motif qui diffère "
           "l'information (notification_blocked_by).",
    NOT003="Adresser les demandes d'entraide d'urgence à l'autorité centrale, ou à un canal déclaré avec copie "
           "simultanée à celle-ci.",
    ONW001="Suspendre le transfert jusqu'à l'autorisation de l'autorité de la Partie ayant transféré les données ; "
           "consigner l'autorisation comme événement transfer_authorised désignant le destinataire avant le "
           "transfert.",
    ONW002="Consigner pour chaque partage l'autorité destinataire (counterparty) et la référence de son "
           "engagement au titre de l'art. 14 (reference).",
    PRO002="Faire émettre ou valider les injonctions adressées aux fournisseurs des Parties déclarantes par un "
           "procureur, un juge ou une autorité indépendante, et le consigner (authority_type / "
           "validating_authority_type).",
    PRO003="Restreindre la demande aux identifiants et à la période nécessaires à l'enquête, ou consigner pourquoi "
           "un périmètre plus large est proportionné et relever le seuil pour cet audit.",
    REC001="Consigner l'auteur et la référence de l'affaire ou de l'autorisation pour chaque accès, utilisation "
           "et communication.",
    RES001="Limiter la demande de l'art. 8 aux informations relatives aux abonnés et demander les données de "
           "trafic par l'entraide judiciaire.",
    RES002="Transmettre à nouveau la demande par l'autorité centrale (channel = central_authority).",
    RES003="Utiliser une injonction de l'art. 7 ou une demande de l'art. 8 pour les informations relatives aux "
           "abonnés adressées à une Partie déclarante.",
    RET001="Effacer les données (et consigner un événement deleted), ou réexaminer la nécessité de les conserver "
           "et consigner ce réexamen (retention_reviewed) avec une nouvelle date retention_set, avant l'échéance.",
    RET002="Fixer la date de conservation au plus tard au maximum prévu par le droit interne après réception, ou "
           "consigner le fondement juridique d'une durée plus longue.",
    RET003="Fixer la prochaine date de réexamen (retention_set until) au plus tard à l'intervalle de réexamen "
           "après la réception ou le dernier réexamen des données.",
    SEC001="Notifier sans délai l'incident à l'autorité ayant transféré les données et consigner un événement "
           "incident_notified.",
    SEN001="Appliquer et consigner une garantie (safeguard_reference) pour chaque communication signalée comme "
           "sensible.",
    TIM001="Signifier promptement les injonctions de l'art. 8 et consigner served_at ; consigner le motif de tout "
           "retard au-delà du délai.",
    TIM002="Ordonner la production dans les délais de l'art. 8(6) et relancer le fournisseur avant l'expiration "
           "du délai.",
    TIM003="Attendre la réponse du fournisseur jusqu'à l'expiration du délai, ou consigner son refus, avant "
           "toute relance hiérarchique.",
    TIM004="Statuer sur les demandes d'urgence dans le délai fixé et consigner la décision (une ligne de "
           "communication, refus compris).",
)


# the time-limit chart (reports.charts.deadline_chart: the checks' clocks) and partial trend periods
FR.update({
    'Time limits as the checks measure them': 'Délais tels que les contrôles les mesurent',
    'Box plots of the days or hours each time-limit check measured, with the limit that applied marked': 'Boîtes à moustaches des jours ou heures mesurés par chaque contrôle de délai, avec la limite applicable',
    'not available for this run: made by an earlier version': 'indisponible pour cette exécution : faite par une version antérieure',
    'The last period, {p}, is partial.': 'La dernière période, {p}, est partielle.',
    '(partial)': '(partielle)',
    'reasonable-efforts target': 'objectif de diligence raisonnable',
    "the auditor's policy threshold": "seuil fixé par la politique de l'auditeur",
    'escalation period (escalation allowed after it; not a deadline)': "délai d'attente avant relais (relais permis ensuite ; pas un délai de réponse)",
    'waiting period (production not before its end)': "délai d'attente (pas de production avant son terme)",
    '{o} of {n} too early': '{o} sur {n} trop tôt',
    '(advisory)': '(indicatif)',
    '{n} advisory': '{n} indicatif(s)',
    'Requests still open on the audit date are measured to the audit date.': "Les demandes encore ouvertes à la date d'audit sont mesurées jusqu'à cette date.",
    'days': 'jours',
    'hours': 'heures',
    'box: 25-75 %, whiskers: 5-95 %': 'boîte : 25-75 %, moustaches : 5-95 %',
    'days from receipt of all the Art. 8(3)-(4) information to service': "jours entre la réception de toutes les informations de l'art. 8(3)-(4) et la signification",
    'days from service to the ordered return date': 'jours entre la signification et la date de remise ordonnée',
    'days from service to the first response (evidence: no ordered return date)': 'jours entre la signification et la première réponse (indice : pas de date de remise ordonnée)',
    "days from the provider's receipt of the Art. 7 order to its escalation": "jours entre la réception de l'injonction de l'art. 7 par le fournisseur et son relais",
    'hours from receipt to the first decision': 'heures entre la réception et la première décision',
    'days from the decision to refuse to its notification': 'jours entre la décision de refus et sa notification',
    'hours from sending the EPOC to notifying the enforcing State': "heures entre l'envoi de l'EPOC et la notification de l'État d'exécution",
    'days from receipt to the first response': 'jours entre la réception et la première réponse',
    'hours from receipt to the first response': 'heures entre la réception et la première réponse',
    'days from receipt to the extension request': 'jours entre la réception et la demande de prolongation',
    'days from the response to informing the person': "jours entre la réponse et l'information de la personne",
    'days from receipt to production': 'jours entre la réception et la production',
    'days from the objection to deletion': "jours entre l'objection et l'effacement",
    'days from receipt to the reasoned objection': "jours entre la réception et l'objection motivée",
})

# the audited period in the scope section (issue 19)
FR.update({
    "Audited period": "Période auditée",
    "Left out (counted, not judged)": "Écartés (comptés, non appréciés)",
    "nothing: every stored record is dated within the audited period":
        "aucun : chaque enregistrement conservé est daté dans la période auditée",
    "requests issued from {a} to {b}": "demandes émises depuis {a} jusqu'au {b}",
    "the first request": "la première demande",
    "requests issued after the audit date": "demandes émises après la date de l'audit",
    "requests issued before the audited period (--from)": "demandes émises avant la période auditée (--from)",
    "requests issued after the audited period (--to)": "demandes émises après la période auditée (--to)",
    "disclosures dated after the audit date": "communications datées après la date de l'audit",
    "custody events dated after the audit date": "événements de traitement datés après la date de l'audit",
    "disclosures of the requests left out": "communications des demandes écartées",
    "custody events of the requests left out": "événements de traitement des demandes écartées",
    "{n} left out: dated after the audit date or outside the period":
        "{n} écartées : datées après la date de l'audit ou hors de la période",
})

# the official PDF profile: cover, table of contents, running header and footer (issue 20)
FR.update({
    "Contents": "Sommaire",
    "Classification": "Classification",
    "Page": "Page",
})


# the workbench decisions section of a regenerated report (auditor report --with-decisions, issue 22)
FR.update({
    "Workbench decisions": "Décisions de l'atelier d'audit",
    "Where each finding stands in the audit team's workbench (auditor serve) when this report was rendered: "
    "explanation requested, answered, a decision proposed, or a decision approved by a second person. A proposed "
    "decision is not in force until it is approved. Findings not listed are open.":
        "Où en est chaque constat dans l'atelier de l'équipe d'audit (auditor serve) au moment où ce rapport a été "
        "produit : explication demandée, réponse reçue, décision proposée ou décision approuvée par une seconde "
        "personne. Une décision proposée ne s'applique pas tant qu'elle n'est pas approuvée. Les constats non "
        "listés sont ouverts.",
    "No finding of this run has a workbench state yet.": "Aucun constat de cette exécution n'a encore d'état dans l'atelier.",
    "State": "État",
    "Decision": "Décision",
    "Until": "Jusqu'au",
    "Proposed by": "Proposée par",
    "Approved by": "Approuvée par",
    "Explanation": "Explication",
    "proposed, not approved": "proposée, non approuvée",
    "chart not drawn in this rendering (auditor report draws it)":
        "graphique non tracé dans ce rendu (auditor report le trace)",
    "asked of": "demandée à",
    "by": "par",
    "due": "échéance",
    "answer recorded by": "réponse enregistrée par",
    "explanation requested": "explication demandée",
    "answered": "réponse reçue",
    "proposed": "décision proposée",
    "decided": "décidé",
    "reopened": "rouvert",
    "open": "ouvert",
    "justified": "justifié",
})


# ---- the catalogue-backed texts of a run: check explanations, finding messages, parameters, packs

#: a check's texts a page shows as they are in the model (the view replaces them in French)
CHECK_FIELDS = ("rationale", "notes", "applies_to")


def localise_check(check: dict, lang: str = "en") -> dict:
    """{field: text in ``lang``} of a check's rationale, notes, applies_to and not-evaluated reason
    (English: {})."""
    if lang == "en":
        return {}
    out = {f: check_text(check, f, lang) for f in CHECK_FIELDS if check.get(f)}
    if check.get("reason"):
        out["reason"] = catalog.value(str(check["reason"]), lang)
    return out


def message(msg: Any, template: str, lang: str = "en") -> Any:
    """A finding's message in ``lang`` (``catalog.message``); English as stored."""
    if lang == "en" or not isinstance(msg, str):
        return msg
    return catalog.message(msg, template, lang)


def localise_scope(scope: dict, lang: str = "en") -> dict:
    """The scope header with the pack titles, parameter bases and descriptions in ``lang`` (the
    parameter kind stays a code: pages show it through ``_``)."""
    if lang == "en":
        return scope

    def tr(text: Any) -> Any:
        if not isinstance(text, str) or not text:
            return text
        found = catalog.text(text, lang)
        if found is None and "; " in text:  # the pack titles of a run of several packs
            return "\u202f; ".join(catalog.text(t, lang) or t for t in text.split("; "))
        return found or text

    out = {**scope, "pack_title": tr(scope.get("pack_title")),
           "packs": [{**p, "title": tr(p.get("title"))} for p in scope.get("packs") or []],
           "params": [{**p, "basis": tr(p.get("basis")),
                       "description": tr(p.get("description"))} for p in scope.get("params") or []]}
    return out


def localise_quality(rows: list, lang: str = "en") -> list:
    """The data-quality rows (quarantine reasons by file and column) with the reasons in ``lang``."""
    if lang == "en":
        return rows
    return [{**r, "reason": catalog.value(r["reason"], lang, "reason")} if isinstance(r, dict)
            and isinstance(r.get("reason"), str) else r for r in rows]


def reason(text: Any, lang: str = "en") -> Any:
    """A reason or stored value text (a check's not-evaluated reason, a profile source) in
    ``lang``: the catalogue's vocabulary and fragments; as it is when it has none."""
    if lang == "en" or not isinstance(text, str) or not text:
        return text
    return catalog.value(text, lang, "reason")

"""Report languages: English (the source text) and French.

Every fixed string of the reports is written in English in the templates and the writers and
looked up here (``translator(lang)``). Check titles and remediation come in both languages from
the check metadata (``title_fr`` / ``remediation_fr``); ``CHECK_FR`` fills gaps by check id.
A check without French text falls back to English, marked ``[EN]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    out = FR.get(text)
    if out is None:
        MISSING.add(text)
        return text
    return out


def translator(lang: str = "en") -> Callable[[str], str]:
    """A ``_(text)`` function for one language."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")

    def _(text: str) -> str:
        return translate(str(text), lang)

    return _


def pct(rate: Any, lang: str = "en") -> str:
    """0.875 -> "87.5%" (en) / "87,5 %" (fr); None -> "n/a" / "n.d."."""
    if rate is None or isinstance(rate, str):
        return translate("n/a", lang) if rate is None else rate
    text = f"{float(rate) * 100:.1f}"
    return f"{text.replace('.', ',')} %" if lang == "fr" else f"{text}%"


def check_text(check: dict, field: str, lang: str = "en") -> str:
    """A check's ``title`` or ``remediation`` in ``lang`` (English fallback marked [EN])."""
    en = str(check.get(field) or "")
    if lang == "en":
        return en
    cid = str(check.get("check_id") or check.get("id") or "")
    fr = check.get(f"{field}_fr") or CHECK_FR.get(cid, {}).get(field)
    return str(fr) if fr else (FALLBACK_MARK + en if en else en)


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
    "Published version.": "Version publiée.",
    "Counts from 1 to {n} are shown as \"<{t}\", rates based on fewer than {t} records are suppressed, "
    "and no request identifiers are shown.":
        "Les effectifs de 1 à {n} sont affichés « <{t} », les taux calculés sur moins de {t} enregistrements "
        "sont masqués et aucun identifiant de demande n'est affiché.",
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
    "{a} of the failed records advisory": "dont {a} enregistrements en échec indicatifs",
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

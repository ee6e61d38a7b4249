"""Two realistic exports made deterministically FROM the canonical sample (``sample_data/*.csv``),
for the shipped mapping profiles beside this file (issue 23):

- ``fr_tableur/``: a French spreadsheet kept by the FR authority, with the FR requests, their
  disclosures and custody events: ``demandes.xlsx``, ``reponses.xlsx`` and ``suivi.xlsx``, one
  sheet per year ("2025", "2026"), French headers and vocabulary, times written day first as
  text in Paris local time (``31/01/2025 14:05:09``; ``suivi.xlsx`` holds its event times as
  cells typed as dates, as a spreadsheet program does), plus the canonical ``parties.csv``.
  Profile: ``fr_tableur.toml``.
- ``wide/``: one wide CSV from the DE authority's case system, ``export_anordnungen.csv``, with
  each request and its provider's answer on one row, German headers and vocabulary, times
  ``31.01.2025 14:05:09`` in Berlin local time; the custody events and Party profiles stay
  canonical CSV beside it. Profile: ``wide.toml``.

Requests with a time in the hour that repeats when the clocks go back (2025-10-26 02:00-03:00
local) are left out of both, with their disclosures and events: a local time there does not say
which of the two hours it was, and a mapping quarantines such a cell rather than guess
(``docs/intake.md``). ``example_request_ids(name)`` gives the requests each example holds, so
the tests compare its audit with the canonical sample's findings on exactly those requests.

    python -m sample_data.intake.make_examples [--out sample_data/intake]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent
YEARS = ("2025", "2026")
FIXED = (2026, 10, 31, 0, 0, 0)  # zip entry times: the same bytes on every run

# ---------------------------------------------------------------- the French spreadsheet
FR_HEADERS = {
    "requests": {
        "request_id": "Référence", "instrument": "Type d'ordre", "issuing_party": "Pays émetteur",
        "issuing_authority": "Autorité émettrice", "authority_type": "Type d'autorité",
        "validating_authority": "Autorité de validation", "validating_authority_type": "Type d'autorité de validation",
        "channel": "Canal de transmission", "linked_request_id": "Demande liée", "receiving_party": "Pays destinataire",
        "provider": "Fournisseur", "case_reference": "N° de procédure", "offence": "Infraction",
        "offence_max_penalty_years": "Peine encourue (ans)", "legal_basis": "Base légale", "purpose": "Finalité",
        "necessity_rationale": "Motivation de la nécessité", "protocol_statement": "Mention du Protocole",
        "data_description": "Description des données", "data_requested": "Données demandées",
        "identifiers_count": "Nombre d'identifiants", "data_time_from": "Période du", "data_time_to": "Période au",
        "subscriber_identifier": "Identifiant visé", "emergency": "Urgence",
        "emergency_justification": "Motif de l'urgence", "issued_at": "Date d'émission",
        "transmitted_at": "Date de transmission", "provider_received_at": "Reçu par le fournisseur le",
        "served_at": "Signifié le", "notification_sent_at": "Notification envoyée le",
        "return_timeframe_days": "Délai de réponse (jours)", "deadline_at": "Date limite",
        "preservation_reference": "Réf. conservation", "contact_point": "Point de contact",
        "no_prior_attempt_reason": "Motif d'absence d'injonction art. 7",
        "central_authority_copy_at": "Copie à l'autorité centrale le",
        "all_information_received_at": "Informations complètes reçues le",
        "ordered_return_by": "Retour ordonné pour le",
        "ordered_traffic_return_by": "Retour des données de trafic ordonné pour le",
        "agreed_authority": "Autorité convenue", "notification_statement": "Mention de la notification",
        "host_instruction_at": "Instruction de la Partie hôte le", "issuer_informed_at": "Émetteur informé le",
        "art8_2_exception": "Exception art. 8(2)", "sentence_months": "Peine prononcée (mois)",
        "sentence_in_absentia": "Jugement par défaut", "person_absconded": "Personne en fuite",
        "preservation_extended_at": "Conservation prolongée le", "preservation_released_at": "Conservation levée le",
        "validated_at": "Validé le", "offence_category": "Catégorie d'infraction",
        "committed_via_information_system": "Commise au moyen d'un système d'information",
        "enforcing_confirmed_at": "Confirmation de l'autorité d'exécution le",
        "enforcing_objection_at": "Objection de l'autorité d'exécution le",
        "reasoned_objection_at": "Objection motivée du fournisseur le",
    },
    "disclosures": {
        "disclosure_id": "N° de réponse", "request_id": "Référence de la demande", "provider": "Fournisseur",
        "responded_at": "Date de réponse", "outcome": "Résultat", "refusal_ground": "Motif de refus",
        "data_disclosed": "Données communiquées", "records_disclosed": "Nombre d'enregistrements",
        "sensitive_data": "Données sensibles", "safeguard_reference": "Garantie appliquée",
        "received_at": "Données reçues le", "user_notified_at": "Personne informée le",
        "notification_blocked_by": "Information différée pour", "decided_at": "Date de décision",
    },
    "custody_events": {
        "event_id": "N° d'événement", "request_id": "Référence de la demande", "event": "Événement",
        "at": "Date de l'événement", "actor": "Intervenant", "counterparty": "Destinataire", "reference": "Référence",
        "until": "Conservation jusqu'au", "purpose": "Finalité", "significant_adverse_effect": "Effet négatif important",
        "significant_risk": "Risque important", "notice_exemption": "Motif de non-information",
        "granted_by_party": "Autorisé par la Partie",
    },
}
#: a column the bureau keeps for itself: listed in the profile as deliberately ignored ("")
FR_NOTE = "Observations"

FR_VALUES = {
    "instrument": {
        "cets224_art6": "Art. 6 - noms de domaine", "cets224_art7": "Art. 7 - injonction directe",
        "cets224_art8": "Art. 8 - injonction via la Partie requise",
        "cets224_art9": "Art. 9 - divulgation d'urgence (24/7)", "cets224_art10": "Art. 10 - entraide d'urgence",
        "eu_epoc": "Injonction européenne de production", "eu_epoc_pr": "Injonction européenne de conservation",
        "mla": "Entraide pénale internationale", "other": "Autre",
    },
    "authority_type": {"judge": "Juge", "prosecutor": "Procureur", "independent": "Autorité indépendante",
                       "police": "Police", "administrative": "Autorité administrative", "other": "Autre"},
    "channel": {"direct": "Directe", "central_authority": "Autorité centrale", "network_24_7": "Réseau 24/7",
                "provider_portal": "Portail du fournisseur", "eu_decentralised": "Système informatique décentralisé",
                "other": "Autre"},
    "outcome": {"disclosed": "Communiqué", "partial": "Partiel", "refused": "Refusé", "no_data": "Aucune donnée",
                "withdrawn": "Retiré"},
    "notification_blocked_by": {"none": "Aucun", "confidentiality_order": "Ordonnance de confidentialité",
                                "emergency": "Urgence", "law": "Loi", "other": "Autre"},
    "event": {"received": "Réception", "accessed": "Consultation", "retention_set": "Durée de conservation fixée",
              "retention_reviewed": "Réexamen de la conservation", "deleted": "Suppression",
              "shared_domestic": "Partage national", "transfer_authorised": "Transfert autorisé",
              "transferred_onward": "Transfert ultérieur", "security_incident": "Incident de sécurité",
              "incident_notified": "Incident notifié", "subject_notified": "Personne informée",
              "automated_decision": "Décision automatisée", "human_review": "Réexamen humain"},
    "offence_category": {"attacks_on_information_systems": "Atteintes aux systèmes d'information",
                         "non_cash_payment_fraud": "Fraude aux moyens de paiement autres qu'en espèces",
                         "child_sexual_abuse": "Abus sexuels sur enfants", "terrorism": "Terrorisme", "other": "Autre"},
    "data_category": {"subscriber": "abonné", "ip_identification": "identification IP", "traffic": "trafic",
                      "content": "contenu", "domain_registration": "nom de domaine", "passwords": "mots de passe"},
    "bool": {"true": "Oui", "false": "Non"},
    "party": {"US": "États-Unis", "IE": "Irlande", "NL": "Pays-Bas", "JP": "Japon", "DK": "Danemark",
              "FR": "France", "DE": "Allemagne", "ES": "Espagne", "GB": "Royaume-Uni"},
}

# ---------------------------------------------------------------- the German wide CSV
DE_HEADERS = {
    "requests": {
        "request_id": "Anordnungs-Nr.", "instrument": "Rechtsinstrument", "issuing_party": "Anordnungsstaat",
        "issuing_authority": "Anordnende Behörde", "authority_type": "Behördenart",
        "validating_authority": "Validierende Behörde", "validating_authority_type": "Art der validierenden Behörde",
        "channel": "Übermittlungsweg", "linked_request_id": "Verknüpfte Anordnung", "receiving_party": "Empfangsstaat",
        "provider": "Anbieter", "case_reference": "Aktenzeichen", "offence": "Straftat",
        "offence_max_penalty_years": "Höchststrafe (Jahre)", "legal_basis": "Rechtsgrundlage", "purpose": "Zweck",
        "necessity_rationale": "Begründung der Erforderlichkeit", "protocol_statement": "Hinweis auf das Protokoll",
        "data_description": "Beschreibung der Daten", "data_requested": "Angeforderte Daten",
        "identifiers_count": "Anzahl Kennungen", "data_time_from": "Zeitraum von", "data_time_to": "Zeitraum bis",
        "subscriber_identifier": "Zielkennung", "emergency": "Eilfall",
        "emergency_justification": "Begründung des Eilfalls", "issued_at": "Erlassen am",
        "transmitted_at": "Übermittelt am", "provider_received_at": "Eingang beim Anbieter",
        "served_at": "Zugestellt am", "notification_sent_at": "Unterrichtung am",
        "return_timeframe_days": "Antwortfrist (Tage)", "deadline_at": "Frist bis",
        "preservation_reference": "Referenz der Sicherung", "contact_point": "Kontaktstelle",
        "no_prior_attempt_reason": "Grund für fehlende Art.-7-Anordnung",
        "central_authority_copy_at": "Kopie an die Zentralbehörde am",
        "all_information_received_at": "Alle Informationen erhalten am",
        "ordered_return_by": "Rückgabe angeordnet bis", "ordered_traffic_return_by": "Rückgabe Verkehrsdaten angeordnet bis",
        "agreed_authority": "Vereinbarte Behörde", "notification_statement": "Hinweis auf Unterrichtung",
        "host_instruction_at": "Anweisung des Gaststaats am", "issuer_informed_at": "Anordnende Behörde informiert am",
        "art8_2_exception": "Ausnahme Art. 8 Abs. 2", "sentence_months": "Freiheitsstrafe (Monate)",
        "sentence_in_absentia": "Abwesenheitsurteil", "person_absconded": "Person flüchtig",
        "preservation_extended_at": "Sicherung verlängert am", "preservation_released_at": "Sicherung aufgehoben am",
        "validated_at": "Validiert am", "offence_category": "Deliktskategorie",
        "committed_via_information_system": "Mittels Informationssystem begangen",
        "enforcing_confirmed_at": "Bestätigung der Vollstreckungsbehörde am",
        "enforcing_objection_at": "Einwand der Vollstreckungsbehörde am",
        "reasoned_objection_at": "Begründeter Einwand des Anbieters am",
    },
    # the answer, on the same row (request_id and provider are the request's own columns)
    "disclosures": {
        "disclosure_id": "Antwort-Nr.", "responded_at": "Antwortdatum", "outcome": "Ergebnis",
        "refusal_ground": "Ablehnungsgrund", "data_disclosed": "Herausgegebene Daten",
        "records_disclosed": "Anzahl Datensätze", "sensitive_data": "Sensible Daten",
        "safeguard_reference": "Schutzmaßnahme", "received_at": "Daten erhalten am",
        "user_notified_at": "Betroffene Person unterrichtet am",
        "notification_blocked_by": "Unterrichtung zurückgestellt wegen", "decided_at": "Entscheidung am",
    },
}
DE_VALUES = {
    "instrument": {
        "cets224_art6": "Art. 6 Domainnamen", "cets224_art7": "Art. 7 Direktanordnung",
        "cets224_art8": "Art. 8 Anordnung über den ersuchten Staat", "cets224_art9": "Art. 9 Eiloffenlegung (24/7)",
        "cets224_art10": "Art. 10 Eilrechtshilfe", "eu_epoc": "Europäische Herausgabeanordnung",
        "eu_epoc_pr": "Europäische Sicherungsanordnung", "mla": "Rechtshilfe", "other": "Sonstiges",
    },
    "authority_type": {"judge": "Richter", "prosecutor": "Staatsanwaltschaft", "independent": "Unabhängige Behörde",
                       "police": "Polizei", "administrative": "Verwaltungsbehörde", "other": "Sonstige"},
    "channel": {"direct": "Direkt", "central_authority": "Zentralbehörde", "network_24_7": "24/7-Netzwerk",
                "provider_portal": "Anbieterportal", "eu_decentralised": "Dezentrales IT-System", "other": "Sonstiger"},
    "outcome": {"disclosed": "Herausgegeben", "partial": "Teilweise", "refused": "Abgelehnt", "no_data": "Keine Daten",
                "withdrawn": "Zurückgenommen"},
    "notification_blocked_by": {"none": "Keine", "confidentiality_order": "Geheimhaltungsanordnung",
                                "emergency": "Eilfall", "law": "Gesetz", "other": "Sonstiges"},
    "offence_category": {"attacks_on_information_systems": "Angriffe auf Informationssysteme",
                         "non_cash_payment_fraud": "Betrug mit unbaren Zahlungsmitteln",
                         "child_sexual_abuse": "Sexueller Kindesmissbrauch", "terrorism": "Terrorismus",
                         "other": "Sonstige"},
    "data_category": {"subscriber": "Bestandsdaten", "ip_identification": "IP-Identifizierung",
                      "traffic": "Verkehrsdaten", "content": "Inhaltsdaten", "domain_registration": "Domainregistrierung"},
    "bool": {"true": "Ja", "false": "Nein"},
    "party": {"US": "Vereinigte Staaten", "IE": "Irland", "NL": "Niederlande", "JP": "Japan", "DK": "Dänemark",
              "FR": "Frankreich", "DE": "Deutschland", "ES": "Spanien", "GB": "Vereinigtes Königreich"},
}

EXAMPLES = {"fr_tableur": ("FR", "Europe/Paris"), "wide": ("DE", "Europe/Berlin")}


@cache
def _read_sample(table: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{table}.csv", dtype=str, keep_default_na=False)


def _sample(table: str) -> pd.DataFrame:
    return _read_sample(table).copy()


def _kinds(table: str) -> dict[str, str]:
    from auditor.ingest.schema import TABLES  # noqa: PLC0415

    return {c.name: c.kind for c in TABLES[table].columns}


def _timed(table: str) -> list[str]:
    return [c for c, k in _kinds(table).items() if k == "timestamp"]


def _is_instant(v: str) -> bool:
    return bool(re.match(r"^\d{4}-\d\d-\d\dT", v))


def _ambiguous(v: str, tz: str) -> bool:
    """A UTC instant whose local time in ``tz`` occurs twice (or never): not written unambiguously."""
    local = pd.Timestamp(v).tz_convert(tz).tz_localize(None)
    return pd.isna(local.tz_localize(tz, ambiguous="NaT", nonexistent="NaT"))


@cache
def _example_ids(name: str) -> tuple[str, ...]:
    return tuple(_ids(name))


def example_request_ids(name: str) -> list[str]:
    """The canonical request ids an example holds (see ``_ids``)."""
    return list(_example_ids(name))


def _ids(name: str) -> list[str]:
    """The canonical request ids an example holds: its issuing Party's requests, less those with
    a local time that repeats (or does not exist) in the example's time zone."""
    party, tz = EXAMPLES[name]
    requests = _sample("requests")
    ids = set(requests.loc[requests["issuing_party"] == party, "request_id"])
    drop: set[str] = set()
    for table in ("requests", "disclosures", "custody_events"):
        frame = _sample(table)
        frame = frame[frame["request_id"].isin(ids)]
        for col in _timed(table):
            values = frame[col]
            hit = values.map(lambda v: _is_instant(v) and _ambiguous(v, tz))
            drop |= set(frame.loc[hit, "request_id"])
    return sorted(ids - drop)


def _subset(name: str) -> dict[str, pd.DataFrame]:
    ids = set(example_request_ids(name))
    out = {}
    for table in ("requests", "disclosures", "custody_events"):
        frame = _sample(table)
        out[table] = frame[frame["request_id"].isin(ids)].reset_index(drop=True)
    return out


def _local_text(v: str, tz: str, with_time: str, bare: str) -> str:
    """A canonical time as the export writes it (local, day first); anything else as it was."""
    if _is_instant(v):
        return pd.Timestamp(v).tz_convert(tz).strftime(with_time)
    if re.match(r"^\d{4}-\d\d-\d\d$", v):
        return datetime.strptime(v, "%Y-%m-%d").replace(tzinfo=UTC).strftime(bare)
    return v


def _translate(frame: pd.DataFrame, table: str, values: dict, tz: str, with_time: str, bare: str,
               native: tuple[str, ...] = ()) -> pd.DataFrame:
    kinds = _kinds(table)
    out = frame.copy()
    for col in frame.columns:
        kind = kinds.get(col)
        src = frame[col]
        if kind == "timestamp" and col not in native:
            out[col] = src.map(lambda v: _local_text(v, tz, with_time, bare) if v else "")
        elif kind == "timestamp":
            out[col] = src.map(lambda v: pd.Timestamp(v).tz_convert(tz).tz_localize(None).to_pydatetime()
                               if _is_instant(v) else v)
        elif kind == "bool":
            out[col] = src.map(lambda v: values["bool"].get(v, v))
        elif kind == "party":
            out[col] = src.map(lambda v: values["party"].get(v, v))
        elif kind == "set":
            cats = values["data_category"]
            out[col] = src.map(lambda v, cats=cats: ";".join(cats.get(x.strip(), x.strip()) for x in v.split(";")) if v else "")
        elif col in values:
            out[col] = src.map(lambda v, m=values[col]: m.get(v, v))
    return out


def _year(v: object) -> str:
    text = v.isoformat() if isinstance(v, datetime) else str(v)
    m = re.search(r"(20\d\d)", text)
    return m.group(1) if m else YEARS[0]


def _number(v: object) -> object:
    return int(v) if isinstance(v, str) and re.fullmatch(r"-?\d+", v) else v


def _write_xlsx(path: Path, frame: pd.DataFrame, headers: dict[str, str], year_of: str, kinds: dict[str, str],
                extra: dict[str, list[str]] | None = None) -> None:
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    wb = Workbook(write_only=True)
    columns = list(headers)
    names = [headers[c] for c in columns] + list(extra or {})
    years = frame[year_of].map(_year)
    for year in YEARS:
        ws = wb.create_sheet(year)
        ws.append(names)
        part = frame[years == year]
        for i, row in part.iterrows():
            cells = []
            for c in columns:
                v = row[c]
                if isinstance(v, datetime):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = "dd/mm/yyyy hh:mm:ss"
                    cells.append(cell)
                elif v == "" or v is None:
                    cells.append(None)
                elif kinds.get(c) in ("int", "float"):
                    cells.append(_number(v))
                else:
                    cells.append(v)
            for values in (extra or {}).values():
                cells.append(values[i] or None)
            ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    _deterministic_zip(buffer.getvalue(), path)


def _deterministic_zip(data: bytes, path: Path) -> None:
    """The workbook with fixed entry times and document dates: the same bytes on every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-10-31T00:00:00Z", body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    path.write_bytes(out.getvalue())


def make_french(out: Path) -> None:
    folder = out / "fr_tableur"
    folder.mkdir(parents=True, exist_ok=True)
    tz = EXAMPLES["fr_tableur"][1]
    tables = _subset("fr_tableur")
    with_time, bare = "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"
    notes = {"requests": ["" if i % 40 else "dossier suivi par le bureau de l'entraide" for i in
                          range(len(tables["requests"]))]}
    for table, file, year_of, native in (("requests", "demandes.xlsx", "issued_at", ()),
                                         ("disclosures", "reponses.xlsx", "responded_at", ()),
                                         ("custody_events", "suivi.xlsx", "at", ("at",))):
        frame = _translate(tables[table], table, FR_VALUES, tz, with_time, bare, native)
        extra = {FR_NOTE: notes[table]} if table in notes else None
        _write_xlsx(folder / file, frame, FR_HEADERS[table], year_of, _kinds(table), extra)
    (folder / "parties.csv").write_bytes((SAMPLE / "parties.csv").read_bytes())


def make_wide(out: Path) -> None:
    folder = out / "wide"
    folder.mkdir(parents=True, exist_ok=True)
    tz = EXAMPLES["wide"][1]
    tables = _subset("wide")
    with_time, bare = "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"
    req = _translate(tables["requests"], "requests", DE_VALUES, tz, with_time, bare)
    dis = _translate(tables["disclosures"], "disclosures", DE_VALUES, tz, with_time, bare)
    if dis["request_id"].duplicated().any():
        raise SystemExit("a request with two answers cannot be written on one wide row")
    dis_cols = list(DE_HEADERS["disclosures"])
    wide = req.merge(dis[["request_id", *dis_cols]], on="request_id", how="left").fillna("")
    headers = {**DE_HEADERS["requests"], **DE_HEADERS["disclosures"]}
    wide = wide[list(headers)].rename(columns=headers)
    buffer = io.StringIO()
    wide.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    (folder / "export_anordnungen.csv").write_text(buffer.getvalue(), encoding="utf-8")
    tables["custody_events"].to_csv(folder / "custody_events.csv", index=False, lineterminator="\n")
    (folder / "parties.csv").write_bytes((SAMPLE / "parties.csv").read_bytes())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    make_french(args.out)
    make_wide(args.out)
    print(f"examples written to {args.out}")


if __name__ == "__main__":
    main()

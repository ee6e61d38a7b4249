"""What an authority's export calls the contract's columns and values, in English, French,
German, Spanish, Italian and Dutch: the tables ``intake suggest`` matches headers and values
against. Every match it makes from these tables is a guess the user confirms (``# GUESS``).

Labels are compared folded (``fold``): case, accents, punctuation and spacing do not matter, so
``"Date d'émission"``, ``"DATE D EMISSION"`` and ``"date_d_emission"`` are one label. Party
names come from the CLDR territory names (babel) in the six languages, on top of the English
names the normaliser already knows (``auditor.iso``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

LANGS = ("en", "fr", "de", "es", "it", "nl")

#: the time zone a draft proposes for local times, by the language of the export's headers
#: (a guess: Belgium, Switzerland or Austria write French, German or Dutch too)
TZ_BY_LANG = {"en": "UTC", "fr": "Europe/Paris", "de": "Europe/Berlin", "es": "Europe/Madrid",
              "it": "Europe/Rome", "nl": "Europe/Amsterdam"}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive form of a label."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    bare = bare.replace("ß", "ss").replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())


def _h(en: str = "", fr: str = "", de: str = "", es: str = "", it: str = "", nl: str = "") -> dict[str, tuple[str, ...]]:
    """Labels per language, ``|``-separated."""
    given = {"en": en, "fr": fr, "de": de, "es": es, "it": it, "nl": nl}
    return {lang: tuple(s.strip() for s in text.split("|") if s.strip()) for lang, text in given.items()}


_REQUEST_REF = _h(
    en="Request ID|Request reference|Request ref|Order ID|Order reference|Order ref|Reference",
    fr="Référence|Référence de la demande|N° de demande|Numéro de demande|Identifiant de la demande|Réf. demande",
    de="Anordnungs-Nr.|Anordnungsnummer|Ersuchen-Nr.|Vorgangsnummer|Referenz der Anordnung",
    es="Referencia|Referencia de la solicitud|Número de solicitud|ID de solicitud",
    it="Riferimento|Riferimento richiesta|Numero richiesta|ID richiesta",
    nl="Referentie|Verzoeknummer|Kenmerk verzoek|Verzoek-ID",
)
_PROVIDER = _h(
    en="Provider|Service provider|Addressee", fr="Fournisseur|Fournisseur de services|Prestataire",
    de="Anbieter|Diensteanbieter|Provider", es="Proveedor|Proveedor de servicios",
    it="Fornitore|Fornitore di servizi|Provider", nl="Aanbieder|Dienstverlener|Provider",
)
_PURPOSE = _h(en="Purpose", fr="Finalité|Objet|But", de="Zweck", es="Finalidad|Propósito", it="Finalità|Scopo",
              nl="Doel|Doeleinde")

#: table -> canonical column -> language -> labels
HEADERS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "requests": {
        "request_id": _REQUEST_REF,
        "instrument": _h(en="Instrument|Legal instrument|Order type|Request type",
                         fr="Type d'ordre|Instrument|Type de demande|Type d'injonction|Fondement conventionnel",
                         de="Instrument|Rechtsinstrument|Art der Anordnung|Art des Ersuchens",
                         es="Instrumento|Tipo de orden|Tipo de solicitud", it="Strumento|Tipo di ordine|Tipo di richiesta",
                         nl="Instrument|Soort bevel|Type verzoek"),
        "issuing_party": _h(en="Issuing party|Issuing state|Issuing country",
                            fr="Pays émetteur|État émetteur|Partie émettrice|Pays d'émission",
                            de="Ausstellender Staat|Anordnungsstaat|Ersuchender Staat",
                            es="Estado emisor|País emisor|Parte emisora", it="Stato di emissione|Paese emittente|Parte emittente",
                            nl="Uitvaardigende staat|Uitvaardigend land|Verzoekende staat"),
        "issuing_authority": _h(en="Issuing authority|Authority", fr="Autorité émettrice|Autorité|Service émetteur",
                                de="Anordnende Behörde|Ausstellende Behörde|Behörde", es="Autoridad emisora|Autoridad",
                                it="Autorità emittente|Autorità", nl="Uitvaardigende autoriteit|Autoriteit"),
        "authority_type": _h(en="Authority type|Type of authority", fr="Type d'autorité|Nature de l'autorité",
                             de="Behördenart|Art der Behörde", es="Tipo de autoridad", it="Tipo di autorità",
                             nl="Soort autoriteit|Type autoriteit"),
        "validating_authority": _h(en="Validating authority", fr="Autorité de validation|Autorité ayant validé",
                                   de="Validierende Behörde|Bestätigende Behörde", es="Autoridad de validación",
                                   it="Autorità di convalida", nl="Validerende autoriteit"),
        "validating_authority_type": _h(en="Validating authority type", fr="Type d'autorité de validation",
                                        de="Art der validierenden Behörde", es="Tipo de autoridad de validación",
                                        it="Tipo di autorità di convalida", nl="Soort validerende autoriteit"),
        "channel": _h(en="Channel|Transmission channel", fr="Canal|Canal de transmission|Voie de transmission",
                      de="Übermittlungsweg|Kanal", es="Canal|Canal de transmisión", it="Canale|Canale di trasmissione",
                      nl="Kanaal|Verzendkanaal"),
        "linked_request_id": _h(en="Linked request|Previous request", fr="Demande liée|Demande antérieure",
                                de="Verknüpfte Anordnung|Vorherige Anordnung|Bezugsvorgang",
                                es="Solicitud vinculada|Solicitud anterior", it="Richiesta collegata|Richiesta precedente",
                                nl="Gekoppeld verzoek|Eerder verzoek"),
        "receiving_party": _h(en="Receiving party|Receiving state|Requested party|Executing state",
                              fr="Pays destinataire|État destinataire|Partie requise|Pays du fournisseur",
                              de="Empfangsstaat|Ersuchter Staat|Vollstreckungsstaat|Staat des Anbieters",
                              es="Estado receptor|Estado requerido|País destinatario",
                              it="Stato ricevente|Stato richiesto|Paese destinatario",
                              nl="Ontvangende staat|Aangezochte staat|Land van de aanbieder"),
        "provider": _PROVIDER,
        "case_reference": _h(en="Case reference|Case number|Case",
                             fr="Référence de l'affaire|N° de procédure|Numéro de parquet|Affaire",
                             de="Aktenzeichen|Verfahrensnummer|Az.", es="Referencia del caso|Número de diligencias",
                             it="Numero di procedimento|Riferimento del caso", nl="Zaaknummer|Parketnummer"),
        "offence": _h(en="Offence|Offense|Crime", fr="Infraction|Qualification|Nature de l'infraction",
                      de="Straftat|Delikt|Tatvorwurf", es="Delito|Infracción penal", it="Reato|Fattispecie",
                      nl="Strafbaar feit|Delict"),
        "offence_max_penalty_years": _h(en="Maximum penalty (years)|Max penalty years",
                                        fr="Peine maximale (années)|Peine encourue (ans)|Peine maximale encourue (ans)",
                                        de="Höchststrafe (Jahre)|Strafrahmen (Jahre)", es="Pena máxima (años)",
                                        it="Pena massima (anni)", nl="Maximale straf (jaren)|Strafmaximum (jaren)"),
        "legal_basis": _h(en="Legal basis|Legal grounds", fr="Base légale|Fondement juridique|Fondement légal",
                          de="Rechtsgrundlage", es="Base jurídica|Fundamento jurídico",
                          it="Base giuridica|Fondamento giuridico", nl="Rechtsgrondslag|Wettelijke grondslag"),
        "purpose": _PURPOSE,
        "necessity_rationale": _h(en="Necessity rationale|Necessity and proportionality",
                                  fr="Motivation de la nécessité|Nécessité et proportionnalité|Justification de la nécessité",
                                  de="Begründung der Erforderlichkeit|Erforderlichkeit und Verhältnismäßigkeit",
                                  es="Justificación de la necesidad|Necesidad y proporcionalidad",
                                  it="Motivazione della necessità|Necessità e proporzionalità",
                                  nl="Motivering noodzaak|Noodzaak en evenredigheid"),
        "protocol_statement": _h(en="Protocol statement|Issued under the Protocol",
                                 fr="Mention du Protocole|Émis au titre du Protocole",
                                 de="Hinweis auf das Protokoll|Nach dem Protokoll erlassen", es="Mención del Protocolo",
                                 it="Menzione del Protocollo", nl="Vermelding Protocol"),
        "data_description": _h(en="Data description|Description of data", fr="Description des données|Données visées",
                               de="Beschreibung der Daten", es="Descripción de los datos", it="Descrizione dei dati",
                               nl="Omschrijving gegevens|Beschrijving van de gegevens"),
        "data_requested": _h(en="Data requested|Data categories|Categories requested",
                             fr="Données demandées|Catégories de données|Catégories demandées",
                             de="Angeforderte Daten|Datenkategorien", es="Datos solicitados|Categorías de datos",
                             it="Dati richiesti|Categorie di dati", nl="Gevraagde gegevens|Gegevenscategorieën"),
        "identifiers_count": _h(en="Number of identifiers|Identifiers count|Accounts",
                                fr="Nombre d'identifiants|Nb identifiants|Nombre de comptes",
                                de="Anzahl Kennungen|Anzahl der Kennungen|Anzahl Konten",
                                es="Número de identificadores", it="Numero di identificativi",
                                nl="Aantal identificatoren|Aantal accounts"),
        "data_time_from": _h(en="Data from|Period from|Data period start", fr="Période du|Données du|Début de période",
                             de="Zeitraum von|Daten von", es="Periodo desde|Datos desde", it="Periodo dal|Dati dal",
                             nl="Periode van|Gegevens vanaf"),
        "data_time_to": _h(en="Data to|Period to|Data period end", fr="Période au|Données au|Fin de période",
                           de="Zeitraum bis|Daten bis", es="Periodo hasta|Datos hasta", it="Periodo al|Dati al",
                           nl="Periode tot|Gegevens tot"),
        "subscriber_identifier": _h(en="Subscriber identifier|Target identifier|Target account|Identifier",
                                    fr="Identifiant visé|Identifiant de l'abonné|Compte visé|Identifiant",
                                    de="Zielkennung|Kennung|Teilnehmerkennung",
                                    es="Identificador del abonado|Identificador",
                                    it="Identificativo dell'abbonato|Identificativo",
                                    nl="Abonnee-identificator|Identificator"),
        "emergency": _h(en="Emergency|Urgent", fr="Urgence|Urgent", de="Eilfall|Notfall|Dringend", es="Urgencia|Urgente",
                        it="Urgenza|Urgente", nl="Spoed|Noodgeval"),
        "emergency_justification": _h(en="Emergency justification|Reason for emergency",
                                      fr="Motif de l'urgence|Justification de l'urgence",
                                      de="Begründung des Eilfalls|Begründung der Dringlichkeit",
                                      es="Justificación de la urgencia|Motivo de la urgencia",
                                      it="Motivazione dell'urgenza", nl="Reden spoed|Motivering spoed"),
        "issued_at": _h(en="Issued at|Issue date|Date issued|Issued", fr="Date d'émission|Émis le|Date de l'ordre",
                        de="Erlassen am|Ausstellungsdatum|Datum der Anordnung", es="Fecha de emisión|Emitida el",
                        it="Data di emissione|Emesso il", nl="Uitgevaardigd op|Datum uitvaardiging"),
        "transmitted_at": _h(en="Transmitted at|Sent at|Date sent", fr="Date de transmission|Transmis le|Envoyé le",
                             de="Übermittelt am|Versandt am", es="Fecha de transmisión|Transmitida el",
                             it="Data di trasmissione|Trasmesso il", nl="Verzonden op|Datum verzending"),
        "provider_received_at": _h(en="Received by provider|Provider received at",
                                   fr="Reçu par le fournisseur le|Date de réception par le fournisseur",
                                   de="Eingang beim Anbieter|Beim Anbieter eingegangen am",
                                   es="Recibida por el proveedor|Fecha de recepción por el proveedor",
                                   it="Ricevuto dal fornitore il", nl="Ontvangen door aanbieder op"),
        "served_at": _h(en="Served at|Served on provider", fr="Signifié le|Date de signification",
                        de="Zugestellt am|Zustellung an den Anbieter",
                        es="Notificada al proveedor el|Fecha de notificación al proveedor",
                        it="Notificato al fornitore il", nl="Betekend op|Datum betekening"),
        "notification_sent_at": _h(en="Notification sent at|Notified at",
                                   fr="Notification envoyée le|Date de notification|Notifié le",
                                   de="Unterrichtung am|Benachrichtigung am|Notifiziert am",
                                   es="Notificación enviada el|Fecha de notificación", it="Notifica inviata il|Data di notifica",
                                   nl="Kennisgeving verzonden op|Datum kennisgeving"),
        "return_timeframe_days": _h(en="Return time frame (days)|Time frame (days)|Deadline (days)",
                                    fr="Délai de réponse (jours)|Délai (jours)", de="Antwortfrist (Tage)|Frist (Tage)",
                                    es="Plazo de respuesta (días)|Plazo (días)", it="Termine di risposta (giorni)|Termine (giorni)",
                                    nl="Antwoordtermijn (dagen)|Termijn (dagen)"),
        "deadline_at": _h(en="Deadline|Deadline date", fr="Date limite|Échéance", de="Frist bis|Fristablauf",
                          es="Fecha límite", it="Scadenza|Data di scadenza", nl="Uiterste datum|Deadline"),
        "preservation_reference": _h(en="Preservation reference", fr="Référence de la conservation|Réf. conservation",
                                     de="Referenz der Sicherung|Sicherungsanordnung", es="Referencia de la conservación",
                                     it="Riferimento della conservazione", nl="Referentie bewaring"),
        "contact_point": _h(en="Contact point|Contact", fr="Point de contact|Contact", de="Kontaktstelle|Ansprechpartner",
                            es="Punto de contacto|Contacto", it="Punto di contatto|Contatto",
                            nl="Contactpunt|Contactpersoon"),
        "no_prior_attempt_reason": _h(en="No prior Art. 7 attempt reason|Why no Art. 7 order",
                                      fr="Motif d'absence d'injonction art. 7|Pourquoi pas d'art. 7",
                                      de="Grund für fehlende Art.-7-Anordnung", es="Motivo de no intentar el art. 7",
                                      it="Motivo del mancato ordine art. 7", nl="Reden geen art. 7-bevel"),
        "central_authority_copy_at": _h(en="Copy to central authority at", fr="Copie à l'autorité centrale le",
                                        de="Kopie an die Zentralbehörde am", es="Copia a la autoridad central el",
                                        it="Copia all'autorità centrale il", nl="Kopie aan centrale autoriteit op"),
        "all_information_received_at": _h(en="All information received at",
                                          fr="Informations complètes reçues le|Dossier complet le",
                                          de="Alle Informationen erhalten am|Vollständige Unterlagen am",
                                          es="Información completa recibida el", it="Informazioni complete ricevute il",
                                          nl="Alle informatie ontvangen op"),
        "ordered_return_by": _h(en="Ordered return by|Return ordered by",
                                fr="Retour ordonné pour le|Date de retour ordonnée",
                                de="Rückgabe angeordnet bis|Herausgabe angeordnet bis", es="Entrega ordenada para el",
                                it="Restituzione ordinata entro il", nl="Teruggave bevolen tegen"),
        "ordered_traffic_return_by": _h(en="Ordered traffic return by",
                                        fr="Retour des données de trafic ordonné pour le",
                                        de="Rückgabe Verkehrsdaten angeordnet bis",
                                        es="Entrega de datos de tráfico ordenada para el",
                                        it="Restituzione dati di traffico entro il",
                                        nl="Teruggave verkeersgegevens bevolen tegen"),
        "agreed_authority": _h(en="Agreed authority|Mutually determined authority",
                               fr="Autorité convenue|Autorité désignée d'un commun accord", de="Vereinbarte Behörde",
                               es="Autoridad acordada", it="Autorità concordata", nl="Overeengekomen autoriteit"),
        "notification_statement": _h(en="Notification statement|States notification made",
                                     fr="Mention de la notification", de="Hinweis auf Unterrichtung",
                                     es="Mención de la notificación", it="Menzione della notifica",
                                     nl="Vermelding kennisgeving"),
        "host_instruction_at": _h(en="Host party instruction at|Stop instruction at",
                                  fr="Instruction de la Partie hôte le|Instruction de ne pas divulguer le",
                                  de="Anweisung des Gaststaats am", es="Instrucción de la Parte anfitriona el",
                                  it="Istruzione della Parte ospitante il", nl="Instructie gastpartij op"),
        "issuer_informed_at": _h(en="Issuer informed at", fr="Émetteur informé le",
                                 de="Anordnende Behörde informiert am", es="Emisor informado el",
                                 it="Emittente informato il", nl="Uitvaardiger geïnformeerd op"),
        "art8_2_exception": _h(en="Art. 8(2) exception", fr="Exception art. 8(2)|Exception de l'article 8, paragraphe 2",
                               de="Ausnahme Art. 8 Abs. 2", es="Excepción art. 8.2", it="Eccezione art. 8(2)",
                               nl="Uitzondering art. 8 lid 2"),
        "sentence_months": _h(en="Sentence (months)", fr="Peine prononcée (mois)|Durée de la peine (mois)",
                              de="Strafe (Monate)|Freiheitsstrafe (Monate)", es="Pena (meses)", it="Pena (mesi)",
                              nl="Straf (maanden)"),
        "sentence_in_absentia": _h(en="Sentence in absentia|In absentia", fr="Jugement par défaut|Peine par défaut",
                                   de="Abwesenheitsurteil", es="Condena en rebeldía", it="Condanna in contumacia",
                                   nl="Bij verstek veroordeeld|Verstekvonnis"),
        "person_absconded": _h(en="Person absconded", fr="Personne en fuite", de="Person flüchtig|Flüchtig",
                               es="Persona fugada|Fugado", it="Persona latitante|Latitante",
                               nl="Persoon voortvluchtig|Voortvluchtig"),
        "preservation_extended_at": _h(en="Preservation extended at",
                                       fr="Conservation prolongée le|Prolongation de la conservation le",
                                       de="Sicherung verlängert am", es="Conservación prorrogada el",
                                       it="Conservazione prorogata il", nl="Bewaring verlengd op"),
        "preservation_released_at": _h(en="Preservation released at", fr="Conservation levée le|Fin de la conservation le",
                                       de="Sicherung aufgehoben am", es="Conservación levantada el",
                                       it="Conservazione revocata il", nl="Bewaring beëindigd op"),
        "validated_at": _h(en="Validated at|Validation date", fr="Validé le|Date de validation",
                           de="Validiert am|Bestätigt am", es="Validada el|Fecha de validación",
                           it="Convalidato il|Data di convalida", nl="Gevalideerd op|Datum validering"),
        "offence_category": _h(en="Offence category", fr="Catégorie d'infraction",
                               de="Deliktskategorie|Straftatkategorie", es="Categoría de delito", it="Categoria di reato",
                               nl="Categorie strafbaar feit"),
        "committed_via_information_system": _h(en="Committed via information system",
                                               fr="Commise au moyen d'un système d'information",
                                               de="Mittels Informationssystem begangen",
                                               es="Cometido mediante un sistema de información",
                                               it="Commesso mediante un sistema di informazione",
                                               nl="Gepleegd via informatiesysteem"),
        "enforcing_confirmed_at": _h(en="Enforcing authority confirmed at",
                                     fr="Confirmation de l'autorité d'exécution le",
                                     de="Bestätigung der Vollstreckungsbehörde am",
                                     es="Confirmación de la autoridad de ejecución el",
                                     it="Conferma dell'autorità di esecuzione il", nl="Bevestiging uitvoerende autoriteit op"),
        "enforcing_objection_at": _h(en="Enforcing authority objection at", fr="Objection de l'autorité d'exécution le",
                                     de="Einwand der Vollstreckungsbehörde am",
                                     es="Objeción de la autoridad de ejecución el",
                                     it="Obiezione dell'autorità di esecuzione il", nl="Bezwaar uitvoerende autoriteit op"),
        "reasoned_objection_at": _h(en="Reasoned objection at", fr="Objection motivée du fournisseur le",
                                    de="Begründeter Einwand des Anbieters am", es="Objeción motivada del proveedor el",
                                    it="Obiezione motivata del fornitore il", nl="Gemotiveerd bezwaar aanbieder op"),
    },
    "disclosures": {
        "disclosure_id": _h(en="Disclosure ID|Response ID|Response reference",
                            fr="Référence de la réponse|N° de réponse|Identifiant de la réponse",
                            de="Antwort-Nr.|Antwortnummer|Auskunfts-Nr.", es="Referencia de la respuesta|Número de respuesta",
                            it="Riferimento della risposta|Numero risposta", nl="Antwoordnummer|Referentie antwoord"),
        "request_id": _REQUEST_REF,
        "provider": _PROVIDER,
        "responded_at": _h(en="Responded at|Response date|Answered at", fr="Date de réponse|Répondu le",
                           de="Antwortdatum|Beantwortet am|Antwort am", es="Fecha de respuesta|Respondida el",
                           it="Data di risposta|Risposto il", nl="Datum antwoord|Beantwoord op"),
        "outcome": _h(en="Outcome|Result|Response outcome", fr="Résultat|Suite donnée|Issue",
                      de="Ergebnis|Antwortergebnis", es="Resultado", it="Esito", nl="Resultaat|Uitkomst"),
        "refusal_ground": _h(en="Refusal ground|Reason for refusal", fr="Motif de refus", de="Ablehnungsgrund",
                             es="Motivo de denegación", it="Motivo del rifiuto", nl="Weigeringsgrond"),
        "data_disclosed": _h(en="Data disclosed|Categories disclosed", fr="Données communiquées|Catégories communiquées",
                             de="Herausgegebene Daten|Übermittelte Datenkategorien", es="Datos comunicados|Datos entregados",
                             it="Dati comunicati|Dati trasmessi", nl="Verstrekte gegevens"),
        "records_disclosed": _h(en="Records disclosed|Number of records",
                                fr="Nombre d'enregistrements|Enregistrements communiqués",
                                de="Anzahl Datensätze|Herausgegebene Datensätze", es="Registros comunicados|Número de registros",
                                it="Record comunicati|Numero di record", nl="Aantal records|Verstrekte records"),
        "sensitive_data": _h(en="Sensitive data|Special categories", fr="Données sensibles|Catégories particulières",
                             de="Sensible Daten|Besondere Kategorien", es="Datos sensibles|Categorías especiales",
                             it="Dati sensibili|Categorie particolari", nl="Gevoelige gegevens|Bijzondere categorieën"),
        "received_at": _h(en="Data received at|Received at", fr="Données reçues le|Date de réception des données",
                          de="Daten erhalten am|Eingang der Daten", es="Datos recibidos el", it="Dati ricevuti il",
                          nl="Gegevens ontvangen op"),
        "user_notified_at": _h(en="User notified at|Person informed at",
                               fr="Personne informée le|Information de la personne le",
                               de="Betroffene Person unterrichtet am|Betroffener benachrichtigt am",
                               es="Persona informada el", it="Persona informata il", nl="Betrokkene geïnformeerd op"),
        "notification_blocked_by": _h(en="Notification blocked by|Notice restriction",
                                      fr="Information différée pour|Restriction de l'information",
                                      de="Unterrichtung zurückgestellt wegen|Benachrichtigungssperre",
                                      es="Notificación impedida por", it="Notifica impedita da",
                                      nl="Kennisgeving geblokkeerd door"),
        "safeguard_reference": _h(en="Safeguard reference", fr="Référence de la garantie|Garantie appliquée",
                                  de="Referenz der Schutzmaßnahme|Schutzmaßnahme", es="Referencia de la garantía",
                                  it="Riferimento della garanzia", nl="Referentie waarborg"),
        "decided_at": _h(en="Decided at|Decision date", fr="Décision le|Date de décision",
                         de="Entscheidung am|Entschieden am", es="Fecha de decisión", it="Data della decisione",
                         nl="Datum beslissing"),
    },
    "custody_events": {
        "event_id": _h(en="Event ID|Event reference", fr="N° d'événement|Référence de l'événement|Identifiant de l'événement",
                       de="Ereignis-Nr.|Ereignisnummer", es="Número de evento|ID de evento", it="Numero evento|ID evento",
                       nl="Gebeurtenisnummer"),
        "request_id": _h(en="Request ID|Request reference|Order reference",
                         fr="Référence de la demande|N° de demande|Réf. demande",
                         de="Anordnungs-Nr.|Anordnungsnummer|Vorgangsnummer",
                         es="Referencia de la solicitud|Número de solicitud", it="Riferimento richiesta|Numero richiesta",
                         nl="Verzoeknummer|Kenmerk verzoek"),
        "event": _h(en="Event|Event type", fr="Événement|Type d'événement|Opération", de="Ereignis|Ereignisart",
                    es="Evento|Tipo de evento", it="Evento|Tipo di evento", nl="Gebeurtenis|Soort gebeurtenis"),
        "at": _h(en="At|Date|Event date|When", fr="Date|Date de l'événement|Le", de="Datum|Zeitpunkt",
                 es="Fecha|Fecha del evento", it="Data|Data dell'evento", nl="Datum|Tijdstip"),
        "actor": _h(en="Actor|Acting role", fr="Acteur|Intervenant|Agent", de="Akteur|Handelnde Person",
                    es="Actor|Interviniente", it="Attore|Operatore", nl="Actor|Handelende persoon"),
        "counterparty": _h(en="Counterparty|Recipient", fr="Destinataire|Contrepartie", de="Empfänger|Gegenstelle",
                           es="Destinatario|Contraparte", it="Destinatario|Controparte", nl="Ontvanger|Tegenpartij"),
        "reference": _h(en="Reference|Authorisation reference", fr="Référence|Référence d'autorisation",
                        de="Referenz|Genehmigungsreferenz", es="Referencia|Referencia de autorización",
                        it="Riferimento|Riferimento dell'autorizzazione", nl="Referentie|Machtigingsreferentie"),
        "until": _h(en="Until|Retention until|Keep until", fr="Conservation jusqu'au|Jusqu'au|Échéance de conservation",
                    de="Aufbewahrung bis|Bis", es="Conservar hasta|Hasta", it="Conservare fino al|Fino al",
                    nl="Bewaren tot|Tot"),
        "purpose": _PURPOSE,
        "significant_adverse_effect": _h(en="Significant adverse effect",
                                         fr="Effet négatif important|Effet préjudiciable important",
                                         de="Erhebliche nachteilige Wirkung", es="Efecto adverso significativo",
                                         it="Effetto negativo significativo", nl="Aanzienlijk nadelig effect"),
        "significant_risk": _h(en="Significant risk", fr="Risque important|Risque significatif",
                               de="Erhebliches Risiko", es="Riesgo significativo", it="Rischio significativo",
                               nl="Aanzienlijk risico"),
        "notice_exemption": _h(en="Notice exemption", fr="Motif de non-information|Dispense d'information",
                               de="Ausnahme von der Benachrichtigung", es="Exención de notificación",
                               it="Esenzione dalla notifica", nl="Vrijstelling kennisgeving"),
        "granted_by_party": _h(en="Granted by party|Authorised by party", fr="Autorisé par la Partie|Partie ayant autorisé",
                               de="Genehmigt durch Staat", es="Autorizado por la Parte", it="Autorizzato dalla Parte",
                               nl="Goedgekeurd door partij"),
    },
    "parties": {
        "party": _h(en="Party|Country|State", fr="Partie|Pays|État", de="Vertragspartei|Staat|Land",
                    es="Parte|País|Estado", it="Parte|Paese|Stato", nl="Partij|Land|Staat"),
        "cets224_ratified_at": _h(en="Ratified at|Ratification date", fr="Date de ratification|Ratifié le",
                                  de="Ratifiziert am|Ratifikationsdatum", es="Fecha de ratificación",
                                  it="Data di ratifica", nl="Datum ratificatie|Geratificeerd op"),
        "retention_max_days": _h(en="Maximum retention (days)", fr="Durée maximale de conservation (jours)",
                                 de="Höchstspeicherdauer (Tage)", es="Conservación máxima (días)",
                                 it="Conservazione massima (giorni)", nl="Maximale bewaartermijn (dagen)"),
        "incident_notice_hours": _h(en="Incident notice (hours)", fr="Délai de notification d'incident (heures)",
                                    de="Meldefrist Vorfall (Stunden)", es="Plazo de notificación de incidentes (horas)",
                                    it="Termine di notifica degli incidenti (ore)", nl="Meldtermijn incident (uren)"),
    },
}

#: vocabulary name -> canonical value -> labels (any language). A column's vocabulary is its
#: canonical column name, or ``data_category`` for the set columns, ``bool`` for booleans.
VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "instrument": {
        "cets224_art6": ("Art. 6 - noms de domaine", "Art. 6 Domainnamen", "Article 6 domain name registration",
                         "Art. 6 nombres de dominio", "Art. 6 nomi di dominio", "Art. 6 domeinnamen"),
        "cets224_art7": ("Art. 7 - injonction directe", "Art. 7 Direktanordnung", "Article 7 direct order",
                         "Art. 7 orden directa", "Art. 7 ordine diretto", "Art. 7 rechtstreeks bevel"),
        "cets224_art8": ("Art. 8 - injonction via la Partie requise", "Art. 8 Anordnung über den ersuchten Staat",
                         "Article 8 order via the requested party", "Art. 8 orden a través de la Parte requerida",
                         "Art. 8 ordine tramite la Parte richiesta", "Art. 8 bevel via de aangezochte partij"),
        "cets224_art9": ("Art. 9 - divulgation d'urgence (24/7)", "Art. 9 Eiloffenlegung (24/7)",
                         "Article 9 emergency disclosure (24/7)", "Art. 9 revelación urgente (24/7)",
                         "Art. 9 divulgazione urgente (24/7)", "Art. 9 spoedverstrekking (24/7)"),
        "cets224_art10": ("Art. 10 - entraide d'urgence", "Art. 10 Eilrechtshilfe", "Article 10 emergency mutual assistance",
                          "Art. 10 asistencia mutua urgente", "Art. 10 assistenza giudiziaria urgente",
                          "Art. 10 spoedrechtshulp"),
        "eu_epoc": ("Injonction européenne de production", "Europäische Herausgabeanordnung", "European Production Order",
                    "EPOC", "Orden europea de producción", "Ordine europeo di produzione", "Europees verstrekkingsbevel"),
        "eu_epoc_pr": ("Injonction européenne de conservation", "Europäische Sicherungsanordnung",
                       "European Preservation Order", "EPOC-PR", "Orden europea de conservación",
                       "Ordine europeo di conservazione", "Europees bewaringsbevel"),
        "mla": ("Entraide pénale internationale", "Entraide judiciaire", "Rechtshilfe", "Rechtshilfeersuchen",
                "Mutual legal assistance", "MLA", "Asistencia judicial", "Assistenza giudiziaria", "Rechtshulp",
                "Rechtshulpverzoek"),
        "other": ("Autre", "Sonstiges", "Sonstige", "Other", "Otro", "Otra", "Altro", "Altra", "Overig", "Anders"),
    },
    "authority_type": {
        "judge": ("Juge", "Juge d'instruction", "Richter", "Ermittlungsrichter", "Judge", "Court", "Juez", "Giudice",
                  "Rechter", "Rechter-commissaris"),
        "prosecutor": ("Procureur", "Parquet", "Ministère public", "Staatsanwaltschaft", "Staatsanwalt", "Prosecutor",
                       "Fiscal", "Fiscalía", "Pubblico ministero", "Procura", "Officier van justitie",
                       "Openbaar Ministerie"),
        "independent": ("Autorité indépendante", "Unabhängige Behörde", "Independent authority",
                        "Autoridad independiente", "Autorità indipendente", "Onafhankelijke autoriteit"),
        "police": ("Police", "Gendarmerie", "Polizei", "Policía", "Polizia", "Politie"),
        "administrative": ("Autorité administrative", "Administration", "Verwaltungsbehörde", "Administrative authority",
                           "Autoridad administrativa", "Autorità amministrativa", "Bestuursorgaan"),
        "other": ("Autre", "Sonstige", "Sonstiges", "Other", "Otra", "Otro", "Altra", "Altro", "Overig", "Anders"),
    },
    "channel": {
        "direct": ("Directe", "Direct", "Direkt", "Directo", "Diretto", "Rechtstreeks"),
        "central_authority": ("Autorité centrale", "Zentralbehörde", "Central authority", "Autoridad central",
                              "Autorità centrale", "Centrale autoriteit"),
        "network_24_7": ("Réseau 24/7", "24/7-Netzwerk", "24/7 Netzwerk", "24/7 network", "Red 24/7", "Rete 24/7",
                         "24/7-netwerk"),
        "provider_portal": ("Portail du fournisseur", "Anbieterportal", "Provider portal", "Portal del proveedor",
                            "Portale del fornitore", "Portaal van de aanbieder"),
        "eu_decentralised": ("Système informatique décentralisé", "Dezentrales IT-System", "Decentralised IT system",
                             "e-CODEX", "Sistema informático descentralizado", "Sistema informatico decentrato",
                             "Gedecentraliseerd IT-systeem"),
        "other": ("Autre", "Sonstiger", "Sonstiges", "Other", "Otro", "Altro", "Overig", "Anders"),
    },
    "outcome": {
        "disclosed": ("Communiqué", "Données communiquées", "Herausgegeben", "Disclosed", "Comunicado", "Entregado",
                      "Comunicato", "Verstrekt"),
        "partial": ("Partiel", "Communication partielle", "Teilweise", "Partial", "Parcial", "Parziale", "Gedeeltelijk"),
        "refused": ("Refusé", "Refus", "Abgelehnt", "Refused", "Denegado", "Rechazado", "Rifiutato", "Geweigerd"),
        "no_data": ("Aucune donnée", "Keine Daten", "No data", "Sin datos", "Nessun dato", "Geen gegevens"),
        "withdrawn": ("Retiré", "Retrait", "Zurückgenommen", "Withdrawn", "Retirado", "Ritirato", "Ingetrokken"),
    },
    "notification_blocked_by": {
        "none": ("Aucun", "Aucune", "Keine", "Keiner", "None", "Ninguno", "Nessuno", "Geen"),
        "confidentiality_order": ("Ordonnance de confidentialité", "Secret de l'enquête", "Geheimhaltungsanordnung",
                                  "Confidentiality order", "Orden de confidencialidad", "Ordine di riservatezza",
                                  "Geheimhoudingsbevel"),
        "emergency": ("Urgence", "Eilfall", "Emergency", "Urgencia", "Urgenza", "Spoed"),
        "law": ("Loi", "Gesetz", "Law", "Ley", "Legge", "Wet"),
        "other": ("Autre", "Sonstiges", "Sonstige", "Other", "Otro", "Altro", "Overig", "Anders"),
    },
    "event": {
        "received": ("Réception", "Reçu", "Eingang", "Empfangen", "Received", "Recepción", "Ricezione", "Ontvangst"),
        "accessed": ("Consultation", "Zugriff", "Accessed", "Access", "Acceso", "Accesso", "Raadpleging"),
        "retention_set": ("Durée de conservation fixée", "Aufbewahrungsfrist festgelegt", "Retention set",
                          "Plazo de conservación fijado", "Periodo di conservazione fissato", "Bewaartermijn vastgesteld"),
        "retention_reviewed": ("Réexamen de la conservation", "Aufbewahrung überprüft", "Retention reviewed",
                               "Conservación revisada", "Conservazione riesaminata", "Bewaring herzien"),
        "deleted": ("Suppression", "Effacement", "Gelöscht", "Löschung", "Deleted", "Supresión", "Cancellazione",
                    "Verwijderd"),
        "shared_domestic": ("Partage national", "Innerstaatliche Weitergabe", "Shared domestically",
                            "Comunicación nacional", "Condivisione nazionale", "Binnenlands gedeeld"),
        "transfer_authorised": ("Transfert autorisé", "Übermittlung genehmigt", "Transfer authorised",
                                "Transferencia autorizada", "Trasferimento autorizzato", "Doorgifte toegestaan"),
        "transferred_onward": ("Transfert ultérieur", "Weiterübermittlung", "Transferred onward", "Onward transfer",
                               "Transferencia ulterior", "Trasferimento successivo", "Verdere doorgifte"),
        "security_incident": ("Incident de sécurité", "Sicherheitsvorfall", "Security incident",
                              "Incidente de seguridad", "Incidente di sicurezza", "Beveiligingsincident"),
        "incident_notified": ("Incident notifié", "Vorfall gemeldet", "Incident notified", "Incidente notificado",
                              "Incidente notificato", "Incident gemeld"),
        "subject_notified": ("Personne informée", "Betroffene Person unterrichtet", "Subject notified",
                             "Interesado informado", "Interessato informato", "Betrokkene geïnformeerd"),
        "automated_decision": ("Décision automatisée", "Automatisierte Entscheidung", "Automated decision",
                               "Decisión automatizada", "Decisione automatizzata", "Geautomatiseerd besluit"),
        "human_review": ("Réexamen humain", "Menschliche Überprüfung", "Human review", "Revisión humana",
                         "Riesame umano", "Menselijke beoordeling"),
    },
    "data_category": {
        "subscriber": ("abonné", "données d'abonné", "Bestandsdaten", "Teilnehmerdaten", "subscriber",
                       "subscriber information", "abonado", "datos de abonado", "abbonato", "dati dell'abbonato",
                       "abonnee", "abonneegegevens"),
        "ip_identification": ("identification IP", "IP-Identifizierung", "IP identification", "identificación IP",
                              "identificazione IP", "IP-identificatie"),
        "traffic": ("trafic", "données de trafic", "Verkehrsdaten", "traffic", "traffic data", "tráfico",
                    "datos de tráfico", "traffico", "dati di traffico", "verkeersgegevens"),
        "content": ("contenu", "Inhaltsdaten", "Inhalt", "content", "contenido", "contenuto", "inhoud",
                    "inhoudsgegevens"),
        "domain_registration": ("nom de domaine", "enregistrement de nom de domaine", "Domainregistrierung",
                                "domain registration", "domain name registration", "registro de dominio",
                                "registrazione del dominio", "domeinregistratie"),
    },
    "offence_category": {
        "attacks_on_information_systems": ("Atteintes aux systèmes d'information", "Angriffe auf Informationssysteme",
                                           "Attacks on information systems", "Ataques contra los sistemas de información",
                                           "Attacchi contro i sistemi di informazione",
                                           "Aanvallen op informatiesystemen"),
        "non_cash_payment_fraud": ("Fraude aux moyens de paiement autres qu'en espèces",
                                   "Betrug mit unbaren Zahlungsmitteln", "Non-cash payment fraud",
                                   "Fraude de medios de pago distintos del efectivo",
                                   "Frode relativa ai mezzi di pagamento diversi dai contanti",
                                   "Fraude met andere betaalmiddelen dan contanten"),
        "child_sexual_abuse": ("Abus sexuels sur enfants", "Sexueller Kindesmissbrauch", "Child sexual abuse",
                               "Abuso sexual de menores", "Abuso sessuale su minori", "Seksueel misbruik van kinderen"),
        "terrorism": ("Terrorisme", "Terrorismus", "Terrorism", "Terrorismo", "Terrorisme"),
        "other": ("Autre", "Sonstige", "Sonstiges", "Other", "Otro", "Otra", "Altro", "Overig", "Anders"),
    },
    "bool": {
        "true": ("oui", "vrai", "ja", "wahr", "sí", "si", "verdadero", "sì", "vero", "waar", "x"),
        "false": ("non", "faux", "nein", "falsch", "no", "falso", "nee", "onwaar"),
    },
}


def vocabulary_of(column: str, kind: str) -> str | None:
    """The vocabulary a canonical column's values come from (``VALUES`` key, or ``party``)."""
    if kind == "bool":
        return "bool"
    if kind == "set":
        return "data_category"
    if kind == "party":
        return "party"
    if column in VALUES:
        return column
    return None


@lru_cache(maxsize=1)
def header_index() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """table -> folded label -> [(canonical column, language)]."""
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for table, columns in HEADERS.items():
        index: dict[str, list[tuple[str, str]]] = {}
        for column, by_lang in columns.items():
            for lang, labels in by_lang.items():
                for label in labels:
                    entry = (column, lang)
                    if entry not in index.setdefault(fold(label), []):
                        index[fold(label)].append(entry)
        out[table] = index
    return out


@cache
def value_index(vocabulary: str) -> dict[str, str]:
    """folded label -> canonical value, for one vocabulary (``party``: every Party name)."""
    if vocabulary == "party":
        return party_names()
    out: dict[str, str] = {}
    for canonical, labels in VALUES.get(vocabulary, {}).items():
        for label in (*labels, canonical, canonical.replace("_", " ")):
            out.setdefault(fold(label), canonical)
    return out


@lru_cache(maxsize=1)
def party_names() -> dict[str, str]:
    """folded country name in any of the six languages -> ISO 3166-1 alpha-2 code."""
    from babel import Locale  # noqa: PLC0415

    from auditor import iso  # noqa: PLC0415

    out: dict[str, str] = {}
    valid = iso.codes()
    for lang in LANGS:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code in valid:
                out.setdefault(fold(name), code)
    for name, code in iso.names().items():
        out.setdefault(fold(name), code)
    return out

"""The handbook's own words in the languages it is built in: one table, data only.

A bilingual handbook (mkdocs-static-i18n) builds every page once per language; the
panel, the relation lists, the section headings and the navigation sections qmskit adds
must then read in that language too. The English text is the key: code writes
`ctx.t("Owner")`, and a language missing here (or a label missing in a language) shows
the English text, so adding a language is adding a dictionary below, never code.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"

#: language -> {English label -> label in that language}.
LABELS: dict[str, dict[str, str]] = {
    "de": {
        # the metadata panel
        "Id": "ID", "Kind": "Art", "Status": "Status", "Version": "Version",
        "Owner": "Verantwortlich", "Approved by": "Freigegeben von",
        "Last review": "Letzte Prüfung", "Next review": "Nächste Prüfung",
        "Latest": "Letzter Wert", "Target": "Ziel", "Frequency": "Häufigkeit",
        "Due": "Fällig", "Holders": "Inhaber", "Deputy": "Stellvertretung",
        "Reports to": "Berichtet an", "Type": "Typ", "Rating": "Bewertung",
        "Source": "Quelle", "Raised from": "Ausgelöst durch", "Opened": "Eröffnet",
        "Closed": "Abgeschlossen", "Effectiveness": "Wirksamkeit", "Found": "Festgestellt",
        "Severity": "Schwere", "No action because": "Keine Maßnahme, weil",
        "Date": "Datum", "Auditors": "Auditoren", "Inputs covered": "Behandelte Eingaben",
        "Records": "Aufzeichnungen", "Must be read by": "Zu lesen von",
        "No records yet.": "Noch keine Einträge.", "Title": "Titel",
        "Effectiveness checked": "Wirksamkeit geprüft",
        "Effectiveness result": "Wirksamkeit: Ergebnis",
        "Effectiveness evidence": "Wirksamkeit: Nachweis",
        "Effective": "Gültig ab", "Register": "Register", "Superseded by": "Ersetzt durch",
        # kinds of document (the panel's "Kind")
        "Strategy": "Strategie", "Objective": "Ziel", "Process": "Prozess",
        "Procedure": "Verfahren", "KPI": "Kennzahl", "Role": "Rolle", "Risk": "Risiko",
        "Nonconformity": "Nichtkonformität", "Action": "Maßnahme", "Audit": "Audit",
        "Management review": "Managementbewertung", "Document": "Dokument",
        # page sections of a document
        "Trend": "Verlauf", "Place in the system": "Stellung im System",
        "Revisions and approvals": "Änderungen und Freigaben",
        # relations (outgoing, incoming) in the table and on the one-hop map
        "Supports": "Unterstützt", "Supported by": "Unterstützt von",
        "Measures": "Misst", "Measured by": "Gemessen von", "Owns": "Verantwortet",
        "Approves": "Gibt frei", "Reviewed by": "Geprüft von", "Reviews": "Prüft",
        "Direct reports": "Direkt unterstellt", "Inputs from": "Eingaben von",
        "Input to": "Eingabe für", "Outputs to": "Ergebnisse an",
        "Output of": "Ergebnis von", "Risks": "Risiken", "Risk to": "Risiko für",
        "Must read": "Muss lesen", "Affects": "Betrifft", "Affected by": "Betroffen von",
        "Treated by": "Behandelt durch", "Treats": "Behandelt",
        "Audit scope": "Auditumfang", "Audited in": "Auditiert in",
        "Findings": "Feststellungen", "Finding of": "Feststellung von",
        "Actions": "Maßnahmen", "Action on": "Maßnahme zu", "Raised": "Löste aus",
        "Decisions": "Entscheidungen", "Decided in": "Entschieden in",
        "Attendees": "Teilnehmende", "Attends": "Nimmt teil an",
        "Supersedes": "Ersetzt", "Serves strategy": "Dient der Strategie",
        "not traced to any strategy": "keiner Strategie zugeordnet",
        "Relation": "Beziehung", "Documents": "Dokumente",
        "No links to or from other documents.": "Keine Verknüpfungen mit anderen Dokumenten.",
        # the generated System pages, as the navigation names them
        "Strategy map": "Strategielandkarte", "KPI dashboard": "Kennzahlen-Übersicht",
        "Review calendar": "Prüfkalender", "Document register": "Dokumentenverzeichnis",
        "Roles and responsibilities": "Rollen und Verantwortungen", "People": "Personen",
        "Traceability matrix": "Rückverfolgbarkeitsmatrix", "System health": "Systemzustand",
        "Check findings": "Prüfergebnisse", "Clause coverage": "Normabdeckung",
        "Read and understood": "Gelesen und verstanden",
        "Management review pack": "Unterlagen zur Managementbewertung",
        "For auditors": "Für Auditoren", "The system at a glance": "Das System auf einen Blick",
        # navigation sections ("Strategy", "Actions", "Registers" above)
        "System": "System", "Objectives": "Ziele",
        "Processes and procedures": "Prozesse und Verfahren", "KPIs": "Kennzahlen",
        "Roles": "Rollen", "Risks and opportunities": "Risiken und Chancen",
        "Nonconformities": "Nichtkonformitäten", "Audits": "Audits",
        "Management reviews": "Managementbewertungen", "Registers": "Register",
    },
}


def translate(text: str, language: str) -> str:
    """`text` in `language`: the table's entry, else the English text itself."""
    if language == DEFAULT_LANGUAGE:
        return text
    return LABELS.get(language, {}).get(text, text)

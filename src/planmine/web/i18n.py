"""The app's words in Swedish (default) and English; `?lang=en` or the `lang` cookie switches."""

from __future__ import annotations

from fastapi import Request

LANGS = ("sv", "en")
LANG_COOKIE = "planmine_lang"

_WORDS: dict[str, tuple[str, str]] = {
    "app": ("planmine – Nära vård-planer", "planmine – Nära vård plans"),
    "ask": ("Fråga", "Ask"),
    "compare": ("Jämför", "Compare"),
    "documents": ("Dokument", "Documents"),
    "themes": ("Teman", "Themes"),
    "upload": ("Ladda upp", "Upload"),
    "api": ("API", "API"),
    "question": ("Fråga", "Question"),
    "question_hint": (
        "t.ex. Vilka regioner arbetar med fallprevention?",
        "e.g. Which regions work on fall prevention?",
    ),
    "submit_ask": ("Fråga", "Ask"),
    "read_theme": ("läst som temat", "read as the theme"),
    "read_free": ("fri fråga", "free question"),
    "region": ("Region", "Region"),
    "region_hint": ("tomt: läses ur texten", "empty: detected from the text"),
    "level": ("Nivå", "Level"),
    "score": ("Poäng", "Score"),
    "quotes": ("Citat", "Quotes"),
    "page": ("sida", "page"),
    "no_quotes": ("inga citat", "no quotes"),
    "addressed": ("behandlas", "addressed"),
    "mentioned": ("nämns", "mentioned"),
    "not_found": ("hittades inte", "not found"),
    "cannot_assess": ("kan inte bedömas", "cannot assess"),
    "no_documents": ("inga dokument", "no documents"),
    "no_store_docs": (
        "Inga dokument i lagret än. Ladda upp några, eller kör planmine ingest corpus/.",
        "No documents in the store yet. Upload some, or run planmine ingest corpus/.",
    ),
    "theme": ("Tema", "Theme"),
    "group": ("Temagrupp", "Theme group"),
    "all": ("alla", "all"),
    "types": ("Dokumenttyp", "Document type"),
    "policy": ("styrande dokument", "policy documents"),
    "as_of": ("Per år", "As of year"),
    "filter": ("Filtrera", "Filter"),
    "download": ("Ladda ned det som visas", "Download what is shown"),
    "filter_note": (
        "Dokumenttyp och år filtrerar citaten; en cell utan citat kvar visas som hittades inte.",
        "Document type and year filter the quotes; a cell left without quotes shows as not found.",
    ),
    "title": ("Titel", "Title"),
    "owner": ("Ägare", "Owner"),
    "date": ("Datum", "Date"),
    "type": ("Typ", "Type"),
    "pages": ("Sidor", "Pages"),
    "passages": ("Stycken", "Passages"),
    "ocr": ("OCR-andel", "OCR share"),
    "warnings": ("Varningar", "Warnings"),
    "original": ("Originalfil", "Original file"),
    "tags": ("Taggar", "Tags"),
    "taxonomy": ("Taxonomi", "Taxonomy"),
    "discovered": ("Upptäckta teman över regioner", "Themes discovered across regions"),
    "show_discovered": ("Visa upptäckta teman (tar en stund)", "Show discovered themes (takes a while)"),
    "candidate": ("kandidat till nytt tema", "candidate new theme"),
    "terms": ("Termer", "Terms"),
    "token": ("Skrivnyckel (PLANMINE_TOKEN)", "Write token (PLANMINE_TOKEN)"),
    "files": ("Filer (PDF, DOCX, HTML, TXT, MD)", "Files (PDF, DOCX, HTML, TXT, MD)"),
    "send": ("Ladda upp och läs in", "Upload and ingest"),
    "writing_off": (
        "Uppladdning är avstängd: starta servern med PLANMINE_TOKEN eller --token-file.",
        "Uploading is off: start the server with PLANMINE_TOKEN or --token-file.",
    ),
    "progress": ("Inläsning", "Ingest"),
    "status": ("Status", "Status"),
    "reason": ("Orsak", "Reason"),
    "file": ("Fil", "File"),
    "done": ("klar", "done"),
    "running": ("pågår", "running"),
    "queued": ("i kö", "queued"),
    "error": ("Fel", "Error"),
    "not_found_page": ("Finns inte", "Not found"),
    "lang_switch": ("English", "Svenska"),
    "endpoints": ("Endpunkter", "Endpoints"),
    "parameters": ("Parametrar", "Parameters"),
}


def lang_of(request: Request) -> str:
    """The page language: ?lang=, else the cookie, else Swedish."""
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "sv"
    return wanted if wanted in LANGS else "sv"


def words(lang: str) -> dict[str, str]:
    """Every UI word in `lang`."""
    i = LANGS.index(lang) if lang in LANGS else 0
    return {key: pair[i] for key, pair in _WORDS.items()}

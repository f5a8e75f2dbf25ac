"""Compiled regexes and small word tables shared by the cleaning steps and the OCR repairer."""

from __future__ import annotations

import re

# --- Unicode -------------------------------------------------------------------------------------------
LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width marks, BOM
ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")

# --- HTML ----------------------------------------------------------------------------------------------
# Only real HTML tag names, so that "<5 år" or "a < b" survive.
_TAG_NAMES = (
    r"p|i|b|u|em|strong|ul|ol|li|br|span|div|a|sup|sub|h[1-6]|table|thead|tbody|tr|td|th|font|small|hr"
)
HTML_TAG = re.compile(rf"</?(?:{_TAG_NAMES})\b[^<>]*?/?>", re.IGNORECASE)
HTML_BLOCK_TAG = re.compile(r"</?(?:p|div|ul|ol|br|h[1-6]|table|tr|hr)\b[^<>]*?/?>", re.IGNORECASE)
HTML_LI_OPEN = re.compile(r"<li\b[^<>]*>", re.IGNORECASE)
HTML_ENTITY = re.compile(r"&(?:#\d{1,6}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")

# --- Markdown ------------------------------------------------------------------------------------------
MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
MD_STRAY_STRONG = re.compile(r"\*\*+|(?<!\w)__+|__+(?!\w)")
MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(?=\S)", re.MULTILINE)

# --- Layout --------------------------------------------------------------------------------------------
PAGE_MARKER_LINE = re.compile(
    r"^[ \t]*(?:\d{1,4}[ \t]*\([ \t]*\d{1,4}[ \t]*\)|(?:sida|page)[ \t]+\d{1,4}(?:[ \t]+(?:av|of)[ \t]+\d{1,4})?)"
    r"[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# "o", "e" are OCR readings of round bullets; they count only when a capital letter follows. U+F0B7, U+F0A7,
# U+F076, U+F0D8, U+F0FC are Word's Symbol/Wingdings bullets as PDF text extraction gives them.
BULLET_LINE = re.compile(
    r"^[ \t]*(?:[•●▪■◦▫·‣∙*–—\uf0b7\uf0a7\uf076\uf0d8\uf0fc✓✔➢➤►❖-]|[oe](?=[ \t]+[A-ZÅÄÖ0-9\"”]))[ \t]+(?=\S)",
    re.MULTILINE,
)
HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?=(\w+))")
MULTI_SPACE = re.compile(r"[ ]{2,}")
TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
LEADING_SPACE = re.compile(r"^[ ]+", re.MULTILINE)
MANY_BLANK_LINES = re.compile(r"\n{3,}")
SENTENCE_END = re.compile(r"[.!?:;]$")
NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?[ \t]+[A-ZÅÄÖ\"”]")

# Words after "hälso-\n" that show the hyphen is a suspended compound part ("hälso- och sjukvård").
SUSPENSION_WORDS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "som", "men", "till", "utan", "&"}
)

# --- Tokens for OCR repair -----------------------------------------------------------------------------
# Letters plus the symbols OCR puts in place of å/ä/ö and l ("6kar", "&r", "l4n", "1an", "I6sningar").
OCR_TOKEN = re.compile(r"[^\W_]+(?:[&¢|][^\W_]*)*|[&¢|][^\W_]+|\|")
# Web addresses, e-mail addresses and bare domains. Linear in the text: each alternative starts only where
# the token before it ends (the lookbehinds) and its parts are bounded by the lengths DNS and e-mail
# allow (local part 64, label 63, 10 labels), so a 5 MB line without spaces is one pass, not n² tries.
URL = re.compile(
    r"(?:https?://|(?<![\w.-])www\.)\S+"
    r"|(?<![\w.+%-])[\w.+%-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,9}\.\w{2,24}\b"
    r"|(?<![\w.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,9}\.(?:se|nu|com|org|net|eu|info)\b(?:/\S*)?",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+")
COUNT_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)?|[.!?;:]")
DIACRITICS = frozenset("åäöÅÄÖ")
SWEDISH_LETTERS = re.compile(r"[a-zåäöé]", re.IGNORECASE)

NUM = "<num>"
BOS = "<s>"

# --- Small word classes for the context rules ----------------------------------------------------------
PREPOSITIONS = frozenset(
    [
        "i",
        "av",
        "för",
        "for",
        "med",
        "till",
        "på",
        "pa",
        "om",
        "från",
        "fran",
        "inom",
        "mellan",
        "hos",
        "genom",
        "under",
        "över",
        "over",
        "åt",
        "at",
        "bland",
        "utifrån",
        "utifran",
        "mot",
        "vid",
        "ur",
        "efter",
        "före",
        "utan",
        "kring",
        "runt",
        "enligt",
    ]
)
VERB_TRIGGERS = frozenset(
    [
        "att",
        "ska",
        "skall",
        "kan",
        "bör",
        "bor",
        "måste",
        "maste",
        "vill",
        "får",
        "far",
        "kommer",
        "skulle",
        "kunna",
        "behöver",
        "behover",
        "behövs",
        "inte",
        "också",
        "ocksa",
        "även",
        "aven",
        "kunde",
        "ville",
        "borde",
    ]
)
ARTICLES = frozenset(
    ["en", "ett", "den", "det", "de", "denna", "detta", "dessa", "mer", "mest", "mycket", "så", "sa", "som"]
)
FINITE_LIKE = frozenset(
    [
        "finns",
        "kan",
        "ska",
        "skall",
        "kommer",
        "har",
        "är",
        "ar",
        "blir",
        "behövs",
        "behovs",
        "gäller",
        "galler",
    ]
)

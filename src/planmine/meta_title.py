"""A document's own title and its own word for itself (handlingsplan, målbild, ...), never a section heading.

Sources, in order: the title an author set (Markdown front matter, the Word Title style), the cover's
largest text (PDF), the file's title property when it is a real title (not a file name or a GUID), the
HTML <h1>/<title>, then the first title-like block of the first page. A text without any title line
gets one built from how it names itself ("Handlingsplanen för sammanhållen vård och omsorg ..."), and as
a last resort the file name; the evidence says which.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planmine.meta_dates import Found
from planmine.regions import fold


@dataclass(frozen=True)
class TitleConfig:
    """Limits of title detection (one home for each)."""

    max_chars: int = 200  # a longer block is running text
    max_lines: int = 4  # ... and so is a block of more lines
    head_lines: int = 80  # title blocks are looked for among the first lines of the first page
    head_chars: int = 1500  # ... and its first characters (a name in a later quote is no title)
    min_chars: int = 4


CONFIG = TitleConfig()

# Document types, most specific first; the document's own word for itself.
DOC_TYPES = (
    ("handlingsplan", r"handlingsplan"),
    ("målbild", r"malbild"),
    ("färdplan", r"fardplan"),
    ("överenskommelse", r"overenskommelse"),
    ("riktlinje", r"riktlinje"),
    ("rutin", r"rutin\b|rutiner\b|samverkansrutin"),
    ("strategi", r"strategi"),
    ("avtal", r"\bavtal\b"),
    ("blankett", r"blankett"),
    ("proposition", r"\bprop\.|proposition"),
    ("kommittédirektiv", r"kommittedirektiv|\bdir\. \d{4}"),
    ("regeringsuppdrag", r"regeringsuppdrag|uppdrag (om|till|att)"),
    ("pressmeddelande", r"pressmeddelande"),
    ("artikel", r"\bartikel\b"),
    ("upphandling", r"upphandling|avropsforfragan|avrop\b|avropsmall"),
    ("analys", r"sarbarhetsanalys|\banalys\b"),
    ("manual", r"manual\b|installationsmanual"),
    ("rekommendationer", r"rekommendationer|rekommenderade lakemedel"),
)
_SELF_TYPES = ("handlingsplan", "målbild", "färdplan", "överenskommelse", "riktlinje", "rutin", "strategi")
# Section headings that open a document but are never its title.
_SECTION = re.compile(
    r"^(förord|forord|sammanfattning|innehåll|innehållsförteckning|inledning|nuläget|nulaget|bakgrund|"
    r"syfte|vägen framåt|läsanvisning|om dokumentet|revisionshistorik|metadata om dokument|"
    r"symbolförklaring|filtersammanfattning|anbud|upphandlande organisation|ta inte bort denna rad|dokumentversion|beslutad av|"
    r"dnr|diarienummer|datum|sida|page|version|bilaga|\d+\s*\(\d+\))\b",
    re.IGNORECASE,
)
_NOT_TITLE = re.compile(
    r"^[\W\d_]+$|^[/|]|^[-•*oe] |^[(\"”]|\t|:\s*$|\.{4,}|https?://|@|^kapitel \d", re.IGNORECASE
)
# A line of a code or API listing (an HTTP verb and a path, a camelCase identifier, brackets, `$`): never
# a title, whatever its layout.
_CODE = re.compile(
    r"^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/|\b[a-z]{2,}[A-Z]\w*|[{}\[\]$<>=;]|\w\(|^/\w"
)
# A form's own name ('Avropsmall IT-konsulttjänster 2021'): the template, not which filled-in document it is.
_TEMPLATE = re.compile(r"\w*mall\b|\bblankett\b|\btemplate\b", re.IGNORECASE)
# A one-line block that goes on with the title above it ('för sjuksköterskor med förskrivningsrätt').
_SUBTITLE = re.compile(r"(?:för|om|inom|avseende|vid|kring|mellan)\s+[^\n]+$")
_OWNER_PREFIX = re.compile(
    r"(?:Region [A-ZÅÄÖ][\wåäö]+(?: län)?|[A-ZÅÄÖ][\wåäö-]+ (?:kommun|stad)|Landstinget [A-ZÅÄÖ][\wåäö]+)"
    r"\s+(?=[A-ZÅÄÖ])"
)
# A letterhead's lines: the owner's name, its office, a box or postal address, phone, e-mail, web, org. no.
_LETTERHEAD_LINE = re.compile(
    r"^(?:(?:[A-ZÅÄÖ][\wåäöé-]+(?: [A-ZÅÄÖ][\wåäöé-]+)?s? (?:kommun|stad|Kommun|Stad)"
    r"|[A-ZÅÄÖ][A-ZÅÄÖ -]+ (?:KOMMUN|STAD)|(?:Region|REGION) [A-ZÅÄÖ][\wåäöÅÄÖ]+(?: (?:län|LÄN))?"
    r"|[A-ZÅÄÖ][\wåäöÅÄÖ&-]*(?: [A-ZÅÄÖ&][\wåäöÅÄÖ&-]*){0,3} AB)"
    r"(?:\s*[·|•–]\s*[\wåäöÅÄÖ ,&-]{1,50})?"  # 'Östra Göinge kommun · Omsorg och stöd'
    r"|(?:[A-ZÅÄÖ][\wåäö]*- och )?[\wåäö]*(?:förvaltningen|kontoret|nämnden)"
    r"|Box \d+|\d{3} ?\d{2} [A-ZÅÄÖ][\wåäöÅÄÖ -]*"
    r"|(?:Telefon|Tel|Tfn|E-post|Org\.? ?nr|Organisationsnummer|Besöksadress|Postadress)\b.*|www\.\S+)$"
)
# A document type printed alone above the title ('RUTIN', 'RIKTLINJE'): a label, not the title.
_TYPE_LABEL = re.compile(
    r"^(?:RUTIN|RIKTLINJE|HANDLINGSPLAN|PLAN|POLICY|PM|PROMEMORIA|TJÄNSTESKRIVELSE|PROTOKOLL|BESLUT|"
    r"ÖVERENSKOMMELSE|AVTAL|STRATEGI|VÄGLEDNING|INSTRUKTION)$"
)
_PAGE_OR_DATE = re.compile(r"^(?:\d+\s*\(\d+\)|sida \d+( av \d+)?|[\d\s./–-]+)$", re.IGNORECASE)
_VERB = re.compile(r"\b(är|består|ska|har|kommer|blir|innebär|finns|gäller)\b", re.IGNORECASE)
_CONTINUES = re.compile(r"\b(och|för|inom|i|av|om|med|till|vid|samt|kring|på|mot)$", re.IGNORECASE)
_BAD_PROPERTY = re.compile(
    r"^(untitled|namnlös|dokument\d*|document\d*|microsoft word|powerpoint|presentation|title)\b|"
    r"^\{?[0-9a-f]{8}-[0-9a-f]{4}-|\.(docx?|pdf|pptx?|xlsx?|indd)$|^[\W\d_]+$|^\w+(?:[-_]\w+)+$",
    re.IGNORECASE,
)
_OWN_FOR = re.compile(
    r"\b(handlingsplan|målbild|färdplan|strategi|riktlinje|rutin|överenskommelse)(en|et|erna)?\s+"
    r"(?:för|om|avseende)\s+(?!att\b)([^.;:()\n]{5,80}?)(?=\s+(?:har|är|ska|kommer|blir|med|som|visar|"
    r"vägleder|innebär|beskriver|utgår|gäller|inom|och att|i syfte)\b|[.;:()\n]|$)",
    re.IGNORECASE,
)


def detect_doc_type(title: str, text: str) -> str:
    """The document's own word for itself: the type in its title, else the one it names itself by most."""
    folded_title = fold(title)
    for name, pattern in DOC_TYPES:
        if re.search(pattern, folded_title):
            return name
    head = fold(text[:8000])
    counts: Counter[str] = Counter()
    for name, pattern in DOC_TYPES:
        hits = len(re.findall(pattern, head))
        if hits:
            own = len(re.findall(rf"\b(?:denna|detta|den har) (?:{pattern})|(?:{pattern})(?:en|et)\b", head))
            counts[name] = hits + 2 * own
    if counts:
        return counts.most_common(1)[0][0]
    return "dokument"


def sensible_title(value: str) -> str:
    """A file property as a title, or '' when it is none (a file name, a GUID, 'Microsoft Word - x')."""
    value = " ".join(value.split()).strip(" -–:")
    value = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", value)
    if len(value) < CONFIG.min_chars or len(value) > CONFIG.max_chars or _BAD_PROPERTY.search(value):
        return ""
    if sum(ch.isalpha() for ch in value) < 0.5 * len(value):
        return ""
    return value


def detect_title(
    text: str, metadata: dict[str, Any], *, first_page: str = "", path: str = "", doc_type: str = ""
) -> Found:
    """The document's title and where it came from (see the module docstring for the order)."""
    page = first_page or text[:6000]
    for key, label in (("title", "front matter title"), ("title_style", "the Title style")):
        if key == "title" and metadata.get("format") not in ("md", "docx"):
            continue
        if value := sensible_title(str(metadata.get(key) or "")):
            return Found(_prefer_page_spelling(value, page), label)
    if metadata.get("format") == "docx" and metadata.get("text_from_images"):
        return _images_only_title(page, path)
    found = _detect_title(text, metadata, page=page, doc_type=doc_type)
    if found.value:
        return _with_file_subject(found, text, path)
    stem = Path(path).stem.replace("_", " ").strip() if path else ""
    return Found(stem, "the file name (the text has no title)" if stem else "no title found")


def _images_only_title(page: str, path: str) -> Found:
    """A DOCX whose text is only OCR of its images (screenshots, scans): what OCR reads there is weak
    title evidence, taken only when the file name agrees; otherwise the file name."""
    stem = Path(path).stem.replace("_", " ").strip() if path else ""
    block = _title_block(page)
    if block and (not stem or _words(block) & _words(stem)):
        return Found(block, "the first title-like lines (OCR of the document's images; the file name agrees)")
    if stem:
        return Found(
            stem, "the file name (the text is OCR of the document's images only: weak title evidence)"
        )
    return Found(
        block, "the first title-like lines (OCR of the document's images)" if block else "no title found"
    )


def _with_file_subject(found: Found, text: str, path: str) -> Found:
    """A form's name ('Avropsmall IT-konsulttjänster 2021') with the file name's subject after it
    ('– Teknisk IT-projektledare'), when the file name is no part of the title and the text names it."""
    stem = " ".join(Path(path).stem.replace("_", " ").split()) if path else ""
    if not stem or not _TEMPLATE.search(found.value) or sensible_title(stem) != stem:
        return found
    subject = {w for w in _words(stem) if len(w) >= 4 and not w.isdigit()}
    if not subject or subject <= _words(found.value) or not subject & _words(text[:20000]):
        return found
    return Found(f"{found.value} – {stem}", f"{found.evidence}, with the file name's subject (a form's name)")


def _detect_title(text: str, metadata: dict[str, Any], *, page: str, doc_type: str) -> Found:
    cover = sensible_title(str(metadata.get("cover_title") or ""))
    cover = "" if _SECTION.match(cover) else cover
    prop = (
        sensible_title(str(metadata.get("title") or "")) if metadata.get("format") in ("pdf", "html") else ""
    )
    if cover and prop:
        longer, shorter = (cover, prop) if len(fold(cover)) >= len(fold(prop)) else (prop, cover)
        if _words(shorter) <= _words(longer):
            if _words(cover) == _words(prop) and _accents(cover) > _accents(prop):
                longer = cover  # the cover spells it right ('Min hälsoplan' over 'Min halsoplan')
            block = _title_block(page)
            if block and _words(longer) < _words(block) and fold(block).startswith(fold(longer).split()[0]):
                return Found(block, "the cover's title lines (the file's title is their start)")
            return Found(_prefer_page_spelling(longer, page), "the cover's largest text and the file's title")
        if _words(prop) <= _words(page):
            return Found(_prefer_page_spelling(prop, page), "the file's title property, found on the cover")
        return Found(cover, "the cover's largest text")
    h1 = " ".join(str(metadata.get("h1") or "").split())
    if (
        h1
        and len(h1.split()) <= 2
        and (series := re.match(r"\s*(?:förord|inledning) till (.{3,80})\n", page, re.I))
    ):
        return Found(f"{series.group(1).strip()} – {h1}", "the page's <h1> in its series ('Förord till ...')")
    if value := sensible_title(h1):
        return Found(value, "the page's <h1>")
    if prop and _words(prop) <= _words(text[:20000]):
        return Found(_prefer_page_spelling(prop, page), "the file's title property")
    if block := _title_block(page):
        return Found(block, "the first title-like lines of the first page")
    if cover:
        return Found(cover, "the cover's largest text")
    if prop:
        return Found(prop, "the file's title property")
    if built := _own_name(text, doc_type):
        return Found(built, "built from how the text names itself (it has no title line)")
    return Found("", "no title found")


def _accents(text: str) -> int:
    return sum(1 for ch in text if ch in "åäöÅÄÖéÉüÜ")


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def _prefer_page_spelling(title: str, page: str) -> str:
    """The first page's spelling of the same title ('Min Hälsoplan – ...' over 'Min halsoplan - ...')."""
    key = re.sub(r"\W+", " ", fold(title)).strip()
    for line in page.splitlines()[:40]:
        if re.sub(r"\W+", " ", fold(line)).strip() == key:
            return " ".join(line.split())
    return title


def _title_block(page: str) -> str:
    """The first block of 1-4 short lines that is no section heading, date, list item or sentence."""
    cfg = CONFIG
    head = "\n".join(page.splitlines()[: cfg.head_lines])
    blocks: list[str] = []
    seen = 0
    for block in re.split(r"\n\s*\n", head):
        if seen > cfg.head_chars:
            break  # whole blocks only: a block cut short would look like a title
        seen += len(block)
        if block.strip():
            blocks.append(block)
    for i, block in enumerate(blocks):
        lines = [" ".join(line.strip().lstrip("#").strip(" *").split()) for line in block.splitlines()]
        lines = [line for line in lines if line]
        letterhead = all(_LETTERHEAD_LINE.match(line) for line in lines)
        if lines and (letterhead or (len(lines) == 1 and _TYPE_LABEL.match(lines[0]))):
            continue  # a letterhead or a type label above the title
        if not lines or len(lines) > cfg.max_lines or sum(map(len, lines)) > cfg.max_chars:
            while len(lines) > 1 and _PAGE_OR_DATE.match(lines[0]):
                lines = lines[1:]  # a page label or date printed above the title
            if len(lines) > cfg.max_lines and len(lines[0]) <= 60 and not _SECTION.match(lines[0]):
                lines = _run_on(lines, cfg)  # a heading glued to its paragraph (one line per paragraph)
            else:
                continue
        if _SECTION.match(lines[0]) or _NOT_TITLE.search(lines[0]) or len(lines[0]) < cfg.min_chars:
            continue
        if any(_CODE.search(line) for line in lines):
            continue  # a code or API listing
        if lines[0][0].islower() or sum(ch.isalpha() for ch in lines[0]) < 0.6 * len(lines[0]):
            continue
        title = " ".join(lines)
        if (
            (re.search(r"[.!?]$", lines[-1]) and len(title) > 60)
            or title.endswith(("!", "?"))
            or re.search(r"[.!?] [A-ZÅÄÖ]", title)
        ):
            continue  # a sentence, not a title
        if len(lines) == 1:
            title, i = _run_on_blocks(title, blocks, i, cfg)
        following = blocks[i + 1].strip() if i + 1 < len(blocks) else ""
        if _SUBTITLE.match(following) and len(following) <= 80 and not re.search(r"[.!?:]$", following):
            title = f"{title} {' '.join(following.split())}"  # 'Rekommenderade läkemedel' / 'för ...'
            following = blocks[i + 2].strip() if i + 2 < len(blocks) else ""
            i += 1
        elif following[:1].islower() and not _CONTINUES.search(title):
            continue  # a paragraph broken by a blank line
        if _CONTINUES.search(title) and following and len(following) <= 80 and not _SECTION.match(following):
            title = f"{title} {' '.join(following.split())}"  # a title broken over blocks
            i += 1
        if len(title.split()) <= 2 and i + 1 < len(blocks):
            subtitle = " ".join(blocks[i + 1].split())
            if _CONTINUES.search(subtitle) and i + 2 < len(blocks) and len(blocks[i + 2]) <= 80:
                subtitle = f"{subtitle} {' '.join(blocks[i + 2].split())}"
            if (
                subtitle
                and len(subtitle) <= cfg.max_chars
                and not _SECTION.match(subtitle)
                and not _NOT_TITLE.search(subtitle)
                and not re.fullmatch(r"[\d\s–-]+", subtitle)
            ):
                title = f"{title} – {subtitle}"
        return _without_owner(title.rstrip(".:"))
    return ""


def _run_on(lines: list[str], cfg: TitleConfig) -> list[str]:
    """The first line and those that go on with it: after 'och', 'för', ... or starting in lower case."""
    taken = lines[:1]
    for line in lines[1 : cfg.max_lines * 2]:
        if not (_CONTINUES.search(taken[-1]) or line[:1].islower()) or re.search(r"[.!?]$", taken[-1]):
            break
        if sum(map(len, taken)) + len(line) > cfg.max_chars:
            return lines[:1]
        taken.append(line)
    return taken


def _run_on_blocks(title: str, blocks: list[str], i: int, cfg: TitleConfig) -> tuple[str, int]:
    """A one-line title continued by the one-line blocks after it (a cover set one line per block)."""
    first, k = title, i + 1
    while k < len(blocks) and k - i <= cfg.max_lines * 2:
        line = " ".join(blocks[k].split())
        if "\n" in blocks[k].strip() or len(line) > 80 or len(title) + len(line) >= cfg.max_chars:
            break
        if not (_CONTINUES.search(title) or line[:1].islower()) or re.search(r"[.!?]$", title):
            break
        title, k = f"{title} {line}", k + 1
    if k > i + 1 and (len(first) > 60 or _VERB.search(title)):
        return first, i  # a sentence set one line per block, not a title
    return title, k - 1


def _without_owner(title: str) -> str:
    """A title without the owner's name glued before it by a form layout ('Ljungby kommun Extern ...').

    The owner is recorded on its own (planmine.owners); a genitive ('Ljungby kommuns plan') is kept.
    """
    match = _OWNER_PREFIX.match(title)
    rest = title[match.end() :] if match else ""
    return rest if match and len(rest.split()) >= 2 else title


def _own_name(text: str, doc_type: str) -> str:
    """'Handlingsplan för sammanhållen vård och omsorg' from 'Handlingsplanen för sammanhållen vård ...'."""
    own: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for match in _OWN_FOR.finditer(text[:30000]):
        word, ending, subject = match.group(1).lower(), match.group(2), match.group(3).strip(" ,")
        if re.search(r"\d", subject) or len(subject.split()) > 10:
            continue
        if ending and word == doc_type:
            own[subject] += 1
        else:
            other[subject] += 1
    if own:
        subject = own.most_common(1)[0][0]
    elif other and doc_type in _SELF_TYPES:
        subject = other.most_common(1)[0][0]
    else:
        return ""
    return f"{doc_type.capitalize()} för {subject}"

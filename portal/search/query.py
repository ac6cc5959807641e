"""What a search query asks for: parsing, umlaut spellings and highlighting.

What a query means (the syntax of ``websearch_to_tsquery``): every word must occur;
``"…"`` is a phrase (the words in this order); ``or`` between two terms lets either do;
``-word`` excludes. Each word also matches its other umlaut spelling (``Muegeln`` finds
"Mügeln", ``Mügeln`` finds "Muegeln"); ``ß``/``ss`` and word forms are left to the German
stemmer. ``highlight()`` escapes first and only then marks the terms.
"""

import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from itertools import product

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words and phrases of one query that count; the rest is ignored
# Markers PostgreSQL puts around matches; never present in staff text, survive escaping.
START, STOP = "\u0002", "\u0003"
_PUNCTUATION = "!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~„“”‚‘’«»–—…"
_TAG = re.compile(r"<[^>]*>")
_SPELLED_OUT = re.compile("ae|oe|ue")
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü"}
_MAX_RESPELLED = 3  # umlaut positions per word tried in every combination (2**3 forms)


def normalize_query(raw: str | None) -> str:
    """Whitespace collapsed, control characters dropped, umlauts composed, cut to length."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    # "u" + combining diaeresis (as some keyboards send it) is the same "ü" as in the texts.
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match; a group matches if one of its terms does (``or``)."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(query: str) -> ParsedQuery:
    """Words, ``"phrases"``, ``or`` and ``-excluded`` terms, as websearch_to_tsquery reads them.

    Punctuation around words is dropped (``Mügeln,``); ``or`` binds the terms on either side
    of it, so ``Radweg Mügeln or Oschatz`` is Radweg and (Mügeln or Oschatz).
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(normalize_query(query)):
        if count >= MAX_TERMS:
            break
        minus, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            pending_or = bool(groups)
            continue
        negated = bool(minus)
        if phrase is not None:
            text = " ".join(phrase.split())
            term = Term(text, phrase=" " in text)
        else:
            if word.startswith("-") and len(word) > 1:
                negated, word = True, word[1:]
            term = Term(word.strip(_PUNCTUATION))
        if not term.text.strip(_PUNCTUATION):
            continue
        count += 1
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return ParsedQuery(tuple(tuple(group) for group in groups), tuple(excluded))


def fold(text: str) -> str:
    """Lower case for every alphabet (not only ASCII), umlauts and ß spelled out."""
    text = unicodedata.normalize("NFC", text).casefold()  # casefold: ß → ss
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def fold_document(text: str | None) -> str | None:
    """``fold`` of a stored text without its HTML tags (the SQLite function portal_fold)."""
    if text is None:
        return None
    return fold(" ".join(unescape(_TAG.sub(" ", text)).split()))


def spellings(text: str) -> list[str]:
    """The term in lower case, with its umlauts spelled out, and with ae/oe/ue as umlauts.

    ``Muegeln`` → muegeln, mügeln; ``Mügeln`` → mügeln, muegeln. Every combination for up
    to three positions (``Buergerbefragung`` has one), so a word like "Feuer" also yields a
    harmless "feür" that matches nothing.
    """
    lowered = unicodedata.normalize("NFC", text).lower()
    forms = [lowered]
    spelled = fold(lowered)
    if spelled not in forms:
        forms.append(spelled)
    pairs = list(_SPELLED_OUT.finditer(spelled))[:_MAX_RESPELLED]
    for choice in product((False, True), repeat=len(pairs)):
        if not any(choice):
            continue
        pieces, position = [], 0
        for pair, umlaut in zip(pairs, choice, strict=True):
            pieces.append(spelled[position : pair.start()])
            pieces.append(_UMLAUTS[pair.group()] if umlaut else pair.group())
            position = pair.end()
        pieces.append(spelled[position:])
        form = "".join(pieces)
        if form not in forms:
            forms.append(form)
    return forms


def highlight_terms(query: str) -> list[str]:
    """Every spelling of every term the query asks for (to mark them in plain text)."""
    return [form for term in parse_query(query).terms for form in spellings(term.text)]


def highlight(text: str, *, terms: list[str] | None = None, length: int = 0) -> SafeString:
    """Plain text of ``text`` escaped, then its marked (or the given) terms wrapped in <mark>.

    Escaping comes first, so nothing from the stored text can become markup.
    """
    plain = " ".join(unescape(re.sub(r"<[^>]*>", " ", text or "")).split())
    if length:
        plain = Truncator(plain).chars(length)
    escaped = escape(plain)
    for term in terms or []:
        pattern = re.compile(re.escape(escape(term)), re.IGNORECASE)
        escaped = pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", escaped)
    # Safe: the text is escaped; the only markup is the <mark> we add here.
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))

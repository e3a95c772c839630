"""Screening of public text: sensitive-word flagging and personal-data (PII) masking.

Pure functions, no Flask: every comment, question and statement goes through
:func:`screen` before it is stored or published. Flagged words only mark a text
for moderator review; PII is masked in the published copy so that people who
paste their phone or ID number into a public comment are not exposed.

HTML is deliberately left untouched here; escaping is the template layer's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

__all__ = [
    "DEFAULT_WORDS_FILE",
    "PiiKind",
    "PiiMatch",
    "ScreenResult",
    "find_pii",
    "find_words",
    "is_valid_id_number",
    "load_words",
    "mask",
    "screen",
]

DEFAULT_WORDS_FILE: Path = Path(__file__).resolve().parent / "data" / "sensitive_words.txt"

PiiKind = Literal["phone", "id_number", "email"]


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """A piece of personal data at ``text[start:end]`` of the original text."""

    kind: PiiKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ScreenResult:
    flagged_words: tuple[str, ...]
    pii: tuple[PiiMatch, ...]
    masked: str

    @property
    def needs_review(self) -> bool:
        return bool(self.flagged_words)

    @property
    def has_pii(self) -> bool:
        return bool(self.pii)


# --------------------------------------------------------------------------- words


def load_words(path: str | Path | None = None) -> tuple[str, ...]:
    """Read a UTF-8 word list: one entry per line, ``#`` comment lines and blanks ignored.

    ``None`` means the bundled :data:`DEFAULT_WORDS_FILE`. A missing file raises
    (a misconfigured SENSITIVE_WORDS_FILE must not silently disable screening).
    """
    source = Path(path) if path is not None else DEFAULT_WORDS_FILE
    # utf-8-sig: lists edited on Windows often start with a BOM.
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    words: dict[str, None] = {}  # ordered de-duplication
    for line in lines:
        word = line.strip()
        if word and not word.startswith("#"):
            words.setdefault(word, None)
    return tuple(words)


@lru_cache(maxsize=1)
def _default_words() -> tuple[str, ...]:
    return load_words(DEFAULT_WORDS_FILE)


def _word_key(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


@lru_cache(maxsize=32)
def _word_matcher(words: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation for the whole list, cached per list.

    Longest-first so that a longer entry wins over its own prefix; wrapped in a
    lookahead so overlapping entries (e.g. "赌博" inside "网络赌博网站") are all seen.
    """
    canonical: dict[str, str] = {}
    for word in words:
        normalized = unicodedata.normalize("NFKC", word.strip())
        if normalized:  # an empty alternative would match everywhere
            canonical.setdefault(normalized.casefold(), word.strip())
    if not canonical:
        return None, canonical
    alternatives = sorted(
        {unicodedata.normalize("NFKC", w) for w in canonical.values()}, key=lambda w: (-len(w), w)
    )
    pattern = re.compile("(?=(" + "|".join(map(re.escape, alternatives)) + "))", re.IGNORECASE)
    return pattern, canonical


def find_words(text: str, words: Iterable[str] | None = None) -> tuple[str, ...]:
    """Sensitive words occurring in ``text``, as spelled in the list, in order of first use.

    Case-insensitive, no word boundaries (Chinese has none) and NFKC-normalised on
    both sides, so full-width ``ＦＵＣＫ`` is caught too.
    """
    word_list = _default_words() if words is None else tuple(words)
    pattern, canonical = _word_matcher(word_list)
    if pattern is None or not text:
        return ()
    found: dict[str, None] = {}
    for match in pattern.finditer(unicodedata.normalize("NFKC", text)):
        hit = match.group(1)
        found.setdefault(canonical.get(hit.casefold(), hit), None)
    return tuple(found)


# --------------------------------------------------------------------------- PII

# GB 11643-1999 check digit: weights 2^(17-i) mod 11, remainder -> check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_DATE_MMDD = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18_RE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}" + _DATE_MMDD + r"[0-9]{3}[0-9Xx](?![0-9])"
)
# Pre-1999 15-digit IDs carry no check digit; the embedded date is all we can check.
_ID15_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}[0-9]{2}" + _DATE_MMDD + r"[0-9]{3}(?![0-9])")
_MOBILE_PREFIX = r"(?:\+|00)86[ -]?"
_MOBILE_RE = re.compile(
    r"(?<![0-9])(?:" + _MOBILE_PREFIX + r")?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
)
_MOBILE_PREFIX_RE = re.compile(_MOBILE_PREFIX + r"(?=1)")
# Area code 0xx / 0xxx (optionally in brackets) + 7-8 digit local number not starting 0,
# optionally written in two groups (0531 8888 6666).
_LANDLINE_RE = re.compile(
    r"(?<![0-9])(?:\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2})[ -]?[1-9][0-9]{2,3}[ -]?[0-9]{4}(?![0-9])"
)
# Conservative catch-all: any other long digit run could be a phone/account number.
_LONG_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{11,}(?![0-9])")
# The lookbehind makes each local part start only once, keeping long inputs linear.
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)


def _id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID whose GB 11643 check character is right."""
    value = unicodedata.normalize("NFKC", value)
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return False
    return value[17].upper() == _id_check_char(value[:17])


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    """NFKC per character, keeping length so indices map 1:1 onto the original.

    Catches full-width ０-９, ＠, －, （） and the ideographic space; characters whose
    NFKC form is longer than one character are kept as they are.
    """
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


def _find_pii_folded(folded: str) -> list[PiiMatch]:
    taken: list[PiiMatch] = []
    occupied = bytearray(len(folded))  # 1 = already claimed; keeps overlap checks O(length)

    def claim(kind: PiiKind, start: int, end: int) -> None:
        if occupied.find(1, start, end) == -1:
            occupied[start:end] = b"\x01" * (end - start)
            taken.append(PiiMatch(kind, start, end))

    # Most specific first; later patterns only claim what is still free.
    for m in _EMAIL_RE.finditer(folded):
        claim("email", m.start(), m.end())
    for m in _ID18_RE.finditer(folded):
        # A checksum failure is still masked, just not called an ID.
        claim("id_number" if is_valid_id_number(m.group()) else "phone", m.start(), m.end())
    for m in _ID15_RE.finditer(folded):
        claim("id_number", m.start(), m.end())
    for regex in (_MOBILE_RE, _LANDLINE_RE, _LONG_DIGITS_RE):
        for m in regex.finditer(folded):
            claim("phone", m.start(), m.end())
    taken.sort(key=lambda m: m.start)
    return taken


def find_pii(text: str) -> tuple[PiiMatch, ...]:
    """Phone numbers, resident ID numbers and e-mail addresses in ``text``, by position."""
    return tuple(_find_pii_folded(_fold(text)))


def _mask_digits(original: str, folded: str, keep_head: int, keep_tail: int) -> str:
    """Star the digits (and a trailing ID 'X') except the first/last few; keep separators."""
    positions = [i for i, c in enumerate(folded) if c.isascii() and (c.isdigit() or c in "Xx")]
    hidden = set(positions[keep_head : max(keep_head, len(positions) - keep_tail)])
    return "".join("*" if i in hidden else c for i, c in enumerate(original))


def _mask_match(original: str, folded: str, kind: PiiKind) -> str:
    if kind == "email":
        at = folded.rindex("@")
        return original[0] + "***" + original[at:]
    if kind == "id_number":
        return _mask_digits(original, folded, 6, 4)
    # Leave a +86/0086 prefix readable so "first 3" means the mobile prefix (138...).
    prefix = _MOBILE_PREFIX_RE.match(folded)
    cut = prefix.end() if prefix else 0
    return original[:cut] + _mask_digits(original[cut:], folded[cut:], 3, 4)


def _apply_masks(text: str, folded: str, matches: Iterable[PiiMatch]) -> str:
    parts: list[str] = []
    pos = 0
    for m in matches:
        parts.append(text[pos : m.start])
        parts.append(_mask_match(text[m.start : m.end], folded[m.start : m.end], m.kind))
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)


def mask(text: str) -> str:
    """``text`` with every phone number, ID number and e-mail address masked."""
    folded = _fold(text)
    return _apply_masks(text, folded, _find_pii_folded(folded))


# --------------------------------------------------------------------------- entry point


def screen(text: str, words: Iterable[str] | None = None) -> ScreenResult:
    """Screen one public text.

    ``words`` is the sensitive-word list (e.g. ``load_words(app.config["SENSITIVE_WORDS_FILE"])``);
    ``None`` uses the bundled default list. Pass a tuple to hit the compiled-pattern cache
    without copying.
    """
    folded = _fold(text)
    matches = _find_pii_folded(folded)
    return ScreenResult(
        flagged_words=find_words(text, words),
        pii=tuple(matches),
        masked=_apply_masks(text, folded, matches),
    )

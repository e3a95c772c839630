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
from itertools import accumulate
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


# ---- the normaliser: personal data written to slip past the patterns above -----------
#
# People (and staff) write numbers as "138.1234.5678", "1 3 8 1 2 3 4 5 6 7 8",
# "一三八一二三四五六七八" or "370102 19900101 1234", and addresses as "someone at example dot
# com" or "someone艾特example点com". Two views of the folded text see through that, each
# mapped back onto the original so that a mask covers exactly the personal data:
#
# - the *digit view* (same length as the text) spells Chinese numerals as digits; runs of
#   digit groups joined by separators are then read as a phone or ID number only when the
#   group sizes are a way people write one (3-4-4, 6-8-4, one digit at a time...). Dates
#   (2026-12-02), amounts (1,500), times (7:00-9:00), article numbers (第十二条: 十 is not
#   a digit) and tables of numbers do not fit any of these groupings.
# - the *email view* replaces spelled-out "at" / "dot" between ASCII words by "@" / ".",
#   keeping for every character the span of the original it came from.

_CN_DIGITS = str.maketrans(
    {
        **dict.fromkeys("〇零", "0"),
        **dict.fromkeys("一壹幺", "1"),
        **dict.fromkeys("二贰貳", "2"),
        **dict.fromkeys("三叁參", "3"),
        **dict.fromkeys("四肆", "4"),
        **dict.fromkeys("五伍", "5"),
        **dict.fromkeys("六陆陸", "6"),
        **dict.fromkeys("七柒", "7"),
        **dict.fromkeys("八捌", "8"),
        **dict.fromkeys("九玖", "9"),
    }
)
_DIGIT_SEP = r"[ \t.\-/_·•~–—]"
_DIGIT_RUN_RE = re.compile(r"(?<![0-9])[0-9]+(?:" + _DIGIT_SEP + r"{1,3}[0-9]+)*(?![0-9])")
_GROUP_RE = re.compile(r"[0-9]+")
_MOBILE_DIGITS_RE = re.compile(r"(?:86|0086)?1[3-9][0-9]{9}")
_LANDLINE_DIGITS_RE = re.compile(r"0[1-9][0-9]{1,2}[1-9][0-9]{6,7}")
_ID_DIGITS_RE = re.compile(r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}" + _DATE_MMDD + r"[0-9]{3}[0-9Xx]")
# How people group the digits of a number they write down. A group of one digit at a time
# stands for "any number of single digits" (1 3 8 1 2 3 4 5 6 7 8).
_MOBILE_GROUPS = {(11,), (3, 4, 4), (4, 3, 4), (3, 8), (7, 4), (3, 3, 5)}
_LANDLINE_GROUPS = {(3, 8), (4, 8), (4, 7), (3, 4, 4), (4, 4, 4), (4, 3, 4)}
_ID_GROUPS = {(18,), (6, 8, 4), (6, 4, 4, 4), (6, 4, 2, 2, 4), (6, 12), (6, 8, 3, 1)}
_COUNTRY_GROUPS = {(2,), (4,)}  # 86 / 0086 written as a group of its own

_AT_TOKEN = r"(?:\s*[(\[{<【（]\s*(?:at|艾特|@)\s*[)\]}>】）]\s*|\s+at\s+|\s*(?:艾特|圈a|@)\s*)"  # noqa: S105
_DOT_TOKEN = r"(?:\s*[(\[{<【（]\s*(?:dot|点|\.)\s*[)\]}>】）]\s*|\s+dot\s+|\s*[点。]\s*)"  # noqa: S105
_SPELLED_RE = re.compile(
    r"(?<=[A-Za-z0-9])(?:(?P<at>" + _AT_TOKEN + r")|(?P<dot>" + _DOT_TOKEN + r"))(?=[A-Za-z0-9])",
    re.IGNORECASE,
)
# "look at the dot com era" is prose, not an address.
_PROSE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "its",
        "it",
        "me",
        "us",
        "him",
        "them",
        "you",
        "least",
        "most",
        "all",
        "once",
        "first",
        "last",
        "home",
        "work",
        "night",
        "noon",
    ]
)


def _digit_view(folded: str) -> str:
    """``folded`` with Chinese numerals written as digits; same length."""
    return folded.translate(_CN_DIGITS)


def _group_kind(sizes: tuple[int, ...], digits: str) -> PiiKind | None:
    if sizes in _ID_GROUPS and _ID_DIGITS_RE.fullmatch(digits):
        return "id_number" if is_valid_id_number(digits) else "phone"
    is_mobile_grouping = sizes in _MOBILE_GROUPS or (
        sizes[:1] in _COUNTRY_GROUPS and sizes[1:] in _MOBILE_GROUPS
    )
    if is_mobile_grouping and _MOBILE_DIGITS_RE.fullmatch(digits):
        return "phone"
    if sizes in _LANDLINE_GROUPS and _LANDLINE_DIGITS_RE.fullmatch(digits):
        return "phone"
    return None


_MAX_GROUPS = 5  # the longest grouping above; more groups only as one digit at a time


def _separated_numbers(view: str) -> Iterable[PiiMatch]:
    """Phone and ID numbers in ``view`` written in digit groups or Chinese numerals."""
    for run in _DIGIT_RUN_RE.finditer(view):
        text = run.group()
        spans = [(g.start(), g.end()) for g in _GROUP_RE.finditer(text)]
        sizes = [e - s for s, e in spans]
        if sum(sizes) < 11:
            continue  # too short for any phone or ID number: the common case
        digits = "".join(text[s:e] for s, e in spans)
        ends = list(accumulate(sizes))  # digits up to and including each group
        singles = [0] * (len(sizes) + 1)  # single-digit groups starting at each group
        for i in range(len(sizes) - 1, -1, -1):
            singles[i] = singles[i + 1] + 1 if sizes[i] == 1 else 0
        first = 0
        while first < len(spans):
            before = ends[first - 1] if first else 0
            # Longest window first: one digit at a time (1 3 8 1 2 3 4 5 6 7 8), then groups.
            windows = [(first + n - 1, (n,)) for n in (18, 11) if singles[first] >= n]
            for n in range(min(_MAX_GROUPS, len(sizes) - first), 0, -1):
                if 11 <= ends[first + n - 1] - before <= 18:
                    windows.append((first + n - 1, tuple(sizes[first : first + n])))
            for last, grouping in windows:
                kind = _group_kind(grouping, digits[before : ends[last]])
                if kind:
                    start, end = run.start() + spans[first][0], run.start() + spans[last][1]
                    yield PiiMatch(kind, start, end)
                    first = last
                    break
            first += 1


def _spelled_emails(folded: str) -> Iterable[PiiMatch]:
    """E-mail addresses with "at"/"dot" spelled out, as spans of the original text."""
    if not _SPELLED_RE.search(folded):
        return
    view: list[str] = []
    origin: list[tuple[int, int]] = []  # span of the original behind each view character
    pos = 0
    for m in _SPELLED_RE.finditer(folded):
        for i in range(pos, m.start()):
            view.append(folded[i])
            origin.append((i, i + 1))
        view.append("@" if m.group("at") is not None else ".")
        origin.append((m.start(), m.end()))
        pos = m.end()
    for i in range(pos, len(folded)):
        view.append(folded[i])
        origin.append((i, i + 1))
    text = "".join(view)
    for m in _EMAIL_RE.finditer(text):
        local, domain = m.group().split("@", 1)
        if local.casefold() in _PROSE_WORDS or domain.split(".", 1)[0].casefold() in _PROSE_WORDS:
            continue
        yield PiiMatch("email", origin[m.start()][0], origin[m.end() - 1][1])


_AT_IN_EMAIL_RE = re.compile(_AT_TOKEN, re.IGNORECASE)


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
    view = _digit_view(folded)
    for found in (*_spelled_emails(folded), *_separated_numbers(view)):
        claim(found.kind, found.start, found.end)
    if view != folded:  # Chinese numerals: the same catch-all as for long digit runs
        for m in _LONG_DIGITS_RE.finditer(view):
            claim("phone", m.start(), m.end())
    taken.sort(key=lambda m: m.start)
    return taken


def find_pii(text: str) -> tuple[PiiMatch, ...]:
    """Phone numbers, resident ID numbers and e-mail addresses in ``text``, by position."""
    return tuple(_find_pii_folded(_fold(text)))


def _mask_digits(original: str, folded: str, keep_head: int, keep_tail: int) -> str:
    """Star the digits (and a trailing ID 'X') except the first/last few; keep separators.

    ``folded`` is the digit view, so Chinese numerals count as digits.
    """
    positions = [i for i, c in enumerate(folded) if c.isascii() and (c.isdigit() or c in "Xx")]
    hidden = set(positions[keep_head : max(keep_head, len(positions) - keep_tail)])
    return "".join("*" if i in hidden else c for i, c in enumerate(original))


def _mask_match(original: str, folded: str, kind: PiiKind) -> str:
    if kind == "email":
        at = folded.index("@") if "@" in folded else _AT_IN_EMAIL_RE.search(folded).start()  # type: ignore[union-attr]
        return original[0] + "***" + original[at:]
    if kind == "id_number":
        return _mask_digits(original, folded, 6, 4)
    # Leave a +86/0086 prefix readable so "first 3" means the mobile prefix (138...).
    prefix = _MOBILE_PREFIX_RE.match(folded)
    cut = prefix.end() if prefix else 0
    digits = "".join(c for c in folded[cut:] if c.isascii() and c.isdigit())
    keep_head = 3
    if _MOBILE_DIGITS_RE.fullmatch(digits) and len(digits) > 11:
        keep_head += len(digits) - 11  # "86 138 ..." with the country code as a group
    return original[:cut] + _mask_digits(original[cut:], folded[cut:], keep_head, 4)


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
    if not text:
        return text
    folded = _fold(text)
    return _apply_masks(text, _digit_view(folded), _find_pii_folded(folded))


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
        masked=_apply_masks(text, _digit_view(folded), matches),
    )

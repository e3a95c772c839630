"""Receipt numbers (回执编号) and the public receipt check.

A receipt looks like ``YJ2026-K7M3-Q9XA-1G``: the year, eight random characters and
two check characters. The random part (40 bits) makes receipts impossible to
enumerate, so a receipt number is enough to check a comment's status but cannot be
used to find other people's comments. The check characters catch every single typo
and every swap of two neighbouring characters before the database is asked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.db import db

from ..models import Comment, Response

PREFIX = "YJ"  # 意见
# Crockford's base32: no I, L, O, U, so 1/I/L and 0/O cannot be confused.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_MODULUS = 1021  # prime below 32*32: any single change or neighbour swap changes the sum
RANDOM_LENGTH = 8
_SHAPE = re.compile(r"^YJ(\d{4})([0-9A-Z]{8})([0-9A-Z]{2})$")


def _check_chars(payload: str) -> str:
    total = 0
    for position, char in enumerate(payload, start=1):
        total += position * (_VALUE[char] if char in _VALUE else ord(char))
    value = total % _MODULUS
    return ALPHABET[value // 32] + ALPHABET[value % 32]


def _format(year: int, random_part: str) -> str:
    check = _check_chars(f"{year}{random_part}")
    return f"{PREFIX}{year}-{random_part[:4]}-{random_part[4:]}-{check}"


def generate(year: int) -> str:
    """A fresh receipt number; the caller relies on the unique index for the (2^-40) clash."""
    # One read of the system's randomness, five bits per character (32 = 2^5, unbiased).
    random_part = "".join(ALPHABET[b & 31] for b in secrets.token_bytes(RANDOM_LENGTH))
    return _format(year, random_part)


def new_receipt_no(year: int) -> str:
    while True:
        number = generate(year)
        if db.session.scalar(sa.select(Comment.id).where(Comment.receipt_no == number)) is None:
            return number


def normalise(raw: str) -> str | None:
    """The canonical form of a typed receipt number, or None when it cannot be one.

    Forgiving about case, spaces, dashes and the letters people confuse with digits.
    """
    compact = re.sub(r"[\s\-_.·]", "", (raw or "").upper())[:40]
    if not compact.startswith(PREFIX):
        return None
    compact = PREFIX + compact[len(PREFIX) :].translate(_READ_AS)
    match = _SHAPE.match(compact)
    if not match:
        return None
    year, random_part, check = match.groups()
    if any(c not in _VALUE for c in random_part + check):
        return None
    if _check_chars(f"{year}{random_part}") != check:
        return None
    return _format(int(year), random_part)


# ---- the public view of one receipt ------------------------------------------------


@dataclass(frozen=True)
class ReceiptView:
    """What anyone holding the number may see: never private text, never personal data."""

    receipt_no: str
    status: str
    consultation_id: int
    consultation_title: str
    article_label: str
    channel: str
    submitted_at: datetime
    author: str  # the published author line ("Anonymous" unless published with a name)
    text: str | None  # the masked text, None when the author chose not to publish it
    moderation_reason: str
    outcome: str | None
    response_reason: str
    responded_at: datetime | None


def published_response(comment: Comment) -> Response | None:
    """The answer the public may see (the comment's own, else its group's)."""
    from .responses import effective_response

    return effective_response(comment)


def find_by_receipt(raw: str) -> Comment:
    from participation.errors import NotFound, ServiceError

    number = normalise(raw)
    if number is None:
        raise ServiceError(
            _(
                "This is not a valid receipt number. Please check it for typing errors; "
                "it looks like YJ2026-K7M3-Q9XA-1G."
            ),
            field="no",
        )
    comment = db.session.scalar(sa.select(Comment).where(Comment.receipt_no == number))
    if comment is None or comment.consultation.decision.confidential:
        raise NotFound(_("No opinion has this receipt number."), field="no")
    return comment


def receipt_view(comment: Comment, locale: str) -> ReceiptView:
    from .comments import public_author, public_text

    response = published_response(comment)
    return ReceiptView(
        receipt_no=comment.receipt_no,
        status=comment.status.value,
        consultation_id=comment.consultation_id,
        consultation_title=comment.consultation.title,
        article_label=comment.article.label if comment.article else "",
        channel=comment.channel.value,
        submitted_at=comment.received_on or comment.submitted_at,
        author=public_author(comment, locale),
        text=public_text(comment),
        moderation_reason=comment.moderation_reason if comment.status.value == "rejected" else "",
        outcome=response.outcome.value if response else None,
        response_reason=response.reason if response else "",
        responded_at=response.published_at if response else None,
    )

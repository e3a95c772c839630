"""Comments (意见) from every channel: submission, offline entry, public lists, personal data.

Every path that stores an opinion screens it (sensitive words -> moderation, personal
data masked in the published copy) and gives it a receipt. Nothing here commits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from participation import audit, batching, snapshots
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, PermissionDenied, ServiceError, Unavailable
from participation.links import request_context_if_needed
from participation.models import Organization, User
from participation.permissions import require_organizer, require_verified
from participation.screening import load_words, mask, screen

from ..models import (
    Article,
    Channel,
    Comment,
    CommentStatus,
    Consultation,
    ModerationMode,
    PublishMode,
)
from . import held_notice, receipt_mail, receipts

DEFAULT_MIN_CHARS = 5
DEFAULT_MAX_CHARS = 5000
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,80}$")
# Control characters break PostgreSQL (NUL) or hide text; keep newlines and tabs.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")

OFFLINE_CHANNELS = [c for c in Channel if c is not Channel.online]
PUBLISH_MODE_LABELS = {
    PublishMode.named: _l("With my name"),
    PublishMode.anonymous: _l("Anonymously"),
    PublishMode.private: _l("Do not publish the text"),
}
STATUS_LABELS = {
    CommentStatus.pending: _l("Awaiting review"),
    CommentStatus.accepted: _l("Accepted"),
    CommentStatus.rejected: _l("Not published"),
}


@dataclass(frozen=True)
class Receipt:
    """What the submitter is told at once, known without reading the comment back."""

    receipt_no: str
    status: CommentStatus
    consultation_id: int
    article_number: int | None
    publish_mode: PublishMode
    submitted_at: datetime

    @classmethod
    def of(cls, comment: Comment) -> Receipt:
        return cls(
            comment.receipt_no,
            comment.status,
            comment.consultation_id,
            comment.article.number if comment.article else None,
            comment.publish_mode,
            comment.submitted_at,
        )


class Submission:
    """The outcome of a submission. ``comment`` is built on first use: the API answers
    from ``receipt`` alone, which at hundreds of comments a second saves building an
    ORM object nobody reads."""

    def __init__(self, receipt: Receipt, created: bool, build: Callable[[], Comment]) -> None:
        self.receipt = receipt
        self.created = created  # False when a retry found the first submission
        self._build = build

    @cached_property
    def comment(self) -> Comment:
        return self._build()


# ---- input checks ----------------------------------------------------------------------


def length_limits() -> tuple[int, int]:
    cfg = current_app.config
    return (
        int(cfg.get("COMMENT_MIN_CHARS", DEFAULT_MIN_CHARS)),
        int(cfg.get("COMMENT_MAX_CHARS", DEFAULT_MAX_CHARS)),
    )


def clean_body(raw: object, min_chars: int | None = None) -> str:
    """The text as stored: normalised, without control characters, within the limits.

    ``min_chars`` defaults to the configured minimum for online comments; opinions
    that organizers transcribe ("同意。" said at a hearing) only need to be non-empty.
    """
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ServiceError(_("The comment must be text."), field="body")
    text = _CONTROL_RE.sub("", unicodedata.normalize("NFC", raw.replace("\r\n", "\n")))
    text = text.strip()
    low, high = length_limits()
    low = low if min_chars is None else min_chars
    if not text:
        raise ServiceError(_("Please write your comment."), field="body")
    if len(text) < low:
        raise ServiceError(
            _("Please write at least %(n)d characters.", n=low),
            field="body",
        )
    if len(text) > high:
        raise ServiceError(
            _(
                "Your comment is %(len)d characters long; at most %(n)d are allowed. "
                "Please shorten it or send it in several parts.",
                len=len(text),
                n=high,
            ),
            field="body",
        )
    return text


def parse_publish_mode(raw: object) -> PublishMode:
    try:
        return PublishMode(str(raw or "named"))
    except ValueError as exc:
        raise ServiceError(
            _("Please choose how your comment is published."), field="publish_mode"
        ) from exc


def _parse_int(raw: object, field: str, message: Any) -> int | None:
    """message is a lazy string: translated only when the input is refused."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ServiceError(str(message), field=field)
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise ServiceError(str(message), field=field) from exc
    if not 0 < value < 2**31:
        raise ServiceError(str(message), field=field)
    return value


def find_article(consultation: Consultation, number: object) -> Article | None:
    """The article with this number in the consultation's own draft; None = whole draft."""
    message = _l("This article is not part of the draft under consultation.")
    value = _parse_int(number, "article", message)
    if value is None:
        return None
    article = db.session.scalar(
        sa.select(Article).where(Article.draft_id == consultation.draft_id, Article.number == value)
    )
    if article is None:
        raise ServiceError(str(message), field="article")
    return article


def _organization_for(user: User, raw: object) -> Organization | None:
    org_id = _parse_int(raw, "as_organization_id", _l("Unknown organization."))
    if org_id is None:
        return None
    if org_id not in user.organization_ids:
        raise PermissionDenied(
            _("You may only comment on behalf of an organization you belong to."),
            field="as_organization_id",
        )
    return db.session.get(Organization, org_id)


def _check_key(key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if not _KEY_RE.match(key):
        raise ServiceError(
            _("The idempotency key must be 8 to 80 letters, digits or -_.:"),
            field="idempotency_key",
        )
    return key


def _check_open(consultation: Consultation) -> None:
    state = consultation.state()
    if consultation.decision.confidential:
        raise Gone(_("This consultation is not public."))
    if state == "scheduled":
        raise Gone(
            _(
                "The comment period has not started yet. It opens on %(when)s.",
                when=_local(consultation.opens_at),
            )
        )
    if state != "open":
        raise Gone(
            _(
                "The comment period closed on %(when)s; comments are no longer accepted.",
                when=_local(consultation.closes_at),
            )
        )


def _local(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


# ---- screening -------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _words_from(path: str) -> tuple[str, ...]:
    return load_words(path)


def _sensitive_words() -> tuple[str, ...] | None:
    path = current_app.config.get("SENSITIVE_WORDS_FILE") or ""
    return _words_from(path) if path else None


def _screened(body: str, moderation: ModerationMode) -> dict[str, Any]:
    result = screen(body, _sensitive_words())
    needs_review = result.needs_review or moderation == ModerationMode.pre
    return {
        "body": body,
        "published_body": result.masked,
        "flagged_words": list(result.flagged_words),
        "status": CommentStatus.pending if needs_review else CommentStatus.accepted,
        # A held comment promises its organizers a notice (services.held_notice).
        "review_notice_pending": needs_review,
    }


def _apply_screening(comment: Comment, body: str, moderation: ModerationMode) -> None:
    for name, value in _screened(body, moderation).items():
        setattr(comment, name, value)


# ---- online submission -----------------------------------------------------------------


# How long another web process may take to see a changed window or moderation mode.
CONSULTATION_SNAPSHOT_SECONDS = 2.0


def consultation_for_comments(consultation_id: int) -> Consultation | None:
    """The consultation with its decision, for the comment API, from a snapshot a few
    seconds old at most: the same two rows were read for every one of hundreds of
    comments a second (participation.snapshots). Read-only and detached: submit_comment
    reads only its columns and its decision's."""
    return snapshots.cache("consultations", CONSULTATION_SNAPSHOT_SECONDS).get(
        consultation_id,
        lambda s: s.get(Consultation, consultation_id, options=[joinedload(Consultation.decision)]),
        merge=False,
    )


def submit_comment(
    user: User,
    consultation: Consultation,
    *,
    body: object,
    article_number: object = None,
    publish_mode: object = "named",
    as_organization_id: object = None,
    idempotency_key: str | None = None,
    stored_at_once: bool = False,
) -> Submission:
    """A resident's comment on the whole draft or one article, with a receipt.

    The same (author, idempotency key) always yields the first comment; a different
    request under a used key is a conflict, never a second comment.

    ``stored_at_once``: the caller's only write is this comment, so it may be committed
    at once, on its own, outside the session's transaction (the API and the web form).
    On PostgreSQL it then goes into the database together with other requests'
    comments, in one INSERT (participation.batching). Everything else here only reads.
    """
    require_verified(user)  # a throw-away account cannot comment the moment it exists
    key = _check_key(idempotency_key)
    text = clean_body(body)
    mode = parse_publish_mode(publish_mode)
    article = find_article(consultation, article_number)
    organization = _organization_for(user, as_organization_id)
    request_shape = (consultation.id, article.id if article else None, mode, organization, text)

    # The common case (a new key) costs one INSERT: the unique constraint on
    # (author, key) is the idempotency check, looked up only when the insert clashes.
    try:
        _check_open(consultation)
    except Gone:
        # A retry of a comment stored before the window closed still gets its receipt.
        existing = _find_by_key(user, key) if key is not None else None
        if existing is None:
            raise
        return _replay(existing, request_shape)

    values: dict[str, Any] = {
        "consultation_id": consultation.id,
        "article_id": article.id if article else None,
        "author_id": user.id,
        "as_organization_id": organization.id if organization else None,
        "channel": Channel.online,
        "publish_mode": mode,
        "idempotency_key": key,
        "submitted_at": utcnow(),
    }
    values.update(_screened(text, consultation.moderation))
    values["receipt_pending"] = True
    stored, existing = _insert_online(
        values, lambda: _find_by_key(user, key) if key else None, stored_at_once
    )
    if existing is not None:  # a retry, possibly concurrent, found the first submission
        return _replay(existing, request_shape)
    assert stored is not None
    receipt_mail.queue_after_commit()
    if stored["review_notice_pending"]:
        held_notice.queue_after_commit()
    receipt = Receipt(
        stored["receipt_no"],
        stored["status"],
        consultation.id,
        article.number if article else None,
        mode,
        stored["submitted_at"],
    )
    return Submission(receipt, True, lambda: _as_stored(stored))


def _find_by_key(user: User, key: str) -> Comment | None:
    return db.session.scalar(
        sa.select(Comment).where(Comment.author_id == user.id, Comment.idempotency_key == key)
    )


def _replay(existing: Comment, shape: tuple[Any, ...]) -> Submission:
    consultation_id, article_id, mode, organization, text = shape
    same = (
        existing.consultation_id == consultation_id
        and existing.article_id == article_id
        and existing.publish_mode == mode
        and existing.as_organization_id == (organization.id if organization else None)
        and existing.body == text
    )
    if not same:
        raise Conflict(
            _(
                "This submission key was already used for another comment "
                "(receipt %(no)s). Nothing new was saved.",
                no=existing.receipt_no,
            ),
            field="idempotency_key",
        )
    return Submission(Receipt.of(existing), False, lambda: existing)


_INSERT_IGNORING_CLASHES = {"postgresql": pg_insert, "sqlite": sqlite_insert}
# The columns an online submission sets; the others take their column defaults.
_ONLINE_COLUMNS = (
    "receipt_no",
    "consultation_id",
    "article_id",
    "author_id",
    "as_organization_id",
    "channel",
    "publish_mode",
    "idempotency_key",
    "submitted_at",
    "body",
    "published_body",
    "flagged_words",
    "status",
    "receipt_pending",
    "review_notice_pending",
)


@lru_cache(maxsize=4)
def _online_insert(dialect: str) -> Any:
    """Built once per engine with bound parameters: building the statement and its cache
    key per request cost more CPU than the database spent on the row."""
    table = Comment.__table__
    return (
        _INSERT_IGNORING_CLASHES[dialect](table)
        .values({name: sa.bindparam(name, type_=table.c[name].type) for name in _ONLINE_COLUMNS})
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.receipt_no)
    )


def _group_insert() -> batching.GroupInsert | None:
    """The process's group insert of comments, on PostgreSQL unless switched off."""
    engine = db.engine
    if engine.dialect.name != "postgresql" or not current_app.config["COMMENT_GROUP_INSERTS"]:
        return None
    options = current_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    return batching.group_insert(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        "comments",
        lambda: batching.GroupInsert(
            lambda: batching.batch_engine(engine, options),
            _online_insert("postgresql"),
            match="receipt_no",
        ),
    )


def _as_stored(values: dict[str, Any]) -> Comment:
    """The ORM object of a row just inserted with these values, without reading it back:
    the columns we wrote are loaded, the others (column defaults) load if ever read."""
    loaded = db.session.identity_map.get(identity_key(Comment, values["id"]))
    if loaded is not None:  # read since, e.g. by a retry of the same submission
        return loaded
    comment = Comment(**values)
    make_transient_to_detached(comment)
    db.session.add(comment)
    return comment


def _insert_online(
    values: dict[str, Any], find_existing: Any, at_once: bool = False
) -> tuple[dict[str, Any] | None, Comment | None]:
    """(the values stored, with id and receipt_no, None), or (None, the stored comment
    that holds the same key).

    On PostgreSQL and SQLite one ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` round
    trip, without a savepoint and without pre-checking the receipt number: when nothing
    is returned a unique index clashed, either on (author, key), so the first submission
    is returned, or on the receipt number (2^-40), so a fresh number is tried.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect not in _INSERT_IGNORING_CLASHES:  # another engine: the portable savepoint path
        comment = Comment(**values)
        stored = _insert(comment, find_existing)
        if stored is not comment:
            return None, stored
        return {**values, "id": comment.id, "receipt_no": comment.receipt_no}, None
    year = values["submitted_at"].astimezone(LOCAL_TZ).year
    group = _group_insert() if at_once else None
    for _attempt in range(5):
        params = {**values, "receipt_no": receipts.generate(year)}
        if group is not None:
            try:
                row = group.insert(params)
            except batching.Unfinished as exc:  # stored or not: a retry with a key is safe
                raise Unavailable(_("We could not store your comment. Please try again.")) from exc
        else:
            row = db.session.execute(_online_insert(dialect), params).first()
        if row is not None:
            return {**params, "id": row.id}, None
        existing = find_existing()
        if existing is not None:
            return None, existing
    raise ServiceError(_("We could not store your comment. Please try again."))


def _insert(comment: Comment, find_existing: Any) -> Comment:
    """Insert in a savepoint; on a unique clash return the row that won, or retry the receipt.

    The receipt number is not pre-checked: its unique index guards the (2^-40) clash.
    """
    year = (comment.received_on or comment.submitted_at or utcnow()).astimezone(LOCAL_TZ).year
    for _attempt in range(5):
        comment.receipt_no = receipts.generate(year)
        try:
            with db.session.begin_nested():
                db.session.add(comment)
                db.session.flush()
            return comment
        except IntegrityError:
            existing = find_existing()
            if existing is not None:
                return existing
    raise ServiceError(_("We could not store your comment. Please try again."))


# ---- offline opinions ------------------------------------------------------------------


def _received_at(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is None:  # a date typed in a form: Beijing time
        value = value.replace(tzinfo=LOCAL_TZ)
    if value > utcnow() + timedelta(hours=1):
        raise ServiceError(_("The date received cannot be in the future."), field="received_on")
    return value.astimezone(UTC)


def _short(value: str, limit: int, field: str) -> str:
    value = _CONTROL_RE.sub("", (value or "").strip())
    if len(value) > limit:
        raise ServiceError(_("At most %(n)d characters, please.", n=limit), field=field)
    return value


class AlreadyEntered(Conflict):
    """The reference (a letter's number) was entered before: nothing is stored again."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(
            _(
                "This opinion (reference %(ref)s) was already entered; its receipt number "
                "is %(no)s. Nothing was stored again.",
                ref=comment.source_ref,
                no=comment.receipt_no,
            ),
            field="source_ref",
        )
        self.comment = comment


def enter_offline_comment(
    actor: User,
    consultation: Consultation,
    *,
    channel: Channel,
    body: str,
    author_label: str = "",
    author: User | None = None,
    article: Article | None = None,
    publish_mode: PublishMode = PublishMode.named,
    received_on: datetime | None = None,
    contact: str = "",
    source_ref: str = "",
    refile: bool = True,
) -> Comment:
    """An organizer records an opinion that arrived by letter, at a hearing, etc.

    Allowed after the window closed (letters arrive late). Idempotent per non-empty
    ``source_ref`` within the consultation: a second call returns the same comment,
    with its text updated if it changed (a hearing statement filed again after a
    correction). With ``refile=False`` (a person typing a letter's number) a second
    call raises AlreadyEntered instead and changes nothing. Callable from tasks.
    """
    with request_context_if_needed():
        return _enter_offline(
            actor,
            consultation,
            channel=channel,
            body=body,
            author_label=author_label,
            author=author,
            article=article,
            publish_mode=publish_mode,
            received_on=received_on,
            contact=contact,
            source_ref=source_ref,
            refile=refile,
        )


def _enter_offline(
    actor: User,
    consultation: Consultation,
    *,
    channel: Channel,
    body: str,
    author_label: str,
    author: User | None,
    article: Article | None,
    publish_mode: PublishMode,
    received_on: datetime | None,
    contact: str,
    source_ref: str,
    refile: bool,
) -> Comment:
    require_organizer(actor, consultation.decision.organization_id)
    try:
        channel = Channel(channel)
        publish_mode = PublishMode(publish_mode)
    except ValueError as exc:
        raise ServiceError(_("Please choose a channel and a publishing mode.")) from exc
    if channel is Channel.online:
        raise ServiceError(
            _("Online comments are submitted by their authors; choose the offline channel."),
            field="channel",
        )
    text = clean_body(body, min_chars=1)
    label = _short(author_label, 200, "author_label")
    contact = _short(contact, 200, "contact")
    source_ref = _short(source_ref, 80, "source_ref")
    if article is not None and article.draft_id != consultation.draft_id:
        raise ServiceError(
            _("This article is not part of the draft under consultation."), field="article"
        )
    received = _received_at(received_on)

    if source_ref:
        existing = _find_by_source(consultation, source_ref)
        if existing is not None:
            if not refile:
                raise AlreadyEntered(existing)
            return _update_offline(actor, existing, text)

    comment = Comment(
        consultation=consultation,
        article=article,
        author=author,
        author_label=label,
        channel=channel,
        publish_mode=publish_mode,
        contact=contact,
        source_ref=source_ref,
        entered_by_id=actor.id,
        received_on=received,
        submitted_at=utcnow(),
        receipt_pending=author is not None,
    )
    # Offline opinions are accepted unless flagged: the organizer already read them.
    _apply_screening(comment, text, ModerationMode.post)
    stored = _insert(
        comment, lambda: _find_by_source(consultation, source_ref) if source_ref else None
    )
    if stored is not comment:  # a concurrent entry of the same reference won
        if not refile:
            raise AlreadyEntered(stored)
        return _update_offline(actor, stored, text)
    audit.record(
        actor,
        "comment.enter_offline",
        "comment",
        comment.id,
        data={
            "consultation_id": consultation.id,
            "channel": channel.value,
            "receipt_no": comment.receipt_no,
            "status": comment.status.value,
        },
    )
    if comment.receipt_pending:
        receipt_mail.queue_after_commit()
    if comment.review_notice_pending:
        held_notice.queue_after_commit()
    return comment


def _find_by_source(consultation: Consultation, source_ref: str) -> Comment | None:
    return db.session.scalar(
        sa.select(Comment).where(
            Comment.consultation_id == consultation.id, Comment.source_ref == source_ref
        )
    )


def _update_offline(actor: User, comment: Comment, text: str) -> Comment:
    if comment.body == text:
        return comment
    old_status = comment.status
    result = screen(text, _sensitive_words())
    comment.body = text
    comment.published_body = result.masked
    comment.flagged_words = list(result.flagged_words)
    # A moderator's rejection stands; a newly flagged text goes back to review.
    if result.needs_review and old_status == CommentStatus.accepted:
        comment.status = CommentStatus.pending
        comment.review_notice_pending = True
        held_notice.queue_after_commit()
    audit.record(
        actor,
        "comment.update_offline",
        "comment",
        comment.id,
        data={"source_ref": comment.source_ref, "status": comment.status.value},
    )
    return comment


def offline_comments(consultation: Consultation) -> sa.Select[Any]:
    """Opinions entered by organizers, newest entry first (for the entry page)."""
    return (
        sa.select(Comment)
        .where(Comment.consultation_id == consultation.id, Comment.channel != Channel.online)
        .order_by(Comment.id.desc())
    )


def purge_contacts(actor: User, consultation: Consultation) -> int:
    """Erase the contact details of offline authors once they are no longer needed (PIPL)."""
    require_organizer(actor, consultation.decision.organization_id)
    ids = db.session.scalars(
        sa.select(Comment.id).where(
            Comment.consultation_id == consultation.id, Comment.contact != ""
        )
    ).all()
    if ids:
        db.session.execute(sa.update(Comment).where(Comment.id.in_(ids)).values(contact=""))
        audit.record(
            actor,
            "comment.purge_contacts",
            "consultation",
            consultation.id,
            data={"count": len(ids)},
        )
    return len(ids)


# ---- public reads ----------------------------------------------------------------------


def public_filter(consultation_id: int) -> list[Any]:
    return [
        Comment.consultation_id == consultation_id,
        Comment.status == CommentStatus.accepted,
        Comment.publish_mode != PublishMode.private,
    ]


def public_comments(consultation: Consultation, article_id: int | None = None) -> sa.Select[Any]:
    """Accepted comments whose authors chose to publish them, newest first."""
    query = sa.select(Comment).where(*public_filter(consultation.id))
    if article_id is not None:
        query = query.where(Comment.article_id == article_id)
    return query.order_by(Comment.submitted_at.desc(), Comment.id.desc())


def comment_counts(consultation: Consultation) -> dict[int | None, int]:
    """Published comments per article id (None = on the whole draft)."""
    rows = db.session.execute(
        sa.select(Comment.article_id, sa.func.count(Comment.id))
        .where(*public_filter(consultation.id))
        .group_by(Comment.article_id)
    )
    return {article_id: count for article_id, count in rows}


def public_author(comment: Comment, locale: str) -> str:
    """The author line shown publicly: a name only when the author chose so."""
    if comment.publish_mode != PublishMode.named:
        return _("Anonymous")
    if comment.as_organization is not None:
        return comment.as_organization.display_name(locale)
    if comment.author is not None and comment.author.deleted_at is None:
        return comment.author.display_name
    if comment.author_label:
        return mask(comment.author_label)
    return _("Anonymous")


def public_text(comment: Comment) -> str | None:
    if comment.publish_mode == PublishMode.private or comment.status != CommentStatus.accepted:
        return None
    return comment.published_body


def my_comments(user: User) -> sa.Select[Any]:
    return (
        sa.select(Comment)
        .where(Comment.author_id == user.id)
        .order_by(Comment.submitted_at.desc(), Comment.id.desc())
    )


def get_own_comment(user: User, receipt_no: str) -> Comment:
    from participation.errors import NotFound

    comment = db.session.scalar(sa.select(Comment).where(Comment.receipt_no == receipt_no))
    if comment is None or user is None or comment.author_id != getattr(user, "id", None):
        raise NotFound(_("No such comment among yours."))
    return comment


# ---- personal data rights --------------------------------------------------------------


def export_for(user: User) -> dict[str, Any]:
    items = []
    for c in db.session.scalars(my_comments(user)):
        items.append(
            {
                "summary": f"{c.receipt_no} · {c.consultation.title} · "
                f"{STATUS_LABELS[c.status]} · {c.body[:80]}",
                "receipt_no": c.receipt_no,
                "consultation": c.consultation.title,
                "article": c.article.label if c.article else None,
                "publish_mode": c.publish_mode.value,
                "status": c.status.value,
                "submitted_at": c.submitted_at.isoformat(),
                "body": c.body,
            }
        )
    return {"comments": items} if items else {}


def erase_for(user: User) -> None:
    """Keep the opinions (public record) but cut every link to the person."""
    db.session.execute(
        sa.update(Comment)
        .where(Comment.author_id == user.id, Comment.publish_mode == PublishMode.named)
        .values(publish_mode=PublishMode.anonymous)
    )
    db.session.execute(
        sa.update(Comment)
        .where(Comment.author_id == user.id)
        .values(author_id=None, contact="", author_label="", idempotency_key=None)
    )

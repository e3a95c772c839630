"""Versions (editions) of the feedback report: publication, addenda, what is pending.

A published report is a record. Publishing freezes which opinions it lists and with
which response (one ``ReportEntry`` per opinion) and its figures; nothing written later
changes it. Opinions or responses that arrive afterwards wait for an addendum: a new
edition that one organizer of the lead agency drafts and a *different* one publishes
(the two-person rule of responses). Every edition stays readable at its own URL.

Publishing (version 1 or an addendum) is refused while an opinion is held for
moderation or accepted without a published response, so each edition's outcome
counts add up to the opinions it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, NotFound, PermissionDenied, ServiceError
from participation.models import User

from ..models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Consultation,
    EditionStatus,
    EntryChange,
    PublishMode,
    ReportEdition,
    ReportEntry,
    Response,
)
from .responses import effective_columns, join_effective, require_lead_organizer

MAX_SUMMARY = 20000
MAX_NOTE = 5000
LISTED = 50  # receipts named in a refusal or a pending list; the count says the rest


# ---- reading editions ---------------------------------------------------------------


def published_editions(consultation: Consultation) -> list[ReportEdition]:
    """Oldest first; a handful per consultation."""
    return list(
        db.session.scalars(
            sa.select(ReportEdition)
            .where(
                ReportEdition.consultation_id == consultation.id,
                ReportEdition.status == EditionStatus.published,
            )
            .order_by(ReportEdition.number)
        )
    )


def latest_edition(consultation: Consultation) -> ReportEdition | None:
    return db.session.scalar(
        sa.select(ReportEdition)
        .where(
            ReportEdition.consultation_id == consultation.id,
            ReportEdition.status == EditionStatus.published,
        )
        .order_by(ReportEdition.number.desc())
        .limit(1)
    )


def get_edition(consultation: Consultation, number: int | None) -> ReportEdition:
    """A published edition by number (None: the latest), or 404."""
    if number is None:
        edition = latest_edition(consultation)
    else:
        edition = db.session.scalar(
            sa.select(ReportEdition).where(
                ReportEdition.consultation_id == consultation.id,
                ReportEdition.number == number,
                ReportEdition.status == EditionStatus.published,
            )
        )
    if edition is None:
        if number is None:
            raise NotFound(_("The feedback report of this consultation is not yet published."))
        raise NotFound(_("This report has no version %(n)d.", n=number))
    return edition


def draft_addendum(consultation: Consultation) -> ReportEdition | None:
    return db.session.scalar(
        sa.select(ReportEdition).where(
            ReportEdition.consultation_id == consultation.id,
            ReportEdition.status == EditionStatus.draft,
        )
    )


# ---- what blocks publication --------------------------------------------------------


@dataclass
class Blockers:
    """Opinions without which no edition may be published, with their receipts."""

    held: int = 0
    held_receipts: list[tuple[int, str]] = field(default_factory=list)
    unanswered: int = 0
    unanswered_receipts: list[tuple[int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.held or self.unanswered)

    def message(self) -> str:
        parts = []
        if self.held:
            parts.append(
                ngettext(
                    "%(num)d comment is held for moderation: %(receipts)s",
                    "%(num)d comments are held for moderation: %(receipts)s",
                    self.held,
                    receipts=_listed(self.held_receipts, self.held),
                )
            )
        if self.unanswered:
            parts.append(
                ngettext(
                    "%(num)d comment has no published response yet: %(receipts)s",
                    "%(num)d comments have no published response yet: %(receipts)s",
                    self.unanswered,
                    receipts=_listed(self.unanswered_receipts, self.unanswered),
                )
            )
        return _("The report cannot be published yet.") + " " + " ".join(parts)


def _listed(receipts: list[tuple[int, str]], count: int) -> str:
    return ", ".join(r for _id, r in receipts) + (" …" if count > len(receipts) else "")


class PublicationRefused(ServiceError):
    """Publishing while opinions are held or unanswered; the page lists them."""

    def __init__(self, blockers: Blockers) -> None:
        super().__init__(blockers.message())
        self.blockers = blockers


def _count_and_first(query: sa.Select, limit: int) -> tuple[int, list[tuple[int, str]]]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(Comment.id).limit(limit)).all()
    return count, [(cid, receipt) for cid, receipt in rows]


def blockers(consultation: Consultation, limit: int = LISTED) -> Blockers:
    held = sa.select(Comment.id, Comment.receipt_no).where(
        Comment.consultation_id == consultation.id, Comment.status == CommentStatus.pending
    )
    own, grp = effective_columns()
    unanswered = join_effective(sa.select(Comment.id, Comment.receipt_no), own, grp).where(
        Comment.consultation_id == consultation.id,
        Comment.status == CommentStatus.accepted,
        own.id.is_(None),
        grp.id.is_(None),
    )
    out = Blockers()
    out.held, out.held_receipts = _count_and_first(held, limit)
    out.unanswered, out.unanswered_receipts = _count_and_first(unanswered, limit)
    return out


# ---- what an addendum would change --------------------------------------------------


@dataclass
class Pending:
    """Differences between the live record and the latest published edition."""

    added: int = 0
    added_receipts: list[tuple[int, str]] = field(default_factory=list)
    changed: int = 0
    changed_receipts: list[tuple[int, str]] = field(default_factory=list)
    removed: int = 0
    removed_receipts: list[tuple[int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _live_answers(consultation: Consultation) -> sa.Subquery:
    """Accepted opinions with the response that answers them now (own, else group's)."""
    own, grp = effective_columns()
    return (
        join_effective(
            sa.select(
                Comment.id.label("comment_id"),
                Comment.receipt_no.label("receipt_no"),
                sa.func.coalesce(own.id, grp.id).label("response_id"),
            ),
            own,
            grp,
        )
        .where(
            Comment.consultation_id == consultation.id,
            Comment.status == CommentStatus.accepted,
        )
        .subquery("live")
    )


def pending_changes(
    consultation: Consultation, base: ReportEdition | None = None, limit: int = LISTED
) -> Pending:
    """Answered opinions not in ``base`` (the latest edition), answers that differ,
    and opinions listed there that are no longer accepted. Unanswered or held opinions
    are not changes yet: ``blockers`` reports them."""
    base = base or latest_edition(consultation)
    out = Pending()
    if base is None:
        return out
    live = _live_answers(consultation)
    prev = sa.orm.aliased(ReportEntry)
    joined = sa.select(live.c.comment_id, live.c.receipt_no).outerjoin(
        prev, sa.and_(prev.edition_id == base.id, prev.comment_id == live.c.comment_id)
    )
    added = joined.where(prev.position.is_(None), live.c.response_id.is_not(None))
    changed = joined.where(
        prev.position.is_not(None),
        live.c.response_id.is_not(None),
        sa.func.coalesce(prev.response_id, 0) != live.c.response_id,
    )
    removed = (
        sa.select(Comment.id, Comment.receipt_no)
        .join(ReportEntry, ReportEntry.comment_id == Comment.id)
        .where(ReportEntry.edition_id == base.id, Comment.status != CommentStatus.accepted)
    )
    out.added, out.added_receipts = _ordered(added, live.c.comment_id, limit)
    out.changed, out.changed_receipts = _ordered(changed, live.c.comment_id, limit)
    out.removed, out.removed_receipts = _count_and_first(removed, limit)
    return out


def _ordered(query: sa.Select, key: Any, limit: int) -> tuple[int, list[tuple[int, str]]]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(key).limit(limit)).all()
    return count, [(cid, receipt) for cid, receipt in rows]


def will_change_published_report(consultation: Consultation) -> bool:
    """For the staff pages' notice: a published report exists, so anything answered
    or accepted now goes into an addendum."""
    return consultation.report_published_at is not None


# ---- publication --------------------------------------------------------------------


def _clean(text: str, limit: int, field_name: str, required_message: Any) -> str:
    """``required_message`` is lazy: translating outside a request would fix the
    locale of the whole app context (tests, CLI) to the default one."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(str(required_message), field=field_name)
    if len(text) > limit:
        raise ServiceError(
            _("This text must have at most %(n)d characters.", n=limit), field=field_name
        )
    return text


def _refuse_while_blocked(consultation: Consultation) -> None:
    found = blockers(consultation, limit=20)
    if found:
        raise PublicationRefused(found)


def publish_report(user: User, consultation: Consultation, summary: str) -> ReportEdition:
    """Version 1: one organizer of the lead agency, after the comment period."""
    require_lead_organizer(user, consultation)
    if consultation.report_published_at is not None or latest_edition(consultation):
        raise Conflict(
            _("The feedback report is already published: later changes go into an addendum.")
        )
    if utcnow() < consultation.closes_at:
        raise Gone(_("The feedback report can be published only after the comment period."))
    summary = _clean(summary, MAX_SUMMARY, "summary", _l("Please write a summary of the feedback."))
    _refuse_while_blocked(consultation)
    edition = ReportEdition(
        consultation_id=consultation.id,
        number=1,
        status=EditionStatus.published,
        summary=summary,
        drafted_by_id=user.id,
        published_by_id=user.id,
        published_at=utcnow(),
    )
    db.session.add(edition)
    db.session.flush()
    freeze(edition)
    consultation.report_summary = summary
    consultation.report_published_at = edition.published_at
    audit.record(
        user,
        "report.publish",
        "consultation",
        consultation.id,
        data={"version": 1, "summary": summary[:500], "comments": edition.figures["comments"]},
    )
    return edition


def save_addendum(user: User, consultation: Consultation, summary: str, note: str) -> ReportEdition:
    """Write (or rewrite) the draft of the next edition. Rewriting makes the writer its
    drafter, so the publisher is always someone who did not write the final text."""
    require_lead_organizer(user, consultation)
    base = latest_edition(consultation)
    if base is None:
        raise Conflict(_("Publish the report first; an addendum follows a published report."))
    summary = _clean(summary, MAX_SUMMARY, "summary", _l("Please write a summary of the feedback."))
    note = _clean(note, MAX_NOTE, "note", _l("Please say what changed since the last version."))
    edition = draft_addendum(consultation)
    if edition is None:
        edition = ReportEdition(consultation_id=consultation.id, number=base.number + 1)
        db.session.add(edition)
    edition.summary, edition.note = summary, note
    edition.drafted_by_id, edition.drafted_at = user.id, utcnow()
    db.session.flush()
    audit.record(
        user,
        "report.addendum_draft",
        "consultation",
        consultation.id,
        data={"version": edition.number, "note": note[:500]},
    )
    return edition


def publish_addendum(user: User, consultation: Consultation) -> ReportEdition:
    """A second organizer of the lead agency publishes the drafted addendum."""
    require_lead_organizer(user, consultation)
    edition = draft_addendum(consultation)
    if edition is None:
        raise NotFound(_("There is no drafted addendum to publish."))
    if edition.drafted_by_id == user.id:
        raise PermissionDenied(
            _("You wrote this addendum: another member of the agency must publish it.")
        )
    base = latest_edition(consultation)
    assert base is not None
    _refuse_while_blocked(consultation)
    if not pending_changes(consultation, base, limit=1):
        raise ServiceError(
            _("Nothing changed since version %(n)d: there is nothing to publish.", n=base.number)
        )
    edition.status = EditionStatus.published
    edition.published_by_id = user.id
    edition.published_at = utcnow()
    db.session.flush()
    freeze(edition, base)
    consultation.report_summary = edition.summary
    audit.record(
        user,
        "report.addendum_publish",
        "consultation",
        consultation.id,
        data={
            "version": edition.number,
            "added": edition.figures["added"],
            "changed": edition.figures["changed"],
            "removed": len(edition.figures["removed"]),
        },
    )
    return edition


def discard_addendum(user: User, consultation: Consultation) -> None:
    require_lead_organizer(user, consultation)
    edition = draft_addendum(consultation)
    if edition is None:
        raise NotFound(_("There is no drafted addendum to publish."))
    audit.record(
        user,
        "report.addendum_discard",
        "consultation",
        consultation.id,
        data={"version": edition.number, "summary": edition.summary[:500], "note": edition.note},
    )
    db.session.delete(edition)
    db.session.flush()


# ---- freezing -----------------------------------------------------------------------


def freeze(edition: ReportEdition, base: ReportEdition | None = None) -> None:
    """Copy the accepted opinions and their answers into the edition (one INSERT ...
    SELECT, numbered in submission order), flag what differs from ``base``, and store
    the figures computed from exactly those entries."""
    own, grp = effective_columns()
    order = (Comment.submitted_at, Comment.id)
    rows = join_effective(
        sa.select(
            sa.literal(edition.id).label("edition_id"),
            sa.func.row_number().over(order_by=order).label("position"),
            Comment.id,
            sa.func.coalesce(own.id, grp.id),
            sa.case(
                (Comment.publish_mode == PublishMode.private, sa.literal("")),
                else_=Comment.published_body,
            ),
        ),
        own,
        grp,
    ).where(
        Comment.consultation_id == edition.consultation_id,
        Comment.status == CommentStatus.accepted,
    )
    db.session.execute(
        sa.insert(ReportEntry).from_select(
            ["edition_id", "position", "comment_id", "response_id", "text"], rows
        )
    )
    removed: list[str] = []
    if base is not None:
        _flag_changes(edition, base)
        now = sa.orm.aliased(ReportEntry)
        removed = list(
            db.session.scalars(
                sa.select(Comment.receipt_no)
                .join(ReportEntry, ReportEntry.comment_id == Comment.id)
                .where(
                    ReportEntry.edition_id == base.id,
                    ~sa.exists().where(now.edition_id == edition.id, now.comment_id == Comment.id),
                )
                .order_by(ReportEntry.position)
            )
        )
    edition.figures = compute_figures(edition, removed)


def _flag_changes(edition: ReportEdition, base: ReportEdition) -> None:
    prev = sa.orm.aliased(ReportEntry)
    listed_before = (
        sa.select(prev.position)
        .where(prev.edition_id == base.id, prev.comment_id == ReportEntry.comment_id)
        .exists()
    )
    same_answer = (
        sa.select(prev.position)
        .where(
            prev.edition_id == base.id,
            prev.comment_id == ReportEntry.comment_id,
            sa.func.coalesce(prev.response_id, 0) == sa.func.coalesce(ReportEntry.response_id, 0),
        )
        .exists()
    )
    mine = ReportEntry.edition_id == edition.id
    db.session.execute(
        sa.update(ReportEntry).where(mine, ~listed_before).values(change=EntryChange.added)
    )
    db.session.execute(
        sa.update(ReportEntry)
        .where(mine, listed_before, ~same_answer)
        .values(change=EntryChange.changed)
    )


def local_day(column: Any) -> Any:
    """The Asia/Shanghai calendar day of a UTC timestamp, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
        return sa.func.date(sa.func.timezone(tz, column))
    return sa.func.date(column, "+8 hours")  # SQLite: China has no daylight saving


def compute_figures(edition: ReportEdition, removed: list[str]) -> dict[str, Any]:
    """Aggregates over the edition's entries only, so its figures always add up."""
    mine = ReportEntry.edition_id == edition.id
    entries = sa.select(ReportEntry).where(mine).subquery()
    by_channel: dict[str, int] = {}
    days: dict[str, int] = {}
    day = local_day(Comment.submitted_at)
    for channel, d, n in db.session.execute(
        sa.select(Comment.channel, day, sa.func.count())
        .join(entries, entries.c.comment_id == Comment.id)
        .group_by(Comment.channel, day)
    ):
        by_channel[str(channel)] = by_channel.get(str(channel), 0) + n
        key = d.isoformat() if isinstance(d, date) else str(d)
        days[key] = days.get(key, 0) + n
    by_outcome: dict[str, int] = {}
    unanswered = 0
    for outcome, n in db.session.execute(
        sa.select(Response.outcome, sa.func.count())
        .select_from(entries)
        .outerjoin(Response, Response.id == entries.c.response_id)
        .group_by(Response.outcome)
    ):
        if outcome is None:
            unanswered += n
        else:
            by_outcome[str(outcome)] = n
    people = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(Comment.author_id)),
            sa.func.sum(sa.case((Comment.author_id.is_(None), 1), else_=0)),
            sa.func.sum(sa.case((Comment.publish_mode == PublishMode.private, 1), else_=0)),
        ).join(entries, entries.c.comment_id == Comment.id)
    ).one()
    group_sizes = db.session.execute(
        sa.select(Response.group_id, Response.id, sa.func.count())
        .join(entries, entries.c.response_id == Response.id)
        .where(Response.group_id.is_not(None))
        .group_by(Response.group_id, Response.id)
    ).all()
    titles = {
        g.id: g
        for g in db.session.scalars(
            sa.select(CommentGroup).where(CommentGroup.id.in_([g for g, _r, _n in group_sizes]))
        )
    }
    groups = sorted(
        (
            {
                "id": gid,
                "title": titles[gid].title,
                "summary": titles[gid].summary,
                "comments": n,
                "response_id": rid,
            }
            for gid, rid, n in group_sizes
        ),
        key=lambda g: (-g["comments"], g["id"]),
    )
    changes = dict(
        db.session.execute(
            sa.select(ReportEntry.change, sa.func.count())
            .where(mine, ReportEntry.change.is_not(None))
            .group_by(ReportEntry.change)
        ).all()
    )
    rejected = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.consultation_id == edition.consultation_id,
            Comment.status == CommentStatus.rejected,
        )
    )
    return {
        "comments": int(people[0] or 0),
        # Accounts count once; offline opinions without an account count one each.
        "participants": int(people[1] or 0) + int(people[2] or 0),
        "private": int(people[3] or 0),
        "rejected": int(rejected or 0),
        "unanswered": unanswered,
        "by_channel": by_channel,
        "by_outcome": by_outcome,
        "per_day": sorted(days.items()),
        "groups": groups,
        "added": int(changes.get(EntryChange.added, 0)),
        "changed": int(changes.get(EntryChange.changed, 0)),
        "removed": removed,
    }

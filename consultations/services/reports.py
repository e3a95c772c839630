"""The feedback report (意见采纳情况反馈): publication, its figures and its rows.

Everything is aggregated in SQL from the live tables, so the report can never show a
stale figure; the lists are paginated and the exports stream in batches. Only published
information leaves this module: masked texts (empty for private comments), outcomes,
reasons, agencies and dates; never an author, a contact, an email or an original body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, NotFound, ServiceError
from participation.models import Organization, User

from ..labels import CHANNEL_LABELS
from ..models import (
    Article,
    Channel,
    Comment,
    CommentGroup,
    CommentStatus,
    Consultation,
    Decision,
    Outcome,
    PublishMode,
    Response,
    ResponseStatus,
)
from . import feedback_cache
from .groups import concentrated_threshold
from .responses import effective_columns, join_effective, require_lead_organizer

MAX_SUMMARY = 20000


def get_public_consultation(consultation_id: int) -> Consultation:
    """A consultation whose decision may be shown publicly (never a confidential one)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.decision.confidential:
        raise NotFound(_("No such consultation."))
    return consultation


def require_published_report(consultation: Consultation) -> None:
    if consultation.report_published_at is None:
        raise NotFound(_("The feedback report of this consultation is not yet published."))


# ---- publication --------------------------------------------------------------------


def missing_responses(consultation: Consultation, limit: int = 50) -> tuple[int, list[str]]:
    """Accepted comments without a published answer: (how many, the first receipts)."""
    own, grp = effective_columns()
    base = join_effective(sa.select(Comment.receipt_no), own, grp).where(
        Comment.consultation_id == consultation.id,
        Comment.status == CommentStatus.accepted,
        own.id.is_(None),
        grp.id.is_(None),
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    receipts = db.session.scalars(base.order_by(Comment.id).limit(limit)).all()
    return count, list(receipts)


def publish_report(user: User, consultation: Consultation, summary: str) -> Consultation:
    require_lead_organizer(user, consultation)
    if consultation.report_published_at is not None:
        raise Conflict(_("The feedback report is already published."))
    if utcnow() < consultation.closes_at:
        raise Gone(_("The feedback report can be published only after the comment period."))
    summary = (summary or "").strip()
    if not summary:
        raise ServiceError(_("Please write a summary of the feedback."), field="summary")
    if len(summary) > MAX_SUMMARY:
        raise ServiceError(
            _("The summary must have at most %(n)d characters.", n=MAX_SUMMARY), field="summary"
        )
    count, receipts = missing_responses(consultation, limit=20)
    if count:
        raise ServiceError(
            _(
                "%(n)d comments have no published response yet: %(receipts)s",
                n=count,
                receipts=", ".join(receipts) + (" …" if count > len(receipts) else ""),
            )
        )
    consultation.report_summary = summary
    consultation.report_published_at = utcnow()
    feedback_cache.bump(consultation.id)  # the version row the figure cache keys on
    audit.record(
        user, "report.publish", "consultation", consultation.id, data={"summary": summary[:500]}
    )
    return consultation


# ---- figures ------------------------------------------------------------------------


def _local_day(column: Any) -> Any:
    """The Asia/Shanghai calendar day of a UTC timestamp, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
        return sa.func.date(sa.func.timezone(tz, column))
    return sa.func.date(column, "+8 hours")  # SQLite: China has no daylight saving


@dataclass
class ReportFigures:
    comments: int = 0
    participants: int = 0
    private: int = 0
    rejected: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[date, int]] = field(default_factory=list)

    @property
    def adoption_rate(self) -> float | None:
        """Adopted plus partly adopted, over all answered comments."""
        answered = sum(self.by_outcome.values())
        if not answered:
            return None
        adopted = self.by_outcome.get("adopted", 0) + self.by_outcome.get("partly_adopted", 0)
        return adopted / answered


def figures(consultation: Consultation) -> ReportFigures:
    """Live while the report is unpublished; cached per data version once published."""
    return feedback_cache.cached(consultation, "figures", lambda: _figures(consultation))


def _figures(consultation: Consultation) -> ReportFigures:
    """Four small aggregates, none joining every comment to two responses: one scan of
    the comments for channel x day, one for participants, and outcomes counted from the
    responses side (own answers, plus group answers times members without their own)."""
    accepted = sa.and_(
        Comment.consultation_id == consultation.id, Comment.status == CommentStatus.accepted
    )
    day = _local_day(Comment.submitted_at).label("day")
    fig = ReportFigures()
    days: dict[date, int] = {}
    for channel, d, n in db.session.execute(
        sa.select(Comment.channel, day, sa.func.count())
        .where(accepted)
        .group_by(Comment.channel, day)
    ):
        fig.comments += n
        key = channel.value if isinstance(channel, Channel) else str(channel)
        fig.by_channel[key] = fig.by_channel.get(key, 0) + n
        d = d if isinstance(d, date) else date.fromisoformat(str(d))
        days[d] = days.get(d, 0) + n
    fig.per_day = _fill_days(days)
    for outcome, n in _outcome_counts(consultation, accepted):
        key = outcome.value if isinstance(outcome, Outcome) else str(outcome)
        fig.by_outcome[key] = fig.by_outcome.get(key, 0) + n
    # Accounts count once; offline opinions without an account count one each.
    people = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(Comment.author_id)),
            sa.func.sum(sa.case((Comment.author_id.is_(None), 1), else_=0)),
            sa.func.sum(sa.case((Comment.publish_mode == PublishMode.private, 1), else_=0)),
        ).where(accepted)
    ).one()
    fig.participants = int(people[0] or 0) + int(people[1] or 0)
    fig.private = int(people[2] or 0)
    fig.rejected = (
        db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id,
                Comment.status == CommentStatus.rejected,
            )
        )
        or 0
    )
    return fig


def _outcome_counts(consultation: Consultation, accepted: Any) -> list[tuple[Any, int]]:
    published = ResponseStatus.published
    own_rows = db.session.execute(
        sa.select(Response.outcome, sa.func.count())
        .join(Comment, Comment.id == Response.comment_id)
        .where(accepted, Response.status == published)
        .group_by(Response.outcome)
    ).all()
    own = sa.orm.aliased(Response)
    group_rows = db.session.execute(
        sa.select(Response.outcome, sa.func.count(Comment.id))
        .join(Comment, Comment.group_id == Response.group_id)
        .outerjoin(own, sa.and_(own.comment_id == Comment.id, own.status == published))
        .where(accepted, Response.status == published, own.id.is_(None))
        .group_by(Response.outcome)
    ).all()
    return [(o, n) for o, n in own_rows] + [(o, n) for o, n in group_rows]


def _fill_days(days: dict[date, int]) -> list[tuple[date, int]]:
    """Every day from the first to the last comment, zeros included, for the line chart."""
    if not days:
        return []
    first, last = min(days), max(days)
    out = []
    d = first
    while d <= last and len(out) < 400:
        out.append((d, days.get(d, 0)))
        d += timedelta(days=1)
    return out


# ---- lists --------------------------------------------------------------------------


def answered_groups(consultation: Consultation) -> list[tuple[CommentGroup, int]]:
    """Confirmed groups with a published response and their sizes, largest first."""
    sizes = feedback_cache.cached(
        consultation, "group_sizes", lambda: _answered_group_sizes(consultation)
    )
    if not sizes:
        return []
    found = db.session.scalars(
        sa.select(CommentGroup)
        .where(CommentGroup.id.in_([gid for gid, _n in sizes]))
        .options(selectinload(CommentGroup.response).joinedload(Response.organization))
    ).all()
    by_id = {g.id: g for g in found}
    return [(by_id[gid], n) for gid, n in sizes if gid in by_id]


def _answered_group_sizes(consultation: Consultation) -> list[tuple[int, int]]:
    ids = db.session.scalars(
        sa.select(CommentGroup.id)
        .join(Response, Response.group_id == CommentGroup.id)
        .where(
            CommentGroup.consultation_id == consultation.id,
            Response.status == ResponseStatus.published,
        )
    ).all()
    if not ids:
        return []
    sizes = dict(
        db.session.execute(
            sa.select(Comment.group_id, sa.func.count())
            .where(Comment.group_id.in_(ids), Comment.status == CommentStatus.accepted)
            .group_by(Comment.group_id)
        ).all()
    )
    return sorted(((gid, sizes.get(gid, 0)) for gid in ids), key=lambda x: (-x[1], x[0]))


def concentrated(groups: list[tuple[CommentGroup, int]]) -> list[tuple[CommentGroup, int]]:
    threshold = concentrated_threshold()
    return [(g, n) for g, n in groups if n >= threshold]


def published_comments(consultation: Consultation, args: dict[str, str]) -> sa.Select:
    """Accepted comments in submission order, with filters by channel and outcome.

    The response joins are added only for the outcome filter: the unfiltered page (the
    common case) stays a plain indexed scan of one consultation's comments.
    """
    query = (
        sa.select(Comment)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.status == CommentStatus.accepted,
        )
        .options(
            # Loaded for the page's 50 rows only (a join here would run before the
            # OFFSET, over every skipped row).
            selectinload(Comment.article),
            selectinload(Comment.response).joinedload(Response.organization),
            selectinload(Comment.group)
            .selectinload(CommentGroup.response)
            .joinedload(Response.organization),
        )
        .order_by(Comment.submitted_at, Comment.id)
    )
    if args.get("channel") in Channel.__members__:
        query = query.where(Comment.channel == Channel(args["channel"]))
    if args.get("outcome") in Outcome.__members__:
        own, grp = effective_columns()
        query = join_effective(query, own, grp).where(
            sa.func.coalesce(own.outcome, grp.outcome) == Outcome(args["outcome"])
        )
    return query


@dataclass
class Page:
    """What the pager macro needs, for a page fetched by ``comment_page``."""

    items: list[Comment]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def comment_page(
    consultation: Consultation, query: sa.Select, page: int, per_page: int, total: int
) -> Page:
    """One page of the unfiltered list, as cheap deep in the list as on page 1.

    A published report seeks from the cached first key of the page (keyset), so page
    1,000 of 2,000 reads 50 rows instead of skipping 50,000. Unpublished (live) lists
    use OFFSET from whichever end is nearer.
    """
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    anchors = page_anchors(consultation, per_page) if consultation.report_published_at else None
    if anchors is not None and page <= len(anchors):
        at, comment_id = anchors[page - 1]
        seek = query.where(sa.tuple_(Comment.submitted_at, Comment.id) >= (at, comment_id))
        items = db.session.scalars(seek.limit(per_page)).all()
    elif start <= total // 2:
        items = db.session.scalars(query.offset(start).limit(per_page)).all()
    else:
        count = min(per_page, total - start)
        backwards = query.order_by(None).order_by(Comment.submitted_at.desc(), Comment.id.desc())
        items = db.session.scalars(backwards.offset(total - start - count).limit(count)).all()
        items = list(reversed(items))
    return Page(list(items), page, per_page, total)


def page_anchors(consultation: Consultation, per_page: int) -> list[tuple[Any, int]]:
    """The (submitted_at, id) key of the first comment of every page, in one scan,
    computed once per data version of a published report."""

    def compute() -> list[tuple[Any, int]]:
        order = (Comment.submitted_at, Comment.id)
        numbered = (
            sa.select(*order, sa.func.row_number().over(order_by=order).label("n"))
            .where(
                Comment.consultation_id == consultation.id,
                Comment.status == CommentStatus.accepted,
            )
            .subquery()
        )
        rows = db.session.execute(
            sa.select(numbered.c.submitted_at, numbered.c.id)
            .where((numbered.c.n - 1) % per_page == 0)
            .order_by(numbered.c.n)
        )
        return [(at, comment_id) for at, comment_id in rows]

    return feedback_cache.cached(consultation, f"page_anchors:{per_page}", compute)


def public_text(comment: Comment) -> str:
    """What may be shown of a comment: the masked text, nothing for a private one."""
    return "" if comment.publish_mode == PublishMode.private else comment.published_body


# ---- export rows --------------------------------------------------------------------


EXPORT_FIELDS = (
    "receipt",
    "article",
    "channel",
    "group",
    "published_text",
    "outcome",
    "reason",
    "agency",
    "submitted_on",
    "responded_on",
)


def export_headers() -> list[str]:
    return [
        _("Receipt number"),
        _("Article"),
        _("Channel"),
        _("Group"),
        _("Published text"),
        _("Outcome"),
        _("Reason"),
        _("Responding agency"),
        _("Submitted on"),
        _("Response published on"),
    ]


def export_rows(
    consultation: Consultation,
    *,
    labels: bool = True,
    batch: int = 2000,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """One dict per accepted comment, streamed from one query in batches (yield_per).

    ``labels``: translated channel/outcome labels (CSV, XLSX) or codes (JSON).
    """
    from .responses import OUTCOME_LABELS

    # Labels resolved once per export, not once per row (lazy strings translate on str()).
    channel_names = {c: (str(CHANNEL_LABELS[c]) if labels else c.value) for c in Channel}
    outcome_names = {o: (str(OUTCOME_LABELS[o]) if labels else o.value) for o in Outcome}
    outcome_names[None] = ""
    private = PublishMode.private
    own, grp = effective_columns()
    agency_id = sa.func.coalesce(own.organization_id, grp.organization_id)
    locale_en = _is_english()
    query = (
        join_effective(
            sa.select(
                Comment.receipt_no,
                Article.label,
                Comment.channel,
                CommentGroup.title,
                Comment.publish_mode,
                Comment.published_body,
                sa.func.coalesce(own.outcome, grp.outcome),
                sa.func.coalesce(own.reason, grp.reason),
                Organization.name,
                Organization.name_en,
                _local_day(Comment.submitted_at),
                _local_day(sa.func.coalesce(own.published_at, grp.published_at)),
            ),
            own,
            grp,
        )
        .outerjoin(Article, Article.id == Comment.article_id)
        .outerjoin(
            CommentGroup,
            sa.and_(CommentGroup.id == Comment.group_id, grp.id.is_not(None)),
        )
        .outerjoin(Organization, Organization.id == agency_id)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.status == CommentStatus.accepted,
        )
        .order_by(Comment.submitted_at, Comment.id)
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=batch)
    )
    for row in db.session.execute(query):
        (receipt, article, channel, group, mode, text, outcome, reason, org, org_en, sub, resp) = (
            row
        )
        yield {
            "receipt": receipt,
            "article": article or "",
            "channel": channel_names[channel],
            "group": group or "",
            "published_text": "" if mode == private else text,
            "outcome": outcome_names[outcome],
            "reason": reason or "",
            "agency": (org_en or org) if locale_en else (org or ""),
            "submitted_on": str(sub),
            "responded_on": str(resp) if resp is not None else "",
        }


def _is_english() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "zh") == "en"


# ---- feeds and catalogues -----------------------------------------------------------


def recently_reported(limit: int = 50) -> list[Consultation]:
    return list(
        db.session.scalars(
            sa.select(Consultation)
            .join(Decision, Consultation.decision_id == Decision.id)
            .where(Consultation.report_published_at.is_not(None), ~Decision.confidential)
            .options(selectinload(Consultation.decision).selectinload(Decision.organization))
            .order_by(Consultation.report_published_at.desc())
            .limit(limit)
        )
    )

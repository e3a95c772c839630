"""The feedback report (意见采纳情况反馈) as readers see it: one published edition's
figures, its paginated list and its export rows.

Everything is read from the edition's frozen entries and figures (services/editions.py
publishes them), so what was published never changes; the lists page by position and
the exports stream in batches. Only published
information leaves this module: masked texts (empty for private comments), outcomes,
reasons, agencies and dates; never an author, a contact, an email or an original body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from participation.db import db
from participation.errors import NotFound
from participation.models import Organization

from ..labels import CHANNEL_LABELS
from ..models import (
    Article,
    Channel,
    Comment,
    CommentGroup,
    Consultation,
    Decision,
    EditionStatus,
    EntryChange,
    Outcome,
    PublishMode,
    ReportEdition,
    ReportEntry,
    Response,
)
from .editions import local_day
from .groups import concentrated_threshold

CHANGE_LABELS = {
    EntryChange.added: _l("Added in this version"),
    EntryChange.changed: _l("Response changed in this version"),
}


def get_public_consultation(consultation_id: int) -> Consultation:
    """A consultation whose decision may be shown publicly (never a confidential one)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.decision.confidential:
        raise NotFound(_("No such consultation."))
    return consultation


@dataclass
class ReportFigures:
    """An edition's figures as frozen at its publication (see editions.compute_figures)."""

    comments: int = 0
    participants: int = 0
    private: int = 0
    rejected: int = 0
    unanswered: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[date, int]] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def adoption_rate(self) -> float | None:
        """Adopted plus partly adopted, over all answered comments."""
        answered = sum(self.by_outcome.values())
        if not answered:
            return None
        adopted = self.by_outcome.get("adopted", 0) + self.by_outcome.get("partly_adopted", 0)
        return adopted / answered


def figures(edition: ReportEdition) -> ReportFigures:
    raw = edition.figures or {}
    return ReportFigures(
        comments=raw.get("comments", 0),
        participants=raw.get("participants", 0),
        private=raw.get("private", 0),
        rejected=raw.get("rejected", 0),
        unanswered=raw.get("unanswered", 0),
        by_channel=raw.get("by_channel", {}),
        by_outcome=raw.get("by_outcome", {}),
        per_day=_fill_days({date.fromisoformat(d): n for d, n in raw.get("per_day", [])}),
        added=raw.get("added", 0),
        changed=raw.get("changed", 0),
        removed=raw.get("removed", []),
    )


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


@dataclass
class AnsweredGroup:
    """A group as the edition lists it: its title then, its size, its response."""

    id: int
    title: str
    summary: str
    response: Response


def answered_groups(edition: ReportEdition) -> list[tuple[AnsweredGroup, int]]:
    """Groups answered in this edition and how many of its opinions they answer."""
    frozen = (edition.figures or {}).get("groups", [])
    if not frozen:
        return []
    found = db.session.scalars(
        sa.select(Response)
        .where(Response.id.in_([g["response_id"] for g in frozen]))
        .options(selectinload(Response.organization))
    ).all()
    by_id = {r.id: r for r in found}
    return [
        (AnsweredGroup(g["id"], g["title"], g["summary"], by_id[g["response_id"]]), g["comments"])
        for g in frozen
        if g["response_id"] in by_id
    ]


def concentrated(groups: list[tuple[AnsweredGroup, int]]) -> list[tuple[AnsweredGroup, int]]:
    threshold = concentrated_threshold()
    return [(g, n) for g, n in groups if n >= threshold]


def edition_entries(edition: ReportEdition, args: dict[str, str]) -> sa.Select:
    """The edition's opinions in submission order; filters by channel, outcome and
    "changed in this version" join only when asked for."""
    query = (
        sa.select(ReportEntry)
        .where(ReportEntry.edition_id == edition.id)
        .options(
            # Loaded for the page's rows only.
            selectinload(ReportEntry.comment).selectinload(Comment.article),
            selectinload(ReportEntry.response).joinedload(Response.organization),
        )
        .order_by(ReportEntry.position)
    )
    if args.get("changed"):
        query = query.where(ReportEntry.change.is_not(None))
    if args.get("channel") in Channel.__members__:
        query = query.join(Comment, Comment.id == ReportEntry.comment_id).where(
            Comment.channel == Channel(args["channel"])
        )
    if args.get("outcome") in Outcome.__members__:
        query = query.join(Response, Response.id == ReportEntry.response_id).where(
            Response.outcome == Outcome(args["outcome"])
        )
    return query


def is_filtered(args: dict[str, str]) -> bool:
    return any(args.get(k) for k in ("channel", "outcome", "changed"))


@dataclass
class Page:
    """What the pager macro needs, for a page fetched by ``entry_page``."""

    items: list[ReportEntry]
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


def entry_page(edition: ReportEdition, page: int, per_page: int) -> Page:
    """One page of the unfiltered list: positions are 1..n, so page k is a primary-key
    range, as cheap on page 2,000 as on page 1, with no count query."""
    total = figures(edition).comments
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    query = edition_entries(edition, {}).where(
        ReportEntry.position > start, ReportEntry.position <= start + per_page
    )
    return Page(list(db.session.scalars(query)), page, per_page, total)


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
    "change",
    "version",
)
DATE_FIELDS = ("submitted_on", "responded_on")


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
        _("Change in this version"),
        _("Report version"),
    ]


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def export_rows(
    edition: ReportEdition,
    *,
    labels: bool = True,
    batch: int = 2000,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """One dict per opinion of the edition, in its order, streamed in batches.

    ``labels``: translated labels (CSV, XLSX) or codes (JSON). Dates are ``date``
    objects (real date cells in XLSX); a whole-draft opinion has ``article`` None and
    ``whole_draft`` True, and with labels its article reads "whole draft".
    """
    from .responses import OUTCOME_LABELS

    # Labels resolved once per export, not once per row (lazy strings translate on str()).
    channel_names = {c: (str(CHANNEL_LABELS[c]) if labels else c.value) for c in Channel}
    outcome_names: dict[Any, str] = {
        o: (str(OUTCOME_LABELS[o]) if labels else o.value) for o in Outcome
    }
    change_names: dict[Any, Any] = {
        c: (str(CHANGE_LABELS[c]) if labels else c.value) for c in EntryChange
    }
    change_names[None] = "" if labels else None
    whole_draft = _("whole draft") if labels else None
    locale_en = _is_english()
    query = (
        sa.select(
            Comment.receipt_no,
            Article.label,
            Comment.channel,
            CommentGroup.title,
            ReportEntry.text,
            Response.outcome,
            Response.reason,
            Organization.name,
            Organization.name_en,
            local_day(Comment.submitted_at),
            local_day(Response.published_at),
            ReportEntry.change,
        )
        .select_from(ReportEntry)
        .join(Comment, Comment.id == ReportEntry.comment_id)
        .outerjoin(Response, Response.id == ReportEntry.response_id)
        .outerjoin(Article, Article.id == Comment.article_id)
        .outerjoin(CommentGroup, CommentGroup.id == Response.group_id)
        .outerjoin(Organization, Organization.id == Response.organization_id)
        .where(ReportEntry.edition_id == edition.id)
        .order_by(ReportEntry.position)
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=batch)
    )
    for row in db.session.execute(query):
        (receipt, article, channel, group, text, outcome, reason) = row[:7]
        org, org_en, sub, resp, ch = row[7:]
        yield {
            "receipt": receipt,
            "article": article if article else whole_draft,
            "whole_draft": not article,
            "channel": channel_names[channel],
            "group": group or "",
            "published_text": text,
            "outcome": outcome_names[outcome] if outcome is not None else ("" if labels else None),
            "reason": reason or "",
            "agency": ((org_en or org) if locale_en else org) or "",
            "submitted_on": _as_date(sub),
            "responded_on": _as_date(resp),
            "change": change_names[ch],
            "version": edition.number,
        }


def _is_english() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "zh") == "en"


# ---- feeds and catalogues -----------------------------------------------------------


def recently_reported(limit: int = 50) -> list[tuple[Consultation, Any]]:
    """Public reports with the date of their latest version, most recently updated first
    (an addendum brings a report back to the top of the feed)."""
    latest = (
        sa.select(
            ReportEdition.consultation_id.label("cid"),
            sa.func.max(ReportEdition.published_at).label("updated"),
        )
        .where(ReportEdition.status == EditionStatus.published)
        .group_by(ReportEdition.consultation_id)
        .subquery()
    )
    return [
        (c, updated)
        for c, updated in db.session.execute(
            sa.select(Consultation, latest.c.updated)
            .join(latest, latest.c.cid == Consultation.id)
            .join(Decision, Consultation.decision_id == Decision.id)
            .where(~Decision.confidential)
            .options(selectinload(Consultation.decision).selectinload(Decision.organization))
            .order_by(latest.c.updated.desc(), Consultation.id.desc())
            .limit(limit)
        )
    ]

"""Comment groups: proposed by the similarity job, then confirmed, split, merged or formed
by hand by organizers of the lead agency, and answered once.

A group whose response is published is frozen: moving comments in or out would silently
change a published answer. Groups of at least CONCENTRATED_GROUP_SIZE comments are the
concentrated opinions (较为集中的意见) whose reasons the report publishes explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from participation import audit
from participation.db import after_commit, db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.models import User

from ..grouping import ProposedGroup
from ..models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Consultation,
    GroupingJob,
    PublishMode,
    Response,
    ResponseStatus,
)
from .responses import comments_of, require_lead_organizer

MAX_TITLE = 300


def stale_after() -> timedelta:
    """A queued or running job without a heartbeat for this long is lost: the worker
    running it died, or its queue message was lost with Redis."""
    return timedelta(seconds=int(current_app.config.get("GROUPING_STALE_SECONDS", 600)))


def concentrated_threshold() -> int:
    return int(current_app.config.get("CONCENTRATED_GROUP_SIZE", 5))


def get_group(group_id: int) -> CommentGroup:
    group = db.session.get(CommentGroup, group_id)
    if group is None:
        raise NotFound(_("No such group."))
    return group


def _require_open_for_changes(group: CommentGroup) -> None:
    if group.response is not None and group.response.status == ResponseStatus.published:
        raise Conflict(
            _("The response to this group is published; its members can no longer change.")
        )


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Please give the group a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(
            _("The title must have at most %(n)d characters.", n=MAX_TITLE), field="title"
        )
    return title


def member_counts(group_ids: Iterable[int]) -> dict[int, int]:
    ids = list(group_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.group_id, sa.func.count(Comment.id))
        .where(Comment.group_id.in_(ids), Comment.status == CommentStatus.accepted)
        .group_by(Comment.group_id)
    )
    return {gid: n for gid, n in rows}


# ---- the grouping job ---------------------------------------------------------------


def start_grouping(user: User, consultation: Consultation) -> GroupingJob:
    """Queue a grouping run; a double click gets the run already under way."""
    require_lead_organizer(user, consultation)
    recent = db.session.scalar(
        sa.select(GroupingJob)
        .where(
            GroupingJob.consultation_id == consultation.id,
            GroupingJob.status.in_(["queued", "running"]),
        )
        .order_by(GroupingJob.id.desc())
        .limit(1)
    )
    if recent is not None and (recent.heartbeat_at or utcnow()) > utcnow() - stale_after():
        return recent
    job = GroupingJob(
        consultation_id=consultation.id,
        created_by_id=user.id,
        status="queued",
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    audit.record(user, "grouping.start", "consultation", consultation.id, data={"job": job.id})
    job_id = job.id

    def enqueue() -> None:
        from ..tasks import run_grouping

        run_grouping.delay(job_id)

    after_commit(enqueue)
    return job


def fail_stale_jobs() -> int:
    """Mark failed every queued or running job whose heartbeat stopped; the organizer's
    page then says the run failed and offers to run it again. Returns how many."""
    lost = db.session.scalars(
        sa.update(GroupingJob)
        .where(
            GroupingJob.status.in_(["queued", "running"]),
            sa.or_(
                GroupingJob.heartbeat_at < utcnow() - stale_after(),
                GroupingJob.heartbeat_at.is_(None),  # queued before heartbeats existed
            ),
        )
        .values(status="failed", finished_at=utcnow(), result={"error": "worker_lost"})
        .returning(GroupingJob.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return len(lost)


def latest_job(consultation: Consultation) -> GroupingJob | None:
    return db.session.scalar(
        sa.select(GroupingJob)
        .where(GroupingJob.consultation_id == consultation.id)
        .order_by(GroupingJob.id.desc())
        .limit(1)
    )


def groupable_texts(consultation_id: int) -> list[tuple[int, str]]:
    """Accepted comments not yet in a confirmed group (or an answered one)."""
    settled = (
        sa.select(CommentGroup.id)
        .where(CommentGroup.consultation_id == consultation_id, CommentGroup.confirmed)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body)
        .where(
            Comment.consultation_id == consultation_id,
            Comment.status == CommentStatus.accepted,
            sa.or_(Comment.group_id.is_(None), Comment.group_id.not_in(settled)),
        )
        .order_by(Comment.id)
    )
    return [(cid, body) for cid, body in rows]


def clear_proposals(consultation_id: int) -> None:
    """Drop unconfirmed, unanswered proposals, so a re-run replaces them (idempotent)."""
    answered = sa.select(Response.id).where(Response.group_id == CommentGroup.id).exists()
    stale = db.session.scalars(
        sa.select(CommentGroup.id).where(
            CommentGroup.consultation_id == consultation_id,
            CommentGroup.confirmed.is_(False),
            ~answered,
        )
    ).all()
    if not stale:
        return
    for chunk in _chunks(stale, 500):
        db.session.execute(
            sa.update(Comment).where(Comment.group_id.in_(chunk)).values(group_id=None)
        )
        db.session.execute(sa.delete(CommentGroup).where(CommentGroup.id.in_(chunk)))


def save_proposals(job: GroupingJob, proposals: list[ProposedGroup]) -> int:
    """Store proposals as unconfirmed groups; titles never quote a private comment."""
    member_ids = [cid for p in proposals for cid in p.member_ids]
    texts: dict[int, tuple[str, PublishMode]] = {}
    for chunk in _chunks(member_ids, 2000):
        for cid, text, mode in db.session.execute(
            sa.select(Comment.id, Comment.published_body, Comment.publish_mode).where(
                Comment.id.in_(chunk)
            )
        ):
            texts[cid] = (text, mode)
    created = 0
    updates: list[dict[str, int]] = []
    for proposal in proposals:
        group = CommentGroup(
            consultation_id=job.consultation_id,
            title=_proposal_title(proposal, texts),
            similarity=round(proposal.similarity, 3),
            confirmed=False,
            job_id=job.id,
        )
        db.session.add(group)
        db.session.flush()
        updates += [{"id": cid, "group_id": group.id} for cid in proposal.member_ids]
        created += 1
    for chunk in _chunks(updates, 5000):
        db.session.execute(sa.update(Comment), chunk)
    return created


def _proposal_title(proposal: ProposedGroup, texts: dict[int, tuple[str, PublishMode]]) -> str:
    order = [proposal.representative_id] + proposal.member_ids
    for cid in order:
        text, mode = texts.get(cid, ("", PublishMode.private))
        if mode != PublishMode.private and text.strip():
            short = " ".join(text.split())
            return short[:60] + ("…" if len(short) > 60 else "")
    return _("Group of %(n)d similar comments", n=proposal.size)


def _chunks(items: list, size: int) -> Iterable[list]:  # type: ignore[type-arg]
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---- organizer actions --------------------------------------------------------------


def confirm(user: User, group: CommentGroup, title: str, summary: str = "") -> CommentGroup:
    require_lead_organizer(user, group.consultation)
    group.title = _clean_title(title)
    group.summary = (summary or "").strip()[:5000]
    was = group.confirmed
    group.confirmed = True
    audit.record(
        user,
        "group.confirm",
        "comment_group",
        group.id,
        data={"title": group.title, "already_confirmed": was},
    )
    return group


def dissolve(user: User, group: CommentGroup) -> None:
    """Reject a proposal or undo a group: its comments become ungrouped."""
    require_lead_organizer(user, group.consultation)
    _require_open_for_changes(group)
    if group.response is not None:
        raise Conflict(_("Please withdraw the group's draft response first."))
    members = [c.id for c in group.comments]
    db.session.execute(sa.update(Comment).where(Comment.group_id == group.id).values(group_id=None))
    audit.record(user, "group.dissolve", "comment_group", group.id, data={"members": members})
    db.session.delete(group)
    db.session.flush()


def remove_members(
    user: User, group: CommentGroup, comment_ids: Iterable[object], *, new_title: str = ""
) -> CommentGroup | None:
    """Split: the selected members leave; with a title they form a new confirmed group."""
    consultation = group.consultation
    require_lead_organizer(user, consultation)
    _require_open_for_changes(group)
    leaving = comments_of(consultation, comment_ids)
    if any(c.group_id != group.id for c in leaving):
        raise ServiceError(_("Some selected comments are not members of this group."))
    new_group = None
    if new_title.strip():
        new_group = CommentGroup(
            consultation_id=consultation.id,
            title=_clean_title(new_title),
            confirmed=True,
            created_by_id=user.id,
        )
        db.session.add(new_group)
        db.session.flush()
    for c in leaving:
        c.group_id = new_group.id if new_group else None
    db.session.flush()
    audit.record(
        user,
        "group.split",
        "comment_group",
        group.id,
        data={"removed": [c.id for c in leaving], "new_group": new_group.id if new_group else None},
    )
    return new_group


def merge(user: User, target: CommentGroup, source_ids: Iterable[object]) -> CommentGroup:
    consultation = target.consultation
    require_lead_organizer(user, consultation)
    _require_open_for_changes(target)
    try:
        ids = {int(str(i)) for i in source_ids} - {target.id}
    except ValueError as exc:
        raise ServiceError(_("The selection is not valid.")) from exc
    if not ids:
        raise ServiceError(_("Please choose at least one group to merge."), field="sources")
    sources = db.session.scalars(sa.select(CommentGroup).where(CommentGroup.id.in_(ids))).all()
    if len(sources) != len(ids) or any(s.consultation_id != consultation.id for s in sources):
        raise NotFound(_("Some selected groups do not belong to this consultation."))
    for source in sources:
        if source.response is not None:
            raise Conflict(
                _(
                    "The group “%(title)s” has a response; withdraw it before merging.",
                    title=source.title,
                )
            )
    db.session.execute(
        sa.update(Comment).where(Comment.group_id.in_(ids)).values(group_id=target.id)
    )
    for source in sources:
        db.session.delete(source)
    target.confirmed = True
    db.session.flush()
    db.session.expire(target, ["comments"])
    audit.record(user, "group.merge", "comment_group", target.id, data={"merged": sorted(ids)})
    return target


def assign(
    user: User,
    consultation: Consultation,
    comment_ids: Iterable[object],
    *,
    group_id: object = None,
    new_title: str = "",
) -> CommentGroup:
    """Bulk action: put the selected comments into an existing or a new group."""
    require_lead_organizer(user, consultation)
    comments = comments_of(consultation, comment_ids)
    if group_id not in (None, ""):
        try:
            group = get_group(int(str(group_id)))
        except ValueError as exc:
            raise ServiceError(_("Please choose a group."), field="group_id") from exc
        if group.consultation_id != consultation.id:
            raise NotFound(_("No such group."))
        _require_open_for_changes(group)
    elif new_title.strip():
        group = CommentGroup(
            consultation_id=consultation.id,
            title=_clean_title(new_title),
            confirmed=True,
            created_by_id=user.id,
        )
        db.session.add(group)
        db.session.flush()
    else:
        raise ServiceError(_("Choose a group or give a title for a new one."), field="group_id")
    for c in comments:
        if c.status != CommentStatus.accepted:
            raise ServiceError(
                _(
                    "Only accepted comments can be grouped (%(receipt)s is not).",
                    receipt=c.receipt_no,
                )
            )
        if c.group is not None and c.group_id != group.id:
            _require_open_for_changes(c.group)
        c.group_id = group.id
    db.session.flush()
    db.session.expire(group, ["comments"])
    audit.record(
        user, "group.assign", "comment_group", group.id, data={"comments": [c.id for c in comments]}
    )
    return group

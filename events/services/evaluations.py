"""Satisfaction evaluation (满意度评价) by attendees, published as aggregates only."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.db import db
from participation.errors import Conflict, NotFound, PermissionDenied, ServiceError
from participation.models import User
from participation.permissions import require_signed_in

from ..models import Application, Evaluation, Event

QUESTIONS = ("overall", "organisation", "heard")
# Below this many answers the averages could reveal individual answers.
MIN_PUBLISHED = 3


def submit(user: User | None, application_id: int, form: dict[str, str]) -> Evaluation:
    user = require_signed_in(user)
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("This application does not exist."))
    if application.user_id != user.id:
        raise PermissionDenied(_("This is not your application."))
    if application.checked_in_at is None:
        raise PermissionDenied(_("Only people who attended can evaluate the event."))
    if db.session.scalar(
        sa.select(Evaluation.id).where(Evaluation.application_id == application.id)
    ):
        raise Conflict(_("You have already evaluated this event. Thank you!"))
    scores = {}
    for name in QUESTIONS:
        raw = form.get(name, "")
        if raw not in {"1", "2", "3", "4", "5"}:
            raise ServiceError(_("Please choose a score from 1 to 5."), field=name)
        scores[name] = int(raw)
    remarks = (form.get("remarks") or "").strip()
    if len(remarks) > 2000:
        raise ServiceError(
            _("The remarks are too long (at most 2,000 characters)."), field="remarks"
        )
    evaluation = Evaluation(
        event_id=application.event_id, application_id=application.id, remarks=remarks, **scores
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


@dataclass(frozen=True)
class Summary:
    count: int
    averages: dict[str, float]
    distribution: dict[str, list[int]]  # question -> counts of scores 1..5

    @property
    def publishable(self) -> bool:
        return self.count >= MIN_PUBLISHED


def summary(event: Event) -> Summary:
    rows = db.session.execute(
        sa.select(Evaluation.overall, Evaluation.organisation, Evaluation.heard).where(
            Evaluation.event_id == event.id
        )
    ).all()
    distribution = {q: [0] * 5 for q in QUESTIONS}
    for row in rows:
        for q, score in zip(QUESTIONS, row, strict=True):
            distribution[q][score - 1] += 1
    averages = {
        q: round(sum(s * n for s, n in enumerate(d, start=1)) / len(rows), 2) if rows else 0.0
        for q, d in distribution.items()
    }
    return Summary(count=len(rows), averages=averages, distribution=distribution)

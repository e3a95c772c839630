"""Vote counts, always read from the database: the one authority across processes."""

from __future__ import annotations

import sqlalchemy as sa

from participation.db import db

from ..models import Question, QuestionStatus, QuestionVote


def vote_count(question_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(QuestionVote.id)).where(QuestionVote.question_id == question_id)
        )
        or 0
    )


def vote_counts(session_id: int, *, public_only: bool = False) -> dict[int, int]:
    stmt = (
        sa.select(QuestionVote.question_id, sa.func.count(QuestionVote.id))
        .join(Question, Question.id == QuestionVote.question_id)
        .where(Question.session_id == session_id)
        .group_by(QuestionVote.question_id)
    )
    if public_only:
        stmt = stmt.where(Question.status == QuestionStatus.approved)
    return {int(qid): int(n) for qid, n in db.session.execute(stmt)}


def voted_by(session_id: int, user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(QuestionVote.question_id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == session_id, QuestionVote.user_id == user_id)
        )
    )

"""Asking and voting in a live Q&A need a confirmed email address; watching does not."""

from __future__ import annotations

import sqlalchemy as sa

from events.live.models import Question, QuestionVote
from participation.db import db
from tests.events.live.factories import add_question, call


def test_unverified_viewer_watches_but_cannot_ask_or_vote(sio, live, make_user, resident):
    q = add_question(live, resident)
    user = make_user("new@example.org", verified=False)
    client = sio(user)
    assert call(client, "join", {"session_id": live.id})["ok"]
    asked = call(client, "ask", {"session_id": live.id, "body": "垃圾分类怎么监督？"})
    voted = call(client, "vote", {"question_id": q.id})
    for ack in (asked, voted):
        assert (
            ack["status"] == 403
            and "confirm your email" in ack["error"].lower()
            or (ack["status"] == 403 and "邮箱" in ack["error"])
        )
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(QuestionVote.id))) == 0

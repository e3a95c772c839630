"""The demo's past hearing tells a coherent story: each published answer on /events/<id>
answers the statement it sits under, not someone else's."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.models import Response, ResponseStatus
from events.demo import PAST_HEARING
from events.models import RecordEntry, SelectionDraw
from participation import demo
from participation.db import db

TOPICS = [topic for _category, _affiliation, topic, *_ in PAST_HEARING]


def _topics_in(text: str) -> list[str]:
    return [topic for topic in TOPICS if topic in text]


def test_each_topic_names_exactly_one_statement_and_its_answer():
    for _category, _affiliation, topic, statement, _outcome, answer in PAST_HEARING:
        assert _topics_in(statement) == [topic], statement
        assert _topics_in(answer) == [topic], answer


def test_every_answer_on_the_past_hearing_belongs_to_its_statement(app, client):
    assert demo.load()
    draw = db.session.scalar(sa.select(SelectionDraw).where(SelectionDraw.drawn_at.is_not(None)))
    entries = db.session.scalars(
        sa.select(RecordEntry).where(RecordEntry.event_id == draw.event_id)
    ).all()
    answered = 0
    for entry in entries:
        response = db.session.scalar(
            sa.select(Response).where(
                Response.comment_id == entry.comment_id,
                Response.status == ResponseStatus.published,
            )
        )
        if response is None:
            continue
        topics = _topics_in(entry.body)
        assert len(topics) == 1, f"statement of no known topic: {entry.body}"
        assert topics[0] in response.reason, (entry.body, response.reason)
        answered += 1
    assert answered >= 5
    # As a reader sees it: each record entry on the page carries its own answer.
    page = client.get(f"/events/{draw.event_id}").text
    articles = page.split('<article class="record-entry">')[1:]
    assert len(articles) == len(entries)
    for article in articles:
        if 'class="response"' in article:
            statement, answer = article.split('class="response"', 1)
            topics = _topics_in(statement)
            assert len(topics) == 1 and topics[0] in answer, article

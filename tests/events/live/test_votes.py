"""Votes at storm rate: decided in the store (memory, or Redis sets), acknowledged at once,
written to the database in batches by the flusher (events/live/services/votes.py)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from events.live.models import Question, QuestionStatus, QuestionVote
from events.live.services import votes
from events.live.services.flusher import flush_once
from events.live.services.store import MemoryStore, RedisStore
from participation.db import db
from participation.models import User
from tests.events.live.factories import add_question, call, received


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, app: Any) -> Iterator[Any]:
    """Each test runs on both stores (Redis only when TEST_REDIS_URL is set)."""
    if request.param == "memory":
        s: Any = MemoryStore()
    else:
        s = RedisStore(request.getfixturevalue("redis_url"), f"test-votes-{uuid.uuid4().hex}")
    app.extensions.setdefault("live", {})["store"] = s
    yield s
    if request.param == "redis":
        keys = list(s.redis.scan_iter(f"{s.prefix}:*"))
        if keys:
            s.redis.delete(*keys)


def _db_voters(question: Question) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            sa.select(QuestionVote.user_id).where(QuestionVote.question_id == question.id)
        )
    )


def test_duplicate_vote_refused_even_when_sent_concurrently(app, store, live, resident, resident2):
    q = add_question(live, resident2)
    uid, qid = resident.id, q.id
    start = threading.Barrier(12)
    acks: list[int] = []

    def click() -> None:
        with app.app_context():
            user = db.session.get(User, uid)
            start.wait()
            acks.append(votes.cast(user, qid, True))
            db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acks == [1] * 12  # every click sees one vote: its own
    assert votes.persist() == 1  # one change queued, not twelve
    assert _db_voters(q) == {uid}


def test_unvote_and_revote(sio, store, live, resident, resident2):
    q = add_question(live, resident2)
    c = sio(resident)
    assert call(c, "vote", {"question_id": q.id})["votes"] == 1
    votes.persist()
    assert _db_voters(q) == {resident.id}
    ack = call(c, "vote", {"question_id": q.id, "on": False})
    assert ack == {"ok": True, "question_id": q.id, "votes": 0, "voted": False}
    assert call(c, "vote", {"question_id": q.id, "on": False})["votes"] == 0  # idempotent
    assert call(c, "join", {"session_id": live.id})["snapshot"]["mine"]["voted"] == []
    votes.persist()
    assert _db_voters(q) == set()
    # on, off, on before a flush: the last word counts
    for on in (True, False, True):
        call(c, "vote", {"question_id": q.id, "on": on})
    votes.persist()
    assert _db_voters(q) == {resident.id}


def test_merge_after_votes_counts_each_person_once(
    sio, store, live, resident, resident2, moderator, make_user
):
    target = add_question(live, resident, "公交线路能否延长？")
    dup = add_question(live, resident2, "公交线路可以延长吗？")
    a, b, c, d = (make_user() for _ in range(4))
    clients = {u.id: sio(u) for u in (a, b, c, d)}
    for u, q in ((a, target), (b, target), (b, dup), (c, dup)):
        assert call(clients[u.id], "vote", {"question_id": q.id})["ok"]
    mod, viewer = sio(moderator), sio()
    call(mod, "join", {"session_id": live.id, "moderator": True})
    call(viewer, "join", {"session_id": live.id})
    viewer.get_received("/live")
    # The votes are still queued: the merge writes them first.
    ack = call(
        mod, "moderate", {"action": "merge", "question_id": dup.id, "rev": 1, "into": target.id}
    )
    assert ack["ok"]
    assert _db_voters(target) == {a.id, b.id, c.id, resident2.id}
    assert _db_voters(dup) == set()
    assert received(viewer, "delta")[0]["questions"][0]["votes"] == 4
    # The store agrees: c already counts for the target, d is new.
    assert call(clients[c.id], "vote", {"question_id": target.id})["votes"] == 4
    assert call(clients[d.id], "vote", {"question_id": target.id})["votes"] == 5
    assert call(clients[d.id], "vote", {"question_id": dup.id})["status"] == 404
    votes.persist()
    assert len(_db_voters(target)) == 5


def test_acknowledged_votes_reach_the_database_at_the_flush(
    sio, store, app, live, resident, make_user
):
    q = add_question(live, resident)
    voters = [make_user() for _ in range(5)]
    for u in voters:
        assert call(sio(u), "vote", {"question_id": q.id})["ok"]
    assert _db_voters(q) == set()  # acknowledged, not yet written: one transaction later
    flush_once(app)
    assert _db_voters(q) == {u.id for u in voters}
    # A restarted process (empty memory, or cold Redis sets) starts from the database.
    app.extensions["live"]["store"] = MemoryStore()
    votes.forget(live.id)
    assert call(sio(voters[0]), "vote", {"question_id": q.id})["votes"] == 5
    assert call(sio(make_user()), "vote", {"question_id": q.id})["votes"] == 6


def test_counts_are_right_after_a_burst_of_votes_and_unvotes(
    sio, store, app, live, resident, make_user
):
    qs = [add_question(live, resident, f"第{i}个问题的内容") for i in range(3)]
    viewer = sio()
    call(viewer, "join", {"session_id": live.id})
    people = [make_user() for _ in range(6)]
    clients = [sio(u) for u in people]
    expected = {q.id: set() for q in qs}
    for i, c in enumerate(clients):
        for j, q in enumerate(qs):
            if (i + j) % 2 == 0:
                call(c, "vote", {"question_id": q.id})
                call(c, "vote", {"question_id": q.id})  # a double click
                expected[q.id].add(people[i].id)
            if (i + j) % 3 == 0:
                ack = call(c, "vote", {"question_id": q.id, "on": False})
                expected[q.id].discard(people[i].id)
                assert ack["votes"] == len(expected[q.id])
    viewer.get_received("/live")
    assert flush_once(app) == 1
    counts = received(viewer, "counts")[0]["votes"]
    assert counts == {str(k): len(v) for k, v in expected.items() if v}
    for q in qs:
        assert _db_voters(q) == expected[q.id]


def test_question_rejected_meanwhile_takes_no_more_votes(sio, store, live, resident, moderator):
    q = add_question(live, resident)
    mod, c = sio(moderator), sio(resident)
    assert call(c, "vote", {"question_id": q.id})["ok"]
    call(mod, "moderate", {"action": "reject", "question_id": q.id, "rev": 1, "reason": "x"})
    assert call(c, "vote", {"question_id": q.id, "on": False})["status"] == 404
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == QuestionStatus.rejected


def test_question_approved_on_another_process_takes_votes_at_once(
    sio, store, live, resident, resident2
):
    shown = add_question(live, resident2)
    fresh = add_question(live, resident2, "另一个问题的内容", status=QuestionStatus.pending)
    c = sio(resident)
    assert call(c, "vote", {"question_id": shown.id})["ok"]  # this process caches the checks
    assert call(c, "vote", {"question_id": fresh.id})["status"] == 404
    fresh.status = QuestionStatus.approved  # as another process would, without telling us
    db.session.commit()
    assert call(c, "vote", {"question_id": fresh.id})["votes"] == 1

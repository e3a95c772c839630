"""The /live namespace end to end through Flask-SocketIO's test client: identities,
permissions, versioned deltas, snapshots and validation."""

from __future__ import annotations

import sqlalchemy as sa

from events.live.models import Question, QuestionStatus
from participation.db import db
from participation.models import AuditEntry
from tests.events.live.factories import add_question, call, received


def test_anonymous_viewer_gets_snapshot_but_cannot_ask_or_vote(sio, live, resident):
    q = add_question(live, resident, "公交什么时候加密？")
    viewer = sio()
    ack = call(viewer, "join", {"session_id": live.id})
    assert ack["ok"]
    snap = ack["snapshot"]
    assert snap["v"] == 0
    assert [x["id"] for x in snap["questions"]] == [q.id]
    assert snap["me"] == {"signed_in": False, "banned": False, "moderator": False}
    assert call(viewer, "ask", {"session_id": live.id, "body": "我也想问一个问题"})["status"] == 403
    assert call(viewer, "vote", {"question_id": q.id})["status"] == 403
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 1


def test_question_flow_pending_then_approved_reaches_other_viewers(sio, live, resident, moderator):
    asker, other, mod = sio(resident), sio(), sio(moderator)
    for c in (asker, other):
        assert call(c, "join", {"session_id": live.id})["ok"]
    assert call(mod, "join", {"session_id": live.id, "moderator": True})["ok"]
    for c in (asker, other, mod):
        c.get_received("/live")

    ack = call(asker, "ask", {"session_id": live.id, "body": "  扬尘投诉  怎么处理？ "})
    assert ack["ok"] and ack["question"]["status"] == "pending"
    assert received(other, "delta") == []  # pre-moderation: nothing public yet
    mod_deltas = received(mod, "mod_delta")
    assert len(mod_deltas) == 1
    pending = mod_deltas[0]["questions"][0]
    assert pending["status"] == "pending" and pending["text"] == "扬尘投诉 怎么处理？"
    mine = received(asker, "mine")
    assert mine[0]["question"]["status"] == "pending"

    assert call(mod, "moderate", {"action": "approve", "question_id": pending["id"], "rev": 1})[
        "ok"
    ]
    delta = received(other, "delta")
    assert len(delta) == 1
    assert delta[0]["v"] == 1  # the first public change of this session
    assert delta[0]["questions"][0]["body"] == "扬尘投诉 怎么处理？"
    assert "status" not in delta[0]["questions"][0]  # public shape, no moderation data
    assert received(asker, "mine")[0]["question"]["status"] == "approved"
    audit = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "live.approve" in audit


def test_rejected_question_never_reaches_viewers_and_asker_hears_reason(
    sio, live, resident, moderator
):
    asker, other, mod = sio(resident), sio(), sio(moderator)
    call(asker, "join", {"session_id": live.id})
    call(other, "join", {"session_id": live.id})
    call(mod, "join", {"session_id": live.id, "moderator": True})
    qid = call(asker, "ask", {"session_id": live.id, "body": "一个不合适的问题内容"})["question"][
        "id"
    ]
    other.get_received("/live")
    asker.get_received("/live")
    ack = call(
        mod, "moderate", {"action": "reject", "question_id": qid, "rev": 1, "reason": "离题"}
    )
    assert ack["ok"]
    assert received(other, "delta") == []
    assert received(asker, "mine")[0]["question"]["reason"] == "离题"
    snap = call(other, "snapshot", {"session_id": live.id})["snapshot"]
    assert snap["questions"] == []
    assert snap["v"] == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "live.reject"))
    assert entry.reason == "离题"


def test_second_moderator_on_same_question_gets_conflict(
    sio, live, resident, moderator, moderator2
):
    q = add_question(live, resident, status=QuestionStatus.pending)
    a, b = sio(moderator), sio(moderator2)
    call(a, "join", {"session_id": live.id, "moderator": True})
    call(b, "join", {"session_id": live.id, "moderator": True})
    b.get_received("/live")
    assert call(a, "moderate", {"action": "approve", "question_id": q.id, "rev": 1})["ok"]
    # b saw the same revision and acts on it a moment later: a clear conflict.
    seen = received(b, "mod_delta")[0]["questions"][0]
    assert seen["status"] == "approved" and seen["rev"] == 2
    ack = call(b, "moderate", {"action": "reject", "question_id": q.id, "rev": 1, "reason": "x"})
    assert ack["ok"] is False and ack["status"] == 409 and ack["field"] is None
    assert ack["error"]  # a message for the moderator, in their language
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == QuestionStatus.approved


def test_only_session_moderators_may_moderate_checked_on_every_event(
    sio, live, resident, resident2
):
    q = add_question(live, resident2, status=QuestionStatus.pending)
    c = sio(resident)
    assert call(c, "join", {"session_id": live.id, "moderator": True})["status"] == 403
    assert call(c, "join", {"session_id": live.id})["ok"]
    # Joining as a viewer gives no power either.
    ack = call(c, "moderate", {"action": "approve", "question_id": q.id, "rev": 1})
    assert ack["status"] == 403
    assert call(c, "control", {"action": "end", "session_id": live.id})["status"] == 403
    assert call(c, "snapshot", {"session_id": live.id, "moderator": True})["status"] == 403


def test_organizer_of_event_agency_moderates_without_being_named(sio, live, organizer):
    c = sio(organizer)
    ack = call(c, "join", {"session_id": live.id, "moderator": True})
    assert ack["ok"] and ack["mod_snapshot"]["mv"] == 0


def test_votes_are_unique_and_can_be_withdrawn(sio, live, resident, resident2):
    q = add_question(live, resident2)
    c = sio(resident)
    call(c, "join", {"session_id": live.id})
    assert call(c, "vote", {"question_id": q.id})["votes"] == 1
    assert call(c, "vote", {"question_id": q.id, "on": True})["votes"] == 1  # no double vote
    assert call(c, "join", {"session_id": live.id})["snapshot"]["mine"]["voted"] == [q.id]
    ack = call(c, "vote", {"question_id": q.id, "on": False})
    assert ack["votes"] == 0 and ack["voted"] is False


def test_cannot_vote_for_a_pending_question(sio, live, resident, resident2):
    q = add_question(live, resident2, status=QuestionStatus.pending)
    c = sio(resident)
    assert call(c, "vote", {"question_id": q.id})["status"] == 404


def test_bad_payloads_get_clear_errors(sio, live, resident):
    c = sio(resident)
    assert call(c, "join", "hello")["status"] == 400
    assert call(c, "join", {"session_id": "1"})["field"] == "session_id"
    assert call(c, "join", {"session_id": 99999})["status"] == 404
    ack = call(c, "ask", {"session_id": live.id, "body": "短"})
    assert ack["status"] == 400 and ack["field"] == "body"
    ack = call(c, "ask", {"session_id": live.id, "body": "好" * 301})
    assert ack["field"] == "body"
    assert call(c, "ask", {"session_id": live.id, "body": ["x"]})["field"] == "body"
    assert call(c, "moderate", {"action": "explode"})["field"] == "action"
    assert call(c, "vote", {"question_id": 5, "on": "yes"})["field"] == "on"
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0


def test_personal_data_masked_and_sensitive_words_flagged(sio, live, resident, moderator):
    live.premoderation = False
    db.session.commit()
    c, mod = sio(resident), sio(moderator)
    call(mod, "join", {"session_id": live.id, "moderator": True})
    ack = call(c, "ask", {"session_id": live.id, "body": "请联系我13812345678处理噪音问题"})
    assert ack["question"]["status"] == "approved"  # post-moderation for clean text
    snap = call(c, "snapshot", {"session_id": live.id})["snapshot"]
    assert snap["questions"][0]["body"] == "请联系我138****5678处理噪音问题"
    q = db.session.scalar(sa.select(Question))
    assert q.original_body.endswith("13812345678处理噪音问题")


def test_per_user_question_rate_limit(sio, live, resident):
    c = sio(resident)
    for i in range(3):
        assert call(c, "ask", {"session_id": live.id, "body": f"第{i}个问题，请回答"})["ok"]
    ack = call(c, "ask", {"session_id": live.id, "body": "第四个问题，请回答"})
    assert ack["status"] == 400 and ack["field"] == "body" and ack["error"]


def test_flood_from_one_connection_is_throttled(sio, live, app):
    app.config.update(LIVE_EVENT_BURST=5.0, LIVE_EVENTS_PER_SECOND=0.01)
    c = sio()
    statuses = [call(c, "snapshot", {"session_id": live.id}).get("status") for _ in range(8)]
    assert statuses[:5] == [None] * 5
    assert statuses[5:] == [429, 429, 429]


def test_anonymous_display_name(sio, live, resident, moderator):
    live.premoderation = False
    db.session.commit()
    c = sio(resident)
    call(c, "ask", {"session_id": live.id, "body": "匿名提问可以吗？", "anonymous": True})
    call(c, "ask", {"session_id": live.id, "body": "用昵称提问可以吗？", "name": "小区居民"})
    snap = call(c, "snapshot", {"session_id": live.id})["snapshot"]
    assert sorted((q["author"] or "") for q in snap["questions"]) == ["", "小区居民"]

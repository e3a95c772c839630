"""Moderation services through the socket: merge, screen, answer, assign, bans, Q&A
state, ending (and filing questions as comments), coalesced counts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from consultations.models import Comment
from events.live.models import AnswerMode, LiveSession, Question, QuestionStatus, QuestionVote
from events.live.services.flusher import flush_once
from participation.db import db, utcnow
from participation.models import AuditEntry
from participation.workdays import add_workdays
from tests.events.live.factories import add_question, call, make_consultation, received


def _vote(question, *users):
    for u in users:
        db.session.add(QuestionVote(question_id=question.id, user_id=u.id))
    db.session.commit()


def test_merge_combines_votes_without_double_counting(
    sio, live, resident, resident2, moderator, make_user
):
    target = add_question(live, resident, "公交线路能否延长？")
    dup = add_question(live, resident2, "公交线路可以延长吗？")
    a, b, c = (make_user() for _ in range(3))
    _vote(target, a, b)
    _vote(dup, b, c)  # b voted for both and must count once
    mod, viewer = sio(moderator), sio()
    call(mod, "join", {"session_id": live.id, "moderator": True})
    call(viewer, "join", {"session_id": live.id})
    viewer.get_received("/live")
    ack = call(
        mod, "moderate", {"action": "merge", "question_id": dup.id, "rev": 1, "into": target.id}
    )
    assert ack["ok"]
    voters = set(
        db.session.scalars(
            sa.select(QuestionVote.user_id).where(QuestionVote.question_id == target.id)
        )
    )
    assert voters == {a.id, b.id, c.id, resident2.id}  # the duplicate's asker supports it too
    delta = received(viewer, "delta")[0]
    assert delta["removed"] == [dup.id]
    assert delta["questions"][0]["id"] == target.id and delta["questions"][0]["votes"] == 4
    db.session.expire_all()
    assert db.session.get(Question, dup.id).status == QuestionStatus.merged


def test_edit_keeps_the_original(sio, live, resident, moderator):
    q = add_question(live, resident, "公交站台的遮阳棚什么时候修？？")
    mod = sio(moderator)
    ack = call(
        mod,
        "moderate",
        {"action": "edit", "question_id": q.id, "rev": 1, "body": "公交站台的遮阳棚什么时候修？"},
    )
    assert ack["ok"]
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert q.body == "公交站台的遮阳棚什么时候修？"
    assert q.original_body == "公交站台的遮阳棚什么时候修？？"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "live.edit"))
    assert entry.data["before"] == "公交站台的遮阳棚什么时候修？？"


def test_screen_and_answer_reach_viewers_with_offset(sio, live, resident, moderator):
    q = add_question(live, resident)
    mod, viewer = sio(moderator), sio()
    call(viewer, "join", {"session_id": live.id})
    viewer.get_received("/live")
    assert call(mod, "moderate", {"action": "screen", "question_id": q.id, "session_id": live.id})[
        "ok"
    ]
    d1 = received(viewer, "delta")[0]
    assert d1["session"]["on_screen_id"] == q.id
    assert d1["questions"][0]["offset"] >= 600  # went live ten minutes ago
    ack = call(
        mod,
        "moderate",
        {
            "action": "answer",
            "question_id": q.id,
            "rev": 2,
            "answer": "下月公布。",
            "official": "刘处长",
        },
    )
    assert ack["ok"], ack
    d2 = received(viewer, "delta")[0]
    assert d2["v"] == d1["v"] + 1
    assert d2["questions"][0]["answer"] == "下月公布。"
    assert d2["questions"][0]["answered_by"] == "刘处长"
    again = call(
        mod,
        "moderate",
        {"action": "answer", "question_id": q.id, "rev": 3, "answer": "再答", "official": "x"},
    )
    assert again["status"] == 409


def test_assign_defaults_to_five_working_days(sio, live, resident, moderator, agency):
    q = add_question(live, resident)
    mod = sio(moderator)
    ack = call(
        mod,
        "moderate",
        {"action": "assign", "question_id": q.id, "rev": 1, "department_id": agency.id},
    )
    assert ack["ok"], ack
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert q.answer_mode == AnswerMode.written
    assert q.due_on == add_workdays(utcnow().date(), 5)
    bad = call(
        mod,
        "moderate",
        {
            "action": "assign",
            "question_id": q.id,
            "rev": 2,
            "department_id": agency.id,
            "due_on": "2001-01-01",
        },
    )
    assert bad["field"] == "due_on"
    assert (
        call(
            mod,
            "moderate",
            {
                "action": "assign",
                "question_id": q.id,
                "rev": 2,
                "department_id": agency.id,
                "due_on": "soon",
            },
        )["field"]
        == "due_on"
    )
    assert isinstance(q.due_on, date)


def test_banned_participant_watches_but_cannot_ask_or_vote(
    sio, live, resident, resident2, moderator
):
    q = add_question(live, resident2)
    mod, c = sio(moderator), sio(resident)
    assert call(
        mod,
        "control",
        {"action": "ban", "session_id": live.id, "user_id": resident.id, "reason": "刷屏"},
    )["ok"]
    ack = call(c, "join", {"session_id": live.id})
    assert ack["ok"] and ack["snapshot"]["me"]["banned"] is True
    assert call(c, "ask", {"session_id": live.id, "body": "被禁后还能提问吗"})["status"] == 403
    assert call(c, "vote", {"question_id": q.id})["status"] == 403
    assert call(mod, "control", {"action": "unban", "session_id": live.id, "user_id": resident.id})[
        "ok"
    ]
    assert call(c, "vote", {"question_id": q.id})["ok"]


def test_paused_and_closed_qa_refuse_questions(sio, live, resident, moderator):
    mod, c = sio(moderator), sio(resident)
    call(mod, "control", {"action": "qa", "session_id": live.id, "state": "paused"})
    assert call(c, "ask", {"session_id": live.id, "body": "暂停时可以提问吗"})["status"] == 400
    call(mod, "control", {"action": "qa", "session_id": live.id, "state": "closed"})
    assert call(c, "ask", {"session_id": live.id, "body": "关闭时可以提问吗"})["status"] == 410
    assert (
        call(mod, "control", {"action": "qa", "session_id": live.id, "state": "nap"})["field"]
        == "state"
    )


def test_end_files_approved_questions_as_live_qa_comments(
    sio, app, agency, organizer, event, resident, resident2, moderator
):
    consultation = make_consultation(agency, organizer)
    event.decision_id = consultation.decision_id
    db.session.commit()
    live = LiveSession(event_id=event.id, title="问政", scheduled_at=utcnow())
    db.session.add(live)
    db.session.commit()
    mod = sio(moderator)
    call(mod, "control", {"action": "go_live", "session_id": live.id})
    kept = add_question(live, resident, "条例何时实施？")
    add_question(live, resident2, "不合适的问题", status=QuestionStatus.rejected)
    assert call(mod, "control", {"action": "end", "session_id": live.id})["ok"]
    comments = db.session.scalars(sa.select(Comment)).all()
    assert [(c.source_ref, c.channel.value) for c in comments] == [
        (f"live:{live.id}/q:{kept.id}", "live_qa")
    ]
    assert call(mod, "control", {"action": "go_live", "session_id": live.id})["status"] == 409


def test_counts_are_coalesced_into_one_broadcast_per_flush(sio, live, resident, make_user, app):
    q = add_question(live, resident)
    viewer = sio()
    call(viewer, "join", {"session_id": live.id})
    voters = [sio(make_user()) for _ in range(5)]
    for v in voters:
        call(v, "join", {"session_id": live.id})
        call(v, "vote", {"question_id": q.id})
    viewer.get_received("/live")
    assert flush_once(app) == 1
    counts = received(viewer, "counts")
    assert len(counts) == 1  # five votes and five joins, one broadcast
    assert counts[0]["votes"] == {str(q.id): 5}
    assert counts[0]["viewers"] == 6
    assert flush_once(app) == 0  # nothing new, nothing sent


def test_version_gap_client_can_resync_by_snapshot(sio, live, resident, moderator):
    viewer, mod = sio(), sio(moderator)
    v0 = call(viewer, "join", {"session_id": live.id})["snapshot"]["v"]
    viewer.disconnect("/live")  # misses what happens next
    for body in ("第一个问题内容", "第二个问题内容"):
        q = add_question(live, resident, body, status=QuestionStatus.pending)
        call(mod, "moderate", {"action": "approve", "question_id": q.id, "rev": 1})
    again = sio()
    snap = call(again, "join", {"session_id": live.id})["snapshot"]
    assert snap["v"] == v0 + 2
    assert [q["body"] for q in snap["questions"]] == ["第一个问题内容", "第二个问题内容"]


def test_replay_link_set_after_the_session_reaches_viewers(sio, live, moderator):
    viewer, mod = sio(), sio(moderator)
    call(viewer, "join", {"session_id": live.id})
    viewer.get_received("/live")
    bad = call(mod, "control", {"action": "links", "session_id": live.id, "replay_url": "ftp://x"})
    assert bad["field"] == "replay_url"
    ack = call(
        mod,
        "control",
        {"action": "links", "session_id": live.id, "replay_url": "https://v.example.gov.cn/r.mp4"},
    )
    assert ack["ok"]
    assert received(viewer, "delta")[0]["session"]["replay_url"] == "https://v.example.gov.cn/r.mp4"

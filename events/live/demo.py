"""Demo live sessions: an open day on air now (join and moderate it) and a past one
with its public record. Runs after the events loader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from consultations.models import Consultation
from events.models import Event, EventKind, EventModerator, EventStatus
from participation.db import db, utcnow
from participation.screening import screen
from participation.workdays import add_workdays

from .models import (
    AnswerMode,
    LiveSession,
    QaState,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionState,
    StreamKind,
)

# A public sample stream: there is no network in the demo, so the player shows its
# "cannot be played" note and everything else keeps working.
SAMPLE_HLS = "https://test-streams.mux.dev/x36xhzz/x36xhzz.m3u8"
SAMPLE_REPLAY = "https://test-streams.mux.dev/x36xhzz/x36xhzz.m3u8"


def _event(title: str, org: Any, starts: Any, decision_id: int | None, creator: Any) -> Event:
    event = db.session.scalar(
        sa.select(Event).where(Event.kind == EventKind.open_day, Event.title == title)
    )
    if event is not None:
        return event
    event = Event(
        kind=EventKind.open_day,
        title=title,
        description="政府开放日：现场参观与网络直播问政，公众可在线提问。",
        organization_id=org.id,
        decision_id=decision_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="济南市历下区省府前街1号",
        signup_opens_at=starts - timedelta(days=20),
        signup_closes_at=starts - timedelta(days=3),
        status=EventStatus.published,
        published_at=starts - timedelta(days=21),
        created_by_id=creator.id,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _question(session: LiveSession, author: Any, text: str, **kw: Any) -> Question:
    result = screen(text)
    q = Question(
        session_id=session.id,
        author_id=author.id,
        author_label=kw.pop("label", author.display_name),
        original_body=text,
        body=text,
        published_body=result.masked,
        flagged_words=list(result.flagged_words),
        status=kw.pop("status", QuestionStatus.approved),
        **kw,
    )
    db.session.add(q)
    db.session.flush()
    return q


def _votes(q: Question, voters: list[Any]) -> None:
    for user in voters:
        db.session.add(QuestionVote(question_id=q.id, user_id=user.id))


def load(orgs: dict[str, Any], users: dict[str, Any]) -> None:
    now = utcnow()
    residents = users["residents"]
    organizer, moderator = users["organizer"], users["moderator"]
    consultation = db.session.scalar(
        sa.select(Consultation)
        .join(Consultation.decision)
        .where(Consultation.closes_at > now)
        .order_by(Consultation.id)
        .limit(1)
    )
    decision_id = consultation.decision_id if consultation else None
    org = consultation.decision.organization if consultation else orgs["environment"]

    # ---- on air now -------------------------------------------------------------------
    event = _event(
        "2026年生态环境厅政府开放日", org, now - timedelta(minutes=30), decision_id, organizer
    )
    db.session.add(EventModerator(event_id=event.id, user_id=moderator.id))
    live = LiveSession(
        event_id=event.id,
        title="开放日直播问政：大气污染防治与公众参与",
        description="厅领导与业务处室负责人在线回答网友提问。",
        stream_kind=StreamKind.hls,
        stream_url=SAMPLE_HLS,
        state=SessionState.live,
        qa_state=QaState.open,
        scheduled_at=now - timedelta(minutes=30),
        went_live_at=now - timedelta(minutes=25),
        created_by_id=organizer.id,
    )
    db.session.add(live)
    db.session.flush()
    t = now - timedelta(minutes=20)
    answered = _question(
        live,
        residents[0],
        "冬季供暖季的重污染天气预警，会提前多久向社会发布？",
        created_at=t,
        on_screen_at=t + timedelta(minutes=2),
        answer_mode=AnswerMode.live,
        answered_at=t + timedelta(minutes=5),
        answered_by="大气环境处 刘处长",
        answer="一般提前24至48小时通过官方网站、政务新媒体和短信平台同步发布预警信息。",
    )
    on_screen = _question(
        live,
        residents[1],
        "工地扬尘的投诉渠道有哪些？处理结果能否在网上公开查询？",
        created_at=t + timedelta(minutes=4),
        on_screen_at=now - timedelta(minutes=3),
    )
    q3 = _question(
        live,
        residents[2],
        "条例草案里对餐饮油烟的管理要求，小区底商如何落实？",
        created_at=t + timedelta(minutes=7),
    )
    _question(
        live,
        residents[3],
        "能否在每个街道增设空气质量监测点，数据实时公开？",
        created_at=t + timedelta(minutes=9),
        label="",
    )
    _votes(answered, residents[4:9])
    _votes(on_screen, residents[2:14])
    _votes(q3, residents[5:8])
    _question(
        live,
        residents[4],
        "我家楼下烧烤店每晚冒烟，电话13812345678请联系我处理。",
        status=QuestionStatus.pending,
        created_at=now - timedelta(minutes=2),
    )
    _question(
        live,
        residents[5],
        "新能源车充电桩建设会不会纳入小区改造计划？",
        status=QuestionStatus.pending,
        created_at=now - timedelta(minutes=1),
    )
    live.on_screen_question_id = on_screen.id

    # ---- announced: the events loader's upcoming open days get a scheduled session ------
    upcoming = db.session.scalars(
        sa.select(Event).where(
            Event.kind == EventKind.open_day,
            Event.status == EventStatus.published,
            Event.starts_at > now,
        )
    ).all()
    for other in upcoming:
        db.session.add(
            LiveSession(
                event_id=other.id,
                title=f"{other.title}：网络直播",
                stream_kind=StreamKind.hls,
                stream_url=SAMPLE_HLS,
                scheduled_at=other.starts_at,
                created_by_id=other.created_by_id,
            )
        )

    # ---- a past session with its record -------------------------------------------------
    past_start = now - timedelta(days=14)
    past_event = _event(
        "2026年春季交通运输厅网络问政",
        orgs["transport"],
        past_start,
        None,
        users["organizer_transport"],
    )
    db.session.add(EventModerator(event_id=past_event.id, user_id=moderator.id))
    past = LiveSession(
        event_id=past_event.id,
        title="网络问政：城乡公交一体化",
        stream_kind=StreamKind.hls,
        stream_url=SAMPLE_HLS,
        replay_url=SAMPLE_REPLAY,
        state=SessionState.ended,
        qa_state=QaState.closed,
        scheduled_at=past_start,
        went_live_at=past_start,
        ended_at=past_start + timedelta(minutes=90),
    )
    db.session.add(past)
    db.session.flush()
    p1 = _question(
        past,
        residents[6],
        "农村公交班次太少，早晚高峰能否加密？",
        created_at=past_start + timedelta(minutes=5),
        on_screen_at=past_start + timedelta(minutes=12),
        answer_mode=AnswerMode.live,
        answered_at=past_start + timedelta(minutes=15),
        answered_by="运输服务处 王处长",
        answer="今年将在20个县试点早晚高峰加密班次，并根据客流动态调整。",
    )
    _votes(p1, residents[:10])
    _question(
        past,
        residents[7],
        "公交卡能否与地铁、城际公交互联互通？",
        created_at=past_start + timedelta(minutes=20),
        on_screen_at=past_start + timedelta(minutes=31),
        answer_mode=AnswerMode.written,
        department_id=orgs["transport"].id,
        assigned_at=past_start + timedelta(minutes=32),
        due_on=add_workdays(past_start.date(), 5),
        answered_at=past_start + timedelta(days=3),
        written_notified_at=past_start + timedelta(days=3),
        answered_by="山东省交通运输厅 科技信息处",
        answer="全省交通一卡通已实现与16市公交互通，地铁互通将于年内完成。",
    )
    _question(
        past,
        residents[8],
        "偏远村庄的候车亭什么时候能建好？",
        created_at=past_start + timedelta(minutes=40),
        on_screen_at=past_start + timedelta(minutes=52),
        answer_mode=AnswerMode.written,
        department_id=orgs["transport"].id,
        assigned_at=past_start + timedelta(minutes=53),
        due_on=add_workdays(now.date(), 3),
    )
    db.session.flush()

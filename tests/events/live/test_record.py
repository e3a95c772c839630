"""The public record (HTML, JSON, CSV) and written follow-up answers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from events.live.models import AnswerMode, LiveSession, Question, QuestionStatus
from participation.db import db, utcnow
from participation.models import OutboxMail
from tests.events.live.factories import add_question, call, received
from tests.helpers import PASSWORD, csrf_token_from


@pytest.fixture
def app_config():
    return {"LIVE_BACKGROUND_FLUSH": False, "WTF_CSRF_ENABLED": True}


def _signed_in(app, user):
    # Flask-WTF caches the token in g, which lives on the test's outer app context and
    # would hand one client's token to the next: forget it.
    g.pop("csrf_token", None)
    client = app.test_client()
    token = csrf_token_from(client, "/account/login")
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    return client


@pytest.fixture
def assigned(live, resident, agency):
    live.replay_url = "https://video.example.gov.cn/replay.mp4"
    db.session.commit()
    return add_question(
        live,
        resident,
        "候车亭什么时候建好？",
        answer_mode=AnswerMode.written,
        department_id=agency.id,
        due_on=(utcnow() + timedelta(days=7)).date(),
        on_screen_at=live.went_live_at + timedelta(seconds=754),
    )


def test_record_lists_published_questions_with_offsets(client, live, resident, assigned):
    add_question(live, resident, '=HYPERLINK("x")问题')
    add_question(live, resident, "隐藏的问题", status=QuestionStatus.rejected)
    data = client.get(f"/live/{live.id}/record.json").get_json()
    assert [q["body"] for q in data["questions"]] == ["候车亭什么时候建好？", '=HYPERLINK("x")问题']
    first = data["questions"][0]
    assert first["offset"] == 754
    assert first["replay_link"] == "https://video.example.gov.cn/replay.mp4#t=754"
    assert first["due_on"] == assigned.due_on.isoformat()
    assert data["awaiting_written"] == 1
    html = client.get(f"/live/{live.id}/record?lang=en").get_data(as_text=True)
    assert "隐藏的问题" not in html
    assert "0:12:34" in html and "Written answer pending" in html
    assert resident.email not in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/live/{live.id}/record.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert rows[0][:4] == ["id", "asked_at", "author", "question"]
    assert rows[2][3].startswith("'=")  # no formula injection in spreadsheets


def test_written_answer_published_by_department_reaches_viewers_and_mails_asker(
    app, sio, live, assigned, organizer, login_as, resident
):
    viewer = sio()
    call(viewer, "join", {"session_id": live.id})
    viewer.get_received("/live")
    web = _signed_in(app, organizer)
    token = csrf_token_from(web, f"/live/{live.id}/followups")
    resp = web.post(
        f"/live/questions/{assigned.id}/written-answer",
        data={"answer": "年内建成。", "official": "交通运输厅 王处长", "csrf_token": token},
    )
    assert resp.status_code == 302
    delta = received(viewer, "delta")
    assert delta and delta[0]["questions"][0]["answer"] == "年内建成。"
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == resident.id))
    assert mail is not None and "年内建成。" in mail.body
    # Idempotent: the task ran once; a retry sends nothing twice.
    from events.live.tasks import announce_written_answer

    assert announce_written_answer(assigned.id) == "skipped"


def test_written_answer_needs_csrf_and_the_right_department(
    app, live, assigned, login_as, resident, make_user, make_org
):
    outsider = make_user(org=make_org())
    web = _signed_in(app, outsider)
    token = csrf_token_from(web, "/")
    resp = web.post(
        f"/live/questions/{assigned.id}/written-answer",
        data={"answer": "x", "official": "y", "csrf_token": token},
    )
    assert resp.status_code == 403
    resp = web.post(f"/live/questions/{assigned.id}/written-answer", data={"answer": "x"})
    assert resp.status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Question, assigned.id).answered_at is None


def test_empty_written_answer_rerenders_form_with_message(app, live, assigned, organizer):
    web = _signed_in(app, organizer)
    token = csrf_token_from(web, f"/live/{live.id}/followups")
    resp = web.post(
        f"/live/questions/{assigned.id}/written-answer?lang=en",
        data={"answer": " ", "official": "王处长", "csrf_token": token},
    )
    assert resp.status_code == 400
    assert "Please fill in this field." in resp.get_data(as_text=True)


def test_pages_render_and_console_is_for_moderators(app, client, live, moderator, resident):
    assert client.get("/live/?lang=en").status_code == 200
    assert live.title in client.get("/live/").get_data(as_text=True)
    assert client.get(f"/live/{live.id}").status_code == 200
    assert client.get(f"/live/{live.id}/presenter").status_code == 200
    assert client.get(f"/live/{live.id}/console").status_code == 302  # sign in first
    assert _signed_in(app, resident).get(f"/live/{live.id}/console").status_code == 403
    assert _signed_in(app, moderator).get(f"/live/{live.id}/console").status_code == 200
    assert client.get("/live/9999").status_code == 404


def test_moderator_announces_a_session_and_others_cannot(app, event, moderator, resident):
    web = _signed_in(app, moderator)
    assert "Announce a live session" in web.get("/live/?lang=en").get_data(as_text=True)
    token = csrf_token_from(web, f"/live/new?event_id={event.id}")
    resp = web.post(
        f"/live/new?event_id={event.id}",
        data={
            "title": "开放日直播",
            "scheduled_at": "2030-05-01T09:30",
            "stream_url": "https://live.example.gov.cn/a.m3u8",
            "stream_kind": "hls",
            "premoderation": "on",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.title == "开放日直播"))
    assert session.scheduled_at.isoformat() == "2030-05-01T01:30:00+00:00"  # Beijing time
    assert session.premoderation is True
    bad = web.post(
        f"/live/new?event_id={event.id}&lang=en",
        data={"title": "x", "scheduled_at": "", "csrf_token": token},
    )
    assert bad.status_code == 400 and "date and time" in bad.get_data(as_text=True)
    other = _signed_in(app, resident)
    assert other.get(f"/live/new?event_id={event.id}").status_code == 403

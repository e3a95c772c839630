"""Public API and OpenAPI, the decision timeline hook, periodic notices, real SMTP."""

from __future__ import annotations

import email
import time
from datetime import timedelta
from email import policy
from typing import Any

import pytest
import sqlalchemy as sa

from consultations.timeline import HOOK
from events.models import SelectionMode
from events.tasks import send_materials, send_reminders
from participation.db import db, utcnow
from participation.models import OutboxMail
from participation.registry import registry
from tests.conftest import free_port
from tests.events.factories import apply


def test_api_lists_public_events_only(make_event, client):
    shown = make_event()
    make_event(publish=False, title="草稿")
    data = client.get("/api/v1/events").json
    assert [e["id"] for e in data["items"]] == [shown.id]
    detail = client.get(f"/api/v1/events/{shown.id}").json
    assert detail["categories"][0]["key"] == "stakeholder"
    assert detail["participants"] is None and detail["selection_url"] is None
    assert client.get("/api/v1/events/999").status_code == 404


def test_openapi_describes_events(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/events/{event_id}/selection.json",
        "/api/v1/events/{event_id}/applications",
    ):
        assert path in paths


def test_decision_timeline_hook(make_event, consultation, app):
    event = make_event(decision_id=consultation.decision_id)
    items = [i for group in registry(app).call(HOOK, consultation.decision) for i in group]
    assert [i.url for i in items] == [f"/events/{event.id}"]


def test_list_and_detail_pages(make_event, client):
    event = make_event()
    page = client.get("/events/?lang=en")
    assert page.status_code == 200 and event.title in page.text
    assert client.get("/events/?kind=hearing&when=past").status_code == 200
    detail = client.get(f"/events/{event.id}")
    assert "Selection method" in detail.text and "Stakeholders" in detail.text


def _subjects(user_id: int) -> list[str]:
    return list(
        db.session.scalars(sa.select(OutboxMail.subject).where(OutboxMail.user_id == user_id))
    )


def test_materials_sent_seven_days_before_and_reminder_the_day_before(make_event, residents, app):
    event = make_event(selection_mode=SelectionMode.first_come)
    a = apply(residents[0], event)
    assert send_materials() == 0  # 20 days ahead: too early
    event.starts_at = utcnow() + timedelta(days=app.config["HEARING_MATERIALS_DAYS"] - 1)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.signup_closes_at = utcnow() - timedelta(minutes=1)
    event.signup_opens_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert send_materials() == 1
    assert send_materials() == 0  # idempotent
    assert len(_subjects(residents[0].id)) == 2  # the confirmation, then the materials
    db.session.expire_all()
    assert a.materials_sent_at is not None
    assert send_reminders() == 0
    event.starts_at = utcnow() + timedelta(hours=20)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    assert send_reminders() == 1 and send_reminders() == 0
    db.session.expire_all()
    assert a.reminder_sent_at is not None


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Any:
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    if "smtp" not in request.fixturenames:
        return {}
    inbox = request.getfixturevalue("smtp")
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": inbox.port}


def test_confirmation_over_real_smtp_has_ics_and_qr(smtp, make_event, resident, login_as):
    event = make_event(selection_mode=SelectionMode.first_come)
    client = login_as(resident)
    resp = client.post(
        f"/events/{event.id}/apply",
        data={"category": "public", "full_name": "王小明", "statement": "希望增加公众席位的数量。"},
    )
    assert resp.status_code == 303
    deadline = time.monotonic() + 10
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    message = smtp.messages[-1]
    assert message["To"] == resident.email
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    ics = next(p for name, p in parts.items() if name.endswith(".ics"))
    png = next(p for name, p in parts.items() if name.endswith(".png"))
    assert ics.get_content_type() == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.get_payload(decode=True)
    assert png.get_payload(decode=True).startswith(b"\x89PNG")
    mail = db.session.scalar(sa.select(OutboxMail))
    assert mail.status == "sent"
    from events.models import Application

    code = db.session.scalar(sa.select(Application.checkin_code))
    assert code in message.get_body(preferencelist=("plain",)).get_content()


def test_periodic_jobs_work_without_a_request(make_event, residents, app):
    """A Celery worker or the embedded timer has an app context and nothing else."""
    import threading

    event = make_event(selection_mode=SelectionMode.first_come)
    apply(residents[0], event)
    event.starts_at = utcnow() + timedelta(hours=20)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.signup_opens_at = utcnow() - timedelta(days=9)
    event.signup_closes_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result: list[Any] = []

    def worker() -> None:
        with app.app_context():
            try:
                result.append((send_materials(), send_reminders()))
            except Exception as exc:  # noqa: BLE001
                result.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    assert result == [(1, 1)]

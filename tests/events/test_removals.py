"""Organizers remove materials and moderators: audited, only on their own events, only
their own event's items, and never without a CSRF token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g

from events.models import EventMaterial, EventModerator
from events.services import manage
from participation.db import db, utcnow
from participation.errors import NotFound, PermissionDenied
from participation.models import AuditEntry
from tests.helpers import csrf_token_from


def _audit(action: str) -> AuditEntry | None:
    return db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    )


def _assert_nothing_removed(material: EventMaterial, moderator: EventModerator) -> None:
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(EventMaterial, material.id) is not None
    assert db.session.get(EventModerator, moderator.id) is not None
    assert _audit("event.material_remove") is None and _audit("event.moderator_remove") is None


@pytest.fixture
def material(make_event, organizer) -> EventMaterial:
    event = make_event()
    m = manage.add_material(organizer, event, "会议议程", url="https://example.gov.cn/a.pdf")
    db.session.commit()
    return m


@pytest.fixture
def moderator(make_event, organizer, make_user) -> EventModerator:
    make_user("mod@example.org", name="主持人")
    event = make_event()
    m = manage.add_moderator(organizer, event, "mod@example.org")
    db.session.commit()
    return m


def test_organizer_removes_a_material_through_the_page(material, organizer, login_as):
    event_id, material_id = material.event_id, material.id
    client = login_as(organizer)
    page = client.get(f"/events/{event_id}/manage").get_data(as_text=True)
    assert f"/events/{event_id}/materials/{material_id}/delete" in page
    resp = client.post(
        f"/events/{event_id}/materials/{material_id}/delete", data={"reason": "版本有误"}
    )
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(EventMaterial, material_id) is None
    entry = _audit("event.material_remove")
    assert entry.actor_id == organizer.id and entry.target_id == str(event_id)
    assert entry.data == {"title": "会议议程"} and entry.reason == "版本有误"
    assert "会议议程" not in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_an_oversized_reason_is_refused_and_nothing_removed(material, organizer, login_as):
    url = f"/events/{material.event_id}/materials/{material.id}/delete?lang=en"
    resp = login_as(organizer).post(url, data={"reason": "长" * 301})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "at most 300 characters" in text
    db.session.expire_all()
    assert db.session.get(EventMaterial, material.id) is not None
    assert _audit("event.material_remove") is None


def test_removing_an_already_mailed_material_is_allowed_and_says_so(material, organizer):
    event = material.event
    event.materials_sent_at = utcnow()
    db.session.commit()
    manage.remove_material(organizer, event, material.id)
    db.session.commit()
    assert event.materials == []
    assert _audit("event.material_remove").data == {"title": "会议议程", "already_sent": True}


def test_organizer_removes_a_moderator_through_the_page(moderator, organizer, login_as):
    event_id, moderator_id, user_id = moderator.event_id, moderator.id, moderator.user_id
    client = login_as(organizer)
    page = client.get(f"/events/{event_id}/manage").get_data(as_text=True)
    assert f"/events/{event_id}/moderators/{moderator_id}/delete" in page
    resp = client.post(f"/events/{event_id}/moderators/{moderator_id}/delete")
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(EventModerator, moderator_id) is None
    entry = _audit("event.moderator_remove")
    assert entry.actor_id == organizer.id and entry.data == {"user_id": user_id}
    # The person can be named again afterwards.
    manage.add_moderator(organizer, moderator.event, "mod@example.org")
    db.session.commit()


@pytest.mark.parametrize("who", ["other_organizer", "resident"])
def test_outsiders_cannot_remove(who, material, moderator, login_as, request):
    user = request.getfixturevalue(who)
    client = login_as(user)
    urls = [
        f"/events/{material.event_id}/materials/{material.id}/delete",
        f"/events/{moderator.event_id}/moderators/{moderator.id}/delete",
    ]
    for url in urls:
        assert client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        manage.remove_material(user, material.event, material.id)
    with pytest.raises(PermissionDenied):
        manage.remove_moderator(user, moderator.event, moderator.id)
    _assert_nothing_removed(material, moderator)


def test_items_of_another_event_are_not_found(make_event, material, moderator, organizer, login_as):
    """The organizer runs both events, yet an id must belong to the event in the URL."""
    mine = make_event()
    client = login_as(organizer)
    resp = client.post(f"/events/{mine.id}/materials/{material.id}/delete?lang=en")
    assert resp.status_code == 404
    assert "This material does not exist." in resp.get_data(as_text=True)
    resp = client.post(f"/events/{mine.id}/moderators/{moderator.id}/delete?lang=en")
    assert resp.status_code == 404
    assert "This moderator does not exist." in resp.get_data(as_text=True)
    # Moderator and material ids are different tables: each route looks in its own.
    assert client.post(f"/events/{mine.id}/materials/987654/delete").status_code == 404
    assert client.post(f"/events/{mine.id}/moderators/987654/delete").status_code == 404
    assert client.post(f"/events/987654/materials/{material.id}/delete").status_code == 404
    with pytest.raises(NotFound):
        manage.remove_material(organizer, mine, material.id)
    with pytest.raises(NotFound):
        manage.remove_moderator(organizer, mine, moderator.id)
    _assert_nothing_removed(material, moderator)


def test_removal_without_csrf_token_is_refused(app, material, moderator, organizer, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    g.pop("csrf_token", None)  # a token cached on the outer app context is no one's
    client = login_as(organizer)
    urls = [
        f"/events/{material.event_id}/materials/{material.id}/delete",
        f"/events/{moderator.event_id}/moderators/{moderator.id}/delete",
    ]
    for url in urls:
        assert client.post(url).status_code in (400, 403)
    db.session.expire_all()
    assert db.session.get(EventMaterial, material.id) is not None
    assert db.session.get(EventModerator, moderator.id) is not None
    # With the page's token the same requests go through.
    token = csrf_token_from(client, f"/events/{material.event_id}/manage")
    for url in urls:
        assert client.post(url, data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(EventMaterial, material.id) is None
    assert db.session.get(EventModerator, moderator.id) is None

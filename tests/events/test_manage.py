"""Organizer rules: stakeholder share, selection method published and changed openly,
permissions of other agencies and residents, cancellation notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.models import ApplicationStatus, Event, EventChange, EventKind, SelectionMode
from events.services import manage
from events.services.permissions import is_event_moderator, require_event_moderator
from events.views.forms import local_value
from participation.db import db, utcnow
from participation.errors import PermissionDenied, ServiceError
from participation.models import AuditEntry, OutboxMail
from tests.events.conftest import CATEGORIES, RULES
from tests.events.factories import apply


def test_hearing_needs_half_stakeholder_seats(organizer, event_data):
    cats = [dict(c) for c in CATEGORIES]
    cats[0]["seats"], cats[1]["seats"] = 1, 3
    with pytest.raises(ServiceError) as err:
        manage.create_event(organizer, event_data(categories=cats))
    assert err.value.field == "categories"
    # A symposium has no such rule.
    manage.create_event(organizer, event_data(kind=EventKind.symposium, categories=cats))


def test_configurable_share(app, organizer, event_data):
    app.config["HEARING_STAKEHOLDER_SHARE"] = 0.8
    with pytest.raises(ServiceError):
        manage.create_event(organizer, event_data())  # 2 of 3 < 80 %


def test_hearing_needs_selection_method_and_early_close(organizer, event_data):
    with pytest.raises(ServiceError) as err:
        manage.create_event(organizer, event_data(selection_rules=""))
    assert err.value.field == "selection_rules"
    now = utcnow()
    with pytest.raises(ServiceError) as err:
        manage.create_event(
            organizer, event_data(signup_closes_at=now + timedelta(days=15))
        )  # the hearing is on day 20: materials need 7 days
    assert err.value.field == "signup_closes_at"


def test_other_agency_and_residents_are_refused(
    make_event, other_organizer, resident, login_as, event_data
):
    event = make_event()
    with pytest.raises(PermissionDenied):
        manage.create_event(other_organizer, event_data())
    for user in (other_organizer, resident):
        client = login_as(user)
        assert client.get(f"/events/{event.id}/manage").status_code == 403
        assert client.get(f"/events/{event.id}/export/applications.csv").status_code == 403
        assert client.get(f"/events/{event.id}/checkin").status_code == 403
        assert (
            client.post(f"/events/{event.id}/cancel", data={"reason": "无理由取消"}).status_code
            == 403
        )
    db.session.expire_all()
    assert event.status.value == "published"


def test_organizer_creates_and_publishes_through_forms(organizer, agency, login_as):
    client = login_as(organizer)
    assert client.get("/events/new?kind=hearing&lang=en").status_code == 200
    now = utcnow()
    data = {
        "kind": "hearing",
        "organization_id": str(agency.id),
        "title": "出租车运价听证会",
        "starts_at": local_value(now + timedelta(days=30)),
        "ends_at": local_value(now + timedelta(days=30, hours=2)),
        "signup_opens_at": local_value(now + timedelta(days=1)),
        "signup_closes_at": local_value(now + timedelta(days=15)),
        "place": "会议室",
        "selection_mode": "lottery",
        "selection_rules": RULES,
        "cat_key_0": "stakeholder",
        "cat_label_0": "利害关系人",
        "cat_seats_0": "5",
        "cat_stakeholder_0": "on",
        "cat_key_1": "public",
        "cat_label_1": "公众",
        "cat_seats_1": "5",
    }
    resp = client.post("/events/new", data=data)
    assert resp.status_code == 303
    event = db.session.scalar(sa.select(Event))
    assert event.seats == 10 and event.status.value == "draft"
    bad = client.post("/events/new?lang=en", data={**data, "cat_seats_0": "4"})
    assert bad.status_code == 400 and "stakeholder" in bad.text.lower()
    assert client.post(f"/events/{event.id}/publish").status_code == 303
    db.session.expire_all()
    assert event.status.value == "published"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "event.publish"))


def test_selection_method_changes_only_with_a_public_reason(
    make_event, organizer, residents, login_as, client
):
    event = make_event(selection_mode=SelectionMode.first_come)
    apply(residents[0], event)
    data = manage._data_of(event)
    data.selection_rules = RULES + " Experts are nominated by the bar association."
    with pytest.raises(ServiceError) as err:
        manage.update_event(organizer, event, data, reason="")
    assert err.value.field == "reason"
    db.session.rollback()
    manage.update_event(organizer, event, data, reason="应律师协会要求调整")
    db.session.commit()
    change = db.session.scalar(sa.select(EventChange))
    assert change.kind == "selection_rules" and "selection_rules" in change.changes
    page = client.get(f"/events/{event.id}?lang=en")
    assert "应律师协会要求调整" in page.text and "selection method changed" in page.text
    mails = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.user_id == residents[0].id)
    ).all()
    assert any("应律师协会要求调整" in m.body for m in mails)  # the change notice, with its reason


def test_quota_cannot_drop_below_taken_seats_and_raise_offers(make_event, organizer, residents):
    event = make_event(selection_mode=SelectionMode.first_come)
    a = [apply(u, event, "public") for u in residents[:3]]
    data = manage._data_of(event)
    data.categories[1]["seats"] = 0
    with pytest.raises(ServiceError):
        manage.update_event(organizer, event, data, reason="减少公众席位")
    db.session.rollback()
    data = manage._data_of(event)
    data.categories[0]["seats"] = 4
    data.categories[1]["seats"] = 2
    manage.update_event(organizer, event, data, reason="换到更大的会议室")
    db.session.commit()
    db.session.expire_all()
    assert a[1].status == ApplicationStatus.offered and a[2].status == ApplicationStatus.waitlisted


def test_cancellation_tells_everyone_with_calendar_cancel(
    make_event, organizer, residents, login_as
):
    event = make_event(selection_mode=SelectionMode.first_come)
    a = [apply(u, event, "public") for u in residents[:2]]
    client = login_as(organizer)
    assert client.post(f"/events/{event.id}/cancel", data={"reason": ""}).status_code == 400
    assert (
        client.post(f"/events/{event.id}/cancel", data={"reason": "因场地原因取消"}).status_code
        == 303
    )
    db.session.expire_all()
    assert {x.status for x in a} == {ApplicationStatus.cancelled}
    mail = db.session.scalar(
        sa.select(OutboxMail)
        .where(OutboxMail.user_id == residents[0].id)
        .order_by(OutboxMail.id.desc())
    )
    assert "因场地原因取消" in mail.body
    assert any(att["filename"].endswith(".ics") for att in mail.attachments)


def test_event_moderators(make_event, organizer, other_organizer, resident, make_user):
    event = make_event()
    moderator = make_user("mod@example.org")
    assert is_event_moderator(organizer, event)
    assert not is_event_moderator(moderator, event)
    assert not is_event_moderator(other_organizer, event)
    with pytest.raises(PermissionDenied):
        manage.add_moderator(resident, event, "mod@example.org")
    manage.add_moderator(organizer, event, "mod@example.org")
    db.session.commit()
    assert is_event_moderator(moderator, event)
    require_event_moderator(moderator, event)
    with pytest.raises(PermissionDenied):
        require_event_moderator(resident, event)


def test_refusal_with_reason_frees_the_seat(
    make_event, organizer, other_organizer, residents, login_as
):
    from participation.models import OutboxMail

    event = make_event(selection_mode=SelectionMode.first_come)
    a = [apply(u, event, "public") for u in residents[:2]]
    url = f"/events/applications/{a[0].id}/reject"
    assert login_as(other_organizer).post(url, data={"reason": "不符合条件"}).status_code == 403
    staff = login_as(organizer)
    assert staff.post(url, data={"reason": ""}).status_code == 400
    assert staff.post(url, data={"reason": "不属于本次听证的公众代表范围"}).status_code == 303
    db.session.expire_all()
    assert a[0].status == ApplicationStatus.rejected and a[1].status == ApplicationStatus.offered
    mail = db.session.scalar(
        sa.select(OutboxMail)
        .where(OutboxMail.user_id == residents[0].id)
        .order_by(OutboxMail.id.desc())
    )
    assert "不属于本次听证的公众代表范围" in mail.body


def test_edit_form_prefills_and_home_lists_events(make_event, organizer, login_as, client):
    event = make_event()
    page = login_as(organizer).get(f"/events/{event.id}/edit?lang=en")
    assert (
        page.status_code == 200
        and 'value="stakeholder"' in page.text
        and "Public reason" in page.text
    )
    assert event.title in client.get("/?lang=en").text


def test_account_deletion_withdraws_and_anonymises(make_event, residents, login_as):
    from participation import accounts

    event = make_event(selection_mode=SelectionMode.first_come)
    a = [apply(u, event, "public", phone="13812345678") for u in residents[:2]]
    exported = accounts.export_personal_data(residents[0])
    assert exported["event_applications"][0]["phone"] == "13812345678"
    accounts.delete_account(residents[0])
    db.session.commit()
    db.session.expire_all()
    assert a[0].status == ApplicationStatus.withdrawn and a[0].phone == "" and a[0].user_id is None
    assert a[1].status == ApplicationStatus.offered

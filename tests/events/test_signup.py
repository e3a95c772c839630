"""Applying, first come first served, waitlist, withdrawal and offers, through HTTP and
the service API, including refusals."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from events.models import Application, ApplicationStatus, SelectionMode
from events.services import applications
from events.tasks import expire_offers
from participation.db import db, utcnow
from participation.models import OutboxMail
from tests.events.factories import apply, form


def _fcfs(make_event):
    return make_event(selection_mode=SelectionMode.first_come)


def test_resident_applies_through_the_form(make_event, resident, login_as):
    event = _fcfs(make_event)
    client = login_as(resident)
    page = client.get(f"/events/{event.id}/apply?lang=en")
    assert page.status_code == 200 and "Apply to attend" in page.text
    resp = client.post(f"/events/{event.id}/apply", data=form())
    assert resp.status_code == 303
    application = db.session.scalar(sa.select(Application))
    assert application.status == ApplicationStatus.confirmed
    assert application.user_id == resident.id
    mine = client.get(f"/events/{event.id}/mine")
    assert application.checkin_code in mine.text and "<svg" in mine.text
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == resident.id))
    names = [a["filename"] for a in mail.attachments]
    assert f"event-{event.id}.ics" in names and any(n.endswith(".png") for n in names)


def test_bad_input_is_refused_with_the_field_and_nothing_written(make_event, resident, login_as):
    event = _fcfs(make_event)
    client = login_as(resident)
    for data, field in [
        (form(category="nope"), "category"),
        (form(full_name=""), "full_name"),
        (form(statement="短"), "statement"),  # a hearing needs the views summarised
        (form(phone="call me"), "phone"),
        (form(statement="x" * 2001), "statement"),
    ]:
        resp = client.post(f"/events/{event.id}/apply?lang=en", data=data)
        assert resp.status_code == 400, field
        assert f'id="e-{field}"' in resp.text or 'role="alert"' in resp.text
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_applies_once_per_event(make_event, resident):
    event = _fcfs(make_event)
    apply(resident, event)
    try:
        apply(resident, event)
    except Exception as exc:  # noqa: BLE001
        assert getattr(exc, "status", None) == 409
    else:
        raise AssertionError("second application accepted")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_anonymous_and_closed_signup_are_refused(make_event, resident, login_as, client):
    event = _fcfs(make_event)
    resp = client.post(f"/events/{event.id}/apply", data=form())
    assert resp.status_code in (302, 401)  # login required
    event.signup_closes_at = utcnow() - timedelta(minutes=1)
    event.signup_opens_at = utcnow() - timedelta(days=2)
    db.session.commit()
    resp = login_as(resident).post(f"/events/{event.id}/apply?lang=en", data=form())
    assert resp.status_code == 410 and "Sign-up is closed" in resp.text


def test_draft_event_is_invisible_to_residents(make_event, resident, login_as, organizer):
    event = make_event(publish=False)
    assert login_as(resident).get(f"/events/{event.id}").status_code == 404
    assert login_as(organizer).get(f"/events/{event.id}").status_code == 200


def test_first_come_then_waitlist_then_offer_on_withdrawal(make_event, residents, login_as):
    event = _fcfs(make_event)
    a = [apply(u, event, "stakeholder") for u in residents[:4]]
    assert [x.status for x in a] == [
        ApplicationStatus.confirmed,
        ApplicationStatus.confirmed,
        ApplicationStatus.waitlisted,
        ApplicationStatus.waitlisted,
    ]
    assert [a[2].waitlist_position, a[3].waitlist_position] == [1, 2]
    # Another resident cannot withdraw someone else's application.
    other = login_as(residents[5])
    withdraw_url = f"/events/applications/{a[0].id}/withdraw"
    assert other.post(withdraw_url, data={"confirm": "yes"}).status_code == 403
    resp = login_as(residents[0]).post(withdraw_url, data={"confirm": "yes"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert a[0].status == ApplicationStatus.withdrawn
    assert a[2].status == ApplicationStatus.offered and a[2].offer_expires_at is not None
    assert a[3].status == ApplicationStatus.waitlisted
    offer_mail = db.session.scalar(
        sa.select(OutboxMail)
        .where(OutboxMail.user_id == residents[2].id)
        .order_by(OutboxMail.id.desc())
    )
    # In the recipient's language (Chinese by default), with the link to answer the offer.
    assert event.title in offer_mail.subject and f"/events/{event.id}/mine" in offer_mail.body
    assert offer_mail.subject.startswith("您获得递补名额") or "seat" in offer_mail.subject
    # The offered person confirms.
    assert login_as(residents[2]).post(f"/events/applications/{a[2].id}/accept").status_code == 303
    db.session.expire_all()
    assert a[2].status == ApplicationStatus.confirmed


def test_unconfirmed_offer_expires_and_passes_on(make_event, residents):
    event = _fcfs(make_event)
    a = [apply(u, event, "stakeholder") for u in residents[:4]]
    applications.withdraw(residents[1], a[1].id)
    db.session.commit()
    assert a[2].status == ApplicationStatus.offered
    a[2].offer_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert expire_offers() == 1
    db.session.expire_all()
    assert a[2].status == ApplicationStatus.expired
    assert a[3].status == ApplicationStatus.offered
    # Accepting a lapsed offer is refused.
    a[3].offer_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    try:
        applications.accept_offer(residents[3], a[3].id)
    except Exception as exc:  # noqa: BLE001
        assert getattr(exc, "status", None) == 410
    else:
        raise AssertionError("expired offer accepted")


def test_decline_passes_the_seat_on(make_event, residents, login_as):
    event = _fcfs(make_event)
    a = [apply(u, event, "public") for u in residents[:3]]
    applications.withdraw(residents[0], a[0].id)
    db.session.commit()
    assert login_as(residents[1]).post(f"/events/applications/{a[1].id}/decline").status_code == 303
    db.session.expire_all()
    assert a[1].status == ApplicationStatus.declined
    assert a[2].status == ApplicationStatus.offered


def test_id_number_only_with_consent_and_purged_after(make_event, resident, login_as):
    from events.tasks import purge_personal_data

    event = _fcfs(make_event)
    event.requires_id_check = True
    event.id_check_reason = "会场安保需要核验身份。"
    db.session.commit()
    client = login_as(resident)
    page = client.get(f"/events/{event.id}/apply?lang=en")
    assert "会场安保需要核验身份" in page.text
    valid = "11010519491231002X"
    resp = client.post(f"/events/{event.id}/apply?lang=en", data=form(id_number=valid))
    assert resp.status_code == 400 and 'id="e-id_consent"' in resp.text
    resp = client.post(f"/events/{event.id}/apply", data=form(id_number="123", id_consent="yes"))
    assert resp.status_code == 400
    resp = client.post(f"/events/{event.id}/apply", data=form(id_number=valid, id_consent="yes"))
    assert resp.status_code == 303
    application = db.session.scalar(sa.select(Application))
    assert application.id_number == valid and application.id_consent_at is not None
    # Never in public pages or the API.
    assert valid not in client.get(f"/events/{event.id}").text
    assert valid not in client.get(f"/api/v1/events/{event.id}").text
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    event.signup_opens_at, event.signup_closes_at = (
        utcnow() - timedelta(days=9),
        utcnow() - timedelta(days=8),
    )
    db.session.commit()
    purge_personal_data()
    db.session.expire_all()
    assert application.id_number is None

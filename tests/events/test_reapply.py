"""Withdrawing asks first, is audited and mailed; afterwards a person may apply again
while sign-up is open (first come: at the back of the queue; lottery: before the draw)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.models import Application, ApplicationStatus, SelectionMode
from events.services import applications, selection
from participation.db import db, utcnow
from participation.errors import ServiceError
from participation.models import AuditEntry, OutboxMail
from tests.events.factories import apply, form


def _fcfs(make_event):
    return make_event(selection_mode=SelectionMode.first_come)


def _rows(event):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Application).where(Application.event_id == event.id).order_by(Application.id)
    ).all()


def test_withdraw_asks_for_confirmation_before_anything_changes(make_event, residents, login_as):
    event = _fcfs(make_event)
    a = apply(residents[0], event, "public")
    client = login_as(residents[0])
    mine = client.get(f"/events/{event.id}/mine?lang=en")
    url = f"/events/applications/{a.id}/withdraw"
    assert f'href="{url}"' in mine.text  # a link to the confirmation, not a one-click form
    page = client.get(url + "?lang=en")
    assert page.status_code == 200
    assert "Your seat goes to the next person on the waitlist." in page.text
    assert "at the back of the queue" in page.text
    assert 'name="csrf_token"' in page.text and 'name="confirm" value="yes"' in page.text
    # A POST without the confirmation only shows the page again.
    assert client.post(url + "?lang=en").status_code == 200
    assert _rows(event)[0].status == ApplicationStatus.confirmed
    # Chinese by default.
    assert "您的名额将递补给候补名单上的下一位" in client.get(url + "?lang=zh").text
    # Nobody else sees or answers the confirmation for this application.
    other = login_as(residents[1])
    assert other.get(url).status_code == 403
    assert other.post(url, data={"confirm": "yes"}).status_code == 403
    assert _rows(event)[0].status == ApplicationStatus.confirmed


def test_confirmed_withdrawal_is_audited_mailed_and_passes_the_seat_on(
    make_event, residents, login_as
):
    event = _fcfs(make_event)
    a = [apply(u, event, "public") for u in residents[:2]]  # one seat: second waits
    resp = login_as(residents[0]).post(
        f"/events/applications/{a[0].id}/withdraw", data={"confirm": "yes"}
    )
    assert resp.status_code == 303
    rows = _rows(event)
    assert [r.status for r in rows] == [ApplicationStatus.withdrawn, ApplicationStatus.offered]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "event.application_withdraw")
    )
    assert entry.target_id == str(a[0].id) and entry.actor_id == residents[0].id
    assert entry.data["seat_offered_to"] == [a[1].id]
    subjects = db.session.scalars(
        sa.select(OutboxMail.subject).where(OutboxMail.user_id == residents[0].id)
    ).all()
    assert len(subjects) == 2  # the confirmation of the seat, then of the withdrawal
    # Withdrawing twice: the page says it is no longer active, nothing changes.
    again = login_as(residents[0]).post(
        f"/events/applications/{a[0].id}/withdraw?lang=en", data={"confirm": "yes"}
    )
    assert again.status_code == 302


def test_first_come_reapplication_goes_to_the_back_of_the_queue(make_event, residents, login_as):
    event = _fcfs(make_event)
    a = [apply(u, event, "public") for u in residents[:3]]  # 1 seat, 2 waiting
    applications.withdraw(residents[1], a[1].id)  # leaves the waitlist (position 1)
    db.session.commit()
    client = login_as(residents[1])
    mine = client.get(f"/events/{event.id}/mine?lang=en")
    assert "you can apply again" in mine.text and f"/events/{event.id}/apply" in mine.text
    page = client.get(f"/events/{event.id}/apply?lang=en")
    assert page.status_code == 200 and "back of the queue" in page.text
    assert "建议加强对扬尘污染的监管" in page.text  # starts from what they wrote before
    resp = client.post(f"/events/{event.id}/apply", data=form("public"))
    assert resp.status_code == 303
    rows = _rows(event)
    assert len(rows) == 4 and rows[1].status == ApplicationStatus.withdrawn  # kept for the record
    new = rows[3]
    assert new.user_id == residents[1].id and new.status == ApplicationStatus.waitlisted
    assert new.waitlist_position == 3  # behind 居民2, who waited at position 2
    assert new.checkin_code != rows[1].checkin_code
    # Their page now shows the new application; a second application is refused.
    assert "On the waitlist" in client.get(f"/events/{event.id}/mine?lang=en").text
    dup = client.post(f"/events/{event.id}/apply?lang=en", data=form("public"))
    assert dup.status_code == 302  # back to their application, nothing written
    assert len(_rows(event)) == 4
    with pytest.raises(ServiceError) as exc:
        applications.apply(residents[1], event, form("public"))
    assert exc.value.status == 409
    db.session.rollback()
    # The seat freed by the first person goes to 居民2, not to the re-applicant.
    applications.withdraw(residents[0], a[0].id)
    db.session.commit()
    rows = _rows(event)
    assert rows[2].status == ApplicationStatus.offered
    assert rows[3].status == ApplicationStatus.waitlisted
    # The list of my applications shows the event once, with the current state.
    listing = client.get("/events/mine?lang=en").text
    assert listing.count(f"/events/{event.id}/mine") == 1 and "On the waitlist" in listing


def test_lottery_reapplication_before_the_draw_is_a_fresh_application(
    make_event, residents, organizer, login_as
):
    event = make_event()  # lottery
    a = apply(residents[0], event, "public")
    applications.withdraw(residents[0], a.id)
    db.session.commit()
    resp = login_as(residents[0]).post(f"/events/{event.id}/apply", data=form("public"))
    assert resp.status_code == 303
    rows = _rows(event)
    assert [r.status for r in rows] == [ApplicationStatus.withdrawn, ApplicationStatus.applied]
    # Only the fresh application enters the draw.
    apply(residents[1], event, "public")
    apply(residents[2], event, "public")
    event.signup_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    draw = selection.start_selection(organizer, event)
    db.session.commit()
    ids = set(draw.frozen["ids"].values())
    assert rows[1].id in ids and rows[0].id not in ids


def test_no_reapplication_once_signup_closed_or_the_list_is_fixed(
    make_event, residents, organizer, login_as
):
    event = make_event()  # lottery
    for u in residents[:3]:
        apply(u, event, "public")
    late = apply(residents[3], event, "public")
    event.signup_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    selection.start_selection(organizer, event)
    db.session.commit()
    applications.withdraw(residents[3], late.id)
    db.session.commit()
    client = login_as(residents[3])
    page = client.get(f"/events/{event.id}/apply?lang=en", follow_redirects=True)
    assert "Sign-up is closed, so you cannot apply again." in page.text
    assert ">Apply again<" not in page.text
    refused = client.post(f"/events/{event.id}/apply?lang=en", data=form("public"))
    assert refused.status_code == 302
    assert len(_rows(event)) == 4
    # Re-opening sign-up after the list was fixed does not let them in either.
    event.signup_closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(ServiceError) as exc:
        applications.apply(residents[3], event, form("public"))
    assert exc.value.status == 410 and "fixed" in exc.value.message
    db.session.rollback()
    assert len(_rows(event)) == 4

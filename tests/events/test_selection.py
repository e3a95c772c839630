"""Lottery-mode selection: all fit -> confirmed; oversubscribed -> commit, draw, verify
from the published data alone; waitlist in lottery order."""

from __future__ import annotations

import json
import subprocess
import sys

import sqlalchemy as sa

from events import lottery
from events.models import Application, ApplicationStatus
from events.services import applications, selection
from participation.db import db
from participation.errors import ServiceError
from tests.events.factories import apply, close_signup


def test_all_fit_are_confirmed_without_a_draw(make_event, residents, organizer):
    event = make_event()
    a = [apply(u, event, "stakeholder") for u in residents[:2]]
    assert all(x.status == ApplicationStatus.applied for x in a)
    close_signup(event)
    assert selection.start_selection(organizer, event) is None
    db.session.commit()
    db.session.expire_all()
    assert all(x.status == ApplicationStatus.confirmed for x in a)


def test_selection_waits_for_signup_to_close(make_event, residents, organizer):
    event = make_event()
    apply(residents[0], event)
    try:
        selection.start_selection(organizer, event)
    except ServiceError as exc:
        assert exc.status == 409
    else:
        raise AssertionError("selection before sign-up closed")


def test_oversubscribed_draw_is_published_and_verifiable(
    make_event, residents, organizer, login_as, client, tmp_path
):
    event = make_event()
    stake = [apply(u, event, "stakeholder") for u in residents[:7]]
    public = [apply(u, event, "public") for u in residents[7:10]]
    assert client.get(f"/events/{event.id}/selection.json").status_code == 404
    close_signup(event)
    # A resident or another agency cannot run the selection.
    assert login_as(residents[11]).post(f"/events/{event.id}/selection/start").status_code == 403
    staff = login_as(organizer)
    assert staff.post(f"/events/{event.id}/selection/start").status_code == 303
    before = client.get(f"/events/{event.id}/selection.json").json
    assert "seed" not in before and len(before["seed_hash"]) == 64
    assert len(before["categories"]["stakeholder"]["applicants"]) == 7
    # Pseudonyms only: no names, no ids.
    assert residents[0].display_name not in json.dumps(before, ensure_ascii=False)
    # Refusing an applicant now would change the fixed list.
    resp = staff.post(
        f"/events/applications/{stake[0].id}/reject", data={"reason": "不是利害关系人"}
    )
    assert resp.status_code == 409
    assert staff.post(f"/events/{event.id}/selection/draw").status_code == 303
    document = client.get(f"/events/{event.id}/selection.json").json
    assert document["seed_hash"] == before["seed_hash"]
    assert lottery.verify(document).ok
    # Re-verifiable from the published data alone, with the documented command.
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "events.lottery", "verify", str(path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout
    # Tampering is detected.
    document["categories"]["stakeholder"]["selected"].reverse()
    assert not lottery.verify(document).ok
    db.session.expire_all()
    by_status = lambda apps, s: [x for x in apps if x.status == s]  # noqa: E731
    assert len(by_status(stake, ApplicationStatus.confirmed)) == 2
    assert len(by_status(stake, ApplicationStatus.waitlisted)) == 5
    assert len(by_status(public, ApplicationStatus.confirmed)) == 1
    # The waitlist is in lottery order.
    ids = {selection.pseudonym_of(x): x for x in stake}
    published_waitlist = document["categories"]["stakeholder"]["waitlist"]
    assert [ids[p].waitlist_position for p in published_waitlist] == [1, 2, 3, 4, 5]
    # A withdrawal offers the seat to the first on that category's waitlist.
    winner = by_status(stake, ApplicationStatus.confirmed)[0]
    applications.withdraw(winner.user, winner.id)
    db.session.commit()
    db.session.expire_all()
    assert ids[published_waitlist[0]].status == ApplicationStatus.offered
    assert ids[published_waitlist[1]].status == ApplicationStatus.waitlisted
    # Drawing twice is refused.
    assert staff.post(f"/events/{event.id}/selection/draw").status_code == 409


def test_applicant_sees_their_pseudonym(make_event, residents, organizer, login_as):
    event = make_event()
    mine = [apply(u, event, "public") for u in residents[:3]]
    close_signup(event)
    selection.start_selection(organizer, event)
    db.session.commit()
    page = login_as(residents[0]).get(f"/events/{event.id}/mine?lang=en")
    assert selection.pseudonym_of(mine[0]) in page.text


def test_counts_never_exceed_quota_after_draw(make_event, residents, organizer):
    event = make_event()
    for u in residents[:10]:
        apply(u, event, "stakeholder")
    close_signup(event)
    selection.start_selection(organizer, event)
    selection.run_draw(organizer, event)
    db.session.commit()
    held = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(
            Application.status.in_([ApplicationStatus.confirmed, ApplicationStatus.offered])
        )
    )
    assert held == 2


def test_window_and_quotas_are_frozen_between_hash_and_draw(make_event, residents, organizer):
    from datetime import timedelta

    from events.services import manage

    event = make_event()
    for u in residents[:4]:
        apply(u, event, "stakeholder")
    close_signup(event)
    selection.start_selection(organizer, event)
    db.session.commit()
    data = manage._data_of(event)
    data.categories[0]["seats"] = 3
    data.categories[1]["seats"] = 1
    try:
        manage.update_event(organizer, event, data, reason="增加一个席位")
    except ServiceError as exc:
        assert exc.status == 409
    else:
        raise AssertionError("quota changed between the hash and the draw")
    db.session.rollback()
    data = manage._data_of(event)
    data.signup_closes_at = data.signup_closes_at + timedelta(days=2)
    try:
        manage.update_event(organizer, event, data, reason="延长报名")
    except ServiceError as exc:
        assert exc.status == 409
    else:
        raise AssertionError("sign-up reopened after the list was fixed")

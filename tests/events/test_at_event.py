"""Check-in, attendance, the record (confirm, correct, file as comments, response),
observed-meeting outcome, evaluation, exports, participant list."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from consultations.models import Channel, Comment, Outcome, Response, ResponseStatus
from events.models import EventKind, RecordEntry, SelectionMode
from events.services import manage, record
from participation.db import db, utcnow
from participation.errors import ServiceError
from tests.events.factories import apply, start


@pytest.fixture
def held_event(make_event, residents, consultation):
    """A first-come hearing on the consultation's decision, with three seated residents,
    which started ten minutes ago."""
    event = make_event(
        selection_mode=SelectionMode.first_come, decision_id=consultation.decision_id
    )
    apps = [
        apply(u, event, "stakeholder" if i < 2 else "public") for i, u in enumerate(residents[:3])
    ]
    start(event)
    return event, apps


def test_checkin_by_code_url_and_twice(held_event, organizer, resident, login_as):
    event, apps = held_event
    client = login_as(organizer)
    page = client.get(f"/events/{event.id}/checkin?code={apps[0].checkin_code}&lang=en")
    assert page.status_code == 200 and apps[0].checkin_code in page.text
    resp = client.post(f"/events/{event.id}/checkin", data={"code": apps[0].checkin_code.lower()})
    assert resp.status_code == 200 and "Welcome" in resp.text
    # The whole URL from the QR code works too; a second scan says so without failing.
    url = f"http://localhost/events/{event.id}/checkin?code={apps[0].checkin_code}"
    again = client.post(f"/events/{event.id}/checkin", data={"code": url})
    assert again.status_code == 200 and "already" in again.text
    assert client.post(f"/events/{event.id}/checkin", data={"code": "ZZZZ9999"}).status_code == 404
    assert client.post(f"/events/{event.id}/checkin", data={"code": ""}).status_code == 404
    assert (
        login_as(resident)
        .post(f"/events/{event.id}/checkin", data={"code": apps[1].checkin_code})
        .status_code
        == 403
    )
    db.session.expire_all()
    assert apps[0].checked_in_at is not None and apps[1].checked_in_at is None
    assert "1 / 3" in client.get(f"/events/{event.id}/checkin").text.replace(
        "</strong>", ""
    ).replace("<strong>", "")


def test_record_confirm_file_and_response(held_event, organizer, residents, login_as, client):
    event, apps = held_event
    staff = login_as(organizer)
    assert (
        staff.post(
            f"/events/{event.id}/record", data={"application_id": apps[0].id, "body": ""}
        ).status_code
        == 400
    )
    for a in apps[:2]:
        resp = staff.post(
            f"/events/{event.id}/record",
            data={
                "application_id": a.id,
                "body": f"{a.full_name}：建议公开监测数据，电话13812345678。",
            },
        )
        assert resp.status_code == 303
    entries = db.session.scalars(sa.select(RecordEntry).order_by(RecordEntry.id)).all()
    # Only the speaker may sign their part.
    assert login_as(residents[1]).post(f"/events/record/{entries[0].id}/confirm").status_code == 403
    speaker = login_as(residents[0])
    assert speaker.post(f"/events/record/{entries[0].id}/confirm").status_code == 303
    assert speaker.post(f"/events/record/{entries[0].id}/confirm").status_code == 409
    public = client.get(f"/events/{event.id}?lang=en")
    assert (
        "Confirmed by the speaker" in public.text and "Not confirmed by the speaker" in public.text
    )
    assert "13812345678" not in public.text  # personal data masked in the public record
    # Filing makes comments on the decision's consultation, once.
    assert staff.post(f"/events/{event.id}/record/file").status_code == 303
    assert staff.post(f"/events/{event.id}/record/file").status_code == 303
    comments = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
    assert len(comments) == 2
    assert {c.channel for c in comments} == {Channel.hearing}
    assert comments[0].source_ref == f"event:{event.id}/record:{entries[0].id}"
    assert comments[0].author_id == residents[0].id
    db.session.expire_all()
    assert entries[1].filing_note == "unconfirmed"
    # A filed statement cannot be edited any more.
    with pytest.raises(ServiceError):
        record.edit_entry(organizer, entries[0], "改写", "更正笔误")
    db.session.rollback()
    # The agency answers; the participant reads the response on their page.
    db.session.add(
        Response(
            comment_id=comments[0].id,
            organization_id=event.organization_id,
            outcome=Outcome.adopted,
            reason="已在第十二条增加监测数据公开要求。",
            status=ResponseStatus.published,
            published_at=utcnow(),
        )
    )
    db.session.commit()
    mine = speaker.get(f"/events/{event.id}/mine?lang=en")
    assert "已在第十二条增加监测数据公开要求" in mine.text and "Adopted" in mine.text


def test_correction_request_and_edit_clear_signature(held_event, organizer, residents):
    event, apps = held_event
    entry = record.add_entry(organizer, event, body="原始记录内容", application_id=apps[0].id)
    db.session.commit()
    record.request_correction(residents[0], entry.id, "第二句记录有误")
    record.edit_entry(organizer, entry, "更正后的记录内容", "按发言人要求更正")
    db.session.commit()
    assert entry.confirmed_at is None and entry.correction_request == ""
    record.confirm_entry(residents[0], entry.id)
    db.session.commit()
    assert entry.confirmed_at is not None


def test_statements_without_consultation_are_kept(make_event, organizer, residents):
    event = make_event(selection_mode=SelectionMode.first_come)
    a = apply(residents[0], event)
    start(event)
    record.add_entry(organizer, event, body="发言内容", application_id=a.id)
    filed, note = record.file_entries(organizer, event)
    assert filed == 0 and note
    assert db.session.scalar(sa.select(RecordEntry)).comment_id is None


def test_observed_meeting_outcome(make_event, organizer, residents, client, login_as):
    event = make_event(kind=EventKind.observed_meeting, selection_mode=SelectionMode.first_come)
    with pytest.raises(ServiceError):
        manage.publish_outcome(
            organizer, event, "会议审议通过了条例草案。", "列席人员意见已全部答复。"
        )
    db.session.rollback()
    start(event)
    staff = login_as(organizer)
    assert (
        staff.post(
            f"/events/{event.id}/outcome", data={"outcome": "短", "opinions_handling": ""}
        ).status_code
        == 400
    )
    resp = staff.post(
        f"/events/{event.id}/outcome",
        data={
            "outcome": "会议审议通过了条例草案。",
            "opinions_handling": "列席人员的三条意见中两条被采纳。",
        },
    )
    assert resp.status_code == 303
    page = client.get(f"/events/{event.id}?lang=en")
    assert "两条被采纳" in page.text
    assert client.get(f"/api/v1/events/{event.id}").json["outcome"]["text"].startswith("会议")


def test_evaluation_only_by_attendees_and_aggregate_published(
    held_event, organizer, residents, login_as, client
):
    from events.services.checkin import check_in

    event, apps = held_event
    scores = {"overall": "5", "organisation": "4", "heard": "3"}
    assert (
        login_as(residents[0])
        .post(f"/events/applications/{apps[0].id}/evaluation", data=scores)
        .status_code
        == 403
    )
    for a in apps:
        check_in(organizer, event, a.checkin_code)
    db.session.commit()
    assert (
        login_as(residents[0])
        .post(f"/events/applications/{apps[0].id}/evaluation", data={"overall": "9"})
        .status_code
        == 400
    )
    assert "Satisfaction of attendees" not in client.get(f"/events/{event.id}?lang=en").text
    for u, a in zip(residents[:3], apps, strict=True):
        assert (
            login_as(u).post(f"/events/applications/{a.id}/evaluation", data=scores).status_code
            == 303
        )
    assert (
        login_as(residents[0])
        .post(f"/events/applications/{apps[0].id}/evaluation", data=scores)
        .status_code
        == 409
    )
    page = client.get(f"/events/{event.id}?lang=en")
    assert "Satisfaction of attendees" in page.text and "4.0" in page.text


def test_participant_list_names_and_affiliations_only(held_event, organizer, login_as, client):
    event, apps = held_event
    apps[0].phone = "13912345678"
    db.session.commit()
    assert "Participants" not in client.get(f"/events/{event.id}?lang=en").text.split("Seats by")[1]
    assert login_as(organizer).post(f"/events/{event.id}/participants/publish").status_code == 303
    page = client.get(f"/events/{event.id}?lang=en").text
    assert apps[0].full_name in page and apps[0].affiliation in page
    assert "13912345678" not in page and apps[0].statement not in page
    api = client.get(f"/api/v1/events/{event.id}").json
    assert api["participants"][0].keys() == {"name", "affiliation", "category"}


def test_exports_csv_with_bom_and_xlsx(held_event, organizer, login_as):
    event, apps = held_event
    client = login_as(organizer)
    for kind in ("applications", "selection", "attendance"):
        resp = client.get(f"/events/{event.id}/export/{kind}.csv")
        assert resp.status_code == 200 and resp.data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
        assert len(rows) == 1 + len(apps)
        xlsx = client.get(f"/events/{event.id}/export/{kind}.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        assert sheet.max_row == 1 + len(apps)
    assert client.get(f"/events/{event.id}/export/secrets.csv").status_code == 404


def test_open_day_statements_are_filed_under_their_own_channel(
    make_event, organizer, residents, consultation, login_as
):
    event = make_event(
        kind=EventKind.open_day,
        selection_mode=SelectionMode.first_come,
        decision_id=consultation.decision_id,
    )
    application = apply(residents[0], event, "public")
    start(event)
    staff = login_as(organizer)
    body = "开放日现场建议：在政务大厅增设意见箱。"
    data = {"application_id": application.id, "body": body}
    assert staff.post(f"/events/{event.id}/record", data=data).status_code == 303
    assert staff.post(f"/events/{event.id}/record/file").status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.channel == Channel.open_day  # not counted as a field visit any more

"""Responses: drafting, four-eyes approval, publication, notification, permissions."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.models import (
    CommentGroup,
    Outcome,
    PublishMode,
    Response,
    ResponseStatus,
)
from consultations.services import responses
from participation.db import db
from participation.models import AuditEntry, OutboxMail


def _url(comment):
    return f"/staff/comments/{comment.id}/response"


def test_organizer_drafts_and_another_member_approves_and_publishes(
    make_consultation, add_comment, organizer, approver, resident, login_as
):
    c = make_consultation(state="closed")
    comment = add_comment(c, "建议延长公示期。", author=resident)
    drafter = login_as(organizer)
    resp = drafter.post(
        _url(comment), data={"outcome": "not_adopted", "reason": "公示期已符合法定要求。"}
    )
    assert resp.status_code == 303
    response = db.session.scalar(sa.select(Response).where(Response.comment_id == comment.id))
    assert response.status == ResponseStatus.draft
    assert response.drafted_by_id == organizer.id

    # The drafter may not approve their own draft.
    resp = drafter.post(f"/staff/responses/{response.id}/approve?lang=en")
    assert resp.status_code == 403
    assert "another member" in resp.get_data(as_text=True)
    db.session.refresh(response)
    assert response.status == ResponseStatus.draft

    # Publishing a draft needs approval first.
    assert drafter.post(f"/staff/responses/{response.id}/publish").status_code == 400

    second = login_as(approver)
    assert second.post(f"/staff/responses/{response.id}/approve").status_code == 303
    db.session.refresh(response)
    assert response.status == ResponseStatus.approved
    assert response.approved_by_id == approver.id
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0

    assert drafter.post(f"/staff/responses/{response.id}/publish").status_code == 303
    db.session.refresh(response)
    assert response.status == ResponseStatus.published
    assert response.published_at is not None
    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert [m.recipient for m in mails] == [resident.email]
    assert comment.receipt_no in mails[0].body
    assert "公示期已符合法定要求。" in mails[0].body
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["response.draft", "response.approve", "response.publish"]


def test_approve_and_publish_in_one_step(
    make_consultation, add_comment, organizer, approver, login_as
):
    comment = add_comment(make_consultation())
    responses.draft_for_comment(organizer, comment, "adopted", "")
    db.session.commit()
    resp = login_as(approver).post(
        f"/staff/responses/{comment.response.id}/approve", data={"publish": "1"}
    )
    assert resp.status_code == 303
    db.session.refresh(comment.response)
    assert comment.response.status == ResponseStatus.published


def test_reason_is_required_except_for_adopted(make_consultation, add_comment, organizer, login_as):
    comment = add_comment(make_consultation())
    client = login_as(organizer)
    for outcome in ("partly_adopted", "not_adopted", "explained"):
        resp = client.post(_url(comment) + "?lang=en", data={"outcome": outcome, "reason": "  "})
        assert resp.status_code == 400
        assert "reason" in resp.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    assert client.post(_url(comment), data={"outcome": "adopted"}).status_code == 303
    assert comment.response.outcome == Outcome.adopted


def test_bad_outcome_and_overlong_reason_are_refused(
    make_consultation, add_comment, organizer, login_as
):
    comment = add_comment(make_consultation())
    client = login_as(organizer)
    assert client.post(_url(comment), data={"outcome": "maybe", "reason": "x"}).status_code == 400
    long = "理" * (responses.MAX_REASON + 1)
    assert (
        client.post(_url(comment), data={"outcome": "explained", "reason": long}).status_code == 400
    )
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_residents_and_other_agencies_cannot_answer(
    make_consultation, add_comment, resident, make_org, make_user, login_as
):
    comment = add_comment(make_consultation())
    other = make_user(org=make_org("山东省交通运输厅"))
    for user in (resident, other):
        client = login_as(user)
        assert client.get(_url(comment)).status_code == 403
        assert client.post(_url(comment), data={"outcome": "adopted"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    anonymous = login_as  # noqa: F841 - readability: the next client has no session
    from flask import current_app

    assert current_app.test_client().get(_url(comment)).status_code == 302


def test_other_agency_cannot_approve(
    make_consultation, add_comment, organizer, make_org, make_user, login_as
):
    comment = add_comment(make_consultation())
    response = responses.draft_for_comment(
        organizer, comment, "explained", "不属于本草案调整范围。"
    )
    db.session.commit()
    outsider = make_user(org=make_org("山东省交通运输厅"))
    assert login_as(outsider).post(f"/staff/responses/{response.id}/approve").status_code == 403
    db.session.refresh(response)
    assert response.status == ResponseStatus.draft


def test_published_response_cannot_be_changed_or_withdrawn(
    make_consultation, add_comment, organizer, approver, login_as
):
    comment = add_comment(make_consultation())
    response = responses.draft_for_comment(organizer, comment, "not_adopted", "原因一")
    responses.approve(approver, response)
    responses.publish(approver, response)
    db.session.commit()
    client = login_as(organizer)
    resp = client.post(_url(comment), data={"outcome": "adopted", "reason": ""})
    assert resp.status_code == 409
    assert client.post(f"/staff/responses/{response.id}/discard").status_code == 409
    db.session.refresh(response)
    assert (response.outcome, response.reason) == (Outcome.not_adopted, "原因一")


def test_redraft_clears_the_approval_and_the_editor_becomes_drafter(
    make_consultation, add_comment, organizer, approver
):
    comment = add_comment(make_consultation())
    response = responses.draft_for_comment(organizer, comment, "not_adopted", "原因一")
    responses.approve(approver, response)
    responses.draft_for_comment(approver, comment, "partly_adopted", "修改后的理由")
    assert response.status == ResponseStatus.draft
    assert response.approved_by_id is None
    assert response.drafted_by_id == approver.id
    # Now the original drafter is the second pair of eyes.
    responses.approve(organizer, response)
    assert response.status == ResponseStatus.approved


def test_only_accepted_comments_are_answered(make_consultation, add_comment, organizer, login_as):
    from consultations.models import CommentStatus

    comment = add_comment(make_consultation(), status=CommentStatus.pending)
    resp = login_as(organizer).post(_url(comment), data={"outcome": "adopted"})
    assert resp.status_code == 400
    assert comment.response is None


def test_group_response_notifies_members_without_their_own_answer(
    make_consultation, add_comment, organizer, approver, make_user
):
    c = make_consultation(state="closed")
    a, b, d = make_user(), make_user(), make_user()
    group = CommentGroup(consultation_id=c.id, title="延长公示期", confirmed=True)
    db.session.add(group)
    db.session.commit()
    c1 = add_comment(c, "意见一", author=a, group_id=group.id)
    c2 = add_comment(c, "意见二", author=a, group_id=group.id)
    c3 = add_comment(c, "意见三", author=b, group_id=group.id)
    c4 = add_comment(c, "意见四", author=d, group_id=group.id)
    own = responses.draft_for_comment(organizer, c4, "adopted", "")
    responses.approve(approver, own)
    responses.publish(approver, own)
    db.session.commit()
    db.session.execute(sa.delete(OutboxMail))

    group_resp = responses.draft_for_group(organizer, group, "not_adopted", "与上位法冲突。")
    responses.approve(approver, group_resp)
    responses.publish(approver, group_resp)
    db.session.commit()
    mails = {m.recipient: m.body for m in db.session.scalars(sa.select(OutboxMail))}
    assert set(mails) == {a.email, b.email}  # d has its own published answer
    assert c1.receipt_no in mails[a.email] and c2.receipt_no in mails[a.email]
    # The member's own answer wins; the others take the group's.
    assert responses.effective_response(c4) is own
    assert responses.effective_response(c3) is group_resp


def test_unconfirmed_group_cannot_be_answered(make_consultation, add_comment, organizer, login_as):
    c = make_consultation()
    group = CommentGroup(consultation_id=c.id, title="提议", confirmed=False)
    db.session.add(group)
    db.session.commit()
    add_comment(c, group_id=group.id)
    resp = login_as(organizer).post(
        f"/staff/groups/{group.id}", data={"action": "respond", "outcome": "adopted"}
    )
    assert resp.status_code == 400
    assert group.response is None


def test_private_comment_author_is_still_notified(
    make_consultation, add_comment, organizer, approver, resident
):
    comment = add_comment(make_consultation(), author=resident, publish_mode=PublishMode.private)
    r = responses.draft_for_comment(organizer, comment, "explained", "已转交相关部门。")
    responses.approve(approver, r)
    responses.publish(approver, r)
    db.session.commit()
    assert db.session.scalar(sa.select(OutboxMail.recipient)) == resident.email

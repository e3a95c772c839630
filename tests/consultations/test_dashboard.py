"""The staff dashboard: per-agency consultations, deadlines and alerts, filters, bulk work."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consultations.models import Channel, CommentGroup, Response, ResponseStatus
from consultations.models.response import DeadlineAlert
from consultations.services import dashboard, responses
from consultations.tasks import deadline_alerts
from participation.db import db, utcnow
from participation.models import OutboxMail
from participation.workdays import add_workdays, workdays_between


def _closed_days_ago(make_consultation, workdays_left: int, **kw):
    """A closed consultation whose feedback deadline is `workdays_left` working days away."""
    today = dashboard.local_date(utcnow())
    # Walk back until the deadline (20 working days after closing) sits where we want it.
    closed_on = today - timedelta(days=1)
    while workdays_between(today, add_workdays(closed_on, 20)) != workdays_left:
        closed_on -= timedelta(days=1)
        if (today - closed_on).days > 200:
            raise AssertionError("calendar search failed")
    closes = datetime(closed_on.year, closed_on.month, closed_on.day, 8, 0, tzinfo=UTC)
    return make_consultation(
        state="closed", opens_at=closes - timedelta(days=30), closes_at=closes, **kw
    )


def test_dashboard_lists_own_agency_with_counts(
    make_consultation,
    make_decision,
    add_comment,
    organizer,
    approver,
    make_org,
    make_user,
    login_as,
):
    mine = make_consultation(title="我的征求意见")
    other_org = make_org("山东省交通运输厅")
    theirs = make_consultation(decision=make_decision(org=other_org), title="交通厅的征求意见")
    a, b, _c = add_comment(mine), add_comment(mine), add_comment(mine)
    r = responses.draft_for_comment(organizer, a, "adopted", "")
    responses.approve(approver, r)
    responses.publish(approver, r)
    responses.draft_for_comment(organizer, b, "explained", "说明")
    db.session.commit()
    add_comment(theirs)

    html = login_as(organizer).get("/staff/consultations/?lang=en").get_data(as_text=True)
    assert "我的征求意见" in html and "交通厅的征求意见" not in html
    load = dashboard.workload([mine.id])[mine.id]
    assert load == {"comments": 3, "unanswered": 2, "in_progress": 1, "held": 0, "rejected": 0}

    outsider = make_user(org=other_org)
    html = login_as(outsider).get("/staff/consultations/").get_data(as_text=True)
    assert "交通厅的征求意见" in html and "我的征求意见" not in html
    admin = make_user(admin=True)
    html = login_as(admin).get("/staff/consultations/").get_data(as_text=True)
    assert "交通厅的征求意见" in html and "我的征求意见" in html


def test_residents_are_refused(resident, login_as, make_consultation):
    c = make_consultation()
    client = login_as(resident)
    assert client.get("/staff/consultations/").status_code == 403
    assert client.get(f"/staff/consultations/{c.id}/").status_code == 403
    # Refused before the form is even read: an outsider learns nothing from a 400.
    assert client.post(f"/staff/consultations/{c.id}/bulk", data={}).status_code == 403


def test_deadline_levels_and_alert_text(make_consultation, organizer, login_as):
    soon = _closed_days_ago(make_consultation, 3, title="即将到期")
    assert dashboard.feedback_deadline(soon).level == "soon"
    ok = _closed_days_ago(make_consultation, 12, title="时间充裕")
    assert dashboard.feedback_deadline(ok).level == "ok"
    overdue = make_consultation(
        state="closed", closes_at=utcnow() - timedelta(days=60), title="已经逾期"
    )
    info = dashboard.feedback_deadline(overdue)
    assert info.level == "overdue" and info.days_left < 0
    open_one = make_consultation(title="正在征求")
    assert dashboard.feedback_deadline(open_one).level == "open"

    html = login_as(organizer).get("/staff/consultations/?lang=en").get_data(as_text=True)
    assert "need attention" in html
    assert "Due soon" in html and "3 working days left" in html
    assert "Overdue" in html


def test_comment_filters(make_consultation, add_comment, organizer, approver, login_as):
    c = make_consultation()
    art = c.draft.articles[1]
    group = CommentGroup(consultation_id=c.id, title="分组", confirmed=True)
    db.session.add(group)
    db.session.commit()
    on_article = add_comment(c, "关于第二条的意见", article_id=art.id)
    by_letter = add_comment(c, "来信意见", channel=Channel.letter)
    in_group = add_comment(c, "分组意见", group_id=group.id)
    answered = add_comment(c, "已答复意见")
    r = responses.draft_for_comment(organizer, answered, "not_adopted", "理由")
    responses.approve(approver, r)
    responses.publish(approver, r)
    drafted = add_comment(c, "草拟中的意见")
    responses.draft_for_comment(organizer, drafted, "adopted", "")
    db.session.commit()
    client = login_as(organizer)

    def receipts(query):
        html = client.get(f"/staff/consultations/{c.id}/?{query}").get_data(as_text=True)
        all_ = [on_article, by_letter, in_group, answered, drafted]
        return {x.receipt_no for x in all_ if x.receipt_no in html}

    assert receipts(f"article={art.id}") == {on_article.receipt_no}
    assert receipts("channel=letter") == {by_letter.receipt_no}
    assert receipts(f"group={group.id}") == {in_group.receipt_no}
    assert receipts("outcome=not_adopted") == {answered.receipt_no}
    assert receipts("state=unanswered") == {
        x.receipt_no for x in (on_article, by_letter, in_group, drafted)
    }
    assert receipts("state=published") == {answered.receipt_no}
    assert receipts("state=draft") == {drafted.receipt_no}
    assert receipts("state=todo") == {
        on_article.receipt_no,
        by_letter.receipt_no,
        in_group.receipt_no,
    }
    assert receipts("q=来信") == {by_letter.receipt_no}
    # Unknown filter values are ignored rather than failing.
    assert len(receipts("channel=pigeon&outcome=x&article=y")) == 5


def test_comment_list_is_paginated(make_consultation, add_comment, organizer, login_as):
    c = make_consultation()
    for i in range(55):
        add_comment(c, f"意见{i}")
    html = login_as(organizer).get(f"/staff/consultations/{c.id}/?lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert html.count('name="ids"') == 50


def test_bulk_draft_is_all_or_nothing(make_consultation, add_comment, organizer, login_as):
    c, other = make_consultation(), make_consultation()
    mine = [add_comment(c) for _ in range(2)]
    foreign = add_comment(other)
    client = login_as(organizer)
    url = f"/staff/consultations/{c.id}/bulk"
    data = {"action": "draft", "outcome": "explained", "reason": "已在第五条中统一规定。"}
    resp = client.post(url, data={**data, "ids": [mine[0].id, foreign.id]})
    assert resp.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    resp = client.post(url, data={**data, "ids": [m.id for m in mine], "reason": ""})
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    assert client.post(url, data={**data, "ids": []}).status_code == 400
    resp = client.post(url, data={**data, "ids": [m.id for m in mine]})
    assert resp.status_code == 303
    rows = db.session.scalars(sa.select(Response)).all()
    assert len(rows) == 2 and all(r.status == ResponseStatus.draft for r in rows)


def test_bulk_approve_and_publish(make_consultation, add_comment, organizer, approver, login_as):
    c = make_consultation()
    comments = [add_comment(c) for _ in range(3)]
    ids = [x.id for x in comments]
    for x in comments:
        responses.draft_for_comment(organizer, x, "adopted", "")
    db.session.commit()
    url = f"/staff/consultations/{c.id}/bulk"
    # The drafter's bulk approval is refused as a whole.
    assert login_as(organizer).post(url, data={"action": "approve", "ids": ids}).status_code == 403
    client = login_as(approver)
    assert client.post(url, data={"action": "approve", "ids": ids}).status_code == 303
    assert client.post(url, data={"action": "publish", "ids": ids}).status_code == 303
    statuses = set(db.session.scalars(sa.select(Response.status)))
    assert statuses == {ResponseStatus.published}


def test_deadline_alert_job_mails_once_per_threshold(
    make_consultation, organizer, approver, resident
):
    c = _closed_days_ago(make_consultation, 4)
    assert deadline_alerts() == 1
    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert sorted(m.recipient for m in mails) == sorted([organizer.email, approver.email])
    assert f"/staff/consultations/{c.id}/" in mails[0].body
    assert deadline_alerts() == 0  # idempotent
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 2
    # Once overdue, one more alert.
    c.closes_at = utcnow() - timedelta(days=60)
    db.session.commit()
    assert deadline_alerts() == 1
    thresholds = set(db.session.scalars(sa.select(DeadlineAlert.threshold)))
    assert thresholds == {"soon", "overdue"}


def test_deadline_alert_skips_published_reports_and_distant_deadlines(make_consultation):
    _closed_days_ago(make_consultation, 15)
    reported = make_consultation(state="closed", closes_at=utcnow() - timedelta(days=60))
    reported.report_published_at = utcnow()
    db.session.commit()
    assert deadline_alerts() == 0


def test_periodic_job_is_registered(app):
    from participation.registry import registry

    assert any(j.task_name == "consultations.deadline_alerts" for j in registry(app).periodic)


def test_a_deadline_today_shows_the_hours_left_not_zero_days(
    make_consultation, organizer, login_as
):
    from participation.workdays import is_workday

    if not is_workday(dashboard.local_date(utcnow())):
        pytest.skip("a feedback deadline always falls on a working day")
    c = _closed_days_ago(make_consultation, 0)
    assert dashboard.feedback_deadline(c).days_left == 0
    html = login_as(organizer).get("/staff/consultations/?lang=en").get_data(as_text=True)
    assert " 0 working days" not in html
    assert re.search(r"Due today \([^)]*\): (\d+ (hours?|minutes?)|less than a minute) left", html)

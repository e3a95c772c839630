"""Consultation windows: creating a notice, the short-window rule, extensions,
moderation mode, the derived state and what the public notice shows."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consultations.models import (
    Consultation,
    ConsultationExtension,
    DecisionAdjustment,
    DraftVersion,
    ModerationMode,
    Stage,
)
from consultations.services import windows
from participation.db import db, utcnow
from participation.models import AuditEntry

BEIJING = ZoneInfo("Asia/Shanghai")


def local(dt):
    """A datetime-local form value in Beijing time."""
    return dt.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def published_draft(make_decision, organizer):
    d = make_decision(stage=Stage.drafting)
    from consultations.models import Article

    draft = DraftVersion(
        decision=d, version=1, title="条例（征求意见稿）", published_at=utcnow(), source=""
    )
    for n in range(1, 4):
        draft.articles.append(Article(number=n, label=f"第{n}条", text=f"第{n}条的内容。"))
    db.session.add(draft)
    db.session.commit()
    return draft


def _form(draft, days=30, **kw):
    now = utcnow()
    data = {
        "draft_id": str(draft.id),
        "title": "关于条例公开征求意见的公告",
        "opens_at": local(now + timedelta(minutes=5)),
        "closes_at": local(now + timedelta(days=days, minutes=10)),
        "postal_address": "济南市历下区经十路1号 法规处",
        "email": "yijian@sthj.example.cn",
        "phone": "0531-66200000",
        "moderation": "post",
    }
    data.update(kw)
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_organizer_opens_a_consultation_and_the_notice_shows_everything(
    client, published_draft, organizer, login_as
):
    d = published_draft.decision
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/consultations/new", data=_form(published_draft)
    )
    assert resp.status_code == 303
    c = db.session.scalar(sa.select(Consultation))
    assert c.draft_id == published_draft.id and c.short_window_reason == ""
    assert c.decision.stage == Stage.consulting  # the catalogue follows the step
    assert db.session.scalar(
        sa.select(DecisionAdjustment).where(DecisionAdjustment.kind == "stage")
    )
    assert "consultation.create" in set(db.session.scalars(sa.select(AuditEntry.action)))

    html = client.get(f"/consultations/{c.id}?lang=en").get_data(as_text=True)
    assert "济南市历下区经十路1号" in html  # letter
    assert "mailto:yijian@sthj.example.cn" in html  # email
    assert "0531-66200000" in html  # phone
    assert "Online" in html and "Deadline" in html
    assert 'id="article-2"' in html
    assert "Why the comment period is shorter" not in html


def test_short_window_requires_a_reason_shown_in_the_notice(
    client, published_draft, organizer, login_as
):
    d = published_draft.decision
    staff = login_as(organizer)
    refused = staff.post(
        f"/staff/decisions/{d.id}/consultations/new?lang=en", data=_form(published_draft, days=15)
    )
    assert refused.status_code == 400
    assert "shorter than 30 days" in refused.get_data(as_text=True)
    assert _count(Consultation) == 0

    reason = "预案须在采暖季前印发，时间紧迫，征求意见期限为15天。"
    ok = staff.post(
        f"/staff/decisions/{d.id}/consultations/new",
        data=_form(published_draft, days=15, short_window_reason=reason),
    )
    assert ok.status_code == 303
    c = db.session.scalar(sa.select(Consultation))
    html = client.get(f"/consultations/{c.id}?lang=en").get_data(as_text=True)
    assert "Why the comment period is shorter than 30 days" in html and reason in html


def test_min_comment_days_is_configurable(app, published_draft, organizer, login_as):
    app.config["MIN_COMMENT_DAYS"] = 10
    d = published_draft.decision
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/consultations/new", data=_form(published_draft, days=15)
    )
    assert resp.status_code == 303


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"closes_at": "invalid"}, "closes_at", 400),
        ({"opens_at": ""}, "opens_at", 400),
        ({"email": "not-an-email"}, "email", 400),
        ({"phone": "<script>"}, "phone", 400),
        ({"postal_address": ""}, "postal_address", 400),
        ({"moderation": "none"}, "moderation", 400),
        ({"draft_id": "999999"}, "draft_id", 400),
        ({"draft_id": "abc"}, "draft_id", 400),
        ({"title": "题" * 301}, "title", 400),
    ],
)
def test_create_rejects_bad_input(published_draft, organizer, login_as, changes, field, status):
    d = published_draft.decision
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/consultations/new?lang=en",
        data=_form(published_draft, **changes),
    )
    assert resp.status_code == status
    assert f'id="e-{field}"' in resp.get_data(as_text=True)
    assert _count(Consultation) == 0


def test_window_must_close_after_it_opens_and_not_open_in_the_past(
    published_draft, organizer, login_as
):
    d = published_draft.decision
    now = utcnow()
    staff = login_as(organizer)
    backwards = _form(
        published_draft,
        opens_at=local(now + timedelta(days=10)),
        closes_at=local(now + timedelta(days=5)),
    )
    resp = staff.post(f"/staff/decisions/{d.id}/consultations/new?lang=en", data=backwards)
    assert resp.status_code == 400
    assert "must close after it opens" in resp.get_data(as_text=True)
    past = _form(published_draft, opens_at=local(now - timedelta(days=5)))
    resp = staff.post(f"/staff/decisions/{d.id}/consultations/new?lang=en", data=past)
    assert resp.status_code == 400
    assert _count(Consultation) == 0


def test_consultation_needs_a_published_draft_of_the_same_decision(
    make_decision, published_draft, organizer, login_as
):
    d = published_draft.decision
    other_decision = make_decision(title="另一个事项")
    unpublished = DraftVersion(decision=d, version=2, title="内部稿", source="")
    foreign = DraftVersion(
        decision=other_decision, version=1, title="他稿", source="", published_at=utcnow()
    )
    db.session.add_all([unpublished, foreign])
    db.session.commit()
    staff = login_as(organizer)
    for draft in (unpublished, foreign):
        resp = staff.post(
            f"/staff/decisions/{d.id}/consultations/new",
            data=_form(published_draft, draft_id=draft.id),
        )
        assert resp.status_code == 400
    assert _count(Consultation) == 0


def test_overlapping_windows_on_one_decision_conflict(
    make_consultation, published_draft, organizer, login_as
):
    d = published_draft.decision
    make_consultation(decision=d)  # open now for 30 days
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/consultations/new", data=_form(published_draft)
    )
    assert resp.status_code == 409


def test_residents_and_other_agencies_get_403(
    published_draft, resident, make_org, make_user, login_as
):
    d = published_draft.decision
    for user in (resident, make_user(org=make_org())):
        client = login_as(user)
        assert client.get(f"/staff/decisions/{d.id}/consultations/new").status_code == 403
        resp = client.post(
            f"/staff/decisions/{d.id}/consultations/new", data=_form(published_draft)
        )
        assert resp.status_code == 403
    assert _count(Consultation) == 0


def test_anonymous_is_sent_to_sign_in(client, published_draft):
    d = published_draft.decision
    resp = client.post(f"/staff/decisions/{d.id}/consultations/new", data=_form(published_draft))
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


# ---- extensions -----------------------------------------------------------------------


def test_extension_is_recorded_audited_and_shown(client, make_consultation, organizer, login_as):
    c = make_consultation()
    old_close = c.closes_at
    staff = login_as(organizer)
    url = f"/staff/decisions/{c.decision_id}/consultations/{c.id}/extend"
    earlier = staff.post(
        url + "?lang=en",
        data={"closes_at": local(old_close - timedelta(days=1)), "reason": "太短了需要延长"},
    )
    assert earlier.status_code == 400
    assert "later than the current one" in earlier.get_data(as_text=True)
    no_reason = staff.post(url, data={"closes_at": local(old_close + timedelta(days=7))})
    assert no_reason.status_code == 400
    assert _count(ConsultationExtension) == 0

    reason = "应社区居民要求，延长征求意见期限7天。"
    ok = staff.post(url, data={"closes_at": local(old_close + timedelta(days=7)), "reason": reason})
    assert ok.status_code == 303
    db.session.refresh(c)
    assert c.closes_at > old_close + timedelta(days=6)
    ext = db.session.scalar(sa.select(ConsultationExtension))
    assert ext.old_closes_at == old_close and ext.reason == reason
    assert "consultation.extend" in set(db.session.scalars(sa.select(AuditEntry.action)))
    html = client.get(f"/consultations/{c.id}?lang=en").get_data(as_text=True)
    assert "Extensions of the deadline" in html and reason in html


def test_closed_window_cannot_be_extended(make_consultation, organizer, login_as):
    c = make_consultation(state="closed")
    resp = login_as(organizer).post(
        f"/staff/decisions/{c.decision_id}/consultations/{c.id}/extend",
        data={"closes_at": local(utcnow() + timedelta(days=7)), "reason": "补充征求意见七天。"},
    )
    assert resp.status_code == 410
    assert _count(ConsultationExtension) == 0


def test_other_agency_cannot_extend(make_consultation, make_org, make_user, login_as):
    c = make_consultation()
    resp = login_as(make_user(org=make_org())).post(
        f"/staff/decisions/{c.decision_id}/consultations/{c.id}/extend",
        data={"closes_at": local(c.closes_at + timedelta(days=7)), "reason": "我们想延长期限。"},
    )
    assert resp.status_code == 403


def test_consultation_of_another_decision_is_404(
    make_consultation, make_decision, organizer, login_as
):
    c = make_consultation()
    other = make_decision(title="别的事项")
    resp = login_as(organizer).get(f"/staff/decisions/{other.id}/consultations/{c.id}/extend")
    assert resp.status_code == 404


def test_moderation_mode_change_is_audited(make_consultation, organizer, resident, login_as):
    c = make_consultation()
    url = f"/staff/decisions/{c.decision_id}/consultations/{c.id}/moderation"
    assert login_as(resident).post(url, data={"moderation": "pre"}).status_code == 403
    assert login_as(organizer).post(url, data={"moderation": "bogus"}).status_code == 400
    assert login_as(organizer).post(url, data={"moderation": "pre"}).status_code == 303
    db.session.refresh(c)
    assert c.moderation == ModerationMode.pre
    assert "consultation.moderation" in set(db.session.scalars(sa.select(AuditEntry.action)))


# ---- derived state and public pages ---------------------------------------------------


def test_state_and_time_left_are_derived_from_the_window(app, make_consultation):
    with app.test_request_context("/?lang=en"):
        c = make_consultation()
        now = utcnow()
        c.opens_at, c.closes_at = now - timedelta(days=1), now + timedelta(days=2, hours=1)
        assert windows.notice(c, now).state == "open"
        assert windows.notice(c, now).time_left == "2 days left"  # never overstated
        assert windows.notice(c, now).length == "3 days"
        assert windows.notice(c, now - timedelta(days=2)).state == "scheduled"
        assert windows.notice(c, now - timedelta(days=2)).opens_in == "in 1 day"
        assert windows.notice(c, now + timedelta(days=3)).state == "closed"
        assert windows.notice(c, now + timedelta(days=3)).time_left == "time is up"
        assert windows.notice(c, now).is_short  # 3 days < 30


def test_a_short_window_shows_hours_and_minutes_not_days(client, make_consultation):
    # Seen by residents: "还剩 1 天" with 5 minutes left and "期限为 0 天" were wrong.
    c = make_consultation(title="短时征求")
    now = utcnow()
    c.opens_at, c.closes_at = now - timedelta(hours=5), now + timedelta(minutes=5, seconds=30)
    c.short_window_reason = "紧急事项，依法缩短征求意见期限。"
    db.session.commit()
    html = client.get(f"/consultations/{c.id}").get_data(as_text=True)
    assert "还剩 5 分钟" in html and "还剩 1 天" not in html
    assert "征求意见期限为 5 小时。" in html and "0 天" not in html
    en = client.get(f"/consultations/{c.id}?lang=en").get_data(as_text=True)
    assert "5 minutes left" in en and "The comment period lasts 5 hours." in en
    listing = client.get("/consultations/?lang=zh").get_data(as_text=True)
    assert "还剩 5 分钟" in listing
    assert "还剩 5 分钟" in client.get("/?lang=zh").get_data(as_text=True)

    c.opens_at = now + timedelta(hours=3, minutes=30)
    c.closes_at = now + timedelta(days=40)
    db.session.commit()
    assert "3 小时后开始" in client.get(f"/consultations/{c.id}").get_data(as_text=True)


def test_list_puts_open_consultations_first(client, make_consultation, make_decision):
    closed = make_consultation(decision=make_decision(title="甲"), state="closed", title="已结束的")
    scheduled = make_consultation(
        decision=make_decision(title="乙"), state="scheduled", title="即将开始的"
    )
    opened = make_consultation(decision=make_decision(title="丙"), title="正在征求的")
    html = client.get("/consultations/?lang=en").get_data(as_text=True)
    positions = [html.index(c.title) for c in (opened, scheduled, closed)]
    assert positions == sorted(positions)
    assert "Open for comment" in html and "Not yet open" in html and "Closed" in html


def test_confidential_decisions_consultation_is_hidden(client, make_consultation, make_decision):
    c = make_consultation(decision=make_decision(confidential=True), title="涉密征求")
    assert client.get(f"/consultations/{c.id}").status_code == 404
    assert "涉密征求" not in client.get("/consultations/").get_data(as_text=True)
    assert "涉密征求" not in client.get("/").get_data(as_text=True)


def test_home_page_shows_open_consultations_with_days_left(client, make_consultation):
    c = make_consultation(title="首页上的征求意见")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert c.title in html and "days left" in html


def test_closed_notice_offers_no_comment_links(client, make_consultation):
    c = make_consultation(state="closed")
    html = client.get(f"/consultations/{c.id}?lang=en").get_data(as_text=True)
    assert "Comment on this article" not in html
    assert "opinions can no longer be sent" in html

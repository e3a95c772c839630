"""The decision catalogue: public listing and filters, decision pages, organizer edits
with published adjustments, permissions and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consultations.models import Decision, DecisionAdjustment, Stage
from consultations.services import catalogue as catalogue_service
from consultations.timeline import HOOK, TimelineItem
from participation.db import db, utcnow
from participation.errors import PermissionDenied, ServiceError
from participation.models import AuditEntry
from participation.registry import registry


@pytest.fixture
def in_request(app):
    """Services translate their messages, so direct calls need a request context."""
    with app.test_request_context("/?lang=en"):
        yield


def _audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# ---- public catalogue -----------------------------------------------------------------


def test_catalogue_lists_public_decisions_and_never_confidential_ones(
    client, make_decision, make_org
):
    make_decision(title="公开的决策事项")
    secret_agency = make_org("国家安全厅", name_en="Secret Dept")
    make_decision(org=secret_agency, title="涉密决策事项", confidential=True)
    html = client.get("/decisions/?lang=en").get_data(as_text=True)
    assert "公开的决策事项" in html
    assert "涉密决策事项" not in html
    assert "1 decision" in html  # the secret one is not even counted
    assert "Secret Dept" not in html  # nor does its agency appear in the filter


def test_catalogue_filters_by_year_agency_and_stage(client, make_decision, make_org):
    other = make_org("山东省交通运输厅", name_en="Transport")
    make_decision(title="今年环境", stage=Stage.drafting)
    make_decision(org=other, title="今年交通", stage=Stage.decided)
    make_decision(title="去年环境", year=utcnow().year - 1, stage=Stage.drafting)

    default = client.get("/decisions/").get_data(as_text=True)
    assert "今年环境" in default and "去年环境" not in default  # latest year by default

    all_years = client.get("/decisions/?year=all").get_data(as_text=True)
    assert "去年环境" in all_years and "今年交通" in all_years

    by_agency = client.get(f"/decisions/?year=all&agency={other.id}").get_data(as_text=True)
    assert "今年交通" in by_agency and "今年环境" not in by_agency

    by_stage = client.get("/decisions/?year=all&stage=drafting").get_data(as_text=True)
    assert "今年环境" in by_stage and "去年环境" in by_stage and "今年交通" not in by_stage


@pytest.mark.parametrize("query", ["stage=secret", "year=abc", "agency=x", "level=galaxy"])
def test_catalogue_rejects_malformed_filters(client, query):
    assert client.get(f"/decisions/?{query}").status_code == 400


def test_catalogue_is_paginated(client, make_decision):
    for i in range(23):
        make_decision(title=f"决策事项{i:02d}", number=i + 1)
    first = client.get("/decisions/?lang=en").get_data(as_text=True)
    second = client.get("/decisions/?page=2").get_data(as_text=True)
    assert "决策事项00" in first and "决策事项22" not in first
    assert "决策事项22" in second
    assert "Page 1 of 2" in first


def test_confidential_decision_is_404_for_public_and_other_agencies(
    client, make_decision, organizer, resident, make_org, make_user, login_as
):
    d = make_decision(title="涉密事项", confidential=True)
    other_org_staff = make_user(org=make_org())
    assert client.get(f"/decisions/{d.id}").status_code == 404
    assert login_as(resident).get(f"/decisions/{d.id}").status_code == 404
    assert login_as(other_org_staff).get(f"/decisions/{d.id}").status_code == 404
    own = login_as(organizer).get(f"/decisions/{d.id}?lang=en")
    assert own.status_code == 200
    assert "Confidential" in own.get_data(as_text=True)


def test_decision_page_links_steps_and_other_features_timeline(
    app, client, make_decision, make_consultation
):
    d = make_decision(title="大气条例")
    c = make_consultation(decision=d, state="closed")
    c.report_published_at = utcnow() - timedelta(days=1)
    db.session.commit()

    def hearings(decision):
        return [TimelineItem(utcnow(), "hearing", "立法听证会", "/events/99")]

    registry(app).hook(HOOK, hearings)
    html = client.get(f"/decisions/{d.id}?lang=en").get_data(as_text=True)
    assert f"/decisions/{d.id}/drafts/1" in html
    assert f"/consultations/{c.id}" in html
    assert "Feedback report published" in html
    assert "立法听证会" in html and "/events/99" in html
    assert 'aria-current="step"' in html  # the stepper marks the current stage


def test_decision_page_shows_recorded_outcome(client, make_decision, organizer, login_as):
    d = make_decision(stage=Stage.deliberating)
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/outcome",
        data={
            "deliberated_on": (utcnow() - timedelta(days=3)).date().isoformat(),
            "deliberation": "省政府常务会议审议通过。",
            "decided_on": (utcnow() - timedelta(days=2)).date().isoformat(),
            "decision_text": "印发施行。<script>alert(1)</script>",
            "interpretation": "**解读**：主要变化。",
        },
    )
    assert resp.status_code == 303
    assert db.session.get(Decision, d.id).stage == Stage.decided
    html = client.get(f"/decisions/{d.id}?lang=en").get_data(as_text=True)
    assert 'id="decision"' in html and "印发施行" in html
    assert "<script>alert(1)</script>" not in html
    assert "<strong>解读</strong>" in html
    assert "decision.outcome" in _audit_actions()


def test_outcome_rejects_a_decision_date_without_text(make_decision, organizer, login_as):
    d = make_decision()
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/outcome?lang=en",
        data={"decided_on": utcnow().date().isoformat()},
    )
    assert resp.status_code == 400
    assert "Please enter the decision text." in resp.get_data(as_text=True)
    assert db.session.get(Decision, d.id).decided_on is None


# ---- organizer writes -----------------------------------------------------------------


def _decision_form(**kw):
    data = {
        "title": "山东省生态保护补偿办法",
        "summary": "建立生态保护补偿机制。",
        "legal_basis": "《生态保护补偿条例》",
        "planned_start": f"{utcnow().year}-03-01",
        "planned_end": f"{utcnow().year}-11-30",
        "stage": "planned",
        "year": str(utcnow().year),
    }
    data.update(kw)
    return data


def test_organizer_creates_a_decision_listed_publicly_with_audit(
    client, agency, organizer, login_as
):
    resp = login_as(organizer).post(
        "/staff/decisions/new", data=_decision_form(organization_id=agency.id)
    )
    assert resp.status_code == 303
    d = db.session.scalar(sa.select(Decision))
    assert d.title == "山东省生态保护补偿办法" and d.number == 1
    assert d.catalogue.year == utcnow().year
    assert [a.kind for a in d.adjustments] == ["added"]
    assert "decision.create" in _audit_actions()
    assert "山东省生态保护补偿办法" in client.get("/decisions/").get_data(as_text=True)


def test_resident_and_other_agency_cannot_create_decisions(
    agency, resident, make_org, make_user, login_as
):
    other_staff = make_user(org=make_org())
    for user in (resident, other_staff):
        resp = login_as(user).post(
            "/staff/decisions/new", data=_decision_form(organization_id=agency.id)
        )
        assert resp.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 301}, "title"),
        ({"planned_start": "2026-13-01"}, "planned_start"),
        ({"planned_end": f"{utcnow().year}-01-01"}, "planned_end"),
        ({"stage": "abolished"}, "stage"),
        ({"year": "1066"}, "year"),
        ({"year": "next"}, "year"),
    ],
)
def test_create_decision_rejects_bad_input(agency, organizer, login_as, changes, field):
    resp = login_as(organizer).post(
        "/staff/decisions/new?lang=en", data=_decision_form(organization_id=agency.id, **changes)
    )
    assert resp.status_code == 400
    assert f'id="e-{field}"' in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0


def test_adjustment_needs_a_reason_and_is_shown_publicly(
    client, make_decision, organizer, login_as
):
    d = make_decision(title="旧标题", stage=Stage.planned)
    staff = login_as(organizer)
    no_reason = staff.post(
        f"/staff/decisions/{d.id}/edit?lang=en",
        data=_decision_form(title="新标题", stage="planned"),
    )
    assert no_reason.status_code == 400
    assert "Please give the reason" in no_reason.get_data(as_text=True)
    assert db.session.get(Decision, d.id).title == "旧标题"

    ok = staff.post(
        f"/staff/decisions/{d.id}/edit",
        data=_decision_form(title="新标题", stage="planned", reason="与上位法名称保持一致"),
    )
    assert ok.status_code == 303
    adjustment = db.session.scalar(
        sa.select(DecisionAdjustment).where(DecisionAdjustment.kind == "changed")
    )
    assert adjustment.changes["title"] == ["旧标题", "新标题"]
    html = client.get(f"/decisions/{d.id}?lang=en").get_data(as_text=True)
    assert "与上位法名称保持一致" in html
    assert "<del>" in html and "旧标题" in html and "新标题" in html
    assert "decision.adjust" in _audit_actions()


def test_unchanged_adjustment_is_refused(make_decision, organizer, in_request):
    d = make_decision(title="标题", stage=Stage.planned)
    with pytest.raises(ServiceError):
        catalogue_service.adjust_decision(
            organizer,
            d,
            {"title": "标题", "summary": d.summary, "stage": "planned", "reason": "无"},
        )


def test_other_agency_organizer_cannot_adjust_or_withdraw(
    make_decision, make_org, make_user, login_as
):
    d = make_decision(title="标题")
    other = login_as(make_user(org=make_org()))
    assert other.get(f"/staff/decisions/{d.id}/edit").status_code == 403
    resp = other.post(f"/staff/decisions/{d.id}/withdraw", data={"reason": "我想撤回这个事项。"})
    assert resp.status_code == 403
    assert db.session.get(Decision, d.id).withdrawn is False


def test_withdrawal_is_an_adjustment_with_reason(client, make_decision, organizer, login_as):
    d = make_decision(title="待撤回事项")
    staff = login_as(organizer)
    assert staff.post(f"/staff/decisions/{d.id}/withdraw", data={"reason": ""}).status_code == 400
    assert (
        staff.post(
            f"/staff/decisions/{d.id}/withdraw", data={"reason": "国家政策调整，本年度不再制定。"}
        ).status_code
        == 303
    )
    again = staff.post(
        f"/staff/decisions/{d.id}/withdraw", data={"reason": "国家政策调整，本年度不再制定。"}
    )
    assert again.status_code == 409
    html = client.get(f"/decisions/{d.id}?lang=en").get_data(as_text=True)
    assert "Withdrawn" in html and "国家政策调整" in html
    assert "decision.withdraw" in _audit_actions()


def test_hostile_title_is_escaped_everywhere(client, make_decision):
    d = make_decision(title="<script>alert('x')</script>条例")
    for path in ("/decisions/?year=all", f"/decisions/{d.id}", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in client.get(f"/decisions/{d.id}").get_data(as_text=True)


def test_service_refuses_anonymous_and_residents(make_decision, resident, agency, in_request):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        catalogue_service.create_decision(resident, agency, utcnow().year, _decision_form())
    with pytest.raises(PermissionDenied):
        catalogue_service.withdraw_decision(AnonymousUserMixin(), make_decision(), "原因足够长")


def test_staff_pages_list_only_own_agency(make_decision, make_org, organizer, login_as):
    make_decision(title="本厅事项")
    make_decision(org=make_org(), title="他厅事项")
    html = login_as(organizer).get("/staff/decisions/").get_data(as_text=True)
    assert "本厅事项" in html and "他厅事项" not in html


def test_resident_gets_403_on_staff_list(resident, login_as):
    assert login_as(resident).get("/staff/decisions/").status_code == 403


def test_the_second_organizer_of_the_agency_may_adjust(make_decision, approver, login_as):
    d = make_decision(title="起草人创建的事项", stage=Stage.planned)
    resp = login_as(approver).post(
        f"/staff/decisions/{d.id}/edit",
        data=_decision_form(title="审核人调整后的事项", stage="drafting", reason="启动起草工作。"),
    )
    assert resp.status_code == 303
    assert db.session.get(Decision, d.id).stage == Stage.drafting


def test_admin_may_list_for_any_agency_but_not_for_a_non_agency(
    agency, make_org, make_user, login_as
):
    admin = make_user(admin=True)
    ngo = make_org("山东省环保志愿者协会", is_agency=False)
    resp = login_as(admin).post(
        "/staff/decisions/new?lang=en", data=_decision_form(organization_id=ngo.id)
    )
    assert resp.status_code == 400
    assert "Only a government agency can lead a decision." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0
    ok = login_as(admin).post(
        "/staff/decisions/new", data=_decision_form(organization_id=agency.id)
    )
    assert ok.status_code == 303

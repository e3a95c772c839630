"""Demo events: a hearing open for sign-up, a past oversubscribed hearing with its
published lottery, participant list, confirmed record and answered statements, an
upcoming open day and a past symposium. Runs after the consultations loader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from consultations.demo_data.responses import two_staff
from consultations.models import Consultation, Outcome, Response, ResponseStatus
from consultations.services import editions
from participation.db import db, utcnow

from .models import Application, EventKind, RecordEntry, SelectionDraw, SelectionMode
from .services import applications, evaluations, manage, record, selection

HEARING_RULES = (
    "一、名额：听证参加人共10名，其中利害关系人代表6名、专家2名、人大代表和政协委员1名、"
    "社会公众1名，利害关系人代表不少于参加人总数的二分之一。\n"
    "二、报名：符合条件的公民、法人和其他组织在报名期内网上报名，说明拟陈述的主要观点。\n"
    "三、遴选：报名人数不超过某类名额的，该类报名人全部确定为参加人；超过的，在公证人员监督下"
    "按公开的随机抽签算法（sha256-rank-v1）分类抽签，抽签前公布随机种子的哈希值，抽签后公布"
    "种子和结果，任何人可以复核。未抽中者按抽签顺序列入候补。\n"
    "四、候补：参加人退出的，由同类候补人员依次递补，递补通知发出后48小时内未确认的视为放弃。"
)
CATS_HEARING = [
    {"key": "stakeholder", "label": "利害关系人代表", "seats": 6, "is_stakeholder": True},
    {"key": "expert", "label": "专家", "seats": 2, "is_stakeholder": False},
    {"key": "deputy", "label": "人大代表、政协委员", "seats": 1, "is_stakeholder": False},
    {"key": "public", "label": "社会公众", "seats": 1, "is_stakeholder": False},
]
AFFILIATIONS = [
    "历下区居民",
    "济南某建材有限公司",
    "山东大学环境科学与工程学院",
    "市中区某社区居委会",
    "济南某餐饮管理公司",
    "省人大代表",
    "槐荫区居民",
    "山东某环保科技公司",
]
STATEMENTS = [
    "建议将施工工地扬尘在线监测数据向社会实时公开，并明确超标处罚的具体标准。",
    "餐饮油烟净化设施的安装和维护费用较高，建议对小微餐饮企业给予过渡期和补贴。",
    "建议在条例中明确重污染天气应急期间中小学停课的启动条件和信息发布渠道。",
    "第二十三条罚款额度偏低，对屡次违法的企业应当按日连续处罚。",
    "建议增加公众举报奖励条款，鼓励居民参与大气污染监督。",
    "机动车排放检验应与交通管理部门数据共享，避免重复检测给车主带来负担。",
    "老旧小区冬季燃煤取暖替代应有配套资金保障，不能一刀切。",
    "建议明确生态环境部门对工业园区开展走航监测的频次要求。",
]
RESPONSES = [
    (Outcome.adopted, "已采纳。修改稿第十八条增加了施工工地扬尘在线监测数据公开的要求。"),
    (
        Outcome.partly_adopted,
        "部分采纳。对小微餐饮企业设置六个月过渡期；资金补贴由各市结合实际制定。",
    ),
    (
        Outcome.explained,
        "重污染天气应急停课属于教育部门职责，已转省教育厅研究，并在应急预案中予以明确。",
    ),
    (
        Outcome.not_adopted,
        "不予采纳。罚款额度与上位法规定保持一致，按日连续处罚已由上位法规定，无需重复。",
    ),
    (
        Outcome.explained,
        "举报奖励属于省生态环境厅已出台的专项办法调整范围，条例不再重复规定，已在解读中说明。",
    ),
]


def _consultation_state(state: str, org_id: int) -> Consultation | None:
    """The latest consultation in that state, preferring the given agency's."""
    now = utcnow()
    found = [
        c
        for c in db.session.scalars(sa.select(Consultation).order_by(Consultation.opens_at.desc()))
        if c.state(now) == state or (state == "closed" and c.state(now) == "reported")
    ]
    return next((c for c in found if c.decision.organization_id == org_id), None) or (
        found[0] if found else None
    )


def load(orgs: dict[str, Any], users: dict[str, Any]) -> None:
    with current_app.test_request_context("/"):  # services translate their messages
        _load(orgs, users)


def _load(orgs: dict[str, Any], users: dict[str, Any]) -> None:
    organizer = users["organizer"]
    residents = users["residents"]
    org_id = orgs["environment"].id
    open_c = _consultation_state("open", org_id)
    closed_c = _consultation_state("closed", org_id)
    now = utcnow()

    def data(**kw: Any) -> manage.EventData:
        values: dict[str, Any] = {
            "organization_id": org_id,
            "place": "济南市历下区经十路某号 省生态环境厅二楼会议室",
            "categories": [dict(c) for c in CATS_HEARING],
        }
        values.update(kw)
        return manage.EventData(**values)

    # 1. A hearing open for sign-up (lottery if oversubscribed) on the open draft.
    if open_c is not None:
        hearing = manage.create_event(
            organizer,
            data(
                kind=EventKind.hearing,
                title="《山东省大气污染防治条例（修订草案）》立法听证会",
                description="就修订草案中扬尘污染防治、餐饮油烟治理和罚则等内容听取意见。",
                decision_id=open_c.decision_id,
                starts_at=now + timedelta(days=24, hours=1),
                ends_at=now + timedelta(days=24, hours=4),
                signup_opens_at=now - timedelta(days=2),
                signup_closes_at=now + timedelta(days=14),
                selection_mode=SelectionMode.lottery,
                selection_rules=HEARING_RULES,
            ),
        )
        manage.publish_event(organizer, hearing)
        manage.add_material(
            organizer,
            hearing,
            "听证会议程",
            body="1. 起草部门说明草案\n2. 参加人陈述\n3. 询问与辩论",
        )
        for i, user in enumerate(residents[:4]):
            applications.apply(
                user,
                hearing,
                {
                    "category": "stakeholder" if i < 3 else "public",
                    "full_name": user.display_name,
                    "affiliation": AFFILIATIONS[i],
                    "statement": STATEMENTS[i],
                },
            )

    # 2. A past, oversubscribed hearing with its lottery, list, record and responses, run by
    # the agency that leads the closed consultation's decision.
    if closed_c is not None:
        org = closed_c.decision.organization_id
        staff = _staff_of(org, users)
        _past_hearing(
            staff, residents, closed_c, lambda **kw: data(**{"organization_id": org, **kw})
        )
        _report_addendum(closed_c, users)

    # 3. An upcoming open day (first come, first served).
    open_day = manage.create_event(
        organizer,
        data(
            kind=EventKind.open_day,
            title="生态环境厅政府开放日：走进空气质量监测站",
            description="参观省空气质量自动监测站和生态环境监控中心，与技术人员面对面交流。",
            starts_at=now + timedelta(days=10, hours=2),
            ends_at=now + timedelta(days=10, hours=5),
            signup_opens_at=now - timedelta(days=1),
            signup_closes_at=now + timedelta(days=8),
            selection_mode=SelectionMode.first_come,
            categories=[
                {"key": "public", "label": "社会公众", "seats": 30, "is_stakeholder": False}
            ],
            place="济南市历城区某路 省空气质量自动监测站",
        ),
    )
    manage.publish_event(organizer, open_day)
    for user in residents[10:13]:
        applications.apply(
            user,
            open_day,
            {"category": "public", "full_name": user.display_name, "affiliation": ""},
        )

    # 4. A past symposium.
    symposium = manage.create_event(
        organizer,
        data(
            kind=EventKind.symposium,
            title="餐饮油烟治理企业座谈会",
            description="听取餐饮企业和行业协会对油烟净化设施管理的意见。",
            decision_id=closed_c.decision_id if closed_c else None,
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=2),
            signup_opens_at=now - timedelta(days=5),
            signup_closes_at=now + timedelta(days=1),
            selection_mode=SelectionMode.first_come,
            categories=[
                {"key": "stakeholder", "label": "餐饮企业", "seats": 8, "is_stakeholder": True},
                {"key": "expert", "label": "行业协会和专家", "seats": 4, "is_stakeholder": False},
            ],
        ),
    )
    manage.publish_event(organizer, symposium)
    seated = [
        applications.apply(
            user,
            symposium,
            {
                "category": "stakeholder",
                "full_name": user.display_name,
                "affiliation": AFFILIATIONS[4],
            },
        )
        for user in residents[13:16]
    ]
    _to_past(symposium, days=25)
    for a in seated:
        a.checked_in_at = symposium.starts_at + timedelta(minutes=5)
    manage.publish_participants(organizer, symposium)
    db.session.flush()


def _staff_of(org_id: int, users: dict[str, Any]) -> Any:
    for user in users.values():
        if not isinstance(user, list) and org_id in user.organization_ids:
            return user
    return users["admin"]


def _to_past(event: Any, days: int) -> None:
    """Move an event that was set up in the present `days` into the past."""
    delta = event.starts_at - (utcnow() - timedelta(days=days))
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at", "published_at"):
        setattr(event, name, getattr(event, name) - delta)
    draw = db.session.scalar(sa.select(SelectionDraw).where(SelectionDraw.event_id == event.id))
    if draw is not None:
        draw.committed_at -= delta
        if draw.drawn_at:
            draw.drawn_at -= delta
            draw.document = {
                **draw.document,
                "drawn_at": draw.drawn_at.isoformat(timespec="seconds"),
            }
    db.session.flush()


def _report_addendum(consultation: Consultation, users: dict[str, Any]) -> None:
    """The hearing came after the report was published: its answered statements are
    not slipped into that version but published as an addendum, written by one
    organizer and published by a second (the report's version 2)."""
    if editions.latest_edition(consultation) is None:
        return
    db.session.flush()
    pending = editions.pending_changes(consultation)
    if not pending or editions.blockers(consultation):
        return
    drafter, approver = two_staff(consultation, users)
    editions.save_addendum(
        drafter,
        consultation,
        consultation.report_summary
        + f"\n征求意见期结束后召开了立法听证会，{pending.added}位陈述人的意见已逐条答复，"
        "列于本补充版本。",
        f"新增听证会陈述人意见{pending.added}条及其答复。",
    )
    editions.publish_addendum(approver, consultation)


def _past_hearing(
    organizer: Any, residents: list[Any], consultation: Consultation, data: Any
) -> None:
    now = utcnow()
    hearing = manage.create_event(
        organizer,
        data(
            kind=EventKind.hearing,
            title=f"《{consultation.decision.title}》听证会",
            description="就草案听取利害关系人、专家和公众意见。",
            decision_id=consultation.decision_id,
            starts_at=now + timedelta(days=8),
            ends_at=now + timedelta(days=8, hours=3),
            signup_opens_at=now - timedelta(days=10),
            signup_closes_at=now + timedelta(minutes=1),
            selection_mode=SelectionMode.lottery,
            selection_rules=HEARING_RULES,
        ),
    )
    manage.publish_event(organizer, hearing)
    # 14 applicants for 10 seats: stakeholders and the public are oversubscribed.
    plan = ["stakeholder"] * 9 + ["expert"] * 2 + ["deputy"] + ["public"] * 2
    for i, (user, category) in enumerate(zip(residents[:14], plan, strict=True)):
        applications.apply(
            user,
            hearing,
            {
                "category": category,
                "full_name": user.display_name,
                "affiliation": AFFILIATIONS[i % len(AFFILIATIONS)],
                "statement": STATEMENTS[i % len(STATEMENTS)],
            },
        )
    hearing.signup_closes_at = utcnow() - timedelta(seconds=1)
    selection.start_selection(organizer, hearing)
    selection.run_draw(organizer, hearing)
    manage.publish_participants(organizer, hearing)
    _to_past(hearing, days=20)
    seated = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.event_id == hearing.id, Application.status == "confirmed")
            .order_by(Application.id)
        )
    )
    for a in seated:
        a.checked_in_at = hearing.starts_at + timedelta(minutes=10)
    for i, a in enumerate(seated[:5]):
        entry = record.add_entry(organizer, hearing, body=a.statement, application_id=a.id)
        if i < 4:  # one participant has not signed yet: shown as unconfirmed
            entry.confirmed_at = hearing.ends_at + timedelta(days=2)
    record.file_entries(organizer, hearing)
    entries = db.session.scalars(
        sa.select(RecordEntry).where(RecordEntry.event_id == hearing.id).order_by(RecordEntry.id)
    ).all()
    for entry, (outcome, reason) in zip(entries, RESPONSES, strict=False):
        db.session.add(
            Response(
                comment_id=entry.comment_id,
                organization_id=hearing.organization_id,
                outcome=outcome,
                reason=reason,
                status=ResponseStatus.published,
                drafted_by_id=organizer.id,
                approved_at=utcnow(),
                published_at=utcnow(),
                published_by_id=organizer.id,
            )
        )
    for a, scores in zip(seated[:4], ("545", "444", "534", "455"), strict=False):
        evaluations.submit(
            a.user, a.id, {"overall": scores[0], "organisation": scores[1], "heard": scores[2]}
        )
    db.session.flush()

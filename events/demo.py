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
# Applicants to the open hearing on the air pollution regulation: (category, affiliation,
# the views they intend to present).
OPEN_HEARING = [
    (
        "stakeholder",
        "历下区居民",
        "建议将施工工地扬尘在线监测数据向社会实时公开，并明确超标处罚的具体标准。",
    ),
    (
        "stakeholder",
        "济南某餐饮管理公司",
        "餐饮油烟净化设施的安装和维护费用较高，建议对小微餐饮企业给予过渡期和补贴。",
    ),
    (
        "stakeholder",
        "市中区某社区居委会",
        "建议增加公众举报奖励条款，鼓励居民参与大气污染监督。",
    ),
    ("public", "槐荫区居民", "第二十三条罚款额度偏低，对屡次违法的企业应当按日连续处罚。"),
]
RESTAURANT = "济南某餐饮管理公司"

# The past hearing on the heavy-pollution-weather emergency plan: who applied, what each
# said, and the agency's answer to that statement. `topic` is a phrase found in both the
# statement and its answer (the demo test holds each answer to its statement's topic).
PAST_HEARING = [
    # (category, affiliation, topic, statement, outcome, answer)
    (
        "stakeholder",
        "市中区某社区居委会（家长代表）",
        "停课",
        "建议在预案中明确红色预警时中小学、幼儿园停课的启动条件，并至少提前一天通过短信和学校平台通知家长。",
        Outcome.adopted,
        "已采纳。修改稿第五章明确了红色预警时中小学、幼儿园停课的启动条件，停课通知由教育部门通过学校平台提前一天发布。",
    ),
    (
        "stakeholder",
        "济南某建材有限公司",
        "工地",
        "橙色预警期间建筑工地一律停工，对已安装在线监测、扬尘治理达标的工地影响很大，建议实行差异化管控。",
        Outcome.partly_adopted,
        "部分采纳。扬尘治理达标并安装在线监测的工地，橙色预警期间可以在监管下继续室内作业；土石方作业仍须停止。",
    ),
    (
        "stakeholder",
        "山东某环保科技公司",
        "绩效分级",
        "重点企业绩效分级的评级标准和结果应当向社会公开，评为A级的企业应当减少限产。",
        Outcome.adopted,
        "已采纳。预案附件公开重点行业绩效分级标准和评级结果，A级企业在预警期间自主采取减排措施。",
    ),
    (
        "stakeholder",
        "历下区居民",
        "限行",
        "预警期间机动车单双号限行给上班族带来不便，建议同步加密公交班次。",
        Outcome.partly_adopted,
        "部分采纳。预案规定限行期间各市应当加密公交班次；是否实行免费乘车由各市根据财力确定。",
    ),
    (
        "stakeholder",
        "槐荫区居民",
        "24小时",
        "预警常常当晚才发布、第二天就启动，建议至少提前24小时发布并说明预报依据。",
        Outcome.adopted,
        "已采纳。预案规定橙色及以上预警原则上提前24小时发布，并同时公布空气质量预报依据。",
    ),
    (
        "stakeholder",
        "济南某环卫服务公司",
        "户外劳动者",
        "建议为环卫工人、快递员等户外劳动者在重污染天气期间配发防护口罩，并调整作业时间。",
        Outcome.adopted,
        "已采纳。预案增加用人单位为户外劳动者配发防护用品、合理调整作业时间的要求。",
    ),
    (
        "stakeholder",
        "济南某物流有限公司",
        "民生物资",
        "预警期间重型柴油货车禁行，应当为保障民生物资运输的车辆开设通行渠道。",
        Outcome.adopted,
        "已采纳。保障民生物资运输的车辆纳入应急运输白名单，预警期间可以通行。",
    ),
    (
        "stakeholder",
        "山东某钢铁集团有限公司",
        "实际排放",
        "限产比例应当按企业实际排放量核定，而不是按产能一刀切。",
        Outcome.explained,
        "预案规定减排措施按企业实际排放量和绩效等级核定，并不按产能统一限产，已在解读材料中说明。",
    ),
    (
        "stakeholder",
        "历城区某小区业主委员会",
        "公告栏",
        "不少老年人不上网，建议在小区公告栏和楼道广播同步发布预警信息。",
        Outcome.adopted,
        "已采纳。预案规定街道和社区通过公告栏、广播等方式向居民传达预警信息。",
    ),
    (
        "expert",
        "山东大学环境科学与工程学院",
        "减排效果",
        "应急减排清单应当每年更新，并对上一采暖季应急措施的减排效果开展评估，评估报告向社会公开。",
        Outcome.adopted,
        "已采纳。预案规定减排清单每年更新，上一采暖季应急措施减排效果的评估报告向社会公开。",
    ),
    (
        "expert",
        "山东第一医科大学公共卫生学院",
        "健康防护",
        "建议预警信息同时发布针对老人、儿童和慢性病患者的健康防护提示。",
        Outcome.adopted,
        "已采纳。预警信息发布内容增加分人群的健康防护提示，由卫生健康部门提供。",
    ),
    (
        "deputy",
        "省人大代表",
        "问责",
        "预案应当明确各市落实应急减排措施不力的问责情形，督查结果向社会通报。",
        Outcome.partly_adopted,
        "部分采纳。预案增加督查和约谈规定，督查结果向社会通报；问责依照有关法律法规执行，预案不另行规定。",
    ),
    (
        "public",
        "历城区村民",
        "取暖",
        "农村冬季散煤取暖替代应当有补贴，预警期间不能一刀切禁止取暖。",
        Outcome.explained,
        "预案不禁止居民取暖；清洁取暖补贴由全省冬季清洁取暖规划规定，预案只规定预警期间对工业企业和施工扬尘的管控措施。",
    ),
    (
        "public",
        "济南市民",
        "体育馆",
        "建议预警期间免费开放体育馆，方便市民在室内锻炼。",
        Outcome.not_adopted,
        "未采纳。体育馆开放由各场馆管理单位根据自身条件决定，预案不作统一规定。",
    ),
]
ANSWER_OF = {statement: (outcome, answer) for *_, statement, outcome, answer in PAST_HEARING}


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
        for user, (category, affiliation, statement) in zip(
            residents[:4], OPEN_HEARING, strict=True
        ):
            applications.apply(
                user,
                hearing,
                {
                    "category": category,
                    "full_name": user.display_name,
                    "affiliation": affiliation,
                    "statement": statement,
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
                "affiliation": RESTAURANT,
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
    for user, (category, affiliation, _topic, statement, *_) in zip(
        residents[:14], PAST_HEARING, strict=True
    ):
        applications.apply(
            user,
            hearing,
            {
                "category": category,
                "full_name": user.display_name,
                "affiliation": affiliation,
                "statement": statement,
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
    for entry in entries:
        outcome, reason = ANSWER_OF[entry.body]  # each statement gets its own answer
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

"""Demo responses: the closed consultation fully answered (a confirmed campaign group, every
outcome, realistic reasons) with its report published; a few answers on the open one.

Everything goes through the services, so the demo obeys the same rules as real use:
drafted by one member of the lead agency, approved by another, audited, authors mailed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from participation.db import db
from participation.demo import _user  # demo accounts share the published password
from participation.models import Membership, Organization, User

from ..grouping import propose_groups
from ..models import Comment, CommentStatus, Consultation
from ..services import editions, groups, moderation, responses

# (a phrase of the comment, outcome, reason); the first match wins.
CLOSED_ANSWERS = [
    (
        "低地板无障碍",
        "adopted",
        "已在第七条中增加“新增和更新车辆应当为低地板无障碍车辆，并配备语音和电子报站设施”。",
    ),
    (
        "老年人专用候车",
        "partly_adopted",
        "已在第七条增加在具备条件的始发站设置老年人优先候车区的规定；高峰时段的具体安排由运营企业结合客流制定。",
    ),
    (
        "七个工作日",
        "partly_adopted",
        "投诉答复期限调整为五个工作日，并规定答复结果可通过政务服务平台查询；三个工作日难以满足调查核实需要。",
    ),
    ("社区公告栏", "adopted", "已在第四条增加“在相关社区、公交站点同步公示”的规定。"),
    (
        "成本规制",
        "adopted",
        "已在第三条明确补贴按照成本规制办法核定，补贴资金的安排和使用情况依法公开。",
    ),
    (
        "不按时刻表",
        "adopted",
        "已在第六条增加擅自减少班次、未按时刻表发车的情形，并在罚则中规定相应处罚。",
    ),
    (
        "定制公交",
        "explained",
        "定制公交、社区微循环公交属于城市公共交通的组成形式，第二条“城市公共汽电车”已涵盖，不再单独列举。",
    ),
    (
        "公交专用道",
        "partly_adopted",
        "已增加公交专用道设置原则；设置标准和违法占用的处罚由《道路交通安全法》及其实施办法规定，本条例不再重复。",
    ),
    (
        "挪作他用",
        "adopted",
        "已在第五条增加配套场站交付后由主管部门组织验收、限期投入使用、不得擅自改变用途的规定。",
    ),
    (
        "过渡期",
        "not_adopted",
        "条例主要规范政府及其部门职责和运营服务基本要求，运营企业已按现行规章执行相关标准，不需要设置过渡期。",
    ),
    (
        "轮椅使用者",
        "partly_adopted",
        "已在第七条规定新建和改造站台应当符合无障碍设计规范；改造时限由各市结合财力在专项规划中确定。",
    ),
    ("绿色低碳", "adopted", "已在第一条立法目的中增加“促进绿色低碳出行”。"),
    (
        "抄送主管部门",
        "partly_adopted",
        "已规定主管部门定期公布各运营企业投诉处理情况；逐件抄送将显著增加工作量，未予采纳。",
    ),
    ("大型活动期间", "adopted", "已在第六条增加节假日和大型活动期间临时加密班次的规定。"),
    (
        "听证会",
        "explained",
        "公交票价调整依照《价格法》和《政府制定价格听证办法》应当举行听证，条例第三条已作衔接性规定。",
    ),
    (
        "公交司机",
        "explained",
        "驾驶员劳动权益保障由《劳动法》《劳动合同法》规定，条例已在第六条要求运营企业合理安排驾驶员工作时间和休息。",
    ),
    (
        "老年卡",
        "not_adopted",
        "老年人乘车优惠时段由各市人民政府根据财政承受能力确定，条例不作统一规定；已转请济南市研究。",
    ),
    (
        "末班车",
        "partly_adopted",
        "已规定线路首末班时间应当兼顾通勤需求；具体线路调整由济南市交通运输局评估后实施。",
    ),
    ("出行调查", "adopted", "已在第四条增加“定期开展居民出行调查，主要结论向社会公开”的规定。"),
    ("投诉热线", "adopted", "已规定运营企业投诉渠道纳入12345政务服务便民热线统一受理。"),
    (
        "不得擅自变更",
        "partly_adopted",
        "修改为“线路变更应当提前向社会公告并经主管部门同意”，兼顾企业优化需要和乘客知情权。",
    ),
    ("三同步", "adopted", "已在第五条写入配套场站与住宅“同步规划、同步建设、同步交付”的要求。"),
    (
        "逐年提高",
        "partly_adopted",
        "已规定无障碍车辆比例逐年提高；具体年度目标由专项规划确定，条例不规定具体年份。",
    ),
    ("只回复", "adopted", "已规定投诉答复应当告知处理结果和依据。"),
    ("年度预算", "adopted", "已在第三条明确城市公共交通补贴资金纳入本级财政预算。"),
    ("换乘", "adopted", "已新增“优化公共汽电车与城市轨道交通换乘衔接”的条款。"),
    (
        "镇村公交",
        "not_adopted",
        "各地客流差异较大，条例不宜统一规定班次下限；已要求各市在专项规划中明确镇村公交服务标准。",
    ),
    ("爱心专座", "adopted", "已在第七条增加车内设置爱心专座及标识的规定。"),
    (
        "夜间班次",
        "partly_adopted",
        "已规定主要客流走廊应当提供夜间服务；具体运营时间由各市根据客流确定。",
    ),
]
GROUP_TITLE = "建议开通汉峪金谷至济南东站公交线路"
GROUP_REASON = (
    "条例是全省性地方性法规，不对具体线路作出规定；线路的开通和调整属于设区的市人民政府及其交通运输"
    "主管部门的职责。我厅已将该意见转交济南市交通运输局，由其结合客流调查研究论证，并向社会公开结果。"
)
HELD_REJECTION = "含有侮辱性言论，不予发布。欢迎您修改措辞后重新提交意见。"
REPORT_SUMMARY = (
    "本次征求意见共收到各渠道意见，均已逐条研究答复。采纳的意见主要涉及无障碍出行、投诉处理、配套场站"
    "建设和财政保障；汉峪金谷至济南东站公交线路的集中意见不属于条例调整范围，已转交济南市研究办理。"
    "未采纳意见的理由已在下文逐条说明。"
)
OPEN_ANSWERS = [
    ("adopted", "", True),
    ("explained", "该问题在草案第二章已有规定，将在解读材料中进一步说明。", True),
    ("not_adopted", "建议内容涉及国家标准调整，超出地方立法权限。", False),  # awaiting approval
]


def _members(org: Organization) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == org.id)
            .order_by(User.id)
        )
    )


def two_staff(consultation: Consultation, users: dict[str, Any]) -> tuple[User, User]:
    """A drafter and a different approver of the lead agency (the demo's 李静 and 赵刚
    when the agency is theirs; else its members, with a second reviewer added)."""
    org = consultation.decision.organization
    preferred = [users.get("organizer"), users.get("approver")]
    if all(u is not None and org.id in u.organization_ids for u in preferred):
        return preferred[0], preferred[1]  # type: ignore[return-value]
    staff = _members(org)
    if len(staff) < 2:
        reviewer = _user(f"reviewer{org.id}@example.cn", "周审核")
        db.session.add(Membership(user=reviewer, organization=org))
        db.session.flush()
        staff.append(reviewer)
    return staff[0], staff[1]


def _answer(
    drafter: User, approver: User, target: Any, outcome: str, reason: str, publish: bool = True
) -> None:
    if isinstance(target, Comment):
        r = responses.draft_for_comment(drafter, target, outcome, reason)
    else:
        r = responses.draft_for_group(drafter, target, outcome, reason)
    if publish:
        responses.approve(approver, r)
        responses.publish(approver, r)


def _closed(ctx: dict[str, Any]) -> None:
    consultation: Consultation = ctx["closed"]
    comments: list[Comment] = ctx["closed_comments"]
    drafter, approver = two_staff(consultation, ctx["users"])
    # The campaign, found the way the platform finds it, confirmed as one group.
    proposals = propose_groups([(c.id, c.body) for c in comments])
    grouped: set[int] = set()
    if proposals:
        biggest = proposals[0]
        # The organizer adds by hand the copy the similarity threshold missed.
        members = set(biggest.member_ids) | {c.id for c in comments if "汉峪金谷" in c.body}
        group = groups.assign(drafter, consultation, members, new_title=GROUP_TITLE)
        group.summary = "多位居民反映汉峪金谷小区至济南东站缺少直达公交，通勤不便。"
        _answer(drafter, approver, group, "not_adopted", GROUP_REASON)
        grouped = members
    for comment in comments:
        if comment.id in grouped:
            continue
        outcome, reason = next(
            ((o, r) for key, o, r in CLOSED_ANSWERS if key in comment.body),
            ("explained", "该意见已转交相关部门研究，将在条例配套制度中统筹考虑。"),
        )
        _answer(drafter, approver, comment, outcome, reason)
    # The queue is cleared before publishing (publication is refused while anything is
    # held): the abusive one is rejected with its reason, as a moderator would.
    held = db.session.scalars(
        sa.select(Comment).where(
            Comment.consultation_id == consultation.id, Comment.status == CommentStatus.pending
        )
    )
    for comment in held:
        moderation.moderate(approver, comment, accept=False, reason=HELD_REJECTION)
    db.session.flush()
    editions.publish_report(drafter, consultation, REPORT_SUMMARY)


def _open(ctx: dict[str, Any]) -> None:
    consultation: Consultation | None = ctx.get("open")
    comments = [c for c in ctx.get("open_comments") or [] if c.status.value == "accepted"]
    if consultation is None or not comments:
        return
    drafter, approver = two_staff(consultation, ctx["users"])
    # Most stay unanswered, so the dashboard shows work to do.
    for comment, (outcome, reason, publish) in zip(comments, OPEN_ANSWERS, strict=False):
        _answer(drafter, approver, comment, outcome, reason, publish)


def load(ctx: dict[str, Any]) -> None:
    if ctx.get("closed") is None or not ctx.get("closed_comments"):
        return  # the catalogue's or the comments' demo part is not there yet
    _closed(ctx)
    _open(ctx)

# ruff: noqa: E501  (opinions read better one per line)
"""Demo comments: about fifteen on the open air-pollution draft, about forty from every
channel on the closed public-transport draft, including a campaign cluster for grouping,
flagged ones waiting for moderation and one with a phone number to show masking.

Rows are built directly (no receipt mails to demo users) but through the same screening
and receipt numbering as the services.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from participation.db import db, utcnow
from participation.models import User
from participation.screening import screen

from ..models import Channel, Comment, CommentStatus, Consultation, PublishMode
from ..services.comments import LOCAL_TZ
from ..services.receipts import generate

N, A, P = PublishMode.named, PublishMode.anonymous, PublishMode.private

# fmt: off
# (resident index or account key, article number or None, mode, text)
OPEN_ONLINE = [
    (12, 9, N, "建议把建筑垃圾清运时限从四十八小时缩短为二十四小时。我们小区旁边的工地渣土经常堆放三四天，刮风天整个小区都是灰。"),
    (0, 9, A, "洒水抑尘要有频次要求，建议明确每天不少于四次，高温大风天气加密，并在工地出入口公示洒水记录。"),
    (1, 12, N, "支持新增餐饮油烟条款。建议油烟净化设施清洗记录保存期限由三年改为两年，减轻小餐馆负担，但要求每季度至少清洗一次。"),
    (2, 12, N, "楼下烧烤店油烟直排，投诉多次无果。建议明确居民楼底层商铺禁止新建产生油烟的餐饮项目。"),
    (3, 5, N, "第五条举报渠道建议写明举报人信息保密和奖励办法，否则大家不敢举报。"),
    (4, 6, A, "建议空气质量排名同时公布各县（市、区），不要只公布设区的市，让我们知道自己所在区县的情况。"),
    (5, 13, N, "罚款下限从一万元提高到二万元是必要的，但对拒不改正的建议按日连续处罚，停工整治的程序也要写清楚。"),
    (6, 10, N, "渣土车安装卫星定位很好，建议数据向社会开放，居民可以在手机上查看渣土车是否按规定路线行驶。"),
    (7, None, N, "整体赞成修订。建议增加对秸秆焚烧的管控规定，农村地区秋收时节烟雾很大，影响高速公路通行安全。"),
    (8, 7, P, "我在一家化工企业工作，自动监测设备联网后数据造假的空间会变小，但需要明确设备运维单位的责任，建议增加第三方运维监管的条款。"),
    ("resident", 9, N, "我家住在工地对面，施工噪音和扬尘都很严重，有事可以联系我13905318888，希望执法人员能来现场看看。"),
    (9, 4, N, "建议在第四条增加“将大气环境质量改善目标完成情况纳入政府考核”的表述。"),
]
OPEN_FLAGGED = [
    (10, None, N, "加微信领取环保补贴，代开发票，价格优惠，欢迎咨询。"),
    (11, 12, A, "那家饭店老板就是个脑残，油烟熏得人没法开窗，赶紧让他滚蛋。"),
]
# An agency answering the written consultation (书面征求意见) as an organization.
OPEN_AS_AGENCY = (
    "organizer_transport",
    "transport",
    10,
    "我厅建议第十条增加“渣土运输车辆应当按照交通运输主管部门核定的线路行驶”，并与《道路运输条例》相关规定衔接。",
)

CAMPAIGN = [
    "强烈建议开通汉峪金谷至济南东站的公交线路，小区两万多居民上下班只能打车，非常不便。",
    "建议开通汉峪金谷到济南东站的公交线路，小区两万多居民出行不便，上下班只能打车。",
    "强烈建议开通汉峪金谷至济南东站的公交线路！小区两万多居民上下班只能打车，太不方便了。",
    "强烈要求开通汉峪金谷至济南东站的公交线路，小区两万多居民上下班只能打车，非常不便。",
    "建议尽快开通汉峪金谷至济南东站的公交线路，小区两万多居民上下班只能打车，非常不方便。",
    "强烈建议开通汉峪金谷至济南东站公交线路，我们小区两万多居民上下班只能打车，非常不便。",
    "强烈建议开通汉峪金谷至济南东站的公交线路，小区两万多名居民上下班只能打车，十分不便。",
    "恳请开通汉峪金谷至济南东站的公交线路，小区两万多居民上下班只能打车，非常不便。",
    "强烈建议开通汉峪金谷至济南东站的公交线路，小区两万多居民上下班只能打车，非常不便，谢谢！",
]

CLOSED_ONLINE = [
    (0, 7, N, "建议明确所有新增公交车辆必须为低地板无障碍车辆，并配备语音报站和电子显示屏，方便视障和听障乘客。"),
    (1, 7, N, "老年人优先乘车落实不到位，建议规定高峰时段在始发站设置老年人专用候车区。"),
    (2, 8, A, "七个工作日答复投诉太长，建议改为三个工作日，并且答复结果要能在网上查询。"),
    (3, 4, N, "专项规划征求意见不能只在网上公示，建议在社区公告栏同步张贴，很多老人不上网。"),
    (4, 3, N, "建议写明财政补贴按照成本规制办法核定，并向社会公开补贴金额和使用情况。"),
    (5, 6, N, "经常遇到公交车不按时刻表发车，晚上九点以后的班次随意取消。建议对擅自减少班次规定具体罚则。"),
    (6, 2, A, "定制公交、社区微循环公交是否属于本条例所称城市公共交通？建议在第二条中明确。"),
    (7, None, N, "总体支持。建议增加公交专用道的规定，明确专用道的设置标准和违法占用的处罚。"),
    (8, 5, N, "新建小区配套公交场站往往建了不用或者被挪作他用，建议规定交付使用后由主管部门验收并限期启用。"),
    (9, 9, A, "建议给出一个过渡期，施行日期不要定为公布之日，运营企业需要时间准备。"),
    (10, 7, P, "我是一名轮椅使用者，多数公交站台与车辆之间有高差，无法独立上车。希望对站台改造提出明确时限。"),
    (11, 1, N, "第一条立法目的建议增加“促进绿色低碳出行”。"),
    (15, 8, N, "建议投诉答复同时抄送主管部门，由主管部门定期公布各运营企业的投诉处理情况。"),
    (16, 6, A, "节假日和大型活动期间应当临时加开班次，建议写入条例。"),
    (17, 3, N, "建议规定公交票价调整应当举行听证会，并充分考虑低收入群体的承受能力。"),
    (18, None, P, "我是公交司机，每天工作十个小时以上，建议条例中增加保障驾驶员休息权益的规定。"),
]
CLOSED_OFFLINE = [
    # (channel, author label, article, mode, text, contact)
    (Channel.letter, "历城区退休职工刘某", 7, N, "来信反映：老年卡刷卡优惠时段限制在早九点以后，建议取消时段限制，方便老人看病。", "济南市历城区某街道某号"),
    (Channel.letter, "市民孙先生", 6, A, "来信建议：郊区线路末班车提前到晚七点，务工人员下班后无车可坐，建议延长至晚九点。", ""),
    (Channel.email, "山东某大学交通学院课题组", 4, N, "专项规划应以居民出行调查数据为基础，建议规定每五年开展一次全市居民出行调查并公开主要结论。", "jtxy@example.edu.cn"),
    (Channel.email, "匿名市民", 8, A, "投诉热线经常占线，建议增加网上投诉渠道并纳入12345热线统一受理。", ""),
    (Channel.symposium, "济南公交集团代表", 6, N, "座谈会发言：线路调整应允许企业根据客流动态优化，建议将“不得擅自变更”修改为“变更前应当向社会公告并报主管部门备案”。", ""),
    (Channel.symposium, "青岛市交通运输局代表", 5, N, "座谈会发言：配套场站建设应与住宅同步规划、同步建设、同步交付，建议写入“三同步”要求。", ""),
    (Channel.symposium, "残疾人联合会代表", 7, N, "座谈会发言：建议明确无障碍车辆比例逐年提高的目标，到2030年城区线路全部配备无障碍车辆。", ""),
    (Channel.hearing, "听证参加人 王女士（乘客代表）", 8, N, "听证会陈述：乘客投诉答复应当告知处理结果和依据，不能只回复“已收到”。", ""),
    (Channel.hearing, "听证参加人 张先生（运营企业）", 3, N, "听证会陈述：公益性定位需要稳定的财政保障，建议明确补贴资金纳入年度预算。", ""),
    (Channel.questionnaire, "问卷调查汇总（有效问卷1,236份）", None, N, "问卷调查结果：68%的受访者认为换乘不便是主要问题，建议增加“优化公交与地铁换乘衔接”的条款。", ""),
    (Channel.field_visit, "章丘区某村村民代表", 5, N, "实地走访意见：农村客运班线公交化改造后班次减少，建议保障镇村公交每天不少于六个班次。", ""),
    (Channel.phone, "市民来电", 7, A, "电话反映：孕妇和抱小孩的乘客经常没人让座，建议车内增设爱心专座标识并加强宣传。", "来电号码 0531-8888 6666"),
    (Channel.poll, "网络民意调查", 6, N, "民意调查结果：73%的受访者支持延长夜间班次运营时间。", ""),
]
CLOSED_FLAGGED = (12, 6, N, "公交司机态度恶劣，就是一群傻逼，建议全部开除。")
CLOSED_REJECTED = (
    13,
    None,
    N,
    "我家小区物业费太高了，物业公司服务差，请政府管一管。",
    "与本草案无关。物业服务问题请通过12345热线反映，已为您转办。",
)
# fmt: on


def _resident(users: dict[str, Any], who: object) -> User:
    if isinstance(who, str):
        return users[who]
    residents = users.get("residents") or [users["resident"]]
    return residents[int(who) % len(residents)]  # type: ignore[call-overload]


def _when(start: datetime, end: datetime, i: int, n: int) -> datetime:
    span = (end - start) * 0.9
    return start + timedelta(hours=2) + span * (i / max(n, 1))


def _comment(
    consultation: Consultation,
    text: str,
    at: datetime,
    *,
    article: int | None = None,
    mode: PublishMode = PublishMode.named,
    author: User | None = None,
    **kw: Any,
) -> Comment:
    result = screen(text)
    articles = {a.number: a for a in consultation.draft.articles}
    status = kw.pop("status", None) or (
        CommentStatus.pending if result.needs_review else CommentStatus.accepted
    )
    comment = Comment(
        consultation=consultation,
        article=articles.get(article) if article else None,
        author=author,
        publish_mode=mode,
        body=text,
        published_body=result.masked,
        flagged_words=list(result.flagged_words),
        status=status,
        receipt_no=generate(at.astimezone(LOCAL_TZ).year),
        submitted_at=at,
        **kw,
    )
    db.session.add(comment)
    return comment


def _load_open(ctx: dict[str, Any]) -> list[Comment]:
    consultation: Consultation = ctx["open"]
    users = ctx["users"]
    start, end = consultation.opens_at, utcnow() - timedelta(hours=1)
    rows = OPEN_ONLINE + OPEN_FLAGGED
    made = []
    for i, (who, article, mode, text) in enumerate(rows):
        made.append(
            _comment(
                consultation,
                text,
                _when(start, end, i, len(rows)),
                article=article,
                mode=mode,
                author=_resident(users, who),
            )
        )
    user_key, org_key, article, text = OPEN_AS_AGENCY
    if user_key in users and org_key in ctx["orgs"]:
        made.append(
            _comment(
                consultation,
                text,
                end - timedelta(hours=3),
                article=article,
                author=users[user_key],
                as_organization=ctx["orgs"][org_key],
            )
        )
    return made


def _load_closed(ctx: dict[str, Any]) -> list[Comment]:
    consultation: Consultation = ctx["closed"]
    users = ctx["users"]
    organizer = users.get("organizer_transport") or users["organizer"]
    start, end = consultation.opens_at, consultation.closes_at
    made = []
    total = len(CAMPAIGN) + len(CLOSED_ONLINE) + len(CLOSED_OFFLINE) + 2
    step = 0

    def at() -> datetime:
        nonlocal step
        step += 1
        return _when(start, end, step, total)

    # Pre-moderated consultation: accepted ones carry the moderator's mark.
    moderated = {"moderated_by_id": organizer.id}
    for i, text in enumerate(CAMPAIGN):
        when = at()
        made.append(
            _comment(
                consultation,
                text,
                when,
                article=5,
                mode=N if i % 3 else A,
                author=_resident(users, 14 + i),
                moderated_at=when + timedelta(hours=5),
                **moderated,
            )
        )
    for who, article, mode, text in CLOSED_ONLINE:
        when = at()
        made.append(
            _comment(
                consultation,
                text,
                when,
                article=article,
                mode=mode,
                author=_resident(users, who),
                moderated_at=when + timedelta(hours=6),
                **moderated,
            )
        )
    for channel, label, article, mode, text, contact in CLOSED_OFFLINE:
        when = at()
        made.append(
            _comment(
                consultation,
                text,
                when,
                article=article,
                mode=mode,
                channel=channel,
                author_label=label,
                contact=contact,
                received_on=when,
                entered_by_id=organizer.id,
            )
        )
    who, article, mode, text = CLOSED_FLAGGED
    made.append(
        _comment(consultation, text, at(), article=article, mode=mode, author=_resident(users, who))
    )
    who, article, mode, text, reason = CLOSED_REJECTED
    when = at()
    made.append(
        _comment(
            consultation,
            text,
            when,
            article=article,
            mode=mode,
            author=_resident(users, who),
            status=CommentStatus.rejected,
            moderation_reason=reason,
            moderated_at=when + timedelta(hours=4),
            **moderated,
        )
    )
    return made


def load(ctx: dict[str, Any]) -> None:
    if ctx.get("open") is None or ctx.get("closed") is None:
        return  # the catalogue's demo part is not there yet
    ctx["open_comments"] = _load_open(ctx)
    closed = _load_closed(ctx)
    db.session.flush()
    # Responses answer accepted opinions; the rest stay for the moderation demo.
    ctx["closed_comments"] = [c for c in closed if c.status == CommentStatus.accepted]
    ctx["closed_comments_all"] = closed

# ruff: noqa: E501  (legal text reads better one article per line)
"""Demo catalogue: this year's provincial and Jinan municipal catalogues, drafts with two
versions, an open consultation, a closed one for comments and a report, adjustments and
one confidential item. Times are relative to now so the demo always looks current."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from participation.db import db, utcnow

from ..models import (
    Article,
    Catalogue,
    Consultation,
    ConsultationExtension,
    Decision,
    DecisionAdjustment,
    DraftVersion,
    EditionStatus,
    ModerationMode,
    ReportEdition,
    Stage,
)
from ..services import editions
from ..services.drafts import parse_draft

BEIJING = ZoneInfo("Asia/Shanghai")
WEATHER_REPORT = "征求意见期间未收到意见。"

AIR_V1 = """山东省大气污染防治条例（修订草案）

第一章 总则
第一条 为了保护和改善大气环境，防治大气污染，保障公众健康，推进生态文明建设，根据《中华人民共和国大气污染防治法》等法律、行政法规，结合本省实际，制定本条例。
第二条 本条例适用于本省行政区域内的大气污染防治及其监督管理活动。
第三条 大气污染防治应当坚持源头治理、规划先行，转变经济发展方式，优化产业结构和布局，调整能源结构。
第四条 县级以上人民政府对本行政区域的大气环境质量负责，制定规划，采取措施，控制或者逐步削减大气污染物的排放量。
第二章 监督管理
第五条 省生态环境主管部门应当会同有关部门建立全省大气环境质量监测网络，统一发布大气环境质量信息。
第六条 排放工业废气的企业事业单位和其他生产经营者，应当按照规定设置大气污染物排放口，并安装自动监测设备。
第七条 生态环境主管部门及其委托的环境监察机构，有权对排放大气污染物的单位进行现场检查。
第三章 防治措施
第八条 施工单位应当在施工工地设置硬质围挡，并采取覆盖、分段作业、择时施工、洒水抑尘等有效防尘降尘措施。
第九条 运输煤炭、垃圾、渣土、砂石等散装、流体物料的车辆应当采取密闭措施，按照规定路线和时间行驶。
第十条 禁止在人口集中地区和其他依法需要特殊保护的区域内焚烧沥青、油毡、橡胶、塑料、皮革、垃圾等产生有毒有害烟尘和恶臭气体的物质。
第四章 法律责任
第十一条 违反本条例第八条规定，施工单位未采取有效防尘降尘措施的，由县级以上人民政府住房城乡建设等主管部门责令改正，处一万元以上十万元以下的罚款。
第十二条 本条例自2027年1月1日起施行。
"""

AIR_V2 = """山东省大气污染防治条例（修订草案征求意见稿）

第一章 总则
第一条 为了保护和改善大气环境，防治大气污染，保障公众健康，推进生态文明建设，促进经济社会绿色低碳发展，根据《中华人民共和国大气污染防治法》等法律、行政法规，结合本省实际，制定本条例。
第二条 本条例适用于本省行政区域内的大气污染防治及其监督管理活动。
第三条 大气污染防治应当坚持源头治理、规划先行、协同推进减污降碳，转变经济发展方式，优化产业结构和布局，调整能源结构。
第四条 县级以上人民政府对本行政区域的大气环境质量负责，制定规划，采取措施，控制或者逐步削减大气污染物的排放量，使大气环境质量达到规定标准并逐步改善。
第五条 公民、法人和其他组织有权获取大气环境信息，参与和监督大气污染防治工作。鼓励公众通过举报热线和网络平台举报大气污染违法行为。
第二章 监督管理
第六条 省生态环境主管部门应当会同有关部门建立全省大气环境质量和大气污染源监测网络，统一发布大气环境质量信息，每月公布各设区的市空气质量排名。
第七条 排放工业废气的企业事业单位和其他生产经营者，应当按照规定设置大气污染物排放口，安装自动监测设备，并与生态环境主管部门的监控设备联网。
第八条 生态环境主管部门及其委托的环境监察机构，有权对排放大气污染物的单位进行现场检查。被检查者应当如实反映情况，提供必要的资料。
第三章 防治措施
第九条 施工单位应当在施工工地设置硬质围挡，并采取覆盖、分段作业、择时施工、洒水抑尘、冲洗地面和车辆等有效防尘降尘措施。建筑土方、工程渣土、建筑垃圾应当在四十八小时内清运。
第十条 运输煤炭、垃圾、渣土、砂石等散装、流体物料的车辆应当采取密闭措施，安装卫星定位装置，按照规定路线和时间行驶。
第十一条 禁止在人口集中地区和其他依法需要特殊保护的区域内焚烧沥青、油毡、橡胶、塑料、皮革、垃圾等产生有毒有害烟尘和恶臭气体的物质。
第十二条 餐饮服务经营者应当安装油烟净化设施并保持正常使用，定期清洗维护，保存清洗维护记录不少于三年。
第四章 法律责任
第十三条 违反本条例第九条规定，施工单位未采取有效防尘降尘措施的，由县级以上人民政府住房城乡建设等主管部门责令改正，处二万元以上十万元以下的罚款；拒不改正的，责令停工整治。
第十四条 本条例自2027年3月1日起施行。
"""

AIR_EXPLANATION = """## 一、修订的必要性

现行条例自2016年施行以来，对改善我省空气质量发挥了重要作用。近年来，国家对**减污降碳协同增效**提出新要求，扬尘、餐饮油烟等面源污染问题群众反映较多，有必要修订。

## 二、主要修订内容

1. 增加公众参与和举报的规定（第五条）；
2. 要求重点排污单位自动监测设备联网（第七条）；
3. 细化施工扬尘防治措施，明确渣土清运时限（第九条）；
4. 新增餐饮油烟治理规定（第十二条）；
5. 提高施工扬尘违法行为的罚款下限（第十三条）。

## 三、征求意见的重点

欢迎就渣土清运时限、餐饮油烟设施维护记录保存期限等问题提出意见。
"""

TRANSPORT_DRAFT = """山东省城市公共交通条例（草案征求意见稿）

第一章 总则
第一条 为了促进城市公共交通优先发展，规范城市公共交通秩序，保障乘客和经营者的合法权益，根据有关法律、行政法规，制定本条例。
第二条 本条例所称城市公共交通，是指在城市人民政府确定的区域内，利用公共汽电车、城市轨道交通等公共交通工具和设施，按照核定的线路、站点、时间和票价运营，为公众提供基本出行服务的活动。
第三条 城市公共交通是社会公益性事业。县级以上人民政府应当将城市公共交通发展纳入国民经济和社会发展规划，保障财政投入。
第二章 规划与建设
第四条 设区的市人民政府应当组织编制城市公共交通专项规划，征求公众意见，并向社会公布。
第五条 新建、改建居住区、商业区、大型公共设施，应当按照规划配套建设公共交通场站和换乘设施。
第三章 运营服务
第六条 运营企业应当按照核定的线路、站点、时间和班次运营，不得擅自变更、中断或者终止运营。
第七条 运营企业应当为老年人、残疾人、孕妇和携带婴幼儿的乘客提供优先乘车等便利服务，车辆应当配备无障碍设施。
第八条 乘客对运营服务有异议的，可以向运营企业或者城市公共交通主管部门投诉。运营企业应当自收到投诉之日起七个工作日内答复。
第四章 附则
第九条 本条例自公布之日起施行。
"""

TRANSPORT_EXPLANATION = """为落实公交优先发展战略，解决部分城市公交线网覆盖不足、换乘不便、无障碍服务欠缺等问题，省交通运输厅起草了本条例草案。

草案共四章九条，重点规定了规划编制的公众参与、居住区配套场站建设、无障碍服务和投诉答复时限。
"""

WEATHER_DRAFT = """山东省重污染天气应急预案（修订）

第一条 为了及时有效应对重污染天气，减轻污染程度，保障公众健康，制定本预案。
第二条 重污染天气预警分为黄色、橙色、红色三个级别，由省重污染天气应急指挥部统一发布。
第三条 发布橙色及以上预警时，各地应当启动重点行业企业绩效分级减排措施。
第四条 预警期间，中小学和幼儿园应当减少或者停止户外活动。
第五条 各地应当通过广播、电视、网络、手机短信等方式及时向公众发布预警信息和健康防护提示。
第六条 本预案自发布之日起施行。
"""


def _draft(decision: Decision, version: int, title: str, source: str, **kw: Any) -> DraftVersion:
    draft = DraftVersion(decision=decision, version=version, title=title, source=source, **kw)
    draft.articles = [
        Article(number=a.number, label=a.label, chapter=a.chapter, text=a.text)
        for a in parse_draft(source)
    ]
    db.session.add(draft)
    return draft


def _beijing(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """A round local time (Beijing) `days` from today, in UTC: notices say "23:59"."""
    local = now.astimezone(BEIJING) + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(UTC)


def load(ctx: dict[str, Any]) -> None:
    orgs, users = ctx["orgs"], ctx["users"]
    now = utcnow()
    year = now.year
    start_of_year = now - timedelta(days=now.timetuple().tm_yday - 1)
    province = Catalogue(
        year=year, level="province", title=f"{year}年山东省重大行政决策事项目录",
        published_at=start_of_year + timedelta(days=45),
    )  # fmt: skip
    city = Catalogue(
        year=year, level="city", title=f"{year}年济南市重大行政决策事项目录",
        published_at=start_of_year + timedelta(days=60),
    )  # fmt: skip
    db.session.add_all([province, city])

    # When each entry last changed, so "recent decisions" on the home page reads true.
    updates = {
        "山东省大气污染防治条例（修订）": now - timedelta(days=1),
        "山东省城市公共交通条例": now - timedelta(days=9),
        "山东省生活垃圾分类管理办法": now - timedelta(days=60),
        "山东省优化营商环境条例（修订）": now - timedelta(days=80),
        "山东省住房公积金缴存管理办法": now - timedelta(days=120),
        "山东省重污染天气应急预案（修订）": now - timedelta(days=148),
    }

    def decision(catalogue: Catalogue, number: int, org: str, title: str, **kw: Any) -> Decision:
        d = Decision(
            catalogue=catalogue,
            organization=orgs[org],
            number=number,
            title=title,
            created_at=kw.pop("created_at", catalogue.published_at),
            **kw,
        )
        d.updated_at = updates.get(title, d.created_at)
        db.session.add(d)
        db.session.add(
            DecisionAdjustment(
                decision=d,
                at=d.created_at,
                kind="added",
                changes={"title": [None, title]},
            )
        )
        return d

    # 1. Air pollution: two draft versions, consultation open now (and extended once).
    air = decision(
        province, 1, "environment", "山东省大气污染防治条例（修订）",
        summary="修订2016年施行的《山东省大气污染防治条例》，强化扬尘、餐饮油烟等面源污染治理，"
        "推进减污降碳协同增效。",
        legal_basis="《中华人民共和国大气污染防治法》《重大行政决策程序暂行条例》",
        planned_start=date(year, 3, 1), planned_end=date(year, 12, 31),
        stage=Stage.consulting,
    )  # fmt: skip
    organizer = users["organizer"]
    _draft(
        air, 1, "山东省大气污染防治条例（修订草案）", AIR_V1,
        explanation="修订草案初稿，用于征求省直有关部门意见。",
        published_at=now - timedelta(days=70), created_by_id=organizer.id,
    )  # fmt: skip
    air_v2 = _draft(
        air, 2, "山东省大气污染防治条例（修订草案征求意见稿）", AIR_V2,
        explanation=AIR_EXPLANATION,
        change_note="吸收省直部门意见：新增公众参与、餐饮油烟治理条款，细化扬尘防治措施，"
        "调整罚款额度和施行日期。",
        published_at=now - timedelta(days=6), created_by_id=organizer.id,
    )  # fmt: skip
    opened = _beijing(now, -6, 9)
    original_close = _beijing(now, 24, 23, 59)
    open_consultation = Consultation(
        decision=air, draft=air_v2, title="关于《山东省大气污染防治条例（修订草案征求意见稿）》公开征求意见的公告",
        opens_at=opened, closes_at=original_close + timedelta(days=7),
        postal_address="济南市历下区经十路某号 山东省生态环境厅法规处（邮编250101）",
        email="dqtl@sthj.shandong.example.cn", phone="0531-6620 0000",
        moderation=ModerationMode.post, created_at=opened, created_by_id=organizer.id,
    )  # fmt: skip
    db.session.add(open_consultation)
    db.session.add(
        ConsultationExtension(
            consultation=open_consultation,
            at=now - timedelta(days=1),
            actor_id=organizer.id,
            old_closes_at=original_close,
            new_closes_at=original_close + timedelta(days=7),
            reason="应部分行业协会和社区居民要求，为便于充分表达意见，征求意见期限延长7天。",
        )
    )
    db.session.add(
        DecisionAdjustment(
            decision=air, at=opened, actor_id=organizer.id, kind="stage",
            changes={"stage": ["drafting", "consulting"]}, reason="修订草案公开征求意见。",
        )
    )  # fmt: skip

    # 2. Urban public transport: consultation closed ten days ago (comments and report follow).
    transport = decision(
        province, 2, "transport", "山东省城市公共交通条例",
        summary="制定城市公共交通地方性法规，落实公交优先发展战略，提升无障碍出行服务。",
        legal_basis="《城市公共交通条例》（国务院令第784号）",
        planned_start=date(year, 2, 1), planned_end=date(year, 12, 15),
        stage=Stage.deliberating,
    )  # fmt: skip
    transport_draft = _draft(
        transport, 1, "山东省城市公共交通条例（草案征求意见稿）", TRANSPORT_DRAFT,
        explanation=TRANSPORT_EXPLANATION, published_at=now - timedelta(days=41),
        created_by_id=users["organizer_transport"].id,
    )  # fmt: skip
    closed_consultation = Consultation(
        decision=transport, draft=transport_draft,
        title="关于《山东省城市公共交通条例（草案征求意见稿）》公开征求意见的公告",
        opens_at=_beijing(now, -40, 9), closes_at=_beijing(now, -10, 23, 59),
        postal_address="济南市历下区某路某号 山东省交通运输厅政策法规处（邮编250002）",
        email="gjtl@jtt.shandong.example.cn", phone="0531-8519 0000",
        moderation=ModerationMode.pre, created_at=now - timedelta(days=41),
        created_by_id=users["organizer_transport"].id,
    )  # fmt: skip
    db.session.add(closed_consultation)
    db.session.add(
        DecisionAdjustment(
            decision=transport, at=now - timedelta(days=95), kind="changed",
            changes={"planned_end": [date(year, 9, 30).isoformat(), date(year, 12, 15).isoformat()]},
            reason="国务院《城市公共交通条例》施行，需与上位法衔接，完成时间相应调整。",
        )
    )  # fmt: skip

    # 3. Heavy-pollution weather plan: decided with a short (15-day) window, now implemented.
    weather = decision(
        province, 3, "environment", "山东省重污染天气应急预案（修订）",
        summary="修订重污染天气应急预案，统一预警分级标准，完善应急减排措施。",
        legal_basis="《中华人民共和国突发事件应对法》《中华人民共和国大气污染防治法》",
        planned_start=date(year, 1, 15), planned_end=date(year, 6, 30),
        stage=Stage.implementing, deliberated_on=(now - timedelta(days=150)).date(),
        deliberation="经省政府第XX次常务会议审议通过。会议邀请2名公众代表列席，列席代表就学校停课"
        "标准提出意见，会议决定在预案中予以明确。",
        decided_on=(now - timedelta(days=148)).date(),
        decision_text="省政府办公厅印发《山东省重污染天气应急预案》，自发布之日起施行。",
        interpretation="**一问一答：** 预警分为几级？答：黄色、橙色、红色三级，橙色及以上预警启动"
        "重点行业绩效分级减排。",
    )  # fmt: skip
    weather_draft = _draft(
        weather, 1, "山东省重污染天气应急预案（修订征求意见稿）", WEATHER_DRAFT,
        explanation="为应对秋冬季重污染天气，需在采暖季前完成修订。",
        published_at=now - timedelta(days=200), is_final=True,
    )  # fmt: skip
    weather_c = Consultation(
            decision=weather, draft=weather_draft, title="重污染天气应急预案修订公开征求意见",
            opens_at=_beijing(now, -200, 9), closes_at=_beijing(now, -185, 17),
            short_window_reason="预案须在秋冬季重污染天气高发期前印发实施，时间紧迫，"
            "征求意见期限确定为15天。",
            postal_address="济南市历下区经十路某号 山东省生态环境厅大气处",
            email="zwr@sthj.shandong.example.cn", phone="0531-6620 0001",
            report_summary=WEATHER_REPORT,
            report_published_at=now - timedelta(days=180),
    )  # fmt: skip
    db.session.add(weather_c)
    db.session.flush()
    # Its report as published then: version 1, no opinions (the hearing's statements
    # come later, in an addendum: see events/demo.py).
    first = ReportEdition(
        consultation_id=weather_c.id, number=1, status=EditionStatus.published,
        summary=WEATHER_REPORT, drafted_by_id=organizer.id, published_by_id=organizer.id,
        drafted_at=weather_c.report_published_at, published_at=weather_c.report_published_at,
    )  # fmt: skip
    db.session.add(first)
    db.session.flush()
    editions.freeze(first)

    # 4. Waste sorting: drafting, timeline adjusted during the year.
    waste = decision(
        province, 4, "housing", "山东省生活垃圾分类管理办法",
        summary="规范生活垃圾分类投放、收集、运输和处理，建立分类激励机制。",
        legal_basis="《中华人民共和国固体废物污染环境防治法》",
        planned_start=date(year, 5, 1), planned_end=date(year + 1, 3, 31), stage=Stage.drafting,
    )  # fmt: skip
    db.session.add(
        DecisionAdjustment(
            decision=waste, at=now - timedelta(days=60), kind="changed",
            changes={"planned_end": [date(year, 11, 30).isoformat(), date(year + 1, 3, 31).isoformat()]},
            reason="需开展全省试点城市评估，评估结果作为起草依据，完成时间顺延至次年一季度。",
        )
    )  # fmt: skip

    # 5. Housing fund: withdrawn from the catalogue.
    fund = decision(
        province, 5, "housing", "山东省住房公积金缴存管理办法",
        summary="调整住房公积金缴存基数和比例。", stage=Stage.planned, withdrawn=True,
        planned_start=date(year, 4, 1), planned_end=date(year, 10, 31),
    )  # fmt: skip
    db.session.add(
        DecisionAdjustment(
            decision=fund, at=now - timedelta(days=120), kind="withdrawn",
            changes={"withdrawn": [False, True]},
            reason="国家层面相关政策正在调整，本年度暂不制定，待国家政策明确后另行列入目录。",
        )
    )  # fmt: skip

    # 6. Business environment: added mid-year, planned.
    business = decision(
        province, 6, "office", "山东省优化营商环境条例（修订）",
        summary="巩固“放管服”改革成果，规范涉企检查，完善政务服务“一网通办”。",
        legal_basis="《优化营商环境条例》", stage=Stage.planned,
        planned_start=date(year, 9, 1), planned_end=date(year + 1, 6, 30),
        created_at=now - timedelta(days=80),
    )  # fmt: skip
    business.adjustments[0].reason = "根据省政府常务会议要求，年中增补列入本年度目录。"

    # 7. Confidential: never listed, counted or shown.
    decision(
        province, 7, "office", "某重点项目征收补偿方案（涉密）",
        summary="依法不予公开。", stage=Stage.drafting, confidential=True,
    )  # fmt: skip

    # 8. Jinan municipal catalogue.
    decision(
        city, 1, "jinan", "济南市城市更新条例",
        summary="规范城市更新活动，推进老旧小区改造和历史文化街区保护。",
        legal_basis="《山东省城乡规划条例》", stage=Stage.planned,
        planned_start=date(year, 7, 1), planned_end=date(year + 1, 5, 31),
    )  # fmt: skip

    db.session.flush()
    ctx["open"] = open_consultation
    ctx["closed"] = closed_consultation
    ctx["decisions"] = {
        "air": air,
        "transport": transport,
        "weather": weather,
        "waste": waste,
        "fund": fund,
        "business": business,
    }

"""Benchmark consultations.grouping.propose_groups on synthetic Chinese comments.

About 30% of the comments are near-duplicates of 50 campaign templates (exact copies
with punctuation/width changes, small edits, an added personal sentence); the rest are
independent comments assembled from a vocabulary of policy phrases. Deterministic.

    .venv/bin/python bench/grouping_bench.py --n 100000
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.grouping import GroupingStats, propose_groups  # noqa: E402

OPENINGS = [
    "我认为",
    "本人建议",
    "作为一名普通市民，我觉得",
    "看了这次的征求意见稿，",
    "我是社区居民，",
    "我有几点意见：",
    "关于第{n}条，",
    "对于草案中提到的内容，",
    "作为退休教师，我想说",
    "我们小区的很多居民都认为",
    "在外卖行业工作多年，我觉得",
    "作为个体工商户，",
    "建议有关部门注意到",
    "针对第{n}款的规定，",
    "",
]
DETAILS = [
    "目前很多老旧小区",
    "上下班高峰期",
    "老年人出行时",
    "周末和节假日",
    "附近几所学校门口",
    "我们街道",
    "每个月的开支中",
    "去年以来",
    "城乡结合部",
    "新建住宅区",
    "夜间十点以后",
    "雨季期间",
    "农贸市场周边",
    "地铁站出入口",
    "医院附近",
    "",
]
TOPICS = [
    "停车收费标准",
    "老旧小区加装电梯",
    "垃圾分类投放点",
    "公交线路调整",
    "学区划分办法",
    "居家养老服务补贴",
    "医保报销比例",
    "噪音扰民问题",
    "共享单车停放管理",
    "燃气安全检查",
    "菜市场改造方案",
    "夜间施工许可",
    "物业服务收费",
    "绿化带建设",
    "非机动车道设置",
    "社区食堂运营",
    "外卖骑手通行规则",
    "无障碍设施建设",
    "农村宅基地管理",
    "公租房申请条件",
    "充电桩安装审批",
    "户外广告牌整治",
    "流动摊贩管理",
    "社区卫生服务中心",
    "幼儿园收费",
    "河道治理工程",
    "违章建筑拆除",
    "供暖费用分摊",
    "二次供水设施",
    "校外培训机构监管",
    "养犬登记管理",
    "网约车准入条件",
    "历史街区保护",
    "防汛应急预案",
    "社区文化活动中心",
    "电动车进楼入户",
]
PREDICATES = [
    "应当进一步明确责任主体",
    "需要加强日常监管",
    "标准定得明显偏高",
    "建议适当放宽限制",
    "应该充分听取居民意见",
    "缺乏具体的实施细则",
    "在执行层面难度较大",
    "希望能够尽快落实到位",
    "要照顾低收入群体的实际困难",
    "应该分阶段稳步推进",
    "存在重复收费的情况",
    "需要增加财政资金投入",
    "审批流程过于繁琐",
    "宣传解释工作还不到位",
    "应当设置合理的过渡期",
    "建议引入第三方评估",
    "信息公开还不够及时",
    "与上位法的规定不一致",
    "可以借鉴其他城市的经验",
    "应当明确违规处罚的标准",
]
REASONS = [
    "因为这直接关系到大家的切身利益",
    "否则群众的意见会很大",
    "这样才能真正减轻居民负担",
    "毕竟每个家庭的情况都不一样",
    "以免政策落地后出现新的问题",
    "不然很难达到预期的效果",
    "这一点在{n}年前就有人提过",
    "我身边至少有{n}户家庭遇到过这种情况",
    "每月多出{n}元对退休人员来说不是小数目",
    "",
]
CONNECTORS = ["同时，", "另外，", "而且", "但是", "此外，", "还有，", "", ""]
CLOSINGS = ["谢谢！", "希望采纳。", "请有关部门认真考虑。", "以上是我的建议。", "", ""]
PERSONAL = ["我是{n}号楼的住户，", "本人住在附近{n}年了，", "我家有两位老人，", "我在这里上班，"]
PUNCT_SWAPS = {"，": [",", "、", " "], "。": [".", "！", "。。"], "！": ["!", "。"], "：": [":"]}
FILLER = "的了是在有和就都也很要会这那个人们我你他她它上下中大小多少好"


def _fill(rng: random.Random, phrase: str) -> str:
    return phrase.replace("{n}", str(rng.randint(1, 60)))


def organic_comment(rng: random.Random) -> str:
    parts = [_fill(rng, rng.choice(OPENINGS))]
    target = rng.randint(70, 140)
    length = len(parts[0])
    while length < target:
        sentence = (
            rng.choice(CONNECTORS)
            + rng.choice(DETAILS)
            + rng.choice(TOPICS)
            + rng.choice(PREDICATES)
            + ("，" + _fill(rng, rng.choice(REASONS)) if rng.random() < 0.6 else "")
            + rng.choice("。！，")
        )
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts).rstrip("，") + rng.choice(CLOSINGS)


def campaign_variant(rng: random.Random, template: str) -> str:
    """A copy of a campaign text as people actually submit it."""
    text = template
    roll = rng.random()
    if roll < 0.4:  # formatting only: punctuation, full-width digits, spaces
        out = []
        for ch in text:
            if ch in PUNCT_SWAPS and rng.random() < 0.5:
                out.append(rng.choice(PUNCT_SWAPS[ch]))
            elif ch.isdigit() and rng.random() < 0.5:
                out.append(chr(ord(ch) + 0xFEE0))
            else:
                out.append(ch)
                if rng.random() < 0.02:
                    out.append(" ")
        return "".join(out)
    chars = list(text)
    for _ in range(rng.randint(1, 6)):  # a few characters changed, dropped or added
        pos = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars[pos] = rng.choice(FILLER)
        elif op < 0.75 and len(chars) > 10:
            del chars[pos]
        else:
            chars.insert(pos, rng.choice(FILLER))
    text = "".join(chars)
    if roll > 0.8:
        text = _fill(rng, rng.choice(PERSONAL)) + text
    return text


def generate(n: int, seed: int) -> tuple[list[tuple[int, str]], dict[int, int]]:
    """Comments and, for campaign copies, comment id -> template number."""
    rng = random.Random(seed)
    templates = [organic_comment(rng) + organic_comment(rng)[:40] for _ in range(50)]
    # Campaign sizes follow a Zipf-like curve: a few large campaigns, many small ones.
    weights = [1 / (rank + 1) for rank in range(len(templates))]
    items: list[tuple[int, str]] = []
    label: dict[int, int] = {}
    for cid in range(1, n + 1):
        if rng.random() < 0.3:
            t = rng.choices(range(len(templates)), weights)[0]
            items.append((cid, campaign_variant(rng, templates[t])))
            label[cid] = t
        else:
            items.append((cid, organic_comment(rng)))
    return items, label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of comments")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    items, label = generate(args.n, args.seed)
    t1 = time.perf_counter()
    calls: list[tuple[int, int]] = []
    stats = GroupingStats()
    groups = propose_groups(items, args.threshold, lambda d, t: calls.append((d, t)), stats=stats)
    seconds = time.perf_counter() - t1

    # Quality against the known campaign labels.
    grouped = sum(len(g.member_ids) for g in groups)
    impure = 0
    best_group_of: dict[int, int] = {}
    for g in groups:
        counts = Counter(label.get(cid, -1) for cid in g.member_ids)
        top, top_n = counts.most_common(1)[0]
        impure += len(g.member_ids) - top_n
        if top >= 0:
            best_group_of[top] = max(best_group_of.get(top, 0), top_n)
    family_sizes = Counter(label.values())
    recall = sum(best_group_of.get(t, 0) for t in family_sizes) / max(1, len(label))

    print(f"comments          {args.n} (generated in {t1 - t0:.1f} s, {len(label)} campaign)")
    print(f"seconds           {seconds:.2f}")
    print(f"groups found      {len(groups)} ({grouped} comments grouped)")
    print(f"pairs confirmed   {stats.pairs_confirmed} of {stats.candidate_pairs} candidates")
    print(f"unique texts      {stats.unique_texts} (empty {stats.empty})")
    print(f"lsh               {stats.bands} bands x {stats.rows} rows")
    print(f"largest groups    {[len(g.member_ids) for g in groups[:5]]}")
    print(f"families          {len(best_group_of)}/{len(family_sizes)} campaigns found")
    print(f"campaign recall   {recall:.3f} (copies in their family's largest group)")
    print(f"impure members    {impure}")
    print(f"phases            { ({k: round(v, 2) for k, v in stats.seconds.items()}) }")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS          {peak_mb:.0f} MB (whole process, incl. generated data)")
    print(f"progress calls    {len(calls)}, last {calls[-1] if calls else None}")


if __name__ == "__main__":
    main()

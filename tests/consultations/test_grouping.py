"""Tests for consultations/grouping.py (near-duplicate comment grouping)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from consultations import grouping
from consultations.grouping import (
    GroupingStats,
    lsh_params,
    normalize,
    propose_groups,
    shingles,
    similarity,
)

ROOT = Path(__file__).resolve().parents[2]

CAMPAIGN = (
    "我们坚决反对在居民区旁边建设垃圾焚烧厂，选址过程没有充分听取周边居民的意见，"
    "环境影响评价报告也没有向社会公开。请有关部门重新论证选址方案，"
    "依法组织听证会，保障群众的知情权和参与权，谢谢！"
)

# Phrases shared by all templates, so families overlap the way real comments do.
PHRASES = [
    "我认为",
    "建议",
    "第十二条",
    "停车收费标准",
    "老旧小区加装电梯",
    "应当进一步明确",
    "需要加强监管",
    "希望尽快落实",
    "居民的实际困难",
    "垃圾分类投放点",
    "公交线路调整",
    "医保报销比例",
    "审批流程过于繁琐",
    "信息公开不够及时",
    "物业服务收费",
    "夜间施工许可",
    "养老服务补贴",
    "应该分阶段推进",
    "非机动车道设置",
    "社区食堂运营",
    "因为这关系到大家的切身利益",
    "同时",
    "另外",
    "谢谢",
]
FILLER = "的了是在有和就都也很要会这那个人们我你他上下中大小多少好"


def _template(rng: random.Random) -> str:
    # Phrases plus a few random characters make every template distinct.
    parts: list[str] = []
    while sum(map(len, parts)) < 100:
        parts.append(rng.choice(PHRASES))
        parts.append("".join(rng.choice(FILLER) for _ in range(rng.randint(2, 5))))
        parts.append(rng.choice("，。！"))
    return "".join(parts)


def _edit(rng: random.Random, text: str, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        pos = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars[pos] = rng.choice(FILLER)
        elif op < 0.75:
            del chars[pos]
        else:
            chars.insert(pos, rng.choice(FILLER))
    return "".join(chars)


def _family_dataset(seed: int = 7) -> tuple[list[tuple[int, str]], dict[int, int]]:
    rng = random.Random(seed)
    templates = [_template(rng) for _ in range(20)]
    items: list[tuple[int, str]] = []
    family: dict[int, int] = {}
    for cid in range(1, 2001):
        t = rng.randrange(len(templates))
        items.append((cid, _edit(rng, templates[t], rng.randint(0, 12))))
        family[cid] = t
    return items, family


def _as_tuples(groups: list[grouping.ProposedGroup]) -> list[tuple[list[int], int, float]]:
    return [(g.member_ids, g.representative_id, g.similarity) for g in groups]


# --- normalize / shingles / similarity -------------------------------------------------


def test_normalize_ignores_width_case_spaces_and_punctuation() -> None:
    assert normalize("同意！ 支持，ABC１２３。") == "同意支持abc123"
    assert normalize("同意!支持,ａｂｃ123.") == "同意支持abc123"
    assert normalize("“第十条”（草案）：\t删除——") == "第十条草案删除"
    assert normalize("  。，！？ ") == ""
    assert normalize("") == ""


def test_normalize_fast_path_matches_plain_definition() -> None:
    # The pre-strip skips NFKC for punctuation; it must only remove characters the plain
    # definition (NFKC, lower, drop non-word characters) removes as well.
    for cp in range(0x10000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not grouping._PRE_STRIP.fullmatch(ch):
            continue
        assert grouping._STRIP.sub("", unicodedata.normalize("NFKC", ch).lower()) == "", hex(cp)
    for text in ["３０℃以上", "™商标", "１０㎏", "Ⅻ条", "①第一款", "ｶﾀｶﾅ", "İstanbul"]:
        plain = grouping._STRIP.sub("", unicodedata.normalize("NFKC", text).lower())
        assert normalize(text) == plain


def test_shingles_of_short_and_normal_texts() -> None:
    assert shingles("") == set()
    assert shingles("好") == {"好"}
    assert shingles("同意") == {"同意"}
    assert shingles("同意啊") == {"同意啊"}
    assert shingles("我同意了") == {"我同意", "同意了"}
    assert shingles("我同意了", n=2) == {"我同", "同意", "意了"}


def test_similarity_is_exact_jaccard_of_normalized_shingles() -> None:
    assert similarity("我同意了", "我同意了！") == 1.0
    assert similarity("我同意了", "我同意吗") == pytest.approx(1 / 3)
    assert similarity("完全不同的内容", "毫无关系文本") == 0.0
    assert similarity("", "。") == 1.0
    assert similarity("", "同意") == 0.0


def test_lsh_parameters_for_default_threshold() -> None:
    assert lsh_params(0.5, 64) == (16, 4)
    bands, rows = lsh_params(0.8, 64)
    assert rows > 4 and bands * rows <= 64


# --- propose_groups ---------------------------------------------------------------------


def test_exact_duplicates_with_different_punctuation_and_width_group_together() -> None:
    variants = [
        CAMPAIGN,
        CAMPAIGN.replace("，", ",").replace("。", "."),
        CAMPAIGN.replace("，", " ，  ").replace("！", "!!!"),
        "　" + CAMPAIGN.replace("谢谢", "谢 谢") + "\n",
    ]
    items = [(10 + i, text) for i, text in enumerate(variants)]
    groups = propose_groups(items)
    assert len(groups) == 1
    assert groups[0].member_ids == [10, 11, 12, 13]
    assert groups[0].representative_id == 10
    assert groups[0].similarity == 1.0


def test_campaign_with_small_edits_groups() -> None:
    rng = random.Random(3)
    edited = [_edit(rng, CAMPAIGN, 3) for _ in range(6)]
    assert all(similarity(CAMPAIGN, e) < 1.0 for e in edited)
    items = [(1, CAMPAIGN)] + [(i + 2, e) for i, e in enumerate(edited)]
    groups = propose_groups(items)
    assert len(groups) == 1
    assert groups[0].member_ids == list(range(1, 8))
    assert 0.5 <= groups[0].similarity < 1.0


def test_unrelated_texts_do_not_group() -> None:
    texts = [
        "建议延长公交末班车的运营时间，方便晚上下班的职工回家。",
        "小区加装电梯的补贴标准太低，希望政府提高补助金额。",
        "第八条规定的罚款数额过高，对个体工商户负担太重。",
        "垃圾分类投放点离住宅太近，夏天气味很大，请重新选址。",
        "学校周边的交通秩序混乱，上下学时段需要增派交警。",
        "菜市场改造以后摊位费上涨了一倍，小商贩难以承受。",
        CAMPAIGN,
    ]
    groups = propose_groups(list(enumerate(texts)))
    assert groups == []


def test_empty_and_short_texts() -> None:
    items = [
        (1, ""),
        (2, "。。。"),
        (3, "   "),
        (4, "同意"),
        (5, "同意！"),
        (6, "ＯＫ"),
        (7, "ok"),
        (8, "好"),
        (9, "不同意"),
        (10, "👍"),
    ]
    stats = GroupingStats()
    groups = propose_groups(items, stats=stats)
    # Blank/emoji-only comments carry no text and are not grouped; short texts are
    # compared as a whole ("同意" and "不同意" share no shingle).
    assert _as_tuples(groups) == [([4, 5], 4, 1.0), ([6, 7], 6, 1.0)]
    assert stats.empty == 4
    assert propose_groups([]) == []


def test_deterministic_within_a_process() -> None:
    items, _ = _family_dataset(seed=11)
    items = items[:600]
    first = _as_tuples(propose_groups(items))
    second = _as_tuples(propose_groups(iter(items)))
    assert first == second


def test_deterministic_across_processes_with_different_hash_seeds() -> None:
    # str hashing is salted per process; the signatures must not depend on it.
    code = (
        "import json, sys\n"
        "from consultations.grouping import propose_groups\n"
        "items = [tuple(item) for item in json.load(sys.stdin)]\n"
        "groups = propose_groups(items)\n"
        "print(json.dumps([[g.member_ids, g.representative_id, g.similarity] for g in groups]))"
    )
    items, _ = _family_dataset(seed=5)
    payload = json.dumps(items[:400])
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_progress_callback_is_throttled_and_ends_at_total() -> None:
    items, _ = _family_dataset(seed=2)
    calls: list[tuple[int, int]] = []
    propose_groups(items, progress=lambda done, total: calls.append((done, total)))
    assert calls
    assert calls[-1] == (len(items), len(items))
    assert len(calls) <= 102
    assert all(total == len(items) for _, total in calls)
    dones = [done for done, _ in calls]
    assert dones == sorted(dones)

    calls.clear()
    propose_groups([], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 0)]


@pytest.mark.parametrize("verify_exact", [True, False])
def test_template_families_are_pure_and_recovered(verify_exact: bool) -> None:
    items, family = _family_dataset()
    stats = GroupingStats()
    groups = propose_groups(items, verify_exact=verify_exact, stats=stats)
    assert groups
    assert [len(g.member_ids) for g in groups] == sorted(
        (len(g.member_ids) for g in groups), reverse=True
    )
    largest_share: dict[int, int] = {}
    for g in groups:
        counts = Counter(family[cid] for cid in g.member_ids)
        top, top_n = counts.most_common(1)[0]
        assert top_n / len(g.member_ids) >= 0.95
        assert g.representative_id in g.member_ids
        assert g.member_ids == sorted(g.member_ids)
        assert 0.0 < g.similarity <= 1.0
        largest_share[top] = max(largest_share.get(top, 0), top_n)
    sizes = Counter(family.values())
    recovered = [t for t, size in sizes.items() if largest_share.get(t, 0) >= 0.9 * size]
    assert len(recovered) >= 18
    assert stats.pairs_confirmed > 0


def test_representative_is_the_campaign_text() -> None:
    rng = random.Random(9)
    # The original appears many times; edited copies are scattered around it.
    items = [(i, _edit(rng, CAMPAIGN, 4)) for i in range(1, 30)]
    items += [(100 + i, CAMPAIGN) for i in range(10)]
    groups = propose_groups(items)
    assert len(groups) == 1
    assert groups[0].representative_id == 100


def test_huge_bucket_of_near_identical_texts_stays_linear() -> None:
    rng = random.Random(4)
    n = 3000
    items = [(i, _edit(rng, CAMPAIGN, 2)) for i in range(n)]
    stats = GroupingStats()
    groups = propose_groups(items, stats=stats)
    assert len(groups) == 1 and len(groups[0].member_ids) == n
    # All pairs would be ~4.5 million comparisons per band.
    assert stats.candidate_pairs < 10 * n


def test_threshold_changes_what_counts_as_similar() -> None:
    rng = random.Random(6)
    heavy = _edit(rng, CAMPAIGN, 25)
    exact = similarity(CAMPAIGN, heavy)
    assert 0.2 < exact < 0.6
    assert propose_groups([(1, CAMPAIGN), (2, heavy)], threshold=0.9) == []
    assert len(propose_groups([(1, CAMPAIGN), (2, heavy)], threshold=0.15)) == 1


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        propose_groups([(1, "同意")], threshold=0.0)
    with pytest.raises(ValueError):
        propose_groups([(1, "同意")], bands=0)
    with pytest.raises(ValueError):
        propose_groups([(1, "同意")], num_perm=0)

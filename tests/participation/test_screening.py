"""Tests for participation/screening.py (sensitive words and PII masking)."""

import dataclasses
import time

import pytest

from participation.screening import (
    DEFAULT_WORDS_FILE,
    PiiMatch,
    ScreenResult,
    find_pii,
    find_words,
    is_valid_id_number,
    load_words,
    mask,
    screen,
)

# Independent GB 11643-1999 implementation so tests don't just echo the module.
_CHECK_CHARS = "10X98765432"


def with_check_char(first17: str) -> str:
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(first17))
    return first17 + _CHECK_CHARS[total % 11]


def wrong_check_char(first17: str) -> str:
    right = with_check_char(first17)[-1]
    return first17 + ("0" if right != "0" else "1")


# Area 110105 (Beijing Chaoyang), born 1990-03-07, sequence 123.
VALID_ID = with_check_char("11010519900307123")
INVALID_ID = wrong_check_char("11010519900307123")
# Sequence chosen so the check character is X, to cover that branch too.
VALID_ID_X = next(
    with_check_char(f"44030419851231{seq:03d}")
    for seq in range(1000)
    if with_check_char(f"44030419851231{seq:03d}").endswith("X")
)

WORDS = ("傻逼", "垃圾广告", "代开发票", "赌博", "网络赌博网站", "Spam-Link", "fuck")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start : m.end]) for m in find_pii(text)]


# --------------------------------------------------------------------------- ID numbers


def test_reference_id_checksum():
    # Example from the GB 11643-1999 standard itself.
    assert with_check_char("11010519491231002") == "11010519491231002X"
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")


def test_is_valid_id_number():
    assert is_valid_id_number(VALID_ID)
    assert is_valid_id_number(VALID_ID_X)
    assert not is_valid_id_number(INVALID_ID)
    assert not is_valid_id_number(VALID_ID[:-1])
    assert not is_valid_id_number("")
    assert not is_valid_id_number("1101051990030712a4")


def test_full_width_id_is_valid():
    full_width = VALID_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert is_valid_id_number(full_width)


def test_valid_id_in_sentence():
    text = f"本人张三，身份证号{VALID_ID}，反对该规划方案。"
    assert kinds(text) == [("id_number", VALID_ID)]
    assert (
        mask(text) == f"本人张三，身份证号{VALID_ID[:6]}********{VALID_ID[-4:]}，反对该规划方案。"
    )


def test_id_with_x_check_char():
    lower = VALID_ID_X[:-1] + "x"
    for id_number in (VALID_ID_X, lower):
        text = f"证件号码：{id_number}。"
        assert kinds(text) == [("id_number", id_number)]
        assert mask(text) == f"证件号码：{id_number[:6]}********{id_number[-4:]}。"


def test_invalid_checksum_masked_as_phone():
    text = f"身份证{INVALID_ID}谢谢"
    assert kinds(text) == [("phone", INVALID_ID)]
    assert mask(text) == f"身份证{INVALID_ID[:3]}{'*' * 11}{INVALID_ID[-4:]}谢谢"


def test_invalid_checksum_with_x_masked_whole():
    first17 = "11010519900307123"
    assert not with_check_char(first17).endswith("X")
    bad = first17 + "X"
    text = f"号码{bad}。"
    assert kinds(text) == [("phone", bad)]
    # The trailing X is inside the match, so it is not left dangling after the mask.
    assert mask(text) == f"号码110{'*' * 11}123X。"


def test_old_15_digit_id():
    text = "老身份证130503670401001已作废"
    assert kinds(text) == [("id_number", "130503670401001")]
    assert mask(text) == "老身份证130503*****1001已作废"


def test_id_inside_longer_digit_run_is_not_an_id():
    text = f"订单号9{VALID_ID}9"
    [match] = find_pii(text)
    # Still masked conservatively as a long number, but not as an ID.
    assert match.kind == "phone"
    assert (match.start, match.end) == (3, 3 + 20)


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138-****-5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("+8613812345678", "+86138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("+86-13812345678", "+86-138****5678"),
        ("008613812345678", "0086138****5678"),
        ("19912345678", "199****5678"),
    ],
)
def test_mobile_formats(number, masked):
    text = f"我的手机{number}，欢迎来电。"
    assert kinds(text) == [("phone", number)]
    assert mask(text) == f"我的手机{masked}，欢迎来电。"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("0531-12345678", "053*-****5678"),
        ("010-12345678", "010-****5678"),
        ("(0531)1234567", "(053*)***4567"),
        ("（0531）1234567", "（053*）***4567"),
        ("0755 87654321", "075* ****4321"),
        ("0531 8888 6666", "053* **** 6666"),
        ("010-6552-1234", "010-****-1234"),
    ],
)
def test_landline_formats(number, masked):
    text = f"办公电话{number}。"
    assert kinds(text) == [("phone", number)]
    assert mask(text) == f"办公电话{masked}。"


def test_invalid_mobile_prefix_not_matched():
    # 12x is not a mobile prefix and 11 digits is the threshold for the catch-all.
    assert find_pii("编号1281234567") == ()
    assert kinds("编号12812345678") == [("phone", "12812345678")]


def test_digits_inside_longer_numbers_not_matched_as_mobile():
    text = "流水号2138123456789结束"
    [match] = find_pii(text)
    assert text[match.start : match.end] == "2138123456789"
    assert mask(text) == "流水号213******6789结束"


def test_short_numbers_are_left_alone():
    text = "会议于2025年10月9日14:30举行，共收到1234567条意见，预算12345678元。"
    assert find_pii(text) == ()
    assert mask(text) == text


def test_dates_and_amounts_with_separators_left_alone():
    text = "时间2025-10-09，金额1,234,567,890,123元，比例12.34%"
    assert find_pii(text) == ()


def test_full_width_digits_detected_and_masked_in_place():
    text = "电话：１３８１２３４５６７８，谢谢"
    assert kinds(text) == [("phone", "１３８１２３４５６７８")]
    assert mask(text) == "电话：１３８****５６７８，谢谢"


def test_full_width_mixed_with_separators():
    text = "电话＋８６　１３８－１２３４－５６７８。"
    assert kinds(text) == [("phone", "＋８６　１３８－１２３４－５６７８")]
    assert mask(text) == "电话＋８６　１３８－****－５６７８。"


def test_positions_refer_to_original_text():
    text = "①②③ 联系１３８１２３４５６７８或zhang@example.com"
    for match in find_pii(text):
        fragment = text[match.start : match.end]
        assert fragment in ("１３８１２３４５６７８", "zhang@example.com")


def test_characters_expanding_under_nfkc_keep_positions():
    # ㈠ and ﬁ expand to several characters under NFKC; indices must not shift.
    text = "㈠ﬁ ㈡13812345678"
    [match] = find_pii(text)
    assert text[match.start : match.end] == "13812345678"
    assert mask(text) == "㈠ﬁ ㈡138****5678"


# --------------------------------------------------------------------------- email


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("li.si+consult@mail.gov.cn", "l***@mail.gov.cn"),
        ("a@b.cn", "a***@b.cn"),
        ("13812345678@163.com", "1***@163.com"),
    ],
)
def test_email(address, masked):
    text = f"请回复至{address}，谢谢。"
    assert kinds(text) == [("email", address)]
    assert mask(text) == f"请回复至{masked}，谢谢。"


def test_email_sentence_end_period():
    text = "邮箱是wang@example.org."
    assert kinds(text) == [("email", "wang@example.org")]
    assert mask(text) == "邮箱是w***@example.org."


def test_full_width_email():
    text = "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ。"
    assert kinds(text) == [("email", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ")]
    assert mask(text) == "邮箱ｚ***＠ｅｘａｍｐｌｅ．ｃｏｍ。"


def test_not_an_email():
    assert find_pii("用户@张三 你好，价格5@10元，a@b") == ()


# --------------------------------------------------------------------------- combined


def test_real_comment_with_everything():
    text = (
        f"我是济南市市中区居民，对《城市更新条例（征求意见稿）》第十二条有意见。"
        f"联系电话138-1234-5678，座机(0531)87654321，邮箱zhang.wei@example.com，"
        f"身份证{VALID_ID}。"
    )
    result = screen(text, WORDS)
    assert [m.kind for m in result.pii] == ["phone", "phone", "email", "id_number"]
    assert result.has_pii
    assert not result.needs_review
    assert result.flagged_words == ()
    assert result.masked == (
        "我是济南市市中区居民，对《城市更新条例（征求意见稿）》第十二条有意见。"
        "联系电话138-****-5678，座机(053*)****4321，邮箱z***@example.com，"
        f"身份证{VALID_ID[:6]}********{VALID_ID[-4:]}。"
    )


def test_pii_sorted_and_non_overlapping():
    text = f"a@b.cn 13812345678 {VALID_ID} 010-12345678 z@y.com"
    matches = find_pii(text)
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    for left, right in zip(matches, matches[1:], strict=False):
        assert left.end <= right.start


def test_mask_equals_screen_masked():
    text = f"电话13812345678，身份证{VALID_ID}"
    assert mask(text) == screen(text, ()).masked


# --------------------------------------------------------------------------- sensitive words


def test_words_found_in_chinese_without_boundaries():
    result = screen("这条评论就是垃圾广告，还有人代开发票", WORDS)
    assert result.flagged_words == ("垃圾广告", "代开发票")
    assert result.needs_review
    assert not result.has_pii
    assert result.masked == "这条评论就是垃圾广告，还有人代开发票"


def test_words_case_insensitive_and_reported_as_listed():
    assert find_words("FUCK this, visit SPAM-LINK now", WORDS) == ("fuck", "Spam-Link")
    assert find_words("FuCk", WORDS) == ("fuck",)


def test_full_width_latin_words():
    assert find_words("ＦＵＣＫ", WORDS) == ("fuck",)


def test_overlapping_words_all_reported():
    assert find_words("他在网络赌博网站输了钱", WORDS) == ("网络赌博网站", "赌博")


def test_repeated_words_reported_once():
    assert find_words("赌博赌博赌博", WORDS) == ("赌博",)


def test_regex_metacharacters_in_words_are_literal():
    words = ("a.b", "(x)", "c++")
    assert find_words("axb", words) == ()
    assert find_words("我用c++写了(x)", words) == ("c++", "(x)")


def test_empty_word_list_and_blank_entries():
    assert find_words("傻逼", ()) == ()
    # A blank entry must not turn into an always-matching alternative.
    assert find_words("正常的意见", ("", "  ")) == ()


def test_words_accepts_any_iterable():
    assert find_words("赌博", iter(["赌博"])) == ("赌博",)
    assert find_words("赌博", ["赌博"]) == ("赌博",)


def test_default_words_used_when_none():
    assert screen("这是垃圾广告").flagged_words == ("垃圾广告",)
    assert screen("我支持这个方案").flagged_words == ()


def test_clean_text():
    result = screen("建议在社区增设无障碍通道，方便老年人出行。", WORDS)
    assert result == ScreenResult(
        flagged_words=(), pii=(), masked="建议在社区增设无障碍通道，方便老年人出行。"
    )
    assert not result.needs_review
    assert not result.has_pii


# --------------------------------------------------------------------------- load_words


def test_load_words(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text(
        "\ufeff# header comment\n\n傻逼\n  赌博  \n# another\nspam\n赌博\n\n", encoding="utf-8"
    )
    assert load_words(path) == ("傻逼", "赌博", "spam")
    assert load_words(str(path)) == ("傻逼", "赌博", "spam")


def test_load_words_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_words(tmp_path / "nope.txt")


def test_default_words_file():
    assert DEFAULT_WORDS_FILE.is_file()
    assert DEFAULT_WORDS_FILE.read_text(encoding="utf-8").startswith("#")
    words = load_words(None)
    assert words == load_words(DEFAULT_WORDS_FILE)
    assert 10 <= len(words) <= 40
    assert {"傻逼", "垃圾广告", "代开发票", "赌博", "fuck"} <= set(words)
    assert all(w and not w.startswith("#") and w == w.strip() for w in words)


# --------------------------------------------------------------------------- edge cases


def test_empty_string():
    result = screen("", WORDS)
    assert result == ScreenResult(flagged_words=(), pii=(), masked="")
    assert mask("") == ""
    assert find_pii("") == ()


def test_html_left_untouched():
    text = '<script>alert("x")</script><b>傻逼</b> <a href="mailto:li@example.com">13812345678</a>'
    result = screen(text, WORDS)
    assert result.flagged_words == ("傻逼",)
    assert result.masked == (
        '<script>alert("x")</script><b>傻逼</b> <a href="mailto:l***@example.com">138****5678</a>'
    )


def test_results_are_frozen():
    result = screen("13812345678", WORDS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.masked = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pii[0].kind = "email"  # type: ignore[misc]
    assert result.pii == (PiiMatch("phone", 0, 11),)


def test_long_input_masks_everything():
    chunk = "意见13812345678，"
    text = chunk * 720  # ~10k characters
    assert len(text) >= 10_000
    result = screen(text, WORDS)
    assert len(result.pii) == 720
    assert "13812345678" not in result.masked
    assert result.masked == "意见138****5678，" * 720


@pytest.mark.parametrize(
    "text",
    [
        "1" * 10_000,
        "a" * 10_000,
        "a." * 5_000 + "@",
        "x@" + "a-" * 5_000,
        "a@" * 5_000,
        "x@" + "a." * 5_000,
        "赌" * 10_000,
        "１" * 10_000,
        "<p>" * 3_400,
    ],
)
def test_hostile_input_is_fast(text):
    started = time.perf_counter()
    result = screen(text, WORDS)
    assert time.perf_counter() - started < 1.0
    assert len(result.masked) <= len(text) + 3


def test_long_digit_run_masked_as_single_phone():
    result = screen("1" * 10_000, WORDS)
    assert result.pii == (PiiMatch("phone", 0, 10_000),)
    assert result.masked == "111" + "*" * 9_993 + "1111"


# --------------------------------------------------------------------------- the normaliser
# A corpus of the ways people write personal data to get it past a filter (positives),
# and of ordinary text that looks like numbers but is not personal data (negatives).
# Both languages. Each positive gives the text and exactly what must be masked in it.

SPACED_ID = "370102 19900101 1234"  # from the outside review; its check character is wrong
SPACED_VALID_ID = f"{VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]}"

NORMALISER_POSITIVES = [
    # (text, the personal data inside it, kind)
    ("身份证 370102 19900101 1234 谢谢", SPACED_ID, "phone"),
    (f"身份证号：{SPACED_VALID_ID}。", SPACED_VALID_ID, "id_number"),
    (f"ID {VALID_ID[:6]}-{VALID_ID[6:10]}-{VALID_ID[10:14]}-{VALID_ID[14:]} ok", None, "id_number"),
    ("手机138.1234.5678，谢谢", "138.1234.5678", "phone"),
    ("call 138/1234/5678 please", "138/1234/5678", "phone"),
    ("电话 1 3 8 1 2 3 4 5 6 7 8 联系", "1 3 8 1 2 3 4 5 6 7 8", "phone"),
    ("电话1-3-8-1-2-3-4-5-6-7-8", "1-3-8-1-2-3-4-5-6-7-8", "phone"),
    ("手机一三八一二三四五六七八，谢谢", "一三八一二三四五六七八", "phone"),
    ("手机幺三八 幺二三四 五六七八", "幺三八 幺二三四 五六七八", "phone"),
    ("电话壹叁捌壹贰叁肆伍陆柒捌", "壹叁捌壹贰叁肆伍陆柒捌", "phone"),
    ("手机138一二三四5678", "138一二三四5678", "phone"),
    ("手机１３８．１２３４．５６７８。", "１３８．１２３４．５６７８", "phone"),
    ("手机１３８　１２３４　５６７８。", "１３８　１２３４　５６７８", "phone"),
    ("tel 86.138.1234.5678", "86.138.1234.5678", "phone"),
    ("办公室 0531.8888.6666", "0531.8888.6666", "phone"),
    ("证件三七〇一〇二一九九〇〇一〇一一二三四", "三七〇一〇二一九九〇〇一〇一一二三四", "phone"),
    ("mail someone at example dot com thanks", "someone at example dot com", "email"),
    ("Mail Someone AT Example DOT Com", "Someone AT Example DOT Com", "email"),
    ("write to li.si (at) gov (dot) cn.", "li.si (at) gov (dot) cn", "email"),
    ("write to li.si [at] gov [dot] cn.", "li.si [at] gov [dot] cn", "email"),
    ("邮箱someone艾特example点com谢谢", "someone艾特example点com", "email"),
    ("邮箱 someone 艾特 example 点 com。", "someone 艾特 example 点 com", "email"),
    ("邮箱 someone @ example.com。", "someone @ example.com", "email"),
    ("someone@example dot com", "someone@example dot com", "email"),
]


@pytest.mark.parametrize(("text", "secret", "kind"), NORMALISER_POSITIVES)
def test_normaliser_finds_disguised_personal_data(text, secret, kind):
    if secret is None:
        secret = text[3:-3]
    [match] = find_pii(text)
    assert (match.kind, text[match.start : match.end]) == (kind, secret)
    masked = mask(text)
    # Only the personal data changed: the text around it is kept as it was.
    head, tail = text.split(secret)
    assert masked.startswith(head) and masked.endswith(tail)
    assert masked != text
    assert secret not in masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证 370102 19900101 1234", "身份证 370*** ******** 1234"),
        (f"身份证{SPACED_VALID_ID}", f"身份证{VALID_ID[:6]} ******** {VALID_ID[14:]}"),
        ("138.1234.5678", "138.****.5678"),
        ("1 3 8 1 2 3 4 5 6 7 8", "1 3 8 * * * * 5 6 7 8"),
        ("一三八一二三四五六七八", "一三八****五六七八"),
        ("+86 138.1234.5678", "+86 138.****.5678"),
        ("86 138 1234 5678", "86 138 **** 5678"),
        ("someone at example dot com", "s*** at example dot com"),
        ("someone艾特example点com", "s***艾特example点com"),
        # The text reported by the outside review, from an organizer's response reason.
        (
            "已电话联系 13812345678 并邮件 someone@example.com",
            "已电话联系 138****5678 并邮件 s***@example.com",
        ),
        ("张三13912345678", "张三139****5678"),
    ],
)
def test_normaliser_masks_exactly_the_personal_data(text, masked):
    assert mask(text) == masked
    assert screen(text, ()).masked == masked


NORMALISER_NEGATIVES = [
    "会议定于2026年12月2日上午9时举行。",
    "二〇二六年十二月二日",
    "依据《条例》第十二条、第一百二十三条规定。",
    "第三十八条第二款",
    "补贴标准为每人1,500元，合计12,345,678元。",
    "开放时间7:00-9:00、13:30-17:30。",
    "2021-2025年规划，2026.12.02发布，2026/12/02生效。",
    "国务院令第713号；鲁政办发〔2021〕12号；GB/T 37668-2019。",
    "ISBN 978-7-111-12345-6",
    "比例为12.5%，增长0.35个百分点，共138.5万元。",
    "共 15 20 30 40 55 6 项指标",
    "版本 13.5.1234.5678",
    "三三两两，一五一十，七七八八",
    "一一二三四五六七八九十",
    "坐标 36.6512, 117.1201",
    "Meet at 7:00 at the hall, then at 9 dot 30 go home.",
    "We looked at the dot com era and at home dot net plans.",
    "See section 12.3.4 at page 1,234 of the 2026 report.",
    "A点到B点之间，三点钟开会，下午两点半结束。",
    "用户@张三 你好，价格5@10元",
    "Phone calls between 9-12 and 14-17 on 2026-12-02.",
]


@pytest.mark.parametrize("text", NORMALISER_NEGATIVES)
def test_normaliser_leaves_ordinary_text_alone(text):
    assert find_pii(text) == ()
    assert mask(text) == text


def test_two_spaced_numbers_in_a_row_are_both_masked():
    text = "1 3 8 1 2 3 4 5 6 7 8 1 3 9 8 7 6 5 4 3 2 1"
    assert [m.kind for m in find_pii(text)] == ["phone", "phone"]
    assert mask(text) == "1 3 8 * * * * 5 6 7 8 1 3 9 * * * * 4 3 2 1"


def test_normaliser_on_long_hostile_input():
    # Long runs of single digits, numerals and spelled "at"s (speed: see the bench, not here).
    assert mask("1 2 " * 5000) == "1 2 " * 5000
    # A run of 20,000 numerals is a long number like any other: masked but for its ends.
    assert mask("一" * 20000) == "一" * 3 + "*" * 19993 + "一" * 4
    spelled = mask("mail x at y dot com, " * 1000)
    assert spelled == "mail x*** at y dot com, " * 1000


def test_long_runs_of_chinese_numerals_are_masked_like_long_digit_runs():
    # 六 is both part of the name and a numeral: the run is 12 digits, not a mobile.
    text = "赵六一三九一二三四五六七八"
    assert kinds(text) == [("phone", "六一三九一二三四五六七八")]
    assert mask(text) == "赵六一三*****五六七八"

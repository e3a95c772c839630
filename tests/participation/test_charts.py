"""Tests for the server-side SVG charts in participation.charts."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from participation.charts import (
    PALETTE,
    bar_chart,
    donut_chart,
    line_chart,
    nice_step,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'co'"


def parse(markup: Markup) -> ET.Element:
    """Parse the chart as XML; fails the test if it is not well-formed."""
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def desc_text(root: ET.Element) -> str:
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    return desc.text or ""


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}rect") if el.get("class") == "bar"]


def all_text(root: ET.Element) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


SAMPLE = [("支持", 120), ("反对", 30), ("部分支持，建议修改第三条", 60), ("Other", 0)]
DAYS = [("11-01", 3), ("11-02", 9), ("11-03", 4), ("11-04", 0), ("11-05", 7)]


# --------------------------------------------------------------------------- common


@pytest.mark.parametrize(
    "chart",
    [
        lambda: bar_chart(SAMPLE, "意见分布", unit="条"),
        lambda: line_chart(DAYS, "每日评论数"),
        lambda: donut_chart(SAMPLE, "意见分布"),
    ],
    ids=["bar", "line", "donut"],
)
def test_accessible_responsive_svg(chart) -> None:
    root = parse(chart())
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    # <title> comes first so that it is the accessible name; aria-labelledby points at both.
    assert root[0] is title
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    width = root.get("viewBox", "").split()[2]
    assert f"max-width:{width}px" in root.get("style", "")
    # Every id referenced by url(#...) or aria-labelledby exists, and ids are unique.
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    refs = re.findall(r"url\(#([^)]+)\)", str(chart()))
    assert set(refs) <= set(ids)


def test_output_is_deterministic_and_chart_id_sets_prefix() -> None:
    assert bar_chart(SAMPLE, "t") == bar_chart(SAMPLE, "t")
    assert bar_chart(SAMPLE, "t") != bar_chart(SAMPLE, "t2")
    root = parse(bar_chart(SAMPLE, "t", chart_id="report 7"))
    assert root.find(f"{SVG}title").get("id") == "report-7-title"  # type: ignore[union-attr]


@pytest.mark.parametrize("func", [bar_chart, line_chart, donut_chart])
def test_hostile_labels_are_escaped(func) -> None:
    items = [(HOSTILE, 5), ("A & B", 3)]
    markup = func(items, f"Title {HOSTILE}", unit=" <b>&")
    raw = str(markup)
    assert "<script" not in raw
    assert "<b>" not in raw
    assert "&lt;script&gt;" in raw
    assert "A &amp; B" in raw
    root = parse(markup)  # well-formed despite the hostile text
    assert root.find(f"{SVG}title").text == f"Title {HOSTILE}"  # type: ignore[union-attr]
    assert HOSTILE in desc_text(root)
    assert "A & B" in desc_text(root)
    assert not any(el.tag == f"{SVG}script" or el.tag == "script" for el in root.iter())


@pytest.mark.parametrize("func", [bar_chart, line_chart, donut_chart])
def test_xml_invalid_characters_are_dropped(func) -> None:
    root = parse(func([("bad\x00\x1b\ufffelabel\nnext", 2)], "t\x07"))
    assert "badlabel next: 2" in desc_text(root)


@pytest.mark.parametrize("func", [bar_chart, line_chart, donut_chart])
def test_bad_values_are_rejected(func) -> None:
    with pytest.raises(ValueError):
        func([("a", -1)], "t")
    with pytest.raises(TypeError):
        func([("a", 1.5)], "t")


# --------------------------------------------------------------------------- bar chart


def test_bar_lengths_are_proportional_to_values() -> None:
    items = [("a", 10), ("b", 40), ("c", 25), ("d", 0), ("e", 1)]
    rects = bars(parse(bar_chart(items, "t")))
    assert [r.get("data-value") for r in rects] == ["10", "40", "25", "0", "1"]
    widths = [float(r.get("width", "nan")) for r in rects]
    longest = widths[1]
    assert longest > 100
    for (_, value), width in zip(items, widths, strict=True):
        assert math.isclose(width, longest * value / 40, abs_tol=0.02)
    # All bars start at the same x.
    assert len({r.get("x") for r in rects}) == 1


def test_bar_desc_and_text_have_every_label_and_value() -> None:
    items = [("支持", 1234), ("反对", 56), ("Other", 0)]
    root = parse(bar_chart(items, "意见", unit="条"))
    desc = desc_text(root)
    assert desc == "支持: 1,234条; 反对: 56条; Other: 0条"
    texts = all_text(root)
    for label, value in items:
        assert label in texts
        assert f"{value:,}条" in texts


def test_bar_label_column_fits_longest_label_with_cjk_double_width() -> None:
    short = parse(bar_chart([("ab", 1)], "t"))
    latin = parse(bar_chart([("abcdefgh", 1)], "t"))
    cjk = parse(bar_chart([("意见分布图表", 1)], "t"))  # 6 CJK = 12 half-width units
    x_short, x_latin, x_cjk = (float(bars(r)[0].get("x", "0")) for r in (short, latin, cjk))
    assert x_short < x_latin < x_cjk
    assert text_width("意见分布图表", 14) == text_width("abcdefghijkl", 14)
    assert text_width("意见", 14) == text_width("abcd", 14)
    # The label column is at least as wide as the estimated label.
    label = next(t for t in cjk.iter(f"{SVG}text") if t.get("text-anchor") == "end")
    assert float(label.get("x", "0")) >= text_width("意见分布图表", 14)


def test_bar_very_long_label_is_truncated_in_drawing_but_whole_in_desc() -> None:
    label = "关于" * 60
    root = parse(bar_chart([(label, 3)], "t", width=640))
    shown = next(t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end").text or ""
    assert shown.endswith("\u2026")
    assert len(shown) < len(label)
    assert label in desc_text(root)
    assert float(bars(root)[0].get("x", "0")) <= 640 * 0.4 + 30


def test_bar_colour_is_never_the_only_cue() -> None:
    items = [(f"item {i}", i + 1) for i in range(8)]
    root = parse(bar_chart(items, "t"))
    rects = bars(root)
    assert {r.get("fill") for r in rects} <= set(PALETTE)
    # Bars that share a colour differ by pattern.
    patterns = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "bar-pattern"]
    assert patterns and all(p.get("fill", "").startswith("url(#") for p in patterns)
    style_by_row = []
    for row in root.iter(f"{SVG}g"):
        if row.get("class") != "bar-row":
            continue
        fills = tuple(r.get("fill") for r in row.iter(f"{SVG}rect") if r.get("fill") != "none")
        style_by_row.append(fills)
    assert len(style_by_row) == len(items)
    assert len(set(style_by_row)) == len(items)


def test_bar_all_zero_values() -> None:
    root = parse(bar_chart([("a", 0), ("b", 0)], "t"))
    assert [float(r.get("width", "nan")) for r in bars(root)] == [0.0, 0.0]


def test_bar_empty_data() -> None:
    root = parse(bar_chart([], "意见分布", empty_text="暂无数据"))
    assert bars(root) == []
    assert desc_text(root) == "暂无数据"
    assert "暂无数据" in all_text(root)
    assert root.get("role") == "img"


def test_bar_height_follows_rows() -> None:
    root = parse(bar_chart([("a", 1)] * 5, "t", bar_height=30))
    height = float(root.get("viewBox", "").split()[3])
    assert height >= 5 * 30


# --------------------------------------------------------------------------- line chart


def points(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}circle") if el.get("class") == "point"]


def test_line_chart_points_and_polyline() -> None:
    root = parse(line_chart(DAYS, "每日评论数"))
    dots = points(root)
    assert [d.get("data-value") for d in dots] == [str(v) for _, v in DAYS]
    line = next(el for el in root.iter(f"{SVG}polyline"))
    coords = [tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()]
    assert len(coords) == len(DAYS)
    xs = [x for x, _ in coords]
    assert xs == sorted(xs)
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(gaps) - min(gaps) < 0.05
    # Higher value, smaller y; equal to the dots.
    ys = {label: y for (label, _), (_, y) in zip(DAYS, coords, strict=True)}
    assert ys["11-02"] < ys["11-05"] < ys["11-03"] < ys["11-01"] < ys["11-04"]
    for dot, (x, y) in zip(dots, coords, strict=True):
        assert math.isclose(float(dot.get("cx", "nan")), x, abs_tol=0.02)
        assert math.isclose(float(dot.get("cy", "nan")), y, abs_tol=0.02)


def test_line_chart_labels_the_max_and_desc_lists_everything() -> None:
    root = parse(line_chart(DAYS, "t", unit="条"))
    max_label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "max-label")
    assert max_label.text == "9条"
    assert desc_text(root) == "; ".join(f"{d}: {v}条" for d, v in DAYS)


def test_line_chart_gridlines_use_round_steps() -> None:
    root = parse(line_chart([("a", 0), ("b", 37), ("c", 12)], "t"))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "y-axis")
    values = [int((t.text or "").replace(",", "")) for t in axis.iter(f"{SVG}text")]
    assert values == [0, 10, 20, 30, 40]
    ys = [float(line.get("y1", "nan")) for line in axis.iter(f"{SVG}line")]
    gaps = {round(a - b, 2) for a, b in zip(ys, ys[1:], strict=False)}
    assert len(gaps) == 1


def test_line_chart_ticks_are_few_and_include_first_and_last() -> None:
    days = [(f"2026-11-{d:02d}", d % 7) for d in range(1, 31)]
    root = parse(line_chart(days, "t"))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    ticks = [t.text for t in axis.iter(f"{SVG}text")]
    assert 2 <= len(ticks) <= 7
    assert ticks[0] == "2026-11-01"
    assert ticks[-1] == "2026-11-30"


def test_line_chart_empty_data() -> None:
    root = parse(line_chart([], "每日评论数", empty_text="暂无数据"))
    assert points(root) == []
    assert list(root.iter(f"{SVG}polyline")) == []
    assert desc_text(root) == "暂无数据"
    assert "暂无数据" in all_text(root)


def test_line_chart_single_point() -> None:
    root = parse(line_chart([("2026-11-26", 7)], "t", width=400))
    dots = points(root)
    assert len(dots) == 1
    assert list(root.iter(f"{SVG}polyline")) == []
    assert 0 < float(dots[0].get("cx", "nan")) < 400
    assert "2026-11-26" in all_text(root)
    assert desc_text(root) == "2026-11-26: 7"


def test_line_chart_all_zero() -> None:
    root = parse(line_chart([("a", 0), ("b", 0)], "t"))
    assert [d.get("data-value") for d in points(root)] == ["0", "0"]
    assert not [t for t in root.iter(f"{SVG}text") if t.get("class") == "max-label"]


def test_line_chart_many_points_stay_inside_the_view_box() -> None:
    data = [(f"d{i}", (i * 37) % 101) for i in range(400)]
    root = parse(line_chart(data, "t", width=640, height=220))
    line = next(el for el in root.iter(f"{SVG}polyline"))
    coords = [tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()]
    assert all(0 <= x <= 640 and 0 <= y <= 220 for x, y in coords)


# --------------------------------------------------------------------------- donut chart


def test_donut_slices_and_legend() -> None:
    items = [("同意", 3), ("反对", 1), ("弃权", 0)]
    root = parse(donut_chart(items, "t"))
    slices = [g for g in root.iter(f"{SVG}g") if g.get("class") == "slice"]
    assert [s.get("data-label") for s in slices] == ["同意", "反对"]
    assert desc_text(root) == "同意: 3 (75%); 反对: 1 (25%); 弃权: 0 (0%)"
    legend = all_text(root)
    for label in ("同意", "反对", "弃权"):
        assert label in legend
    assert parse(donut_chart([("a", 0)], "t", empty_text="none")).find(f"{SVG}desc").text == (
        "none"
    )


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("span", "step"),
    [(0, 1), (1, 1), (3, 1), (4, 1), (5, 2), (7, 2), (10, 5), (37, 10), (90, 25), (999, 250)],
)
def test_nice_step(span: int, step: int) -> None:
    assert nice_step(span) == step

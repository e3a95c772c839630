"""Accessible server-side SVG charts for reports (no JavaScript, no chart library).

Every function returns a :class:`markupsafe.Markup` string holding one inline ``<svg>``
element, so a Jinja template can output it as ``{{ chart }}`` without ``|safe``.

Accessibility:

* the ``<svg>`` has ``role="img"``, a ``<title>`` (the accessible name) and a ``<desc>``
  that spells out every label and value, and is tied to both with ``aria-labelledby``;
* colours come from the Okabe-Ito colour-blind-safe palette, each bar or slice also has
  its own fill pattern and a direct text label with its value, so colour is never the only
  cue;
* the title is not drawn inside the chart: give the page a visible heading or a
  ``<figcaption>`` for it.

Every piece of text is XML-escaped (labels can come from users) and stripped of
characters XML 1.0 forbids, so the output is well-formed XML as well as valid HTML.
The charts scale with their container: ``viewBox`` plus ``width="100%"`` and a
``max-width`` of the nominal width.

Element ids are derived from a hash of the chart's content, so the output is
deterministic; pass ``chart_id`` to set the prefix when one page shows the same chart twice.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

__all__ = ["PALETTE", "bar_chart", "donut_chart", "line_chart", "nice_step", "text_width"]

#: Okabe-Ito colours that keep at least ~2:1 contrast on white (the yellow is left out);
#: bars and slices also get a dark outline, a pattern and a direct label.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermilion
    "#56B4E9",  # sky blue
)
LINE_COLOUR = "#0072B2"
TEXT_COLOUR = "#1F2937"
MUTED_TEXT_COLOUR = "#4B5563"
GRID_COLOUR = "#E5E7EB"
AXIS_COLOUR = "#6B7280"
OUTLINE_COLOUR = "#1F2937"
FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"
)

# Width of one half-width character in em; full-width (CJK) characters count double.
_HALF_WIDTH_EM = 0.56
_ELLIPSIS = "\u2026"
# Characters that XML 1.0 does not allow (C0 controls except tab/LF/CR, surrogates,
# U+FFFE and U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------- helpers


def _clean(text: object) -> str:
    """Return ``text`` as a single-line string without XML-invalid characters."""
    cleaned = _XML_INVALID.sub("", str(text))
    return " ".join(cleaned.split())


def _esc(text: object) -> str:
    """XML-escape ``text`` (``& < > " '``) after cleaning it."""
    return str(escape(_clean(text)))


def _num(value: float) -> str:
    """Format a coordinate compactly: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _fmt_value(value: int, unit: str = "") -> str:
    return f"{value:,}{unit}"


def _char_units(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str, font_size: float) -> float:
    """Estimate the rendered width of ``text`` in px (CJK characters count double)."""
    units = sum(_char_units(c) for c in _clean(text))
    return units * _HALF_WIDTH_EM * font_size


def _truncate(text: str, max_px: float, font_size: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits in ``max_px``."""
    text = _clean(text)
    if text_width(text, font_size) <= max_px:
        return text
    budget = max_px / (_HALF_WIDTH_EM * font_size) - 1  # keep room for the ellipsis
    out: list[str] = []
    used = 0
    for char in text:
        units = _char_units(char)
        if used + units > budget:
            break
        out.append(char)
        used += units
    return "".join(out).rstrip() + _ELLIPSIS


def nice_step(span: float, target_steps: int = 4) -> int:
    """Return a round integer step (1, 2, 2.5 or 5 times a power of ten) for a y axis.

    The step is the smallest such integer that covers ``span`` in at most
    ``target_steps`` steps (2.5 only from 25 up, steps are whole numbers).
    """
    if span <= 0:
        return 1
    raw = span / target_steps
    magnitude = 10 ** max(0, math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5):
        step = factor * magnitude
        if step >= raw and step == int(step):
            return int(step)
    return 10 * magnitude


def _chart_id(kind: str, chart_id: str | None, *parts: object) -> str:
    if chart_id:
        safe = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
        return safe if safe[:1].isalpha() else f"c-{safe}"
    digest = hashlib.sha256(repr((kind, *parts)).encode("utf-8", "surrogatepass")).hexdigest()
    return f"chart-{kind}-{digest[:10]}"


def _check_value(label: object, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"chart value for {label!r} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"chart value for {label!r} must not be negative: {value}")
    return value


def _markup(parts: Sequence[str]) -> Markup:
    """Join SVG fragments built in this module into Markup.

    Safe because every piece of caller text went through :func:`_esc`; numbers are
    formatted here and ids are sanitised by :func:`_chart_id`.
    """
    return Markup("".join(parts))  # noqa: S704


def _svg_open(cid: str, width: float, height: float, extra_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {extra_class}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'style="max-width:{_num(width)}px;height:auto;display:block" '
        f'preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{_esc(FONT_FAMILY)}">'
    )


def _title_desc(cid: str, title: str, desc: str) -> str:
    return f'<title id="{cid}-title">{_esc(title)}</title><desc id="{cid}-desc">{_esc(desc)}</desc>'


def _empty_chart(cid: str, title: str, empty_text: str, width: int, height: int) -> Markup:
    parts = [
        _svg_open(cid, width, height, "chart-empty"),
        _title_desc(cid, title, empty_text),
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" '
        f'stroke="{GRID_COLOUR}" stroke-dasharray="4 4"/>',
        f'<text x="{_num(width / 2)}" y="{_num(height / 2)}" text-anchor="middle" '
        f'dominant-baseline="central" font-size="14" fill="{MUTED_TEXT_COLOUR}" '
        f'aria-hidden="true">{_esc(empty_text)}</text>',
        "</svg>",
    ]
    return _markup(parts)


# Pattern shapes drawn in translucent white over the base colour; index 0 stays solid.
_PATTERN_SHAPES: tuple[str, ...] = (
    "",
    '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#FFFFFF" stroke-width="1.6"/>',
    '<circle cx="4" cy="4" r="1.6" fill="#FFFFFF"/>',
    '<path d="M0,4 h8 M4,0 v8" stroke="#FFFFFF" stroke-width="1.4"/>',
    '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="#FFFFFF" stroke-width="1.6"/>',
    '<path d="M0,2 h8 M0,6 h8" stroke="#FFFFFF" stroke-width="1.2"/>',
    '<path d="M2,0 v8 M6,0 v8" stroke="#FFFFFF" stroke-width="1.2"/>',
)


def _style(index: int) -> tuple[str, int]:
    """Colour and pattern index for series ``index``.

    6 colours and 7 patterns are coprime, so the (colour, pattern) pair only repeats
    after 42 series.
    """
    return PALETTE[index % len(PALETTE)], index % len(_PATTERN_SHAPES)


def _pattern_defs(cid: str, count: int) -> str:
    used = sorted({_style(i)[1] for i in range(min(count, len(_PATTERN_SHAPES)))} - {0})
    if not used:
        return ""
    defs = [
        f'<pattern id="{cid}-p{p}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<g opacity="0.6">{_PATTERN_SHAPES[p]}</g></pattern>'
        for p in used
    ]
    return "<defs>" + "".join(defs) + "</defs>"


def _fill_with_pattern(cid: str, index: int, shape: str) -> str:
    """Return ``shape`` (a template with ``{fill}`` and ``{cls}``), coloured, then patterned."""
    colour, pattern = _style(index)
    out = shape.format(fill=colour, cls="fill")
    if pattern:
        out += shape.format(fill=f"url(#{cid}-p{pattern})", cls="pattern")
    return out


# --------------------------------------------------------------------------- bar chart


def bar_chart(
    items: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = 640,
    bar_height: int = 28,
    unit: str = "",
    empty_text: str = "No data",
    max_label_ratio: float = 0.4,
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bar chart, one row per ``(label, value)`` in the given order.

    The label column is as wide as the longest label (CJK characters count as double
    width), up to ``max_label_ratio`` of ``width``; longer labels are cut with an
    ellipsis in the drawing and stay whole in ``<desc>`` and the bar's tooltip. Each
    value is written after its bar as ``f"{value:,}{unit}"`` (for example ``unit="条"``
    or ``unit=" votes"``). Bar lengths are proportional to the values, the largest bar
    filling the plot area. Values must be non-negative ints.

    Each bar is a ``<rect class="bar" data-label=... data-value=...>``; an optional
    ``<rect class="bar-pattern">`` of the same size overlays its pattern.
    """
    rows = [(_clean(label), _check_value(label, value)) for label, value in items]
    cid = _chart_id("bar", chart_id, title, rows, width, bar_height, unit)
    if not rows:
        return _empty_chart(cid, title, empty_text, width, max(bar_height * 2, 60))

    label_size = 14
    value_size = 13
    pad = 8
    gap = 10

    desc = "; ".join(f"{label}: {_fmt_value(value, unit)}" for label, value in rows)

    longest = max(text_width(label, label_size) for label, _ in rows)
    label_w = math.ceil(min(longest, width * max_label_ratio))
    value_w = math.ceil(max(text_width(_fmt_value(v, unit), value_size) for _, v in rows))
    plot_x = pad + label_w + gap
    plot_w = max(width - plot_x - gap - value_w - pad, 10)
    max_value = max(value for _, value in rows)

    thickness = max(round(bar_height * 0.68), 4)
    height = pad * 2 + bar_height * len(rows)

    parts = [
        _svg_open(cid, width, height, "chart-bar"),
        _title_desc(cid, title, desc),
        _pattern_defs(cid, len(rows)),
        # Baseline of the bars.
        f'<line x1="{plot_x}" y1="{pad}" x2="{plot_x}" y2="{height - pad}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(rows):
        row_y = pad + index * bar_height
        centre = row_y + bar_height / 2
        bar_y = centre - thickness / 2
        bar_w = plot_w * value / max_value if max_value else 0.0
        shown = _truncate(label, label_w, label_size)
        bar_shape = (
            f'<rect class="bar{{cls}}" x="{plot_x}" y="{_num(bar_y)}" '
            f'width="{_num(bar_w)}" height="{thickness}" fill="{{fill}}"'
            f"{{data}}/>"
        )
        colour, pattern = _style(index)
        data = f' data-label="{_esc(label)}" data-value="{value}"'
        parts.append(
            f'<g class="bar-row"><title>{_esc(label)}: {_esc(_fmt_value(value, unit))}</title>'
            f'<text x="{pad + label_w}" y="{_num(centre)}" text-anchor="end" '
            f'dominant-baseline="central" font-size="{label_size}" '
            f'fill="{TEXT_COLOUR}">{_esc(shown)}</text>'
        )
        parts.append(bar_shape.format(cls="", fill=colour, data=data))
        if pattern:
            parts.append(bar_shape.format(cls="-pattern", fill=f"url(#{cid}-p{pattern})", data=""))
        if bar_w > 0:
            parts.append(
                f'<rect x="{plot_x}" y="{_num(bar_y)}" width="{_num(bar_w)}" '
                f'height="{thickness}" fill="none" stroke="{OUTLINE_COLOUR}" '
                f'stroke-width="0.75"/>'
            )
        parts.append(
            f'<text x="{_num(plot_x + bar_w + 6)}" y="{_num(centre)}" '
            f'dominant-baseline="central" font-size="{value_size}" font-weight="600" '
            f'fill="{TEXT_COLOUR}">{_esc(_fmt_value(value, unit))}</text></g>'
        )
    parts.append("</svg>")
    return _markup(parts)


# --------------------------------------------------------------------------- line chart


def _tick_indices(labels: Sequence[str], plot_w: float, font_size: float) -> list[int]:
    """Pick evenly spaced label indices (always the first and the last) that fit."""
    n = len(labels)
    if n <= 1:
        return list(range(n))
    widest = max(text_width(label, font_size) for label in labels)
    room = max(int(plot_w // (widest + 16)) + 1, 2)
    count = min(n, room, 7)
    if count >= n:
        return list(range(n))
    # A whole-number stride keeps the ticks evenly spaced (every 5th day, say); the last
    # point always gets a tick, replacing the previous one when the two would overlap.
    stride = math.ceil((n - 1) / (count - 1))
    ticks = list(range(0, n, stride))
    if ticks[-1] != n - 1:
        px_per_index = plot_w / (n - 1)
        if ((n - 1) - ticks[-1]) * px_per_index < widest + 16:
            ticks[-1] = n - 1
        else:
            ticks.append(n - 1)
    return ticks


def line_chart(
    points: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = 640,
    height: int = 220,
    empty_text: str = "No data",
    unit: str = "",
    chart_id: str | None = None,
) -> Markup:
    """Line chart of ``(label, value)`` points, evenly spaced in the given order.

    Meant for series such as comments per day (labels like ``"11-26"``): a few x ticks
    (first and last always), horizontal gridlines at round steps, the line with a dot per
    point (each with a tooltip) and the maximum value written above its point. With no
    points the chart shows ``empty_text``; one point is drawn as a single labelled dot.
    Values must be non-negative ints.
    """
    rows = [(_clean(label), _check_value(label, value)) for label, value in points]
    cid = _chart_id("line", chart_id, title, rows, width, height, unit)
    if not rows:
        return _empty_chart(cid, title, empty_text, width, height)

    tick_size = 12
    desc = "; ".join(f"{label}: {_fmt_value(value, unit)}" for label, value in rows)

    max_value = max(value for _, value in rows)
    step = nice_step(max_value)
    y_top = max(math.ceil(max_value / step), 1) * step
    y_values = list(range(0, y_top + 1, step))

    labels = [label for label, _ in rows]
    y_label_w = max(text_width(_fmt_value(v), tick_size) for v in y_values)
    first_half = text_width(labels[0], tick_size) / 2
    last_half = text_width(labels[-1], tick_size) / 2
    pad_top = 24  # room for the max label
    pad_bottom = 30  # room for the x tick labels
    pad_left = max(8 + y_label_w + 8, first_half + 4) if len(rows) > 1 else 8 + y_label_w + 8
    pad_right = max(16, last_half + 4) if len(rows) > 1 else 16
    plot_x0 = pad_left
    plot_x1 = width - pad_right
    plot_y0 = pad_top
    plot_y1 = height - pad_bottom
    plot_w = plot_x1 - plot_x0
    plot_h = plot_y1 - plot_y0

    def x_at(index: int) -> float:
        if len(rows) == 1:
            return plot_x0 + plot_w / 2
        return plot_x0 + plot_w * index / (len(rows) - 1)

    def y_at(value: int) -> float:
        return plot_y1 - plot_h * value / y_top

    parts = [_svg_open(cid, width, height, "chart-line"), _title_desc(cid, title, desc)]

    # Gridlines and y labels.
    grid = ['<g class="y-axis" aria-hidden="true">']
    for value in y_values:
        y = _num(y_at(value))
        colour = AXIS_COLOUR if value == 0 else GRID_COLOUR
        grid.append(
            f'<line x1="{_num(plot_x0)}" y1="{y}" x2="{_num(plot_x1)}" y2="{y}" '
            f'stroke="{colour}" stroke-width="1"/>'
            f'<text x="{_num(plot_x0 - 8)}" y="{y}" text-anchor="end" '
            f'dominant-baseline="central" font-size="{tick_size}" '
            f'fill="{MUTED_TEXT_COLOUR}">{_esc(_fmt_value(value))}</text>'
        )
    grid.append("</g>")
    parts.extend(grid)

    # X ticks.
    ticks = ['<g class="x-axis" aria-hidden="true">']
    for index in _tick_indices(labels, plot_w, tick_size):
        x = _num(x_at(index))
        ticks.append(
            f'<line x1="{x}" y1="{_num(plot_y1)}" x2="{x}" y2="{_num(plot_y1 + 5)}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
            f'<text x="{x}" y="{_num(plot_y1 + 18)}" text-anchor="middle" '
            f'font-size="{tick_size}" fill="{MUTED_TEXT_COLOUR}">{_esc(labels[index])}</text>'
        )
    ticks.append("</g>")
    parts.extend(ticks)

    coords = [(x_at(i), y_at(value)) for i, (_, value) in enumerate(rows)]
    if len(rows) > 1:
        line = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        area = f"{_num(coords[0][0])},{_num(plot_y1)} {line} {_num(coords[-1][0])},{_num(plot_y1)}"
        parts.append(
            f'<polygon class="area" points="{area}" fill="{LINE_COLOUR}" fill-opacity="0.1"/>'
            f'<polyline class="line" points="{line}" fill="none" stroke="{LINE_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
        )

    # Dots: smaller when there are many points, hidden entirely past ~1 per 4 px.
    spacing = plot_w / max(len(rows) - 1, 1)
    radius = 3.5 if spacing >= 12 else 2.5 if spacing >= 5 else 0
    max_index = next(i for i, (_, value) in enumerate(rows) if value == max_value)
    dots = ['<g class="points">']
    for index, ((label, value), (x, y)) in enumerate(zip(rows, coords, strict=True)):
        r = max(radius, 4.5) if index == max_index else radius
        if r == 0:
            continue
        dots.append(
            f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="{r}" '
            f'fill="#FFFFFF" stroke="{LINE_COLOUR}" stroke-width="2" '
            f'data-label="{_esc(label)}" data-value="{value}">'
            f"<title>{_esc(label)}: {_esc(_fmt_value(value, unit))}</title></circle>"
        )
    dots.append("</g>")
    parts.extend(dots)

    # Max label above its (first) point, kept inside the chart horizontally; an all-zero
    # series has no maximum worth pointing at.
    if max_value > 0:
        mx, my = coords[max_index]
        max_text = _fmt_value(max_value, unit)
        half = text_width(max_text, 12) / 2
        anchor_x = min(max(mx, half + 2), width - half - 2)
        parts.append(
            f'<text class="max-label" x="{_num(anchor_x)}" y="{_num(my - 10)}" '
            f'text-anchor="middle" font-size="12" font-weight="700" '
            f'fill="{TEXT_COLOUR}">{_esc(max_text)}</text>'
        )
    parts.append("</svg>")
    return _markup(parts)


# --------------------------------------------------------------------------- donut chart


def donut_chart(
    items: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = 560,
    unit: str = "",
    empty_text: str = "No data",
    chart_id: str | None = None,
) -> Markup:
    """Donut chart with a legend that names every slice, its value and its share.

    Slices go clockwise from 12 o'clock in the given order; each slice and its legend
    swatch share a colour and a pattern, and the legend text carries the numbers, so
    colour is never the only cue. The total is written in the hole. Zero values are
    listed in the legend but draw no slice.
    """
    rows = [(_clean(label), _check_value(label, value)) for label, value in items]
    cid = _chart_id("donut", chart_id, title, rows, width, unit)
    total = sum(value for _, value in rows)
    size = 180
    if not rows or total == 0:
        return _empty_chart(cid, title, empty_text, width, size)

    def share(value: int) -> str:
        pct = 100 * value / total
        return f"{pct:.0f}%" if pct >= 10 or pct == 0 else f"{pct:.1f}%"

    desc = "; ".join(
        f"{label}: {_fmt_value(value, unit)} ({share(value)})" for label, value in rows
    )
    font_size = 13
    row_h = 22
    pad = 8
    height = max(size, pad * 2 + row_h * len(rows))
    cx = size / 2
    cy = height / 2
    radius = 60
    stroke_w = 32
    circumference = 2 * math.pi * radius
    legend_x = size + 16
    swatch = 14
    text_x = legend_x + swatch + 8
    text_room = width - text_x - pad

    parts = [
        _svg_open(cid, width, height, "chart-donut"),
        _title_desc(cid, title, desc),
        _pattern_defs(cid, len(rows)),
        f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{radius}" fill="none" '
        f'stroke="{GRID_COLOUR}" stroke-width="{stroke_w}"/>',
    ]
    offset = 0.0
    slices = [f'<g transform="rotate(-90 {_num(cx)} {_num(cy)})">']
    for index, (label, value) in enumerate(rows):
        length = circumference * value / total
        if value:
            shape = (
                f'<circle class="slice-{{cls}}" cx="{_num(cx)}" cy="{_num(cy)}" r="{radius}" '
                f'fill="none" stroke="{{fill}}" stroke-width="{stroke_w}" '
                f'stroke-dasharray="{_num(length)} {_num(circumference - length)}" '
                f'stroke-dashoffset="{_num(-offset)}"/>'
            )
            slices.append(
                f'<g class="slice" data-label="{_esc(label)}" data-value="{value}">'
                f"<title>{_esc(label)}: {_esc(_fmt_value(value, unit))} ({share(value)})</title>"
            )
            slices.append(_fill_with_pattern(cid, index, shape))
            slices.append("</g>")
        offset += length
    slices.append("</g>")
    parts.extend(slices)
    parts.append(
        f'<text x="{_num(cx)}" y="{_num(cy)}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="16" font-weight="700" fill="{TEXT_COLOUR}">'
        f"{_esc(_fmt_value(total, unit))}</text>"
    )

    legend_top = cy - row_h * len(rows) / 2
    legend = ['<g class="legend">']
    for index, (label, value) in enumerate(rows):
        y = legend_top + index * row_h + row_h / 2
        swatch_shape = (
            f'<rect class="swatch-{{cls}}" x="{legend_x}" y="{_num(y - swatch / 2)}" '
            f'width="{swatch}" height="{swatch}" fill="{{fill}}"/>'
        )
        figures = f"{_fmt_value(value, unit)} ({share(value)})"
        label_room = text_room - text_width(figures, font_size) - font_size
        shown = _truncate(label, max(label_room, 2 * font_size), font_size)
        legend.append(_fill_with_pattern(cid, index, swatch_shape))
        legend.append(
            f'<rect x="{legend_x}" y="{_num(y - swatch / 2)}" width="{swatch}" '
            f'height="{swatch}" fill="none" stroke="{OUTLINE_COLOUR}" stroke-width="0.75"/>'
            f'<text x="{text_x}" y="{_num(y)}" dominant-baseline="central" '
            f'font-size="{font_size}" fill="{TEXT_COLOUR}">{_esc(shown)}'
            f'<tspan dx="{font_size}" font-weight="600">{_esc(figures)}</tspan></text>'
        )
    legend.append("</g>")
    parts.extend(legend)
    parts.append("</svg>")
    return _markup(parts)

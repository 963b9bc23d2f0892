"""Small SVG charts drawn on the server: bar, line, pie, scatter.

An SVG image needs no script, works in any page (as ``<img>``), prints, and passes the strict
CSP.  Colours are presentation attributes, not inline styles, for the same reason.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

KINDS = ("bar", "line", "pie", "scatter")
WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 90
PALETTE = ["#1f5fa8", "#d9534f", "#2e8b57", "#f0a202", "#7b4fa8", "#18a2b8", "#8c564b", "#e377c2"]


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _format(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _text(
    x: float, y: float, text: str, anchor: str = "middle", size: int = 12, **extra: str
) -> str:
    attributes = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{attributes}>'
        f"{escape(text)}</text>"
    )


def _frame(title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label={quoteattr(title)} '
        'font-family="sans-serif">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        + _text(WIDTH / 2, 22, title, size=15, font_weight="bold")
        + "".join(body)
        + "</svg>"
    )


def _axes(low: float, high: float, y_label: str) -> tuple[list[str], Any]:
    if high == low:
        high = low + 1
    plot_height = HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_height * (1 - (value - low) / (high - low))

    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#555"/>',
        _text(
            14,
            TOP + plot_height / 2,
            y_label,
            size=11,
            transform=f"rotate(-90 14 {TOP + plot_height / 2:.0f})",
        ),
    ]
    for step in range(5):
        value = low + (high - low) * step / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#e3e7ec"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, _format(value), anchor="end", size=10))
    return parts, y_of


def draw_chart(
    kind: str, data: list[tuple[Any, float | None]], *, title: str, x_label: str, y_label: str
) -> str:
    points: list[tuple[Any, float]] = []
    for label, value in data:
        number = _number(value)
        if number is not None:
            points.append((label, number))
    if not points:
        return _frame(title, [_text(WIDTH / 2, HEIGHT / 2, "—", size=20)])
    if kind == "pie":
        return _frame(title, _pie(points))
    if kind == "scatter":
        return _frame(title, _scatter(points, x_label, y_label))
    values = [value for _label, value in points]
    low = min(0.0, min(values))
    high = max(values)
    parts, y_of = _axes(low, high, y_label)
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / len(points)
    coordinates = []
    for index, (label, value) in enumerate(points):
        x = LEFT + step * index + step / 2
        if kind == "bar":
            top, base = y_of(value), y_of(max(low, 0.0))
            parts.append(
                f'<rect x="{x - step * 0.35:.1f}" y="{min(top, base):.1f}" '
                f'width="{step * 0.7:.1f}" '
                f'height="{abs(base - top):.1f}" fill="{PALETTE[0]}"><title>{escape(str(label))}: '
                f"{_format(value)}</title></rect>"
            )
        coordinates.append((x, y_of(value), label, value))
        if len(points) <= 30 or index % math.ceil(len(points) / 30) == 0:
            y_text = HEIGHT - BOTTOM + 12
            parts.append(
                _text(
                    x,
                    y_text,
                    str(label)[:14],
                    anchor="end",
                    size=10,
                    transform=f"rotate(-45 {x:.1f} {y_text:.1f})",
                )
            )
    if kind == "line":
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, _v in coordinates)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        )
        for x, y, label, value in coordinates:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}"><title>'
                f"{escape(str(label))}: {_format(value)}</title></circle>"
            )
    parts.append(_text(LEFT + plot_width / 2, HEIGHT - 6, x_label, size=11))
    return _frame(title, parts)


def _pie(points: list[tuple[Any, float]]) -> list[str]:
    positive = [(label, value) for label, value in points if value > 0]
    total = sum(value for _label, value in positive) or 1.0
    cx, cy, radius = 200, 210, 140
    parts = []
    angle = -math.pi / 2
    for index, (label, value) in enumerate(positive):
        sweep = 2 * math.pi * value / total
        colour = PALETTE[index % len(PALETTE)]
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="{colour}"/>')
        else:
            x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            x2, y2 = cx + radius * math.cos(angle + sweep), cy + radius * math.sin(angle + sweep)
            large = 1 if sweep > math.pi else 0
            parts.append(
                f'<path d="M{cx},{cy} L{x1:.1f},{y1:.1f} A{radius},{radius} 0 {large} 1 '
                f'{x2:.1f},{y2:.1f} Z" fill="{colour}"><title>{escape(str(label))}: '
                f"{_format(value)}</title></path>"
            )
        angle += sweep
        if index < 14:
            y = 60 + index * 20
            parts.append(f'<rect x="380" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
            share = 100 * value / total
            parts.append(
                _text(398, y, f"{str(label)[:16]} ({share:.0f}%)", anchor="start", size=11)
            )
    return parts


def _scatter(points: list[tuple[Any, float]], x_label: str, y_label: str) -> list[str]:
    numeric = [(_number(x), y) for x, y in points]
    pairs = [(x, y) for x, y in numeric if x is not None]
    if not pairs:
        return [_text(WIDTH / 2, HEIGHT / 2, "—", size=20)]
    ys = [y for _x, y in pairs]
    xs = [x for x, _y in pairs]
    parts, y_of = _axes(min(ys), max(ys), y_label)
    low, high = min(xs), max(xs)
    if high == low:
        high = low + 1
    plot_width = WIDTH - LEFT - RIGHT
    for x, y in pairs:
        px = LEFT + plot_width * (x - low) / (high - low)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{y_of(y):.1f}" r="3" fill="{PALETTE[0]}" '
            'fill-opacity="0.6"/>'
        )
    for step in range(5):
        value = low + (high - low) * step / 4
        parts.append(
            _text(LEFT + plot_width * step / 4, HEIGHT - BOTTOM + 16, _format(value), size=10)
        )
    parts.append(_text(LEFT + plot_width / 2, HEIGHT - BOTTOM + 40, x_label, size=11))
    return parts

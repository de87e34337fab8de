"""The HTML report's charts as inline SVG drawn here, on the server.

No script runs in the page, so it reads the same in a browser with JavaScript off, in an e-mail
client's preview and in a screenshot. Time axes carry at most six labels at round times (every
5 minutes, hour, day ...), so labels never overprint; a run with a few failures still gets a
visible red sliver and its count above the bar; every bar has a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

W, H = 900, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 16, 40
COLOURS = {"pending": "#c27c0e", "synced": "#2b8a3e", "failed": "#c92a2a"}
MOST_LABELS = 6
TICK_STEPS = [timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 180, 360, 720)] + \
             [timedelta(days=d) for d in (1, 2, 7, 14, 30, 91, 365)]
_ROUNDING_ORIGIN = datetime(2000, 1, 1)  # a Saturday midnight: ticks fall on round times of day
MIN_VISIBLE = 3.0  # px: the least height of a non-zero bar


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=None)


def _svg(height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
            f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "middle", cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _nice_max(value: float) -> int:
    """The y-axis top: 1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(int(m * power) for m in (1, 2, 5, 10) if m * power >= value)


def _y_axis(top: int, height: int) -> list[str]:
    parts = []
    for i in range(5):
        y = TOP + (height - TOP - BOTTOM) * (1 - i / 4)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>')
        parts.append(_text(LEFT - 6, y + 4, f"{round(top * i / 4):,}", "end"))
    return parts


def _label(moment: datetime, step: timedelta, previous: datetime | None) -> str:
    """``HH:MM``, with the date when the day changes (or on the first label); only the date for day steps."""
    if step >= timedelta(days=1):
        return moment.strftime("%b %d")
    if previous is None or previous.date() != moment.date():
        return moment.strftime("%b %d %H:%M")
    return moment.strftime("%H:%M")


def time_ticks(start: datetime, end: datetime, most: int = MOST_LABELS) -> list[tuple[datetime, str]]:
    """At most ``most`` + 1 round moments between ``start`` and ``end`` with their labels, else both ends."""
    span = max(end - start, timedelta(minutes=1))
    step = next((s for s in TICK_STEPS if span / s <= most), TICK_STEPS[-1])
    moment = _ROUNDING_ORIGIN + math.ceil((start - _ROUNDING_ORIGIN) / step) * step
    ticks: list[tuple[datetime, str]] = []
    while moment <= end:
        ticks.append((moment, _label(moment, step, ticks[-1][0] if ticks else None)))
        moment += step
    if len(ticks) >= 2:
        return ticks
    # under two round moments in the span (runs seconds apart): label both ends, to the second
    return [(start, start.strftime("%b %d %H:%M:%S")), (end, end.strftime("%H:%M:%S"))]


def _tick(x: float, text: str, height: int) -> str:
    anchor = "start" if x < LEFT + 40 else "end" if x > W - RIGHT - 40 else "middle"
    return (f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{height - BOTTOM}" y2="{height - BOTTOM + 4}" stroke="#9aa5b1"/>'
            + _text(x, height - BOTTOM + 18, text, anchor, "tick"))


def _run_label(times: list[datetime], i: int, every: int) -> str:
    """A run's start as precise as the runs need: dates only over weeks, seconds within minutes."""
    span = times[-1] - times[0]
    if span > timedelta(days=MOST_LABELS):
        return times[i].strftime("%b %d")
    clock = "%H:%M:%S" if span < timedelta(minutes=10) else "%H:%M"
    new_day = i == 0 or times[i - every].date() != times[i].date()
    return times[i].strftime(("%b %d " if new_day else "") + clock)


def queue_chart(points: Sequence[Any]) -> str | None:
    """Pending, synced and failed rows after each run, on a real time axis (None: fewer than 2 points)."""
    if len(points) < 2:
        return None
    times = [_at(p.at) for p in points]
    start, end = times[0], max(times[-1], times[0] + timedelta(seconds=1))
    top = _nice_max(max(max(p.pending, p.synced, p.failed) for p in points))

    def x(moment: datetime) -> float:
        return LEFT + (W - LEFT - RIGHT) * ((moment - start) / (end - start))

    def y(value: int) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - value / top)

    body = _y_axis(top, H)
    for key in ("pending", "synced", "failed"):
        path = " ".join(f"{'L' if i else 'M'}{x(t):.1f} {y(getattr(p, key)):.1f}"
                        for i, (t, p) in enumerate(zip(times, points, strict=True)))
        body.append(f'<path d="{path}" fill="none" stroke="{COLOURS[key]}" stroke-width="2" '
                    f'class="series series-{key}"/>')
    body += [_tick(x(moment), text, H) for moment, text in time_ticks(start, end)]
    return _svg(H, body, "queue after each run")


def throughput_chart(runs: Sequence[Any]) -> str | None:
    """Rows each sync run synced (green) and failed (red, never thinner than MIN_VISIBLE px)."""
    if not runs:
        return None
    top = _nice_max(max(r.synced + r.failed for r in runs))
    slot = (W - LEFT - RIGHT) / len(runs)
    width = max(2.0, slot * 0.7)
    scale = (H - TOP - BOTTOM) / top
    body = _y_axis(top, H)
    base = H - BOTTOM
    for i, r in enumerate(runs):
        x0 = LEFT + slot * i + (slot - width) / 2
        synced_h = r.synced * scale
        failed_h = max(r.failed * scale, MIN_VISIBLE) if r.failed else 0.0
        seconds = f" in {r.seconds:.1f} s" if r.seconds is not None else ""
        body.append(f'<g class="run"><title>{escape(r.at)} run {r.run_log_id}: {r.synced:,} synced, '
                    f'{r.failed:,} failed{seconds} ({escape(r.outcome)})</title>'
                    f'<rect x="{x0:.1f}" y="{base - synced_h:.1f}" width="{width:.1f}" height="{synced_h:.1f}" '
                    f'fill="{COLOURS["synced"]}" class="bar bar-synced"/>'
                    f'<rect x="{x0:.1f}" y="{base - synced_h - failed_h:.1f}" width="{width:.1f}" '
                    f'height="{failed_h:.1f}" fill="{COLOURS["failed"]}" class="bar bar-failed"/></g>')
        if r.failed:
            body.append(_text(x0 + width / 2, base - synced_h - failed_h - 4, f"{r.failed:,}", cls="failed-count"))
    every = math.ceil(len(runs) / MOST_LABELS)
    times = [_at(r.at) for r in runs]
    for i in range(0, len(runs), every):
        body.append(_tick(LEFT + slot * (i + 0.5), _run_label(times, i, every), H))
    return _svg(H, body, "rows pushed per sync run")


def reasons_chart(reasons: Sequence[dict[str, Any]]) -> str | None:
    """Failed and rejected rows by entity and error code, longest bar first."""
    if not reasons:
        return None
    row, left = 26, 320
    height = len(reasons) * row + 16
    top = max(r["n"] for r in reasons)
    body = []
    for i, r in enumerate(reasons):
        y0 = 8 + i * row
        width = max((W - left - 70) * r["n"] / top, MIN_VISIBLE)
        name = f"{r['entity']} · {r['code']}"
        body.append(_text(left - 8, y0 + 15, name if len(name) <= 44 else name[:43] + "…", "end"))
        body.append(f'<rect x="{left}" y="{y0 + 3}" width="{width:.1f}" height="{row - 8}" '
                    f'fill="{COLOURS["failed"]}" class="bar bar-reason">'
                    f'<title>{escape(name)}: {r["n"]:,}</title></rect>')
        body.append(_text(left + width + 6, y0 + 15, f"{r['n']:,}", "start"))
    return _svg(height, body, "failures by reason")

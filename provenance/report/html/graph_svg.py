"""The provenance graph as a static SVG: origins (agencies) on the left, outlets on the right,
one band per origin and outlet, as wide as the characters of that origin's copy the outlet
printed.

A two-column layout, not a force-directed one: at 200 outlets a force layout is a hairball,
while two sorted columns stay readable (one row per outlet, 16 pixels) and need no library
and no script. GraphML/GEXF in the report are for Gephi when more is wanted.
"""

from __future__ import annotations

import math
from typing import Any

MAX_UNITS = 200  # outlets drawn (the largest by reused characters); the rest are counted
ROW = 16
WIDTH = 900
LEFT_X, RIGHT_X = 220, 640
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


def _escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped for XML character data (what
    ``xml.sax.saxutils.escape`` does, whose import brings ``urllib.request``: 20 ms a start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def origin_colour(origins: list[str], origin: str) -> str:
    """The colour of an origin (grey for ``unknown``), the same in every view."""
    if origin == "unknown":
        return "#9a9a9a"
    known = [o for o in origins if o != "unknown"]
    return PALETTE[known.index(origin) % len(PALETTE)] if origin in known else PALETTE[-1]


def graph_svg(shares: dict[str, Any]) -> str:
    """An SVG document of the origins x outlets graph from ``site._share_tables``' output."""
    origins: list[str] = shares["origins"]
    units = [u for u in shares["units"] if u["chars"].get("all", 0) > 0]
    shown, hidden = units[:MAX_UNITS], units[MAX_UNITS:]
    totals = {o: sum(u["chars"].get(o, 0) for u in units) for o in origins}
    ordered = sorted(origins, key=lambda o: (-totals[o], o))
    rows = max(len(shown), len(ordered), 1)
    height = rows * ROW + 80
    biggest = max((u["chars"].get(o, 0) for u in shown for o in origins), default=1) or 1
    what = "outlets" if shares["level"] == "outlet" else "documents"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="system-ui, sans-serif" font-size="12">',
        f"<title>Origins and the {what} that printed their copy</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        f'<text x="{LEFT_X}" y="20" text-anchor="end" font-weight="bold">origin</text>',
        f'<text x="{RIGHT_X}" y="20" font-weight="bold">{what} (characters of copy)</text>',
    ]
    if not shown:
        out.append(f'<text x="{WIDTH / 2}" y="60" text-anchor="middle">No news copy with an origin.</text></svg>')
        return "\n".join(out)

    def y_of(i: int, n: int) -> float:
        return 40 + (i + 0.5) * (rows * ROW) / n

    left = {o: y_of(i, len(ordered)) for i, o in enumerate(ordered)}
    right = {u["unit"]: y_of(i, len(shown)) for i, u in enumerate(shown)}
    for unit in shown:
        for origin in ordered:
            chars = unit["chars"].get(origin, 0)
            if not chars:
                continue
            width = max(0.6, 10 * math.sqrt(chars / biggest))
            y0, y1 = left[origin], right[unit["unit"]]
            mid = (LEFT_X + RIGHT_X) / 2
            out.append(
                f'<path d="M{LEFT_X + 6},{y0:.1f} C{mid},{y0:.1f} {mid},{y1:.1f} {RIGHT_X - 6},{y1:.1f}" '
                f'fill="none" stroke="{origin_colour(origins, origin)}" stroke-opacity="0.45" '
                f'stroke-width="{width:.2f}"><title>{_escape(origin)} to {_escape(unit["unit"])}: '
                f"{chars:,} characters</title></path>"
            )
    for origin in ordered:
        y = left[origin]
        out.append(
            f'<circle cx="{LEFT_X}" cy="{y:.1f}" r="5" fill="{origin_colour(origins, origin)}"/>'
            f'<text x="{LEFT_X - 10}" y="{y + 4:.1f}" text-anchor="end">{_escape(origin)} '
            f'<tspan fill="#666">({totals[origin]:,})</tspan></text>'
        )
    for unit in shown:
        y = right[unit["unit"]]
        label = unit["unit"] if len(unit["unit"]) <= 40 else unit["unit"][:39] + "…"
        out.append(
            f'<circle cx="{RIGHT_X}" cy="{y:.1f}" r="3" fill="#333"/>'
            f'<text x="{RIGHT_X + 8}" y="{y + 4:.1f}"><title>{_escape(unit["unit"])}</title>{_escape(label)} '
            f'<tspan fill="#666">({unit["chars"].get("all", 0):,})</tspan></text>'
        )
    if hidden:
        out.append(
            f'<text x="{RIGHT_X}" y="{height - 12}" fill="#666">and {len(hidden):,} more {what} '
            "with less copy (see the tables)</text>"
        )
    out.append("</svg>")
    return "\n".join(out)

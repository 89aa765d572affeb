"""The dashboard's charts: SVG drawn on the server by matplotlib (no JavaScript, no CDN).

Each chart is a picture of one figure; the table beside it carries the same numbers and the
links, so the page reads the same without the picture. The SVG is deterministic (fixed ids, no
date) so a report made twice from the same results is byte-identical.
"""

from __future__ import annotations

import io
from typing import Any

from checker.surfaces.dashboard.figures import Figure

TOP = 15
COLOURS = {"high": "#b00020", "medium": "#b35900", "low": "#1f6f2a"}
STATUS_COLOURS = {"no_approval": "#8a1010", "approved_elsewhere": "#b35900",
                  "established_care": "#1f6f2a", "approved": "#1f6f2a"}
BAR = "#0b4f9c"


def _matplotlib() -> Any:
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update({"svg.hashsalt": "clinic-claim-checker", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9})
    from matplotlib.figure import Figure as MplFigure

    return MplFigure


def warm_up() -> None:
    """Import matplotlib ahead of the first chart (it takes most of a second)."""
    _matplotlib()


def chart(figure: Figure) -> str | None:
    """The SVG of ``figure`` (None when it has nothing to draw)."""
    rows = [r for r in figure.rows if r.count] if figure.name != "scores" else figure.rows
    if not rows or not any(r.count for r in rows):
        return None
    rows = rows[:TOP]
    mpl_figure = _matplotlib()
    # Margins set by hand: matplotlib's tight_layout measures every label and doubled the time.
    if figure.name == "scores":
        fig = mpl_figure(figsize=(6.4, 2.6))
        ax = fig.subplots()
        ax.bar([r.label for r in rows], [r.count for r in rows], color=BAR)
        ax.set_xlabel("score")
        ax.set_ylabel("adverts")
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.2)
    else:
        height = 0.8 + 0.26 * len(rows)
        fig = mpl_figure(figsize=(6.4, height))
        ax = fig.subplots()
        labels = [_short(r.label) for r in rows][::-1]
        longest = max(len(label) for label in labels)
        fig.subplots_adjust(left=min(0.5, 0.04 + 0.0118 * longest), right=0.95,
                            top=1 - 0.12 / height, bottom=0.55 / height)
        counts = [r.count for r in rows][::-1]
        colours = [_colour(figure, r) for r in rows][::-1]
        bars = ax.barh(labels, counts, color=colours)
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.set_xlabel("adverts")
        ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _colour(figure: Figure, row: Any) -> str:
    if figure.name == "levels":
        return COLOURS.get(row.key, BAR)
    if figure.name == "conditions":
        return STATUS_COLOURS.get(row.extra.get("status", ""), BAR)
    return BAR


def _short(label: str, width: int = 34) -> str:
    return label if len(label) <= width else label[:width - 1] + "\u2026"


def alt_text(figure: Figure) -> str:
    """What the chart shows, in words, for a screen reader (the table follows it)."""
    shown = [r for r in figure.rows if r.count][:5]
    parts = [f"{r.label}: {r.count}" for r in shown]
    return f"{figure.title}. " + "; ".join(parts) + ("; and more in the table." if len(
        [r for r in figure.rows if r.count]) > 5 else ".")

"""Colours for the school points by a share of their pupils (``overlay_color=frpm_pct``).

The areas underneath are coloured by their own figure (YlOrRd by default), so the points
take another ColorBrewer sequential hue, Purples, with a dark outline that stays visible
on every area colour. The classes are fixed, not fitted to the data: "three in four
pupils or more" reads the same on every map and in every district.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

#: class limits of a share, in percent: below 50, 50-75, 75-90, 90 and more
SHARE_BREAKS = (50.0, 75.0, 90.0)
#: ColorBrewer Purples (5 classes, the palest dropped): one colour per class, low to high
SHARE_COLORS = ("#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
#: a school without the count: white, outlined in grey
NO_COUNT_COLOR = "#ffffff"
POINT_OUTLINE = "#2d004b"


def share_class(value: float | None) -> int | None:
    """The class (0-3) of a share in percent, or ``None`` when there is none."""
    if value is None or not math.isfinite(value):
        return None
    return sum(value >= b for b in SHARE_BREAKS)


def share_colors(values: Sequence[float | None]) -> list[str]:
    """The fill colour of each point."""
    out = []
    for value in values:
        k = share_class(value)
        out.append(NO_COUNT_COLOR if k is None else SHARE_COLORS[k])
    return out


def share_legend(
    values: Sequence[float | None], t: Callable[[str], str]
) -> list[tuple[str, str, int]]:
    """(colour, words, number of schools) per class, highest first, then the schools
    without the count (when there are any)."""
    counts = [0] * len(SHARE_COLORS)
    missing = 0
    for value in values:
        k = share_class(value)
        if k is None:
            missing += 1
        else:
            counts[k] += 1
    low, mid, high = (f"{b:.0f}%" for b in SHARE_BREAKS)
    words = [
        t("under {limit}").format(limit=low),
        f"{low}–{mid}",
        f"{mid}–{high}",
        t("{limit} or more").format(limit=high),
    ]
    rows = [(SHARE_COLORS[k], words[k], counts[k]) for k in reversed(range(len(SHARE_COLORS)))]
    if missing:
        rows.append((NO_COUNT_COLOR, t("no count"), missing))
    return rows

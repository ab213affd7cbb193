"""Static PNG choropleths (matplotlib) for reports and slides.

Same classes, colours and marks as the interactive map, and the same view: ``bbox=`` and
``highlight=`` frame it (else the mainland, as the interactive map opens), the
highlighted area is outlined, area names are drawn where they fit, low-reliability areas
are hatched by the interactive map's rule (only while they are a minority), and the
legend, in the page's language, wraps its lines so that nothing is cut off.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pyproj import Transformer

from maps.classify import Classification
from maps.mapdata import OUTLINE_LINE, MapData, legend_entries
from maps.mapux import mainland_bounds

MIN_SIZE, MAX_SIZE = 200, 4000
DPI = 100
#: the map's share of the image's width (the legend takes the rest)
MAP_WIDTH = 0.66
#: a legend line wraps after this many characters
WRAP = 30
#: most names drawn on one image
MAX_NAMES = 60


def _box_3310(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    move = Transformer.from_crs(4326, 3310, always_xy=True)
    xs, ys = move.transform(
        [bounds[0], bounds[2], bounds[0], bounds[2]], [bounds[1], bounds[1], bounds[3], bounds[3]]
    )
    return min(xs), min(ys), max(xs), max(ys)


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WRAP)) or text


def _extent(data: MapData, bbox: tuple | None, highlight: str | None) -> tuple:
    """Lon/lat bounds to show: ``bbox``, else the highlighted area with some context, else
    the mainland."""
    if bbox is not None:
        return tuple(bbox)
    if highlight is not None and highlight in data.ids:
        minx, miny, maxx, maxy = shapely.bounds(data.geoms[data.ids.index(highlight)])
        pad = max(maxx - minx, maxy - miny) * 0.4 + 0.005
        return minx - pad, miny - pad, maxx + pad, maxy + pad
    return mainland_bounds(data.geoms)


def _names(
    ax: matplotlib.axes.Axes, data: MapData, extent: tuple, width_px: float, renderer: Any
) -> int:
    """Draw the names whose zoom the image reaches, inside ``extent``, none overlapping;
    returns how many."""
    zoom = math.log2(360 * width_px / (256 * max(extent[2] - extent[0], 1e-6)))
    move = Transformer.from_crs(4326, 3310, always_xy=True)
    taken: list = []
    drawn = 0
    for label in sorted(data.labels, key=lambda lb: lb.min_zoom):
        if label.min_zoom > zoom + 0.5 or drawn >= MAX_NAMES:
            continue
        if not (extent[0] <= label.lon <= extent[2] and extent[1] <= label.lat <= extent[3]):
            continue
        x, y = move.transform(label.lon, label.lat)
        text = ax.text(
            x, y, label.text, fontsize=7, ha="center", va="center", color="#1b1b1b",
            fontweight="bold", clip_on=True,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
        )  # fmt: skip
        box = text.get_window_extent(renderer)
        frame = ax.get_window_extent(renderer)
        inside = (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        )
        if not inside or any(box.overlaps(other) for other in taken):
            text.remove()
            continue
        taken.append(box)
        drawn += 1
    return drawn


def render_png(
    data: MapData,
    cls: Classification,
    width: int,
    height: int,
    bbox: tuple[float, float, float, float] | None = None,
    highlight: str | None = None,
    legend: str = "expanded",
    hatch: bool = True,
) -> bytes:
    """PNG bytes of ``width`` × ``height`` pixels of the view ``bbox`` or ``highlight``
    (else the mainland); ``legend="hidden"`` leaves the legend out; ``hatch`` follows the
    interactive map's rule (:func:`maps.choropleth.hatched`)."""
    matplotlib.use("Agg", force=False)
    t = data.t
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(fig)  # a renderer to measure names with, before saving
    share = 0.98 if legend == "hidden" else MAP_WIDTH
    ax = fig.add_axes((0.01, 0.07, share - 0.01, 0.85))
    ax.set_axis_off()
    extent = _extent(data, bbox, highlight)
    frame = gpd.GeoDataFrame(geometry=list(data.geoms), crs="EPSG:4326").to_crs(3310)
    colors = np.array([cls.colors[c] if c >= 0 else "#f0f0f0" for c in cls.classes], dtype=object)
    frame.plot(ax=ax, color=list(colors), edgecolor="#4d4d4d", linewidth=0.15)
    missing = np.isnan(data.values)
    if missing.any():
        frame[missing].plot(
            ax=ax, facecolor="none", edgecolor="#969696", hatch="..", linewidth=0.15
        )
    low = data.low()
    if hatch and low.any():
        frame[low].plot(ax=ax, facecolor="none", edgecolor="#1a1a1a", hatch="////", linewidth=0.3)
    if data.outlines is not None:
        lines = gpd.GeoSeries(list(data.outlines.geoms), crs="EPSG:4326").to_crs(3310)
        lines.boundary.plot(ax=ax, color=OUTLINE_LINE, linewidth=0.6)
    if data.overlay is not None:
        pts = gpd.GeoSeries(
            gpd.points_from_xy(data.overlay.lon, data.overlay.lat), crs="EPSG:4326"
        ).to_crs(3310)
        pts.plot(ax=ax, markersize=2, color="#08306b")
    if highlight is not None and highlight in data.ids:
        frame.iloc[[data.ids.index(highlight)]].boundary.plot(ax=ax, color="#000000", linewidth=2.5)
    x0, y0, x1, y1 = _box_3310(extent)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="datalim")
    _names(ax, data, extent, width * share, canvas.get_renderer())
    if legend != "hidden":
        ax.legend(
            handles=_legend_handles(data, cls, low, missing, hatch),
            title=_wrap(f"{data.label} ({'%' if data.unit == 'percent' else t(data.unit)})"),
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
            fontsize="small",
            title_fontsize="small",
            frameon=True,
        )
    fig.suptitle(_wrap(data.title).replace("\n", " ") if len(data.title) < 90 else data.title,
                 fontsize=13, y=0.97)  # fmt: skip
    moe_note = "" if data.has_moe() else " · " + t("no margin of error published for this source")
    footer = " · ".join(
        [
            t("ACS vintage {vintage}").format(vintage=data.vintage),
            t("Source: {source}").format(source=data.source) + moe_note,
            "geo-api",
        ]
    )
    fig.text(0.01, 0.015, "\n".join(textwrap.wrap(footer, int(width / 6.2))), fontsize=8,
             color="#555555")  # fmt: skip
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _legend_handles(
    data: MapData, cls: Classification, low: np.ndarray, missing: np.ndarray, hatch: bool
) -> list[Artist]:
    t = data.t
    handles: list[Artist] = [
        Patch(facecolor=color, edgecolor="#4d4d4d", label=f"{label} ({n})")
        for color, label, n in legend_entries(data, cls)
    ]
    no_data = t("No data") + f" ({int(missing.sum())})"
    handles.append(Patch(facecolor="#f0f0f0", edgecolor="#969696", hatch="..", label=no_data))
    if data.outlines is not None:
        handles.append(
            Line2D([], [], color=OUTLINE_LINE, linewidth=1, label=_wrap(data.outlines.title))
        )
    if data.has_moe() and hatch and low.any():
        words = t("Hatched: low reliability, mostly allocated or CV > 30% ({count})")
        label = _wrap(words.format(count=int(low.sum())))
        handles.append(Patch(facecolor="white", edgecolor="#1a1a1a", hatch="////", label=label))
    elif data.has_moe() and low.any():
        words = t("Low reliability for {low} areas: too many to hatch").format(low=int(low.sum()))
        handles.append(Patch(facecolor="white", edgecolor="white", label=_wrap(words)))
    return handles

"""Static PNG choropleths (matplotlib) for reports and slides.

Same classes, colours and marks as the interactive map: "no data" areas are light grey
with dots, low-reliability areas are hatched, and the legend and footer give the unit,
vintage and source.
"""

from __future__ import annotations

import io

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from maps.classify import Classification
from maps.mapdata import OUTLINE_LINE, MapData, legend_entries

MIN_SIZE, MAX_SIZE = 200, 4000
DPI = 100


def render_png(data: MapData, cls: Classification, width: int, height: int) -> bytes:
    """PNG bytes of ``width`` × ``height`` pixels."""
    matplotlib.use("Agg", force=False)
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = fig.add_axes((0.01, 0.07, 0.64, 0.85))
    ax.set_axis_off()
    frame = gpd.GeoDataFrame(geometry=list(data.geoms), crs="EPSG:4326").to_crs(3310)
    colors = np.array([cls.colors[c] if c >= 0 else "#f0f0f0" for c in cls.classes], dtype=object)
    frame.plot(ax=ax, color=list(colors), edgecolor="#4d4d4d", linewidth=0.15)
    missing = np.isnan(data.values)
    if missing.any():
        frame[missing].plot(
            ax=ax, facecolor="none", edgecolor="#969696", hatch="..", linewidth=0.15
        )
    low = data.low()
    if low.any():
        frame[low].plot(ax=ax, facecolor="none", edgecolor="#1a1a1a", hatch="////", linewidth=0.3)
    if data.outlines is not None:
        lines = gpd.GeoSeries(list(data.outlines.geoms), crs="EPSG:4326").to_crs(3310)
        lines.boundary.plot(ax=ax, color=OUTLINE_LINE, linewidth=0.6)
    if data.overlay is not None:
        pts = gpd.GeoSeries(
            gpd.points_from_xy(data.overlay.lon, data.overlay.lat), crs="EPSG:4326"
        ).to_crs(3310)
        pts.plot(ax=ax, markersize=2, color="#08306b")
    unit = "%" if data.unit == "percent" else data.unit
    handles: list[Artist] = [
        Patch(facecolor=color, edgecolor="#4d4d4d", label=f"{label} ({n})")
        for color, label, n in legend_entries(data, cls)
    ]
    handles.append(
        Patch(
            facecolor="#f0f0f0", edgecolor="#969696", hatch="..", label=f"No data ({missing.sum()})"
        )
    )
    if data.outlines is not None:
        handles.append(Line2D([], [], color=OUTLINE_LINE, linewidth=1, label=data.outlines.title))
    if data.has_moe():
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#1a1a1a",
                hatch="////",
                label=f"Low reliability, mostly allocated or CV > 30% ({low.sum()})",
            )
        )
    ax.legend(
        handles=handles,
        title=f"{data.label} ({unit})",
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        fontsize="small",
        title_fontsize="small",
        frameon=True,
    )
    fig.suptitle(data.title, fontsize=14, y=0.97)
    moe_note = "" if data.has_moe() else " · no margin of error published for this source"
    fig.text(
        0.01,
        0.02,
        f"ACS vintage {data.vintage} · Source: {data.source}{moe_note} · geo-api",
        fontsize=8,
        color="#555555",
    )
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()

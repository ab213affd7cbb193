"""What a map draws: areas with estimate, MOE and reliability, plus the indicator's metadata.

The renderers (:mod:`maps.choropleth`, :mod:`maps.static`) take a :class:`MapData` and know
nothing of the store or the HTTP layer.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from maps.classify import Classification
from maps.i18n import translator
from maps.labels import Label

RELIABILITY_TEXT = {
    "high": "high (CV ≤ 15%)",
    "medium": "medium (CV 15-30%): use with care",
    "low": "low (CV > 30%, or mostly allocated from split tracts): unreliable",
    None: "unknown (no margin of error published)",
}


@dataclass(frozen=True)
class Points:
    """A point overlay (public schools): lon/lat, names and a short description each;
    ``colors`` (one fill per point) and ``legend`` ((colour, words, count) per class, under
    the heading ``colored_by``) when the points are coloured by a figure of their own."""

    title: str
    lon: np.ndarray
    lat: np.ndarray
    names: list[str]
    details: list[str]
    colors: list[str] | None = None
    legend: list[tuple[str, str, int]] | None = None
    colored_by: str | None = None


#: the colour of reference boundaries (city limits) drawn over a map's areas
OUTLINE_LINE = "#252525"


@dataclass(frozen=True)
class Outlines:
    """Reference boundaries drawn over a map as thin lines (city limits on a tract map)."""

    title: str
    geoms: np.ndarray


@dataclass(frozen=True)
class MapData:
    """One indicator over one polygon layer, geometry already simplified (EPSG:4326)."""

    layer_title: str
    indicator: str
    label: str
    unit: str
    vintage: str
    source: str
    ids: list[str]
    names: list[str]
    geoms: np.ndarray
    values: np.ndarray
    moes: np.ndarray
    reliability: list[str | None]
    notes: list[str]
    overlay: Points | None = None
    #: boundaries of another layer drawn over the areas, for orientation
    outlines: Outlines | None = None
    #: per area, a caution shown beside the reliability (e.g. an MOE wider than the range)
    cautions: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    #: per area, more to show on hover (a need score's rank, interval and inputs)
    details: list[str] = field(default_factory=list)
    #: per area, where it is (a tract's neighborhood and city), shown on hover
    places: list[str] = field(default_factory=list)
    #: names drawn on the map (the areas', or on tracts the neighborhoods')
    labels: list[Label] = field(default_factory=list)
    #: the language of the page's text (:data:`maps.i18n.LANGUAGES`)
    lang: str = "en"
    #: an area's profile page, ``{id}`` standing for its id (popups link to it)
    profile_url: str = ""

    @property
    def t(self) -> Callable[[str], str]:
        """The page language's text of an English string."""
        return translator(self.lang)

    @property
    def estimate_label(self) -> str:
        """What the tooltip's estimate is: the label and what its ± means."""
        unit = self.t(" (percentage points)") if self.unit == "percent" else ""
        return self.t("{label}, ± 90% margin of error").format(label=self.label) + unit

    @property
    def title(self) -> str:
        """Map title: indicator label and layer."""
        return f"{self.label}: {self.layer_title}"

    def low(self) -> np.ndarray:
        """Mask of areas whose estimate is present but unreliable (low reliability)."""
        rel = np.array([r == "low" for r in self.reliability], dtype=bool)
        return rel & ~np.isnan(self.values)

    def has_moe(self) -> bool:
        """Whether any area has a margin of error (some sources publish none)."""
        return bool((~np.isnan(self.moes)).any())


def format_number(value: float, unit: str) -> str:
    """A value as a planner reads it: ``23.4%``, ``$61,200``, ``12,345``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "dollars":
        return f"${value:,.0f}"
    return f"{value:,.0f}"


def estimate_text(value: float, moe: float, unit: str) -> str:
    """``23.4% ± 3.1`` (or the value alone when there is no MOE)."""
    text = format_number(value, unit)
    if math.isnan(value) or math.isnan(moe):
        return text
    moe_text = format_number(moe, unit).rstrip("%") if unit == "percent" else f"{moe:,.0f}"
    return f"{text} ± {moe_text}"


def class_label(lower: float, upper: float, unit: str) -> str:
    """Legend text of one class: ``12.0% - 18.5%``."""
    return f"{format_number(lower, unit)} - {format_number(upper, unit)}"


def tooltip_rows(data: MapData) -> list[dict[str, str]]:
    """HTML-escaped tooltip fields for each area: name, estimate ± MOE, reliability."""
    rows = []
    for i, name in enumerate(data.names):
        value, moe = float(data.values[i]), float(data.moes[i])
        t = data.t
        rel = "—" if math.isnan(value) else t(RELIABILITY_TEXT.get(data.reliability[i], "unknown"))
        if data.unit == "percent" and moe >= 100:
            rel += "; " + t("margin of error wider than the whole 0-100% range")
        if data.cautions and data.cautions[i]:
            rel += f"; {data.cautions[i]}"
        estimate = estimate_text(value, moe, data.unit)
        if math.isnan(value):
            note = data.notes[i]
            estimate = t("No data: {note}").format(note=note) if note else t("No data")
        rows.append(
            {
                "area": html.escape(name),
                "estimate": html.escape(estimate),
                "reliability": html.escape(rel),
                "details": html.escape(data.details[i]) if data.details else "",
                "place": html.escape(data.places[i]) if data.places else "",
            }
        )
    return rows


def class_entries(cls: Classification, unit: str) -> list[tuple[str, str, int]]:
    """(colour, label, count) for each class, darkest last: every legend's rows (Leaflet,
    PNG, vector and PMTiles maps)."""
    return [
        (color, class_label(lo, hi, unit), n)
        for color, lo, hi, n in zip(cls.colors, cls.lower, cls.upper, cls.counts(), strict=True)
    ]


def legend_entries(data: MapData, cls: Classification) -> list[tuple[str, str, int]]:
    """:func:`class_entries` in the map's unit."""
    return class_entries(cls, data.unit)

"""An area's profile: what a planner reads on ``/collections/{layer}/items/{id}?f=html``.

Census Reporter's profile is the model. The figures are grouped by topic
(:data:`boundaries.indicators.TOPICS`); each row gives the estimate ± its 90% margin of
error, the count behind a rate where the store holds it, the reliability in words, the
county figure beside it and whether the two differ at 90% (the Census Bureau's test, for
rates, medians and ratios; never for counts, which depend on the area's size), with a
small bar of the area against the county. The header names the areas it lies in; the
notes say, in plain words, what the figures rest on and what is missing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import shapely
from markupsafe import escape
from shapely.geometry.base import BaseGeometry

from boundaries.compare import compare_rows
from boundaries.indicators import INDICATORS, TOPICS
from boundaries.programs import input_label
from geo_api.catalog import Catalog, LayerData
from maps.mapdata import RELIABILITY_TEXT, estimate_text, format_number
from maps.notes import plain_notes

#: layers an area is said to lie in, in the order the header names them
PARENT_LAYERS = ("cities", "neighborhoods", "spas", "supervisorial-districts")
#: share of an area's surface inside a parent for it to be named
PARENT_SHARE = 0.5
#: above this share the area lies "in" the parent; between PARENT_SHARE and it, "mostly in"
WHOLLY_IN = 0.98
#: a rate whose universe the store counts, as (the indicator counting it, its words)
UNIVERSE_COUNTS = {
    "households": ("households", "households"),
    "children under 5 for whom poverty status is determined": (
        "children_under_5",
        "children under 5",
    ),
}
BAR_WIDTH, BAR_HEIGHT = 120, 16


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


def tract_context(record: dict[str, Any]) -> str:
    """Where a tract is, for its title: "Boyle Heights, Los Angeles" (empty for others)."""
    parts = [record.get("neighborhood_name"), record.get("city") or record.get("community_name")]
    return ", ".join(dict.fromkeys(str(p) for p in parts if p))


def parents(catalog: Catalog, layer: LayerData, geometry: BaseGeometry) -> list[dict[str, Any]]:
    """The areas of :data:`PARENT_LAYERS` holding at least :data:`PARENT_SHARE` of
    ``geometry`` (a point: the one holding it), as ``layer``, ``id``, ``name``, ``share``."""
    found = []
    area = geometry.area
    for lid in PARENT_LAYERS:
        other = catalog.layers.get(lid)
        if other is None or other is layer:
            continue
        best, best_share = None, 0.0
        for i in other.tree.query(geometry, predicate="intersects"):
            shape = other.frame.geometry.iloc[int(i)]
            share = 1.0 if area == 0 else shapely.intersection(shape, geometry).area / area
            if share > best_share:
                best, best_share = int(i), share
        if best is not None and best_share >= PARENT_SHARE:
            rec = other.records[best]
            found.append(
                {
                    "layer": lid,
                    "title": other.layer.title,
                    "id": rec["id"],
                    "name": rec.get("name") or rec["id"],
                    "wholly": best_share >= WHOLLY_IN,
                }
            )
    return found


def _bar(value: float, moe: float, county: float, top: float, label: str) -> str:
    """A bar of ``value`` with its margin as an error bar and the county as a tick."""
    if math.isnan(value) or not top > 0:
        return ""

    def x(v: float) -> float:
        return max(0.0, min(BAR_WIDTH, v / top * BAR_WIDTH))

    parts = [f'<rect x="0" y="4" width="{x(value):.1f}" height="8" fill="#7a9cc6"/>']
    if not math.isnan(moe):
        lo, hi = x(value - moe), x(value + moe)
        parts.append(
            f'<path d="M{lo:.1f} 8H{hi:.1f}M{lo:.1f} 4V12M{hi:.1f} 4V12" stroke="#1b1b1b" '
            'stroke-width="1.2"/>'
        )
    if not math.isnan(county):
        cx = x(county)
        parts.append(f'<path d="M{cx:.1f} 0V16" stroke="#b3001b" stroke-width="2"/>')
    return (
        f'<svg class="bar" viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" width="{BAR_WIDTH}" '
        f'height="{BAR_HEIGHT}" role="img" aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )


def _verdict(row: dict[str, Any], kind: str) -> tuple[str, str]:
    """(words, CSS class) of the test of an area against the county."""
    if kind == "count" or row["b"]["estimate"] is None:
        return "", ""
    if row["significant"] is None:
        return "cannot be tested (no margin of error)", "muted"
    if not row["significant"]:
        return "not significantly different", "same"
    return (
        ("higher than the county", "hi")
        if row["difference"] > 0
        else (
            "lower than the county",
            "lo",
        )
    )


def _count_behind(
    layer: LayerData, record: dict[str, Any], indicator: str, t: Callable[[str], str]
) -> str:
    """ "≈ 318 of 1,393 households" for a rate whose universe the layer counts from the same
    source and vintage; empty otherwise (a count from another survey year would mislead)."""
    meta = INDICATORS[indicator]
    universe = UNIVERSE_COUNTS.get(meta.universe)
    value = record.get(indicator)
    if not meta.is_percent or universe is None or value is None:
        return ""
    counter, words = universe
    total = record.get(counter)
    same = {k: layer.status_of(indicator).get(k) for k in ("dataset", "vintage")}
    if total is None or same != {k: layer.status_of(counter).get(k) for k in same}:
        return ""
    count = value / 100 * total
    return t("≈ {count} of {total} {universe}").format(
        count=f"{count:,.0f}", total=f"{total:,.0f}", universe=t(words)
    )


def _row(
    layer: LayerData,
    record: dict[str, Any],
    county: dict[str, Any] | None,
    indicator: str,
    notes: dict[str, list[str]],
    t: Callable[[str], str],
) -> dict[str, Any]:
    meta = INDICATORS[indicator]
    unit = meta.unit if meta.unit in ("percent", "dollars") else "count"
    value = _number(record.get(indicator))
    moe = _number(record.get(f"{indicator}_moe"))
    reliability = record.get(f"{indicator}_reliability")
    row: dict[str, Any] = {
        "indicator": indicator,
        "label": t(meta.label),
        "value": estimate_text(value, moe, unit) if not math.isnan(value) else None,
        "count": _count_behind(layer, record, indicator, t),
        "reliability": reliability,
        "reliability_words": t(RELIABILITY_TEXT.get(reliability, RELIABILITY_TEXT[None]))
        if not math.isnan(value)
        else "",
        "source": layer.source_of(indicator, t),
        "notes": notes.get(indicator, []),
        "county": None,
        "verdict": "",
        "verdict_class": "",
        "bar": "",
    }
    if county is None:
        return row
    tested = compare_rows(record, county, [indicator], t=t)[0]
    cvalue, cmoe = _number(county.get(indicator)), _number(county.get(f"{indicator}_moe"))
    if not math.isnan(cvalue):
        row["county"] = estimate_text(cvalue, cmoe, unit)
        if meta.kind == "count" and not math.isnan(value) and cvalue > 0:
            share = f"{100 * value / cvalue:.2f}".rstrip("0").rstrip(".")
            row["county"] += " · " + t("this area: {share}%").format(share=share)
    words, css = _verdict(tested, meta.kind)
    row["verdict"], row["verdict_class"] = t(words) if words else "", css
    if meta.kind != "count":
        top = max(
            (v for v in (value + (0 if math.isnan(moe) else moe), cvalue, value) if v == v),
            default=0.0,
        )
        top = min(100.0, top * 1.1) if unit == "percent" else top * 1.1
        label = t("{area}: {value}; county: {county}").format(
            area=record.get("name") or record["id"],
            value=row["value"] or "—",
            county=format_number(cvalue, unit),
        )
        row["bar"] = _bar(value, moe, cvalue, top, label)
    return row


def reason_words(reason: str, t: Callable[[str], str]) -> str:
    """Why an indicator or input is unavailable, in the language of ``t`` ("source table
    not loaded (B28002)" keeps its table names)."""
    match = re.fullmatch(r"source table not loaded \((.+)\)", reason)
    if match:
        return t("source table not loaded ({tables})").format(tables=match.group(1))
    floor = re.fullmatch(r"(\S+) (people|households|pupils), below (min_\w+)=(\d+)", reason)
    if floor:  # geo_api.ranking.below_floors
        count, noun, param, value = floor.groups()
        text = t(f"{{count}} {noun}, fewer than the floor of {{floor}} ({{param}})")
        return text.format(count=t(count), floor=f"{int(value):,}", param=param)
    lacking = re.fullmatch(r"no estimate for (.+)", reason)
    if lacking:  # geo_api.ranking.unranked_reason
        names = [t(input_label(i.strip())) for i in lacking.group(1).split(",")]
        return t("no estimate for {inputs}").format(inputs=", ".join(names))
    return t(reason)


def sections(
    layer: LayerData,
    record: dict[str, Any],
    county: dict[str, Any] | None,
    t: Callable[[str], str],
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, str]]]:
    """The profile's topics with their rows, the notes about the whole area, and the
    indicators this layer lacks with the reason (all in the language of ``t``)."""
    by_indicator: dict[str, list[str]] = {}
    general: list[str] = []
    for subject, text in plain_notes(record.get("data_notes"), t):
        (general if subject is None else by_indicator.setdefault(subject, [])).append(text)
    out = []
    missing = []
    for topic, indicators in TOPICS:
        rows = []
        for ind in indicators:
            if ind in layer.properties:
                rows.append(_row(layer, record, county, ind, by_indicator, t))
            else:
                status = layer.status_of(ind)
                reason = reason_words(status.get("reason") or "not in this store", t)
                missing.append({"label": t(INDICATORS[ind].label), "reason": reason})
        if rows:
            out.append({"title": t(topic), "rows": rows})
    return out, general, missing

"""The area profile page: header, locator map, figures by topic, program standing, notes
and links (:mod:`geo_api.pages.profile` builds the rows)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
from shapely.geometry.base import BaseGeometry

from boundaries.priorities import TOP
from boundaries.programs import PROGRAMS
from geo_api.catalog import Catalog, LayerData
from geo_api.errors import ApiError
from geo_api.pages.locator import locator_svg
from geo_api.pages.profile import parents, reason_words, sections, tract_context
from geo_api.pages.schoolprofile import school_context
from geo_api.ranking import RankingCache, standing
from geo_api.rankquery import ranking_for
from maps.i18n import lang_query
from maps.mapdata import estimate_text

#: the figure a profile's map link and embed show first, when the layer has it
HEADLINE = ("no_subscription_pct", "poverty_pct", "population")
#: the layer whose shapes draw the county on the locator map
CONTEXT_LAYER = "spas"
#: the area whose survey figures a point's page shows (others: its census tract)
POINT_FIGURES = {"schools": "neighborhoods"}
POINT_NOTES = {
    "tracts": "The figures are those of the census tract this site stands in:",
    "neighborhoods": "The survey figures are those of the neighborhood this school stands in:",
}


def display_name(layer_id: str, record: dict[str, Any], t: Callable[[str], str]) -> str:
    """An area's name as a page shows it ("Sección censal 2063.03" in Spanish)."""
    name = str(record.get("name") or record["id"])
    prefix = "Census Tract "
    if layer_id == "tracts" and name.startswith(prefix):
        return t("Census Tract {number}").format(number=name[len(prefix) :])
    return name


def standings(
    catalog: Catalog, layer: LayerData, index: int, rankings: RankingCache, base: str
) -> list[dict[str, Any]]:
    """The area's place in each program's default ranking of its layer: rank, 90% interval,
    chance of the top, or why it is not ranked."""
    out = []
    for program in PROGRAMS.values():
        try:
            ranking = ranking_for({}, catalog, layer, program, rankings)
        except ApiError:
            continue  # the layer cannot be ranked for this program
        out.append(
            {
                "id": program.id,
                "title": program.title,
                "href": f"{base}/priorities/{program.id}?layer={layer.layer.id}&f=html",
                **standing(ranking, index),
            }
        )
    return out


def _bbox(geometry: BaseGeometry) -> str:
    minx, miny, maxx, maxy = geometry.bounds
    pad = max(maxx - minx, maxy - miny, 0.01) * 0.6
    return ",".join(f"{v:.4f}" for v in (minx - pad, miny - pad, maxx + pad, maxy + pad))


def profile_context(
    catalog: Catalog,
    layer: LayerData,
    index: int,
    county: dict[str, Any] | None,
    rankings: RankingCache,
    base: str,
    t: Callable[[str], str],
    lang: str,
) -> dict[str, Any]:
    """Everything ``profile.html`` shows of feature ``index`` of ``layer``."""
    lid = layer.layer.id
    record = layer.records[index]
    geometry = layer.frame.geometry.iloc[index]
    figures_layer, figures_record, figures_note = layer, record, None
    if layer.layer.kind == "point":  # a site: the survey figures of the area it stands in
        area_id = POINT_FIGURES.get(lid, "tracts")
        areas = catalog.layers.get(area_id)
        key = record.get(area_id.removesuffix("s"))
        if areas is not None and key in areas.by_id:
            figures_layer, figures_record = areas, areas.records[areas.by_id[key]]
            figures_note = {
                "text": t(POINT_NOTES[area_id]),
                "name": display_name(area_id, figures_record, t),
                "href": f"{base}/collections/{area_id}/items/{key}?f=html",
            }
    topics, general, missing = sections(figures_layer, figures_record, county, t)
    population = None
    if figures_record.get("population") is not None:
        moe = figures_record.get("population_moe")
        population = estimate_text(
            float(figures_record["population"]), math.nan if moe is None else float(moe), "count"
        )
    context_layer = catalog.layers.get(CONTEXT_LAYER) or layer
    name = display_name(lid, record, t)
    lang_q = lang_query(lang)
    mapped = [i for i in HEADLINE if f"{i}_moe" in figures_layer.properties]
    map_layer = figures_layer.layer.id
    highlight = figures_record["id"]
    bbox = _bbox(geometry)
    map_query = urlencode({"highlight": highlight, "bbox": bbox})
    headline = mapped[0] if mapped else None
    item_url = f"{base}/collections/{lid}/items/{quote(record['id'])}"
    rows_url = f"{base}/collections/{lid}/items?id={quote(record['id'])}"
    return {
        "lid": lid,
        "record": record,
        "name": name,
        "where": tract_context(record) if lid == "tracts" else "",
        "layer_title": t(layer.layer.title),
        "parents": parents(catalog, layer, geometry),
        "population": population,
        "locator": locator_svg(
            list(context_layer.frame.geometry.to_numpy()),
            geometry,
            t("{name} within LA County").format(name=name),
        ),
        "topics": topics,
        "general_notes": general,
        "missing": missing,
        "figures_note": figures_note,
        "county_shown": county is not None,
        "standings": standings(catalog, layer, index, rankings, base)
        if layer.layer.kind == "polygon"
        else [],
        "top": TOP,
        "allocated_share": record.get("allocated_share"),
        "tract_coverage": record.get("tract_coverage"),
        "population_coverage": record.get("population_coverage"),
        "method": t(str(layer.status[0]["method"]))
        if layer.status and layer.status[0].get("method") and lid != "tracts"
        else None,
        "map_base": f"{base}/maps/{map_layer}",
        "map_query": map_query + lang_q,
        "headline": headline,
        "embed_src": f"{base}/maps/{map_layer}/{headline}/embed?{map_query}&legend=collapsed"
        + lang_q
        if headline
        else None,
        "downloads": [
            ("CSV", f"{rows_url}&f=csv"),
            ("GeoJSON", item_url),
            ("GeoPackage", f"{rows_url}&f=gpkg"),
        ],
        "compare_names": sorted(
            {str(r.get("name")) for r in layer.records if r.get("name")} - {record.get("name")}
        )
        if lid != "tracts" and layer.layer.kind == "polygon"
        else [],
        "compare_ok": layer.layer.kind == "polygon",
        "lang_q": lang_q,
        "school": school_context(catalog, layer, index, rankings, base, t)
        if lid == "schools"
        else None,
        "nan": np.nan,
        "reason_words": reason_words,
    }

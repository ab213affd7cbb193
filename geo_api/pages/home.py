"""The home page for people: what the site is, a search over every area's name, the
three programs, the maps by topic, the tools, and a short way in for GIS users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boundaries.indicators import INDICATORS, TOPICS
from boundaries.programs import PROGRAMS
from geo_api.catalog import Catalog
from geo_api.errors import ApiError
from geo_api.pages.programs import missing_inputs, purpose
from geo_api.pages.schoolranking import school_ranking_query
from geo_api.ranking import RankingCache
from geo_api.rankquery import ranking_for

#: the layer whose maps and rankings the home page opens first
HOME_LAYER = "neighborhoods"


def home_context(
    catalog: Catalog, rankings: RankingCache, t: Callable[[str], str]
) -> dict[str, Any]:
    """``programs`` (with the sentence of what each ranking weighs and what the store
    lacks), ``topics`` (indicator maps by topic) and ``layers`` (for GIS downloads)."""
    layer = catalog.layers.get(HOME_LAYER) or next(
        (lyr for lyr in catalog.layers.values() if lyr.layer.kind == "polygon"), None
    )
    programs = []
    for program in PROGRAMS.values():
        entry: dict[str, Any] = {"id": program.id, "title": t(program.title)}
        try:
            ranking = ranking_for({}, catalog, layer, program, rankings) if layer else None
        except ApiError:
            ranking = None
        entry["purpose"] = purpose(ranking, t) if ranking else t(program.purpose)
        entry["missing"] = [t(m["label"]) for m in missing_inputs(ranking)] if ranking else []
        entry["school_query"] = school_ranking_query(catalog, program)
        programs.append(entry)
    topics = []
    for title, indicators in TOPICS:
        maps = [
            {"id": i, "label": t(INDICATORS[i].label)}
            for i in indicators
            if layer is not None and f"{i}_moe" in layer.properties
        ]
        if maps:
            topics.append({"title": t(title), "maps": maps})
    layers = [
        {"id": lid, "title": t(lyr.layer.title), "count": len(lyr.records)}
        for lid, lyr in catalog.layers.items()
    ]
    return {
        "programs": programs,
        "topics": topics,
        "layers": layers,
        "map_layer": layer.layer.id if layer is not None else None,
    }

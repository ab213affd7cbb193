"""``/priorities/{program}``: ranked need lists with 90% rank intervals, and the schools
ranked by the need of the area they stand in (``/priorities/community-schools/schools``).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.priorities import TOP
from boundaries.programs import PROGRAMS, Program, input_label, input_unit
from geo_api.catalog import Catalog
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, polygon_layer
from geo_api.errors import InvalidParameter, NotFound
from geo_api.formats import MEDIA, to_csv
from geo_api.geojson import feature, feature_collection, feature_tail
from geo_api.html import render
from geo_api.openapi_params import PRIORITIES
from geo_api.pages.profile import reason_words
from geo_api.pages.programs import missing_inputs, purpose
from geo_api.pages.schoolranking import (
    BLEND,
    KNOWN_LIST,
    school_fields,
    school_ranking_page,
    school_ranking_query,
    selection_doc,
)
from geo_api.query import unknown_params
from geo_api.ranking import (
    DEFAULT_MIN_ENROLLMENT,
    DEFAULT_MIN_HOUSEHOLDS,
    DEFAULT_MIN_POPULATION,
    Input,
    Ranking,
    input_column,
    school_ranks,
    unranked_reason,
)
from geo_api.rankquery import RANKING_PARAMS, SCHOOL_PARAMS, ranking_for, school_ranking_for
from geo_api.responses import cached_response
from geo_api.routers.documents import (
    doc_response,
    language_headers,
    language_switch,
    link,
    page_language,
)
from maps.i18n import translator
from maps.mapdata import estimate_text

router = APIRouter(tags=["Priorities"])
PARAMS = {"layer", "f", "lang", *RANKING_PARAMS, *SCHOOL_PARAMS}
FORMATS = {
    "json": "application/json",
    "geojson": MEDIA["json"],
    "csv": MEDIA["csv"],
    "html": MEDIA["html"],
}
DEFAULT_LAYER = "neighborhoods"


def _program(program: str) -> Program:
    if program not in PROGRAMS:
        raise NotFound(f"no program {program!r}", valid=list(PROGRAMS))
    return PROGRAMS[program]


def compute(request: Request, catalog: Catalog, program_id: str) -> Ranking:
    """Parse the query and return the (cached) ranking it asks for."""
    unknown_params(set(request.query_params), PARAMS)
    program = _program(program_id)
    q = request.query_params
    if q.get("layer") == "schools":
        return school_ranking_for(q, catalog, program, request.app.state.rankings)
    only_schools = sorted(SCHOOL_PARAMS & set(q))
    if only_schools:
        raise InvalidParameter(f"{', '.join(only_schools)}: only with layer=schools")
    layer = polygon_layer(catalog, q.get("layer", DEFAULT_LAYER), "rank")
    return ranking_for(q, catalog, layer, program, request.app.state.rankings)


def _num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), digits)


def _input_note(inp: Input) -> str | None:
    if not inp.available or inp.has_moe:
        return None
    if inp.exact:
        return "administrative count of every pupil: exact, no margin of error"
    return (
        "no MOE published: held fixed in the simulation, so rank intervals understate "
        "the uncertainty"
    )


def _inputs_doc(ranking: Ranking) -> list[dict[str, Any]]:
    weights = ranking.weights()
    docs = []
    for inp in ranking.inputs:
        ind = inp.weighted.indicator
        docs.append(
            {
                "indicator": ind,
                "label": input_label(ind),
                "weight": _num(weights.get(ind, 0.0), 4),
                "higher_is_worse": inp.weighted.higher_is_worse,
                "status": "used" if inp.available else "unavailable",
                "reason": inp.reason or None,
                "vintage": inp.vintage,
                "tables": inp.tables or None,
                "moe_published": inp.has_moe if inp.available else None,
                "note": _input_note(inp),
            }
        )
    return docs


def _area_rows(ranking: Ranking, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per area (per school of the selection): rank, interval, inputs; ``names``
    names the context areas of a school ranking."""
    names = names or {}
    s, layer = ranking.scores, ranking.layer
    used = ranking.used
    context = ranking.selection.context if ranking.selection else None
    wide = [inp.moe_exceeds_range for inp in used]
    rows = []
    for i, rec in enumerate(layer.records):
        if ranking.included is not None and not ranking.included[i]:
            continue
        ranked = bool(s.ranked[i])
        inputs = {}
        for j, inp in enumerate(used):
            ind = inp.weighted.indicator
            rel_col = f"{input_column(ind, context)}_reliability"
            inputs[ind] = {
                "estimate": _num(inp.estimates[i], 4),
                "moe": _num(inp.moes[i], 4),
                "reliability": "complete count" if inp.exact else rec.get(rel_col),
                "moe_exceeds_range": bool(wide[j][i]),
                "percentile": _num(s.percentiles[i, j], 2) if ranked else None,
            }
        rows.append(
            {
                "id": rec["id"],
                "name": rec.get("name"),
                "rank": int(s.rank[i]) if ranked else None,
                "rank_90": [int(s.rank_low[i]), int(s.rank_high[i])] if ranked else None,
                "rank_90_extended": bool(s.extended[i]) if ranked else None,
                "rank_median": int(s.rank_median[i]) if ranked else None,
                "score": _num(s.score[i]),
                "score_moe": _num(s.score_moe[i]),
                f"p_top_{TOP}": _num(s.p_top[i], 3) if ranked else None,
                "population": _num(rec.get("population"), 0),
                "unreliable_inputs": [k for k, v in inputs.items() if v["reliability"] == "low"],
                "moe_exceeds_range": [k for k, v in inputs.items() if v["moe_exceeds_range"]],
                "unranked_reason": None if ranked else unranked_reason(ranking, i),
                "inputs": inputs,
                **(school_fields(ranking, i, names) if ranking.selection else {}),
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, str(r["name"])))
    return rows


def _context_names(catalog: Catalog, ranking: Ranking) -> dict[str, str]:
    """Id → name of the areas a school ranking reads its survey figures from."""
    if ranking.selection is None:
        return {}
    areas = catalog.layers.get(ranking.selection.context + "s")
    return {} if areas is None else {r["id"]: str(r.get("name") or r["id"]) for r in areas.records}


def document(ranking: Ranking, catalog: Catalog, base: str, url: str) -> dict[str, Any]:
    """The JSON answer: reproducibility, method, inputs, summary, areas (and schools)."""
    s, layer = ranking.scores, ranking.layer
    ids = [r["id"] for r in layer.records]
    close = s.indistinguishable(ids)
    doc: dict[str, Any] = {
        "program": {
            "id": ranking.program.id,
            "title": ranking.program.title,
            "purpose": purpose(ranking),
            "aim": ranking.program.purpose,
            "missing_inputs": missing_inputs(ranking),
        },
        "layer": {"id": layer.layer.id, "title": layer.layer.title},
        "reproducibility": {
            "url": url,
            "store_checksum": catalog.checksum,
            "store_built_at": catalog.manifest.get("built_at"),
            "acs_vintages": sorted({str(i.vintage) for i in ranking.used if i.vintage}),
            "weights": ranking.weights(),
            "seed": ranking.seed,
            "draws": ranking.draws,
            "min_population": ranking.floors.min_population,
            "min_households": ranking.floors.min_households
            if any(i.per_household for i in ranking.used)
            else None,
        },
        "method": {
            "score": "weighted mean of percentile ranks (0-100, higher = more need)",
            "uncertainty": "estimates redrawn from normal distributions with SE = MOE/1.645, "
            "truncated to valid ranges; rank_90 is the 5th-95th percentile of simulated ranks, "
            "extended to include the reported rank (rank_90_extended); rank_median is the "
            "median simulated rank",
            "schools": BLEND if ranking.selection else None,
            "known_community_schools": KNOWN_LIST if ranking.selection else None,
            "floors": "areas with fewer people than min_population (default "
            f"{DEFAULT_MIN_POPULATION:,}), or fewer households than min_households (default "
            f"{DEFAULT_MIN_HOUSEHOLDS}) when an input is measured over households, are "
            "unranked; min_population=0 ranks every area",
            # the methods document ships with the source, not at a URL this server knows
            "documentation": "docs/methods.md, section 'Priority rankings', in the geo-api source",
        },
        "inputs": _inputs_doc(ranking),
        "summary": {
            "areas": len(ids),
            "ranked": int(s.ranked.sum()),
            "unranked": int((~s.ranked).sum()),
            f"top_{TOP}": s.top_ids(ids),
            f"indistinguishable_from_top_{TOP}": {
                "count": len(close),
                "ids": close,
                "meaning": f"areas ranked below {TOP} whose 90% rank interval reaches the "
                f"top {TOP}: the data cannot tell them apart from the top {TOP}",
            },
        },
        "areas": _area_rows(ranking, _context_names(catalog, ranking)),
    }
    selection = selection_doc(ranking)
    if selection is not None:
        doc["reproducibility"]["selection"] = selection
        doc["reproducibility"]["min_population"] = None
        doc["method"]["floors"] = (
            f"schools with fewer than min_enrollment pupils (default {DEFAULT_MIN_ENROLLMENT}) "
            "are unranked: one pupil moves a tiny school's shares by whole points"
        )
        doc["summary"]["areas"] = selection["schools_compared"]
        doc["summary"]["unranked"] = sum(1 for r in doc["areas"] if r["rank"] is None)
    elif ranking.program.id == "community-schools":
        doc["schools"] = school_ranks(catalog, ranking)
    return doc


def ranking_page(
    doc: dict[str, Any], ranking: Ranking, base: str, request: Request, lang: str = "en"
) -> bytes:
    """The ranking as a page (in ``lang``): a sortable table of ranked areas, the unranked
    with reasons, links to the map and the downloads."""
    t = translator(lang)
    q = [(k, v) for k, v in request.query_params.multi_items() if k != "f"]
    program, layer = doc["program"]["id"], doc["layer"]["id"]
    map_query = urlencode([(k, v) for k, v in q if k != "layer"])
    here = urlencode(q)
    links = [
        link(f"{base}/priorities/{program}?{here}", "alternate", "application/json"),
        link(f"{base}/priorities/{program}?{here}&f=csv", "alternate", MEDIA["csv"]),
        link(f"{base}/priorities/{program}?{here}&f=geojson", "alternate", MEDIA["json"]),
    ]
    units = {inp.weighted.indicator: input_unit(inp.weighted.indicator) for inp in ranking.used}
    return render(
        "priorities.html",
        doc=doc,
        base=base,
        title=t("{program}: {layer} ranked by need").format(
            program=t(doc["program"]["title"]), layer=t(doc["layer"]["title"])
        ),
        t=t,
        lang=lang,
        **language_switch(request, lang, base),
        links=links,
        map_url=f"{base}/maps/{layer}/priority-{program}" + (f"?{map_query}" if map_query else ""),
        used=[i for i in doc["inputs"] if i["status"] == "used"],
        units=units,
        top=TOP,
        estimate_text=estimate_text,
        nan=math.nan,  # (a 'nan'|float filter is constant-folded by Jinja into a bare name)
        labels={i["indicator"]: i["label"] for i in doc["inputs"]},
        purpose=purpose(ranking, t),
        reason_words=reason_words,
    )


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    lists = ("inputs", "rank_90", "unreliable_inputs", "moe_exceeds_range")
    flat = {k: v for k, v in row.items() if k not in lists and not isinstance(v, dict)}
    if "context" in row:  # a school: its area, and its known Community School cohort
        for key, value in row["context"].items():
            flat[f"context_{key}"] = value
        flat["community_school_cohort"] = (row["known_community_school"] or {}).get("cohort")
    flat["rank_low"], flat["rank_high"] = row["rank_90"] or (None, None)
    flat["unreliable_inputs"] = ",".join(row["unreliable_inputs"])
    flat["moe_exceeds_range"] = ",".join(row["moe_exceeds_range"])
    for ind, v in row["inputs"].items():
        for key, value in v.items():
            flat[ind if key == "estimate" else f"{ind}_{key}"] = value
    return flat


def _repro_columns(doc: dict[str, Any]) -> dict[str, Any]:
    rep = doc["reproducibility"]
    return {
        "program": doc["program"]["id"],
        "weights": ";".join(f"{k}:{v:.4f}" for k, v in rep["weights"].items()),
        "seed": rep["seed"],
        "draws": rep["draws"],
        "min_population": rep["min_population"],
        "min_households": rep["min_households"],
        "acs_vintages": ";".join(rep["acs_vintages"]),
        "store_checksum": rep["store_checksum"],
    }


def _download(fmt: str, name: str) -> dict[str, str]:
    """A CSV answer is a file to save (``Content-Disposition: attachment``)."""
    if fmt != "csv":
        return {}
    return {"Content-Disposition": f'attachment; filename="priorities-{name}.csv"'}


def _format(request: Request) -> str:
    fmt = request.query_params.get("f", "json")
    if fmt not in FORMATS:
        raise InvalidParameter(f"unknown format {fmt!r}", valid=list(FORMATS))
    return fmt


def _school_url(catalog: Catalog, program: Program, base: str) -> str | None:
    query = school_ranking_query(catalog, program)
    return None if query is None else f"{base}/priorities/{program.id}?{query}"


@router.get("/priorities", summary="The programs that rankings are made for")
def programs(request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep) -> Response:
    """Every program with its aim, default inputs, and links to its ranking and map."""

    def doc() -> dict[str, Any]:
        return {
            "programs": [
                {
                    "id": p.id,
                    "title": p.title,
                    "aim": p.purpose,
                    "school_ranking": _school_url(catalog, p, base),
                    "inputs": [
                        {"indicator": w.indicator, "label": input_label(w.indicator)}
                        for w in p.inputs
                    ],
                    "links": [
                        link(f"{base}/priorities/{p.id}", "item", "application/json"),
                        link(f"{base}/priorities/{p.id}?f=html", "item", MEDIA["html"]),
                        link(
                            f"{base}/maps/{DEFAULT_LAYER}/priority-{p.id}", "related", MEDIA["html"]
                        ),
                    ],
                }
                for p in PROGRAMS.values()
            ],
            "links": [
                link(f"{base}/priorities", "self", "application/json"),
                link(f"{base}/priorities?f=html", "alternate", MEDIA["html"]),
            ],
        }

    return doc_response(
        request, catalog, cache, base, doc, "programs.html", "Programs", translated=True
    )


@router.get(
    "/priorities/{program}",
    summary="Ranked need list with rank intervals",
    openapi_extra=PRIORITIES,
)
def priorities(
    request: Request, program: str, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Areas of ``layer`` (default neighborhoods) ranked by ``program``'s need score, with a
    90% rank interval from ``draws`` simulations seeded by ``seed``. ``weights=a:2,b:1``
    overrides default weights (0 drops an input). ``f=json|geojson|csv``."""
    fmt = _format(request)
    ranking = compute(request, catalog, program)
    url = str(request.url)
    lang = page_language(request) if fmt == "html" else "en"

    def body() -> bytes:
        doc = document(ranking, catalog, base, url)
        if fmt == "json":
            return orjson.dumps(doc)
        if fmt == "html" and ranking.selection is not None:
            return school_ranking_page(doc, ranking, base, request, lang)
        if fmt == "html":
            return ranking_page(doc, ranking, base, request, lang)
        if fmt == "csv":
            return to_csv([_flat(r) for r in doc["areas"]], extra=_repro_columns(doc))
        layer = ranking.layer
        at = [layer.by_id[row["id"]] for row in doc["areas"]]
        features = [
            feature(layer.heads[i], layer.geometry_bytes[i], feature_tail(_flat(row)))
            for i, row in zip(at, doc["areas"], strict=True)
        ]
        head = {k: v for k, v in doc.items() if k not in ("areas", "schools")}
        return feature_collection(features, priority=head)

    headers = _download(fmt, program)
    if fmt == "html":
        headers.update(language_headers(lang))
    return cached_response(
        request, cache, catalog.checksum, FORMATS[fmt], body, headers, variant=f"lang={lang}"
    )


@router.get(
    "/priorities/{program}/schools",
    summary="Schools ranked by their area's need",
    openapi_extra=PRIORITIES,
)
def priority_schools(
    request: Request, program: str, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Public schools (CDS code, name, district) ranked by the need score of the ``layer``
    area they stand in. Only for ``community-schools``. ``f=json|csv``."""
    if program != "community-schools":
        raise NotFound("schools are ranked for community-schools only", valid=["community-schools"])
    fmt = _format(request)
    if fmt not in ("json", "csv"):
        raise InvalidParameter("schools come as json or csv", valid=["json", "csv"])
    ranking = compute(request, catalog, program)
    url = str(request.url)

    def body() -> bytes:
        doc = document(ranking, catalog, base, url)
        if fmt == "csv":
            rows = [
                {
                    **{k: v for k, v in r.items() if k != "area_rank_90"},
                    "area_rank_low": (r["area_rank_90"] or [None, None])[0],
                    "area_rank_high": (r["area_rank_90"] or [None, None])[1],
                }
                for r in doc["schools"]
            ]
            return to_csv(rows, extra=_repro_columns(doc))
        keep = ("program", "layer", "reproducibility", "method", "inputs", "schools")
        return orjson.dumps({k: doc[k] for k in keep})

    return cached_response(
        request, cache, catalog.checksum, FORMATS[fmt], body, _download(fmt, program)
    )

"""What a ranking of schools adds to a ranking of areas: each school's own figures, where
it stands, whether it is a known Community School, and the selection compared."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from boundaries.priorities import TOP
from boundaries.programs import SCHOOL_MEASURES, Program, input_unit
from geo_api.catalog import Catalog
from geo_api.html import render
from geo_api.pages.area import display_name
from geo_api.pages.profile import reason_words
from geo_api.pages.programs import purpose
from geo_api.ranking import Ranking
from geo_api.routers.documents import language_switch
from geo_api.schoolselect import CONTEXTS, DISTRICT_ALIASES, GRADES, district_names
from maps.i18n import lang_query, translator
from maps.mapdata import estimate_text

#: a context area in words, as the page says it ("the census tract around it")
CONTEXT_WORDS = {"tract": "census tract", "neighborhood": "neighborhood"}
#: the same, as the choice of the form reads ("Survey figures from: its census tract")
CONTEXT_CHOICES = {"tract": "its census tract", "neighborhood": "its neighborhood"}

#: the blend in words, for the JSON ``method`` and the page
BLEND = (
    "each school's own shares of its pupils (CDE administrative counts of every pupil: no "
    "sampling error, held fixed in the simulation) beside the ACS estimates of the area it "
    "stands in (redrawn within their margins): the rank intervals carry the survey's "
    "uncertainty alone"
)
KNOWN_LIST = (
    "known Community Schools are marked from a partial list (cohorts 5 and 6, from the "
    "program's announcements): an unmarked school may be one"
)


def school_ranking_query(catalog: Catalog, program: Program) -> str | None:
    """The query of ``program``'s ranking of schools (LAUSD's, when the store has its
    schools), or ``None`` when the program or the store cannot rank schools."""
    schools = catalog.layers.get("schools")
    if not program.school_inputs or schools is None or "frpm_pct" not in schools.properties:
        return None
    lausd = DISTRICT_ALIASES["lausd"]
    if any(r.get("district") == lausd for r in schools.records):
        return "layer=schools&district=LAUSD"
    return "layer=schools"


def school_fields(ranking: Ranking, i: int, names: dict[str, str]) -> dict[str, Any]:
    """The school ``i`` of a school ranking: district, type, grades, enrolment and its
    year, the context area (named from ``names``, its layer's id → name), and its known
    Community School cohort (or ``None``)."""
    rec = ranking.layer.records[i]
    context = ranking.selection.context if ranking.selection else "tract"
    cohort = rec.get("community_school_cohort")
    return {
        "district": rec.get("district"),
        "school_type": rec.get("school_type"),
        "grades": f"{rec['low_grade']}-{rec['high_grade']}"
        if rec.get("low_grade") and rec.get("high_grade")
        else None,
        "enrollment": rec.get("enrollment"),
        "counts_year": rec.get("frpm_year"),
        "context": {
            "layer": context + "s",
            "id": rec.get(context),
            "name": names.get(str(rec.get(context)), rec.get(context)),
        },
        "known_community_school": None if cohort is None else {"cohort": int(cohort)},
    }


def selection_doc(ranking: Ranking) -> dict[str, Any] | None:
    """The selection of a school ranking as the query gave it (``None`` for areas)."""
    sel = ranking.selection
    if sel is None:
        return None
    return {
        "context": sel.context,
        "district": sel.district,
        "school_type": sel.school_type,
        "grade": sel.grade,
        "min_enrollment": ranking.floors.min_enrollment,
        "schools_compared": int(ranking.included.sum()) if ranking.included is not None else None,
    }


def _extent(ranking: Ranking) -> str:
    """The bounding box (lon/lat, a little padded) of the schools a ranking compares."""
    points = ranking.layer.frame.geometry
    if ranking.included is not None:
        points = points[ranking.included]
    minx, miny, maxx, maxy = points.total_bounds
    pad = max(maxx - minx, maxy - miny, 0.02) * 0.05
    return ",".join(f"{v:.4f}" for v in (minx - pad, miny - pad, maxx + pad, maxy + pad))


def school_ranking_page(
    doc: dict[str, Any], ranking: Ranking, base: str, request: Request, lang: str = "en"
) -> bytes:
    """A ranking of schools as a page (in ``lang``): the selection as a form, the ranked
    schools with their own figures and their area's, the unranked with reasons."""
    t = translator(lang)
    layer, sel = ranking.layer, ranking.selection
    assert sel is not None
    records = layer.records
    years = {
        "frpm": ", ".join(sorted({str(r["frpm_year"]) for r in records if r.get("frpm_year")})),
        "upc": ", ".join(sorted({str(r["upc_year"]) for r in records if r.get("upc_year")})),
    }
    district = [("overlay_district", sel.district)] if sel.district else []
    q = urlencode(
        [
            ("overlay", "schools"),
            ("overlay_color", "frpm_pct"),
            *district,
            ("bbox", _extent(ranking)),
        ]
    )
    return render(
        "school_priorities.html",
        doc=doc,
        base=base,
        title=t("{program}: schools ranked by need").format(program=t(doc["program"]["title"])),
        t=t,
        lang=lang,
        lang_q=lang_query(lang),
        **language_switch(request, lang, base),
        sel=doc["reproducibility"]["selection"],
        districts=district_names(layer),
        school_types=sorted({str(r["school_type"]) for r in records if r.get("school_type")}),
        grades=GRADES,
        contexts=[(c, CONTEXT_CHOICES[c]) for c in CONTEXTS],
        context_words=CONTEXT_WORDS[sel.context],
        own=set(SCHOOL_MEASURES),
        years=years,
        map_url=f"{base}/maps/neighborhoods/poverty_pct?{q}{lang_query(lang)}",
        used=[i for i in doc["inputs"] if i["status"] == "used"],
        units={i.weighted.indicator: input_unit(i.weighted.indicator) for i in ranking.used},
        top=TOP,
        estimate_text=estimate_text,
        nan=math.nan,
        labels={i["indicator"]: i["label"] for i in doc["inputs"]},
        purpose=purpose(ranking, t),
        reason_words=reason_words,
        place_name=lambda ctx: display_name(
            ctx["layer"], {"id": ctx["id"] or "–", "name": ctx["name"]}, t
        ),
    )

"""The query of a ranking (``weights``, ``seed``, ``draws``, ``min_population``,
``min_households``), parsed and checked once for the ranking routes and priority maps."""

from __future__ import annotations

from typing import Any

from boundaries.indicators import INDICATORS
from boundaries.programs import (
    CAPACITY_PER_CHILD,
    PROGRAMS,
    SCHOOL_MEASURES,
    Program,
    Weighted,
    WeightError,
    parse_weights,
)
from geo_api.catalog import Catalog, LayerData
from geo_api.errors import InvalidParameter
from geo_api.limits import check_ranking_budget
from geo_api.query import int_param
from geo_api.ranking import (
    DEFAULT_DRAWS,
    DEFAULT_MIN_ENROLLMENT,
    DEFAULT_MIN_HOUSEHOLDS,
    DEFAULT_MIN_POPULATION,
    DEFAULT_SEED,
    MAX_DRAWS,
    MIN_DRAWS,
    Floors,
    Ranking,
    RankingCache,
    unavailable_reason,
)
from geo_api.schoolselect import (
    CONTEXTS,
    DISTRICT_ALIASES,
    GRADES,
    SchoolSelection,
    district_names,
)

#: the query parameters of a ranking (besides the layer and the format)
RANKING_PARAMS = {"weights", "seed", "draws", "min_population", "min_households"}
#: the query parameters of a ranking of schools only
SCHOOL_PARAMS = {"context", "district", "school_type", "grade", "min_enrollment"}


def parse_floors(q: Any, layer: LayerData) -> Floors:
    """``min_population`` (default 1,000) and ``min_households`` (default 300, or 0 when
    ``min_population=0`` is given alone, so that one parameter brings every area back)."""
    min_population = int_param(
        q.get("min_population"), "min_population", DEFAULT_MIN_POPULATION, 0, 10**7
    )
    default_households = DEFAULT_MIN_HOUSEHOLDS if min_population else 0
    min_households = int_param(
        q.get("min_households"), "min_households", default_households, 0, 10**7
    )
    asked = (
        ("min_population", min_population, "population"),
        ("min_households", min_households, "households"),
    )
    for name, value, prop in asked:  # a floor asked for on a layer without its count
        if name in q and value and prop not in layer.properties:
            raise InvalidParameter(f"{name} needs {prop}, unavailable on {layer.layer.id}")
    return Floors(min_population, min_households)


def ranking_for(
    q: Any, catalog: Catalog, layer: LayerData, program: Program, rankings: RankingCache
) -> Ranking:
    """The (cached) ranking of ``layer`` for ``program`` that the query ``q`` asks for;
    a 400 naming the problem for bad weights, floors, draws or an unscorable layer."""
    known = sorted([*(i for i, m in INDICATORS.items() if m.kind != "median"), CAPACITY_PER_CHILD])
    try:
        weights = parse_weights(q.get("weights"), program, known)
    except WeightError as err:
        raise InvalidParameter(str(err), valid=err.valid) from None
    seed = int_param(q.get("seed"), "seed", DEFAULT_SEED, 0, 2**63 - 1)
    draws = int_param(q.get("draws"), "draws", DEFAULT_DRAWS, MIN_DRAWS, MAX_DRAWS)
    floors = parse_floors(q, layer)
    check_inputs(catalog, layer, program, weights, known)
    check_ranking_budget(len(layer.records), draws)
    return rankings.get(catalog, layer, program, weights, seed, draws, floors)


def check_inputs(
    catalog: Catalog,
    layer: LayerData,
    program: Program,
    weights: list[Weighted],
    known: list[str],
    context: str | None = None,
) -> None:
    """Check what can be scored before paying for the simulation: a 400 when a weighted
    input is unavailable, or when none of the program's inputs is."""
    reasons = {
        w.indicator: unavailable_reason(catalog, layer, w.indicator, context) for w in weights
    }
    usable = [i for i in known if unavailable_reason(catalog, layer, i, context) is None]
    asked = {w.indicator for w in weights if w.named}
    missing = {k: v for k, v in reasons.items() if v is not None and k in asked}
    if missing:
        raise InvalidParameter(
            f"weighted indicators unavailable on {layer.layer.id}: "
            + "; ".join(f"{k} ({v})" for k, v in missing.items()),
            valid=usable,
        )
    if all(v is not None for v in reasons.values()):
        raise InvalidParameter(
            f"none of {program.id}'s inputs is available on {layer.layer.id}; give weights=",
            valid=usable,
        )


def choice_param(
    q: Any, name: str, values: list[str], aliases: dict[str, str] | None = None
) -> str | None:
    """A query value that must be one of ``values`` (case-insensitive; ``None`` if absent)."""
    raw = q.get(name)
    if raw is None or raw == "":
        return None
    lookup = {v.casefold(): v for v in values}
    lookup.update({k.casefold(): v for k, v in (aliases or {}).items() if v in values})
    if raw.strip().casefold() not in lookup:
        raise InvalidParameter(f"unknown {name} {raw!r}", valid=sorted(values))
    return lookup[raw.strip().casefold()]


def school_ranking_for(
    q: Any, catalog: Catalog, program: Program, rankings: RankingCache
) -> Ranking:
    """The (cached) ranking of public schools for ``program``: its school inputs blend each
    school's own pupils with the ACS figures of its ``context`` area; ``district``,
    ``school_type`` and ``grade`` choose the schools compared; ``min_enrollment`` (default
    :data:`DEFAULT_MIN_ENROLLMENT`) leaves tiny schools unranked. A 400 names any
    problem."""
    if not program.school_inputs:
        raise InvalidParameter(
            f"{program.id} ranks areas; layer=schools is for programs that choose schools",
            valid=[p for p, prog in PROGRAMS.items() if prog.school_inputs],
        )
    layer = catalog.layers.get("schools")
    if layer is None:
        raise InvalidParameter("no schools layer in this store", valid=[])
    for name in ("min_population", "min_households"):
        if name in q:
            raise InvalidParameter(f"{name} is a floor for areas; schools take min_enrollment")
    records = layer.records
    selection = SchoolSelection(
        context=choice_param(q, "context", list(CONTEXTS)) or "tract",
        district=choice_param(q, "district", district_names(layer), DISTRICT_ALIASES),
        school_type=choice_param(
            q,
            "school_type",
            sorted({str(r["school_type"]) for r in records if r.get("school_type")}),
        ),
        grade=choice_param(q, "grade", list(GRADES)),
    )
    if not selection.mask(layer).any():
        raise InvalidParameter("no school matches district=, school_type= and grade= together")
    known = sorted([*(i for i, m in INDICATORS.items() if m.kind != "median"), *SCHOOL_MEASURES])
    try:
        weights = parse_weights(q.get("weights"), program, known, schools=True)
    except WeightError as err:
        raise InvalidParameter(str(err), valid=err.valid) from None
    seed = int_param(q.get("seed"), "seed", DEFAULT_SEED, 0, 2**63 - 1)
    draws = int_param(q.get("draws"), "draws", DEFAULT_DRAWS, MIN_DRAWS, MAX_DRAWS)
    floors = Floors(
        0, 0, int_param(q.get("min_enrollment"), "min_enrollment", DEFAULT_MIN_ENROLLMENT, 0, 10**6)
    )
    check_inputs(catalog, layer, program, weights, known, selection.context)
    check_ranking_budget(len(records), draws)
    return rankings.get(catalog, layer, program, weights, seed, draws, floors, selection)

"""Priority rankings on a served layer: gathers the inputs from the catalogue, scores them
(:mod:`boundaries.priorities`) and ranks public schools by the area they stand in.

Results are kept per (layer, program, weights, seed, draws) so a map, a CSV and a JSON of
the same ranking cost one simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from boundaries.indicators import INDICATORS
from boundaries.moe import moe_ratio
from boundaries.priorities import Scores, score_areas
from boundaries.programs import CAPACITY_PER_CHILD, SCHOOL_MEASURES, Program, Weighted
from geo_api.catalog import Catalog, LayerData
from geo_api.limits import SingleFlight, WorkLimiter
from geo_api.lru import BoundedLRU
from geo_api.schoolselect import SchoolSelection

DEFAULT_SEED = 20261123
DEFAULT_DRAWS = 1000
MIN_DRAWS, MAX_DRAWS = 100, 10_000
#: default floors: below them an area's estimates are too thin to rank (docs/methods.md)
DEFAULT_MIN_POPULATION = 1000
DEFAULT_MIN_HOUSEHOLDS = 300
#: schools with fewer pupils are unranked: one pupil moves their shares by 2+ points
DEFAULT_MIN_ENROLLMENT = 50


@dataclass(frozen=True)
class Floors:
    """Population and household floors of a ranking (0 = off).

    The household floor applies only when an input is measured over households; the
    enrolment floor only to schools.
    """

    min_population: int = DEFAULT_MIN_POPULATION
    min_households: int = DEFAULT_MIN_HOUSEHOLDS
    min_enrollment: int = 0


@dataclass(frozen=True)
class Input:
    """One weighted input as used (or not) for a layer."""

    weighted: Weighted
    available: bool
    reason: str
    estimates: np.ndarray
    moes: np.ndarray
    bounds: tuple[float, float]
    vintage: int | None = None
    tables: str = ""
    #: an administrative count of every pupil: exact, no sampling error
    exact: bool = False

    @property
    def has_moe(self) -> bool:
        """Whether any area has a published MOE for this input."""
        return bool((~np.isnan(self.moes)).any())

    @property
    def moe_exceeds_range(self) -> np.ndarray:
        """Per area: the 90% MOE is wider than the input's whole valid range (0-100 for a
        percentage), so the estimate alone says next to nothing."""
        low, high = self.bounds
        if not np.isfinite(high - low):
            return np.zeros(len(self.moes), dtype=bool)
        with np.errstate(invalid="ignore"):
            return self.moes >= (high - low)

    @property
    def per_household(self) -> bool:
        """Whether the input is measured over households."""
        meta = INDICATORS.get(self.weighted.indicator)
        return meta is not None and meta.universe == "households"


@dataclass(frozen=True)
class Ranking:
    """A computed ranking: inputs used and dropped, scores, and the request that made it."""

    program: Program
    layer: LayerData
    inputs: list[Input]
    scores: Scores
    seed: int
    draws: int
    floors: Floors = Floors(0, 0)
    #: per area, why a floor leaves it unranked (``None``: above every floor)
    below_floor: list[str | None] | None = None
    #: schools: the selection compared (others are left out of the answer)
    selection: SchoolSelection | None = None
    included: np.ndarray | None = None

    @property
    def used(self) -> list[Input]:
        """Inputs that entered the score."""
        return [i for i in self.inputs if i.available]

    def weights(self) -> dict[str, float]:
        """Normalised weights of the inputs used."""
        total = sum(i.weighted.weight for i in self.used)
        return {i.weighted.indicator: i.weighted.weight / total for i in self.used}


def unranked_reason(ranking: Ranking, i: int) -> str:
    """Why area ``i`` of ``ranking`` has no rank: the inputs it lacks an estimate for, or
    the floor it falls below."""
    lacking = [inp.weighted.indicator for inp in ranking.used if np.isnan(inp.estimates[i])]
    if lacking:
        return "no estimate for " + ", ".join(lacking)
    floor = ranking.below_floor[i] if ranking.below_floor else None
    return floor or "not ranked"


def standing(ranking: Ranking, i: int) -> dict[str, Any]:
    """Where area (or school) ``i`` stands in ``ranking``: ``rank`` of ``of`` ranked, the
    90% interval ``low``-``high``, ``p_top`` (chance of the top), or the ``reason`` it is
    unranked (the others ``None``)."""
    s = ranking.scores
    ranked = bool(s.ranked[i])
    return {
        "rank": int(s.rank[i]) if ranked else None,
        "of": int(s.ranked.sum()),
        "low": int(s.rank_low[i]) if ranked else None,
        "high": int(s.rank_high[i]) if ranked else None,
        "p_top": float(s.p_top[i]) if ranked else None,
        "reason": None if ranked else unranked_reason(ranking, i),
    }


def capacity_per_child(catalog: Catalog, layer: LayerData) -> tuple[np.ndarray, np.ndarray]:
    """Licensed child-care places per child under 5 in each area, and its MOE.

    Places are exact counts (no MOE); the MOE comes from the children estimate
    (:func:`boundaries.moe.moe_ratio` with a zero numerator MOE).
    """
    sites = catalog.layers["child-care"]
    capacity = sites.frame["capacity"].astype(float).fillna(0).to_numpy()
    pairs = layer.tree.query(sites.frame.geometry.to_numpy(), predicate="intersects")
    places = np.zeros(len(layer.records))
    seen = np.zeros(len(capacity), dtype=bool)
    for site, area in zip(pairs[0], pairs[1], strict=True):
        if not seen[site]:  # a site on a shared edge counts once
            places[area] += capacity[site]
            seen[site] = True
    children = layer.values("children_under_5").astype(float)
    children_moe = layer.values("children_under_5_moe").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(children > 0, places / children, np.nan)
    return ratio, moe_ratio(places, children, np.zeros_like(places), children_moe)


def input_column(indicator: str, context: str | None) -> str:
    """The layer column an input is read from: on schools, a survey figure is the
    ``context`` area's (``tract_poverty_pct``) and a school measure the school's own."""
    if context is None or indicator in SCHOOL_MEASURES:
        return indicator
    return f"{context}_{indicator}"


def unavailable_reason(
    catalog: Catalog, layer: LayerData, indicator: str, context: str | None = None
) -> str | None:
    """Why ``indicator`` cannot be a ranking input on ``layer``, or ``None`` if it can
    (``context``: the area whose survey figures a school ranking reads)."""
    if indicator in SCHOOL_MEASURES:
        if context is None:
            return f"{indicator} is a school's own count: rank layer=schools"
        if indicator not in layer.properties:
            return "the schools' CDE pupil counts are not loaded in this store"
        return None
    if context is not None:
        if indicator == CAPACITY_PER_CHILD:
            return "child-care capacity is measured over areas, not schools"
        column = input_column(indicator, context)
        if f"{column}_moe" in layer.properties:
            return None
        areas = catalog.layers.get(context + "s")
        reason = areas.status_of(indicator).get("reason") if areas is not None else None
        return str(reason or f"{indicator} has no values on {context}s")
    if indicator == CAPACITY_PER_CHILD:
        if "child-care" not in catalog.layers:
            return "child-care supply is not loaded in this store (no licensed child-care file)"
        if "children_under_5_moe" not in layer.properties:
            return "children_under_5 unavailable"
        return None
    if f"{indicator}_moe" in layer.properties:
        return None
    return str(
        layer.status_of(indicator).get("reason") or f"{indicator} has no values on {layer.layer.id}"
    )


def gather_input(
    catalog: Catalog, layer: LayerData, weighted: Weighted, context: str | None = None
) -> Input:
    """The estimates and MOEs of one input on ``layer``, or why it is unavailable."""
    ind = weighted.indicator
    reason = unavailable_reason(catalog, layer, ind, context)
    nothing = np.full(len(layer.records), np.nan)
    if reason is not None:
        return Input(weighted, False, reason, nothing, nothing, (0, 0))
    if ind in SCHOOL_MEASURES:
        year = "upc_year" if ind != "frpm_pct" else "frpm_year"
        years = {str(r[year]) for r in layer.records if r.get(year)}
        source = "CDE FRPM" if ind == "frpm_pct" else "CDE CALPADS UPC"
        return Input(
            weighted, True, "", layer.values(ind).astype(float), nothing, (0.0, 100.0),
            tables=f"{source} {', '.join(sorted(years))}", exact=True,
        )  # fmt: skip
    if ind == CAPACITY_PER_CHILD:
        est, moe = capacity_per_child(catalog, layer)
        return Input(weighted, True, "", est, moe, (0.0, np.inf), tables="CCLD, S1701")
    upper = 100.0 if INDICATORS[ind].is_percent else np.inf
    column = input_column(ind, context)
    figures = catalog.layers.get(context + "s") if context else layer
    return Input(
        weighted,
        True,
        "",
        layer.values(column).astype(float),
        layer.values(f"{column}_moe").astype(float),
        (0.0, upper),
        (figures or layer).vintage_of(ind),
        str((figures or layer).status_of(ind).get("tables") or ""),
    )


class RankingCache:
    """Least-recently-used rankings (a simulation on 2,492 tracts takes seconds)."""

    def __init__(self, size: int = 32, limiter: WorkLimiter | None = None) -> None:
        self._lru: BoundedLRU[tuple, Ranking] = BoundedLRU(size)
        self._flight = SingleFlight()
        self._limiter = limiter or WorkLimiter()

    def get(
        self,
        catalog: Catalog,
        layer: LayerData,
        program: Program,
        weights: list[Weighted],
        seed: int = DEFAULT_SEED,
        draws: int = DEFAULT_DRAWS,
        floors: Floors | None = None,
        selection: SchoolSelection | None = None,
    ) -> Ranking:
        """The ranking for these arguments, computed once per catalogue."""
        floors = floors or Floors()
        key = (
            catalog.checksum,
            layer.layer.id,
            program.id,
            tuple((w.indicator, w.weight) for w in weights),
            seed,
            draws,
            floors,
            selection,
        )
        hit = self._lru.get(key)
        if hit is not None:
            return hit

        def compute() -> Ranking:
            # one simulation per key however many ask at once, and few at a time
            ranking = self._limiter.run(
                lambda: rank(
                    catalog,
                    layer,
                    program,
                    weights,
                    seed,
                    draws,
                    floors=floors,
                    selection=selection,
                )
            )
            self._lru.put(key, ranking)
            return ranking

        return self._flight.do(key, compute)


def below_floors(layer: LayerData, floors: Floors, inputs: list[Input]) -> list[str | None]:
    """Per area, why it is below a floor (``None`` when it is not, or floors are off).

    A floor whose count is unavailable on the layer is not applied.
    """
    reasons: list[str | None] = [None] * len(layer.records)
    checks = [
        ("population", "people", floors.min_population, "min_population"),
        ("enrollment", "pupils", floors.min_enrollment, "min_enrollment"),
    ]
    if any(i.per_household for i in inputs if i.available):
        checks.append(("households", "households", floors.min_households, "min_households"))
    for prop, noun, floor, param in checks:
        if floor <= 0 or prop not in layer.properties:
            continue
        values = layer.values(prop).astype(float)
        for i, value in enumerate(values):
            if reasons[i] is None and not value >= floor:
                shown = "unknown" if np.isnan(value) else f"{value:,.0f}"
                reasons[i] = f"{shown} {noun}, below {param}={floor}"
    return reasons


def rank(
    catalog: Catalog,
    layer: LayerData,
    program: Program,
    weights: list[Weighted],
    seed: int = DEFAULT_SEED,
    draws: int = DEFAULT_DRAWS,
    moe_scale: float = 1.0,
    floors: Floors | None = None,
    selection: SchoolSelection | None = None,
) -> Ranking:
    """Score and rank every area of ``layer`` for ``program`` with ``weights``.

    Areas below the population floor (or the household floor, when an input is measured
    over households) are unranked: near-empty areas (parks, reservoirs) have MOEs wider
    than the whole range of their inputs and would otherwise crowd the top of the list.
    """
    floors = floors or Floors()
    context = selection.context if selection else None
    inputs = [gather_input(catalog, layer, w, context) for w in weights]
    below = below_floors(layer, floors, inputs)
    included = selection.mask(layer) if selection else None
    used = [i for i in inputs if i.available]
    n = len(layer.records)
    eligible = np.array([r is None for r in below])
    if included is not None:
        eligible &= included
    if not used:
        empty = np.full(n, np.nan)
        none = np.zeros(n, bool)
        scores = Scores(
            empty, empty, empty, empty, empty, empty, np.empty((n, 0)), none, empty, none
        )
        return Ranking(
            program, layer, inputs, scores, seed, draws, floors, below, selection, included
        )
    scores = score_areas(
        np.column_stack([i.estimates for i in used]),
        np.column_stack([i.moes for i in used]),
        np.array([i.weighted.weight for i in used]),
        np.array([i.weighted.higher_is_worse for i in used]),
        np.array([i.bounds for i in used], dtype=float),
        draws=draws,
        seed=seed,
        moe_scale=moe_scale,
        eligible=eligible,
    )
    return Ranking(program, layer, inputs, scores, seed, draws, floors, below, selection, included)


def school_ranks(catalog: Catalog, ranking: Ranking) -> list[dict[str, Any]]:
    """Public schools with the need score and rank of the area each stands in, by rank."""
    if "schools" not in catalog.layers:
        return []
    schools = catalog.layers["schools"]
    layer = ranking.layer
    pairs = layer.tree.query(schools.frame.geometry.to_numpy(), predicate="intersects")
    area_of: dict[int, int] = {}
    for school, area in zip(pairs[0], pairs[1], strict=True):
        area_of.setdefault(int(school), int(area))
    s = ranking.scores
    rows = []
    for i, rec in enumerate(schools.records):
        area = area_of.get(i)
        ranked = area is not None and bool(s.ranked[area])
        rows.append(
            {
                "cds_code": rec["id"],
                "name": rec["name"],
                "district": rec.get("district"),
                "school_type": rec.get("school_type"),
                "area_id": None if area is None else layer.records[area]["id"],
                "area_name": None if area is None else layer.records[area].get("name"),
                "area_rank": int(s.rank[area]) if ranked else None,
                "area_rank_90": [int(s.rank_low[area]), int(s.rank_high[area])] if ranked else None,
                "area_score": round(float(s.score[area]), 2) if ranked else None,
            }
        )
    rows.sort(key=lambda r: (r["area_rank"] is None, r["area_rank"] or 0, r["name"]))
    return rows

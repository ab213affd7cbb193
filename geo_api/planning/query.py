"""The query of a plan (``/plans/{program}``), checked once: a 400 naming the valid values
for anything outside the limits."""

from __future__ import annotations

from typing import Any

from geo_api.catalog import Catalog
from geo_api.errors import InvalidParameter, NotFound
from geo_api.planning.demand import NEEDS
from geo_api.planning.plans import PlanQuery
from geo_api.planning.sites import CANDIDATE_LAYERS, EXISTING
from geo_api.query import int_param
from geo_api.ranking import DEFAULT_SEED
from geo_api.rankquery import choice_param
from geo_api.schoolselect import DISTRICT_ALIASES, district_names

MAX_K = 50
RADIUS_M = (200, 10_000)
#: a mile, the distance LA DEAL and the FCC use for "near a public access point"
DEFAULT_RADIUS_M = 1609
MAX_PLAN_DRAWS = 200
DEFAULT_PLAN_DRAWS = 100
DEFAULT_K = 10
#: per program: default candidates and existing sites
DEFAULTS = {
    "la-deal": (("access-points", "schools"), "access-points"),
    "community-schools": (("schools",), "community-schools"),
    "early-care": (("tracts",), "none"),
}
PLAN_PARAMS = {
    "k", "candidates", "existing", "radius_m", "district", "draws", "seed", "sites", "f", "lang",
}  # fmt: skip


def _program(program: str) -> str:
    if program not in NEEDS:
        raise NotFound(f"no program {program!r}", valid=list(NEEDS))
    return program


def _layers(raw: str | None, default: tuple[str, ...], catalog: Catalog) -> tuple[str, ...]:
    loaded = [lid for lid in CANDIDATE_LAYERS if lid in catalog.layers]
    if raw is None:
        chosen = tuple(lid for lid in default if lid in catalog.layers)
        if not chosen:
            raise InvalidParameter("none of the default candidates is loaded", valid=loaded)
        return chosen
    names = tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    bad = [n for n in names if n not in loaded]
    if bad or not names:
        raise InvalidParameter(f"unknown candidates {bad or raw!r}", valid=loaded)
    return names


def parse_plan_query(q: Any, catalog: Catalog, program: str) -> PlanQuery:
    """The :class:`PlanQuery` that ``q`` asks for."""
    program = _program(program)
    candidates_default, existing_default = DEFAULTS[program]
    candidates = _layers(q.get("candidates"), candidates_default, catalog)
    existing = q.get("existing", existing_default)
    valid_existing = [
        e
        for e in EXISTING
        if e == "none"
        or (e == "access-points" and "access-points" in catalog.layers)
        or (e == "community-schools" and "schools" in catalog.layers)
    ]
    if existing not in valid_existing:
        raise InvalidParameter(f"unknown existing sites {existing!r}", valid=valid_existing)
    radius = int_param(q.get("radius_m"), "radius_m", DEFAULT_RADIUS_M, *RADIUS_M)
    k = int_param(q.get("k"), "k", DEFAULT_K, 1, MAX_K)
    draws = int_param(q.get("draws"), "draws", DEFAULT_PLAN_DRAWS, 0, MAX_PLAN_DRAWS)
    seed = int_param(q.get("seed"), "seed", DEFAULT_SEED, 0, 2**63 - 1)
    district = None
    if q.get("district") is not None:
        if "schools" not in candidates:
            raise InvalidParameter("district chooses schools: add schools to candidates")
        names = district_names(catalog.layers["schools"])
        district = choice_param(q, "district", names, DISTRICT_ALIASES)
        if district is None:  # given but empty
            raise InvalidParameter("unknown district ''", valid=names)
    sites: tuple[str, ...] = ()
    if q.get("sites"):
        sites = tuple(dict.fromkeys(s.strip() for s in q["sites"].split(",") if s.strip()))
        if len(sites) > MAX_K:
            raise InvalidParameter(f"at most {MAX_K} sites, got {len(sites)}")
    return PlanQuery(program, k, candidates, existing, float(radius), draws, seed, district, sites)

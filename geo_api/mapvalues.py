"""Values a map can show on a layer: a catalogue indicator, or a program's need score.

Each comes as :class:`MapValues` with the label, unit, vintage and source the legend needs
and a MOE and reliability for every area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from boundaries.indicators import INDICATORS, untranslated
from boundaries.moe import reliability_classes
from boundaries.priorities import TOP
from boundaries.programs import PROGRAMS, input_label, input_unit
from geo_api.catalog import Catalog, LayerData
from geo_api.pages.programs import missing_inputs
from geo_api.ranking import Ranking, RankingCache
from geo_api.rankquery import ranking_for
from maps.mapdata import estimate_text
from maps.notes import plain_text

PRIORITY_PREFIX = "priority-"


@dataclass(frozen=True)
class MapValues:
    """Values of one mappable quantity on one layer, with what the legend must say."""

    label: str
    unit: str
    vintage: str
    source: str
    values: np.ndarray
    moes: np.ndarray
    reliability: list[str | None]
    notes: list[str]
    cautions: list[str] = field(default_factory=list)
    #: per area, more to show on hover (a need score's rank, interval and inputs)
    details: list[str] = field(default_factory=list)


def vintage_text(year: int | None, t: Callable[[str], str] = untranslated) -> str:
    """``2022`` -> ``2022 (ACS 2018-2022 5-year)`` (``t``: another language's wording)."""
    if year is None:
        return t("unknown")
    return t("{year} (ACS {span} 5-year)").format(year=year, span=f"{year - 4}-{year}")


def indicator_values(
    layer: LayerData, indicator: str, t: Callable[[str], str] = untranslated
) -> MapValues:
    """One catalogue indicator's values, MOEs, reliability and source on ``layer``."""
    meta = INDICATORS[indicator]
    source = layer.source_of(indicator, t)
    frame = layer.frame
    # each area's notes on this indicator (and on the whole area), in the page language
    notes = (
        [plain_text(n, t, indicator) for n in frame["data_notes"].fillna("").astype(str)]
        if "data_notes" in frame
        else []
    )
    return MapValues(
        label=meta.label,
        unit=meta.unit,
        vintage=vintage_text(layer.vintage_of(indicator), t),
        source=source,
        values=frame[indicator].to_numpy(dtype=float),
        moes=frame[f"{indicator}_moe"].to_numpy(dtype=float),
        reliability=[None if r != r else r for r in frame[f"{indicator}_reliability"]],
        notes=notes or [""] * len(frame),
    )


def priority_values(
    catalog: Catalog, layer: LayerData, program_id: str, rankings: RankingCache, q: Any
) -> MapValues:
    """A program's need score with its 90% simulated range, for the ranking the query
    ``q`` asks for (``weights``, ``seed``, ``draws``, floors; defaults otherwise)."""
    program = PROGRAMS[program_id]
    ranking = ranking_for(q, catalog, layer, program, rankings)
    s = ranking.scores
    used = ranking.used
    years = sorted({i.vintage for i in used if i.vintage})
    shares = ", ".join(
        f"{input_label(i.weighted.indicator).lower()} ({w:.0%})"
        for i, w in zip(used, ranking.weights().values(), strict=True)
    )
    lacking = "".join(
        f"; not in this store: {m['label'].lower()} ({m['reason']})"
        for m in missing_inputs(ranking)
    )
    return MapValues(
        label=f"{program.title}: need score, 0-100",
        unit="points",
        vintage=", ".join(vintage_text(v) for v in years) or "unknown",
        source=f"geo-api need score, weighted percentiles of {shares}; ± is the 90% range "
        f"over {ranking.draws} draws (seed {ranking.seed}){lacking}",
        values=s.score,
        moes=s.score_moe,
        reliability=reliability_classes(s.score, s.score_moe),
        notes=[
            "" if ranked else f"unranked: {floor or 'an input has no estimate'}"
            for ranked, floor in zip(
                s.ranked, ranking.below_floor or [None] * len(s.ranked), strict=True
            )
        ],
        cautions=input_cautions(ranking),
        details=rank_details(ranking),
    )


def rank_details(ranking: Ranking) -> list[str]:
    """Per area: rank, 90% rank interval, chance of the top 10, and each input ± MOE."""
    s, used = ranking.scores, ranking.used
    total = int(s.ranked.sum())
    named = [(input_label(u.weighted.indicator), input_unit(u.weighted.indicator), u) for u in used]
    out = []
    for i in range(len(ranking.layer.records)):
        inputs = "; ".join(
            f"{label}: {estimate_text(float(u.estimates[i]), float(u.moes[i]), unit)}"
            for label, unit, u in named
        )
        if s.ranked[i]:
            head = (
                f"rank {int(s.rank[i])} of {total} (90% interval {int(s.rank_low[i])}-"
                f"{int(s.rank_high[i])}, chance of the top {TOP} {100 * s.p_top[i]:.0f}%)"
            )
        else:
            head = "unranked"
        out.append(f"{head}; {inputs}")
    return out


def input_cautions(ranking: Ranking) -> list[str]:
    """Per area, the inputs whose MOE is wider than their whole valid range."""
    wide = [(i.weighted.indicator, i.moe_exceeds_range) for i in ranking.used]
    out = []
    for area in range(len(ranking.layer.records)):
        names = [name for name, mask in wide if mask[area]]
        out.append(f"margin of error wider than the range of {', '.join(names)}" if names else "")
    return out


def mappable(catalog: Catalog, layer: LayerData) -> list[str]:
    """Quantities that can be mapped on ``layer``: indicators with values, need scores."""
    with_values = [i for i in layer.indicators if f"{i}_moe" in layer.properties]
    return with_values + [f"{PRIORITY_PREFIX}{p}" for p in PROGRAMS]


def map_values(
    catalog: Catalog,
    layer: LayerData,
    quantity: str,
    rankings: RankingCache,
    q: Any = None,
    t: Callable[[str], str] = untranslated,
) -> MapValues:
    """The values of ``quantity`` (checked against :func:`mappable` by the caller); ``q``
    holds a need score's ranking parameters."""
    if quantity.startswith(PRIORITY_PREFIX):
        program = quantity.removeprefix(PRIORITY_PREFIX)
        return priority_values(catalog, layer, program, rankings, q or {})
    return indicator_values(layer, quantity, t)

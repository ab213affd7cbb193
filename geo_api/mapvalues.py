"""Values a map can show on a layer: a catalogue indicator, or a program's need score.

Each comes as :class:`MapValues` with the label, unit, vintage and source the legend needs
and a MOE and reliability for every area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from boundaries.indicators import INDICATORS
from boundaries.moe import reliability_classes
from boundaries.programs import PROGRAMS
from geo_api.catalog import Catalog, LayerData
from geo_api.ranking import Ranking, RankingCache

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


def vintage_text(year: int | None) -> str:
    """``2022`` -> ``2022 (ACS 2018-2022 5-year)``."""
    if year is None:
        return "unknown"
    return f"{year} (ACS {year - 4}-{year} 5-year)"


def indicator_values(layer: LayerData, indicator: str) -> MapValues:
    """One catalogue indicator's values, MOEs, reliability and source on ``layer``."""
    meta = INDICATORS[indicator]
    status = layer.status_of(indicator)
    tables = status.get("tables") or ""
    note = status.get("recipe_note") or ""
    source = f"{status.get('dataset', '')} table {tables}" + (f": {note}" if note else "")
    frame = layer.frame
    notes = frame["data_notes"].fillna("").astype(str).tolist() if "data_notes" in frame else []
    return MapValues(
        label=meta.label,
        unit=meta.unit,
        vintage=vintage_text(layer.vintage_of(indicator)),
        source=source,
        values=frame[indicator].to_numpy(dtype=float),
        moes=frame[f"{indicator}_moe"].to_numpy(dtype=float),
        reliability=[None if r != r else r for r in frame[f"{indicator}_reliability"]],
        notes=notes or [""] * len(frame),
    )


def priority_values(
    catalog: Catalog, layer: LayerData, program_id: str, rankings: RankingCache
) -> MapValues:
    """A program's need score (default weights and seed) with its 90% simulated range."""
    program = PROGRAMS[program_id]
    ranking = rankings.get(catalog, layer, program, list(program.inputs))
    s = ranking.scores
    used = ranking.used
    years = sorted({i.vintage for i in used if i.vintage})
    shares = ", ".join(
        f"{i.weighted.indicator} ({w:.0%})"
        for i, w in zip(used, ranking.weights().values(), strict=True)
    )
    return MapValues(
        label=f"{program.title}: need score, 0-100",
        unit="points",
        vintage=", ".join(vintage_text(v) for v in years) or "unknown",
        source=f"geo-api need score, weighted percentiles of {shares}; ± is the 90% range "
        f"over {ranking.draws} draws (seed {ranking.seed})",
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
    )


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
    catalog: Catalog, layer: LayerData, quantity: str, rankings: RankingCache
) -> MapValues:
    """The values of ``quantity`` (checked against :func:`mappable` by the caller)."""
    if quantity.startswith(PRIORITY_PREFIX):
        return priority_values(catalog, layer, quantity.removeprefix(PRIORITY_PREFIX), rankings)
    return indicator_values(layer, quantity)

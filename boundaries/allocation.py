"""How much of an aggregated figure rests on splitting tracts, and what that does to reliability.

A published MOE measures sampling error only. When a boundary splits a tract, the share
of the tract given to each side is a model (population at block-group centres, or land
area), and its error is not in the MOE. Per feature this module computes:

* ``allocated_share``: percent of the feature's population (Σ wᵢ·popᵢ) that comes from
  split tracts (``method`` ``population`` or ``area`` in the crosswalk);
* ``allocation_ratio``: the feature's population with land-area weights over its
  population with the weights used (≥ 1, the larger over the smaller; ∞ when one side is
  zero): how much the figure would move if the allocation method changed.

Reliability rule (docs/methods.md, "Allocation"): when more than
:data:`CAP_MEDIUM_SHARE` percent of a feature is allocated, no figure of it is better
than ``medium``; when, in addition, population and area weights disagree by more than a
factor :data:`CAP_LOW_RATIO`, no figure is better than ``low``. The City of Industry
(a few hundred residents between industrial tracts) is the case this exists for. A
feature that holds no block-group centre at all and gets its share from the centres'
Voronoi cells (crosswalk method ``cell``, :func:`boundaries.crosswalk.centreless_weights`)
is never better than ``low`` either: its figure is a model of where people live.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CAP_MEDIUM_SHARE = 50.0
CAP_LOW_RATIO = 2.0
RELIABILITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def allocation_stats(crosswalk: pd.DataFrame, tract_population: pd.Series) -> pd.DataFrame:
    """Per feature (index): ``allocated_share`` (percent), ``allocation_ratio`` and ``cap``.

    ``crosswalk`` has ``tract, feature, weight, method, area_weight``;
    ``tract_population`` maps tract GEOID → people (tracts missing count as 0). ``cap``
    is the best reliability the feature's figures may have (``None``: no cap).
    """
    pop = tract_population.reindex(crosswalk["tract"]).fillna(0.0).to_numpy()
    split = (crosswalk["method"] != "whole").to_numpy()
    weighted = crosswalk["weight"].to_numpy() * pop
    by_area = np.where(split, crosswalk["area_weight"].to_numpy(), 1.0) * pop
    frame = (
        pd.DataFrame(
            {
                "feature": crosswalk["feature"].to_numpy(),
                "total": weighted,
                "allocated": np.where(split, weighted, 0.0),
                "by_area": by_area,
                "cell": (crosswalk["method"] == "cell").to_numpy(),
            }
        )
        .groupby("feature")[["total", "allocated", "by_area", "cell"]]
        .sum()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.minimum(frame["allocated"] / frame["total"], 1.0)
        share = np.where(frame["total"] > 0, 100.0 * fraction, np.nan)
        high = np.maximum(frame["total"], frame["by_area"])
        low = np.minimum(frame["total"], frame["by_area"])
        ratio = np.where(high > 0, high / low, 1.0)
    out = pd.DataFrame({"allocated_share": share, "allocation_ratio": ratio}, index=frame.index)
    mostly = (out["allocated_share"] > CAP_MEDIUM_SHARE).to_numpy()
    disagree = mostly & (out["allocation_ratio"] > CAP_LOW_RATIO).to_numpy()
    disagree |= (frame["cell"] > 0).to_numpy()
    out["cell"] = (frame["cell"] > 0).to_numpy()
    caps: list[str | None] = [
        "low" if d else "medium" if m else None for m, d in zip(mostly, disagree, strict=True)
    ]
    out["cap"] = pd.Series(caps, index=out.index, dtype=object)
    return out


def cap_reliability(classes: pd.Series, cap: pd.Series) -> pd.Series:
    """The worse of each class and its cap (``None`` classes stay ``None``)."""
    out = classes.copy()
    for i, (cls, limit) in enumerate(zip(classes, cap, strict=True)):
        if cls is None or limit is None or (isinstance(cls, float) and np.isnan(cls)):
            continue
        if RELIABILITY_ORDER[str(limit)] > RELIABILITY_ORDER[str(cls)]:
            out.iloc[i] = limit
    return out


def allocation_note(share: float, ratio: float, cap: str | None, cell: bool = False) -> str:
    """The ``data_notes`` sentence for a feature whose figures are largely allocated."""
    if cell:
        return CELL_NOTE
    if cap is None or not np.isfinite(share):
        return ""
    text = (
        f"allocated_share {share:.0f}%: most of this area's figures come from census tracts "
        f"its boundary splits, divided by 2020 population; reliability is at most {cap}"
    )
    if cap == "low":
        shown = "more than 100" if not np.isfinite(ratio) else f"{ratio:.1f}"
        text += f" because population and land-area weights differ by a factor of {shown}"
    return text


CELL_NOTE = (
    "no_centre: no 2020 block-group centre of population lies in this area, so its share "
    "of each census tract around it is the part of the land nearest each centre (the "
    "centre's Voronoi cell) that lies inside it; reliability is at most low"
)

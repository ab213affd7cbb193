"""Indicator values for every feature of a layer, with MOE, CV and reliability.

Input: the tidy tract frame (``loaders.acs_values``) and a crosswalk (``tract, feature,
weight, method``). Output: one row per feature with, for each available indicator,
``<id>``, ``<id>_moe``, ``<id>_cv`` (percent) and ``<id>_reliability``, plus a
``data_notes`` column explaining every null.

Maths (see ``boundaries.moe`` and docs/methods.md):
* each component variable is summed over tracts as Σ wᵢxᵢ with MOE √Σ(wᵢ·MOEᵢ)², the
  Census zero-estimate rule applied across all summed pieces;
* proportions divide the summed numerator by the summed denominator (never an average of
  tract percentages), MOE by the proportion formula with the ratio fallback;
* medians are taken as published for whole tracts and are "not aggregable" elsewhere;
* on the tract layer, an indicator whose source publishes the tract's percentage and its
  MOE (``Recipe.published``: S1701 ``C03_*``, SVI ``EP_*``/``MP_*``) is served as
  published; the formulas fill in only tracts without a published figure;
* on aggregated layers, reliability is capped where most of a feature is allocated from
  split tracts (:mod:`boundaries.allocation`), and ``allocated_share`` says how much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boundaries.allocation import allocation_note, cap_reliability
from boundaries.indicators import CATALOGUE, Indicator, Recipe
from boundaries.moe import (
    apportioned_sums,
    coefficient_of_variation,
    moe_proportion,
    moe_ratio,
    reliability_classes,
)


@dataclass(frozen=True)
class Choice:
    """Which recipe an indicator uses in this store, or why it is unavailable."""

    indicator: Indicator
    recipe: Recipe | None
    vintage: int | None
    reason: str | None = None

    @property
    def available(self) -> bool:
        """True when a recipe's variables are all loaded."""
        return self.recipe is not None


def choose_recipes(tidy: pd.DataFrame) -> dict[str, Choice]:
    """Pick, for every catalogue indicator, the first recipe whose variables are loaded."""
    present = tidy.groupby(["dataset", "variable"])["vintage"].max()
    choices = {}
    for ind in CATALOGUE:
        chosen = None
        for recipe in ind.recipes:
            keys = [(recipe.dataset, v) for v in recipe.variables]
            if all(k in present.index for k in keys):
                chosen = Choice(ind, recipe, int(max(present.loc[k] for k in keys)))
                break
        if chosen is None:
            tables = sorted({t for r in ind.recipes for t in r.tables})
            chosen = Choice(ind, None, None, f"source table not loaded ({', '.join(tables)})")
        choices[ind.id] = chosen
    return choices


def _component_sums(
    values: pd.DataFrame, crosswalk: pd.DataFrame, variables: tuple[str, ...]
) -> pd.DataFrame:
    """Per feature: Σwx of the variables over its tracts and the MOE of that sum
    (:func:`boundaries.moe.apportioned_sums`, the one implementation of the sum rule)."""
    sub = values[values["variable"].isin(variables)]
    pieces = crosswalk.merge(sub, left_on="tract", right_on="GEOID", how="inner")
    if pieces.empty:
        return pd.DataFrame({"est": [], "moe": []}, dtype=float)
    keys, est, moe = apportioned_sums(
        pieces["feature"].to_numpy(),
        pieces["weight"].to_numpy(),
        pieces["estimate"].to_numpy(),
        pieces["moe"].to_numpy(),
    )
    return pd.DataFrame({"est": est, "moe": moe}, index=pd.Index(keys, name="feature"))


def indicator_values(
    tidy: pd.DataFrame,
    crosswalk: pd.DataFrame,
    feature_ids: pd.Series,
    choice: Choice,
    whole_tracts: bool,
) -> tuple[pd.DataFrame, pd.Series]:
    """Values of one indicator for every feature id: ``(frame of 4 columns, notes)``.

    ``whole_tracts`` says the layer is the tract layer itself (identity crosswalk), where a
    published median may be shown as is.
    """
    ind = choice.indicator
    idx = pd.Index(feature_ids, name="feature")
    cols = [ind.id, f"{ind.id}_moe", f"{ind.id}_cv", f"{ind.id}_reliability"]
    out = pd.DataFrame(index=idx, columns=cols, dtype=object)
    notes = pd.Series("", index=idx, dtype=object)
    recipe = choice.recipe
    if recipe is None:
        notes[:] = f"{ind.id}: unavailable, {choice.reason}"
        return _finish(out, ind), notes
    values = tidy[tidy["dataset"] == recipe.dataset]
    if ind.kind == "median" and not whole_tracts:
        notes[:] = f"{ind.id}: not aggregable (a median cannot be summed; no distribution table)"
        return _finish(out, ind), notes

    num = _component_sums(values, crosswalk, recipe.numerator).reindex(idx)
    if ind.kind in ("count", "median"):
        est, moe = num["est"], num["moe"]
    else:
        den = _component_sums(values, crosswalk, recipe.denominator).reindex(idx)
        formula = moe_proportion if ind.kind == "proportion" else moe_ratio
        with np.errstate(divide="ignore", invalid="ignore"):
            est = num["est"] / den["est"]
        moe = pd.Series(formula(num["est"], den["est"], num["moe"], den["moe"]), index=idx)
        empty_universe = den["est"] == 0
        est[empty_universe] = np.nan
        moe[empty_universe] = np.nan
        notes[empty_universe] = f"{ind.id}: nobody in the universe ({ind.universe})"
        if ind.is_percent:
            est, moe = est * 100.0, moe * 100.0
        if whole_tracts and recipe.published:
            est, moe = _published(values, recipe.published, est, moe, notes)
    no_value = est.isna() & (notes == "")
    notes[no_value] = f"{ind.id}: no tract estimate published for this area"
    no_moe = est.notna() & moe.isna()
    notes[no_moe] = f"{ind.id}: no margin of error published"
    out[ind.id] = est
    out[f"{ind.id}_moe"] = moe
    out[f"{ind.id}_cv"] = coefficient_of_variation(est, moe) * 100.0
    out[f"{ind.id}_reliability"] = reliability_classes(est.to_numpy(), moe.to_numpy())
    return _finish(out, ind), notes


def _published(
    values: pd.DataFrame, variable: str, est: pd.Series, moe: pd.Series, notes: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Tract estimates and MOEs as the source publishes them, where it does.

    Derived values stay only for tracts without a published estimate. A published
    estimate replaces a derived "nobody in the universe" note.
    """
    pub = values[values["variable"] == variable].drop_duplicates("GEOID").set_index("GEOID")
    pub = pub.reindex(est.index)
    use = pub["estimate"].notna()
    est = est.where(~use, pub["estimate"])
    moe = moe.where(~use, pub["moe"])
    notes[use] = ""
    return est, moe


def _finish(out: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    for col in (ind.id, f"{ind.id}_moe", f"{ind.id}_cv"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    rel = f"{ind.id}_reliability"
    out[rel] = out[rel].where(out[rel].notna(), None).astype(object)
    return out


def layer_values(
    tidy: pd.DataFrame,
    crosswalk: pd.DataFrame,
    feature_ids: pd.Series,
    choices: dict[str, Choice],
    whole_tracts: bool = False,
    allocation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Available catalogue indicators for one layer: 4 columns each plus ``data_notes``.

    Unavailable indicators get no columns (an all-null column would read as data); the
    store's ``indicator_status`` table says why they are missing. ``allocation``
    (:func:`boundaries.allocation.allocation_stats`) adds ``allocated_share`` and caps
    every ``_reliability`` column of features whose figures are mostly allocated.
    """
    frames, notes = [], []
    for choice in choices.values():
        if not choice.available:
            continue
        frame, note = indicator_values(tidy, crosswalk, feature_ids, choice, whole_tracts)
        frames.append(frame)
        notes.append(note)
    out = pd.concat(frames, axis=1)
    if allocation is not None:
        stats = allocation.reindex(out.index)
        cap = stats["cap"].where(stats["cap"].notna(), None)
        for col in [c for c in out.columns if c.endswith("_reliability")]:
            out[col] = cap_reliability(out[col], cap)
        out["allocated_share"] = stats["allocated_share"].astype("float64")
        notes.append(
            pd.Series(
                [
                    allocation_note(s, r, c, bool(x))
                    for s, r, c, x in zip(
                        stats["allocated_share"],
                        stats["allocation_ratio"],
                        cap,
                        stats["cell"].eq(True),
                        strict=True,
                    )
                ],
                index=out.index,
                dtype=object,
            )
        )
    joined = pd.concat(notes, axis=1).apply(lambda row: "; ".join(n for n in row if n), axis=1)
    out["data_notes"] = joined.where(joined != "", None)
    return out.reset_index().rename(columns={"feature": "id"})


def identity_crosswalk(tract_ids: pd.Series) -> pd.DataFrame:
    """The tract layer's own crosswalk: every tract to itself with weight 1."""
    return pd.DataFrame(
        {
            "tract": tract_ids.to_numpy(),
            "feature": tract_ids.to_numpy(),
            "weight": 1.0,
            "method": "whole",
            "area_weight": 1.0,
        }
    )

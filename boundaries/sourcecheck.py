"""Checks that a build's sources are whole before the store is replaced.

A damaged source must fail the build, never quietly thin the store: a renamed column
would make an indicator "unavailable" on every layer, and a file cut at a row boundary
would silently drop a third of the county's people. Three kinds of check, each raising
:class:`loaders.errors.SourceError` naming the source:

* **Columns** (:func:`required_columns`): the columns the indicator catalogue reads from a
  source; the loaders refuse a file without them.
* **Tract coverage** (:func:`check_tract_coverage`): every tract-level source must carry a
  row for at least :data:`MIN_TRACT_COVERAGE` of the county's tracts (2,498 in 2020).
* **Cross-source totals** (:func:`cross_source_checks`): county totals that different
  sources measure must agree within :data:`TOLERANCES` (docs/methods.md, "Source checks").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.prepared
from shapely.geometry.base import BaseGeometry

from boundaries.indicators import CATALOGUE, INDICATORS
from loaders.errors import SourceFormatError

MIN_TRACT_COVERAGE = 0.99

#: (name, variable a, variable b or "census-2020", lowest and highest allowed ratio a / b)
TOLERANCES: tuple[tuple[str, str, str, float, float], ...] = (
    (
        "total population: SVI (ACS 2018-2022) / 2020 Census",
        "SVI_TOTPOP",
        "census-2020",
        0.97,
        1.03,
    ),
    (
        "total population: Social Explorer (ACS 2017-2021) / 2020 Census",
        "SE_A04001_001",
        "census-2020",
        0.97,
        1.03,
    ),
    ("poverty universe (S1701) / SVI total population", "S1701_C01_001", "SVI_TOTPOP", 0.95, 1.005),
    ("people below 150% of poverty: SVI / S1701", "SVI_POV150", "S1701_C01_040", 0.995, 1.005),
    ("children under 18 (SVI) / total population (SVI)", "SVI_AGE17", "SVI_TOTPOP", 0.15, 0.30),
)


def catalogue_variables(dataset: str | None = None) -> list[str]:
    """Variables (and published rates) the catalogue reads from ``dataset`` (from every
    dataset when ``None``: what custom-area aggregation loads), sorted."""
    found = {
        v
        for ind in CATALOGUE
        for r in ind.recipes
        if dataset is None or r.dataset == dataset
        for v in (*r.variables, *((r.published,) if r.published else ()))
    }
    return sorted(found)


def required_columns(dataset: str, table: str | None = None) -> list[str]:
    """File columns a source must have for the catalogue's ``dataset`` variables.

    ACS files carry ``<variable>E``/``<variable>M``; the SVI ``E_<X>``/``M_<X>`` (or
    ``EP_<X>``/``MP_<X>`` for published rates); Social Explorer exports the ``SE_`` code.
    ``table`` keeps only one table's variables (the B19013 file holds no other table).
    """
    variables = catalogue_variables(dataset)
    if table is not None:
        variables = [v for v in variables if v.startswith(f"{table}_")]
    if dataset == "cdc-svi":
        out = []
        for v in variables:
            name = v.removeprefix("SVI_")
            if name.startswith("EP_"):
                out += [name, "MP_" + name.removeprefix("EP_")]
            else:
                out += [f"E_{name}", f"M_{name}"]
        return out
    if dataset == "socialexplorer":
        return variables
    return [c for v in variables for c in (f"{v}E", f"{v}M")]


def check_tract_coverage(frame: pd.DataFrame, source: str, universe: Iterable[str]) -> float:
    """Share of ``universe`` tracts that have a row in ``frame`` (tidy).

    A published null (a median the Census could not compute) still counts: the tract is
    in the file. Raises :class:`SourceFormatError` below :data:`MIN_TRACT_COVERAGE`.
    """
    tracts = set(universe)
    covered = set(frame["GEOID"]) & tracts
    share = len(covered) / len(tracts) if tracts else 1.0
    if share < MIN_TRACT_COVERAGE:
        raise SourceFormatError(
            source,
            f"values for only {len(covered):,} of the county's {len(tracts):,} tracts "
            f"({100 * share:.1f}%; at least {100 * MIN_TRACT_COVERAGE:.0f}% needed): "
            "a truncated or partial file?",
        )
    return share


def county_totals(tidy: pd.DataFrame) -> pd.Series:
    """Sum of each variable's tract estimates over the county."""
    return tidy.groupby("variable")["estimate"].sum(min_count=1)


def cross_source_checks(tidy: pd.DataFrame, census_2020: float | None) -> list[dict[str, object]]:
    """Compare county totals across sources; returns the checks made (for the manifest).

    A check whose variables are not both loaded is skipped (a live build has other
    tables). Raises :class:`SourceFormatError` (source ``cross-source``) when a ratio is
    outside its tolerance.
    """
    totals = county_totals(tidy)
    if census_2020:
        totals["census-2020"] = census_2020
    done = []
    for name, a, b, low, high in TOLERANCES:
        if a not in totals or b not in totals or not totals[b]:
            continue
        ratio = float(totals[a] / totals[b])
        entry = {
            "check": name,
            "a": float(totals[a]),
            "b": float(totals[b]),
            "ratio": ratio,
            "allowed": [low, high],
        }
        done.append(entry)
        if not low <= ratio <= high:
            raise SourceFormatError(
                "cross-source",
                f"{name}: {totals[a]:,.0f} / {totals[b]:,.0f} = {ratio:.3f}, outside "
                f"{low}-{high}: one of the sources is damaged or partial",
            )
    return done


#: B19013's published bottom and top codes (ACS 5-year: "2,500-" and "250,000+")
MEDIAN_INCOME_RANGE = (2_499.0, 250_001.0)
#: a rate may exceed 100% by float noise only
RATE_SLACK = 1e-6
#: at most this share of the county's tracts may be rebuilt from coverage gaps (5 of
#: 2,498 on the mirror, 0.2%): more means the tract file lost polygons
MAX_REBUILT_SHARE = 0.005
#: a polygon farther than this from the county's land (degrees, about 1 km) is misplaced;
#: water tracts reach the shore, so they stay within it
NEAR_LAND_DEG = 0.01


def check_values(tidy: pd.DataFrame) -> None:
    """Every loaded estimate and MOE is non-negative (jam codes are already nulls)."""
    for column in ("estimate", "moe"):
        bad = tidy[tidy[column] < 0]
        if len(bad):
            row = bad.iloc[0]
            raise SourceFormatError(
                str(row.get("dataset", "acs")),
                f"plausibility: {len(bad)} negative {column}s, e.g. {row['variable']} = "
                f"{row[column]:g} for tract {row['GEOID']}",
            )


def check_layer_values(layer_id: str, frame: pd.DataFrame, choices: dict) -> None:
    """Rates within 0-100% and median incomes within B19013's codes, on one layer.

    A count scaled by ten (a damaged numerator) shows up here as a rate over 100%.
    Raises :class:`SourceFormatError` naming the indicator's dataset, the layer and an
    example feature.
    """
    for ind_id, choice in choices.items():
        if not choice.available or ind_id not in frame.columns:
            continue
        values = pd.to_numeric(frame[ind_id], errors="coerce")
        percent = INDICATORS[ind_id].is_percent
        low, high = (0.0, 100.0 + RATE_SLACK) if percent else (0.0, float("inf"))
        if ind_id == "median_household_income":
            low, high = MEDIAN_INCOME_RANGE
        bad = frame[(values < low) | (values > high)]
        if len(bad):
            row = bad.iloc[0]
            source = choice.recipe.dataset if choice.recipe else "acs"
            raise SourceFormatError(
                source,
                f"plausibility: {ind_id} of {len(bad)} {layer_id} outside {low:g}-{high:g}, "
                f"e.g. {row['id']} = {float(row[ind_id]):g} (a damaged or rescaled column)",
            )


#: a block-group centre may lie this far (metres) outside its own tract: the published
#: centres and the 500k tract outlines disagree by at most 171 m on the mirror (19 of 6,591
#: centres lie outside their tract at all); a centre cut inside its coordinate moves km
MAX_CENTRE_OFFSET_M = 1000.0


def check_centres_in_tracts(centres: gpd.GeoDataFrame, tracts: gpd.GeoDataFrame) -> float:
    """Every 2020 block-group centre lies in or near its own tract; returns the largest
    offset in metres. Centres of tracts without a polygon are the rebuild's business."""
    outlines = tracts.set_index("id").geometry.to_crs(3310)
    placed = centres[centres["tract"].isin(outlines.index)]
    if placed.empty:
        return 0.0
    points = np.asarray(placed.geometry.to_crs(3310).values)
    own = np.asarray(outlines.reindex(placed["tract"]).values)
    offsets = shapely.distance(points, own)
    worst = int(np.argmax(offsets))
    if offsets[worst] > MAX_CENTRE_OFFSET_M:
        far = int((offsets > MAX_CENTRE_OFFSET_M).sum())
        row = placed.iloc[worst]
        raise SourceFormatError(
            "population",
            f"plausibility: {far} block-group centres lie more than "
            f"{MAX_CENTRE_OFFSET_M:,.0f} m outside their tract, e.g. {row['id']} at "
            f"{row.geometry.x:.6f}, {row.geometry.y:.6f}, {offsets[worst] / 1000:,.1f} km "
            "from tract " + str(row["tract"]) + " (a coordinate cut or shifted)",
        )
    return float(offsets.max())


#: a multi-year source's tract estimates may move this much from one year to the next:
#: the median ratio over tracts stays within these bounds (B19013 on the mirror, every
#: pair of years 2010-2023: 1.00-1.09) …
YEAR_RATIO_BOUNDS = (0.8, 1.25)
#: … and at most this share of tracts halves or doubles (mirror: at most 0.22%)
MAX_YEAR_JUMP_SHARE = 0.02


def check_year_to_year(
    current: pd.DataFrame, previous: pd.DataFrame, source: str
) -> dict[str, dict[str, Any]]:
    """The tidy estimates of a multi-year source's served year against its year before,
    variable by variable over the tracts published in both with positive estimates.
    Returns per variable ``tracts``, ``median_ratio`` and ``jump_share`` (ratio outside
    1/2-2); raises :class:`SourceFormatError` naming the variable and an example tract
    when a column was scaled or shifted."""
    report: dict[str, dict[str, Any]] = {}
    for key, cur in current.groupby("variable"):
        variable = str(key)
        prev = previous[previous["variable"] == variable]
        both = cur.set_index("GEOID")["estimate"].to_frame("cur")
        both = both.join(prev.set_index("GEOID")["estimate"].rename("prev"), how="inner")
        both = both[(both["cur"] > 0) & (both["prev"] > 0)]
        if both.empty:
            continue
        ratio = both["cur"] / both["prev"]
        jumps = (ratio > 2) | (ratio < 0.5)
        median, share = float(ratio.median()), float(jumps.mean())
        report[variable] = {
            "tracts": len(both),
            "median_ratio": round(median, 3),
            "jump_share": round(share, 4),
        }
        low, high = YEAR_RATIO_BOUNDS
        if not low <= median <= high or share > MAX_YEAR_JUMP_SHARE:
            example = str((ratio - median).abs().idxmax() if share == 0 else ratio[jumps].index[0])
            was, now = both["prev"].to_dict()[example], both["cur"].to_dict()[example]
            raise SourceFormatError(
                source,
                f"plausibility: {variable} moved from the year before by a median ratio of "
                f"{median:.2f} (allowed {low}-{high}), {share:.1%} of tracts halved or doubled "
                f"(allowed {MAX_YEAR_JUMP_SHARE:.0%}), e.g. tract {example}: "
                f"{was:,.0f} → {now:,.0f}",
            )
    return report


def check_rebuilt_share(rebuilt: int, tracts: int) -> None:
    """Refuse a tract file that lost polygons: rebuilding is for a handful of gaps."""
    if tracts and rebuilt / tracts > MAX_REBUILT_SHARE:
        raise SourceFormatError(
            "tracts",
            f"{rebuilt} tracts with people have no polygon ({100 * rebuilt / tracts:.1f}% of "
            f"{tracts}; at most {100 * MAX_REBUILT_SHARE:g}% are rebuilt from coverage "
            "gaps): the tract file has lost polygons",
        )


def check_near_land(layer_id: str, frame: gpd.GeoDataFrame, land: BaseGeometry) -> None:
    """Every polygon of a layer lies at or near the county's land (EPSG:4326 ``land``)."""
    near = shapely.prepared.prep(land.buffer(NEAR_LAND_DEG))
    away = [i for i, g in zip(frame["id"], frame.geometry, strict=True) if not near.intersects(g)]
    if away:
        raise SourceFormatError(
            layer_id,
            f"geometry: {len(away)} polygons lie away from LA County's land, e.g. {away[0]} "
            "(moved or in the wrong coordinate system)",
        )


#: a count summed over a layer that tiles the county may differ from the tract total by
#: this much (percent; 0.007% on the mirror): more means features or tracts went missing
MAX_COUNTY_DIFF_PCT = 0.1


def check_county_totals(report: dict[str, dict[str, float | None]]) -> None:
    """Refuse a build whose tiling layers lose or gain people against the tract total.

    ``report`` is :func:`boundaries.build.county_check`'s: per count indicator,
    ``<layer>_diff_pct`` for each layer that tiles the county.
    """
    for indicator, entry in report.items():
        for key, diff in entry.items():
            if key.endswith("_diff_pct") and diff is not None and abs(diff) > MAX_COUNTY_DIFF_PCT:
                layer = key.removesuffix("_diff_pct")
                raise SourceFormatError(
                    layer,
                    f"county check: {indicator} summed over {layer} differs from the tract "
                    f"total by {diff:+.3f}% (at most ±{MAX_COUNTY_DIFF_PCT:g}%): features or "
                    "tracts are missing",
                )

"""Is area A different from area B? Per indicator, the Census Bureau's significance test.

Input: two areas' served properties (the layer contract: ``<id>``, ``_moe``,
``_reliability``). Output: one row per indicator both carry, with both estimates, the
difference a − b, its 90% MOE, Z and ``significant`` (|Z| > 1.645), or ``None`` with a
reason when the test cannot be made (a missing estimate or MOE). Counts (population,
households …) are never tested: areas of different size differ in their counts whatever
their people are like, so their rows carry the difference and a note to compare rates;
``low_reliability`` says that either side's estimate is unreliable.

The test assumes the two estimates come from independent samples. Two areas that share
census tracts (overlapping areas, or neighbours whose boundary splits a tract) draw on
the same survey responses; the result then carries a note and should be read with care.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from boundaries.indicators import INDICATORS, untranslated
from boundaries.moe import Z, difference_test
from loaders.geometry import AREA_CRS, SERVE_CRS


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)


#: why counts are not tested: two areas of different size differ in their counts whatever
#: their people are like
COUNT_NOTE = "a count depends on each area's size, so it is not tested: compare the rates instead"


def compare_rows(
    a: dict[str, Any],
    b: dict[str, Any],
    indicators: list[str],
    level: int = 90,
    t: Callable[[str], str] = untranslated,
) -> list[dict[str, Any]]:
    """One row per indicator of ``indicators`` (ids both property sets carry); ``t``
    words the notes in another language (:func:`maps.i18n.translator`)."""
    rows = []
    for ind_id in indicators:
        ind = INDICATORS[ind_id]
        ea, eb = _number(a.get(ind_id)), _number(b.get(ind_id))
        ma, mb = _number(a.get(f"{ind_id}_moe")), _number(b.get(f"{ind_id}_moe"))
        row: dict[str, Any] = {
            "indicator": ind_id,
            "label": ind.label,
            "unit": ind.unit,
            "a": {"estimate": ea, "moe": ma, "reliability": a.get(f"{ind_id}_reliability")},
            "b": {"estimate": eb, "moe": mb, "reliability": b.get(f"{ind_id}_reliability")},
            "difference": None,
            "difference_moe": None,
            "z": None,
            "significant": None,
            "note": None,
            "low_reliability": "low"
            in (a.get(f"{ind_id}_reliability"), b.get(f"{ind_id}_reliability")),
        }
        if ea is None or eb is None:
            sides = "a and b" if ea is None and eb is None else ("a" if ea is None else "b")
            row["note"] = t("no estimate for {sides}").format(sides=t(sides))
        elif ma is None or mb is None:
            row["difference"] = ea - eb
            row["note"] = t("no margin of error published, so the difference cannot be tested")
        elif ind.kind == "count":
            diff, moe, _ = (float(v) for v in difference_test(ea, ma, eb, mb))
            row.update(difference=diff, difference_moe=moe)
            row["note"] = t(COUNT_NOTE)
        else:
            diff, moe, z = (float(v) for v in difference_test(ea, ma, eb, mb))
            row.update(difference=diff, difference_moe=moe, z=z)
            row["significant"] = bool(abs(z) > Z[level])
            if not row["significant"]:
                text = "not significant at {level}%: the difference is within its margin of error"
                row["note"] = t(text).format(level=level)
        rows.append(row)
    return rows


#: a tract counts as drawn on by an area when this share of its area lies in the area
SHARED_TRACT_SHARE = 0.01


def overlap(tracts: gpd.GeoDataFrame, geom_a: BaseGeometry, geom_b: BaseGeometry) -> dict[str, Any]:
    """How far two areas (EPSG:4326) rest on the same survey responses.

    ``tracts`` is the tract layer (``id``, EPSG:4326). Returns ``area_share`` (the shared
    surface over the smaller area's) and ``shared_tracts`` (tracts with more than
    :data:`SHARED_TRACT_SHARE` of their area in each area).
    """
    shapes = gpd.GeoSeries([geom_a, geom_b], crs=SERVE_CRS).to_crs(AREA_CRS)
    a, b = shapes.iloc[0], shapes.iloc[1]
    smaller = min(a.area, b.area)
    area_share = a.intersection(b).area / smaller if smaller else 0.0
    near = tracts.iloc[tracts.sindex.query(geom_a, predicate="intersects")]
    near = near[near.intersects(geom_b)]
    shared: list[str] = []
    if len(near):
        projected = near.to_crs(AREA_CRS)
        whole = projected.geometry.area
        in_a = projected.geometry.intersection(a).area / whole
        in_b = projected.geometry.intersection(b).area / whole
        keep = (in_a > SHARED_TRACT_SHARE) & (in_b > SHARED_TRACT_SHARE)
        shared = sorted(str(t) for t in projected.loc[keep, "id"])
    return {"area_share": round(float(area_share), 6), "shared_tracts": shared}

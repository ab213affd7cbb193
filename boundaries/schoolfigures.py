"""Each school's own pupils on the schools layer: meals, English learners, enrolment.

CDE's administrative counts (:mod:`loaders.cde_frpm`, :mod:`loaders.cde_upc`) are joined
to the school points by CDS code. They count every pupil, so they carry no margin of
error: their reliability is ``complete count``. Every pupil of the latest FRPM file is
accounted for: on a served school, or in a row that names why it is not one (a district
office, nonpublic placements, a school no longer in the directory).

The checks compare the files with each other, as the ACS sources are compared: each
year's LA totals and school count against the year before, and the UPC file against the
nearest FRPM year.
"""

from __future__ import annotations

import itertools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from loaders.cde_files import NOT_SCHOOLS
from loaders.errors import SourceError

COMPLETE_COUNT = "complete count"
#: a year's LA County K-12 enrolment and school count, over the previous file's
YEAR_RATIO_BOUNDS = (0.85, 1.15)
#: largest change of the county's FRPM share between two files, in percentage points
MAX_SHARE_CHANGE_PP = 5.0
#: UPC counts served with their percent of enrolment
UPC_SHARES = {
    "english_learners": "english_learners_pct",
    "unduplicated_count": "unduplicated_pct",
}
NOT_IN_DIRECTORY = "not in the current school directory (closed or renumbered since)"


def series_column(year: str) -> str:
    """The schools-layer column of one year's FRPM share: ``2022-23`` → ``frpm_pct_2022_23``."""
    return "frpm_pct_" + year.replace("-", "_")


def _totals(frame: pd.DataFrame, count: str) -> dict[str, Any]:
    return {
        "year": frame["year"].iloc[0],
        "schools": int((frame["record"] == "school").sum()),
        "enrollment": float(frame["enrollment"].sum()),
        "count": float(frame[count].sum()),
    }


def _compare(before: dict[str, Any], after: dict[str, Any], source: str) -> dict[str, Any]:
    low, high = YEAR_RATIO_BOUNDS
    out: dict[str, Any] = {"years": f"{before['year']} → {after['year']}"}
    for key in ("enrollment", "schools"):
        ratio = after[key] / before[key] if before[key] else float("inf")
        out[f"{key}_ratio"] = round(ratio, 4)
        if not low <= ratio <= high:
            raise SourceError(
                source,
                f"LA County {key} {after['year']} is {ratio:.2f}× {before['year']}'s, outside "
                f"{low}-{high}: a cut, doubled or mis-scaled file",
            )
    shares = [100 * t["count"] / t["enrollment"] for t in (before, after)]
    out["share_change_pp"] = round(shares[1] - shares[0], 2)
    if abs(shares[1] - shares[0]) > MAX_SHARE_CHANGE_PP:
        raise SourceError(
            source,
            f"the county's FRPM share moves from {shares[0]:.1f}% to {shares[1]:.1f}%: more "
            f"than {MAX_SHARE_CHANGE_PP} points between files",
        )
    return out


def check_school_years(
    frpm: dict[str, pd.DataFrame], upc: tuple[str, pd.DataFrame] | None
) -> list[dict[str, Any]]:
    """Each FRPM file (by source id, oldest first) against the one before it, and the UPC
    file (``(source id, frame)``) against the nearest FRPM year; returns the ratios.

    Raises :class:`SourceError` naming the later file when LA's enrolment or school count
    moves outside :data:`YEAR_RATIO_BOUNDS`, or its FRPM share by more than
    :data:`MAX_SHARE_CHANGE_PP` points.
    """
    measured = []
    ordered = sorted(frpm.items(), key=lambda kv: kv[1]["year"].iloc[0])
    totals = [(sid, _totals(frame, "frpm_count")) for sid, frame in ordered]
    for (_, before), (sid, after) in itertools.pairwise(totals):
        measured.append(_compare(before, after, sid))
    if upc is not None and totals:
        sid, frame = upc
        mine = _totals(frame, "unduplicated_frpm")
        year = int(str(mine["year"])[:4])
        _, nearest = min(totals, key=lambda t: abs(int(str(t[1]["year"])[:4]) - year))
        measured.append(_compare(nearest, mine, sid))
    return measured


def _latest(frpm: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return max(frpm.values(), key=lambda f: str(f["year"].iloc[0]))


def _accounting(latest: pd.DataFrame, served: set[str], unplaced: dict[str, str]) -> dict[str, Any]:
    """The latest FRPM file's LA totals split into served schools and the named rest."""
    codes = latest["cds_code"]
    where = np.where(
        latest["record"] != "school",
        latest["record"],
        np.where(
            codes.isin(served), "served", codes.map(lambda c: unplaced.get(c, NOT_IN_DIRECTORY))
        ),
    )
    groups: dict[str, Any] = {}
    for reason, rows in latest.groupby(where):
        entry: dict[str, Any] = {
            "rows": len(rows),
            "enrollment": int(rows["enrollment"].sum()),
            "frpm_count": int(rows["frpm_count"].sum()),
        }
        if reason not in ("served", *NOT_SCHOOLS.values()):
            entry["schools"] = [
                {"cds_code": c, "name": n, "enrollment": int(e)}
                for c, n, e in zip(rows["cds_code"], rows["name"], rows["enrollment"], strict=True)
            ]
        groups[str(reason)] = entry
    return {
        "year": str(latest["year"].iloc[0]),
        "file_totals": {
            "enrollment": int(latest["enrollment"].sum()),
            "frpm_count": int(latest["frpm_count"].sum()),
        },
        "by_place": groups,
    }


def attach_school_figures(
    schools: gpd.GeoDataFrame,
    frpm: dict[str, pd.DataFrame],
    upc: pd.DataFrame | None,
    cohorts: pd.DataFrame | None,
    unplaced: dict[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The schools layer with each school's own figures, and the accounting of pupils.

    Adds, from the latest FRPM file: ``enrollment``, ``frpm_count``, ``frpm_pct``,
    ``frpm_year``, ``low_grade``, ``high_grade``; one ``frpm_pct_<year>`` per FRPM file
    (the series); from the UPC file: ``english_learners``, ``english_learners_pct``,
    ``unduplicated_count``, ``unduplicated_pct``, ``upc_enrollment``, ``upc_year``;
    ``counts_reliability`` (``complete count`` where the school has any count); and from
    the known Community Schools: ``community_school_cohort`` and
    ``community_school_match``. Percents are 0-100. ``unplaced`` names why directory
    schools without a point were left out (:func:`loaders.cde_schools.load_schools`).
    """
    out = schools.copy()
    ids = out["id"]
    latest = _latest(frpm)
    mine = latest[latest["record"] == "school"].set_index("cds_code")
    year = str(latest["year"].iloc[0])
    for column in ("enrollment", "frpm_count"):
        out[column] = ids.map(mine[column]).astype("Int64")
    out["frpm_pct"] = ids.map(mine["frpm_pct"]).round(2)
    out["frpm_year"] = out["enrollment"].notna().map({True: year, False: None})
    for column in ("low_grade", "high_grade"):
        out[column] = ids.map(mine[column])
    for frame in sorted(frpm.values(), key=lambda f: str(f["year"].iloc[0])):
        by_id = frame.set_index("cds_code")["frpm_pct"]
        out[series_column(str(frame["year"].iloc[0]))] = ids.map(by_id).round(2)
    has_counts = out["enrollment"].notna()
    if upc is not None:
        u = upc[upc["record"] == "school"].set_index("cds_code")
        for column, pct in UPC_SHARES.items():
            out[column] = ids.map(u[column]).astype("Int64")
            out[pct] = ids.map(u[pct]).round(2)
        out["upc_enrollment"] = ids.map(u["enrollment"]).astype("Int64")
        upc_year = str(upc["year"].iloc[0])
        out["upc_year"] = out["upc_enrollment"].notna().map({True: upc_year, False: None})
        has_counts |= out["upc_enrollment"].notna()
    out["counts_reliability"] = has_counts.map({True: COMPLETE_COUNT, False: None})
    report = _accounting(latest, set(ids), unplaced or {})
    report["served_without_counts"] = int((~has_counts).sum())
    if cohorts is not None:
        by_code = cohorts.drop_duplicates("cds_code").set_index("cds_code")
        out["community_school_cohort"] = ids.map(by_code["cohort"]).astype("Int64")
        out["community_school_match"] = ids.map(by_code["match_confidence"])
        report["community_schools"] = {
            "listed": len(by_code),
            "served": int(out["community_school_cohort"].notna().sum()),
            "not_served": sorted(set(by_code.index) - set(ids)),
        }
    return out, report

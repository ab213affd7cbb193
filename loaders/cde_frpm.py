"""CDE Free or Reduced-Price Meal (FRPM) school-level data → one year of meal counts.

CDE publishes ``frpmYYYY.xlsx`` each year (sheet ``FRPM School-Level Data``); the mirror
holds CSV conversions of LA County's rows. Besides the quirks every CDE file has
(:mod:`loaders.cde_files`), the percent columns changed form: ``"68.1%"`` text rounded to
one decimal in 2018-19 to 2020-21, the stored 0-1 ratio in 2022-23. Both are read as
0-100, and each school's percent must equal its count over its enrolment (within the
text's rounding), so a column read on the wrong scale cannot pass.

:func:`load_frpm` returns a DataFrame (no geometry), one row per LA County record:
``cds_code`` (14 digits), ``year`` (``2022-23``), ``record`` (``school``, ``district
office`` or ``nonpublic, nonsectarian school placements``), ``name``, ``district``,
``school_type``, ``charter``, ``low_grade``, ``high_grade``, ``enrollment`` (K-12),
``frpm_count``, ``frpm_pct`` (0-100), ``free_count``, ``free_pct``. These are
administrative counts of every pupil on Census Day (October): no margin of error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from loaders.cde_files import counts, one_year, percents, read_cde_table
from loaders.errors import SourceFormatError

SHEET = "FRPM School-Level Data"
ENROLLMENT = "Enrollment (K-12)"
#: (count column, percent column, output names)
MEASURES = (
    ("FRPM Count (K-12)", "Percent (%) Eligible FRPM (K-12)", "frpm"),
    ("Free Meal Count (K-12)", "Percent (%) Eligible Free (K-12)", "free"),
)
TEXT = {
    "School Name": "name",
    "District Name": "district",
    "School Type": "school_type",
    "Charter School (Y/N)": "charter",
    "Low Grade": "low_grade",
    "High Grade": "high_grade",
}
#: largest gap allowed between a stated percent and count / enrolment, in points (the
#: text form is rounded to one decimal: at most 0.05 off)
PERCENT_TOLERANCE = 0.051


def _check_percent(
    pct: pd.Series, count: pd.Series, enrollment: pd.Series, source: str, column: str
) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = 100.0 * count / enrollment
    stated = pct.notna() & computed.notna() & (enrollment > 0)
    off = stated & ((pct - computed).abs() > PERCENT_TOLERANCE)
    if off.any():
        first = int(np.flatnonzero(off.to_numpy())[0])
        raise SourceFormatError(
            source,
            f"{column} disagrees with count / enrolment for {int(off.sum())} schools, "
            f"e.g. {pct.iloc[first]:.3f} against {computed.iloc[first]:.3f}",
        )
    over = (count > enrollment).fillna(False)
    if over.any():
        raise SourceFormatError(
            source, f"{column}: count above enrolment in {int(over.sum())} rows"
        )


def load_frpm(path: Path, source: str = "frpm") -> pd.DataFrame:
    """One year of FRPM counts for LA County's records; see the module docstring."""
    required = [ENROLLMENT, "Academic Year", *TEXT, *(c for m in MEASURES for c in m[:2])]
    raw = read_cde_table(path, source, SHEET, required)
    out = pd.DataFrame(
        {"cds_code": raw["cds_code"], "year": one_year(raw, source), "record": raw["record"]}
    )
    for column, name in TEXT.items():
        out[name] = raw[column].astype("string").str.strip()
    out["enrollment"] = counts(raw[ENROLLMENT], source, ENROLLMENT)
    for count_col, pct_col, name in MEASURES:
        out[f"{name}_count"] = counts(raw[count_col], source, count_col)
        out[f"{name}_pct"] = percents(raw[pct_col], source, pct_col)
        _check_percent(out[f"{name}_pct"], out[f"{name}_count"], out["enrollment"], source, pct_col)
    return out

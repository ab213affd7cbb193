"""CDE CALPADS Unduplicated Pupil Count (UPC), grades K-12 → English learners and more.

CDE publishes ``cupcYYYY-k12.xlsx`` (sheet ``School-Level CALPADS UPC Data``); the
mirror holds a CSV of LA County's rows for 2021-22. Counts only, no percents; the file
shares the quirks of every CDE file (:mod:`loaders.cde_files`).

:func:`load_upc` returns a DataFrame (no geometry), one row per LA County record:
``cds_code``, ``year`` (``2021-22``), ``record``, ``enrollment`` (total K-12),
``frpm_count`` (pupils in the Free & Reduced Meal Program), ``unduplicated_frpm``,
``english_learners``, ``foster``, ``homeless``, ``unduplicated_count`` (pupils who are
FRPM-eligible, English learners or foster youth, each counted once), and the percents
``english_learners_pct`` and ``unduplicated_pct`` (0-100, of ``enrollment``; null when
nobody is enrolled). Administrative counts (Fall 1, October): no margin of error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from loaders.cde_files import counts, one_year, read_cde_table
from loaders.errors import SourceFormatError

SHEET = "School-Level CALPADS UPC Data"
COUNTS = {
    "Total Enrollment": "enrollment",
    "Free & Reduced Meal Program": "frpm_count",
    "Unduplicated FRPM Eligible Count": "unduplicated_frpm",
    "English Learner (EL)": "english_learners",
    "Foster": "foster",
    "Homeless": "homeless",
    "CALPADS Unduplicated Pupil Count (UPC)": "unduplicated_count",
}


def load_upc(path: Path, source: str = "upc") -> pd.DataFrame:
    """One year of unduplicated pupil counts for LA County; see the module docstring."""
    raw = read_cde_table(path, source, SHEET, ["Academic Year", *COUNTS])
    out = pd.DataFrame(
        {"cds_code": raw["cds_code"], "year": one_year(raw, source), "record": raw["record"]}
    )
    for column, name in COUNTS.items():
        out[name] = counts(raw[column], source, column)
    for name in ("english_learners", "unduplicated_count", "unduplicated_frpm"):
        over = (out[name] > out["enrollment"]).fillna(False)
        if over.any():
            raise SourceFormatError(
                source, f"{name}: count above enrolment for {list(out['cds_code'][over][:3])}"
            )
    enrolled = out["enrollment"].where(out["enrollment"] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["english_learners_pct"] = 100.0 * out["english_learners"] / enrolled
        out["unduplicated_pct"] = 100.0 * out["unduplicated_count"] / enrolled
    return out

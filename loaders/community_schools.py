"""The known LAUSD Community Schools (a partial list) → CDS codes and cohorts.

No public machine-readable list exists. The mirror's file
(``schools/lausd_community_schools_cohorts5_6.csv``) was assembled from the L.A. Compact's
and United Way's announcements of cohorts 5 and 6: ``cohort``, ``name_as_published``,
``source_url``, ``cde_cds_code_candidate`` (the CDS code matched by name),
``cde_school_name`` and ``match_confidence`` (``high`` or ``medium``). It names some of
the program's schools, never all: pages say so.

:func:`load_community_schools` returns a DataFrame: ``cds_code`` (14 digits), ``cohort``
(int), ``name_as_published``, ``source_url``, ``match_confidence``. A row without a CDS
code, or with a malformed one, is refused (a silent drop would unmark a school).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.errors import SourceFormatError

COLUMNS = ("cohort", "name_as_published", "source_url", "cde_cds_code_candidate")


def load_community_schools(path: Path, source: str = "community-schools") -> pd.DataFrame:
    """The listed Community Schools; see the module docstring for the columns."""
    raw = read_text_csv(path, source)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise SourceFormatError(source, f"{path.name} lacks columns {missing}")
    codes = raw["cde_cds_code_candidate"].fillna("").str.strip()
    bad = ~codes.str.fullmatch(r"\d{14}")
    if bad.any():
        names = list(raw["name_as_published"][bad][:3])
        raise SourceFormatError(source, f"no 14-digit CDS code for {names}")
    cohort = pd.to_numeric(raw["cohort"], errors="coerce")
    if cohort.isna().any():
        raise SourceFormatError(
            source, f"cohort must be a number: {list(raw['cohort'][cohort.isna()][:3])}"
        )
    return pd.DataFrame(
        {
            "cds_code": codes,
            "cohort": cohort.astype(int),
            "name_as_published": raw["name_as_published"],
            "source_url": raw["source_url"],
            "match_confidence": raw.get("match_confidence", pd.Series(pd.NA, index=raw.index)),
        }
    )

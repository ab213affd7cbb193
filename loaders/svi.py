"""CDC/ATSDR Social Vulnerability Index tract file, as ACS estimates with MOEs.

:func:`load_svi` returns the tidy frame of :mod:`loaders.acs_values` (``GEOID, variable,
estimate, moe, table, dataset, vintage, note``; no geometry). Each ``E_<X>``/``M_<X>``
pair of the SVI file becomes variable ``SVI_<X>`` (``SVI_NOINT``: households without an
internet subscription, ``SVI_HH``: households, ``SVI_POV150``, ``SVI_NOHSDP``,
``SVI_LIMENG``, ``SVI_AGE17``, ``SVI_TOTPOP`` …) and each ``EP_<X>``/``MP_<X>`` pair (the
percentage and its MOE as CDC publishes them) becomes ``SVI_EP_<X>``, table ``SVI<year>``, dataset
``cdc-svi``. The SVI's own missing code −999 becomes null with a note. ``vintage`` is the
last ACS year behind the SVI release (SVI 2022 = ACS 2018-2022).

The live source is CDC's statewide California CSV; only ``county_prefix`` tracts are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from loaders.acs_extracts import collapse_repeats, geoid_column, read_text_csv, require_columns
from loaders.acs_values import normalise_geoid, tidy_from_wide

SVI_MISSING = {-999.0: "SVI missing value (-999)"}
REQUIRED = ("E_HH", "M_HH")


def load_svi(
    path: Path,
    *,
    vintage: int = 2022,
    county_prefix: str | None = "06037",
    source: str = "svi",
    required: Sequence[str] = REQUIRED,
) -> pd.DataFrame:
    """Read an SVI tract CSV (CDC layout) into the tidy frame; see the module docstring.

    ``required`` lists the SVI columns the caller needs (``E_NOINT``, ``MP_NOINT`` …).
    """
    wide = read_text_csv(path, source)
    require_columns(wide, tuple(dict.fromkeys((*REQUIRED, *required))), source)
    wide["GEOID"] = normalise_geoid(wide[geoid_column(wide, source)], source)
    if county_prefix:
        wide = wide[wide["GEOID"].str.startswith(county_prefix)]
    pairs = [
        (f"SVI_{c[2:]}", c, f"M_{c[2:]}")
        for c in wide.columns
        if c.startswith("E_") and f"M_{c[2:]}" in wide.columns
    ]
    # published percentages and their MOEs (EP_NOINT/MP_NOINT → SVI_EP_NOINT)
    pairs += [
        (f"SVI_EP_{c[3:]}", c, f"MP_{c[3:]}")
        for c in wide.columns
        if c.startswith("EP_") and f"MP_{c[3:]}" in wide.columns
    ]
    cols = [c for _, e, m in pairs for c in (e, m)]
    wide = collapse_repeats(wide[["GEOID", *cols]], cols, source)
    return tidy_from_wide(
        wide,
        pairs,
        table=f"SVI{vintage}",
        dataset="cdc-svi",
        vintage=vintage,
        source=source,
        missing_codes=SVI_MISSING,
    )

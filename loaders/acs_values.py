"""The tidy estimate/MOE frame every ACS loader returns, and the one place jam values die.

Tidy ACS frame (one row per tract and variable; estimates and MOEs never separated):

============  =========  ===============================================================
column        dtype      meaning
============  =========  ===============================================================
``GEOID``     str        11-character tract GEOID, zero-padded (``06037101110``)
``variable``  str        variable code as published (``B19013_001``, ``S1701_C01_003``,
                         ``SVI_NOINT``, ``SE_A12002_005``)
``estimate``  float64    the estimate; null when not available
``moe``       float64    90% margin of error; null when none is published
``table``     str        source table (``B19013``, ``S1701``, ``SVI2022``, ``A12002``)
``dataset``   str        product (``acs5``, ``acs5/subject``, ``cdc-svi``, ``socialexplorer``)
``vintage``   int64      last year of the 5-year period (2022 = ACS 2018-2022)
``note``      str        why a value is null or special (jam or annotation code), else null
============  =========  ===============================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from loaders.errors import SourceFormatError

TIDY_COLUMNS = ["GEOID", "variable", "estimate", "moe", "table", "dataset", "vintage", "note"]

#: Census Data API "jam values": sentinel numbers standing for an explanation.
JAM_VALUES: dict[float, str] = {
    -666666666.0: "estimate not computable (too few sample observations)",
    -999999999.0: "MOE not computable (too few sample observations)",
    -888888888.0: "not applicable",
    -555555555.0: "estimate is controlled; MOE not appropriate",
    -333333333.0: "median falls in the open-ended interval of its distribution",
    -222222222.0: "MOE not computable (too few sample observations)",
}

#: Annotation codes of data.census.gov downloads (and the Census API ``...EA`` columns).
ANNOTATIONS: dict[str, str] = {
    "(X)": "not applicable",
    "-": "estimate not computable (too few sample observations)",
    "**": "MOE not computable (too few sample observations)",
    "***": "median falls in the open-ended interval; MOE not appropriate",
    "*****": "estimate is controlled; MOE not appropriate",
    "N": "not available (too few sample cases)",
    "null": "not available",
}

_TOPCODE = re.compile(r"^([\d,.]+)([+-])$")
GEOID_RE = re.compile(r"^\d{11}$")


def null_jam_values(
    values: pd.Series, missing_codes: dict[float, str] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Return ``(numbers, notes)``: Census jam values and annotation codes become null.

    This is the only function that interprets sentinels. ``values`` may hold numbers or
    text. Text annotations (``(X)``, ``-``, ``**``, ``***``, ``*****``, ``N``) and jam
    values (−666666666 …) become null with a note saying what the code meant. Top- and
    bottom-coded medians such as ``250,000+`` or ``2,500-`` keep their number and gain a
    note. Thousands separators are removed. Anything else that is not a number raises
    :class:`ValueError`, so an unexpected code is never silently dropped.
    ``missing_codes`` adds a publisher's own sentinels (CDC SVI writes −999).
    """
    text = values.astype("string").str.strip()
    notes = pd.Series(pd.NA, index=values.index, dtype="string")
    numbers = pd.Series(np.nan, index=values.index, dtype="float64")

    blank = text.isna() | (text == "")
    coded = text.isin(list(ANNOTATIONS))
    notes[coded] = text[coded].map(ANNOTATIONS)
    top = text.str.match(_TOPCODE.pattern).fillna(False) & ~coded
    if top.any():
        parts = text[top].str.extract(_TOPCODE.pattern)
        numbers[top] = parts[0].str.replace(",", "", regex=False).astype("float64")
        notes[top] = np.where(parts[1] == "+", "top-coded", "bottom-coded") + " (" + text[top] + ")"

    rest = ~(blank | coded | top)
    parsed = pd.to_numeric(text[rest].str.replace(",", "", regex=False), errors="coerce")
    bad = parsed.isna()
    if bad.any():
        examples = sorted(set(text[rest][bad].astype(str)))[:5]
        raise ValueError(f"unrecognised ACS value(s): {examples}")
    numbers[rest] = parsed.astype("float64")

    codes = {**JAM_VALUES, **(missing_codes or {})}
    jam = numbers.isin(list(codes))
    notes[jam] = numbers[jam].map(codes)
    numbers[jam] = np.nan
    return numbers, notes


def join_notes(*notes: pd.Series) -> pd.Series:
    """Combine per-value notes (``estimate: …; moe: …``), null when all are null."""
    frame = pd.concat(notes, axis=1)
    return frame.apply(
        lambda row: "; ".join(str(v) for v in row if pd.notna(v)) or pd.NA, axis=1
    ).astype("string")


def normalise_geoid(values: pd.Series, source: str) -> pd.Series:
    """Zero-pad tract GEOIDs stored as integers (``6037101110`` → ``06037101110``).

    Accepts the ``1400000US06037101110`` form too. Raises :class:`SourceFormatError` for
    anything that is not an 11-digit tract GEOID after padding.
    """
    text = values.astype("string").str.strip().str.replace(r"^1400000US", "", regex=True)
    text = text.str.replace(r"\.0$", "", regex=True)
    # only the state's single leading zero can have been lost (10 digits → 11)
    text = text.where(text.str.len() != 10, "0" + text)
    bad = ~text.fillna("").str.match(GEOID_RE.pattern)
    if bad.any():
        raise SourceFormatError(source, f"malformed tract GEOIDs: {list(values[bad][:5])}")
    return text.astype(str)


def tidy_from_wide(
    wide: pd.DataFrame,
    pairs: Iterable[tuple[str, str, str | None]],
    *,
    table_of: dict[str, str] | None = None,
    table: str | None = None,
    dataset: str,
    vintage: int,
    source: str,
    missing_codes: dict[float, str] | None = None,
) -> pd.DataFrame:
    """Melt a wide frame keyed by ``GEOID`` into the tidy frame.

    ``pairs`` lists ``(variable, estimate_column, moe_column_or_None)``. Each estimate is
    kept with its MOE; a variable with no MOE column gets a null MOE (never zero).
    """
    rows = []
    for variable, est_col, moe_col in pairs:
        try:
            est, est_note = null_jam_values(wide[est_col], missing_codes)
            if moe_col is not None:
                moe, moe_note = null_jam_values(wide[moe_col], missing_codes)
            else:
                moe = pd.Series(np.nan, index=wide.index)
                moe_note = pd.Series(pd.NA, index=wide.index, dtype="string")
        except ValueError as exc:
            raise SourceFormatError(source, f"{variable}: {exc}") from exc
        except KeyError as exc:
            raise SourceFormatError(source, f"missing column {exc}") from exc
        note = join_notes(
            ("estimate: " + est_note).astype("string"), ("moe: " + moe_note).astype("string")
        )
        rows.append(
            pd.DataFrame(
                {
                    "GEOID": wide["GEOID"].to_numpy(),
                    "variable": variable,
                    "estimate": est.to_numpy(),
                    "moe": moe.to_numpy(),
                    "table": (table_of or {}).get(variable, table or variable.split("_")[0]),
                    "dataset": dataset,
                    "vintage": vintage,
                    "note": note.to_numpy(),
                }
            )
        )
    if not rows:
        return empty_tidy()
    out = pd.concat(rows, ignore_index=True)
    out = out.astype(
        {"GEOID": str, "variable": str, "table": str, "dataset": str, "vintage": "int64"}
    )
    return out[TIDY_COLUMNS]


def empty_tidy() -> pd.DataFrame:
    """An empty tidy frame with the right columns and dtypes."""
    return pd.DataFrame(
        {
            "GEOID": pd.Series(dtype=str),
            "variable": pd.Series(dtype=str),
            "estimate": pd.Series(dtype="float64"),
            "moe": pd.Series(dtype="float64"),
            "table": pd.Series(dtype=str),
            "dataset": pd.Series(dtype=str),
            "vintage": pd.Series(dtype="int64"),
            "note": pd.Series(dtype="string"),
        }
    )

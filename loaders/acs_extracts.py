"""ACS extracts that planners hold as files: Census-style CSVs and Social Explorer exports.

Both loaders return the tidy frame of :mod:`loaders.acs_values` (``GEOID, variable,
estimate, moe, table, dataset, vintage, note``; no geometry).

* :func:`load_acs_csv` reads a CSV keyed by tract GEOID whose columns are ACS variable
  codes with ``E``/``M`` suffixes (``S1701_C01_003E``, ``S1701_C01_003M``), as
  data.census.gov and the Census API write them. GEOIDs stored as integers (leading zero
  lost) are zero-padded; a UTF-8 byte-order mark is ignored; annotation codes (``(X)``,
  ``-``, ``**``, ``N``) become null with a note. Files that repeat a tract once per place
  (the mirror's B19013 file) are collapsed only after checking the repeats agree.
* :func:`load_social_explorer` reads a Social Explorer export whose header holds either
  the descriptive labels or the ``SE_`` codes; values are estimates without MOEs, and
  the MOE column stays null rather than pretending to be zero.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from loaders.acs_values import normalise_geoid, tidy_from_wide
from loaders.errors import SourceFormatError

GEOID_COLUMNS = ("GEOID", "FIPS", "GEO_ID", "Geo_FIPS", "geoid")
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_EST = re.compile(r"^((?:[BC]\d{5}[A-Z]?|S\d{4}[A-Z]?|DP\d{2})(?:_C\d{2})?_\d{3})E$")


def read_text_csv(path: Path, source: str, sep: str = ",") -> pd.DataFrame:
    """Read a delimited file with every cell as text; format problems raise SourceFormatError."""
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", sep=sep
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SourceFormatError(source, f"unreadable file {Path(path).name}: {exc}") from exc
    except OSError as exc:
        raise SourceFormatError(source, f"cannot open {path}: {exc}") from exc
    if frame.empty:
        raise SourceFormatError(source, f"{Path(path).name} has no data rows (truncated?)")
    check_last_row(path, frame, source, sep)
    return frame


def value_shape(text: str) -> str:
    """The form of a cell: letter runs as ``a``, digit runs as ``9``, the rest kept
    (``-118.348095`` → ``-9.9``, ``Census Tract 9903`` → ``a a 9``)."""
    return _DIGITS.sub("9", _LETTERS.sub("a", text.strip()))


def check_last_row(path: Path, frame: pd.DataFrame, source: str, sep: str = ",") -> None:
    """Refuse a file cut inside its last row.

    A file that ends with a newline ended at a row boundary (a cut there is the row-count
    check's business). One that does not may be whole (data.census.gov exports end
    without one) or cut inside its last row, which pandas reads without complaint: a
    missing field comes back null and a cut field comes back short. So the last line must
    have every field, and its last cell must have a form (:func:`value_shape`) that some
    other row of that column has: ``-118.348095`` cut to ``-118.``, ``14262.0`` to ``142``
    or ``**`` to ``*`` has none. A cut integer that stays an integer cannot be told by
    form; the sources' value checks (ranges, centres inside their tracts) take it up.
    """
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if not tail or tail.endswith(b"\n"):
        return
    name = Path(path).name
    last_line = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace").rstrip("\r")
    fields = next(csv.reader([last_line], delimiter=sep), [])
    if len(fields) < len(frame.columns):
        raise SourceFormatError(
            source,
            f"{name} ends mid-row: its last row has {len(fields)} of {len(frame.columns)} "
            "fields (truncated download?)",
        )
    column = frame.columns[-1]
    others = frame[column].iloc[:-1].dropna()
    last = frame[column].iloc[-1]
    if pd.isna(last) or others.empty:
        return
    if value_shape(str(last)) not in set(others.map(value_shape)):
        raise SourceFormatError(
            source,
            f"{name} ends inside its last field: {column} = {last!r} has a form no other row "
            "has, and the file has no final newline (truncated download?)",
        )


def require_columns(frame: pd.DataFrame, required: Sequence[str], source: str) -> None:
    """Raise :class:`SourceFormatError` naming the source and the first missing columns."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        shown = ", ".join(missing[:5]) + more
        raise SourceFormatError(source, f"missing column {shown}")


def geoid_column(frame: pd.DataFrame, source: str) -> str:
    """Name of the column holding tract GEOIDs (first of :data:`GEOID_COLUMNS` present)."""
    for col in GEOID_COLUMNS:
        if col in frame.columns:
            return col
    raise SourceFormatError(source, f"no GEOID column (looked for {GEOID_COLUMNS})")


def collapse_repeats(wide: pd.DataFrame, value_columns: list[str], source: str) -> pd.DataFrame:
    """Keep one row per GEOID, raising if repeated rows disagree on any value column."""
    per_geoid = wide.groupby("GEOID")[value_columns].nunique(dropna=False)
    conflicts = per_geoid[(per_geoid > 1).any(axis=1)]
    if len(conflicts):
        raise SourceFormatError(
            source, f"tracts repeated with different values: {list(conflicts.index[:5])}"
        )
    return wide.groupby("GEOID", as_index=False).first()


def load_acs_csv(
    path: Path,
    *,
    vintage: int,
    dataset: str = "acs5",
    source: str = "acs-csv",
    county_prefix: str | None = "06037",
    year_column: str | None = None,
    required: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a Census-style ACS CSV into the tidy frame.

    ``required`` lists the columns the caller needs (``S1701_C01_001E`` …): one missing is
    a :class:`SourceFormatError` naming it, never an indicator that silently disappears.

    ``year_column`` names a column holding several ACS years (the mirror's B19013 file has
    ``YEAR``); only rows of ``vintage`` are kept. ``county_prefix`` keeps one county's
    tracts (``None`` keeps all). Raises :class:`SourceFormatError` when no ``…E`` column
    has its ``…M`` partner or the file is unreadable.
    """
    wide = read_text_csv(path, source)
    require_columns(wide, required, source)
    wide["GEOID"] = normalise_geoid(wide[geoid_column(wide, source)], source)
    if year_column is not None:
        if year_column not in wide.columns:
            raise SourceFormatError(source, f"no {year_column} column")
        wide = wide[wide[year_column].astype(str) == str(vintage)]
        if wide.empty:
            raise SourceFormatError(source, f"no rows for {year_column}={vintage}")
    if county_prefix:
        wide = wide[wide["GEOID"].str.startswith(county_prefix)]
    pairs = []
    for col in wide.columns:
        match = _EST.match(col)
        if match:
            var = match.group(1)
            pairs.append((var, col, f"{var}M" if f"{var}M" in wide.columns else None))
    if not pairs:
        raise SourceFormatError(source, "no ACS estimate columns (…E) found")
    value_cols = [c for _, e, m in pairs for c in (e, m) if c]
    wide = collapse_repeats(wide[["GEOID", *value_cols]], value_cols, source)
    return tidy_from_wide(wide, pairs, dataset=dataset, vintage=vintage, source=source)


def load_acs_year_if_present(
    path: Path, vintage: int, year_column: str, source: str
) -> pd.DataFrame | None:
    """The tidy rows of ``vintage`` in a multi-year ACS file, or ``None`` when the file
    holds no row of that year (a single-year file has no year before to compare with)."""
    years = read_text_csv(path, source)[year_column].astype(str)
    if str(vintage) not in set(years):
        return None
    return load_acs_csv(path, vintage=vintage, year_column=year_column, source=source)


def load_social_explorer(
    path: Path,
    codes_path: Path | None,
    *,
    vintage: int,
    source: str = "acs-socialexplorer",
    county_prefix: str | None = "06037",
    required: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a Social Explorer tract export into the tidy frame (estimates, null MOEs).

    When the header holds descriptive labels, ``codes_path`` (a two-column CSV
    ``column_label,socialexplorer_code``) maps them to ``SE_Axxxxx_nnn`` codes. The
    variable keeps the SE code; ``table`` is the SE table (``A12002``).
    """
    wide = read_text_csv(path, source)
    if codes_path is not None:
        codes = read_text_csv(codes_path, source)
        if not {"column_label", "socialexplorer_code"} <= set(codes.columns):
            raise SourceFormatError(source, "codes file lacks column_label/socialexplorer_code")
        mapping = dict(zip(codes["column_label"], codes["socialexplorer_code"], strict=True))
        wide = wide.rename(columns=mapping)
    require_columns(wide, required, source)
    wide["GEOID"] = normalise_geoid(wide[geoid_column(wide, source)], source)
    if county_prefix:
        wide = wide[wide["GEOID"].str.startswith(county_prefix)]
    value_cols = [c for c in wide.columns if re.match(r"^SE_[A-Z]\d{5}_\d{3}$", c)]
    if not value_cols:
        raise SourceFormatError(source, "no Social Explorer value columns (SE_…) found")
    wide = collapse_repeats(wide[["GEOID", *value_cols]], value_cols, source)
    return tidy_from_wide(
        wide,
        [(c, c, None) for c in value_cols],
        table_of={c: c.split("_")[1] for c in value_cols},
        dataset="socialexplorer",
        vintage=vintage,
        source=source,
    )

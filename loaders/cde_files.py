"""What CDE's school-level data files share: how to read them and their cells.

The Free or Reduced-Price Meal files (:mod:`loaders.cde_frpm`) and the unduplicated pupil
counts (:mod:`loaders.cde_upc`) come from the same office and share their quirks:

* **Headers with line breaks.** CDE writes header cells over several lines
  (``"Enrollment \\n(K-12)"``); runs of white space are read as one space.
* **Workbooks or CSV.** CDE publishes ``.xlsx`` workbooks whose data sheet may open
  with a title row; the header is the first row whose first cell is ``Academic Year``.
  A CSV conversion (the mirror's) is read with every cell as text.
* **CDS codes in three parts.** ``County Code`` (2 digits), ``District Code`` (5) and
  ``School Code`` (7) make the 14-digit CDS code of the school directory. A spreadsheet
  that turned them into numbers drops their leading zeros (``0100776`` → ``100776``):
  they are padded back, and anything but digits is refused.
* **Rows that are not schools.** School code ``0000000`` is a district office and
  ``0000001`` the district's pupils placed in nonpublic, nonsectarian schools: pupils with
  no school of their own, counted in the county's totals but at no place.
* **Counts with thousands separators** (``"1,029"`` in the 2018-19 to 2020-21 files).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.errors import SourceFormatError

LA_COUNTY_CODE = "19"
#: school codes that are not schools, and what their rows count
NOT_SCHOOLS = {
    "0000000": "district office",
    "0000001": "nonpublic, nonsectarian school placements",
}
CDS_PARTS = (("County Code", 2), ("District Code", 5), ("School Code", 7))
HEADER_START = "Academic Year"
_COUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+")


def header_name(cell: object) -> str:
    """A header cell with its line breaks and runs of spaces read as one space."""
    return " ".join(str(cell).split())


def _read_workbook(path: Path, source: str, sheet: str) -> pd.DataFrame:
    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=str, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:
        raise SourceFormatError(source, f"unreadable workbook {path.name}: {exc}") from exc
    starts = np.flatnonzero(raw.iloc[:, 0].map(header_name).to_numpy() == HEADER_START)
    if starts.size == 0:
        raise SourceFormatError(source, f"no {HEADER_START!r} header row in sheet {sheet!r}")
    header = raw.iloc[starts[0]].map(header_name)
    frame = raw.iloc[starts[0] + 1 :].set_axis(list(header), axis=1)
    return frame.dropna(how="all").reset_index(drop=True)


def read_cde_table(path: Path, source: str, sheet: str, required: list[str]) -> pd.DataFrame:
    """Every cell of a CDE school-level file as text, headers normalised, LA rows only.

    ``path`` is an ``.xlsx`` workbook (``sheet`` is read) or a CSV. Adds ``cds_code``
    (14 digits) and ``record`` (``school`` or a :data:`NOT_SCHOOLS` kind). Refuses a file
    without the ``required`` columns, with malformed or repeated CDS codes, or with no
    LA County row.
    """
    if path.suffix.lower() == ".xlsx":
        frame = _read_workbook(path, source, sheet)
    else:
        frame = read_text_csv(path, source)
        frame.columns = [header_name(c) for c in frame.columns]
    missing = [c for c in [*(p for p, _ in CDS_PARTS), *required] if c not in frame.columns]
    if missing:
        raise SourceFormatError(source, f"{path.name} lacks columns {missing}")
    parts = []
    for column, width in CDS_PARTS:
        text = frame[column].fillna("").astype(str).str.strip().str.removesuffix(".0")
        bad = ~text.str.fullmatch(rf"\d{{1,{width}}}")
        if bad.any():
            raise SourceFormatError(
                source, f"{column} must be up to {width} digits, got {list(text[bad][:3])}"
            )
        parts.append(text.str.zfill(width))
    frame = frame.assign(cds_code=parts[0] + parts[1] + parts[2])
    frame = frame[parts[0] == LA_COUNTY_CODE].reset_index(drop=True)
    if frame.empty:
        raise SourceFormatError(source, f"{path.name} has no LA County (code 19) row")
    repeated = frame["cds_code"].duplicated()
    if repeated.any():
        raise SourceFormatError(
            source, f"CDS codes listed twice: {list(frame['cds_code'][repeated][:3])}"
        )
    school = frame["cds_code"].str[7:]
    return frame.assign(record=school.map(NOT_SCHOOLS).fillna("school"))


def counts(values: pd.Series, source: str, column: str) -> pd.Series:
    """Whole-number counts (``"1,029"``, ``"1029"`` or ``1029.0``) as floats; a blank cell is
    null; any other text is refused, naming the column and the cell."""
    text = values.fillna("").astype(str).str.strip().str.removesuffix(".0")
    bad = (text != "") & ~text.str.fullmatch(_COUNT)
    if bad.any():
        raise SourceFormatError(source, f"{column}: not a count: {list(text[bad][:3])}")
    return pd.to_numeric(text.str.replace(",", ""), errors="coerce").astype("float64")


def percents(values: pd.Series, source: str, column: str) -> pd.Series:
    """Percentages 0-100 from either form CDE has used: ``"68.1%"`` text (2018-19 to
    2020-21) or the stored 0-1 ratio (2022-23 workbooks). One column must use one form."""
    text = values.fillna("").astype(str).str.strip()
    marked = text.str.endswith("%")
    filled = text != ""
    if marked.any() and (filled & ~marked).any():
        raise SourceFormatError(
            source, f"{column} mixes '%' text and plain numbers: {list(text[filled & ~marked][:3])}"
        )
    number = pd.to_numeric(text.str.removesuffix("%"), errors="coerce")
    if (filled & number.isna()).any():
        raise SourceFormatError(
            source, f"{column}: not a number: {list(text[filled & number.isna()][:3])}"
        )
    if not marked.any():
        number = number * 100.0
    outside = ~number.between(0.0, 100.0) & number.notna()
    if outside.any():
        raise SourceFormatError(
            source, f"{column}: percent outside 0-100: {list(text[outside][:3])}"
        )
    return number.astype("float64")


def year_label(academic_year: str) -> str:
    """``2022-2023`` → ``2022-23`` (CDE's own short form)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})?(\d{2})", academic_year.strip())
    if not match:
        raise ValueError(f"not an academic year: {academic_year!r}")
    return f"{match.group(1)}-{match.group(3)}"


def one_year(frame: pd.DataFrame, source: str) -> str:
    """The single academic year a file covers (``2022-23``); a file mixing years is refused."""
    years = sorted(set(frame[HEADER_START].dropna().astype(str).str.strip()))
    if len(years) != 1:
        raise SourceFormatError(source, f"one academic year expected, found {years}")
    try:
        return year_label(years[0])
    except ValueError as exc:
        raise SourceFormatError(source, str(exc)) from exc

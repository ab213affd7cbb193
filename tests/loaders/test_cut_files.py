"""A file cut inside its last row is refused; a whole file without a final newline is not.

pandas reads a cut last row without complaint (missing fields as nulls, a cut field
short), so each case below used to load: a block-group centre at longitude -117. or -11,
a median income's MOE of 142 instead of 14262.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import acs_extracts, population
from loaders.errors import SourceFormatError


def _write(tmp_path: Path, text: str, name: str = "cut.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def _centres(fixtures: Path) -> str:
    return (fixtures / "cenpop2020_blockgroups_snippet.txt").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("cut_to", ["-117.", "-11"])
def test_a_centre_cut_inside_its_longitude_is_refused(tmp_path, fixtures, cut_to):
    whole = _centres(fixtures).rstrip("\n")
    assert whole.endswith("-117.900000")
    path = _write(tmp_path, whole.removesuffix("-117.900000") + cut_to)
    with pytest.raises(SourceFormatError, match="ends inside its last field: LONGITUDE"):
        population.load_blockgroup_centers(path, county="06059")


def test_a_cut_that_keeps_the_form_of_the_value_loads(tmp_path, fixtures):
    # -117.900000 cut to -117.9 is the same point: nothing to refuse
    whole = _centres(fixtures).rstrip("\n")
    path = _write(tmp_path, whole.removesuffix("00000"))
    centres = population.load_blockgroup_centers(path, county="06059")
    assert round(centres.geometry.x.iloc[0], 4) == -117.9


def test_a_last_row_missing_fields_is_refused(tmp_path, fixtures):
    whole = _centres(fixtures).rstrip("\n")
    path = _write(tmp_path, whole.removesuffix(",-117.900000")[:-3])
    with pytest.raises(SourceFormatError, match="ends mid-row: its last row has 6 of 7 fields"):
        population.load_blockgroup_centers(path, county="06059")


def test_a_median_cut_inside_its_moe_is_refused(tmp_path, fixtures):
    text = (fixtures / "b19013_multiyear_snippet.csv").read_text()
    text += "2022,06037000100,6037000100,Census Tract 1,Los Angeles,54000.0,14262.0\n"
    whole = _write(tmp_path, text.rstrip("\n"), "whole.csv")
    tidy = acs_extracts.load_acs_csv(whole, vintage=2022, year_column="YEAR")
    assert tidy.set_index("GEOID")["moe"]["06037000100"] == 14262  # no newline, yet whole
    cut = _write(tmp_path, text.rstrip("\n").removesuffix("62.0"), "cut.csv")
    with pytest.raises(SourceFormatError, match="B19013_001M = '142'"):
        acs_extracts.load_acs_csv(cut, vintage=2022, year_column="YEAR")


def test_a_whole_last_row_with_empty_cells_and_no_final_newline_loads(tmp_path, fixtures):
    # data.census.gov and Social Explorer exports may end without a newline; an empty
    # cell in the last row is a published blank, not a cut
    text = (fixtures / "b19013_multiyear_snippet.csv").read_text().rstrip("\n")
    assert text.endswith(",250000.0,")  # the last MOE is empty
    tidy = acs_extracts.load_acs_csv(_write(tmp_path, text), vintage=2022, year_column="YEAR")
    assert tidy.set_index("GEOID")["moe"].isna()["06037206300"]

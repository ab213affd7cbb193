"""CDE school-level counts: one test per quirk of the FRPM and UPC files, on hand-written
snippets in each upstream layout (tests/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loaders.cde_files import counts, percents, year_label
from loaders.cde_frpm import load_frpm
from loaders.cde_upc import load_upc
from loaders.community_schools import load_community_schools
from loaders.errors import SourceFormatError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FRPM_TEXT = FIXTURES / "cde_frpm1819_snippet.csv"
FRPM_RATIO = FIXTURES / "cde_frpm2223_snippet.csv"
UPC = FIXTURES / "cde_cupc2122_snippet.csv"


def _rewrite(src: Path, dst: Path, old: str, new: str) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    dst.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return dst


def test_headers_with_line_breaks_are_read_as_one_line() -> None:
    frame = load_frpm(FRPM_TEXT)
    assert list(frame["enrollment"]) == [40, 20, 1200, 800, 300]
    upc = load_upc(UPC)
    assert list(upc["frpm_count"]) == [8, 950, 470, 0]  # "Free &\nReduced\nMeal\nProgram"


def test_cds_codes_are_built_from_three_parts_with_their_zeros(tmp_path: Path) -> None:
    frame = load_frpm(FRPM_TEXT)
    assert "19100010333333" in set(frame["cds_code"])
    # a spreadsheet that made the parts numbers: 0333333 -> 333333, still the same school
    lost = _rewrite(FRPM_TEXT, tmp_path / "f.csv", ",10001,0333333,", ",10001,333333,")
    assert set(load_frpm(lost)["cds_code"]) == set(frame["cds_code"])
    bad = _rewrite(FRPM_TEXT, tmp_path / "g.csv", ",10001,0333333,", ",10001,03333X3,")
    with pytest.raises(SourceFormatError, match="School Code must be up to 7 digits"):
        load_frpm(bad)


def test_district_offices_and_nonpublic_placements_are_not_schools() -> None:
    records = load_frpm(FRPM_TEXT).set_index("cds_code")["record"]
    assert records["19100010000000"] == "district office"
    assert records["19100010000001"] == "nonpublic, nonsectarian school placements"
    assert (records.drop(["19100010000000", "19100010000001"]) == "school").all()


def test_percent_text_and_thousands_separators() -> None:
    frame = load_frpm(FRPM_TEXT).set_index("cds_code")
    school = frame.loc["19100011111111"]
    assert school["enrollment"] == 1200  # "1,200"
    assert school["frpm_count"] == 1020  # "1,020"
    assert school["frpm_pct"] == pytest.approx(85.0)  # "85.0%"
    assert frame["year"].iloc[0] == "2018-19"


def test_ratios_of_2022_23_are_read_as_percents() -> None:
    frame = load_frpm(FRPM_RATIO).set_index("cds_code")
    assert frame.loc["19100011111111", "frpm_pct"] == pytest.approx(100 * 990 / 1150)
    assert frame.loc["19100010333333", "frpm_pct"] == pytest.approx(100.0)  # stored as 1
    assert frame["year"].iloc[0] == "2022-23"


def test_each_percent_must_equal_its_count_over_enrolment(tmp_path: Path) -> None:
    # 85.0% stated for 1,020 of 1,200: move it one decimal beyond rounding and it is refused
    off = _rewrite(FRPM_TEXT, tmp_path / "f.csv", '"1,020",85.0%', '"1,020",85.1%')
    with pytest.raises(SourceFormatError, match="disagrees with count / enrolment"):
        load_frpm(off)
    within = _rewrite(FRPM_TEXT, tmp_path / "g.csv", '"1,020",85.0%', '"1,020",85.04%')
    assert load_frpm(within).set_index("cds_code").loc["19100011111111", "frpm_pct"] == 85.04


def test_a_ratio_column_written_as_percent_numbers_is_refused(tmp_path: Path) -> None:
    # 0.6 written as 60 (no % sign) would read as 6,000%
    scaled = _rewrite(FRPM_RATIO, tmp_path / "f.csv", "456,0.6,", "456,60,")
    with pytest.raises(SourceFormatError, match="outside 0-100"):
        load_frpm(scaled)


def test_a_column_mixing_the_two_forms_is_refused() -> None:
    with pytest.raises(SourceFormatError, match="mixes '%' text and plain numbers"):
        percents(pd.Series(["68.1%", "0.5"]), "frpm", "Percent")
    assert list(percents(pd.Series(["68.1%", ""]), "frpm", "Percent").fillna(-1)) == [68.1, -1]


def test_counts_refuse_suppression_marks_and_keep_blanks_null() -> None:
    assert list(counts(pd.Series(["1,029", "7", "", "12.0"]), "s", "c").fillna(-1)) == [
        1029,
        7,
        -1,
        12,
    ]
    with pytest.raises(SourceFormatError, match=r"not a count: \['\*'\]"):
        counts(pd.Series(["1", "*"]), "s", "c")
    with pytest.raises(SourceFormatError, match="not a count"):
        counts(pd.Series(["1,02"]), "s", "c")


def test_count_above_enrolment_is_refused(tmp_path: Path) -> None:
    over = _rewrite(UPC, tmp_path / "u.csv", ",480,79,500,", ",480,791,500,")
    with pytest.raises(SourceFormatError, match="english_learners: count above enrolment"):
        load_upc(over)


def test_upc_percents_and_other_counties() -> None:
    upc = load_upc(UPC).set_index("cds_code")
    assert "30200025555555" not in upc.index  # a statewide file: LA County rows only
    assert upc.loc["19100011111111", "english_learners_pct"] == pytest.approx(100 * 472 / 1180)
    assert upc.loc["19100012222222", "unduplicated_pct"] == pytest.approx(100 * 500 / 790)
    assert pd.isna(upc.loc["19100010333333", "english_learners_pct"])  # nobody enrolled
    assert upc["year"].iloc[0] == "2021-22"


def test_missing_columns_and_repeated_codes_are_refused(tmp_path: Path) -> None:
    renamed = _rewrite(UPC, tmp_path / "u.csv", '"English \nLearner \n(EL)"', "EL")
    with pytest.raises(SourceFormatError, match="English Learner"):
        load_upc(renamed)
    text = FRPM_RATIO.read_text(encoding="utf-8")
    last = text.strip().splitlines()[-1]
    (tmp_path / "twice.csv").write_text(text + last + "\r\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="CDS codes listed twice"):
        load_frpm(tmp_path / "twice.csv")


def test_a_file_mixing_years_is_refused(tmp_path: Path) -> None:
    mixed = _rewrite(
        FRPM_TEXT, tmp_path / "f.csv", "2018-2019,19,10001,2222222", "2019-2020,19,10001,2222222"
    )
    with pytest.raises(SourceFormatError, match="one academic year expected"):
        load_frpm(mixed)
    assert year_label("2022-2023") == "2022-23"


def test_a_workbook_with_a_title_row(tmp_path: Path) -> None:
    """CDE's own .xlsx: a title row above the header on the data sheet, numbers as numbers
    (school codes without their zeros)."""
    openpyxl = pytest.importorskip("openpyxl")
    source = pd.read_csv(FRPM_RATIO, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "FRPM School-Level Data"
    sheet.append(["Free or Reduced-Price Meal (Student Poverty) Data, 2022-23"])
    sheet.append(list(source.columns))
    for row in source.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    path = tmp_path / "frpm2223.xlsx"
    book.save(path)
    read = load_frpm(path).set_index("cds_code")
    expected = load_frpm(FRPM_RATIO).set_index("cds_code")
    assert list(read.index) == list(expected.index)
    pd.testing.assert_series_equal(read["frpm_pct"], expected["frpm_pct"])
    pd.testing.assert_series_equal(read["enrollment"], expected["enrollment"])


def test_community_schools_need_a_code(tmp_path: Path) -> None:
    header = (
        "cohort,name_as_published,source_url,cde_cds_code_candidate,cde_school_name,"
        "match_confidence"
    )
    good = tmp_path / "cs.csv"
    good.write_text(
        header
        + "\n5,Example Elementary,https://example.org,19100011111111,Example Elementary,high\n"
    )
    frame = load_community_schools(good)
    assert frame.loc[0, "cds_code"] == "19100011111111" and frame.loc[0, "cohort"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n6,Unmatched School,https://example.org,,,\n")
    with pytest.raises(
        SourceFormatError, match="no 14-digit CDS code for \\['Unmatched School'\\]"
    ):
        load_community_schools(bad)

"""File loaders on hand-written fixtures in the upstream formats."""

import geopandas as gpd
import pytest
from shapely.geometry import box

from loaders import acs_extracts, cde_schools, child_care, county_boundaries, svi, tiger
from loaders.errors import SourceFormatError
from tests import shapes


def test_svi_pads_fips_keeps_county_and_nulls_missing_code(fixtures):
    tidy = svi.load_svi(fixtures / "svi_snippet.csv")
    assert set(tidy.GEOID) == {"06037101110", "06037980003"}  # Alameda row cut
    noint = tidy[(tidy.variable == "SVI_NOINT") & (tidy.GEOID == "06037101110")].iloc[0]
    assert (noint.estimate, noint.moe, noint.table, noint.vintage) == (180, 80, "SVI2022", 2022)
    assert "SVI_NOINT" in set(tidy.variable) and "SVI_HH" in set(tidy.variable)


def test_s1701_csv_annotations_and_bom(fixtures):
    tidy = acs_extracts.load_acs_csv(
        fixtures / "s1701_snippet.csv", vintage=2022, dataset="acs5/subject"
    )
    assert set(tidy.variable) == {"S1701_C01_001", "S1701_C02_001", "S1701_C03_001"}
    row = tidy[(tidy.GEOID == "06037980003") & (tidy.variable == "S1701_C02_001")].iloc[0]
    assert row.estimate != row.estimate and "not computable" in row.note
    na = tidy[(tidy.GEOID == "06037206300") & (tidy.variable == "S1701_C02_001")].iloc[0]
    assert "not available" in na.note


def test_multiyear_file_keeps_one_year_and_collapses_agreeing_repeats(fixtures):
    tidy = acs_extracts.load_acs_csv(
        fixtures / "b19013_multiyear_snippet.csv", vintage=2022, year_column="YEAR"
    )
    assert len(tidy) == 2
    est = tidy.set_index("GEOID")["estimate"]
    assert est["06037101110"] == 65000
    assert tidy.set_index("GEOID")["moe"].isna()["06037206300"]


def test_conflicting_repeats_are_an_error(tmp_path, fixtures):
    text = (
        (fixtures / "b19013_multiyear_snippet.csv")
        .read_text()
        .replace(
            "2022,06037206300,6037206300,Census Tract 2063,Vernon,250000.0,",
            "2022,06037206300,6037206300,Census Tract 2063,Vernon,123.0,",
        )
    )
    path = tmp_path / "b.csv"
    path.write_text(text)
    with pytest.raises(SourceFormatError, match="different values"):
        acs_extracts.load_acs_csv(path, vintage=2022, year_column="YEAR")


def test_social_explorer_labels_to_codes_with_null_moes(fixtures):
    tidy = acs_extracts.load_social_explorer(
        fixtures / "socialexplorer_snippet.csv",
        fixtures / "socialexplorer_codes_snippet.csv",
        vintage=2021,
    )
    assert set(tidy.variable) == {"SE_A12002_001", "SE_A12002_002", "SE_A12002_005"}
    assert tidy.moe.isna().all()
    assert set(tidy.table) == {"A12002"}


def test_truncated_csv_is_a_clear_error(tmp_path, fixtures):
    raw = (fixtures / "s1701_snippet.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(raw[:60])  # mid-header
    with pytest.raises(SourceFormatError):
        acs_extracts.load_acs_csv(path, vintage=2022)


def test_pubschls_keeps_active_public_schools_with_coordinates(fixtures):
    schools, report = cde_schools.load_schools(fixtures / "pubschls_snippet.txt")
    assert list(schools["id"]) == ["19100001111111"]
    assert schools.crs.to_epsg() == 4326
    assert schools.iloc[0]["name"] == "Example Elementary"
    assert report == {
        "not active": 1,
        "district or county office record": 1,
        "outside LA County": 1,
        "no coordinates (blank or redacted)": 1,
    }


def test_directory_export_drops_private_and_out_of_area_points(fixtures):
    schools, report = cde_schools.load_schools(fixtures / "cde_directory_export_snippet.tsv")
    assert list(schools["id"]) == ["19100001111111"]
    assert report["private school"] == 1
    assert report["coordinates outside the LA County box"] == 1


def test_child_care(fixtures):
    sites, report = child_care.load_child_care([fixtures / "ccld_child_care_snippet.csv"])
    assert list(sites["id"]) == ["191234567"]
    assert sites.iloc[0]["capacity"] == 60 and sites.iloc[0]["category"] == "center"
    assert report["no published coordinates"] == 1
    assert report["capacity without coordinates"] == 14
    assert report["not licensed (closed, inactive …)"] == 1


def test_shapefile_district_ids_and_bowtie_repair(tmp_path):
    frame = gpd.GeoDataFrame(
        {"DISTRICT": ["04", "2"]},
        geometry=[shapes.bowtie(), box(-118.2, 34.0, -118.1, 34.1)],
        crs="EPSG:4326",
    )
    path = shapes.write_shapefile(frame, tmp_path / "districts.shp")
    layer, repaired = county_boundaries.load_districts(path, "Council District", "cd")
    assert repaired == 1
    assert list(layer["id"]) == ["4", "2"]
    assert layer.geometry.is_valid.all() and (layer.geometry.area > 0).all()
    assert list(layer["name"]) == ["Council District 4", "Council District 2"]


def test_csa_slugs_and_reprojection(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "LABEL": ["Los Angeles - Van Nuys", "Unincorporated - Altadena"],
            "CITY_TYPE": ["City", "Unincorporated"],
            "LCITY": ["Los Angeles", "Unincorporated"],
        },
        geometry=[
            box(6_400_000, 1_880_000, 6_410_000, 1_890_000),
            box(6_500_000, 1_880_000, 6_510_000, 1_890_000),
        ],
        crs="EPSG:2229",
    )
    path = shapes.write_shapefile(frame, tmp_path / "csa.shp")
    layer, _ = county_boundaries.load_communities(path)
    assert list(layer["id"]) == ["los-angeles-van-nuys", "unincorporated-altadena"]
    assert layer.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = layer.total_bounds
    assert -119 < minx < maxx < -117 and 33 < miny < maxy < 35


def test_shapefile_without_prj_is_rejected(tmp_path):
    path = shapes.write_shapefile(
        shapes.tract_frame().rename(columns={"id": "GEOID"}), tmp_path / "t.shp"
    )
    (tmp_path / "t.prj").unlink()
    with pytest.raises(SourceFormatError, match="CRS"):
        tiger.load_tracts(path)


def test_truncated_shapefile_is_a_clear_error(tmp_path):
    path = shapes.write_shapefile(
        shapes.tract_frame().rename(columns={"id": "GEOID"}), tmp_path / "t.shp"
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceFormatError):
        tiger.load_tracts(path)


def test_tracts_from_geojson_with_integer_geoids(tmp_path):
    frame = shapes.tract_frame().rename(columns={"id": "GEOID", "name": "NAME"})
    frame["GEOID"] = frame["GEOID"].str.lstrip("0")
    path = tmp_path / "tracts.geojson"
    frame.to_file(path)
    layer, _ = tiger.load_tracts(path)
    assert list(layer["id"]) == ["06037000100", "06037000200", "06037000300"]

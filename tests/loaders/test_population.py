"""Block-group centres of population (Census CenPop2020 format) and the tract supplement."""

import geopandas as gpd
import pytest
from shapely.geometry import box

from loaders.errors import SourceFormatError
from loaders.population import load_blockgroup_centers
from loaders.tiger import add_tracts
from tests import shapes


def test_centres_keep_leading_zeros_plus_signs_and_the_county(fixtures):
    frame = load_blockgroup_centers(fixtures / "cenpop2020_blockgroups_snippet.txt")
    assert list(frame["id"]) == ["060370001001", "060370001002", "060370002001"]
    assert list(frame["tract"]) == ["06037000100", "06037000100", "06037000200"]
    assert list(frame["population"]) == [1200.0, 0.0, 850.0]
    assert frame.crs.to_epsg() == 4326
    # "+34.004500" is a positive latitude (NAD83 → WGS84 moves it by about a metre)
    assert frame.geometry.iloc[0].y == pytest.approx(34.0045, abs=1e-4)
    assert frame.geometry.iloc[0].x == pytest.approx(-118.2955, abs=1e-4)


def test_centres_refuse_damaged_rows(tmp_path, fixtures):
    text = (fixtures / "cenpop2020_blockgroups_snippet.txt").read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.txt"
    bad.write_text(text.replace("+34.005000", "n/a"))
    with pytest.raises(SourceFormatError, match="LATITUDE"):
        load_blockgroup_centers(bad)
    renamed = tmp_path / "renamed.txt"
    renamed.write_text(text.replace("POPULATION", "POP"))
    with pytest.raises(SourceFormatError, match="POPULATION"):
        load_blockgroup_centers(renamed)
    twice = tmp_path / "twice.txt"
    lines = text.splitlines()
    twice.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(SourceFormatError, match="twice"):
        load_blockgroup_centers(twice)


def test_supplement_tracts_are_added_and_never_replace_one():
    tracts = shapes.tract_frame().iloc[:2]
    extra = shapes.tract_frame().iloc[2:].to_crs("EPSG:4269")
    joined = add_tracts(tracts, extra, "tracts-supplement")
    assert list(joined["id"]) == ["06037000100", "06037000200", "06037000300"]
    assert joined.crs.to_epsg() == 4326
    again = gpd.GeoDataFrame(
        {"id": ["06037000200"], "name": ["Census Tract 2"]},
        geometry=[box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )
    with pytest.raises(SourceFormatError, match="06037000200"):
        add_tracts(tracts, again, "tracts-supplement")


def test_a_supplement_overlapping_by_a_sliver_is_trimmed_to_a_clean_coverage():
    import shapely

    tracts = shapes.tract_frame().iloc[:2]
    c = shapes.tract_frame().iloc[2:]
    # tract C drawn from another vintage: it reaches 0.0001° into tract B
    wider = c.set_geometry(
        [
            box(
                shapes.X0 + 2 * shapes.D - 1e-4,
                shapes.Y0,
                shapes.X0 + 3 * shapes.D,
                shapes.Y0 + shapes.D,
            )
        ],
        crs="EPSG:4326",
    )
    joined = add_tracts(tracts, wider, "tracts-supplement")
    assert shapely.coverage_is_valid(joined.geometry.to_numpy())
    added = joined.set_index("id").geometry["06037000300"]
    assert added.area == pytest.approx(shapes.D * shapes.D, rel=1e-6)

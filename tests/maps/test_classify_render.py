import io
import re

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from maps.choropleth import Assets, Tiles, render_map
from maps.classify import (
    MapParameterError,
    classify,
    parse_breaks,
    parse_k,
    parse_palette,
    parse_scheme,
)
from maps.mapdata import MapData, Points, estimate_text, tooltip_rows
from maps.static import render_png


def sample(values, moes, rel) -> MapData:
    n = len(values)
    return MapData(
        layer_title="Test areas",
        indicator="poverty_pct",
        label="People below the poverty line",
        unit="percent",
        vintage="2022 (ACS 2018-2022 5-year)",
        source="acs5/subject table S1701",
        ids=[f"a{i}" for i in range(n)],
        names=[f"Area <{i}>" for i in range(n)],
        geoms=np.array([box(-118.3 + i * 0.01, 34, -118.29 + i * 0.01, 34.01) for i in range(n)]),
        values=np.array(values, dtype=float),
        moes=np.array(moes, dtype=float),
        reliability=rel,
        notes=["" if v is not None else "no people in the universe" for v in values],
    )


def test_nulls_are_never_classed_and_breaks_cover_the_data():
    values = np.array([1.0, 2, 3, 4, 5, 6, np.nan, 8, 9, 10])
    cls = classify(values, "quantiles", 5, "Blues")
    assert cls.classes[6] == -1
    assert (cls.classes[~np.isnan(values)] >= 0).all()
    assert cls.k == 5 and len(cls.colors) == 5
    assert cls.upper[-1] == 10 and cls.lower[0] == 1
    assert sum(cls.counts()) == 9
    # a value equal to an upper bound belongs to that class
    for v, c in zip(values, cls.classes, strict=True):
        if c >= 0:
            assert cls.lower[c] <= v <= cls.upper[c]


@pytest.mark.parametrize(
    "scheme", ["quantiles", "equal_interval", "fisher_jenks", "natural_breaks"]
)
def test_every_scheme_gives_k_ordered_classes(scheme):
    values = np.random.default_rng(1).gamma(2.0, 5.0, 300)
    cls = classify(values, scheme, 7, "YlOrRd")
    assert cls.k == 7
    # every value falls in the class whose bounds hold it, and the classes cover the data
    for value, c in zip(values, cls.classes, strict=True):
        assert cls.lower[c] <= value <= cls.upper[c] + 1e-9
    assert cls.upper[-1] == pytest.approx(values.max())
    counts = cls.counts()
    assert sum(counts) == len(values)  # equal intervals may leave a class empty
    assert len(set(cls.colors)) == 7


def test_user_breaks_and_too_few_distinct_values():
    values = np.array([5.0, 15, 25, 35])
    cls = classify(values, "user", 5, "Greens", [10, 20])
    assert cls.upper == [10, 20, 35] and list(cls.classes) == [0, 1, 2, 2]
    same = classify(np.array([3.0, 3.0, 3.0]), "quantiles", 5, "Greens")
    assert same.k == 1 and list(same.classes) == [0, 0, 0]


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: parse_k("2"), "k"),
        (lambda: parse_k("ten"), "k"),
        (lambda: parse_scheme("jenks"), "scheme"),
        (lambda: parse_palette("Rainbow"), "palette"),
        (lambda: parse_breaks(None, "user"), "breaks"),
        (lambda: parse_breaks("3,2,1", "user"), "breaks"),
        (lambda: parse_breaks("1,x", "user"), "breaks"),
        (lambda: parse_breaks("1,2", "quantiles"), "breaks"),
    ],
)
def test_bad_parameters_name_themselves(call, name):
    with pytest.raises(MapParameterError) as err:
        call()
    assert err.value.name == name


def test_tooltips_escape_names_and_carry_moe():
    data = sample([10.0, None, 30.0], [2.0, None, 12.0], ["high", None, "low"])
    rows = tooltip_rows(data)
    assert rows[0]["area"] == "Area &lt;0&gt;"
    assert rows[0]["estimate"] == "10.0% ± 2.0"
    assert rows[1]["estimate"].startswith("No data")
    assert "unreliable" in rows[2]["reliability"]
    assert estimate_text(61234.0, 5000.0, "dollars") == "$61,234 ± 5,000"


def test_html_map_uses_only_the_given_assets_and_marks_low_and_missing():
    data = sample([10.0, None, 30.0, 12.0], [2.0, None, 12.0, 1.0], ["high", None, "low", "high"])
    cls = classify(data.values, "quantiles", 3, "YlOrRd")
    page = render_map(data, cls, Assets.local("http://geo.test"), embed_url="http://geo.test/e")
    urls = set(re.findall(r"(?:src|href)=\"(https?://[^\"]+)\"", page))
    assert urls <= {
        "http://geo.test/assets/leaflet/leaflet.js",
        "http://geo.test/assets/leaflet/leaflet.css",
    }
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert page.count('"fill": "url(#geoapi-nodata)"') == 1
    assert "geoapi-hatch" in page and 'id="geoapi-legend"' in page
    assert "No data (1)" in page and "CV &gt; 30% (1)" in page
    assert "&lt;iframe src=&quot;http://geo.test/e&quot;" in page


def test_tiles_are_optional_and_embed_drops_the_title_panel():
    data = sample([1.0, 2.0, 3.0], [0.1, 0.1, 0.1], ["high"] * 3)
    cls = classify(data.values, "equal_interval", 3, "Blues")
    plain = render_map(data, cls, Assets.cdn(), embed=True)
    assert "tile.openstreetmap" not in plain and 'id="geoapi-title"' not in plain
    tiled = render_map(data, cls, Assets.cdn(), Tiles("https://t.example/{z}/{x}/{y}.png", "©"))
    assert "https://t.example/{z}/{x}/{y}.png" in tiled


def test_png_has_the_requested_size():
    data = sample([10.0, None, 30.0], [2.0, None, 12.0], ["high", None, "low"])
    data = MapData(
        **{
            **data.__dict__,
            "overlay": Points("Schools", np.array([-118.295]), np.array([34.005]), ["A"], ["B"]),
        }
    )
    cls = classify(data.values, "quantiles", 3, "Purples")
    png = render_png(data, cls, 640, 480)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (640, 480)


def test_tooltip_flags_an_moe_wider_than_the_whole_range():
    import dataclasses

    data = sample([4.0, 30.0], [120.0, 3.0], ["low", "high"])
    rows = tooltip_rows(data)
    assert "wider than the whole 0-100% range" in rows[0]["reliability"]
    assert "wider" not in rows[1]["reliability"]
    cautious = dataclasses.replace(data, cautions=["margin of error wider than the range of x", ""])
    assert "range of x" in tooltip_rows(cautious)[0]["reliability"]


def test_the_png_hatches_by_the_interactive_maps_rule():
    data = sample([10.0, 20.0, 30.0, 40.0], [1.0, 1.0, 1.0, 30.0], ["high", "high", "high", "low"])
    cls = classify(data.values, "quantiles", 3, "YlOrRd")
    # the legend left out: only the hatching can differ
    hatched = render_png(data, cls, 400, 300, legend="hidden", hatch=True)
    assert hatched != render_png(data, cls, 400, 300, legend="hidden", hatch=False)

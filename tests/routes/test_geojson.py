"""Every GeoJSON writer goes through geo_api.geojson, and what it writes is valid GeoJSON
(geojson-pydantic's models, the RFC 7946 structure)."""

import orjson
import pytest
from geojson_pydantic import Feature, FeatureCollection

from geo_api.geojson import feature, feature_collection, feature_head, feature_tail


def test_serializer_parts_make_valid_features_and_collections():
    geometry = b'{"type":"Point","coordinates":[-118.25,34.05]}'
    one = feature(feature_head("06037000100"), geometry, feature_tail({"a": 1.5, "b": None}))
    parsed = Feature.model_validate_json(one)
    assert parsed.id == "06037000100" and parsed.properties == {"a": 1.5, "b": None}
    linked = feature(feature_head(7), geometry, feature_tail({}, links=[{"href": "x"}]))
    assert orjson.loads(linked)["links"] == [{"href": "x"}]
    both = feature_collection([one, linked], numberMatched=2, links=[])
    collection = FeatureCollection.model_validate_json(both)
    assert len(collection.features) == 2
    assert orjson.loads(both)["numberMatched"] == 2
    empty = FeatureCollection.model_validate_json(feature_collection([]))
    assert empty.features == []


@pytest.mark.parametrize(
    "url",
    [
        "/collections/tracts/items",
        "/collections/neighborhoods/items?properties=no_subscription_pct&zoom=10",
        "/collections/schools/items",
        "/collections/tracts/items?bbox=-118.30,34.00,-118.285,34.01",
        "/priorities/la-deal?layer=tracts&f=geojson",
    ],
)
def test_collections_are_valid_geojson(client, url):
    r = client.get(url)
    assert r.status_code == 200
    collection = FeatureCollection.model_validate_json(r.content)
    assert collection.features, url
    for item in collection.features:
        assert item.id is not None and item.properties is not None


def test_one_feature_is_valid_geojson_with_links(client):
    r = client.get("/collections/tracts/items/06037000100")
    parsed = Feature.model_validate_json(r.content)
    assert parsed.id == "06037000100"
    assert {link["rel"] for link in orjson.loads(r.content)["links"]} >= {"self", "collection"}

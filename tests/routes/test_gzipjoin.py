"""Gzip pages assembled from precompressed features decode to the very same bytes."""

import gzip
import zlib

import pytest

from geo_api.gzipjoin import Fragments, gzip_join
from geo_api.responses import accepts_gzip, choose_encoding
from tests.shapes import X0, Y0, D

BBOX = f"{X0 + 0.2 * D},{Y0 + 0.2 * D},{X0 + 2.5 * D},{Y0 + 0.8 * D}"


def test_fragments_concatenate_into_one_valid_stream_in_any_order():
    features = [b'{"id":%d,"p":"%s"}' % (i, b"x" * (i * 37 % 500)) for i in range(40)]
    fragments = Fragments.of(features)
    for page in ([3, 1, 2], [39], list(range(40))[::-1], [5, 5, 7], []):
        head, tail = b'{"features":[', b"]}"
        raw = head + b",".join(features[i] for i in page) + tail
        body = gzip_join(head, tail, fragments, page)
        assert gzip.decompress(body) == raw
        # a streaming decoder (as browsers use) agrees, and finds the end of the stream
        decoder = zlib.decompressobj(wbits=31)
        assert decoder.decompress(body) == raw and decoder.eof and decoder.unused_data == b""


@pytest.mark.parametrize(
    ("header", "expected"),
    [("gzip", True), ("br, gzip", True), ("gzip;q=0", False), ("br", False), ("", False)],
)
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", "identity"),
        ("BR", "br"),
        ("", "identity"),
    ],
)
def test_the_coding_chosen_honours_refusals(header, expected):
    """One reader of Accept-Encoding: a coding given q=0 is never sent."""
    assert choose_encoding(header) == expected


def test_a_new_bbox_page_is_joined_gzip_equal_to_the_plain_page(client):
    url = f"/collections/tracts/items?bbox={BBOX}"
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for accept in ("gzip", "br, gzip, deflate"):
        joined = client.get(url, headers={"accept-encoding": accept})
        assert joined.headers["content-encoding"] == "gzip"
        assert joined.content == plain.content  # httpx decoded the gzip body
        assert joined.headers["etag"].endswith('-gzip"')
    assert len(plain.json()["features"]) == 3
    # with properties= the page is compressed as a whole, as before
    some = client.get(url + "&properties=population", headers={"accept-encoding": "gzip"})
    assert some.json()["features"][0]["properties"].keys() == {"id", "name", "population"}

"""The one place GeoJSON bytes are written: features and feature collections.

Features are assembled from pre-serialized parts so pages cost no re-encoding: a *head*
(``{"type":"Feature","id":…,"geometry":``), the geometry bytes, and a *tail* holding the
properties (and any extra members) and the closing brace. Collections wrap a list of
feature bytes with their top-level members. Every writer (items, one item, rankings,
catalogue layers) goes through these functions, and the tests validate what they write
with geojson-pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson


def feature_head(feature_id: Any) -> bytes:
    """``{"type":"Feature","id":<id>,"geometry":`` (the geometry follows)."""
    return b'{"type":"Feature","id":' + orjson.dumps(feature_id) + b',"geometry":'


def feature_tail(properties: dict[str, Any], **members: Any) -> bytes:
    """``,"properties":{…}`` plus any other ``members`` (e.g. ``links``) and ``}``."""
    extra = b"".join(b',"' + k.encode() + b'":' + orjson.dumps(v) for k, v in members.items())
    return b',"properties":' + orjson.dumps(properties) + extra + b"}"


def feature(head: bytes, geometry: bytes, tail: bytes) -> bytes:
    """One Feature from its pre-serialized parts."""
    return head + geometry + tail


def collection_parts(**members: Any) -> tuple[bytes, bytes]:
    """The bytes before and after the comma-joined features of a FeatureCollection with
    top-level ``members`` (``numberMatched``, ``links``, … in the order given)."""
    top = b"".join(b'"' + k.encode() + b'":' + orjson.dumps(v) + b"," for k, v in members.items())
    return b'{"type":"FeatureCollection",' + top + b'"features":[', b"]}"


def feature_collection(features: Iterable[bytes], **members: Any) -> bytes:
    """A FeatureCollection of pre-serialized ``features`` with top-level ``members``."""
    head, tail = collection_parts(**members)
    return head + b",".join(features) + tail

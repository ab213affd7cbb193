"""CQL2 filters (OGC API - Features Part 3) for ``/collections/{layer}/items?filter=``.

``filter-lang=cql2-text`` (the default; ``cql-text``, the draft name GDAL sends, is an
alias) or ``cql2-json``. Parsing and evaluation are pygeofilter's (its CQL2 parsers and
GeoPandas backend), over the layer's in-memory frame in EPSG:4326: comparisons, ``AND``/
``OR``/``NOT``, ``IN``, ``BETWEEN``, ``LIKE``, ``IS NULL``, ``casei()``, arithmetic and
the spatial predicates (``S_INTERSECTS(geometry, POLYGON(...))`` …) with geometry
literals in lon/lat. A property the layer lacks, or text that does not parse, is a 400
that names it; a null value never matches a comparison.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from geo_api.catalog import LayerData
from geo_api.errors import InvalidParameter, UnknownParameter

LANGS = {"cql2-text": "cql2-text", "cql-text": "cql2-text", "cql2-json": "cql2-json"}
GEOMETRY = "geometry"


def _lower(value: Any) -> Any:
    """CQL2 ``casei()`` (pygeofilter names it ``lower``) on a column or a literal."""
    if isinstance(value, pd.Series):
        return value.astype("string").str.lower()
    return str(value).lower()


def parse_filter(text: str, lang: str | None) -> Any:
    """The pygeofilter AST of ``text`` in ``lang`` (default cql2-text), or a 400."""
    chosen = LANGS.get(lang or "cql2-text")
    if chosen is None:
        raise InvalidParameter(f"unknown filter-lang {lang!r}", valid=sorted(LANGS))
    try:
        if chosen == "cql2-json":
            from pygeofilter.parsers.cql2_json import parse as parse_json

            return parse_json(json.loads(text))
        from pygeofilter.parsers.cql2_text import parse as parse_text

        return parse_text(text)
    except Exception as exc:  # lark and json errors: the text is the client's
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InvalidParameter(f"filter is not valid {chosen}: {message}") from None


def attributes(node: Any) -> set[str]:
    """Every property name the filter reads."""
    from pygeofilter import ast

    if isinstance(node, ast.Attribute):
        return {node.name}
    found: set[str] = set()
    subs = node.get_sub_nodes() if isinstance(node, ast.Node) else []
    for sub in subs if isinstance(subs, list) else [subs]:
        for item in sub if isinstance(sub, list) else [sub]:
            found |= attributes(item)
    return found


def filter_mask(layer: LayerData, tree: Any) -> np.ndarray:
    """Boolean mask of the features of ``layer`` that match the parsed filter ``tree``."""
    from pygeofilter.backends.geopandas.evaluate import to_filter

    unknown = attributes(tree) - set(layer.properties) - {GEOMETRY}
    if unknown:
        raise UnknownParameter(
            f"unknown properties in filter: {sorted(unknown)}",
            valid=sorted([*layer.properties, GEOMETRY]),
        )
    try:
        result = to_filter(layer.frame, tree, {}, {"lower": _lower})
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidParameter(f"filter cannot be applied: {str(exc)[:200]}") from None
    mask = (
        pd.Series(result, index=layer.frame.index) if not isinstance(result, pd.Series) else result
    )
    return mask.fillna(False).astype(bool).to_numpy()

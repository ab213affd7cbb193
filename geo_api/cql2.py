"""CQL2 filters (OGC API - Features Part 3) for ``/collections/{layer}/items?filter=``.

``filter-lang=cql2-text`` (the default; ``cql-text``, the draft name GDAL sends, is an
alias) or ``cql2-json``. Parsing and evaluation are pygeofilter's (its CQL2 parsers and
GeoPandas backend), over the layer's in-memory frame in EPSG:4326: comparisons, ``AND``/
``OR``/``NOT``, ``IN``, ``BETWEEN``, ``LIKE``, ``IS NULL``, ``casei()`` and ``accenti()``
(on any operand, nested either way), arithmetic and the spatial predicates
(``S_INTERSECTS(geometry, POLYGON(...))`` …). Geometry literals are in lon/lat unless
``filter-crs`` names another offered CRS (:mod:`geo_api.crs`:
EPSG:4326 latitude first, 3857, 3310, 2229), in which case they are moved to lon/lat
before evaluation (:func:`literals_to_crs84`). A property the layer lacks, or text that
does not parse, is a 400 that names it. Nulls follow CQL2's three-valued logic: a comparison
with a null is unknown, NOT of unknown is unknown, and only true selects. LIKE is
:mod:`geo_api.cql2like`'s; NOT takes any condition (:func:`_text_parser`); a filter is
bounded in size and depth (:func:`check_size`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo_api.catalog import LayerData
from geo_api.cql2like import like_series
from geo_api.crs import Crs, from_crs
from geo_api.errors import InvalidParameter, UnknownParameter

#: the most nodes (terms, values) and levels of nesting one filter may have
MAX_FILTER_NODES, MAX_FILTER_DEPTH = 1000, 120
LANGS = {"cql2-text": "cql2-text", "cql-text": "cql2-text", "cql2-json": "cql2-json"}
GEOMETRY = "geometry"


def _lower(value: Any) -> Any:
    """CQL2 ``casei()`` (pygeofilter names it ``lower``) on a column or a literal."""
    if isinstance(value, pd.Series):
        return value.astype("string").str.lower()
    return str(value).lower()


def strip_accents(text: str) -> str:
    """``text`` without its diacritics (NFKD, combining marks dropped): ``Peñ`` → ``Pen``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _accenti(value: Any) -> Any:
    """CQL2 ``accenti()`` on a column or a literal (nulls stay null)."""
    if isinstance(value, pd.Series):
        return value.map(lambda v: strip_accents(v) if isinstance(v, str) else v)
    return strip_accents(str(value))


def parse_filter(text: str, lang: str | None) -> Any:
    """The pygeofilter AST of ``text`` in ``lang`` (default cql2-text), or a 400."""
    chosen = LANGS.get(lang or "cql2-text")
    if chosen is None:
        raise InvalidParameter(f"unknown filter-lang {lang!r}", valid=sorted(LANGS))
    try:
        if chosen == "cql2-json":
            from pygeofilter.parsers.cql2_json import parse as parse_json

            tree = parse_json(_standard_between(json.loads(text)))
            _fix_json_envelopes(tree)
        else:
            tree = _text_parser().parse(text)
    except Exception as exc:  # lark and json errors: the text is the client's
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InvalidParameter(f"filter is not valid {chosen}: {message}") from None
    from pygeofilter import ast

    if not isinstance(tree, ast.Node) or isinstance(tree, ast.Attribute):
        raise InvalidParameter(f"filter is not a {chosen} predicate (a condition to test)")
    check_size(tree)
    return tree


#: pygeofilter's cql2-text grammar lets NOT take only a single predicate, so the valid
#: ``NOT (a OR b)`` and ``NOT ((x))`` did not parse; CQL2 lets it take any condition
NOT_RULES = re.compile(
    r'\| "NOT"i predicate\s+-> not_\s*\n\s*\| "NOT"i "\(" predicate "\)"\s+-> not_'
)


@cache
def _text_parser() -> Any:
    """pygeofilter's cql2-text parser, built from its own grammar with ``NOT`` of any
    condition (:data:`NOT_RULES`) and its own transformer into the same AST."""
    from lark import Lark
    from pygeofilter.parsers.cql2_text import parser as upstream

    path = Path(upstream.__file__).with_name("grammar.lark")
    grammar, replaced = NOT_RULES.subn('| "NOT"i condition_1 -> not_', path.read_text())
    if replaced != 1:  # a changed upstream grammar: its own parser, as it is
        return upstream.parser
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=upstream.CQLTransformer(),
        import_paths=[str(path.parent.parent)],
        source_path=str(path),
    )


def _standard_between(doc: Any) -> Any:
    """cql2-json's ``between`` as the standard writes it, ``[x, low, high]``, in the form
    pygeofilter reads (``[x, [low, high]]``); the nested form is accepted as it is."""
    if isinstance(doc, list):
        return [_standard_between(item) for item in doc]
    if not isinstance(doc, dict):
        return doc
    out = {k: _standard_between(v) for k, v in doc.items()}
    args = out.get("args")
    if out.get("op") == "between" and isinstance(args, list) and len(args) == 3:
        out["args"] = [args[0], [args[1], args[2]]]
    return out


def attributes(node: Any) -> set[str]:
    """Every property name the filter reads."""
    from pygeofilter import ast

    return {n.name for n in [node, *_nodes(node)] if isinstance(n, ast.Attribute)}


def _children(node: Any) -> list[Any]:
    from pygeofilter import ast

    subs = node.get_sub_nodes() if isinstance(node, ast.Node) else []
    out: list[Any] = []
    for sub in subs if isinstance(subs, list) else [subs]:
        out += sub if isinstance(sub, list) else [sub]
    return out


def _nodes(node: Any) -> list[Any]:
    """Every node below ``node`` (literals included), depth first, without recursion (a
    filter's depth is checked only once it is walked)."""
    found: list[Any] = []
    stack = list(reversed(_children(node)))
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(reversed(_children(item)))
    return found


def check_size(tree: Any) -> None:
    """A 400 for a filter past :data:`MAX_FILTER_NODES` nodes or :data:`MAX_FILTER_DEPTH`
    levels: each costs a pass over the layer, and the evaluator recurses by level."""
    depth, stack, count = 0, [(tree, 1)], 0
    while stack:
        node, level = stack.pop()
        count, depth = count + 1, max(depth, level)
        if count > MAX_FILTER_NODES or depth > MAX_FILTER_DEPTH:
            raise InvalidParameter(
                f"the filter is too large: at most {MAX_FILTER_NODES} terms and values and "
                f"{MAX_FILTER_DEPTH} levels of nesting"
            )
        stack.extend((child, level + 1) for child in _children(node))


def _is_bbox(node: Any) -> bool:
    """A cql2-text ``BBOX(minx, miny, maxx, maxy[, …])`` literal, which pygeofilter parses
    as a function call (evaluated by :func:`_bbox`)."""
    from pygeofilter import ast

    return isinstance(node, ast.Function) and node.name.lower() == "bbox"


def _bbox(*coords: Any) -> Any:
    """The polygon of a CQL2 bbox literal: 4 numbers, or 6 with the heights dropped."""
    import shapely

    if len(coords) not in (4, 6) or not all(isinstance(c, int | float) for c in coords):
        raise ValueError("BBOX takes 4 numbers (minx, miny, maxx, maxy) or 6 (with z)")
    minx, miny, maxx, maxy = coords if len(coords) == 4 else (*coords[:2], *coords[3:5])
    return shapely.box(minx, miny, maxx, maxy)


def _fix_json_envelopes(tree: Any) -> None:
    """Put cql2-json ``{"bbox": [minx, miny, maxx, maxy]}`` literals right, in place.

    pygeofilter 0.3 builds them as ``Envelope(*bbox)`` while its fields are ordered
    ``x1, x2, y1, y2``: ``x2`` receives miny and ``y1`` maxx, and the box it evaluates
    is wrong without any error. The fields are swapped back here.
    """
    from pygeofilter import values

    for node in _nodes(tree):
        if isinstance(node, values.Envelope):
            node.x2, node.y1 = node.y1, node.x2


#: functions that may wrap a LIKE pattern (pygeofilter names casei ``lower``)
CASE_ACCENT = ("lower", "casei", "accenti")
#: the function a projected BBOX literal becomes: it returns the rectangle drawn in the
#: filter-crs, as a lon/lat polygon (a name no filter text can call)
PROJECTED_BBOX = "projected bbox"
#: points per edge of a projected BBOX rectangle moved to lon/lat (its edges bend)
BBOX_EDGE_POINTS = 64


def rectangle_crs84(corners: tuple[Any, ...], crs: Crs) -> Any:
    """The rectangle ``corners`` (minx, miny, maxx, maxy in ``crs``'s axis order) as the
    lon/lat polygon it is, edges densified: its lon/lat envelope would hold ground 40-140 m
    outside it under EPSG:3310 or 2229."""
    import shapely

    if not all(isinstance(c, int | float) for c in corners):
        raise ValueError("BBOX takes 4 numbers (minx, miny, maxx, maxy) or 6 (with z)")
    minx, miny, maxx, maxy = (float(c) for c in corners)
    step = max(maxx - minx, maxy - miny) / BBOX_EDGE_POINTS
    rectangle = shapely.box(minx, miny, maxx, maxy)
    if step > 0:
        rectangle = shapely.segmentize(rectangle, step)
    moved = from_crs(np.array([rectangle]), crs)[0]
    minlon, minlat, maxlon, maxlat = shapely.bounds(moved)
    if moved.is_empty or not (-180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90):
        raise ValueError("its coordinates fall outside the CRS's range")
    return moved


def literals_to_crs84(node: Any, crs: Crs) -> None:
    """Move every geometry and bbox literal of the filter ``node`` from ``crs`` (the
    ``filter-crs``, in its own axis order) to CRS84 lon/lat, in place; a 400 when one
    cannot be read in ``crs``."""
    import shapely
    from pygeofilter import values

    if crs.is_default:
        return
    for child in _nodes(node):
        try:
            if isinstance(child, values.Geometry):
                moved = from_crs(np.array([shapely.geometry.shape(child.geometry)]), crs)[0]
                minx, miny, maxx, maxy = shapely.bounds(moved)
                lonlat = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
                if moved.is_empty or not lonlat:  # NaN fails too
                    raise ValueError("its coordinates fall outside the CRS's range")
                child.geometry = shapely.geometry.mapping(moved)
            elif isinstance(child, values.Envelope):
                child.polygon = rectangle_crs84((child.x1, child.y1, child.x2, child.y2), crs)
            elif _is_bbox(child) and len(child.arguments) in (4, 6):
                args = child.arguments
                corners = (args[0], args[1], *args[-3:-1]) if len(args) == 6 else tuple(args)
                polygon = rectangle_crs84(corners, crs)
                child.name = PROJECTED_BBOX
                child.arguments = [values.Geometry(shapely.geometry.mapping(polygon))]
        except (ValueError, TypeError, AttributeError) as exc:
            raise InvalidParameter(
                f"a geometry in the filter cannot be read in {crs.uri}: {str(exc)[:120]}"
            ) from None


def _unknown_where_null(result: Any, *operands: Any) -> Any:
    """CQL2's three-valued logic: a comparison with a null is unknown (``<NA>``), so that
    ``NOT`` of it is unknown too and neither selects (pandas compares NaN as False)."""
    if not isinstance(result, pd.Series):
        return result
    unknown = np.zeros(len(result), dtype=bool)
    for operand in operands:
        if isinstance(operand, pd.Series):
            unknown |= operand.isna().to_numpy()
        elif operand is None:
            unknown[:] = True
    return result.astype("boolean").mask(unknown)


@cache
def _evaluator() -> type:
    """pygeofilter's GeoPandas evaluator with CQL2's LIKE (:mod:`geo_api.cql2like`)."""
    from pygeofilter import ast, values
    from pygeofilter.backends.evaluator import handle
    from pygeofilter.backends.geopandas.evaluate import GeoPandasEvaluator

    class Evaluator(GeoPandasEvaluator):
        @handle(ast.Comparison, subclasses=True)
        def comparison(self, node: Any, lhs: Any, rhs: Any) -> Any:
            return _unknown_where_null(super().comparison(node, lhs, rhs), lhs, rhs)

        @handle(ast.Between)
        def between(self, node: Any, lhs: Any, low: Any, high: Any) -> Any:
            return _unknown_where_null(super().between(node, lhs, low, high), lhs)

        @handle(ast.In)
        def in_(self, node: Any, lhs: Any, *options: Any) -> Any:
            return _unknown_where_null(super().in_(node, lhs, *options), lhs)

        @handle(values.Envelope)
        def envelope(self, node: Any) -> Any:
            polygon = getattr(node, "polygon", None)  # a bbox given in a projected CRS
            return polygon if polygon is not None else super().envelope(node)

        @handle(ast.Like)
        def like(self, node: Any, lhs: Any) -> Any:
            pattern, nocase, accents = node.pattern, node.nocase, False
            # casei('…') and accenti('…') around the pattern, in either order
            while isinstance(pattern, ast.Function) and pattern.name in CASE_ACCENT:
                nocase |= pattern.name in ("lower", "casei")
                accents |= pattern.name == "accenti"
                pattern = pattern.arguments[0] if pattern.arguments else None
            if not isinstance(pattern, str):
                raise InvalidParameter("a LIKE pattern must be a text literal")
            if accents:
                pattern = strip_accents(pattern)
            if not isinstance(lhs, pd.Series):
                lhs = pd.Series([lhs], dtype=object)
            return like_series(lhs, pattern, nocase, node.not_)

    return Evaluator


def filter_mask(layer: LayerData, tree: Any) -> np.ndarray:
    """Boolean mask of the features of ``layer`` that match the parsed filter ``tree``."""
    unknown = attributes(tree) - set(layer.properties) - {GEOMETRY}
    if unknown:
        raise UnknownParameter(
            f"unknown properties in filter: {sorted(unknown)}",
            valid=sorted([*layer.properties, GEOMETRY]),
        )
    try:
        result = _evaluator()(
            layer.frame,
            {},
            {
                "lower": _lower,
                "casei": _lower,
                "accenti": _accenti,
                "bbox": _bbox,
                PROJECTED_BBOX: lambda polygon: polygon,
            },
        ).evaluate(tree)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        raise InvalidParameter(f"filter cannot be applied: {str(exc)[:200]}") from None
    except shapely.errors.GEOSException as exc:  # e.g. a one-point LINESTRING
        raise InvalidParameter(f"a geometry in the filter is not valid: {str(exc)[:200]}") from None
    if not isinstance(result, pd.Series | np.ndarray) or len(result) != len(layer.frame):
        raise InvalidParameter("the filter is not a condition on the features")
    mask = (
        pd.Series(result, index=layer.frame.index) if not isinstance(result, pd.Series) else result
    )
    return mask.fillna(False).astype(bool).to_numpy()

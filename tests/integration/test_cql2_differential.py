"""300 random CQL2 filters on the real tracts, each answered by the server and by an
independent evaluator written here from the standard (three-valued logic, LIKE's ``%``
and ``_``, BETWEEN, IN, IS NULL, casei, accenti, S_INTERSECTS with a BBOX), over the
features the server serves. Every answer must agree.

The evaluator shares no code with geo_api.cql2: values come from the served GeoJSON,
LIKE becomes an anchored regular expression of its own, and unknown is ``None``.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from geo_api.app import create_app
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration

NUMBERS = ["population", "poverty_pct", "no_subscription_pct", "median_household_income",
           "children_under_5", "ba_plus_pct", "no_subscription_pct_cv"]  # fmt: skip
TEXTS = ["name", "city", "neighborhood_name", "poverty_pct_reliability", "data_notes"]
FILTERS = 300
Truth = bool | None  # None: unknown


@pytest.fixture(scope="module")
def served(mirror_store_path, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("cql2-differential"))
    app = create_app(settings.model_copy(update={"store": mirror_store_path}))
    with TestClient(app) as client:
        features = client.get("/collections/tracts/items?limit=10000").json()["features"]
        yield client, features


# ---- the independent evaluator ---------------------------------------------------------
def _not(a: Truth) -> Truth:
    return None if a is None else not a


def _and(values: list[Truth]) -> Truth:
    return False if False in values else (None if None in values else True)


def _or(values: list[Truth]) -> Truth:
    return True if True in values else (None if None in values else False)


def _compare(a: Any, op: str, b: Any) -> Truth:
    if a is None or b is None:
        return None
    return {"=": a == b, "<>": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _like_regex(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(out, re.DOTALL)


def _fold(text: str, case: bool, accents: bool) -> str:
    if accents:
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return text.lower() if case else text


# ---- random filters, as (cql2-text, evaluate(properties, geometry) -> Truth) ------------
def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _number(rng: random.Random, features: list[dict], prop: str) -> float:
    values = [f["properties"][prop] for f in features if f["properties"][prop] is not None]
    return rng.choice(values) if rng.random() < 0.5 else round(rng.uniform(0, max(values)), 1)


def _text(rng: random.Random, features: list[dict], prop: str) -> str:
    values = [f["properties"][prop] for f in features if f["properties"][prop]]
    return rng.choice(values)


def _pattern(rng: random.Random, value: str) -> str:
    chars = list(value[:30])
    for i in range(len(chars)):
        r = rng.random()
        if r < 0.15:
            chars[i] = "_"
        elif r < 0.25:
            chars[i] = "%"
    if rng.random() < 0.3:
        chars.append("%")
    if rng.random() < 0.2:
        chars.insert(0, "%")
    return "".join(chars)


def _atom(rng: random.Random, features: list[dict]) -> tuple[str, Any]:
    kind = rng.choice(["cmp", "cmp", "between", "in", "like", "null", "casei", "bbox"])
    if kind in ("cmp", "between", "in") and rng.random() < 0.7:
        prop = rng.choice(NUMBERS)
        pick = lambda: _number(rng, features, prop)  # noqa: E731
        show = lambda v: repr(v)  # noqa: E731
    else:
        prop = rng.choice(TEXTS[:4])
        pick = lambda: _text(rng, features, prop)  # noqa: E731
        show = _quote
    if kind == "cmp":
        op, value = rng.choice(["=", "<>", "<", "<=", ">", ">="]), pick()
        return f"{prop} {op} {show(value)}", lambda p, g: _compare(p[prop], op, value)
    if kind == "between":
        low, high = sorted([pick(), pick()])
        text = f"{prop} BETWEEN {show(low)} AND {show(high)}"
        return text, lambda p, g: _and(
            [_compare(p[prop], ">=", low), _compare(p[prop], "<=", high)]
        )
    if kind == "in":
        options = [pick() for _ in range(rng.randint(1, 4))]
        text = f"{prop} IN ({', '.join(show(o) for o in options)})"
        return text, lambda p, g: None if p[prop] is None else p[prop] in options
    if kind == "like":
        prop = rng.choice(TEXTS)
        pattern = _pattern(rng, _text(rng, features, prop))
        regex = _like_regex(pattern)
        text = f"{prop} LIKE {_quote(pattern)}"
        return text, lambda p, g: None if p[prop] is None else bool(regex.fullmatch(p[prop]))
    if kind == "null":
        prop = rng.choice(NUMBERS + TEXTS)
        negate = rng.random() < 0.5
        text = f"{prop} IS {'NOT ' if negate else ''}NULL"
        return text, lambda p, g: (p[prop] is not None) if negate else (p[prop] is None)
    if kind == "casei":
        prop, accents = rng.choice(TEXTS[:4]), rng.random() < 0.5
        value = _text(rng, features, prop)
        shown = value.upper() if rng.random() < 0.5 else value.swapcase()
        left = f"casei(accenti({prop}))" if accents else f"casei({prop})"
        right = f"casei(accenti({_quote(shown)}))" if accents else f"casei({_quote(shown)})"
        want = _fold(shown, True, accents)
        return (
            f"{left} = {right}",
            lambda p, g: None if p[prop] is None else _fold(p[prop], True, accents) == want,
        )
    minx, miny = rng.uniform(-118.7, -118.0), rng.uniform(33.7, 34.4)
    box = [round(v, 5) for v in (minx, miny, minx + rng.uniform(0.005, 0.2),
                                 miny + rng.uniform(0.005, 0.2))]  # fmt: skip
    rect = shapely.box(*box)
    text = f"S_INTERSECTS(geometry, BBOX({', '.join(f'{v:.5f}' for v in box)}))"
    return text, lambda p, g: g.intersects(rect)


def _filter(rng: random.Random, features: list[dict], depth: int = 0) -> tuple[str, Any]:
    roll = rng.random()
    if depth >= 3 or roll < 0.4:
        return _atom(rng, features)
    if roll < 0.55:
        text, inner = _filter(rng, features, depth + 1)
        return f"NOT ({text})", lambda p, g: _not(inner(p, g))
    parts = [_filter(rng, features, depth + 1) for _ in range(rng.randint(2, 3))]
    join = rng.choice(["AND", "OR"])
    combine = _and if join == "AND" else _or
    text = f" {join} ".join(f"({t})" for t, _ in parts)
    return text, lambda p, g: combine([f(p, g) for _, f in parts])


def test_random_filters_agree_with_an_independent_evaluation(served):
    client, features = served
    geoms = [shape(f["geometry"]) for f in features]
    rng = random.Random(20261207)
    disagreements, sizes = [], []
    for _ in range(FILTERS):
        text, evaluate = _filter(rng, features)
        expected = {
            f["id"] for f, g in zip(features, geoms, strict=True)
            if evaluate(f["properties"], g) is True
        }  # fmt: skip
        answer = client.get("/collections/tracts/items", params={"filter": text, "limit": 10000})
        assert answer.status_code == 200, (text, answer.text[:300])
        got = {f["id"] for f in answer.json()["features"]}
        sizes.append(len(expected))
        if got != expected:
            disagreements.append((text, len(got), len(expected)))
    assert not disagreements, disagreements[:5]
    # the filters are not degenerate: most select some tracts and leave others out
    assert sum(0 < n < len(features) for n in sizes) > FILTERS // 2

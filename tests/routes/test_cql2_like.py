"""CQL2 LIKE by the standard (``%`` any run, ``_`` one character, ``\\`` escapes, ``.``
itself; nulls match neither LIKE nor NOT LIKE) and in bounded work, whatever the pattern."""

import pandas as pd
import pytest

from geo_api import cql2like
from geo_api.cql2like import MAX_PATTERN, compile_like, like_match, like_series


@pytest.mark.parametrize(
    ("value", "pattern", "matches"),
    [
        ("Census Tract 1011.10", "Census Tract 1011.1_", True),  # _ is one character
        ("Census Tract 1011.1", "Census Tract 1011.1_", False),  # ... exactly one
        ("south-la", "%.%", False),  # . is itself
        ("a.b", "%.%", True),
        ("low", "l_w", True),
        ("50%", "50\\%", True),  # an escaped wildcard is itself
        ("500", "50\\%", False),
        ("a_b", "a\\_b", True),
        ("axb", "a\\_b", False),
        ("", "%", True),
        ("", "_", False),
        ("abc", "a%c", True),
        ("ac", "a%c", True),
        ("abcabc", "%bc%bc", True),
        ("abcab", "%bc%bc", False),
        ("Watts", "Watts", True),
        ("Watts ", "Watts", False),
    ],
)
def test_like_follows_the_standard(value, pattern, matches):
    assert like_match(value, compile_like(pattern)) is matches


def test_nulls_match_neither_like_nor_not_like_and_case_can_be_ignored():
    values = pd.Series(["Echo Park", None, "PARKWAY"])
    assert like_series(values, "%Park%", False, False).tolist() == [True, pd.NA, False]
    assert like_series(values, "%Park%", False, True).tolist() == [False, pd.NA, True]
    assert like_series(values, "%park%", True, False).tolist() == [True, pd.NA, True]


def test_patterns_are_bounded():
    compile_like("%" * MAX_PATTERN)
    with pytest.raises(Exception, match="at most"):
        compile_like("%" * (MAX_PATTERN + 1))
    with pytest.raises(Exception, match="lone escape"):
        compile_like("abc\\")


@pytest.mark.parametrize("pattern", ["%" * 20 + "x", "%o" * 8, "%o" * 8 + "%", "_%" * 30])
def test_the_work_of_a_match_is_bounded_by_value_times_pattern(monkeypatch, pattern):
    calls = {"n": 0}
    fits = cql2like._fits

    def counted(value, at, segment):
        calls["n"] += 1
        return fits(value, at, segment)

    monkeypatch.setattr(cql2like, "_fits", counted)
    value = "o" * 7 + "y" * 2000
    like_match(value, compile_like(pattern))
    assert calls["n"] <= (len(value) + 2) * len(pattern)


def test_filters_use_the_standard_like(client):
    def count(text):
        r = client.get("/collections/tracts/items", params={"filter": text, "limit": 1})
        assert r.status_code == 200, r.text
        return r.json()["numberMatched"]

    names = client.get("/collections/tracts/items", params={"properties": "name"}).json()
    first = names["features"][0]["properties"]["name"]  # "Census Tract 1"
    assert count(f"name LIKE '{first[:-1]}_'") >= 1
    assert count("name LIKE '%.%'") == sum(
        "." in f["properties"]["name"] for f in names["features"]
    )
    assert count("casei(name) LIKE casei('%TRACT%')") == names["numberMatched"]
    # the attack pattern answers (its work is bounded) and a pattern too long is a 400
    assert count("data_notes LIKE '" + "%" * 20 + "x'") == 0
    long = client.get("/collections/tracts/items", params={"filter": f"name LIKE '{'%' * 600}'"})
    assert long.status_code == 400 and long.json()["code"] == "invalid-parameter"

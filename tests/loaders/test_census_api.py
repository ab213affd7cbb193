"""The Census API loader against recorded-format responses; no network is touched."""

import json
import warnings

import pytest

from loaders import census_api
from loaders.census_api import CachingSession, load_acs_tracts
from loaders.errors import BadCensusKey, BadGeography, CensusAPIError, UnknownVariable


class FakeResponse:
    def __init__(self, status: int, text: str) -> None:
        self.status_code = status
        self.text = text

    def json(self):
        return json.loads(self.text)


class FakeHTTP:
    """Answers data requests from a script of (status, body); variable lookups 404."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []

    def get(self, url, params=None, headers=None, timeout=None):
        self.calls.append((url, dict(params or {})))
        if "/variables/" in url:
            return FakeResponse(404, "")
        return FakeResponse(*self.script.pop(0))


def _load(tmp_path, http, variables=("B28002_013", "B28002_001", "B19013_001"), **kw):
    session = CachingSession(tmp_path, inner=http, sleep=lambda s: None)
    return load_acs_tracts(
        list(variables), year=2022, key="SECRET-KEY", cache_dir=tmp_path, session=session, **kw
    ), session


def test_estimates_arrive_with_moes_and_jam_values_are_null(tmp_path, fixtures):
    body = (fixtures / "census_api_acs5_tracts.json").read_text()
    tidy, _ = _load(tmp_path, FakeHTTP([(200, body)]))
    assert set(tidy.columns) >= {"GEOID", "variable", "estimate", "moe", "vintage"}
    row = tidy[(tidy.GEOID == "06037101110") & (tidy.variable == "B28002_013")].iloc[0]
    assert (row.estimate, row.moe, row.vintage) == (120, 45, 2022)
    income = tidy[(tidy.GEOID == "06037980003") & (tidy.variable == "B19013_001")].iloc[0]
    assert income.estimate != income.estimate and income.moe != income.moe  # both NaN
    assert "not computable" in income.note
    controlled = tidy[(tidy.GEOID == "06037206300") & (tidy.variable == "B28002_013")].iloc[0]
    assert controlled.estimate == 300 and "controlled" in controlled.note


def test_responses_are_cached_on_disk_without_the_key(tmp_path, fixtures):
    body = (fixtures / "census_api_acs5_tracts.json").read_text()
    http = FakeHTTP([(200, body)])
    _load(tmp_path, http)
    sent = len([c for c in http.calls if "/variables/" not in c[0]])
    again = FakeHTTP([])
    _load(tmp_path, again)
    assert [c for c in again.calls if "/variables/" not in c[0]] == []
    assert sent == 1
    for path in (tmp_path / "census-api").iterdir():
        assert "SECRET-KEY" not in path.read_text() and "SECRET-KEY" not in path.name


def test_retries_429_and_5xx_with_backoff(tmp_path, fixtures):
    body = (fixtures / "census_api_acs5_tracts.json").read_text()
    sleeps = []
    http = FakeHTTP([(429, "slow down"), (503, "busy"), (200, body)])
    session = CachingSession(tmp_path, inner=http, sleep=sleeps.append)
    tidy = load_acs_tracts(
        ["B28002_013", "B28002_001", "B19013_001"],
        year=2022,
        key="k",
        cache_dir=tmp_path,
        session=session,
    )
    assert len(tidy) == 9
    assert sleeps == [1.0, 2.0]


def test_gives_up_after_repeated_server_errors(tmp_path):
    http = FakeHTTP([(503, "busy")] * 10)
    with pytest.raises(CensusAPIError):
        _load(tmp_path, http)


def test_unknown_variable(tmp_path, fixtures):
    body = (fixtures / "census_api_unknown_variable.txt").read_text()
    with pytest.raises(UnknownVariable, match="B99999_001E"):
        _load(tmp_path, FakeHTTP([(400, body)]), variables=["B99999_001"])


def test_malformed_variable_is_rejected_before_any_request(tmp_path):
    http = FakeHTTP([])
    with pytest.raises(UnknownVariable):
        _load(tmp_path, http, variables=["not_a_variable"])
    assert http.calls == []


@pytest.mark.parametrize(("state", "county"), [("6", "037"), ("06", "37"), ("CA", "037")])
def test_bad_fips_codes(tmp_path, state, county):
    with pytest.raises(BadGeography):
        _load(tmp_path, FakeHTTP([]), state=state, county=county)


def test_county_with_no_tracts(tmp_path):
    with pytest.raises(BadGeography):
        _load(tmp_path, FakeHTTP([(204, "")]), county="999")


def test_bad_key(tmp_path):
    page = "<html><head><title>Invalid Key</title></head><body>Invalid Key</body></html>"
    with pytest.raises(BadCensusKey) as info:
        _load(tmp_path, FakeHTTP([(200, page)]))
    assert "SECRET-KEY" not in str(info.value)


def test_missing_key_warns_once(monkeypatch):
    monkeypatch.setattr(census_api, "_warned_no_key", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert census_api.census_key_or_warn(None) is None
        assert census_api.census_key_or_warn("") is None
    assert len([w for w in caught if "GEO_API_CENSUS_KEY" in str(w.message)]) == 1

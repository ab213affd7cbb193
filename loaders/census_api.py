"""ACS 5-year tables from the Census Data API, through the ``census`` package.

:func:`load_acs_tracts` returns the tidy frame of :mod:`loaders.acs_values` (columns
``GEOID, variable, estimate, moe, table, dataset, vintage, note``; no geometry). Every
requested variable is fetched as the pair ``<var>E`` / ``<var>M``, so an estimate never
arrives without its margin of error.

* The API key comes from ``GEO_API_CENSUS_KEY``. It is optional for geo-api as a whole:
  when missing, :func:`census_key_or_warn` warns once and live ACS tables are skipped by
  the build (the CDC SVI file still supplies its ACS estimates). The key is never logged,
  and it is excluded from the on-disk cache key.
* Raw JSON responses are cached on disk (:class:`CachingSession`), so a rebuild costs no
  requests. HTTP 429 and 5xx are retried with exponential backoff.
* A bad key, an unknown variable or a bad FIPS code raises a precise
  :class:`loaders.errors.CensusAPIError` subclass.
"""

from __future__ import annotations

import json
import logging
import re
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from loaders.acs_values import normalise_geoid, tidy_from_wide
from loaders.errors import BadCensusKey, BadGeography, CensusAPIError, UnknownVariable
from loaders.sources import RETRY_STATUS, atomic_write_bytes, cache_key, with_backoff

log = logging.getLogger(__name__)

VARIABLE_RE = re.compile(r"^(?:[BC]\d{5}[A-Z]?|S\d{4}[A-Z]?|DP\d{2})(?:_C\d{2})?_\d{3}$")
_warned_no_key = False


def census_key_or_warn(key: str | None) -> str | None:
    """Return ``key``, warning once per process when it is missing. Never logs the key."""
    global _warned_no_key
    if not key and not _warned_no_key:
        _warned_no_key = True
        warnings.warn(
            "GEO_API_CENSUS_KEY is not set: live ACS tables from the Census Data API are "
            "skipped (the Census API requires a key). Get one at "
            "https://api.census.gov/data/key_signup.html",
            stacklevel=2,
        )
    return key or None


class CachedResponse:
    """The part of a ``requests.Response`` the ``census`` package reads."""

    def __init__(self, status_code: int, text: str) -> None:
        self.status_code = status_code
        self.text = text

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.text)


class CachingSession:
    """A ``requests``-like session: disk cache of 200 responses and retry on 429/5xx.

    ``inner`` is the real HTTP session (``requests.Session`` by default, created lazily).
    The cache key ignores the ``key`` parameter, so keys never reach the disk.
    """

    def __init__(
        self,
        cache_dir: Path,
        inner: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self._inner = inner
        self._sleep = sleep
        self.headers: dict[str, str] = {}  # the census package sets a User-Agent here

    def _session(self) -> Any:
        if self._inner is None:
            import requests

            self._inner = requests.Session()
        return self._inner

    def get(self, url: str, params: dict[str, Any] | None = None, **_: Any) -> CachedResponse:
        """GET ``url`` with ``params``, from the cache when the same request succeeded before."""
        path = self.cache_dir / "census-api" / f"{cache_key(url, params)}.json"
        if path.exists():
            return CachedResponse(200, path.read_text(encoding="utf-8"))

        def call() -> Any:
            return self._session().get(url, params=params, headers=self.headers, timeout=120)

        try:
            resp = with_backoff(call, lambda r: r.status_code, sleep=self._sleep)
        except OSError as exc:
            raise CensusAPIError("census-api", f"cannot reach {url}: {exc}") from exc
        if resp.status_code in RETRY_STATUS:
            raise CensusAPIError("census-api", f"HTTP {resp.status_code} after retries: {url}")
        if resp.status_code == 200 and not _looks_like_error_page(resp.text):
            atomic_write_bytes(path, resp.text.encode("utf-8"))
        return CachedResponse(resp.status_code, resp.text)


def _looks_like_error_page(text: str) -> bool:
    return text.lstrip().startswith("<")


def _check_inputs(variables: Sequence[str], state: str, county: str) -> None:
    if not re.fullmatch(r"\d{2}", state or ""):
        raise BadGeography("census-api", f"state FIPS must be 2 digits, got {state!r}")
    if not re.fullmatch(r"\d{3}", county or ""):
        raise BadGeography("census-api", f"county FIPS must be 3 digits, got {county!r}")
    bad = [v for v in variables if not VARIABLE_RE.match(v)]
    if bad:
        raise UnknownVariable(
            "census-api",
            f"not ACS variable codes (expected e.g. B28002_001 or S1701_C01_003): {bad}",
        )


def _translate(exc: Exception, variables: Sequence[str], state: str, county: str) -> Exception:
    text = str(exc)
    low = text.lower()
    if "invalid key" in low or ("key" in low and "not a valid" in low):
        return BadCensusKey("census-api", "the Census API rejected GEO_API_CENSUS_KEY")
    if "unknown variable" in low or "error: error: unknown" in low:
        found = re.findall(r"'([^']+)'", text)
        return UnknownVariable("census-api", f"unknown variable(s) {found or list(variables)}")
    if "geography" in low or "unknown/unsupported" in low or "ambiguous" in low:
        return BadGeography(
            "census-api", f"no such geography state={state} county={county}: {text[:200]}"
        )
    return CensusAPIError("census-api", text[:300])


def load_acs_tracts(
    variables: Sequence[str],
    *,
    year: int,
    key: str,
    cache_dir: Path,
    state: str = "06",
    county: str = "037",
    session: Any | None = None,
) -> pd.DataFrame:
    """Fetch ACS 5-year ``variables`` for every tract of one county (tidy frame, no CRS).

    ``variables`` are codes without the E/M suffix (``B28002_004``); detailed (``B``/``C``)
    and subject (``S``) tables may be mixed. A county with no tracts raises
    :class:`BadGeography` rather than returning an empty frame.
    """
    from census import Census
    from census.core import APIKeyError, CensusException

    _check_inputs(variables, state, county)
    http = session or CachingSession(cache_dir)
    client = Census(key, session=http)
    frames = []
    for dataset, attr in (("acs5", "acs5"), ("acs5/subject", "acs5st")):
        wanted = [v for v in variables if (v[0] == "S") == (dataset == "acs5/subject")]
        if not wanted:
            continue
        fields = [f"{v}{s}" for v in wanted for s in ("E", "M")]
        try:
            rows = getattr(client, attr).state_county_tract(
                fields, state, county, Census.ALL, year=year
            )
        except APIKeyError as exc:
            raise BadCensusKey("census-api", "the Census API rejected GEO_API_CENSUS_KEY") from exc
        except (CensusException, ValueError) as exc:
            raise _translate(exc, wanted, state, county) from exc
        if not rows:
            raise BadGeography("census-api", f"no tracts for state={state} county={county}")
        wide = pd.DataFrame(rows)
        wide["GEOID"] = normalise_geoid(
            wide["state"].astype(str) + wide["county"].astype(str) + wide["tract"].astype(str),
            "census-api",
        )
        frames.append(
            tidy_from_wide(
                wide,
                [(v, f"{v}E", f"{v}M") for v in wanted],
                dataset=dataset,
                vintage=year,
                source="census-api",
            )
        )
    return pd.concat(frames, ignore_index=True)

"""Where a source's bytes come from: the live public URL (with a download cache) or a mirror.

Each upstream file is described once by a :class:`SourceSpec`: its live URL and its path
inside a local mirror directory (the layout of ``shared/data``). A :class:`Fetcher`
resolves a spec to a local file path. With ``mirror`` set, only the mirror is read and
nothing touches the network; otherwise the URL is downloaded once into ``cache_dir``
(written to a temporary file and renamed, so a broken download never poisons the cache),
retrying with exponential backoff on HTTP 429 and 5xx.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.errors import SourceUnavailable

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class SourceSpec:
    """One upstream file: ``id`` (stable name), live ``url``, ``mirror_path`` (relative)."""

    id: str
    url: str
    mirror_path: str | None
    title: str
    vintage: str


TIGER = "https://www2.census.gov/geo/tiger"
LATIMES = (
    "https://raw.githubusercontent.com/datadesk/boundaries.latimes.com/"
    "1eaeafa3871e7237a89c2e1e59e6ff7d68fa97e0/shapefiles"
)

#: CDE's downloadable data files (FRPM: /ds/ad/filessp.asp; UPC: /ds/ad/filescupc.asp)
CDE_FILES = "https://www.cde.ca.gov/ds/ad/documents"
#: the FRPM years the mirror holds, oldest first (2021-22 was not found)
FRPM_YEARS = (("1819", "2018-19"), ("1920", "2019-20"), ("2021", "2020-21"), ("2223", "2022-23"))

SOURCES: dict[str, SourceSpec] = {
    s.id: s
    for s in [
        SourceSpec(
            "tracts",
            f"{TIGER}/TIGER2020/TRACT/tl_2020_06_tract.zip",
            "tracts/la_county_tracts_2020_tiger.geojson",
            "Census TIGER/Line 2020 census tracts",
            "2020",
        ),
        SourceSpec(
            "tracts-supplement",
            # mirror only: the statewide TIGER/Line file above already holds every tract
            "",
            "tracts/la_county_tracts_2020_supplement.geojson",
            "Census TIGER/Line 2023 polygon of 2020 tract 06037920200 (mirror supplement)",
            "2020",
        ),
        SourceSpec(
            "population",
            "https://www2.census.gov/geo/docs/reference/cenpop2020/blkgrp/CenPop2020_Mean_BG06.txt",
            "population/la_county_blockgroup_centers_of_population_2020.csv",
            "2020 Census centers of population by block group (population weights)",
            "2020",
        ),
        SourceSpec(
            "land",
            f"{TIGER}/GENZ2019/shp/cb_2019_06_tract_500k.zip",
            "tracts/la_county_tracts_2010_cb2019_500k.geojson",
            "Census cartographic boundary tracts 2019 (shoreline-clipped land mask)",
            "2019",
        ),
        SourceSpec(
            "places",
            f"{TIGER}/GENZ2019/shp/cb_2019_06_place_500k.zip",
            "boundaries/la_county_census_places_2019_cb500k.geojson",
            "Census cartographic boundary places 2019",
            "2019",
        ),
        SourceSpec(
            "school-districts",
            f"{TIGER}/GENZ2021/shp/cb_2021_06_{{kind}}_500k.zip",
            "school_districts/la_county_school_districts_cb2021_500k.geojson",
            "Census cartographic boundary school districts 2021 (unified, elementary, secondary)",
            "2021",
        ),
        SourceSpec(
            "csa",
            "https://public.gis.lacounty.gov/public/rest/services/LACounty_Dynamic/"
            "Political_Boundaries/MapServer/23/query?where=1%3D1&outFields=*&outSR=4326&f=geojson",
            "boundaries/la_county_csa/BOS_Countywide_Statistical_Areas.shp",
            "LA County Countywide Statistical Areas (Board of Supervisors)",
            "2017",
        ),
        SourceSpec(
            "neighborhoods",
            f"{LATIMES}/neighborhoods/v6/neighborhoods.shp",
            "boundaries/latimes_mapping_la/neighborhoods_v6_neighborhoods.shp",
            "LA Times Mapping L.A. neighborhoods v6",
            "v6",
        ),
        SourceSpec(
            "spas",
            f"{LATIMES}/spas/2012.shp",
            "boundaries/latimes_mapping_la/spas_2012.shp",
            "LA County DPH Service Planning Areas 2012",
            "2012",
        ),
        SourceSpec(
            "supervisorial-districts",
            f"{LATIMES}/la-county-supervisors/2011/districts.shp",
            "boundaries/latimes_mapping_la/la_county_supervisors_2011.shp",
            "LA County supervisorial districts (2011 redistricting)",
            "2011",
        ),
        SourceSpec(
            "council-districts",
            f"{LATIMES}/la-city-council/2012/la-city-council.shp",
            "boundaries/latimes_mapping_la/la_city_council_2012.shp",
            "LA City Council districts (2012 redistricting)",
            "2012",
        ),
        SourceSpec(
            "schools",
            "https://www.cde.ca.gov/schooldirectory/report?rid=dl1&tp=txt",
            "schools/cde_school_directory_export_la_county.tsv",
            "California Department of Education school directory",
            "current",
        ),
        *(
            SourceSpec(
                f"frpm-{yy}",
                f"{CDE_FILES}/frpm{yy}.xlsx",
                f"schools/cde_frpm{yy}_la_county.csv",
                f"CDE Free or Reduced-Price Meal school-level data {year}",
                year,
            )
            for yy, year in FRPM_YEARS
        ),
        SourceSpec(
            "upc-2122",
            f"{CDE_FILES}/cupc2122-k12.xlsx",
            "schools/cde_cupc2122_k12_la_county.csv",
            "CDE CALPADS Unduplicated Pupil Count, K-12, 2021-22",
            "2021-22",
        ),
        SourceSpec(
            "community-schools",
            # mirror only: assembled from the program's announcements, not published as data
            "",
            "schools/lausd_community_schools_cohorts5_6.csv",
            "LAUSD Community Schools, cohorts 5 and 6 (partial list from announcements)",
            "2023-24",
        ),
        SourceSpec(
            "access-points",
            # mirror only: the County's LMS "Public Internet Access" export has no stable
            # download address; a live build leaves the layer out and says so
            "",
            "access_points/la_county_public_internet_access_lms.csv",
            "LA County Location Management System: public internet access points (2019)",
            "2019",
        ),
        SourceSpec(
            "svi",
            "https://svi.cdc.gov/Documents/Data/2022/csv/states/California.csv",
            "svi/la_county_tracts_svi2022_selected_columns.csv",
            "CDC/ATSDR Social Vulnerability Index 2022, California tracts",
            "2022",
        ),
        SourceSpec(
            "acs-s1701",
            "https://api.census.gov/data/2022/acs/acs5/subject",
            "acs/la_county_tracts_S1701_poverty_acs2022_5yr.csv",
            "ACS 2018-2022 5-year subject table S1701 (poverty)",
            "2022",
        ),
        SourceSpec(
            "acs-b19013",
            "https://api.census.gov/data/2022/acs/acs5",
            "acs/la_county_tracts_B19013_median_hh_income_2010_2023.csv",
            "ACS 5-year table B19013 (median household income)",
            "2022",
        ),
        SourceSpec(
            "acs-socialexplorer",
            "https://api.census.gov/data/2021/acs/acs5",
            "acs/la_county_tracts_acs2021_5yr_socialexplorer.csv",
            "ACS 2017-2021 5-year via Social Explorer (attainment, population, income)",
            "2021",
        ),
        SourceSpec(
            "child-care",
            # CHHS open-data portal (CKAN) datastore dumps: {resource} is the child-care
            # centers (7aed8063-…) or family child-care homes (4b5cc48d-…) resource id.
            "https://data.chhs.ca.gov/datastore/dump/{resource}?format=csv",
            "child_care/ccld_child_care_la_county.csv",
            "CDSS Community Care Licensing child-care facilities",
            "current",
        ),
    ]
}


def cache_key(url: str, params: dict[str, Any] | None = None) -> str:
    """Return a stable file name for ``url`` + ``params``; a ``key`` parameter is ignored."""
    items = sorted((k, str(v)) for k, v in (params or {}).items() if k != "key")
    digest = hashlib.sha256(repr((url, items)).encode()).hexdigest()[:24]
    return digest


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def with_backoff(
    call: Callable[[], Any],
    status_of: Callable[[Any], int],
    *,
    retries: int = 4,
    base_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Call ``call`` until its status is not 429/5xx, sleeping 1, 2, 4 … seconds between tries.

    Returns the last response (whatever its status) so the caller can raise a precise error.
    """
    response = call()
    for attempt in range(retries):
        if status_of(response) not in RETRY_STATUS:
            return response
        delay = base_delay * 2**attempt
        log.warning("HTTP %s, retrying in %.0f s", status_of(response), delay)
        sleep(delay)
        response = call()
    return response


class Fetcher:
    """Resolve :class:`SourceSpec` objects to local files, from a mirror or the live URL."""

    def __init__(
        self,
        mirror: Path | None,
        cache_dir: Path,
        session: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.mirror = Path(mirror).resolve() if mirror else None
        self.cache_dir = Path(cache_dir)
        self._session = session
        self._sleep = sleep

    @property
    def live(self) -> bool:
        """True when sources are read from the public internet."""
        return self.mirror is None

    def session(self) -> Any:
        """The HTTP session (created on first use, so nothing happens at import)."""
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers["User-Agent"] = "geo-api (+https://github.com/)"
        return self._session

    def has(self, spec: SourceSpec) -> bool:
        """True when the mirror holds this source (always True for live sources)."""
        if self.mirror is None:
            return True
        return spec.mirror_path is not None and (self.mirror / spec.mirror_path).exists()

    def path(self, spec: SourceSpec, url: str | None = None) -> Path:
        """Return a local path holding ``spec``'s bytes; ``url`` overrides ``spec.url``."""
        if self.mirror is not None:
            if spec.mirror_path is None:
                raise SourceUnavailable(spec.id, f"no copy of this source in mirror {self.mirror}")
            path = self.mirror / spec.mirror_path
            if not path.exists():
                raise SourceUnavailable(spec.id, f"mirror file missing: {path}")
            return path
        return self.download(spec.id, url or spec.url)

    def download(self, source_id: str, url: str) -> Path:
        """Download ``url`` once into the cache and return the cached path."""
        suffix = Path(url.split("?")[0]).suffix or ".bin"
        target = self.cache_dir / "downloads" / f"{source_id}-{cache_key(url)}{suffix}"
        if target.exists():
            return target
        log.info("downloading %s", url)
        try:
            response = with_backoff(
                lambda: self.session().get(url, timeout=120),
                lambda r: r.status_code,
                sleep=self._sleep,
            )
        except OSError as exc:  # requests' ConnectionError is an OSError
            raise SourceUnavailable(source_id, f"cannot download {url}: {exc}") from exc
        if response.status_code != 200:
            raise SourceUnavailable(source_id, f"HTTP {response.status_code} from {url}")
        atomic_write_bytes(target, response.content)
        return target


#: sources a build needs although it could run without them (at the cost of a silent
#: change of method): missing, they fail the build unless ``--allow-missing`` names them
MISSING_REQUIRED = {
    "population": "the 2020 block-group population file (split tracts would be divided "
    "by land area)",
    "frpm-2223": "the 2022-23 free or reduced-price meal file (schools would lose their "
    "own counts and the school ranking)",
    "upc-2122": "the 2021-22 unduplicated pupil counts (schools would lose their English learners)",
    "tracts-supplement": "the supplementary tract file (tract 06037920200 would have no "
    "polygon of its own)",
}

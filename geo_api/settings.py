"""Settings (pydantic-settings, prefix ``GEO_API_``).

* ``GEO_API_MIRROR``: root of a local data mirror (layout of ``shared/data``); unset means
  the live public sources.
* ``GEO_API_STORE``: path of the GeoPackage store (default: the user data directory,
  ``$XDG_DATA_HOME/geo-api/geo-api.gpkg``, never the working directory).
* ``GEO_API_CENSUS_KEY``: Census Data API key; optional, never logged or printed.
* ``GEO_API_CACHE_DIR``: download cache (default ``$XDG_CACHE_HOME/geo-api``).
* ``GEO_API_MAP_ASSETS``: ``local`` (default) serves Leaflet from the copy shipped inside
  the package, so maps work with no internet; ``cdn`` loads it from unpkg instead.
* ``GEO_API_ASSETS_DIR``: another folder holding Leaflet's ``dist`` files (default: the
  package's ``geo_api/static/leaflet``).
* ``GEO_API_MAP_TILES`` / ``GEO_API_MAP_TILES_ATTRIBUTION``: optional XYZ basemap URL
  template and its attribution; unset means no basemap (a plain background).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


def default_store() -> Path:
    """Default store path inside the user's data directory."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "geo-api" / "geo-api.gpkg"


def default_assets() -> Path:
    """The Leaflet files shipped inside the package (``geo_api/static/leaflet``)."""
    return Path(__file__).resolve().parent / "static" / "leaflet"


def default_cache() -> Path:
    """Default download cache inside the user's cache directory."""
    return _xdg("XDG_CACHE_HOME", ".cache") / "geo-api"


class Settings(BaseSettings):
    """Runtime settings shared by the CLI and the API."""

    model_config = SettingsConfigDict(env_prefix="GEO_API_", extra="ignore")

    mirror: Path | None = None
    store: Path = Field(default_factory=default_store)
    census_key: SecretStr | None = None
    cache_dir: Path = Field(default_factory=default_cache)
    base_url: str | None = None
    map_assets: Literal["local", "cdn"] = "local"
    assets_dir: Path = Field(default_factory=default_assets)
    map_tiles: str | None = None
    map_tiles_attribution: str = ""
    #: comma-separated Host names to accept (unset: any; behind a proxy prefer base_url)
    trusted_hosts: str | None = None
    #: request the default pages, maps and rankings before serving (geo-api serve does)
    warm: bool = False

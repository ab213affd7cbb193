"""The FastAPI application factory.

``create_app(settings)`` returns an app that loads the store named by ``settings.store``
at start-up (lifespan) into ``app.state.catalog``. Nothing is read at import time.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.staticfiles import StaticFiles

from boundaries.custom import AreaInputs
from boundaries.sourcecheck import catalogue_variables
from boundaries.store import (
    SERVING_SKIPS,
    Store,
    file_identity,
    read_manifest,
    read_store,
)
from geo_api.areapool import AreaPool, read_inputs
from geo_api.areas import AreaService
from geo_api.catalog import Catalog
from geo_api.errors import install_error_handlers
from geo_api.fastpath import FastCache, FastPathMiddleware
from geo_api.http import HttpHygieneMiddleware, ProblemCORSMiddleware
from geo_api.itemsroute import ItemsRoute
from geo_api.limits import EXPENSIVE_SLOTS, TILE_SLOT_WAIT_SECONDS, WorkLimiter
from geo_api.openapi_doc import install_openapi
from geo_api.pages.county import CountyFigures
from geo_api.planning.plans import Centres, PlanCache, centres_reader
from geo_api.ranges import RangeMiddleware
from geo_api.ranking import RankingCache
from geo_api.responses import BodyCache
from geo_api.routers import (
    areas,
    draw,
    features,
    health,
    indicators,
    maps,
    pages,
    priorities,
    tiles,
    vectormap,
)
from geo_api.routers import plans as plans_router
from geo_api.settings import Settings
from geo_api.warmup import warm


def load_catalog(app: FastAPI, store: Store) -> None:
    """Install ``store`` as the served catalogue (and forget cached bodies).

    The catalogue's millions of small objects live as long as the process: after a full
    collection they are frozen out of the garbage collector's view, so later collections
    do not walk them (a full pass over them took ~100+ ms, a p99 spike under load).
    """
    app.state.catalog = Catalog.from_store(store)
    app.state.body_cache.clear()
    app.state.fast_cache.clear()
    gc.collect()
    gc.freeze()


def area_loader(app: FastAPI, settings: Settings, store: Store | None) -> Callable[[], AreaInputs]:
    """How the custom-area inputs are read on first use: from ``store`` when it was given
    with its tables (tests), else from the store file, which must still be the one served."""
    catalog = app.state.catalog
    tracts = catalog.layers["tracts"].frame
    if store is not None and store.areas:
        tables = store.areas
        tidy = store.acs_values[store.acs_values["variable"].isin(set(catalogue_variables()))]
        return lambda: AreaInputs.from_tables(tables, tidy, tracts)

    return lambda: read_inputs(settings.store, catalog.checksum, tracts)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app. ``store`` (tests) bypasses reading ``settings.store`` from disk."""
    settings = settings or Settings()

    # The store given is used once and then released: only the catalogue stays in memory
    # (the tidy ACS table alone is hundreds of MB). A second start reads settings.store.
    given = {"store": store}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        first = given.pop("store", None)
        app.state.store_identity = file_identity(settings.store)
        load_catalog(app, first if first is not None else read_store(settings.store, SERVING_SKIPS))
        # served from a file, drawn areas are computed in worker processes reading it (a
        # store given only in memory, as tests do, is computed in threads)
        pool = None
        checksum = app.state.catalog.checksum
        if (read_manifest(settings.store) or {}).get("content_sha256") == checksum:
            pool = AreaPool(settings.store, checksum, EXPENSIVE_SLOTS)
            pool.start()
        app.state.areas = AreaService(area_loader(app, settings, first), app.state.limiter, pool)
        app.state.plan_centres = Centres(
            centres_reader(settings.store, first.areas if first is not None else None)
        )
        app.state.county = CountyFigures(app.state.areas)
        app.state.warmed_seconds = None
        if settings.warm:
            app.state.warmed_seconds = round(await warm(app, app.state.catalog), 1)
            gc.collect()  # what the warm-up built lives on too: out of the collector's view
            gc.freeze()
        try:
            yield
        finally:
            app.state.areas.close()

    # Swagger UI and ReDoc from the fastapi-offline package: /docs works without a CDN
    app = FastAPIOffline(
        title="geo-api",
        version="0.1.0",
        description="LA County equity indicators (ACS with margins of error) on every local "
        "geography, served as OGC API - Features.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.body_cache = BodyCache()
    app.state.limiter = WorkLimiter()
    # Tiles queue rather than fail: a map asks for a dozen at once, each costs at most
    # ~0.5 s, and a 503 would leave a hole in the map (TILE_SLOT_WAIT, geo_api/limits.py).
    app.state.tile_limiter = WorkLimiter(wait=TILE_SLOT_WAIT_SECONDS)
    app.state.rankings = RankingCache(limiter=app.state.limiter)
    app.state.plans = PlanCache(app.state.limiter)
    app.state.fast_cache = FastCache()
    install_error_handlers(app)
    install_openapi(app)
    # Innermost: uncached items pages skip FastAPI's routing (geo_api/itemsroute.py).
    app.add_middleware(ItemsRoute)
    # Added next, so it runs inside CORS: cached answers still get per-request CORS headers.
    app.add_middleware(FastPathMiddleware, cache=app.state.fast_cache)
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Content-Disposition"],
    )
    # byte ranges of finished answers (GDAL's /vsicurl/ reads tiles by range)
    app.add_middleware(RangeMiddleware)
    # outermost: HEAD, security headers and trusted hosts apply to every answer
    app.add_middleware(HttpHygieneMiddleware, settings=settings)
    app.include_router(features.router)
    app.include_router(indicators.router)
    app.include_router(maps.router)
    app.include_router(priorities.router)
    app.include_router(plans_router.router)
    app.include_router(areas.router)
    app.include_router(draw.router)
    app.include_router(tiles.router)
    app.include_router(vectormap.router)
    app.include_router(pages.router)
    app.include_router(health.router)
    # Leaflet, from the copy shipped in the package: maps need no outside network.
    app.mount(
        "/assets/leaflet",
        StaticFiles(directory=settings.assets_dir, check_dir=False),
        name="leaflet-assets",
    )
    # Leaflet-Geoman (drawing on /draw) and MapLibre (vector-tile maps), also shipped in
    # the package.
    for name in ("geoman", "maplibre", "markercluster"):
        app.mount(
            f"/assets/{name}",
            StaticFiles(directory=Path(__file__).resolve().parent / "static" / name),
            name=f"{name}-assets",
        )
    return app

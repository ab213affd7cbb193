"""The ``geo-api`` command: ``build`` a store and ``serve`` it.

``geo-api build [--mirror DIR] [--store PATH] [--acs-year YEAR] [--allow-fewer-indicators]
[--allow-missing SOURCE]``
``geo-api serve [--store PATH] [--host H] [--port P] [--workers N] [--no-warm]``
``geo-api export --pmtiles DIR [--store PATH] [--layers a,b] [--maxzoom Z]``

Exit codes: 0 success, 1 a source or the store failed (the message names it), 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from geo_api.settings import Settings
from loaders.sources import MISSING_REQUIRED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geo-api", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the GeoPackage store from the sources")
    build.add_argument("--mirror", type=Path, help="local data mirror (default: live sources)")
    build.add_argument("--store", type=Path, help="store path (default: GEO_API_STORE)")
    build.add_argument("--acs-year", type=int, default=2022, help="ACS 5-year end year")
    build.add_argument(
        "--allow-fewer-indicators",
        action="store_true",
        help="replace the store even if indicators it has would become unavailable",
    )
    build.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        choices=sorted(MISSING_REQUIRED),
        metavar="SOURCE",
        help="build without this required source (population, tracts-supplement); "
        "recorded in the manifest and shown by /healthz",
    )
    serve = sub.add_parser("serve", help="serve the API from a store")
    serve.add_argument("--store", type=Path, help="store path (default: GEO_API_STORE)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (production: one per core); each loads the store",
    )
    serve.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="start serving without first computing the default pages, maps and rankings",
    )
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log each request (for load tests)",
    )
    export = sub.add_parser(
        "export", help="write every layer as a PMTiles archive with a static map page"
    )
    export.add_argument("--pmtiles", type=Path, required=True, help="output folder")
    export.add_argument("--store", type=Path, help="store path (default: GEO_API_STORE)")
    export.add_argument("--layers", help="comma-separated layer ids (default: all)")
    export.add_argument("--maxzoom", type=int, help="deepest zoom (default: 12 tracts, 11 others)")
    return parser


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from boundaries.build import build_store
    from loaders.errors import SourceError
    from loaders.sources import Fetcher

    mirror = args.mirror or settings.mirror
    store = (args.store or settings.store).resolve()
    if mirror is not None and not Path(mirror).is_dir():
        print(f"geo-api build: mirror {mirror} is not a directory", file=sys.stderr)
        return 2
    fetcher = Fetcher(mirror=mirror, cache_dir=settings.cache_dir)
    key = settings.census_key.get_secret_value() if settings.census_key else None

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        build_store(
            fetcher,
            store,
            census_key=key,
            acs_year=args.acs_year,
            progress=progress,
            allow_fewer_indicators=args.allow_fewer_indicators,
            allow_missing=frozenset(args.allow_missing),
        )
    except SourceError as exc:
        print(f"geo-api build failed in source '{exc.source}': {exc.message}", file=sys.stderr)
        print(f"the previous store (if any) at {store} is unchanged", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import os

    import uvicorn

    from boundaries.store import SERVING_SKIPS, StoreError, read_store
    from geo_api.app import create_app

    store_path = (args.store or settings.store).resolve()
    if args.workers < 1:
        print("geo-api serve: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        store = read_store(store_path, SERVING_SKIPS)  # fail fast, before binding the port
    except StoreError as exc:
        print(f"geo-api serve: {exc}", file=sys.stderr)
        return 1
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": args.access_log,
    }
    if args.workers > 1:
        # each worker process builds its own app from the environment (geo_api.main:app)
        del store
        os.environ["GEO_API_STORE"] = str(store_path)
        os.environ["GEO_API_WARM"] = "1" if args.warm else "0"
        uvicorn.run("geo_api.main:app", factory=True, workers=args.workers, **options)
        return 0
    update = {"store": store_path, "warm": args.warm}
    app = create_app(settings.model_copy(update=update), store=store)
    del store  # the app releases it once the catalogue is built
    uvicorn.run(app, **options)
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from boundaries.store import StoreError
    from geo_api.export import export_pmtiles

    layers = [x.strip() for x in args.layers.split(",")] if args.layers else None
    if args.maxzoom is not None and not 0 <= args.maxzoom <= 16:
        print("geo-api export: --maxzoom must be 0-16", file=sys.stderr)
        return 2
    try:
        export_pmtiles((args.store or settings.store).resolve(), args.pmtiles, layers, args.maxzoom)
    except (StoreError, ValueError) as exc:
        print(f"geo-api export: {exc}", file=sys.stderr)
        return 1
    print(f"static maps written to {args.pmtiles.resolve()}/index.html")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geo-api`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.command == "build":
        return _build(args, settings)
    if args.command == "export":
        return _export(args, settings)
    return _serve(args, settings)


if __name__ == "__main__":
    sys.exit(main())

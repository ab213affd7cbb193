"""``geo-api build``: load every source, compute crosswalks and indicators, write the store.

Each step names its source; any failure is re-raised as :class:`loaders.errors.SourceError`
for that source, so the CLI can say which upstream file broke while the previous store
stays untouched (see :func:`boundaries.store.write_store`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from boundaries.access import ACCESS_INDICATORS, access_distance_values
from boundaries.aggregate import Choice, choose_recipes, identity_crosswalk, layer_values
from boundaries.allocation import CAP_LOW_RATIO, CAP_MEDIUM_SHARE, allocation_stats
from boundaries.crosswalk import (
    Coverage,
    allocation_method,
    compute_crosswalk,
    coverage,
    land_tracts,
)
from boundaries.indicators import INDICATORS
from boundaries.layers import AGGREGATE_LAYERS, LAYERS
from boundaries.rebuild import (
    MIN_GAP_M2,
    add_derived_note,
    mark_derived,
    rebuild_missing_tracts,
)
from boundaries.schoolfigures import attach_school_figures, check_school_years
from boundaries.sourcecheck import (
    catalogue_variables,
    check_centres_in_tracts,
    check_county_totals,
    check_layer_values,
    check_near_land,
    check_rebuilt_share,
    check_tract_coverage,
    check_values,
    check_year_to_year,
    cross_source_checks,
    required_columns,
)
from boundaries.store import (
    Store,
    content_checksum,
    read_manifest,
    remove_stale_temporaries,
    write_store,
)
from loaders import (
    access_points,
    acs_extracts,
    cde_frpm,
    cde_schools,
    cde_upc,
    child_care,
    community_schools,
    county_boundaries,
    population,
    svi,
    tiger,
)
from loaders.census_api import census_key_or_warn, load_acs_tracts
from loaders.errors import SourceError
from loaders.sources import FRPM_YEARS, MISSING_REQUIRED, SOURCES, Fetcher

Progress = Callable[[str], None]
CHILD_CARE_RESOURCES = (
    "7aed8063-cea7-4367-8651-c81643164ae0",  # child-care centers
    "4b5cc48d-03b1-4f42-a7d1-b9816903eb2b",  # family child-care homes
)
#: the source each layer is read from, where the ids differ
LAYER_SOURCES = {"cities": "places", "communities": "csa"}
#: below this share of its population in tracts with a polygon, a feature's notes say so
POPULATION_COVERAGE_NOTE = 0.99


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file (the build records one per source file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class BuildContext:
    """Mutable state of one build: sources read, layer reports, timings."""

    fetcher: Fetcher
    progress: Progress
    sources: list[dict[str, Any]] = field(default_factory=list)
    layer_reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    tract_coverage: dict[str, float] = field(default_factory=dict)
    #: measured plausibility figures (largest centre offset, year-to-year changes)
    plausibility: dict[str, Any] = field(default_factory=dict)
    allow_missing: frozenset[str] = frozenset()

    def path(self, source_id: str, url: str | None = None) -> Path:
        """Local path of a source, recorded (with checksum) in the manifest."""
        spec = SOURCES[source_id]
        path = self.fetcher.path(spec, url)
        location = str(path if self.fetcher.mirror is None else spec.mirror_path)
        self.sources.append(
            {
                "id": source_id,
                "title": spec.title,
                "vintage": spec.vintage,
                "location": location if self.fetcher.mirror else (url or spec.url),
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
        return path

    def required(self, source_id: str) -> bool:
        """Whether the required source ``source_id`` is there; its absence is an error
        unless the build was told to allow it (then ``False``: build without it)."""
        if self.fetcher.has(SOURCES[source_id]):
            return True
        if source_id in self.allow_missing:
            return False
        raise SourceError(
            source_id,
            f"{MISSING_REQUIRED[source_id]} is missing, and without it the figures change "
            f"method silently; pass --allow-missing {source_id} to build without it",
        )

    @contextmanager
    def step(self, label: str, source_id: str) -> Iterator[None]:
        """Time a step and turn any failure into a SourceError naming ``source_id``."""
        start = time.perf_counter()
        self.progress(f"… {label}")
        try:
            yield
        except SourceError:
            raise
        except Exception as exc:  # a loader bug or odd data: still name the source
            raise SourceError(source_id, f"{type(exc).__name__}: {exc}") from exc
        self.progress(f"✓ {label} ({time.perf_counter() - start:.1f} s)")


def _shapefile_parts(ctx: BuildContext, source_id: str) -> Path:
    """Live shapefiles come as .shp + siblings; fetch the siblings next to the .shp."""
    path = ctx.path(source_id)
    if ctx.fetcher.live and path.suffix == ".shp":
        spec = SOURCES[source_id]
        for ext in (".shx", ".dbf", ".prj"):
            sibling = ctx.fetcher.download(source_id, spec.url[:-4] + ext)
            target = path.with_suffix(ext)
            if not target.exists():
                target.write_bytes(sibling.read_bytes())
    return path


def load_layers(ctx: BuildContext) -> tuple[dict[str, gpd.GeoDataFrame], BaseGeometry]:
    """Read every boundary and point source into the standard layer frames."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    repaired: dict[str, int] = {}
    with ctx.step("county land outline", "land"):
        land = tiger.load_land_mask(ctx.path("land"))
    with ctx.step("tracts", "tracts"):
        layers["tracts"], repaired["tracts"] = tiger.load_tracts(ctx.path("tracts"))
    # the statewide TIGER file holds every tract; the mirror's needs its supplement
    if not ctx.fetcher.live and ctx.required("tracts-supplement"):
        with ctx.step("supplementary tracts", "tracts-supplement"):
            extra, fixed = tiger.load_tracts(
                ctx.path("tracts-supplement"), source="tracts-supplement"
            )
            layers["tracts"] = tiger.add_tracts(layers["tracts"], extra, "tracts-supplement")
            repaired["tracts"] += fixed
    with ctx.step("cities", "places"):
        layers["cities"], repaired["cities"] = tiger.load_cities(ctx.path("places"), land)
    with ctx.step("school districts", "school-districts"):
        if ctx.fetcher.live:
            spec = SOURCES["school-districts"]
            paths = [ctx.path("school-districts", spec.url.format(kind=k)) for k in tiger.SD_KINDS]
        else:
            paths = [ctx.path("school-districts")]
        layers["school-districts"], repaired["school-districts"] = tiger.load_school_districts(
            paths, land
        )
    with ctx.step("communities (CSAs)", "csa"):
        layers["communities"], repaired["communities"] = county_boundaries.load_communities(
            ctx.path("csa")
        )
    with ctx.step("neighborhoods", "neighborhoods"):
        layers["neighborhoods"], repaired["neighborhoods"] = county_boundaries.load_neighborhoods(
            _shapefile_parts(ctx, "neighborhoods")
        )
    with ctx.step("service planning areas", "spas"):
        layers["spas"], repaired["spas"] = county_boundaries.load_spas(
            _shapefile_parts(ctx, "spas")
        )
    for layer_id, label in (
        ("supervisorial-districts", "Supervisorial District"),
        ("council-districts", "Council District"),
    ):
        with ctx.step(layer_id, layer_id):
            layers[layer_id], repaired[layer_id] = county_boundaries.load_districts(
                _shapefile_parts(ctx, layer_id), label, layer_id
            )
    for layer_id, count in repaired.items():
        ctx.layer_reports[layer_id] = {"repaired_geometries": count}
    with ctx.step("public schools", "schools"):
        unplaced: dict[str, str] = {}
        layers["schools"], left_out = cde_schools.load_schools(
            ctx.path("schools"), unplaced=unplaced
        )
        ctx.layer_reports["schools"] = {"left_out": left_out}
    layers["schools"] = load_school_figures(ctx, layers["schools"], unplaced)
    if _optional(ctx, "access-points", "no inventory of public internet access points"):
        with ctx.step("public internet access points", "access-points"):
            layers["access-points"], left_out = access_points.load_access_points(
                ctx.path("access-points")
            )
            ctx.layer_reports["access-points"] = {"left_out": left_out}
    spec = SOURCES["child-care"]
    if ctx.fetcher.has(spec):
        with ctx.step("child-care sites", "child-care"):
            if ctx.fetcher.live:
                paths = [
                    ctx.path("child-care", spec.url.format(resource=r))
                    for r in CHILD_CARE_RESOURCES
                ]
            else:
                paths = [ctx.path("child-care")]
            layers["child-care"], left_out = child_care.load_child_care(paths)
            ctx.layer_reports["child-care"] = {"left_out": left_out}
    else:
        ctx.unavailable["child-care"] = "no CCLD child-care file in the mirror"
        ctx.progress("– child-care sites: not in the mirror, layer skipped")
    return layers, land


def _optional(ctx: BuildContext, source_id: str, why: str) -> bool:
    """Whether an optional source is there; its absence is recorded in the manifest."""
    spec = SOURCES[source_id]
    if ctx.fetcher.has(spec) and (spec.url or not ctx.fetcher.live):
        return True
    ctx.unavailable[source_id] = why
    ctx.progress(f"– {source_id}: not available, {why}")
    return False


def load_school_figures(
    ctx: BuildContext, schools: gpd.GeoDataFrame, unplaced: dict[str, str]
) -> gpd.GeoDataFrame:
    """The schools layer with each school's own CDE counts (:mod:`boundaries.schoolfigures`);
    the latest FRPM file and the UPC file are required, earlier years and the Community
    Schools list are optional."""
    frpm: dict[str, pd.DataFrame] = {}
    latest = f"frpm-{FRPM_YEARS[-1][0]}"
    for short, _ in FRPM_YEARS:
        sid = f"frpm-{short}"
        present = (
            ctx.required(sid)
            if sid == latest
            else _optional(ctx, sid, "its year is missing from the FRPM series")
        )
        if not present:
            continue
        with ctx.step(f"free or reduced-price meals {sid}", sid):
            frpm[sid] = cde_frpm.load_frpm(ctx.path(sid), source=sid)
    if latest not in frpm:
        return schools
    upc = None
    if ctx.required("upc-2122"):
        with ctx.step("unduplicated pupil counts", "upc-2122"):
            upc = cde_upc.load_upc(ctx.path("upc-2122"), source="upc-2122")
    with ctx.step("school counts: year against year", latest):
        ctx.plausibility["school counts year to year"] = check_school_years(
            frpm, ("upc-2122", upc) if upc is not None else None
        )
    cohorts = None
    if _optional(ctx, "community-schools", "no list of known Community Schools"):
        with ctx.step("known Community Schools", "community-schools"):
            cohorts = community_schools.load_community_schools(ctx.path("community-schools"))
    with ctx.step("schools: their own pupils' counts", latest):
        schools, report = attach_school_figures(schools, frpm, upc, cohorts, unplaced)
    ctx.layer_reports.setdefault("schools", {})["pupil_counts"] = report
    return schools


def load_tract_values(
    ctx: BuildContext,
    census_key: str | None,
    acs_year: int,
    cache_dir: Path,
    universe: set[str],
) -> pd.DataFrame:
    """Load every ACS source available into one tidy frame.

    Each source must have the columns the catalogue reads from it and values for at
    least 99% of the ``universe`` tracts (:mod:`boundaries.sourcecheck`).
    """
    frames = []

    def add(source: str, frame: pd.DataFrame) -> None:
        share = check_tract_coverage(frame, source, universe)
        ctx.tract_coverage[source] = round(share, 4)
        frames.append(frame)

    with ctx.step("CDC/ATSDR SVI", "svi"):
        add(
            "svi", svi.load_svi(ctx.path("svi"), vintage=2022, required=required_columns("cdc-svi"))
        )
    if ctx.fetcher.live:
        key = census_key_or_warn(census_key)
        if key:
            variables = sorted({*catalogue_variables("acs5"), *catalogue_variables("acs5/subject")})
            with ctx.step(f"ACS {acs_year} 5-year tables (Census API)", "census-api"):
                add(
                    "census-api",
                    load_acs_tracts(variables, year=acs_year, key=key, cache_dir=cache_dir),
                )
        else:
            ctx.unavailable["census-api"] = "GEO_API_CENSUS_KEY not set"
    else:
        with ctx.step("ACS S1701 poverty", "acs-s1701"):
            add(
                "acs-s1701",
                acs_extracts.load_acs_csv(
                    ctx.path("acs-s1701"),
                    vintage=2022,
                    dataset="acs5/subject",
                    source="acs-s1701",
                    required=required_columns("acs5/subject", "S1701"),
                ),
            )
        with ctx.step(f"ACS B19013 median household income ({acs_year})", "acs-b19013"):
            b19013 = acs_extracts.load_acs_csv(
                ctx.path("acs-b19013"),
                vintage=acs_year,
                year_column="YEAR",
                source="acs-b19013",
                required=required_columns("acs5", "B19013"),
            )
            before = acs_extracts.load_acs_year_if_present(
                ctx.path("acs-b19013"), acs_year - 1, "YEAR", "acs-b19013"
            )
            if before is not None:
                ctx.plausibility["acs-b19013 year to year"] = check_year_to_year(
                    b19013, before, "acs-b19013"
                )
            add("acs-b19013", b19013)
        with ctx.step("ACS 2021 Social Explorer extract", "acs-socialexplorer"):
            assert ctx.fetcher.mirror is not None
            codes = ctx.fetcher.mirror / "acs/socialexplorer_acs2021_column_codes.csv"
            add(
                "acs-socialexplorer",
                acs_extracts.load_social_explorer(
                    ctx.path("acs-socialexplorer"),
                    codes if codes.exists() else None,
                    vintage=2021,
                    required=required_columns("socialexplorer"),
                ),
            )
    tidy = pd.concat(frames, ignore_index=True)
    dupes = tidy.duplicated(["GEOID", "dataset", "variable"])
    if dupes.any():
        raise SourceError("acs", f"{int(dupes.sum())} tract values loaded twice")
    return tidy


def _status_rows(
    layer_id: str, choices: dict, method: str, tidy: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    """One indicator-status row per indicator for ``layer_id``.

    ``tidy`` is given for the tract layer: ``published`` then names the variable whose
    published percentage and MOE the tracts carry (derived formulas fill the rest).
    """
    loaded = set(tidy["variable"]) if tidy is not None else set()
    rows = []
    for ind_id, ch in choices.items():
        ind = INDICATORS[ind_id]
        status = "available" if ch.available else "unavailable"
        reason = ch.reason
        if ch.available and ind.kind == "median" and layer_id != "tracts":
            status, reason = "not aggregable", "a median cannot be summed; no distribution table"
        published = ch.recipe.published if ch.recipe and ch.recipe.published in loaded else None
        rows.append(
            {
                "layer": layer_id,
                "indicator": ind_id,
                "status": status,
                "method": method,
                "dataset": ch.recipe.dataset if ch.recipe else None,
                "tables": ",".join(ch.recipe.tables) if ch.recipe else None,
                "variables": ",".join(ch.recipe.variables) if ch.recipe else None,
                "recipe_note": ch.recipe.note if ch.recipe else None,
                "vintage": ch.vintage,
                "reason": reason,
                "published": published,
            }
        )
    return rows


def attach_area_values(
    points: gpd.GeoDataFrame, areas: dict[str, gpd.GeoDataFrame], columns: list[str]
) -> gpd.GeoDataFrame:
    """Give each point the id and indicator ``columns`` of the area of each layer it is in.

    Adds ``<layer>`` (area id) and ``<layer>_<column>`` for every area layer; a point in no
    area gets nulls.
    """
    out = points.copy()
    for prefix, area in areas.items():
        keep = ["id", *[c for c in columns if c in area.columns]]
        joined = _area_of_each_point(points, area, keep)
        out[prefix] = joined["id"].to_numpy()
        for col in keep[1:]:
            out[f"{prefix}_{col}"] = joined[col].to_numpy()
    return out


def _area_of_each_point(
    points: gpd.GeoDataFrame, area: gpd.GeoDataFrame, columns: list[str]
) -> pd.DataFrame:
    """``columns`` of the feature of ``area`` each point lies within, one row per point in
    the points' order (nulls outside every feature; a point on a shared edge takes the
    first feature)."""
    joined = gpd.sjoin(
        points[["geometry"]], area[[*columns, "geometry"]], predicate="within", how="left"
    )
    return joined[~joined.index.duplicated(keep="first")]


#: reference layers named on tracts and points: (layer, id column, name column)
PLACES = (
    ("cities", "city_id", "city"),
    ("neighborhoods", "neighborhood", "neighborhood_name"),
    ("communities", "community", "community_name"),
)


def attach_places(
    tracts: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], crosswalks: list[pd.DataFrame]
) -> gpd.GeoDataFrame:
    """Give each tract the city, neighborhood and community holding most of its land.

    Adds ``city_id``/``city`` (null unless more than half the tract's land is in one
    incorporated city), ``neighborhood``/
    ``neighborhood_name`` and ``community``/``community_name``, so that ``?city=…``
    filters and tooltips work on tracts.
    """
    out = tracts.copy()
    cw = pd.concat(crosswalks, ignore_index=True)
    for layer_id, id_col, name_col in PLACES:
        if layer_id not in layers:
            continue
        rows = cw[cw["layer"] == layer_id].sort_values("area_weight", ascending=False)
        if layer_id == "cities":  # cities do not tile the county: more than half, or none
            rows = rows[rows["area_weight"] > 0.5]
        main = rows.drop_duplicates("tract").set_index("tract")["feature"]
        names = layers[layer_id].set_index("id")["name"]
        out[id_col] = out["id"].map(main)
        out[name_col] = out[id_col].map(names)
    return out


def attach_point_places(
    points: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Add ``city_id``/``city`` and ``community``/``community_name`` of the area each point
    stands in (the neighborhood is already attached with the area values)."""
    out = points.copy()
    for layer_id, id_col, name_col in PLACES:
        if layer_id not in layers or id_col in out.columns:
            continue
        joined = _area_of_each_point(points, layers[layer_id], ["id", "name"])
        out[id_col] = joined["id"].to_numpy()
        out[name_col] = joined["name"].to_numpy()
    return out


def indicator_manifest(choices: dict) -> dict[str, dict[str, Any]]:
    """Per indicator: available, dataset used, vintage, and why not when unavailable."""
    return {
        ind_id: {
            "available": ch.available,
            "dataset": ch.recipe.dataset if ch.recipe else None,
            "vintage": ch.vintage,
            "reason": ch.reason,
        }
        for ind_id, ch in choices.items()
    }


def county_check(layers: dict[str, gpd.GeoDataFrame], choices: dict) -> dict[str, Any]:
    """Counts summed over the county-tiling layers, compared with the tract total."""
    result: dict[str, Any] = {}
    for ind_id, ch in choices.items():
        if not ch.available or INDICATORS[ind_id].kind != "count":
            continue
        total = float(layers["tracts"][ind_id].sum())
        entry: dict[str, Any] = {"tracts": total}
        for layer_id in (lid for lid, layer in LAYERS.items() if layer.tiles_county):
            if layer_id not in layers:
                continue
            value = float(layers[layer_id][ind_id].sum())
            entry[layer_id] = value
            entry[f"{layer_id}_diff_pct"] = 100.0 * (value - total) / total if total else None
        result[ind_id] = entry
    return result


def load_centres(ctx: BuildContext) -> gpd.GeoDataFrame | None:
    """2020 block-group centres of population, or ``None`` (then area weights are used)."""
    if not ctx.required("population"):
        ctx.unavailable["population"] = (
            "no 2020 block-group population file: split tracts are divided by land area"
        )
        ctx.progress("– block-group population: not in the mirror, area weights used")
        return None
    with ctx.step("2020 block-group centres of population", "population"):
        return population.load_blockgroup_centers(ctx.path("population"))


def _tract_population(
    centres: gpd.GeoDataFrame | None, tracts: gpd.GeoDataFrame
) -> pd.Series | None:
    """People per tract for allocation shares: 2020 Census counts, else the ACS estimate."""
    if centres is not None:
        return centres.groupby("tract")["population"].sum()
    if "population" in tracts.columns:
        return tracts.set_index("id")["population"].astype(float)
    return None


NO_CENTRE_NOTE = (
    "no 2020 block-group centre of population lies in this area, so no share of the census "
    "tracts around it is assigned to it: its figures are unknown (few or no residents), "
    "not zero"
)


def add_coverage(frame: gpd.GeoDataFrame, cov: Coverage) -> gpd.GeoDataFrame:
    """Add ``tract_coverage`` and ``population_coverage`` (0-1) with a note when incomplete."""
    frame = frame.copy()
    frame["tract_coverage"] = frame["id"].map(cov.features)
    if cov.population:
        # land with tracts but no centre of population: nobody is assigned to it
        empty = frame["id"].isin(cov.no_tracts) & (frame["tract_coverage"] > 0)
        frame.loc[empty, "data_notes"] = NO_CENTRE_NOTE
        frame["population_coverage"] = frame["id"].map(cov.population).astype("float64")
        notes = []
        for note, share in zip(frame["data_notes"], frame["population_coverage"], strict=True):
            extra = ""
            if pd.notna(share) and share < POPULATION_COVERAGE_NOTE:
                extra = (
                    f"population_coverage {100 * share:.1f}%: the rest of this area's 2020 "
                    "population lives in census tracts without a polygon, missing from "
                    "every figure"
                )
            notes.append("; ".join(n for n in (note, extra) if isinstance(n, str) and n) or None)
        frame["data_notes"] = notes
    return frame


def area_tables(
    tracts_land: gpd.GeoDataFrame, land: BaseGeometry, centres: gpd.GeoDataFrame | None
) -> dict[str, gpd.GeoDataFrame]:
    """What ``POST /aggregate`` needs at serve time (:data:`boundaries.store.AREA_TABLES`)."""
    out = {
        "area_tract_land": tracts_land[["id", "geometry"]],
        "area_land": gpd.GeoDataFrame({"name": ["land"]}, geometry=[land], crs="EPSG:4326"),
    }
    if centres is not None:
        out["area_centres"] = centres[["tract", "population", "geometry"]].to_crs("EPSG:4326")
    return out


def check_no_indicator_lost(
    store_path: Path,
    choices: dict[str, Choice],
    allow_fewer_indicators: bool,
    excused: frozenset[str] = frozenset(),
) -> None:
    """Refuse a build that would make indicators of the current store unavailable
    (``excused``: those that a source left out on purpose, ``--allow-missing``, takes)."""
    previous = read_manifest(store_path)
    if previous is None or allow_fewer_indicators:
        return
    before = {k for k, v in previous.get("indicators", {}).items() if v.get("available")}
    lost = sorted(
        k for k in before if not (k in choices and choices[k].available) and k not in excused
    )
    if lost:
        raise SourceError(
            "indicators",
            f"{', '.join(lost)} would become unavailable (available in the current store): "
            "a source is missing or damaged; pass --allow-fewer-indicators if intended",
        )


def build_store(
    fetcher: Fetcher,
    store_path: Path,
    *,
    census_key: str | None = None,
    acs_year: int = 2022,
    progress: Progress = print,
    allow_fewer_indicators: bool = False,
    allow_missing: frozenset[str] = frozenset(),
) -> Store:
    """Build the store from ``fetcher``'s sources and write it atomically to ``store_path``.

    Fails (:class:`SourceError`, nothing written) when a source lacks a column, covers
    too few tracts or disagrees with the others, and when an indicator available in the
    store at ``store_path`` would become unavailable (unless ``allow_fewer_indicators``),
    and when a source of :data:`MISSING_REQUIRED` is missing (unless ``allow_missing``
    names it; the manifest then records it under ``allowed_missing``).
    """
    started = time.perf_counter()
    ctx = BuildContext(fetcher=fetcher, progress=progress, allow_missing=allow_missing)
    stale = remove_stale_temporaries(store_path)
    if stale:
        progress(f"removed {len(stale)} temporary files left beside the store by killed builds")
    layers, land = load_layers(ctx)
    for layer_id, frame in layers.items():
        if LAYERS[layer_id].kind == "polygon":
            source = LAYER_SOURCES.get(layer_id, layer_id)
            with ctx.step(f"{layer_id}: polygons on the county's land", source):
                check_near_land(source, frame, land)
    centres = load_centres(ctx)
    derived_report: list[dict[str, Any]] = []
    if centres is not None:
        with ctx.step("tracts without a polygon: outlines from the coverage gaps", "tracts"):
            missing = set(centres["tract"]) - set(layers["tracts"]["id"])
            check_rebuilt_share(len(missing), len(layers["tracts"]) + len(missing))
            derived, derived_report = rebuild_missing_tracts(layers["tracts"], land, centres)
            if len(derived):  # gaps by construction: nothing to trim
                layers["tracts"] = tiger.add_tracts(layers["tracts"], derived, "tracts", trim=False)
        with ctx.step("block-group centres inside their tracts", "population"):
            offset = check_centres_in_tracts(centres, layers["tracts"])
            ctx.plausibility["centre_offset_max_m"] = round(offset, 1)
    layers["tracts"] = mark_derived(
        layers["tracts"], {r["id"] for r in derived_report if r["rebuilt"]}
    )
    universe = set(layers["tracts"]["id"])
    if centres is not None:
        universe |= set(centres["tract"])
    tidy = load_tract_values(ctx, census_key, acs_year, fetcher.cache_dir, universe)
    if centres is not None and "access-points" in layers:
        with ctx.step("distance to public internet access points", "access-points"):
            tidy = pd.concat(
                [tidy, access_distance_values(centres, layers["access-points"])],
                ignore_index=True,
            )
    census_2020 = float(centres["population"].sum()) if centres is not None else None
    with ctx.step("cross-source checks", "cross-source"):
        check_values(tidy)
        cross_checks = cross_source_checks(tidy, census_2020)
    choices = choose_recipes(tidy)
    # an indicator made from a source left out on purpose goes with it
    excused = (
        ACCESS_INDICATORS
        if "population" in ctx.allow_missing & set(ctx.unavailable)
        else frozenset()
    )
    check_no_indicator_lost(store_path, choices, allow_fewer_indicators, excused)

    tracts = layers["tracts"]
    tract_ids = set(tracts["id"])
    with_values = set(tidy["GEOID"])
    crosswalks = [identity_crosswalk(tracts["id"]).assign(layer="tracts")]
    status_rows = _status_rows("tracts", choices, "whole tracts", tidy)
    coverage_rows: list[dict[str, Any]] = []
    coverage_report: dict[str, Any] = {}
    with ctx.step("tract indicators", "acs"):
        values = layer_values(tidy, crosswalks[0], tracts["id"], choices, whole_tracts=True)
        layers["tracts"] = add_derived_note(tracts.merge(values, on="id", validate="one_to_one"))
        check_layer_values("tracts", layers["tracts"], choices)
    with ctx.step("clip tracts to land", "land"):
        tl = land_tracts(tracts, land)
    tract_population = _tract_population(centres, layers["tracts"])
    for layer_id in AGGREGATE_LAYERS:
        with ctx.step(f"crosswalk and indicators: {layer_id}", layer_id):
            layer = layers[layer_id]
            cw = compute_crosswalk(tl, layer, centres, tiles=LAYERS[layer_id].tiles_county)
            method = allocation_method(cw)
            cov = coverage(layer_id, layer, tl, cw, land, centres)
            allocation = None
            if tract_population is not None:
                allocation = allocation_stats(cw, tract_population)
            values = layer_values(tidy, cw, layer["id"], choices, allocation=allocation)
            merged = layer.merge(values, on="id", validate="one_to_one")
            check_layer_values(layer_id, merged, choices)
            layers[layer_id] = add_coverage(merged, cov)
            crosswalks.append(cw.assign(layer=layer_id))
            status_rows += _status_rows(layer_id, choices, method)
            coverage_rows += [
                {
                    "layer": layer_id,
                    "feature": f,
                    "covered_share": s,
                    "population_share": cov.population.get(f),
                }
                for f, s in cov.features.items()
            ]
            coverage_report[layer_id] = {
                "method": method,
                "area_share": cov.area_share,
                "incomplete": cov.incomplete(),
                "population_incomplete": cov.population_incomplete(),
                "no_tracts": cov.no_tracts,
            }
    with ctx.step("tracts: the city, neighborhood and community each mostly lies in", "tracts"):
        layers["tracts"] = attach_places(layers["tracts"], layers, crosswalks)
    value_cols = [
        c
        for ind_id, ch in choices.items()
        if ch.available
        for c in (ind_id, f"{ind_id}_moe", f"{ind_id}_reliability")
    ]
    for point_layer in ("schools", "child-care", "access-points"):
        if point_layer in layers:
            with ctx.step(f"{point_layer}: tract and neighborhood values", point_layer):
                layers[point_layer] = attach_area_values(
                    layers[point_layer],
                    {"tract": layers["tracts"], "neighborhood": layers["neighborhoods"]},
                    value_cols,
                )
                layers[point_layer] = attach_point_places(layers[point_layer], layers)

    totals = county_check(layers, choices)
    with ctx.step("layer totals against the tract total", "county-check"):
        check_county_totals(totals)
    manifest: dict[str, Any] = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "live" if fetcher.live else "mirror",
        "acs_year": acs_year,
        "sources": ctx.sources,
        "unavailable_sources": ctx.unavailable,
        "allowed_missing": sorted(ctx.allow_missing & set(ctx.unavailable)),
        "layers": {
            lid: {"count": len(frame), "title": LAYERS[lid].title, **ctx.layer_reports.get(lid, {})}
            for lid, frame in layers.items()
        },
        "coverage": coverage_report,
        "tracts_with_values_but_no_geometry": sorted(with_values - tract_ids),
        "derived_tracts": {
            "method": "the coverage gap holding the tract's 2020 block-group centres of "
            "population (gaps shared by several tracts split by the centres' Voronoi cells)",
            "min_gap_m2": MIN_GAP_M2,
            "tracts": derived_report,
        },
        "allocation": {
            "method": "population" if centres is not None else "area",
            "population_source": "population" if centres is not None else None,
            "cap_medium_share": CAP_MEDIUM_SHARE,
            "cap_low_ratio": CAP_LOW_RATIO,
        },
        "tracts_without_values": sorted(tract_ids - with_values),
        "county_check": totals,
        "source_checks": {
            "tract_coverage": ctx.tract_coverage,
            "cross_source": cross_checks,
            "plausibility": ctx.plausibility,
        },
        "indicators": indicator_manifest(choices),
    }
    tables = {
        "acs_values": tidy,
        "crosswalk": pd.concat(crosswalks, ignore_index=True)[
            ["layer", "tract", "feature", "weight", "method", "area_weight"]
        ],
        "indicator_status": pd.DataFrame(status_rows),
        "coverage": pd.DataFrame(coverage_rows),
    }
    areas = area_tables(tl, land, centres)
    manifest["content_sha256"] = content_checksum({**layers, **areas}, tables)
    store = Store(layers=layers, manifest=manifest, areas=areas, **tables)
    # recorded before the write so that it is saved (the write itself takes seconds more)
    manifest["build_seconds"] = round(time.perf_counter() - started, 1)
    with ctx.step(f"write store {store_path}", "store"):
        write_store(store, store_path)
    progress(f"store written: {store_path} ({time.perf_counter() - started:.1f} s)")
    return store

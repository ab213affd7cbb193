"""A complete, tiny mirror in the upstream formats, written at test time.

Every file of ``shared/data`` that a build reads has a hand-made counterpart here, in the
same layout, format and quirks (GeoJSON in EPSG:4269, the CSA shapefile in EPSG:2229 US
feet, an Orange County neighborhood, integer GEOIDs without their leading zero in the
B19013 file, a UTF-8 byte-order mark in S1701, ``+`` latitudes in the centres file).
Nothing is copied from the real mirror: four square tracts A|B|C|D in a row near
downtown LA (tests/shapes.py coordinates), with invented, mutually consistent counts.

:func:`write_fixture_mirror` returns the mirror directory; tests damage copies of it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import box

from tests.shapes import X0, Y0, D

TRACTS = ["06037000100", "06037000200", "06037000300", "06037000400"]
#: per tract: population, households, households without a subscription, poor, children < 5.
#: Tract C houses 600 people but no households (group quarters): its internet rate is the
#: SVI's missing code -999, so its no_subscription_pct is null ("nobody in the universe"),
#: and it is below the rankings' default population floor.
NUMBERS = {
    "06037000100": (3000, 1000, 100, 300, 200),
    "06037000200": (5000, 1800, 400, 1000, 350),
    "06037000300": (600, 0, 0, 100, 20),
    "06037000400": (4000, 1500, 225, 200, 260),
}
#: the public schools: CDS code and the tract (index) each stands in
SCHOOLS = {"19100001111111": 0, "19100002222222": 2, "19100003333333": 1}


def _square(i: float, j: float = 0.0, wide: float = 1.0) -> object:
    return box(X0 + i * D, Y0 + j * D, X0 + (i + wide) * D, Y0 + (j + 1) * D)


def _geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")


def _shapefile(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile")


def _csv(path: Path, header: list[str], rows: list[list[object]], bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_boundaries(root: Path) -> None:
    """Tracts, land outline, places, school districts, CSAs and the LA Times layers."""
    tracts = gpd.GeoDataFrame(
        {"GEOID": TRACTS, "NAME": [f"Census Tract {i}" for i in (1, 2, 3, 4)]},
        geometry=[_square(i) for i in range(4)],
        crs="EPSG:4326",
    ).to_crs("EPSG:4269")
    _geojson(tracts.iloc[:3], root / "tracts/la_county_tracts_2020_tiger.geojson")
    _geojson(tracts.iloc[3:], root / "tracts/la_county_tracts_2020_supplement.geojson")
    land = gpd.GeoDataFrame(
        {"STATEFP": ["06"], "COUNTYFP": ["037"], "GEOID": ["06037999999"]},
        geometry=[_square(0, wide=4)],
        crs="EPSG:4326",
    ).to_crs("EPSG:4269")
    _geojson(land, root / "tracts/la_county_tracts_2010_cb2019_500k.geojson")
    places = gpd.GeoDataFrame(
        {"GEOID": ["0600001", "0600002"], "NAME": ["Alpha", "Beta CDP"], "LSAD": ["25", "57"]},
        geometry=[_square(0, wide=1.4), _square(3)],
        crs="EPSG:4269",
    )
    _geojson(places, root / "boundaries/la_county_census_places_2019_cb500k.geojson")
    districts = gpd.GeoDataFrame(
        {"GEOID": ["0600010"], "NAME": ["Example Unified"], "SD_TYPE": ["unified"]},
        geometry=[_square(0, wide=4)],
        crs="EPSG:4269",
    )
    _geojson(districts, root / "school_districts/la_county_school_districts_cb2021_500k.geojson")
    csa = gpd.GeoDataFrame(
        {
            "CITY_TYPE": ["City", "Unincorporated"],
            "LCITY": ["Alpha", "Unincorporated"],
            "LABEL": ["City of Alpha", "Unincorporated - Gamma"],
            "POPULATION": [5500, 8500],
        },
        geometry=[_square(0, wide=1.4), _square(1.4, wide=2.6)],
        crs="EPSG:4326",
    ).to_crs("EPSG:2229")
    _shapefile(csa, root / "boundaries/la_county_csa/BOS_Countywide_Statistical_Areas.shp")
    times = root / "boundaries/latimes_mapping_la"
    hoods = gpd.GeoDataFrame(
        {
            "name": ["West Side", "East Side", "Irvine Spectrum"],
            "slug": ["west", "east", "irvine-spectrum"],
            "county": ["los-angeles", "los-angeles", "orange"],
            "type": ["segment-of-a-city", "unincorporated-area", "standalone-city"],
            "city": ["Alpha", "", "Irvine"],
            "region": ["test", "test", "orange"],
        },
        geometry=[_square(0, wide=2), _square(2, wide=2), _square(0, j=-60)],
        crs="EPSG:4326",
    )
    _shapefile(hoods, times / "neighborhoods_v6_neighborhoods.shp")
    whole = [_square(0, wide=4)]
    _shapefile(
        gpd.GeoDataFrame(
            {"SPA_2012": [4], "SPA_NAME": ["Metro"], "ABBV": ["MT"]}, geometry=whole, crs=4326
        ),
        times / "spas_2012.shp",
    )
    _shapefile(
        gpd.GeoDataFrame({"DISTRICT": [1]}, geometry=whole, crs=4326),
        times / "la_county_supervisors_2011.shp",
    )
    _shapefile(
        gpd.GeoDataFrame({"DISTRICT": [14]}, geometry=[_square(0, wide=2)], crs=4326),
        times / "la_city_council_2012.shp",
    )


def write_tables(root: Path) -> None:
    """Schools, SVI, S1701, B19013, Social Explorer and block-group centres."""
    schools = root / "schools/cde_school_directory_export_la_county.tsv"
    schools.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "Record Type\tCDS Code\tCounty\tDistrict\tSchool\tFunding Type\t"
        "Educational Program Type\tEntity Type\tMagnet Yes/No\tPublic Yes/No\tLatitude\tLongitude"
    )
    rows = [
        f"School\t{cds}\tLos Angeles\tExample Unified\tSchool in tract {i + 1}\t\tTraditional\t"
        f"Elementary Schools (Public)\tN\tY\t{Y0 + 0.5 * D:.6f}\t{X0 + (i + 0.5) * D:.6f}"
        for cds, i in SCHOOLS.items()
    ]
    schools.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    svi_cols = ["TOTPOP", "HH", "NOINT", "NOHSDP", "AGE17", "LIMENG", "POV150"]
    header = ["FIPS", *[f"{p}_{c}" for c in svi_cols for p in ("E", "M")], "EP_NOINT", "MP_NOINT"]
    svi_rows, s1701, b19013, se, centres = [], [], [], [], []
    for tract, (pop, hh, noint, poor, under5) in NUMBERS.items():
        values = {
            "TOTPOP": pop,
            "HH": hh,
            "NOINT": noint,
            "NOHSDP": pop // 10,
            "AGE17": pop // 5,
            "LIMENG": pop // 20,
            "POV150": poor * 3 // 2,
        }
        row: list[object] = [tract.lstrip("0")]  # the SVI writes FIPS as a number
        for c in svi_cols:
            row += [values[c], max(10, values[c] // 10)]
        row += [round(100 * noint / hh, 1) if hh else -999, 3.5 if hh else -999]
        svi_rows.append(row)
        universe = pop * 98 // 100
        s1701.append(
            [
                tract,
                universe, 120, poor, 90, round(100 * poor / universe, 1), 2.5,
                under5, 40, under5 // 4, 20, round(100 * (under5 // 4) / under5, 1), 9.9,
                poor * 3 // 2, 130,
            ]
        )  # fmt: skip
        b19013.append([2021, tract.lstrip("0"), 59000 + pop, 5100, "Alpha"])
        b19013.append([2022, tract.lstrip("0"), 61000 + pop, 5000, "Alpha"])
        se.append([tract, pop, pop * 2 // 3, pop // 10, pop // 5, 60000 + pop])
        for group, share in ((1, 0.6), (2, 0.4)):
            x = X0 + (TRACTS.index(tract) + (0.3 if group == 1 else 0.7)) * D
            centres.append(
                [
                    f"{tract}{group}", "06", "037", tract[5:], group, round(pop * share),
                    f"+{Y0 + 0.5 * D:.6f}", f"{x:.6f}",
                ]
            )  # fmt: skip
    _csv(root / "svi/la_county_tracts_svi2022_selected_columns.csv", header, svi_rows)
    s1701_vars = ["C01_001", "C02_001", "C03_001", "C01_003", "C02_003", "C03_003", "C01_040"]
    _csv(
        root / "acs/la_county_tracts_S1701_poverty_acs2022_5yr.csv",
        ["FIPS", *[f"S1701_{v}{k}" for v in s1701_vars for k in ("E", "M")]],
        s1701,
        bom=True,
    )
    _csv(
        root / "acs/la_county_tracts_B19013_median_hh_income_2010_2023.csv",
        ["YEAR", "GEO_ID", "B19013_001E", "B19013_001M", "CITY"],
        b19013,
    )
    _csv(
        root / "acs/la_county_tracts_acs2021_5yr_socialexplorer.csv",
        ["FIPS", "SE_A04001_001", "SE_A12002_001", "SE_A12002_002", "SE_A12002_005",
         "SE_A14006_001"],
        se,
    )  # fmt: skip
    _csv(
        root / "population/la_county_blockgroup_centers_of_population_2020.csv",
        ["GEOID", "STATEFP", "COUNTYFP", "TRACTCE", "BLKGRPCE", "POPULATION", "LATITUDE",
         "LONGITUDE"],
        centres,
    )  # fmt: skip
    write_school_counts(root)
    write_access_points(root)
    (root / "PROVENANCE.md").write_text("Hand-made test mirror (tests/fixture_mirror.py).\n")


#: per school: K-12 enrolment, FRPM count and English learners in 2022-23 (earlier FRPM
#: years shrink enrolment by 2% a year); one district-office row adds 30 pupils
PUPILS = {"19100001111111": (500, 400, 150), "19100002222222": (300, 120, 30),
          "19100003333333": (800, 600, 320)}  # fmt: skip
FRPM_HEADER = [
    "Academic Year", "County Code", "District Code", "School Code", "County Name",
    "District Name", "School Name", "School Type", "Charter School \n(Y/N)", "Low Grade",
    "High Grade", "Enrollment \n(K-12)", "Free Meal \nCount \n(K-12)",
    "Percent (%) \nEligible Free \n(K-12)", "FRPM Count \n(K-12)",
    "Percent (%) \nEligible FRPM \n(K-12)",
]  # fmt: skip
UPC_HEADER = [
    "Academic Year", "County Code", "District Code", "School Code", "Total \nEnrollment",
    "Free &\nReduced\nMeal\nProgram", "Unduplicated\nFRPM Eligible \nCount",
    "English \nLearner \n(EL)", "Foster", "Homeless",
    "CALPADS Unduplicated \nPupil Count\n(UPC)",
]  # fmt: skip


def write_school_counts(root: Path) -> None:
    """FRPM files for four years ('%' text before 2022-23, ratios after; CRLF line ends),
    the 2021-22 UPC file and a one-school list of known Community Schools."""
    years = (("1819", 2018, 4), ("1920", 2019, 3), ("2021", 2020, 2), ("2223", 2022, 0))
    for short, start, back in years:
        rows: list[list[object]] = []
        for cds, (enrolled, frpm, _) in [*PUPILS.items(), ("19100000000000", (30, 10, 0))]:
            n = round(enrolled * 0.98**back)
            count = round(frpm * 0.98**back)
            pct: object = count / n if back == 0 else f"{100 * count / n:.1f}%"
            name = "District Office" if cds.endswith("0000000") else f"School {cds[-1]}"
            rows.append(
                [f"{start}-{start + 1}", cds[:2], cds[2:7], cds[7:], "Los Angeles",
                 "Example Unified", name, "Elementary Schools (Public)", "No", "K", "5", n,
                 count, pct, count, pct]
            )  # fmt: skip
        path = root / f"schools/cde_frpm{short}_la_county.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\r\n").writerows([FRPM_HEADER, *rows])
    upc = [
        ["2021-2022", cds[:2], cds[2:7], cds[7:], round(n * 0.99), round(f * 0.95),
         round(f * 0.99), el, 1, 2, round(f * 0.99) + 5]
        for cds, (n, f, el) in PUPILS.items()
    ]  # fmt: skip
    with open(root / "schools/cde_cupc2122_k12_la_county.csv", "w", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([UPC_HEADER, *upc])
    _csv(
        root / "schools/lausd_community_schools_cohorts5_6.csv",
        ["cohort", "name_as_published", "source_url", "cde_cds_code_candidate",
         "cde_school_name", "match_confidence"],
        [[5, "School 3 Community School", "https://example.org/cohort-5", "19100003333333",
          "School in tract 2", "high"]],
    )  # fmt: skip


#: the LMS export's columns (a subset of its 31, in its order) and two access points: a
#: library in tract A and a closed centre in tract D (``dis_status`` = Not Active)
LMS_HEADER = ["X", "Y", "OBJECTID", "cat1", "cat2", "org_name", "Name", "addrln1", "city",
              "post_id", "link", "latitude", "longitude", "date_updated", "dis_status"]  # fmt: skip


def write_access_points(root: Path) -> None:
    """The County's LMS "Public Internet Access" export: UTF-8 with a byte-order mark,
    Web Mercator X/Y beside latitude/longitude, one site not active."""
    import math

    rows = []
    for n, (i, status) in enumerate(((0.2, ""), (3.5, "Not Active"))):
        lon, lat = X0 + i * D, Y0 + 0.5 * D
        x = math.radians(lon) * 6378137.0
        y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
        rows.append(
            [f"{x:.4f}", f"{y:.4f}", 100 + n, "Municipal Services", "Public Internet Access",
             "Example Library", f"Example Library {n + 1}", f"{n + 1} Main St.", "Alpha",
             9000 + n, f"http://egis3.lacounty.gov/lms/?p={9000 + n}", f"{lat:.6f}",
             f"{lon:.6f}", "2019/07/01 10:00:00+00", status]
        )  # fmt: skip
    _csv(
        root / "access_points/la_county_public_internet_access_lms.csv", LMS_HEADER, rows, bom=True
    )


def write_fixture_mirror(root: Path) -> Path:
    """Write the whole tiny mirror under ``root`` and return ``root``."""
    write_boundaries(root)
    write_tables(root)
    return root

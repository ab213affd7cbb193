"""The geography registry: every layer geo-api serves, its id scheme and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """A served layer. ``kind`` is ``polygon`` or ``point``; ``tiles`` means its features
    cover the county without overlap (used for county-total checks)."""

    id: str
    title: str
    description: str
    kind: str
    id_scheme: str
    tiles_county: bool = False


LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in [
        Layer(
            "tracts",
            "Census tracts (2020)",
            "LA County census tracts, 2020 definitions (TIGER/Line).",
            "polygon",
            "11-character tract GEOID, e.g. 06037101110",
        ),
        Layer(
            "cities",
            "Incorporated cities",
            "The 88 incorporated cities of LA County (Census places, LSAD 25).",
            "polygon",
            "7-character Census place GEOID, e.g. 0644000 (Los Angeles)",
        ),
        Layer(
            "communities",
            "Countywide Statistical Areas",
            "Cities, City of LA communities and unincorporated communities (County CSAs).",
            "polygon",
            "slug of the CSA label, e.g. unincorporated-altadena",
            tiles_county=True,
        ),
        Layer(
            "school-districts",
            "School districts",
            "Unified, elementary and secondary school districts serving LA County "
            "(elementary and secondary districts overlap by design).",
            "polygon",
            "7-character NCES LEAID, e.g. 0622710 (Los Angeles Unified)",
        ),
        Layer(
            "neighborhoods",
            "Neighborhoods (Mapping L.A.)",
            "LA Times Mapping L.A. neighborhoods (v6), LA County features.",
            "polygon",
            "LA Times slug, e.g. boyle-heights",
            tiles_county=True,
        ),
        Layer(
            "spas",
            "Service Planning Areas",
            "LA County Department of Public Health Service Planning Areas (2012).",
            "polygon",
            "SPA number 1-8",
            tiles_county=True,
        ),
        Layer(
            "supervisorial-districts",
            "Supervisorial districts",
            "LA County Board of Supervisors districts (2011 redistricting).",
            "polygon",
            "district number 1-5",
            tiles_county=True,
        ),
        Layer(
            "council-districts",
            "LA City Council districts",
            "City of Los Angeles council districts (2012 redistricting).",
            "polygon",
            "district number 1-15",
        ),
        Layer(
            "schools",
            "Public schools",
            "Active public schools with coordinates (California Department of Education).",
            "point",
            "14-character CDS code",
        ),
        Layer(
            "access-points",
            "Public internet access points (2019)",
            "Libraries, recreation and senior centres with free internet use, from LA County's "
            "2019 Location Management System inventory (sites may have opened or closed since).",
            "point",
            "LMS point id, e.g. 1992",
        ),
        Layer(
            "child-care",
            "Licensed child-care sites",
            "Licensed child-care centers and family child-care homes (CDSS CCLD).",
            "point",
            "CCLD facility number",
        ),
    ]
}

POLYGON_LAYERS = [lid for lid, layer in LAYERS.items() if layer.kind == "polygon"]
AGGREGATE_LAYERS = [lid for lid in POLYGON_LAYERS if lid != "tracts"]

#: the Census Bureau numbers water-only census tracts from 9900 (codes 9900.00-9998.99;
#: 9800s are special land uses such as parks and airports, which can hold people)
WATER_TRACT_PREFIX = "99"


def is_water_tract(geoid: str) -> bool:
    """Whether an 11-character tract GEOID is one of the Census Bureau's water-only tracts
    (the tract code, characters 6-9, in the 9900s): ocean and harbour, never residents."""
    return len(geoid) == 11 and geoid[5:7] == WATER_TRACT_PREFIX

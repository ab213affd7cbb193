"""Find areas by name across every layer: "Watts", "Pomona", "2063.03", or a tract by the
neighbourhood or city it lies in ("Boyle Heights" finds the neighbourhood and its tracts).

Matching ignores case; names are matched as written, accents included. An exact name
comes first, then names that start with the words, then names that contain them; tracts
also match on their neighbourhood and city.
"""

from __future__ import annotations

from typing import Any

from geo_api.catalog import Catalog, LayerData
from geo_api.errors import InvalidParameter
from geo_api.pages.profile import tract_context

#: the order layers are listed in: the places people name first, tracts and points last
ORDER = (
    "neighborhoods",
    "cities",
    "communities",
    "school-districts",
    "council-districts",
    "supervisorial-districts",
    "spas",
    "tracts",
    "schools",
)
PER_LAYER = 8
MAX_QUERY = 100


def resolve(layer: LayerData, value: str) -> str | None:
    """The id of the feature of ``layer`` whose id is ``value`` or whose name is ``value``
    (ignoring case); ``None`` when none is; a 400 listing them when several share it."""
    if value in layer.by_id:
        return value
    ids = layer.by_name.get(value.strip().casefold(), [])
    if len(ids) > 1:
        raise InvalidParameter(
            f"{len(ids)} areas of {layer.layer.id} are named {value[:80]!r}: use an id",
            valid=[f"{layer.layer.id}:{i}" for i in ids[:20]],
        )
    return ids[0] if ids else None


def _score(query: str, record: dict[str, Any], tract: bool) -> int | None:
    """0 exact, 1 prefix, 2 contains, 3 a tract's neighbourhood or city contains it."""
    name = str(record.get("name") or "").casefold()
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    if query in name:
        return 2
    if tract:
        around = " ".join(
            str(record.get(k) or "") for k in ("neighborhood_name", "city", "community_name")
        ).casefold()
        if query in around:
            return 3
    return None


def search(catalog: Catalog, query: str) -> list[dict[str, Any]]:
    """Per layer (in :data:`ORDER`): ``layer``, ``title``, ``matches`` (the best
    :data:`PER_LAYER`: ``id``, ``name``, ``where``) and ``more`` (how many beyond)."""
    q = query.strip().casefold()
    if not q:
        return []
    if len(q) > MAX_QUERY:
        raise InvalidParameter(f"q= is longer than {MAX_QUERY} characters")
    out = []
    for lid in ORDER:
        layer = catalog.layers.get(lid)
        if layer is None:
            continue
        tract = lid == "tracts"
        scored = []
        for rec in layer.records:
            score = _score(q, rec, tract)
            if score is not None:
                scored.append((score, str(rec.get("name") or ""), rec))
        if not scored:
            continue
        scored.sort(key=lambda s: (s[0], s[1]))
        matches = []
        for _, _, rec in scored[:PER_LAYER]:
            where = ""
            if tract:
                where = tract_context(rec)
            elif rec.get("district"):  # a school's district
                where = str(rec["district"])
            matches.append({"id": rec["id"], "name": rec.get("name") or rec["id"], "where": where})
        out.append(
            {
                "layer": lid,
                "title": layer.layer.title,
                "matches": matches,
                "more": max(0, len(scored) - PER_LAYER),
            }
        )
    return out

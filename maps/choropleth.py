"""Interactive choropleth pages (folium/Leaflet) that work with no internet connection.

* Every script and stylesheet comes from :class:`Assets`: by default geo-api's own copy of
  Leaflet (shipped in the package); the public CDN only when configured. Folium's other default
  assets (jQuery, Bootstrap, Font Awesome, awesome-markers) are dropped: nothing on these
  maps uses them, and each would be one more request that fails offline.
* Areas are filled by class; "no data" areas get a grey dotted pattern, never a class
  colour; areas whose estimate has low reliability (CV > 30%, or capped because most of the
  figure is allocated from split tracts) are hatched by a second,
  non-interactive layer drawn on top, and the legend says what hatching means.
* Basemap tiles are optional; with none the areas sit on a plain light background.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import shapely
from folium.plugins import FastMarkerCluster

from maps.classify import Classification
from maps.labels import LABEL_CSS, LABELS_JS, label_rows
from maps.mapdata import OUTLINE_LINE, MapData, Points, legend_entries, tooltip_rows
from maps.mapux import mainland_bounds, ux_script
from maps.pointcolors import POINT_OUTLINE

NO_DATA_FILL = "url(#geoapi-nodata)"
HATCH_FILL = "url(#geoapi-hatch)"
OUTLINE = "#4d4d4d"  # legend swatches
AREA_EDGE = "#ffffff"  # white edges between areas keep small neighbours apart

PATTERNS = """
<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false">
  <defs>
    <pattern id="geoapi-hatch" patternUnits="userSpaceOnUse" width="7" height="7"
             patternTransform="rotate(45)">
      <line x1="0" y1="0" x2="0" y2="7" stroke="#000000" stroke-width="1.2"/>
    </pattern>
    <pattern id="geoapi-nodata" patternUnits="userSpaceOnUse" width="6" height="6">
      <rect width="6" height="6" fill="#f0f0f0"/>
      <circle cx="3" cy="3" r="1" fill="#969696"/>
    </pattern>
  </defs>
</svg>
"""

STYLE = (
    """
<style>
  html body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, sans-serif; }
  html body .leaflet-container { background: #f7f7f5; font: 13px/1.4 system-ui, -apple-system,
    "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
  .geoapi-panel { position: absolute; z-index: 1000; background: rgba(255,255,255,.95);
    border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); padding: 8px 10px; }
  #geoapi-legend { bottom: 24px; right: 10px; max-width: 280px; }
  #geoapi-legend h2 { font-size: 13px; margin: 0 0 4px; display: inline; }
  #geoapi-legend summary { cursor: pointer; margin-bottom: 4px; }
  #geoapi-legend:not([open]) summary { margin-bottom: 0; }
  #geoapi-embed-title { top: 6px; left: 44px; max-width: 60%; font-size: 12px; padding: 3px 7px; }
  #geoapi-embed-title a { color: #1b1b1b; font-weight: 600; text-decoration: none; }
  #geoapi-legend .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  #geoapi-legend svg { flex: none; }
  #geoapi-legend .source { color: #555; font-size: 11px; margin-top: 6px; }
  #geoapi-title { top: 10px; left: 54px; max-width: 420px; }
  #geoapi-title h1 { font-size: 16px; margin: 0; }
  #geoapi-title textarea { width: 100%; height: 5em; font: 11px monospace; }
  .geoapi-embed #geoapi-legend { bottom: 16px; right: 6px; font-size: 11px; padding: 5px 7px; }
  #geoapi-search { top: 10px; right: 56px; padding: 4px 6px; }
  #geoapi-search input { font: inherit; width: 14em; }
  #geoapi-search .status { font-size: 11px; color: #555; }
  .geoapi-embed #geoapi-search { top: 6px; right: 50px; }
  @media (max-width: 520px) { .geoapi-embed #geoapi-search { display: none; } }
  @media (max-width: 600px) {
    #geoapi-title { max-width: calc(100% - 110px); font-size: 12px; padding: 5px 7px; }
    #geoapi-title h1 { font-size: 13px; }
    body:not(.geoapi-embed) #geoapi-search { top: auto; bottom: 24px; left: 10px; right: auto;
      width: 38%; }
    #geoapi-search input { width: 100%; box-sizing: border-box; }
    #geoapi-legend { max-width: 52%; }
    .leaflet-control-scale { display: none; }
  }
  /* tooltips wrap within 320 px (a phone's width less a margin), never one long line */
  .leaflet-tooltip { white-space: normal; width: max-content;
    max-width: min(320px, calc(100vw - 24px)); box-sizing: border-box; }
  .leaflet-tooltip table { border-collapse: collapse; }
  .leaflet-tooltip th, .leaflet-tooltip td { white-space: normal; overflow-wrap: anywhere;
    vertical-align: top; padding: 1px 3px; }
  .geoapi-touch .leaflet-tooltip.foliumtooltip { display: none; }
  .geoapi-popup table { border-collapse: collapse; font-size: 12px; }
  .geoapi-popup th, .geoapi-popup td { display: block; text-align: left; padding: 0 2px;
    overflow-wrap: anywhere; }
  .geoapi-popup th { color: #555; font-weight: 600; margin-top: 3px; }
  .geoapi-profile { margin: 6px 0 0; font-weight: 600; }
  .geoapi-islands a { width: auto; padding: 0 6px; font: 12px/26px system-ui, sans-serif; }
"""
    + LABEL_CSS
    + """  /* school clusters in the schools' own blue, not markercluster's traffic-light colours
     (which would read as part of the choropleth's scale) */
  html body .marker-cluster-small, html body .marker-cluster-medium,
  html body .marker-cluster-large { background-color: rgba(8, 48, 107, .25); }
  html body .marker-cluster-small div, html body .marker-cluster-medium div,
  html body .marker-cluster-large div {
    background-color: rgba(66, 146, 198, .9); color: #fff; font-weight: 600; }
</style>
"""
)


@dataclass(frozen=True)
class Assets:
    """Where the page loads Leaflet from: geo-api's own copy or a public CDN."""

    leaflet_js: str
    leaflet_css: str
    #: Leaflet.markercluster: its script and its two stylesheets
    cluster_js: str = ""
    cluster_css: tuple[str, ...] = ()

    @classmethod
    def at(cls, leaflet: str, cluster: str) -> Assets:
        """Leaflet's files under ``leaflet`` and Leaflet.markercluster's under ``cluster``."""
        return cls(
            f"{leaflet}/leaflet.js",
            f"{leaflet}/leaflet.css",
            f"{cluster}/leaflet.markercluster-src.js",
            (f"{cluster}/MarkerCluster.css", f"{cluster}/MarkerCluster.Default.css"),
        )

    @classmethod
    def local(cls, base: str) -> Assets:
        """geo-api's own copies, served under ``{base}/assets/``."""
        return cls.at(f"{base}/assets/leaflet", f"{base}/assets/markercluster")

    @classmethod
    def cdn(cls) -> Assets:
        """The public CDN (unpkg), same versions as the shipped copies."""
        return cls.at(
            "https://unpkg.com/leaflet@1.9.4/dist",
            "https://unpkg.com/leaflet.markercluster@1.5.3/dist",
        )


LEGEND_MODES = ("auto", "expanded", "collapsed", "hidden")
#: hatch unreliable areas only while they are at most this share of the areas with data:
#: beyond it hatching covers most of the map and stops telling anything apart
HATCH_MAX_SHARE = 1 / 3
#: embeds narrower than this (CSS px) start with the legend collapsed (legend=auto)
NARROW_EMBED = 600  # (full pages too: a phone shows no more map than a small embed)


@dataclass(frozen=True)
class View:
    """How a map page opens: legend state, focus box, highlighted area, link back."""

    legend: str = "auto"  # one of LEGEND_MODES; auto: expanded, collapsed on narrow embeds
    bbox: tuple[float, float, float, float] | None = None  # lon/lat bounds to show
    highlight: str | None = None  # id of the area to outline and fit
    full_url: str = ""  # the full map, linked from an embed's title


@dataclass(frozen=True)
class Tiles:
    """An optional basemap: an XYZ URL template and its attribution."""

    url: str
    attribution: str


def _swatch(fill: str, stroke: str = OUTLINE, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        '<svg width="22" height="14" aria-hidden="true">'
        f'<rect x="1" y="1" width="20" height="12" fill="{fill}" stroke="{stroke}"'
        f' stroke-width="1"{dash_attr}/></svg>'
    )


def _dot(fill: str, stroke: str) -> str:
    return (
        '<svg width="22" height="14" aria-hidden="true"><circle cx="11" cy="7" r="4" '
        f'fill="{fill}" stroke="{stroke}"/></svg>'
    )


def _points_legend(pts: Points, t: Callable[[str], str]) -> list[str]:
    """The legend rows of the school points: one blue dot (grouped when zoomed out), or,
    coloured by a share of their pupils, its heading and one row per class."""
    if pts.legend is None:
        words = t("{title} ({count}; grouped with a count when zoomed out)").format(
            title=pts.title, count=f"{len(pts.names):,}"
        )
        dot = _dot("#4292c6", "#08306b")
        return [
            f'<div class="row" data-legend="points">{dot}<span>{html.escape(words)}</span></div>'
        ]
    head = f"{pts.title} ({len(pts.names):,}): {pts.colored_by}"
    rows = [f'<div class="row" data-legend="points"><strong>{html.escape(head)}</strong></div>']
    rows += [
        f'<div class="row" data-legend="points">{_dot(color, POINT_OUTLINE)}'
        f"<span>{html.escape(words)} ({n:,})</span></div>"
        for color, words, n in pts.legend
    ]
    return rows


def legend_html(data: MapData, cls: Classification, mode: str = "expanded") -> str:
    """The legend: label, unit, classes with counts, no-data and low-reliability marks,
    vintage and source. A ``<details>`` element, so a click or the keyboard (Enter, Space
    on its title) collapses it to its title; ``mode`` ``collapsed`` starts it closed."""
    t = data.t
    unit = "%" if data.unit == "percent" else t(data.unit)
    rows = [
        f'<div class="row">{_swatch(color)}<span>{html.escape(label)} ({n})</span></div>'
        for color, label, n in legend_entries(data, cls)
    ]
    if data.overlay is not None:
        rows += _points_legend(data.overlay, t)
    if data.outlines is not None:
        line = (
            '<svg width="22" height="14" aria-hidden="true"><line x1="1" y1="7" x2="21" y2="7" '
            f'stroke="{OUTLINE_LINE}" stroke-width="1.6"/></svg>'
        )
        rows.append(
            f'<div class="row" data-legend="outlines">{line}'
            f"<span>{html.escape(data.outlines.title)}</span></div>"
        )
    missing = int(np.isnan(data.values).sum())
    rows.append(
        f'<div class="row" data-legend="nodata">{_swatch(NO_DATA_FILL)}'
        f"<span>{html.escape(t('No data ({count})').format(count=missing))}</span></div>"
    )
    low = int(data.low().sum())
    if data.has_moe() and hatched(data):
        rows.append(
            f'<div class="row" data-legend="low-reliability">{_swatch(HATCH_FILL)}'
            "<span>"
            + html.escape(
                t("Hatched: low reliability, mostly allocated or CV > 30% ({count})").format(
                    count=low
                )
            )
            + "</span></div>"
        )
    elif data.has_moe():
        with_data = int((~np.isnan(data.values)).sum())
        coarser = data.links.get("Coarser layer")
        hint = (
            f' <a href="{html.escape(coarser)}">{html.escape(t("A coarser layer"))}</a> '
            + html.escape(t("gives firmer figures."))
            if coarser
            else ""
        )
        many = t(
            "Low reliability (CV > 30%) for {low} of {total} areas: too many to hatch. Read "
            "broad patterns, not single areas; tap or hover for each one's margin of error."
        ).format(low=low, total=with_data)
        rows.append(
            '<div class="row" data-legend="low-reliability-not-hatched"><span>'
            + html.escape(many)
            + hint
            + "</span></div>"
        )
    else:
        no_moe = t("No margin of error is published for this source: reliability cannot be judged.")
        rows.append(
            f'<div class="row" data-legend="no-moe"><span>{html.escape(no_moe)}</span></div>'
        )
    opened = "" if mode == "collapsed" else " open"
    return (
        f'<details id="geoapi-legend" class="geoapi-panel" role="region" '
        f'aria-label="{html.escape(t("Legend"))}" data-mode="{html.escape(mode)}"{opened}>'
        f"<summary><h2>{html.escape(data.label)} ({html.escape(unit)})</h2></summary>"
        + "".join(rows)
        + '<div class="source">'
        + html.escape(
            " · ".join(
                [
                    t("{scheme} classes").format(scheme=t(cls.scheme.replace("_", " "))),
                    t("ACS vintage {vintage}").format(vintage=data.vintage),
                    t("Source: {source}").format(source=data.source),
                ]
            )
        )
        + "</div></details>"
    )


def hatched(data: MapData) -> bool:
    """Whether unreliable areas are hatched: only while they are a minority
    (:data:`HATCH_MAX_SHARE` of the areas with an estimate)."""
    with_data = int((~np.isnan(data.values)).sum())
    return with_data > 0 and int(data.low().sum()) <= HATCH_MAX_SHARE * with_data


def search_html(data: MapData) -> str:
    """A search box finding any area by name (a tract also by neighborhood or city)."""
    names = sorted(set(data.names))
    places = sorted({p.strip() for joined in data.places for p in joined.split(",") if p.strip()})
    options = "".join(f'<option value="{html.escape(n)}">' for n in [*names, *places])
    t = data.t
    return (
        '<div id="geoapi-search" class="geoapi-panel" role="search">'
        '<input id="geoapi-search-input" type="search" list="geoapi-search-names" '
        f'placeholder="{html.escape(t("Find an area"))}" '
        f'aria-label="{html.escape(t("Find an area by name"))}" autocomplete="off">'
        f'<datalist id="geoapi-search-names">{options}</datalist>'
        '<div class="status" id="geoapi-search-status" aria-live="polite"></div></div>'
    )


def map_script(map_name: str, layer_name: str, data: MapData) -> str:
    """Labels shown by zoom, and the search box's behaviour (runs after the map exists)."""
    labels = label_rows(data.labels)
    t = data.t
    words = {
        "one": t("Found 1 area"),
        "many": t("Found {count} areas"),
        "none": t("No area matches"),
        "zoomIn": t("Zoom in"),
        "zoomOut": t("Zoom out"),
    }
    # folium writes the map's own script after this one: run once the page has parsed
    return f"""
document.addEventListener("DOMContentLoaded", function () {{
  var map = {map_name}, areas = {layer_name};
  var PLACE_LABELS = {json.dumps(labels)}, WORDS = {json.dumps(words)};
{LABELS_JS}  [["in", WORDS.zoomIn], ["out", WORDS.zoomOut]].forEach(function (z) {{
    var button = document.querySelector(".leaflet-control-zoom-" + z[0]);
    if (button) {{ button.title = z[1]; button.setAttribute("aria-label", z[1]); }}
  }});
  var text = document.createElement("textarea");
  function plain(s) {{ text.innerHTML = s || ""; return text.value.toLowerCase(); }}
  var entries = [];
  areas.eachLayer(function (l) {{
    var p = l.feature.properties;
    entries.push({{name: plain(p.area), place: plain(p.place), layer: l}});
  }});
  var input = document.getElementById("geoapi-search-input");
  var status = document.getElementById("geoapi-search-status");
  var lit = [];
  function find() {{
    var q = input.value.trim().toLowerCase();
    lit.forEach(function (l) {{ areas.resetStyle(l); }});
    lit = [];
    if (!q) {{ status.textContent = ""; return; }}
    var hits = entries.filter(function (e) {{ return e.name === q; }});
    if (!hits.length) hits = entries.filter(function (e) {{
      return e.place.split(", ").indexOf(q) >= 0; }});
    if (!hits.length) hits = entries.filter(function (e) {{
      return e.name.indexOf(q) >= 0 || e.place.indexOf(q) >= 0; }});
    if (!hits.length) {{
      status.textContent = WORDS.none + " “" + input.value + "”";
      return;
    }}
    var bounds = L.latLngBounds([]);
    hits.forEach(function (e) {{
      bounds.extend(e.layer.getBounds());
      e.layer.setStyle({{weight: 3, color: "#000000"}});
      e.layer.bringToFront();
      lit.push(e.layer);
    }});
    // Leaflet ignores a new view while a zoom still animates (the page's first fit, on a
    // busy machine): wait for it, or a search right after loading would not move the map
    var go = function () {{ map.fitBounds(bounds, {{padding: [30, 30], maxZoom: 15}}); }};
    if (map._animatingZoom) map.once("zoomend", go);
    else go();
    document.dispatchEvent(new CustomEvent("geoapi:found", {{
      detail: hits.map(function (e) {{ return e.layer.feature.id; }})}}));
    status.textContent =
      hits.length === 1 ? WORDS.one : WORDS.many.replace("{{count}}", hits.length);
  }}
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (e) {{ if (e.key === "Enter") find(); }});
}});
"""


def embed_title_html(data: MapData, full_url: str) -> str:
    """An embed's small title, linking back to the full map (and from it, the data)."""
    return (
        '<div id="geoapi-embed-title" class="geoapi-panel">'
        f'<a href="{html.escape(full_url)}" target="_blank" rel="noopener">'
        f"{html.escape(data.title)}</a></div>"
    )


NARROW_JS = f"""<script>
/* legend=auto: collapsed to its title on narrow screens (it would cover the map) */
(function () {{
  var legend = document.getElementById("geoapi-legend");
  if (legend && legend.dataset.mode === "auto" && window.innerWidth < {NARROW_EMBED}) {{
    legend.removeAttribute("open");
  }}
}})();
</script>"""


def title_html(data: MapData, embed_url: str, links: dict[str, str]) -> str:
    """The full page's title panel with the iframe snippet to copy."""
    snippet = (
        f'<iframe src="{embed_url}" width="100%" height="480" style="border:0" '
        f'title="{html.escape(data.title)}" loading="lazy"></iframe>'
    )
    png = links.get("PNG", "")
    # the same snippets with {src} where the URL goes: the page's script puts the view in
    embed_template = snippet.replace(embed_url, "{src}") if embed_url else snippet
    alt = data.t("Map: {title}. ACS {vintage}; source: {source}.").format(
        title=data.title, vintage=data.vintage, source=data.source
    )
    image = f'<img src="{png}" alt="{html.escape(alt)}" width="1200" height="900">'

    anchors = " · ".join(
        f'<a href="{html.escape(url)}">{html.escape(data.t(name))}</a>'
        for name, url in links.items()
    )
    return (
        f'<div id="geoapi-title" class="geoapi-panel"><h1>{html.escape(data.title)}</h1>'
        f"<div>{anchors}</div>"
        f"<details><summary>{html.escape(data.t('Embed this map'))}</summary>"
        f'<label for="geoapi-embed-snippet">{html.escape(data.t("Interactive map"))}</label>'
        f'<textarea readonly id="geoapi-embed-snippet" data-url="{html.escape(embed_url)}" '
        f'data-template="{html.escape(embed_template)}">'
        f"{html.escape(snippet)}</textarea>"
        f'<label for="geoapi-image-snippet">{html.escape(data.t("Image (PNG)"))}</label>'
        f'<textarea readonly id="geoapi-image-snippet" data-url="{html.escape(png)}" '
        f'data-template="{html.escape(image.replace(png, "{src}") if png else image)}">'
        f"{html.escape(image)}</textarea>"
        "</details></div>"
    )


def _feature_collection(data: MapData, cls: Classification, geometries: list[dict]) -> dict:
    tips = tooltip_rows(data)
    source = html.escape(f"{data.source}; ACS {data.vintage}")
    features = []
    for i, geom in enumerate(geometries):
        c = int(cls.classes[i])
        props = {
            "id": data.ids[i],
            "fill": cls.colors[c] if c >= 0 else NO_DATA_FILL,
            **tips[i],
            "source": source,
        }
        features.append(
            {"type": "Feature", "id": data.ids[i], "properties": props, "geometry": geom}
        )
    return {"type": "FeatureCollection", "features": features}


def _geometries(data: MapData) -> list[dict]:
    return [json.loads(g) for g in shapely.to_geojson(data.geoms)]


def render_map(
    data: MapData,
    cls: Classification,
    assets: Assets,
    tiles: Tiles | None = None,
    embed: bool = False,
    embed_url: str = "",
    view: View | None = None,
) -> str:
    """The whole HTML page of one choropleth (full page, or compact for an iframe)."""
    view = view or View()
    minx, miny, maxx, maxy = mainland_bounds(data.geoms)
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=not embed,
        prefer_canvas=False,
        zoom_snap=0.25,
        maxZoom=18,  # with no basemap Leaflet has no maxZoom, which clustering needs
    )
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    if tiles is not None:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name="Basemap").add_to(fmap)
    geometries = _geometries(data)
    collection = _feature_collection(data, cls, geometries)
    areas = folium.GeoJson(
        collection,
        name=data.label,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.9,
            "color": AREA_EDGE,
            "weight": 0.4,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=[
                "area",
                *(["place"] if data.places else []),
                "estimate",
                "reliability",
                *(["details"] if data.details else []),
                "source",
            ],
            aliases=[
                "",
                *([data.t("In")] if data.places else []),
                data.estimate_label,
                data.t("Reliability"),
                *([data.t("Ranking")] if data.details else []),
                data.t("Source"),
            ],
            sticky=True,
        ),
        className="geoapi-area",
    )
    areas.add_to(fmap)
    low = np.flatnonzero(data.low()) if hatched(data) else np.array([], dtype=int)
    if len(low):
        hatch = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": data.ids[i], "properties": {}, "geometry": geometries[i]}
                for i in low
            ],
        }
        folium.GeoJson(
            hatch,
            name=data.t("Low reliability (mostly allocated or CV > 30%)"),
            style_function=lambda f: {
                "fillColor": HATCH_FILL,
                "fillOpacity": 0.45,
                "weight": 0,
            },
            interactive=False,
            className="geoapi-hatch",
        ).add_to(fmap)
    if data.outlines is not None:
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": json.loads(g)}
                    for g in shapely.to_geojson(data.outlines.geoms)
                ],
            },
            name=data.outlines.title,
            style_function=lambda f: {"color": OUTLINE_LINE, "weight": 1.4, "fill": False},
            interactive=False,
            className="geoapi-outline",
        ).add_to(fmap)
    if data.overlay is not None:
        _add_points(fmap, data, assets)
    if view.highlight is not None and view.highlight in data.ids:
        i = data.ids.index(view.highlight)
        folium.GeoJson(
            {"type": "Feature", "id": data.ids[i], "properties": {}, "geometry": geometries[i]},
            name=f"Highlighted: {data.names[i]}",
            style_function=lambda f: {"color": "#000000", "weight": 3.5, "fillOpacity": 0},
            interactive=False,
            className="geoapi-highlight",
        ).add_to(fmap)
        minx, miny, maxx, maxy = shapely.bounds(data.geoms[i])
        pad_x, pad_y = (maxx - minx) * 0.25, (maxy - miny) * 0.25  # some context around it
        minx, miny, maxx, maxy = minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y
    if view.bbox is not None:
        minx, miny, maxx, maxy = view.bbox
    south, west, north, east = (round(float(v), 6) for v in (miny, minx, maxy, maxx))
    fmap.fit_bounds([[south, west], [north, east]])
    if data.overlay is not None or data.outlines is not None or len(low):
        folium.LayerControl(collapsed=True).add_to(fmap)
    root: Any = fmap.get_root()  # a branca Figure (typed as its Element base)
    root.header.add_child(folium.Element(f"<title>{html.escape(data.title)}</title>"))
    root.header.add_child(folium.Element(STYLE))
    root.html.add_child(folium.Element(PATTERNS))
    if view.legend != "hidden":
        root.html.add_child(folium.Element(legend_html(data, cls, view.legend)))
    root.html.add_child(folium.Element(search_html(data)))
    root.script.add_child(folium.Element(map_script(fmap.get_name(), areas.get_name(), data)))
    default_view = view.bbox is None and view.highlight not in data.ids
    ux = ux_script(fmap.get_name(), areas.get_name(), data, default_view)
    root.script.add_child(folium.Element(ux))
    if embed:
        embed_js = "<script>document.body.classList.add('geoapi-embed')</script>"
        root.html.add_child(folium.Element(embed_js))
        root.html.add_child(folium.Element(embed_title_html(data, view.full_url)))
    else:
        root.html.add_child(folium.Element(title_html(data, embed_url, data.links)))
    root.html.add_child(folium.Element(NARROW_JS))
    return root.render()


SCHOOL_MARKER = """function (row) {
  var coloured = row.length > 4;
  var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: coloured ? 5 : 4,
    color: coloured ? "#2d004b" : "#08306b", weight: 1,
    fillColor: coloured ? row[4] : "#4292c6", fillOpacity: 0.95, className: "geoapi-school"});
  marker.bindTooltip(row[2] + (row[3] ? "<br>" + row[3] : ""));
  return marker;
}"""


def _add_points(fmap: folium.Map, data: MapData, assets: Assets) -> None:
    """The points overlay (schools), clustered when zoomed out (Leaflet.markercluster from
    ``assets``: geo-api's own copy by default), each point named on hover."""
    pts = data.overlay
    assert pts is not None
    colors: list[str | None] = list(pts.colors) if pts.colors else [None] * len(pts.names)
    rows = [
        [round(y, 5), round(x, 5), html.escape(name), html.escape(detail)]
        + ([color] if color else [])
        for x, y, name, detail, color in zip(
            pts.lon, pts.lat, pts.names, pts.details, colors, strict=True
        )
        if math.isfinite(x) and math.isfinite(y)
    ]
    # coloured points are the figure itself: never hidden inside a cluster's count
    ungroup = 1 if pts.colors else 14
    cluster = FastMarkerCluster(
        rows,
        callback=SCHOOL_MARKER,
        name=f"{pts.title} ({len(rows):,})",
        options={"maxClusterRadius": 40, "disableClusteringAtZoom": ungroup},
    )
    cluster.default_js = [("markerclusterjs", assets.cluster_js)]
    cluster.default_css = [(f"markercluster{i}", css) for i, css in enumerate(assets.cluster_css)]
    cluster.add_to(fmap)

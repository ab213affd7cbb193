"""How a choropleth page behaves in the hand: popups that tap opens and that link to the
area's profile, snippets that follow the view, a default view of the mainland, a way to
the islands, and city lines that stay quiet at county zoom.

* **Tooltips and popups.** A pointer's hover shows the tooltip (at most 320 px wide); a
  click or tap opens the same figures as a popup, which Leaflet pans into view, with a
  link to the area's profile. On a touch screen (``hover: none``) the tooltip is dropped:
  a tap is the only way in, and it must not leave a half-visible tooltip behind.
* **Snippets.** The page's ``<iframe>`` and ``<img>`` snippets carry the current view as
  ``bbox=`` and, after a search with one hit or a click, ``highlight=``.
* **The mainland.** LA County's extent reaches Santa Catalina and San Clemente, 100 km
  offshore; fitting it shows mostly sea. The default view fits the mainland (north of
  :data:`MAINLAND_SOUTH`), and on a tall phone screen it closes in on the populated basin
  until the view's south edge is north of :data:`VIEW_SOUTH_MIN`. A control zooms to the
  islands and back.
"""

from __future__ import annotations

import json

import numpy as np
import shapely

from maps.mapdata import MapData

#: south of this latitude lie only the Channel Islands (the mainland ends near 33.70° N)
MAINLAND_SOUTH = 33.65
#: a default view's south edge stays north of this latitude
VIEW_SOUTH_MIN = 33.56
#: where a phone's default view centres: the LA basin
BASIN_CENTRE = (34.05, -118.25)
#: Santa Catalina and San Clemente islands (lon/lat bounds)
ISLANDS = (-118.65, 32.78, -118.28, 33.50)
#: city lines by zoom: (below this zoom, weight, opacity), then firmer
OUTLINE_STEPS = ((10, 0.5, 0.55), (12, 0.9, 0.75), (99, 1.4, 0.9))


def mainland_bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """The bounds to open a map on: the areas' bounds, cut at :data:`MAINLAND_SOUTH` when
    they reach the islands and the mainland both."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms))
    if miny < MAINLAND_SOUTH < maxy - 0.1:
        mainland = shapely.clip_by_rect(geoms, minx, MAINLAND_SOUTH, maxx, maxy)
        minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(mainland))
    return minx, miny, maxx, maxy


def reaches_islands(geoms: np.ndarray) -> bool:
    """Whether some area lies on the islands (so the map offers a way to them)."""
    return bool(float(shapely.total_bounds(geoms)[1]) < MAINLAND_SOUTH - 0.1)


def ux_script(map_name: str, layer_name: str, data: MapData, default_view: bool) -> str:
    """The page's script for popups, snippets, the default view, the islands control and
    the city lines (runs once the page has parsed, after folium's map script)."""
    t = data.t
    words = {
        "profile": t("Open this area's profile"),
        "islands": t("Islands"),
        "islandsTitle": t("Zoom to Santa Catalina and San Clemente islands"),
        "mainland": t("Mainland"),
        "mainlandTitle": t("Back to the mainland"),
    }
    settings = {
        "profile": data.profile_url,
        "langQuery": f"&lang={data.lang}" if data.lang != "en" else "",
        "defaultView": default_view,
        "viewSouthMin": VIEW_SOUTH_MIN,
        "basinCentre": BASIN_CENTRE,
        "islands": [[ISLANDS[1], ISLANDS[0]], [ISLANDS[3], ISLANDS[2]]]
        if reaches_islands(data.geoms)
        else None,
        "outlineSteps": OUTLINE_STEPS,
        "words": words,
    }
    # as written in the page's language; "</" never closes the script early
    settings_json = json.dumps(settings, ensure_ascii=False).replace("</", "<\\/")
    return f"""
document.addEventListener("DOMContentLoaded", function () {{
  var map = {map_name}, areas = {layer_name}, S = {settings_json}, W = S.words;
  var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  var tip = areas.getTooltip && areas.getTooltip();
  var content = tip && tip.getContent();
  areas.bindPopup(function (layer) {{
    var body = typeof content === "function" ? content(layer) : (content || "");
    if (body && body.outerHTML) body = body.outerHTML;
    var id = layer.feature && layer.feature.id;
    var link = S.profile && id ? '<p class="geoapi-profile"><a target="_top" href="' +
      S.profile.replace("{{id}}", encodeURIComponent(id)) + S.langQuery + '">' + W.profile +
      "</a></p>" : "";
    return '<div class="geoapi-popup">' + body + link + "</div>";
  }}, {{maxWidth: 300, minWidth: 180, autoPanPadding: [12, 12]}});
  // on a touch screen the popup replaces the tooltip (hidden: unbinding it would leave
  // Leaflet's focus handlers behind, which then fail on a tap)
  if (touch) document.body.classList.add("geoapi-touch");
  areas.on("popupopen", function () {{ if (!touch) areas.closeTooltip(); }});

  var chosen = null;
  var boxes = ["geoapi-embed-snippet", "geoapi-image-snippet"]
    .map(function (id) {{ return document.getElementById(id); }})
    .filter(function (box) {{ return box && box.dataset.url; }});
  function withView(src) {{
    var url = new URL(src, window.location.href), b = map.getBounds();
    url.searchParams.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) {{ return v.toFixed(4); }}).join(","));
    if (chosen) url.searchParams.set("highlight", chosen);
    else url.searchParams.delete("highlight");
    return url.toString();
  }}
  function snippets() {{
    boxes.forEach(function (box) {{
      box.value = box.dataset.template.replace("{{src}}", withView(box.dataset.url));
    }});
  }}
  map.on("moveend", snippets);
  areas.on("click", function (e) {{ chosen = e.layer.feature.id; snippets(); }});
  document.addEventListener("geoapi:found", function (e) {{
    chosen = e.detail.length === 1 ? e.detail[0] : null;
    snippets();
  }});

  function mainland() {{
    var zoom = map.getZoom();
    while (map.getBounds().getSouth() < S.viewSouthMin && zoom < 12) {{
      zoom += 0.25;
      map.setView(S.basinCentre, zoom, {{animate: false}});
    }}
  }}
  // Leaflet ignores a new view while the first fit still animates (touch screens animate)
  if (S.defaultView) {{
    if (map._animatingZoom) map.once("zoomend", mainland);
    else mainland();
  }}
  if (S.islands) {{
    var home = null;
    var Control = L.Control.extend({{
      options: {{position: "topleft"}},
      onAdd: function () {{
        var div = L.DomUtil.create("div", "leaflet-bar geoapi-islands");
        function button(text, title, go) {{
          var a = L.DomUtil.create("a", "", div);
          a.href = "#"; a.textContent = text; a.title = title;
          a.setAttribute("role", "button"); a.setAttribute("aria-label", title);
          L.DomEvent.on(a, "click", function (ev) {{ L.DomEvent.preventDefault(ev); go(); }});
        }}
        button(W.islands, W.islandsTitle, function () {{
          home = home || [map.getCenter(), map.getZoom()];
          map.fitBounds(S.islands, {{padding: [10, 10]}});
        }});
        button(W.mainland, W.mainlandTitle, function () {{
          if (home) map.setView(home[0], home[1]);
        }});
        L.DomEvent.disableClickPropagation(div);
        return div;
      }}
    }});
    new Control().addTo(map);
  }}
  var outlines = [];
  map.eachLayer(function (l) {{
    if (l.options && /-outline$/.test(l.options.className || "") && l.setStyle) outlines.push(l);
  }});
  function quiet() {{
    var z = map.getZoom();
    var step = S.outlineSteps.filter(function (s) {{ return z < s[0]; }})[0];
    outlines.forEach(function (l) {{ l.setStyle({{weight: step[1], opacity: step[2]}}); }});
  }}
  map.on("zoomend", quiet);
  quiet();
}});
"""

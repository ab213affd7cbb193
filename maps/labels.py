"""Area names drawn on maps from geo-api's own polygons (no basemap, so they work offline).

Each name sits at its polygon's pole of inaccessibility (the interior point farthest from
the edge, :func:`shapely.ops.polylabel`, on the largest part of a multipolygon), so it
lies inside even a crescent-shaped area. It is shown from the first web zoom at which the
area is wide and tall enough for the text: names of neighbouring areas then rarely
collide, and small areas are named once the map is zoomed in on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

#: approximate width of one character of the 10 px label font, and the label height
CHAR_PX = 5.6
LINE_PX = 14
#: labels are never shown before this zoom (the whole county is one glance) or after
MIN_ZOOM, MAX_ZOOM = 9, 18
LA_LATITUDE = 34.05


@dataclass(frozen=True)
class Label:
    """One name, where it goes (lon, lat) and the first zoom it is shown at."""

    text: str
    lon: float
    lat: float
    min_zoom: int


def _largest(geom: BaseGeometry) -> BaseGeometry:
    parts = getattr(geom, "geoms", None)
    return max(parts, key=lambda g: g.area) if parts else geom


def _zoom_to_fit(width_deg: float, height_deg: float, text: str) -> int:
    """The first zoom at which a ``width × height`` degree box holds ``text``."""
    need_w, need_h = max(len(text), 3) * CHAR_PX, LINE_PX
    lat_scale = math.cos(math.radians(LA_LATITUDE))
    zooms = []
    for need, extent in ((need_w, width_deg * lat_scale), (need_h, height_deg)):
        if extent <= 0:
            return MAX_ZOOM + 1
        zooms.append(math.log2(need * 360 / (256 * extent)))
    return max(MIN_ZOOM, math.ceil(max(zooms)))


def label_points(names: list[str], geoms: np.ndarray) -> list[Label]:
    """A :class:`Label` per named polygon (EPSG:4326); those that never fit are left out."""
    out = []
    for name, geom in zip(names, geoms, strict=True):
        if not name or geom is None or geom.is_empty:
            continue
        part = _largest(geom)
        if part.geom_type != "Polygon":
            continue
        minx, miny, maxx, maxy = part.bounds
        # the box around the pole that the polygon mostly fills: 3/4 of its bounding box
        zoom = _zoom_to_fit((maxx - minx) * 0.75, (maxy - miny) * 0.75, name)
        if zoom > MAX_ZOOM:
            continue
        point = polylabel(part, tolerance=(maxx - minx) / 100 or 1e-6)
        out.append(Label(name, round(point.x, 6), round(point.y, 6), zoom))
    return out


#: how names look on every Leaflet page (maps and the draw page)
LABEL_CSS = """
  .geoapi-label { background: none; border: 0; box-shadow: none; white-space: nowrap;
    font: 600 10px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
    color: #1b1b1b; text-align: center; pointer-events: none;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
  .geoapi-label span { position: relative; left: -50%; top: -0.6em; }
"""


def label_rows(labels: list[Label]) -> list[list]:
    """Labels as ``[text, lat, lon, min_zoom]`` rows for :data:`LABELS_JS`."""
    return [[lb.text, lb.lat, lb.lon, lb.min_zoom] for lb in labels]


#: JavaScript that shows ``PLACE_LABELS`` (:func:`label_rows`) on the Leaflet map ``map`` from
#: each name's zoom on; it expects both names to be defined where it is pasted
LABELS_JS = """
  var shownLabels = L.layerGroup().addTo(map);
  var labelMarks = PLACE_LABELS.map(function (l) {
    var span = document.createElement("span");
    span.textContent = l[0];
    var icon = L.divIcon({className: "geoapi-label", html: span.outerHTML, iconSize: null});
    return {zoom: l[3], marker: L.marker([l[1], l[2]], {icon: icon, interactive: false,
      keyboard: false})};
  });
  function showLabels() {
    var z = map.getZoom();
    labelMarks.forEach(function (m) {
      var on = z >= m.zoom;
      if (on && !shownLabels.hasLayer(m.marker)) shownLabels.addLayer(m.marker);
      if (!on && shownLabels.hasLayer(m.marker)) shownLabels.removeLayer(m.marker);
    });
  }
  map.on("zoomend", showLabels);
  showLabels();
"""

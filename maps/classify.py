"""Classing choropleth values with mapclassify, and the parameters a map request may carry.

Null values (no data) are never classed: they get class ``-1`` and are drawn as "no data",
never as the lowest class.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from branca.utilities import color_brewer

# mapclassify class names; the package is imported on first use (it compiles its numba
# kernels on import: ~2 s that a server start should not pay for every process).
SCHEMES: dict[str, str] = {
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
    "fisher_jenks": "FisherJenks",
    "natural_breaks": "NaturalBreaks",
    "user": "UserDefined",
}
MIN_K, MAX_K = 3, 9
# ColorBrewer's sequential schemes, every one marked colour-blind safe on colorbrewer2.org.
PALETTES = (
    "YlOrRd",
    "YlOrBr",
    "YlGnBu",
    "YlGn",
    "Reds",
    "RdPu",
    "Purples",
    "PuRd",
    "PuBuGn",
    "PuBu",
    "OrRd",
    "Oranges",
    "Greys",
    "Greens",
    "GnBu",
    "BuPu",
    "BuGn",
    "Blues",
)
DEFAULT_PALETTE = "YlOrRd"
DEFAULT_SCHEME = "quantiles"
DEFAULT_K = 5


class MapParameterError(ValueError):
    """A map parameter is not valid; ``valid`` lists what is."""

    def __init__(self, name: str, message: str, valid: list[str] | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.valid = valid


@dataclass(frozen=True)
class Classification:
    """Class breaks and colours for one map.

    ``lower`` and ``upper`` bound each class (the first lower bound is the data minimum);
    ``classes`` holds each value's class, ``-1`` for no data; ``colors`` one hex per class.
    """

    scheme: str
    lower: list[float]
    upper: list[float]
    classes: np.ndarray
    colors: list[str]

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.upper)

    def counts(self) -> list[int]:
        """Number of areas in each class."""
        return [int((self.classes == i).sum()) for i in range(self.k)]


def parse_k(raw: str | None) -> int:
    """Number of classes, 3-9."""
    if raw is None:
        return DEFAULT_K
    valid = [str(k) for k in range(MIN_K, MAX_K + 1)]
    if raw not in valid:
        raise MapParameterError("k", f"k must be an integer {MIN_K}-{MAX_K}, got {raw!r}", valid)
    return int(raw)


def parse_scheme(raw: str | None) -> str:
    """Classification scheme name."""
    scheme = raw or DEFAULT_SCHEME
    if scheme not in SCHEMES:
        raise MapParameterError("scheme", f"unknown scheme {scheme!r}", sorted(SCHEMES))
    return scheme


def parse_palette(raw: str | None) -> str:
    """ColorBrewer sequential palette name (case as ColorBrewer spells it)."""
    palette = raw or DEFAULT_PALETTE
    if palette not in PALETTES:
        raise MapParameterError("palette", f"unknown palette {palette!r}", sorted(PALETTES))
    return palette


def parse_breaks(raw: str | None, scheme: str) -> list[float] | None:
    """User class breaks (upper bounds, ascending, comma-separated); only for ``user``."""
    if scheme != "user":
        if raw is not None:
            raise MapParameterError("breaks", "breaks= needs scheme=user", ["user"])
        return None
    if not raw:
        raise MapParameterError("breaks", "scheme=user needs breaks=, e.g. breaks=10,20,30")
    try:
        breaks = [float(b) for b in raw.split(",")]
    except ValueError:
        raise MapParameterError("breaks", f"breaks must be numbers, got {raw!r}") from None
    if not all(math.isfinite(b) for b in breaks):
        raise MapParameterError("breaks", "breaks must be finite numbers")
    if any(b >= c for b, c in itertools.pairwise(breaks)):
        raise MapParameterError("breaks", f"breaks must be strictly ascending, got {raw!r}")
    if not MIN_K - 1 <= len(breaks) <= MAX_K:
        raise MapParameterError(
            "breaks", f"give {MIN_K - 1}-{MAX_K} breaks (the top class ends at the maximum)"
        )
    return breaks


def palette_colors(palette: str, k: int) -> list[str]:
    """``k`` hex colours of a ColorBrewer sequential palette, light to dark."""
    return [c.lower() for c in color_brewer(palette, k)]


def classify(
    values: np.ndarray, scheme: str, k: int, palette: str, breaks: list[float] | None = None
) -> Classification:
    """Class ``values`` (NaN = no data) with ``scheme``; at most ``k`` classes.

    With fewer distinct values than ``k``, mapclassify returns fewer classes; the palette
    then has as many colours as there are classes.
    """
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    data = values[present]
    classes = np.full(len(values), -1, dtype=int)
    if data.size == 0:
        return Classification(scheme, [], [], classes, [])
    if scheme == "user":
        assert breaks is not None
        upper = list(breaks)
        if data.max() > upper[-1]:
            upper.append(float(data.max()))
    else:
        distinct = np.unique(data).size
        k_eff = max(1, min(k, distinct))
        if k_eff < 2:
            upper = [float(data.max())]
        else:
            import mapclassify

            classifier = getattr(mapclassify, SCHEMES[scheme])
            upper = [float(b) for b in classifier(data, k=k_eff).bins]
            upper = sorted(set(upper))
    classes[present] = np.minimum(np.searchsorted(upper, data, side="left"), len(upper) - 1)
    lower = [float(data.min()), *upper[:-1]]
    colors = palette_colors(palette, max(len(upper), MIN_K))
    if len(upper) < MIN_K:  # keep the darker end so few classes still read as "more"
        colors = colors[-len(upper) :]
    return Classification(scheme, lower, upper, classes, colors)

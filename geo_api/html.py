"""HTML pages for people browsing the API (Jinja2 templates shipped in the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from boundaries.indicators import INDICATORS, untranslated


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("geo_api", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["num"] = _num
    env.globals["indicator_label"] = _indicator_label
    env.globals["reason_words"] = _reason_words
    return env


def _indicator_label(indicator: str) -> str:
    """A catalogue indicator's label (the id itself for anything else)."""
    meta = INDICATORS.get(indicator)
    return meta.label if meta is not None else indicator


def _reason_words(reason: str, t: Any) -> str:
    from geo_api.pages.profile import reason_words

    return reason_words(reason, t)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render(template: str, **context: Any) -> bytes:
    """Render ``template`` with ``context`` to UTF-8 bytes. Templates translate their
    text with ``t`` (English unless the caller gives :func:`maps.i18n.translator`) and
    name the page's ``lang``."""
    context.setdefault("t", untranslated)
    context.setdefault("lang", "en")
    return _env().get_template(template).render(**context).encode("utf-8")

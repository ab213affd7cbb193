"""HTML pages for people browsing the API (Jinja2 templates shipped in the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from boundaries.indicators import untranslated


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("geo_api", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["num"] = _num
    return env


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

"""English and Spanish text of the maps.

LA County's planners, parents and advocates work in English and Spanish. Map pages take
``lang=en|es`` (without it, the ``Accept-Language`` header decides). The Spanish text
lives in a gettext catalogue (``maps/locale/es.po``) that Babel reads at run time, so
translators edit one standard file and nothing is compiled at install. English is the
source text: a string missing from the catalogue stays English, never blank. Numbers
keep the US conventions used in LA County.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "es")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: the name of each language in itself, for the switch on map pages
NATIVE = {"en": "English", "es": "Español"}


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation of ``lang`` (empty for English, the source language)."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / f"{lang}.po", "rb") as handle:
        messages = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in messages if m.id and m.string}


def translator(lang: str) -> Callable[[str], str]:
    """A function giving the ``lang`` text of an English string (itself when untranslated)."""
    table = catalogue(lang)
    return lambda text: table.get(text, text)


def lang_query(lang: str, first: bool = False) -> str:
    """What a link adds to stay in ``lang``: nothing for English (the default), else
    ``&lang=es`` (``?lang=es`` when it starts the query)."""
    return "" if lang == "en" else f"{'?' if first else '&'}lang={lang}"

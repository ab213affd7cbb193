"""Reading a feature's ``data_notes``: the items that concern one indicator, in a language.

The store writes each feature's notes as one string of items joined by ``"; "``. An item
names what it is about before a colon: an indicator (``poverty_pct: nobody in the
universe (…)``) or an allocation fact (``allocated_share 63%: …``,
``population_coverage 97.3%: …``); the note for an area without any centre of population
stands alone. Some items contain ``"; "`` themselves, so items are split only where the
next one starts with such a name and a colon.

:func:`notes_for` keeps the items a map of one indicator needs (that indicator's, and the
ones about the whole area) and :func:`translate_note` words an item in another language
from the templates in :data:`NOTE_TEMPLATES`, whose translations live in the gettext
catalogue with the rest of the map text (:mod:`maps.i18n`). An item no template matches
stays as written, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from boundaries.allocation import CELL_NOTE
from boundaries.indicators import INDICATORS, untranslated
from boundaries.rebuild import DERIVED_NOTE

#: the English wording of every note the build and the aggregation (layers and drawn
#: areas) write; ``{…}`` marks what varies (``universe`` and ``cap`` are translated too,
#: the rest kept as written)
NOTE_TEMPLATES = (
    "{id}: no margin of error published",
    "{id}: not aggregable (a median cannot be summed; no distribution table)",
    "{id}: no tract estimate published for this area",
    "{id}: nobody in the universe ({universe})",
    "allocated_share {share}%: most of this area's figures come from census tracts its "
    "boundary splits, divided by 2020 population; reliability is at most {cap} because "
    "population and land-area weights differ by a factor of {ratio}",
    "allocated_share {share}%: most of this area's figures come from census tracts its "
    "boundary splits, divided by 2020 population; reliability is at most {cap}",
    "no 2020 block-group centre of population lies in this area, so no share of the census "
    "tracts around it is assigned to it: its figures are unknown (few or no residents), "
    "not zero",
    "population_coverage {share}%: the rest of this area's 2020 population lives in census "
    "tracts without a polygon, missing from every figure",
    # drawn areas (boundaries/custom.py, geo_api/geoinput.py)
    "the area was not a valid polygon ({reasons}) and was repaired",
    "no census tract with residents lies in this area: figures unknown",
    "the area is census tract {tract}: its figures as published",
    "county_share {share}%: only this part of the area lies on LA County's land; the "
    "figures describe that part",
    "tract_coverage {share}%: part of the area's land has no census tract polygon, so its "
    "residents are missing from the figures",
    "the drawn outline was simplified to {tolerance} m ({before} to {after} vertices) before "
    "it was laid over the census tracts",
    # areas holding no block-group centre, and tracts rebuilt from coverage gaps
    CELL_NOTE,
    DERIVED_NOTE,
)
TRANSLATED_FIELDS = ("universe", "cap")
#: where one item ends and the next begins: ``; `` then ``name[ 12.3%]: ``, or the fixed
#: start of a template that names nothing first
ITEM_START = re.compile(
    r"; (?=[a-z][a-z0-9_]*(?: [\d.]+%)?: |"
    + "|".join(
        re.escape(t.split("{", 1)[0]) for t in NOTE_TEMPLATES if t.split("{", 1)[0].count(" ") > 1
    )
    + ")"
)


def split_notes(text: str | None) -> list[str]:
    """The items of a ``data_notes`` string (none for an empty or missing one)."""
    if not text:
        return []
    return [item for item in ITEM_START.split(text) if item]


def _subject(item: str) -> str | None:
    """The indicator an item is about, ``None`` for an item about the whole area."""
    name = item.split(":", 1)[0]
    return name if name in INDICATORS else None


def notes_for(text: str | None, indicator: str) -> list[str]:
    """The items of ``text`` that bear on a map of ``indicator``: its own, and those about
    the whole area (allocation, coverage), in the order written."""
    return [item for item in split_notes(text) if _subject(item) in (None, indicator)]


@cache
def _regex(template: str) -> tuple[str, tuple[str, ...]]:
    """A template as a regular expression with one unnamed group per ``{field}`` (the
    same syntax in Python and in a page's JavaScript), and the field names in order."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join("(.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
    return f"^{regex}$", tuple(parts[1::2])


def field_words(t: Callable[[str], str]) -> dict[str, str]:
    """The translated fields' possible values (universes, reliability caps) in ``t``."""
    values = {ind.universe for ind in INDICATORS.values()} | {"low", "medium", "high"}
    return {v: t(v) for v in sorted(values)}


def _match(item: str, t: Callable[[str], str]) -> tuple[str, dict[str, str]] | None:
    """The template ``item`` was written from and its values (those of
    :data:`TRANSLATED_FIELDS` in the language of ``t``); ``None`` when none matches."""
    for template in NOTE_TEMPLATES:
        regex, fields = _regex(template)
        match = re.match(regex, item)
        if match is not None:
            values = {
                key: t(value) if key in TRANSLATED_FIELDS else value
                for key, value in zip(fields, match.groups(), strict=True)
            }
            return template, values
    return None


def translate_note(item: str, t: Callable[[str], str]) -> str:
    """One note item in the language of ``t`` (:func:`maps.i18n.translator`)."""
    found = _match(item, t)
    if found is None:
        return item
    template, values = found
    return t(template).format(**values)


def note_patterns(t: Callable[[str], str]) -> list[tuple[str, str, list[str]]]:
    """For a page's script (the notes of a drawn area come from the JSON API, in
    English): each template as (its regular expression, its ``t`` wording, its field
    names); :func:`field_words` translates the values of :data:`TRANSLATED_FIELDS`."""
    return [(_regex(tpl)[0], t(tpl), list(_regex(tpl)[1])) for tpl in NOTE_TEMPLATES]


def notes_text(text: str | None, t: Callable[[str], str], indicator: str | None = None) -> str:
    """``data_notes`` as shown on a page: the items for ``indicator`` (all of them when
    ``None``), each in the language of ``t``, joined by ``"; "``."""
    items = split_notes(text) if indicator is None else notes_for(text, indicator)
    if t is untranslated:
        return "; ".join(items)
    return "; ".join(translate_note(item, t) for item in items)


#: each template of :data:`NOTE_TEMPLATES` in plain words, for pages that show a note
#: beside its figure (an area profile): no field names, and no indicator id, since the
#: row already names it; the English text is the gettext msgid of the Spanish
PLAIN_TEMPLATES = {
    "{id}: no margin of error published": "no margin of error is published for this "
    "figure, so its reliability is unknown",
    "{id}: not aggregable (a median cannot be summed; no distribution table)": "a median "
    "cannot be added up from census tracts and no distribution table is loaded, so it is "
    "given for census tracts only",
    "{id}: no tract estimate published for this area": "the source publishes no estimate "
    "for this area",
    "{id}: nobody in the universe ({universe})": "nobody in this figure's universe lives "
    "here ({universe})",
    NOTE_TEMPLATES[4]: "{share}% of these figures come from census tracts that the "
    "boundary splits, divided by 2020 population; their reliability is at most {cap}, "
    "because population and land-area weights differ by a factor of {ratio}",
    NOTE_TEMPLATES[5]: "{share}% of these figures come from census tracts that the "
    "boundary splits, divided by 2020 population; their reliability is at most {cap}",
    NOTE_TEMPLATES[7]: "only {share}% of this area's 2020 population lives in census "
    "tracts that have a boundary; the rest is missing from every figure",
    NOTE_TEMPLATES[11]: "only {share}% of the area lies on LA County's land; the figures "
    "describe that part",
    NOTE_TEMPLATES[12]: "census tract boundaries cover {share}% of the area's land; "
    "residents of the rest are missing from the figures",
    NOTE_TEMPLATES[14]: "no 2020 block-group centre of population lies in this area, so "
    "its people are estimated from the land nearest each centre in the census tracts "
    "around it; these figures are at best of low reliability",
    NOTE_TEMPLATES[15]: "no published boundary of this census tract was available; its "
    "outline is drawn from the gap between its neighbours where its residents live, so "
    "its edges are approximate",
}


def plain_notes(text: str | None, t: Callable[[str], str]) -> list[tuple[str | None, str]]:
    """Each item of a ``data_notes`` string as (the indicator it is about, or ``None`` for
    the whole area; its text in plain words in the language of ``t``). An item that no
    template matches is kept as written."""
    out: list[tuple[str | None, str]] = []
    for item in split_notes(text):
        found = _match(item, t)
        if found is None:
            out.append((_subject(item), item))
            continue
        template, values = found
        values.pop("id", None)
        out.append((_subject(item), t(PLAIN_TEMPLATES.get(template, template)).format(**values)))
    return out


def plain_text(text: str | None, t: Callable[[str], str], indicator: str) -> str:
    """The :func:`plain_notes` that bear on a map of ``indicator`` (its own and the whole
    area's), joined by "; ": what a map's tooltip says beside "No data"."""
    return "; ".join(
        words for subject, words in plain_notes(text, t) if subject in (None, indicator)
    )

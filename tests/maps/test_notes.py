"""data_notes split into items, kept per indicator, and worded in Spanish."""

import pytest

from boundaries.allocation import allocation_note
from boundaries.build import NO_CENTRE_NOTE
from maps.i18n import translator
from maps.notes import NOTE_TEMPLATES, notes_for, notes_text, split_notes, translate_note

MEDIAN_NOTE = (
    "median_household_income: not aggregable (a median cannot be summed; no distribution table)"
)
# a tract's notes as the build writes them: items joined by "; ", two of them holding
# "; " themselves
NOTES = "; ".join(
    [
        "no_subscription_pct: nobody in the universe (households)",
        "ba_plus_pct: no margin of error published",
        MEDIAN_NOTE,
        allocation_note(63.0, 70.0, "low"),
        "population_coverage 97.3%: the rest of this area's 2020 population lives in census "
        "tracts without a polygon, missing from every figure",
    ]
)  # fmt: skip


def test_items_are_split_where_the_next_one_is_named():
    items = split_notes(NOTES)
    assert len(items) == 5
    assert items[2].endswith("(a median cannot be summed; no distribution table)")
    assert items[3].startswith("allocated_share 63%:") and "factor of 70.0" in items[3]
    assert split_notes(None) == [] and split_notes("") == []
    assert split_notes(NO_CENTRE_NOTE) == [NO_CENTRE_NOTE]  # its colon starts no item


def test_a_map_keeps_its_indicator_and_the_whole_area_notes():
    kept = notes_for(NOTES, "no_subscription_pct")
    assert [k.split(":")[0].split(" ")[0] for k in kept] == [
        "no_subscription_pct",
        "allocated_share",
        "population_coverage",
    ]
    assert notes_text(NOTES, translator("en"), "ba_plus_pct").startswith("ba_plus_pct:")


@pytest.mark.parametrize(
    "item",
    [
        "poverty_pct: nobody in the universe (people for whom poverty status is determined)",
        "ba_plus_pct: no margin of error published",
        "median_household_income: no tract estimate published for this area",
        MEDIAN_NOTE,
        allocation_note(63.0, 70.0, "low"),
        allocation_note(55.0, 2.0, "medium"),
        NO_CENTRE_NOTE,
        "population_coverage 97.3%: the rest of this area's 2020 population lives in census "
        "tracts without a polygon, missing from every figure",
    ],
)  # fmt: skip
def test_every_note_the_build_writes_has_spanish_words(item):
    es = translator("es")
    spanish = translate_note(item, es)
    assert spanish != item
    for number in ("63", "70.0", "97.3"):  # figures are kept as written
        assert (number in item) == (number in spanish)
    if "nobody in the universe" in item:
        assert "personas para quienes se determina" in spanish or "universo" in spanish
    if "at most low" in item:
        assert "como máximo baja" in spanish
    if "at most medium" in item:
        assert "como máximo media" in spanish


def test_drawn_area_notes_split_and_translate():
    """The notes of a drawn area start with sentences, not names: they split too."""
    text = "; ".join(
        [
            "the area was not a valid polygon (Self-intersection[1 2]) and was repaired",
            "the area is census tract 06037101110: its figures as published",
            "ba_plus_pct: no margin of error published",
            "county_share 62.5%: only this part of the area lies on LA County's land; the "
            "figures describe that part",
        ]
    )
    items = split_notes(text)
    assert len(items) == 4 and items[3].startswith("county_share 62.5%")
    spanish = notes_text(text, translator("es"))
    assert "Self-intersection[1 2]" in spanish and "06037101110" in spanish
    assert "se reparó" in spanish and "62.5%" in spanish and "las cifras describen" in spanish
    assert "was repaired" not in spanish and "the figures describe" not in spanish


def test_an_unknown_note_stays_as_written():
    es = translator("es")
    assert translate_note("something new: kept", es) == "something new: kept"
    assert len(NOTE_TEMPLATES) == len(set(NOTE_TEMPLATES))

"""What a program's ranking rests on, in words: the inputs it used with their weights, and
the default inputs this store lacks and why (the ranking page, its map, its JSON and the
home page say both, so nobody reads a promise the store cannot keep)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boundaries.indicators import untranslated
from boundaries.programs import input_label
from geo_api.ranking import Ranking

#: words that keep their capital inside a sentence
PROPER = ("English", "inglés")


def _lower_first(text: str) -> str:
    if text.startswith(PROPER):
        return text
    return text[:1].lower() + text[1:]


def _joined(items: list[str], t: Callable[[str], str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return t("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def purpose(ranking: Ranking, t: Callable[[str], str] = untranslated) -> str:
    """The sentence of what the ranking weighs, from the inputs it used: "Ranks areas by
    households without an internet subscription (58%) and people below the poverty line
    (42%)." (in the language of ``t``)."""
    weights = ranking.weights()
    parts = [f"{_lower_first(t(input_label(ind)))} ({100 * w:.0f}%)" for ind, w in weights.items()]
    if ranking.selection is not None:
        return t("Ranks schools by {inputs}.").format(inputs=_joined(parts, t))
    return t("Ranks areas by {inputs}.").format(inputs=_joined(parts, t))


def missing_inputs(ranking: Ranking) -> list[dict[str, Any]]:
    """The inputs of the program (defaults and any named) that this store cannot give on
    the ranking's layer: ``indicator``, ``label`` and ``reason``."""
    return [
        {
            "indicator": inp.weighted.indicator,
            "label": input_label(inp.weighted.indicator),
            "reason": inp.reason,
        }
        for inp in ranking.inputs
        if not inp.available
    ]

"""The three L.A. Compact investment programs and their default need indicators.

Each program lists indicators with a weight and a direction (``higher_is_worse``: a higher
value means more need). Weights are relative; they are normalised to sum to 1 over the
indicators that are available in the store. A query may override any weight, add a
catalogue indicator, or drop one with weight 0 (:func:`parse_weights`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from boundaries.indicators import INDICATORS

CAPACITY_PER_CHILD = "child_care_capacity_per_child"
CAPACITY_LABEL = "Licensed child-care places per child under 5"
CAPACITY_UNIT = "places per child"


#: a school's own shares of its pupils (CDE administrative counts, no margin of error):
#: schools-layer column → label. Percent of enrolment; a higher share means more need.
SCHOOL_MEASURES = {
    "frpm_pct": "Pupils eligible for free or reduced-price meals",
    "english_learners_pct": "English learners among pupils",
    "unduplicated_pct": "Unduplicated pupils (low-income, English learners or foster youth)",
}


def input_label(indicator: str) -> str:
    """The label of a need-score input: a catalogue indicator's, a school measure's, or
    child-care capacity's."""
    meta = INDICATORS.get(indicator)
    if meta is not None:
        return meta.label
    return SCHOOL_MEASURES.get(indicator, CAPACITY_LABEL)


def input_unit(indicator: str) -> str:
    """The unit of a need-score input (``percent``, ``count`` … or places per child)."""
    meta = INDICATORS.get(indicator)
    if meta is not None:
        return meta.unit
    return "percent" if indicator in SCHOOL_MEASURES else CAPACITY_UNIT


@dataclass(frozen=True)
class Weighted:
    """One input of a need score."""

    indicator: str
    weight: float
    higher_is_worse: bool
    #: named in the query's ``weights=`` (not a program default)
    named: bool = False


@dataclass(frozen=True)
class Program:
    """A program: its id, title, purpose and default weighted inputs; ``school_inputs``
    are the defaults when it ranks schools (empty: it ranks areas only)."""

    id: str
    title: str
    purpose: str
    inputs: tuple[Weighted, ...]
    school_inputs: tuple[Weighted, ...] = ()


PROGRAMS: dict[str, Program] = {
    p.id: p
    for p in (
        Program(
            "la-deal",
            "LA DEAL (regional broadband consortium)",
            "Where households lack a subscription or a computer, and poverty and limited "
            "English make getting online harder.",
            (
                Weighted("no_subscription_pct", 0.35, True),
                Weighted("no_computer_pct", 0.25, True),
                Weighted("poverty_pct", 0.25, True),
                Weighted("limited_english_pct", 0.15, True),
            ),
        ),
        Program(
            "community-schools",
            "LAUSD Community Schools",
            "Where poverty, adults without a diploma and limited English are concentrated, "
            "and many children would be reached.",
            (
                Weighted("poverty_pct", 0.35, True),
                Weighted("no_hs_diploma_pct", 0.25, True),
                Weighted("limited_english_pct", 0.2, True),
                Weighted("children_under_18", 0.2, True),
            ),
            # schools: half the school's own pupils, half the ACS need around it
            # (docs/methods.md, "Community Schools by school")
            (
                Weighted("frpm_pct", 0.35, True),
                Weighted("english_learners_pct", 0.15, True),
                Weighted("poverty_pct", 0.2, True),
                Weighted("no_hs_diploma_pct", 0.15, True),
                Weighted("limited_english_pct", 0.15, True),
            ),
        ),
        Program(
            "early-care",
            "Early care and education",
            "Where many young children live in poverty and licensed child-care places are "
            "scarce for them.",
            (
                Weighted("children_under_5", 0.35, True),
                Weighted("under_5_poverty_pct", 0.35, True),
                Weighted(CAPACITY_PER_CHILD, 0.3, False),
            ),
        ),
    )
}


class WeightError(ValueError):
    """Weights in a query cannot be used; ``valid`` lists accepted indicator ids."""

    def __init__(self, message: str, valid: list[str] | None = None) -> None:
        super().__init__(message)
        self.valid = valid


def direction(indicator: str) -> bool:
    """Whether a higher value means more need (from the catalogue)."""
    if indicator == CAPACITY_PER_CHILD:
        return False
    if indicator in SCHOOL_MEASURES:
        return True
    return INDICATORS[indicator].higher_is_worse


def parse_weights(
    raw: str | None, program: Program, known: list[str], schools: bool = False
) -> list[Weighted]:
    """Program defaults with ``raw`` (``poverty_pct:2,no_subscription_pct:1``) applied.

    ``known`` are the indicator ids a query may name. An override replaces the default
    weight, adds a new input, or (weight 0) drops one. Negative, non-numeric, unknown,
    repeated and all-zero weights, and weights whose sum overflows, raise
    :class:`WeightError`. ``schools`` starts from the program's school defaults.
    """
    weights = {w.indicator: w for w in (program.school_inputs if schools else program.inputs)}
    named: set[str] = set()
    if raw:
        for part in raw.split(","):
            name, sep, value = part.partition(":")
            name = name.strip()
            if not sep:
                raise WeightError(f"weights need indicator:weight pairs, got {part!r}", known)
            if name in named:
                raise WeightError(f"{name} is weighted twice", known)
            named.add(name)
            if name not in known:
                raise WeightError(f"unknown indicator {name!r} in weights", known)
            try:
                weight = float(value)
            except ValueError:
                raise WeightError(f"weight of {name} must be a number, got {value!r}") from None
            if not math.isfinite(weight) or weight < 0:
                raise WeightError(f"weight of {name} must be a finite number ≥ 0, got {value}")
            weights[name] = Weighted(name, weight, direction(name), named=True)
    chosen = [w for w in weights.values() if w.weight > 0]
    if not chosen:
        raise WeightError("all weights are zero: nothing to score", known)
    if not math.isfinite(sum(w.weight for w in chosen)):
        raise WeightError("the weights add up to more than a float can hold: use smaller ones")
    return chosen

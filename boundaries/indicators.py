"""The indicator catalogue: what each indicator means and which source variables make it.

An indicator lists one or more :class:`Recipe` objects in order of preference. The build
uses the first recipe whose variables are all in the store (the live Census API tables
first, then the extracts a mirror holds), records which one it used, and lists the
indicator as unavailable, never as zero, when none applies.

Kinds: ``count`` (sum of numerator variables), ``proportion`` (summed numerators over
summed denominators, numerator a subset of the denominator; ``_pct`` ids are 0-100),
``ratio`` (like proportion, numerator not a subset), ``median`` (never summed: not
aggregable unless a distribution table is loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PROGRAMS = ("community-schools", "la-deal", "early-care")
#: datasets of complete counts, not survey estimates: their year is no ACS vintage
COUNT_DATASETS = frozenset({"access-distance"})


@dataclass(frozen=True)
class Recipe:
    """Source variables for one indicator from one dataset of the tidy ACS frame."""

    dataset: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    note: str = ""
    #: variable holding the tract percentage (and MOE) as the source publishes it
    published: str = ""

    @property
    def variables(self) -> tuple[str, ...]:
        """All variables the recipe reads."""
        return self.numerator + self.denominator

    @property
    def tables(self) -> tuple[str, ...]:
        """Source tables, in order of first use."""
        seen: dict[str, None] = {}
        for var in self.variables:
            seen.setdefault(_table_of(var), None)
        return tuple(seen)


def _table_of(variable: str) -> str:
    if variable.startswith("SVI_"):
        return "SVI"
    if variable.startswith("SE_"):
        return variable.split("_")[1]
    return variable.split("_")[0]


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry. ``higher_is_worse`` gives the direction for priority scores."""

    id: str
    label: str
    universe: str
    kind: str
    unit: str
    programs: tuple[str, ...]
    recipes: tuple[Recipe, ...]
    description: str = ""
    higher_is_worse: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_percent(self) -> bool:
        """True for ``_pct`` indicators (0-100, MOE in percentage points)."""
        return self.id.endswith("_pct")


def _seq(table: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{table}_{i:03d}" for i in range(first, last + 1))


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "population",
        "Total population",
        "all people",
        "count",
        "people",
        (),
        (
            Recipe("acs5", ("B01003_001",)),
            Recipe("cdc-svi", ("SVI_TOTPOP",), note="CDC/ATSDR SVI E_TOTPOP (ACS)"),
            Recipe("socialexplorer", ("SE_A04001_001",), note="Social Explorer A04001; no MOE"),
        ),
        higher_is_worse=False,
    ),
    Indicator(
        "households",
        "Households",
        "households",
        "count",
        "households",
        (),
        (
            Recipe("acs5", ("B28002_001",)),
            Recipe("cdc-svi", ("SVI_HH",), note="CDC/ATSDR SVI E_HH (ACS)"),
        ),
        higher_is_worse=False,
    ),
    Indicator(
        "no_broadband_pct",
        "Households without broadband",
        "households",
        "proportion",
        "percent",
        ("la-deal",),
        (
            Recipe(
                "acs5",
                ("B28002_003", "B28002_011", "B28002_012", "B28002_013"),
                ("B28002_001",),
                note="B28002_001 − B28002_004, summed from its parts: dial-up alone, "
                "other service alone, access without a subscription, no access",
            ),
        ),
        description="The LA DEAL headline gap: households with no broadband subscription "
        "of any type.",
    ),
    Indicator(
        "no_internet_pct",
        "Households with no internet access",
        "households",
        "proportion",
        "percent",
        ("la-deal",),
        (Recipe("acs5", ("B28002_013",), ("B28002_001",)),),
    ),
    Indicator(
        "no_subscription_pct",
        "Households without an internet subscription",
        "households",
        "proportion",
        "percent",
        ("la-deal",),
        (
            Recipe("acs5", ("B28002_012", "B28002_013"), ("B28002_001",)),
            Recipe(
                "cdc-svi",
                ("SVI_NOINT",),
                ("SVI_HH",),
                note="CDC/ATSDR SVI E_NOINT / E_HH (households without an internet "
                "subscription; ACS S2801); tracts as published (EP_NOINT, MP_NOINT)",
                published="SVI_EP_NOINT",
            ),
        ),
    ),
    Indicator(
        "far_from_internet_access_pct",
        "People more than a mile from a public internet access point",
        "people (2020 Census), standing in for households",
        "proportion",
        "percent",
        ("la-deal",),
        (
            Recipe(
                "access-distance",
                ("ACCESS_FAR_POP",),
                ("ACCESS_POP",),
                note="2020 block-group centres of population more than 1,609 m, straight-line, "
                "from the nearest site of LA County's 2019 inventory of public internet access "
                "points (boundaries/access.py); complete counts, MOE 0",
            ),
        ),
        description="Share of residents whose block group lies more than a mile, as the crow "
        "flies, from a library, recreation or senior centre with free internet use (LA "
        "County's 2019 inventory).",
    ),
    Indicator(
        "broadband_pct",
        "Households with broadband of any type",
        "households",
        "proportion",
        "percent",
        ("la-deal",),
        (Recipe("acs5", ("B28002_004",), ("B28002_001",)),),
        higher_is_worse=False,
    ),
    Indicator(
        "no_computer_pct",
        "Households with no computer",
        "households",
        "proportion",
        "percent",
        ("la-deal",),
        (Recipe("acs5", ("B28001_011",), ("B28001_001",)),),
    ),
    Indicator(
        "ba_plus_pct",
        "Adults 25+ with a bachelor's degree or higher",
        "people 25 years and over",
        "proportion",
        "percent",
        ("community-schools",),
        (
            Recipe("acs5", _seq("B15003", 22, 25), ("B15003_001",)),
            Recipe(
                "socialexplorer",
                ("SE_A12002_005",),
                ("SE_A12002_001",),
                note="Social Explorer A12002 (from ACS B15003); no MOE published",
            ),
        ),
        higher_is_worse=False,
    ),
    Indicator(
        "no_hs_diploma_pct",
        "Adults 25+ without a high-school diploma",
        "people 25 years and over",
        "proportion",
        "percent",
        ("community-schools",),
        (
            Recipe("acs5", _seq("B15003", 2, 16), ("B15003_001",)),
            Recipe(
                "socialexplorer",
                ("SE_A12002_002",),
                ("SE_A12002_001",),
                note="Social Explorer A12002 (from ACS B15003); no MOE published",
            ),
        ),
    ),
    Indicator(
        "no_hs_diploma",
        "Adults 25+ without a high-school diploma (count)",
        "people 25 years and over",
        "count",
        "people",
        ("community-schools",),
        (
            Recipe("acs5", _seq("B15003", 2, 16)),
            Recipe("cdc-svi", ("SVI_NOHSDP",), note="CDC/ATSDR SVI E_NOHSDP (ACS S0601)"),
        ),
    ),
    Indicator(
        "children_under_5",
        "Children under 5",
        "children under 5",
        "count",
        "people",
        ("early-care",),
        (
            Recipe("acs5", ("B01001_003", "B01001_027")),
            Recipe(
                "acs5/subject",
                ("S1701_C01_003",),
                note="S1701_C01_003: children under 5 for whom poverty status is "
                "determined (excludes the few in group quarters and foster care)",
            ),
        ),
    ),
    Indicator(
        "children_under_18",
        "Children under 18",
        "children under 18",
        "count",
        "people",
        ("community-schools",),
        (
            Recipe("acs5", ("B09001_001",)),
            Recipe("cdc-svi", ("SVI_AGE17",), note="CDC/ATSDR SVI E_AGE17 (ACS)"),
        ),
    ),
    Indicator(
        "poverty_pct",
        "People below the poverty line",
        "people for whom poverty status is determined",
        "proportion",
        "percent",
        ("community-schools", "la-deal", "early-care"),
        (
            Recipe(
                "acs5/subject",
                ("S1701_C02_001",),
                ("S1701_C01_001",),
                note="S1701 (from B17001); tracts as published (S1701_C03_001)",
                published="S1701_C03_001",
            ),
            Recipe("acs5", ("B17001_002",), ("B17001_001",)),
        ),
    ),
    Indicator(
        "under_5_poverty_pct",
        "Children under 5 below the poverty line",
        "children under 5 for whom poverty status is determined",
        "proportion",
        "percent",
        ("early-care",),
        (
            Recipe(
                "acs5/subject",
                ("S1701_C02_003",),
                ("S1701_C01_003",),
                note="S1701 line 003; tracts as published (S1701_C03_003)",
                published="S1701_C03_003",
            ),
        ),
    ),
    Indicator(
        "below_150_poverty_pct",
        "People below 150% of the poverty line",
        "people for whom poverty status is determined",
        "proportion",
        "percent",
        ("la-deal", "early-care"),
        (Recipe("acs5/subject", ("S1701_C01_040",), ("S1701_C01_001",)),),
    ),
    Indicator(
        "limited_english_pct",
        "Limited-English-speaking households",
        "households",
        "proportion",
        "percent",
        ("community-schools", "la-deal"),
        (
            Recipe(
                "acs5", ("C16002_004", "C16002_007", "C16002_010", "C16002_013"), ("C16002_001",)
            ),
        ),
    ),
    Indicator(
        "limited_english_persons",
        "People 5+ who speak English less than well",
        "people 5 years and over",
        "count",
        "people",
        ("community-schools", "la-deal"),
        (Recipe("cdc-svi", ("SVI_LIMENG",), note="CDC/ATSDR SVI E_LIMENG (ACS B16005)"),),
    ),
    Indicator(
        "median_household_income",
        "Median household income",
        "households",
        "median",
        "dollars",
        ("community-schools", "la-deal", "early-care"),
        (
            Recipe("acs5", ("B19013_001",), note="inflation-adjusted dollars of the final year"),
            Recipe(
                "socialexplorer",
                ("SE_A14006_001",),
                note="Social Explorer A14006 (from ACS B19013); no MOE published",
            ),
        ),
        higher_is_worse=False,
    ),
)

INDICATORS: dict[str, Indicator] = {ind.id: ind for ind in CATALOGUE}


def untranslated(text: str) -> str:
    """The English text itself: the default of every ``t`` (translator) parameter."""
    return text


def source_words(
    dataset: str | None,
    vintage: int | None,
    tables: list[str] | tuple,
    t: Callable[[str], str] = untranslated,
) -> str:
    """A source in plain words, e.g. "CDC Social Vulnerability Index 2022 (ACS 2018-2022)"
    or "ACS 5-year 2018-2022, table S1701"; ``t`` gives another language's wording
    (:func:`maps.i18n.translator`)."""
    span = f"{vintage - 4}-{vintage}" if vintage else t("(vintage unknown)")
    named = ", ".join(tables)
    several = len(tables) > 1
    if dataset == "cdc-svi":
        text = t("CDC Social Vulnerability Index {year} (ACS {span})")
        return text.format(year=vintage or "", span=span).replace("  ", " ")
    if dataset == "socialexplorer":
        text = t(
            f"ACS 5-year {{span}} via Social Explorer, table{'s' if several else ''} {{tables}}"
        )
        return text.format(span=span, tables=named)
    if dataset == "access-distance":
        return t(
            "2020 Census population by block group and LA County's 2019 public internet "
            "access points (straight-line distance)"
        )
    if dataset in ("acs5", "acs5/subject"):
        text = t(f"ACS 5-year {{span}}, table{'s' if several else ''} {{tables}}")
        return text.format(span=span, tables=named)
    return f"{dataset} {vintage or ''} {named}".strip()


#: the catalogue grouped by topic, as the home page and area profiles present it (every
#: indicator in exactly one topic, checked by a test)
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("People and households", ("population", "households", "children_under_18")),
    (
        "Broadband and computers",
        (
            "no_subscription_pct",
            "no_broadband_pct",
            "no_internet_pct",
            "broadband_pct",
            "no_computer_pct",
            "far_from_internet_access_pct",
        ),
    ),
    ("Education", ("no_hs_diploma_pct", "no_hs_diploma", "ba_plus_pct")),
    ("Poverty and income", ("poverty_pct", "below_150_poverty_pct", "median_household_income")),
    ("Young children", ("children_under_5", "under_5_poverty_pct")),
    ("Language", ("limited_english_pct", "limited_english_persons")),
)

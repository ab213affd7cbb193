"""What a school's page says of its own pupils: the state's counts for the latest year, the
free or reduced-price meal share year by year, whether it is a known Community School,
and where it stands in the Community Schools ranking of schools."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from markupsafe import escape

from boundaries.programs import PROGRAMS
from boundaries.schoolfigures import COMPLETE_COUNT
from geo_api.catalog import Catalog, LayerData
from geo_api.errors import ApiError
from geo_api.ranking import RankingCache, standing
from geo_api.rankquery import school_ranking_for

#: (label, count column, percent column, enrolment column, year column) of each row
OWN_ROWS: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("K-12 enrollment", "enrollment", None, None, "frpm_year"),
    ("Eligible for free or reduced-price meals", "frpm_count", "frpm_pct", "enrollment",
     "frpm_year"),
    ("English learners", "english_learners", "english_learners_pct", "upc_enrollment", "upc_year"),
    ("Unduplicated pupils (low-income, English learners or foster youth)", "unduplicated_count",
     "unduplicated_pct", "upc_enrollment", "upc_year"),
)  # fmt: skip
SERIES = re.compile(r"frpm_pct_(\d{4})_(\d{2})")
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 240, 90, 8


def own_rows(record: dict[str, Any], t: Callable[[str], str]) -> list[dict[str, str]]:
    """The school's counts, each with its share of enrolment and its school year; an empty
    list when the school has none (opened since, or no K-12 pupils)."""
    rows = []
    for label, count, pct, total, year in OWN_ROWS:
        value = record.get(count)
        if value is None:
            continue
        share = record.get(pct) if pct else None
        text = f"{value:,.0f}"
        if share is not None and total is not None and record.get(total) is not None:
            text = t("{share}% ({count} of {total})").format(
                share=f"{share:.1f}", count=f"{value:,.0f}", total=f"{record[total]:,.0f}"
            )
        rows.append({"label": t(label), "value": text, "year": str(record.get(year) or "")})
    return rows


def frpm_series(record: dict[str, Any]) -> list[tuple[str, float | None]]:
    """(school year, FRPM share or ``None``) for every year the store holds, oldest first."""
    years = []
    for key in sorted(k for k in record if SERIES.fullmatch(k)):
        start, end = SERIES.fullmatch(key).groups()  # type: ignore[union-attr]
        value = record[key]
        years.append((f"{start}-{end}", None if value is None else float(value)))
    return years


def series_svg(series: list[tuple[str, float | None]], label: str) -> str:
    """Small bars of the FRPM share per year (0-100%), each with its value and year; a
    missing year is a gap marked "–"."""
    if not series:
        return ""
    n = len(series)
    width = (CHART_WIDTH - BAR_GAP * (n - 1)) / n
    top, base = 14, CHART_HEIGHT - 16
    parts = []
    for i, (year, value) in enumerate(series):
        x = i * (width + BAR_GAP)
        mid = x + width / 2
        if value is None or not math.isfinite(value):
            parts.append(f'<text x="{mid:.1f}" y="{base - 4}" text-anchor="middle">–</text>')
        else:
            h = (base - top) * value / 100
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                'fill="#756bb1"/>'
                f'<text x="{mid:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">'
                f"{value:.0f}%</text>"
            )
        parts.append(
            f'<text x="{mid:.1f}" y="{CHART_HEIGHT - 3}" text-anchor="middle">{escape(year)}</text>'
        )
    return (
        f'<svg class="series" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" '
        f'height="{CHART_HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'font-size="10">{"".join(parts)}</svg>'
    )


def school_standings(
    catalog: Catalog, layer: LayerData, index: int, rankings: RankingCache, base: str
) -> list[dict[str, Any]]:
    """The school's place in each program's default ranking of schools: among its
    district's schools and among the county's, with the 90% interval, or why unranked."""
    record = layer.records[index]
    out = []
    for program in PROGRAMS.values():
        if not program.school_inputs:
            continue
        scopes: list[tuple[str, dict[str, str]]] = [("LA County", {})]
        if record.get("district"):
            scopes.insert(0, (str(record["district"]), {"district": str(record["district"])}))
        for scope, query in scopes:
            try:
                ranking = school_ranking_for(query, catalog, program, rankings)
            except ApiError:
                continue
            href = f"{base}/priorities/{program.id}?" + urlencode(
                {"layer": "schools", **query, "f": "html"}
            )
            out.append(
                {"title": program.title, "scope": scope, "href": href, **standing(ranking, index)}
            )
    return out


def school_context(
    catalog: Catalog,
    layer: LayerData,
    index: int,
    rankings: RankingCache,
    base: str,
    t: Callable[[str], str],
) -> dict[str, Any]:
    """Everything the school section of ``profile.html`` shows."""
    record = layer.records[index]
    series = frpm_series(record)
    cohort = record.get("community_school_cohort")
    return {
        "rows": own_rows(record, t),
        "counted": record.get("counts_reliability") == COMPLETE_COUNT,
        "series": series,
        "series_svg": series_svg(
            series,
            t("Free or reduced-price meal eligibility by school year: {values}").format(
                values="; ".join(f"{y} {'–' if v is None else f'{v:.1f}%'}" for y, v in series)
            ),
        ),
        "cohort": None if cohort is None else int(cohort),
        "grades": f"{record['low_grade']}-{record['high_grade']}"
        if record.get("low_grade") and record.get("high_grade")
        else None,
        "standings": school_standings(catalog, layer, index, rankings, base),
    }

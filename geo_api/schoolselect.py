"""Which schools a school ranking compares, and which area's survey figures stand beside
each school's own counts (``context``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo_api.catalog import LayerData

#: the areas whose ACS figures the schools layer carries for each school
CONTEXTS = ("tract", "neighborhood")
#: grades in teaching order, as CDE writes them (P: pre-kindergarten)
GRADES = ("P", "K", *(str(g) for g in range(1, 13)), "Adult")
#: names a query may use for a district
DISTRICT_ALIASES = {"lausd": "Los Angeles Unified"}


@dataclass(frozen=True)
class SchoolSelection:
    """A school ranking's question: compare the schools of ``district`` (any when
    ``None``), of ``school_type``, teaching ``grade``, with the ACS figures of their
    ``context`` area. Schools outside the selection are left out of the answer."""

    context: str = "tract"
    district: str | None = None
    school_type: str | None = None
    grade: str | None = None

    def mask(self, layer: LayerData) -> np.ndarray:
        """Per school of ``layer``: whether it is in the selection."""
        return np.array([self.holds(rec) for rec in layer.records], dtype=bool)

    def holds(self, record: dict) -> bool:
        """Whether one school (its record) is in the selection."""
        if self.district and record.get("district") != self.district:
            return False
        if self.school_type and record.get("school_type") != self.school_type:
            return False
        return not self.grade or teaches(record, self.grade)


def district_names(layer: LayerData) -> list[str]:
    """The districts of a schools layer's records, sorted."""
    return sorted({str(r["district"]) for r in layer.records if r.get("district")})


def teaches(record: dict, grade: str) -> bool:
    """Whether a school's grade span (``low_grade``-``high_grade``) includes ``grade``;
    a school without a known span teaches no grade asked for."""
    low, high = record.get("low_grade"), record.get("high_grade")
    if low not in GRADES or high not in GRADES:
        return False
    return GRADES.index(low) <= GRADES.index(grade) <= GRADES.index(high)

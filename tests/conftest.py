"""Shared fixtures. Settings are built explicitly; the developer's environment is not read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real-data mirror (GEO_API_TEST_MIRROR, set by `make test` to ../shared/data)."""
    raw = os.environ.get("GEO_API_TEST_MIRROR", "")
    path = Path(raw) if raw else None
    if path is None or not (path / "PROVENANCE.md").exists():
        pytest.skip(
            "real-data mirror not available: set GEO_API_TEST_MIRROR to shared/data "
            "(make test does this when ../shared/data exists)"
        )
    return path

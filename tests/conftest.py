"""Shared fixtures. Settings are built explicitly; the developer's environment is not read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
#: set by .ci/run: integration tests must run, so a missing mirror fails instead of skipping
REQUIRE_MIRROR = "GEO_API_REQUIRE_MIRROR"


def _mirror_path() -> Path | None:
    raw = os.environ.get("GEO_API_TEST_MIRROR", "")
    path = Path(raw) if raw else None
    if path is None or not (path / "PROVENANCE.md").exists():
        return None
    return path


def skip_unless_required(reason: str) -> None:
    """Skip for a missing tool (Chromium, GDAL) on a contributor's machine; in CI
    (``GEO_API_REQUIRE_MIRROR=1``, where .ci/run installs every tool) fail instead, so a
    broken install cannot pass as skipped tests."""
    if os.environ.get(REQUIRE_MIRROR) == "1":
        pytest.fail(f"{reason} ({REQUIRE_MIRROR}=1: CI must run this test)")
    pytest.skip(reason)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once when CI requires the real-data mirror and it is not there."""
    if os.environ.get(REQUIRE_MIRROR) == "1" and _mirror_path() is None:
        raise pytest.UsageError(
            f"{REQUIRE_MIRROR}=1 but the real-data mirror is missing: GEO_API_TEST_MIRROR="
            f"{os.environ.get('GEO_API_TEST_MIRROR', '')!r} does not hold PROVENANCE.md "
            "(CI expects ../shared/data beside the checkout)"
        )


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real-data mirror (GEO_API_TEST_MIRROR, set by `make test` to ../shared/data)."""
    path = _mirror_path()
    if path is None:
        pytest.skip(
            "real-data mirror not available: set GEO_API_TEST_MIRROR to shared/data "
            "(make test does this when ../shared/data exists)"
        )
    return path


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(hand-made mirror, store built from it by build_store): see tests/fixture_mirror.py."""
    from boundaries.build import build_store
    from loaders.sources import Fetcher
    from tests.fixture_mirror import write_fixture_mirror

    root = tmp_path_factory.mktemp("fixture-build")
    mirror = write_fixture_mirror(root / "mirror")
    store = root / "store.gpkg"
    build_store(Fetcher(mirror=mirror, cache_dir=root / "cache"), store, progress=lambda _: None)
    return mirror, store

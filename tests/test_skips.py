"""A missing tool skips a test on a contributor's machine and fails it in CI."""

import pytest

from tests.conftest import REQUIRE_MIRROR, skip_unless_required


def test_a_missing_tool_skips_locally(monkeypatch):
    monkeypatch.delenv(REQUIRE_MIRROR, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        skip_unless_required("no chromium")


def test_a_missing_tool_fails_in_ci(monkeypatch):
    monkeypatch.setenv(REQUIRE_MIRROR, "1")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test"):
        skip_unless_required("no chromium")

"""A missing outside tool is a skip on a developer's machine and a failure where CI requires it."""
import pytest

from tests.required_tools import REQUIRE_ENV, require


def test_missing_tool_skips_by_default(monkeypatch):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        require("wrk", False, "apt-get install wrk")


def test_missing_tool_fails_when_required(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="wrk is not installed"):
        require("wrk", False, "apt-get install wrk")
    require("wrk", True, "apt-get install wrk")  # present: nothing happens

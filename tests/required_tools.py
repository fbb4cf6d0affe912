"""Outside tools some tests need: skipped on a developer's machine without them, a failure in CI.

`.ci/run` sets TFSERVE_REQUIRE_TOOLS=1 after installing them, so a missing tool
there is a broken install, not a silently skipped check.
"""
from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "TFSERVE_REQUIRE_TOOLS"


def require(tool: str, available: bool, install_hint: str) -> None:
    if available:
        return
    message = f"{tool} is not installed ({install_hint})"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}; {REQUIRE_ENV}=1 says it must be here")
    pytest.skip(message)

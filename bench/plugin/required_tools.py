"""An outside tool a benchmark needs (wrk, valgrind): without it the benchmark is skipped with the
reason in one line, or fails where the tools are required (`TFSERVE_REQUIRE_TOOLS=1`, as in CI), so
no figure is stored half-measured."""
from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "TFSERVE_REQUIRE_TOOLS"


def require_tool(missing: str | None) -> None:
    """`missing`: why the tool cannot run (None: it can)."""
    if missing is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{missing}; {REQUIRE_ENV}=1 says it must be here")
    pytest.skip(missing)

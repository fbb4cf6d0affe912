"""An outside tool a benchmark needs (wrk, valgrind): without it the benchmark is skipped with the
reason in one line, or fails where the tools are required (`TFSERVE_REQUIRE_TOOLS=1`, as in CI), so
no figure is stored half-measured."""
from __future__ import annotations

import os

import pytest


def require_tool(missing: str | None) -> None:
    """`missing`: why the tool cannot run (None: it can)."""
    if missing is None:
        return
    if os.environ.get("TFSERVE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{missing}; TFSERVE_REQUIRE_TOOLS=1 says it must be here")
    pytest.skip(missing)

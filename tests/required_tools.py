"""Outside tools some tests need: skipped on a developer's machine without them, a failure in CI.

`.ci/run` sets TFSERVE_REQUIRE_TOOLS=1 after installing them, so a missing tool
there is a broken install, not a silently skipped check.
"""
from __future__ import annotations

from bench.plugin.required_tools import REQUIRE_ENV, require_tool

__all__ = ["REQUIRE_ENV", "require"]


def require(tool: str, available: bool, install_hint: str) -> None:
    """The benchmarks' own rule (bench.plugin.required_tools), for a tool named with its install hint."""
    require_tool(None if available else f"{tool} is not installed ({install_hint})")

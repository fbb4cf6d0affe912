"""Where a count of instructions went: callgrind's profile read by function, and two profiles
compared (`grown`), for the gate's "which functions grew" and the history's change points.

Self instructions by "file:function" come from `callgrind_annotate` (valgrind's own reader of its
format), one profile file per thread, summed over the threads."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# "  1,234,567 (12.34%)  file:function [object]" in callgrind_annotate's listing
ROW = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)(?:\s+\[[^\]]*\])?\s*$")


def self_instructions(thread_files: Iterable[Path]) -> dict[str, int]:
    """"file:function" -> its own instructions (not its callees'), summed over the threads' files."""
    found: Counter = Counter()
    for path in thread_files:
        listing = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", str(path)],
                                 capture_output=True, text=True, check=True).stdout
        for line in listing.splitlines():
            row = ROW.match(line)
            if row and "PROGRAM TOTALS" not in row.group(2):
                found[_without_build_paths(row.group(2))] += int(row.group(1).replace(",", ""))
    return dict(found)


def _without_build_paths(name: str) -> str:
    """CPython's functions carry the folder it was built in: keep the file from the source tree on."""
    return re.sub(r"^/tmp/[^:]*?/(Python|Objects|Modules|Include|Parser)/", r"\1/", name)


@dataclass(frozen=True)
class Growth:
    function: str
    base: float  # per request
    candidate: float
    share: float  # of the whole count's change (signed)

    def line(self, width: int = 240) -> str:
        """In words; a C++ name without Eigen's namespaces, cut to `width` characters."""
        name = self.function.replace("Eigen::internal::", "").replace("Eigen::", "")
        name = name if len(name) <= width else name[:width - 1] + "…"
        return (f"{name}: {self.base:,.0f} → {self.candidate:,.0f} a request "
                f"({self.candidate - self.base:+,.0f}, {self.share:.0%} of the change)")


def grown(base: Mapping[str, float], candidate: Mapping[str, float], top: int = 8) -> list[Growth]:
    """The functions whose per-request figure grew most, candidate against base, largest first."""
    change = sum(candidate.values()) - sum(base.values())
    deltas = sorted(((candidate.get(name, 0) - base.get(name, 0), name) for name in set(base) | set(candidate)),
                    reverse=True)
    return [Growth(name, base.get(name, 0), candidate.get(name, 0), delta / change if change else 0.0)
            for delta, name in deltas[:top] if delta > 0]


def per_request(counts: Mapping[str, float], calls: int) -> dict[str, float]:
    return {name: value / calls for name, value in counts.items()}


def where_between(base: Mapping, candidate: Mapping, top: int = 8) -> list[str]:
    """The C functions (self instructions) and Python functions (calls) that grew most per request
    from `base` to `candidate` (each {"functions": ..., "python_calls": ...}, per request): where a
    change of a count went, in words."""
    lines = [f"C function, self instructions: {growth.line()}"
             for growth in grown(base.get("functions", {}), candidate.get("functions", {}), top)]
    calls = grown(base.get("python_calls", {}), candidate.get("python_calls", {}), top)
    return lines + [f"Python function, calls: {growth.function}: {growth.base:,.0f} → {growth.candidate:,.0f} a request"
                    for growth in calls]

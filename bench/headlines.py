"""The suite's answers: which ratios a group's rotation yields, each named in words.

Every ratio is of times, numerator ÷ denominator, so below 1 the numerator is
faster. Names say the scenario, e.g. "request gunicorn-w1: static / dynamic".
"""
from __future__ import annotations

from typing import Callable, Iterable

from bench.paired import Comparison, Rotation
from bench.plan import Case, ServerConfig

# (numerator, denominator) graph kinds compared on the same server set-up: the
# project's question first, then each other kind against the static graph.
GRAPH_PAIRS = (("static", "dynamic"), ("saved_model", "static"), ("static-xla", "static"))


def _plain_workers(config: ServerConfig) -> bool:
    """Worker processes and nothing else (no threads, no batching): the worker-count sweep."""
    return config.worker_processes and config.threads == 1 and config.batch_window_ms is None


def comparisons(scenario: str, rotation: Rotation, cases: Iterable[Case],
                where: Callable[[ServerConfig], str] = lambda config: f" {config.id}") -> list[Comparison]:
    """The headline ratios among `cases` (all measured in `rotation`, named `str(case)`).

    - graph kinds on the same set-up (GRAPH_PAIRS);
    - HTTP ÷ in-process for each graph kind, when both were measured;
    - more worker processes ÷ fewer on the same server, for neighbouring counts of the sweep.
    `where(config)` names the set-up inside the scenario (nothing, for one set-up only).
    """
    cases = list(cases)
    by_config: dict[ServerConfig, dict[str, Case]] = {}
    for case in cases:
        by_config.setdefault(case.config, {})[case.graph] = case
    found = []
    for config, graphs in by_config.items():
        for top, bottom in GRAPH_PAIRS:
            if top in graphs and bottom in graphs:
                found.append((f"{scenario}{where(config)}: {top} / {bottom}", graphs[top], graphs[bottom]))
    in_process = {case.graph: case for case in cases if case.config.server == "in-process"}
    for case in cases:
        if case.config.launched and case.graph in in_process:
            found.append((f"{scenario} {case.graph}: {case.config.id} / in-process", case, in_process[case.graph]))
    for graph, server in sorted({(case.graph, case.config.server) for case in cases}):
        sweep = sorted((case.config.workers, case) for case in cases
                       if case.graph == graph and case.config.server == server and _plain_workers(case.config))
        for (_, fewer), (_, more) in zip(sweep, sweep[1:]):
            found.append((f"{scenario} {graph}: {more.config.id} / {fewer.config.id}", more, fewer))
    return [rotation.compare(name, str(top), str(bottom)) for name, top, bottom in found]


def changes_since(now: list[Comparison], before: list[dict]) -> list[str]:
    """For each ratio of this run also in the compared one: changed when the intervals do not overlap."""
    earlier = {entry["name"]: Comparison.from_json(entry) for entry in before}
    lines = []
    for comparison in now:
        old = earlier.get(comparison.name)
        if old is None:
            lines.append(f"{comparison.name}: new (not in the compared run)")
            continue
        verdict = "unchanged (intervals overlap)" if comparison.overlaps(old) else "CHANGED (intervals do not overlap)"
        lines.append(f"{comparison.name}: {old.ratio:.3f} [{old.low:.3f}, {old.high:.3f}] -> "
                     f"{comparison.ratio:.3f} [{comparison.low:.3f}, {comparison.high:.3f}]  {verdict}")
    if not earlier:
        lines.append("the compared run stored no ratios (made before paired measurement)")
    return lines

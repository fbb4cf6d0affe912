"""The suite's answers: which ratios a group's rotation yields, each named in words.

Every ratio is of times, numerator ÷ denominator, so below 1 the numerator is
faster. Names say the scenario, e.g. "request gunicorn-w1: static / dynamic".
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from bench.method.paired import Comparison, Rotation
from bench.method.plan import Case, ServerConfig
from serving import graphs as kinds

# (numerator, denominator) graph kinds compared on the same server set-up, from the kinds'
# registry entries (`compared_with`): the project's question first, then the other kinds.
GRAPH_PAIRS = tuple(kinds.pairs())


def _plain_workers(config: ServerConfig) -> bool:
    """Worker processes and nothing else (no threads, no batching): the worker-count sweep."""
    return config.worker_processes and config.threads == 1 and config.batch_window_ms is None


def comparisons(scenario: str, rotation: Rotation, cases: Iterable[Case],
                where: Callable[[ServerConfig], str] = lambda config: f" {config.id}") -> list[Comparison]:
    """The headline ratios among `cases` (all measured in `rotation`, named `str(case)`).

    - graph kinds on the same set-up (GRAPH_PAIRS);
    - HTTP ÷ in-process for each graph kind, when both were measured;
    - another server with worker processes ÷ gunicorn, same kind and worker count;
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
    in_process = {case.graph: case for case in cases if case.config.in_process}
    for case in cases:
        if case.config.launched and case.graph in in_process:
            found.append((f"{scenario} {case.graph}: {case.config.id} / in-process", case, in_process[case.graph]))
    gunicorn = {(case.graph, case.config.workers): case for case in cases
                if case.config.server == "gunicorn" and _plain_workers(case.config)}
    for case in cases:  # another front end against gunicorn, same kind and worker count
        if case.config.launched and case.config.server != "gunicorn" and case.config.worker_processes:
            if (other := gunicorn.get((case.graph, case.config.workers))) is not None:
                found.append((f"{scenario} {case.graph}: {case.config.id} / {other.config.id}", case, other))
    for graph, server in sorted({(case.graph, case.config.server) for case in cases}):
        sweep = sorted((case.config.workers, case) for case in cases
                       if case.graph == graph and case.config.server == server and _plain_workers(case.config))
        for (_, fewer), (_, more) in zip(sweep, sweep[1:]):
            found.append((f"{scenario} {graph}: {more.config.id} / {fewer.config.id}", more, fewer))
    return [rotation.compare(name, str(top), str(bottom)) for name, top, bottom in found]


# A ratio CHANGED between two runs only when both hold: the intervals are apart (the change is
# not noise within either run) and it moved by more than this much (it matters): two runs of one
# commit on a shared machine differ by a few per cent in ways no within-run interval sees (two
# processes of the same code keep their own speed), as asv's `--factor` beside its test.
CHANGE_THRESHOLD = 0.05


def moved(now: Comparison, before: Comparison) -> float:
    """How far the ratio moved between the runs: 0.05 is 5 % up."""
    return now.ratio / before.ratio - 1


def changed(now: Comparison, before: Comparison, threshold: float = CHANGE_THRESHOLD) -> bool:
    return not now.overlaps(before) and abs(moved(now, before)) > threshold


def changes_since(now: list[Comparison], before: list[dict], threshold: float = CHANGE_THRESHOLD) -> list[str]:
    """For each ratio of this run also in the compared one: CHANGED, or unchanged and why."""
    earlier = {entry["name"]: Comparison.from_json(entry) for entry in before}
    lines = []
    for comparison in now:
        old = earlier.get(comparison.name)
        if old is None:
            lines.append(f"{comparison.name}: new (not in the compared run)")
            continue
        by = moved(comparison, old)
        if changed(comparison, old, threshold):
            verdict = f"CHANGED by {by:+.1%} (intervals apart, beyond ±{threshold:.0%})"
        elif comparison.overlaps(old):
            verdict = f"unchanged ({by:+.1%}, intervals overlap)"
        else:
            verdict = f"unchanged ({by:+.1%}: intervals apart, within ±{threshold:.0%})"
        lines.append(f"{comparison.name}: {old.ratio:.3f} [{old.low:.3f}, {old.high:.3f}] -> "
                     f"{comparison.ratio:.3f} [{comparison.low:.3f}, {comparison.high:.3f}]  {verdict}")
    if not earlier:
        lines.append("the compared run stored no ratios (made before paired measurement)")
    return lines

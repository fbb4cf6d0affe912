"""The suite's answers: which ratios a group's rotation yields, each named in words.

Every ratio is of times, numerator ÷ denominator, so below 1 the numerator is
faster. Names say the scenario, e.g. "request gunicorn-w1: static / dynamic".
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from math import comb
from statistics import NormalDist

from bench.method.cases import Case, ServerConfig
from bench.method.paired import Rotation
from bench.method.policy import CROSS_PAIRS, GRAPH_PAIRS
from bench.results.comparison import Comparison


def _plain_workers(config: ServerConfig) -> bool:
    """Worker processes and nothing else (no threads, no batching): the worker-count sweep."""
    return config.worker_processes and config.threads == 1 and config.batch_window_ms is None


def comparisons(scenario: str, rotation: Rotation, cases: Iterable[Case],
                where: Callable[[ServerConfig], str] = lambda config: f" {config.id}") -> list[Comparison]:
    """The headline ratios among `cases` (all measured in `rotation`, named `str(case)`).

    - graph kinds on the same set-up (GRAPH_PAIRS);
    - HTTP ÷ in-process for each graph kind, when both were measured;
    - another server with worker processes ÷ gunicorn, same kind and worker count;
    - more worker processes ÷ fewer on the same server, for neighbouring counts of the sweep;
    - kind and server changed at once (CROSS_PAIRS), same worker count.
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
    by_set_up = {(case.graph, case.config.server, case.config.workers): case for case in cases
                 if case.config.worker_processes and _plain_workers(case.config)}
    for (top_graph, top_server), (bottom_graph, bottom_server) in CROSS_PAIRS:  # kind and server changed at once
        for (graph, server, workers), top in by_set_up.items():
            if (graph, server) == (top_graph, top_server) and (bottom := by_set_up.get((bottom_graph, bottom_server, workers))):
                found.append((f"{scenario}: {top} / {bottom}", top, bottom))
    for graph, server in sorted({(case.graph, case.config.server) for case in cases}):
        sweep = sorted((case.config.workers, case) for case in cases
                       if case.graph == graph and case.config.server == server and _plain_workers(case.config))
        for (_, fewer), (_, more) in zip(sweep, sweep[1:]):
            found.append((f"{scenario} {graph}: {more.config.id} / {fewer.config.id}", more, fewer))
    return [rotation.compare(name, str(top), str(bottom)) for name, top, bottom in found]


# A ratio of times CHANGED between two runs only when both hold: the intervals are apart at the
# family's confidence (below) and it moved by more than this much (it matters): two runs of one
# commit on a shared machine differ by a few per cent in ways no within-run interval sees (two
# processes of the same code keep their own speed), as asv's `--factor` beside its test.
CHANGE_THRESHOLD = 0.05
# An instruction count (the request thread's, per kind) repeats within 0.1 %: CHANGED beyond this,
# with no interval to straddle.
INSTRUCTIONS_THRESHOLD = 0.01


@dataclass(frozen=True)
class Thresholds:
    """A run's change thresholds (`--bench-change-threshold`, `--bench-instructions-threshold`)."""

    change: float = CHANGE_THRESHOLD
    instructions: float = INSTRUCTIONS_THRESHOLD
FAMILY_CONFIDENCE = 0.95


def moved(now: Comparison, before: Comparison) -> float:
    """How far the ratio moved between the runs: 0.05 is 5 % up."""
    return now.ratio / before.ratio - 1


def family_widened(comparison: Comparison, family: int, confidence: float = FAMILY_CONFIDENCE) -> Comparison:
    """The interval at Bonferroni's confidence for `family` ratios judged at once (1 - 0.05 / 63
    for a full run's 63), so that a run of one commit says CHANGED for none of them at 95 %,
    where 63 intervals at 95 % each let ~3 through by chance. Stored intervals are 95 % bootstrap
    percentile intervals; each side is widened in log space by the ratio of normal quantiles
    (1.96 -> 3.4 for 63), a normal approximation of the bootstrap's tails that the stored
    interval alone allows."""
    if family <= 1 or comparison.low == comparison.high:
        return comparison
    scale = NormalDist().inv_cdf(1 - (1 - confidence) / family / 2) / NormalDist().inv_cdf(1 - (1 - comparison.confidence) / 2)
    ratio = comparison.ratio
    low = ratio * (comparison.low / ratio) ** scale
    high = ratio * (comparison.high / ratio) ** scale
    return replace(comparison, low=low, high=high, confidence=1 - (1 - confidence) / family)


def answer_moved(now: Comparison, before: Comparison) -> str:
    """The answer in words then and now (Comparison.answer): FLIPPED when both decided and not alike."""
    if now.contradicts(before):
        return f"answer FLIPPED: {before.answer} -> {now.answer}"
    return f"answer {now.answer}" if now.answer == before.answer else f"answer {before.answer} -> {now.answer}"


def changed(now: Comparison, before: Comparison, threshold: float = CHANGE_THRESHOLD) -> bool:
    return not now.overlaps(before) and abs(moved(now, before)) > threshold


def changes_since(now: list[Comparison], before: list[dict], threshold: float = CHANGE_THRESHOLD,
                  threshold_of: Callable[[Comparison], float | None] | None = None) -> list[str]:
    """For each ratio of this run also in the compared one: CHANGED, or unchanged and why. Ratios of
    times are judged with their intervals widened for the family of all ratios judged here, each
    against `threshold_of(ratio)` (its question's; None: shown, not judged; default `threshold`);
    ratios of instruction counts are shown, not judged (`instruction_changes` judges the counts)."""
    threshold_of = threshold_of or (lambda comparison: threshold)
    earlier = {entry["name"]: Comparison.from_json(entry) for entry in before}
    family = sum(1 for c in now if c.measure == "time" and c.name in earlier and threshold_of(c) is not None)
    lines = []
    for comparison in now:
        old = earlier.get(comparison.name)
        if old is None:
            lines.append(f"{comparison.name}: new (not in the compared run)")
            continue
        by = moved(comparison, old)
        if comparison.measure == "instructions":  # all threads' counts: TensorFlow's runtime thread has two modes
            lines.append(f"{comparison.name}: {old.ratio:.4f} -> {comparison.ratio:.4f}  moved {by:+.2%} (not judged: "
                         "instruction counts are judged per kind, on the request's thread, below)")
            continue
        own = threshold_of(comparison)
        if own is None:
            lines.append(f"{comparison.name}: {old.ratio:.3f} -> {comparison.ratio:.3f}  moved {by:+.1%} (not judged: "
                         "its question's figures move between runs of one commit)")
            continue
        wide_now, wide_old = family_widened(comparison, family), family_widened(old, family)
        if changed(wide_now, wide_old, own):
            verdict = f"CHANGED by {by:+.1%} (intervals apart at {wide_now.confidence:.2%}, beyond ±{own:.0%})"
        elif wide_now.overlaps(wide_old):
            verdict = f"unchanged ({by:+.1%}, intervals overlap at the family's {wide_now.confidence:.2%})"
        else:
            verdict = f"unchanged ({by:+.1%}: intervals apart, within ±{own:.0%})"
        lines.append(f"{comparison.name}: {old.ratio:.3f} [{old.low:.3f}, {old.high:.3f}] -> "
                     f"{comparison.ratio:.3f} [{comparison.low:.3f}, {comparison.high:.3f}]  "
                     f"({answer_moved(comparison, old)}) {verdict}")
    if judged := [c for c in now if c.measure == "time" and c.name in earlier]:
        flipped = sum(c.contradicts(earlier[c.name]) for c in judged)
        settled = sum(c.answer != earlier[c.name].answer for c in judged) - flipped
        lines.append(f"answers in words: {flipped} of {len(judged)} FLIPPED (decided both times, not alike), "
                     f"{settled} between decided and not decided")
    if not earlier:
        lines.append("the compared run stored no ratios (made before paired measurement)")
    return lines


def instruction_changes(now: dict[str, float], before: dict[str, float],
                        threshold: float = INSTRUCTIONS_THRESHOLD) -> list[str]:
    """Each figure's instructions per request against the compared run's (name -> count)."""
    lines = []
    for name, count in now.items():
        if name not in before:
            lines.append(f"{name}: {count / 1e6:.3f} M instructions a request, new (not in the compared run)")
            continue
        by = count / before[name] - 1
        verdict = f"CHANGED by {by:+.2%} (beyond ±{threshold:.0%})" if abs(by) > threshold else f"unchanged ({by:+.2%})"
        lines.append(f"{name}: {before[name] / 1e6:.3f} -> {count / 1e6:.3f} M instructions a request  {verdict}")
    return lines


def capacity_changes(now: dict[str, dict], before: dict[str, dict], threshold: float = CHANGE_THRESHOLD) -> list[str]:
    """Each set-up's knee against the compared run's (name -> the open-loop part: `max_rate` and its
    interval over `knees`). CHANGED when the two intervals are apart and the knee moved beyond
    `threshold`; two unchanged runs' intervals of n searches each are apart by chance with
    probability 2 / C(2n, n) (0.8 % for n = 5), printed with the family's bound (Bonferroni)."""
    judged = [name for name, part in now.items() if name in before and len(part.get("knees") or []) > 1
              and len(before[name].get("knees") or []) > 1]
    chance = sum(2 / comb(2 * len(now[name]["knees"]), len(now[name]["knees"])) for name in judged)
    lines = []
    for name, part in now.items():
        old = before.get(name)
        knee = part["max_rate"]
        if old is None or not old.get("max_rate"):
            lines.append(f"{name}: {knee:.0f}/s, new (no knee in the compared run)")
            continue
        by = knee / old["max_rate"] - 1
        span = f"{old['max_rate']:.0f} [{old.get('max_rate_low', 0):.0f}, {old.get('max_rate_high', 0):.0f}] -> " \
               f"{knee:.0f} [{part.get('max_rate_low', 0):.0f}, {part.get('max_rate_high', 0):.0f}] /s"
        if name not in judged:
            lines.append(f"{name}: {span}  moved {by:+.1%} (not judged: one search in a run, no interval)")
            continue
        apart = part["max_rate_high"] < old["max_rate_low"] or part["max_rate_low"] > old["max_rate_high"]
        if apart and abs(by) > threshold:
            verdict = (f"CHANGED by {by:+.1%} (intervals apart: by chance at most {chance:.1%} over the "
                       f"{len(judged)} set-ups; beyond ±{threshold:.0%})")
        elif apart:
            verdict = f"unchanged ({by:+.1%}: intervals apart, within ±{threshold:.0%})"
        else:
            verdict = f"unchanged ({by:+.1%}, intervals overlap)"
        lines.append(f"{name}: {span}  {verdict}")
    return lines

"""`python -m bench.gate --base REF`: is the candidate slower than the base? An A/B test in one job.

The base commit is checked out in a temporary git worktree; each side trains (or
reuses) its model and starts its servers per graph kind (one worker for single
requests, two for bursts). Three groups are compared, each as one rotation through
both sides (`bench.method.paired`), so both see the same machine at the same moments:
single requests, bursts of 20, and load + first prediction (in a probe process per
side running that side's own code, `bench.harness.load_probe`, servers stopped by then).
The verdict uses the per-round medians: the median of the paired ratios
candidate ÷ base, with a bootstrap confidence interval. With both static and
dynamic gated, their single-request ratio (static ÷ dynamic) is gated the same way.

Exit 0: not slower than the threshold (the interval's top is under it);
exit 1: slower (the interval's bottom is above it), with the table;
exit 2: cannot decide (interval across the threshold, or a side cannot run), saying why.
An intended slowdown is accepted on record: a `Perf-Accepted: <reason>` trailer in the
candidate's commit message turns a FAIL into exit 0, printing the reason and the ratio.
Every timed answer is judged (status, label and probability against that side's
own model in-process): a wrong answer from the candidate is exit 1, from the base exit 2.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.clients.http import BurstClient, SequentialClient
from bench.harness import instructions, side_scripts
from bench.harness.load_probe import LoadProbe, ProbeError
from bench.harness.memory import PeakMemory
from bench.harness.server_pool import ServerPool
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerError
from bench.method import paired
from bench.method.oracle import TOLERANCE, AnswerJudge
from bench.method.paired import rotate
from bench.method.plan import Case, default_server, request_texts
from bench.method.stats import bootstrap_ratio_ci, regression_verdict

TEXTS = request_texts()  # the suite's texts: held-out sentences, sent in turn
CANNOT_DECIDE = 2
VERDICT_WORDS = {0: "PASS", 1: "FAIL", 2: "UNDECIDED"}
ACCEPT_TRAILER = "Perf-Accepted"
GROUPS = ("instructions", "requests", "bursts", "loads")


class GateError(Exception):
    """The gate cannot run one side; exit 2 with this message."""


class WrongAnswer(GateError):
    """A side's server answered wrongly: the candidate fails (exit 1), a broken base cannot be compared."""

    def __init__(self, side: str, message: str):
        super().__init__(message)
        self.side = side


@dataclass
class Side:
    """One checkout (base or candidate): its root, its own trained model and what that model answers."""

    name: str
    root: Path
    artifacts: Path
    expected: dict[str, float]

    def judge(self, graph: str) -> AnswerJudge:
        return AnswerJudge(graph, self.expected)

    def check(self, graph: str, faults: list[str]) -> None:
        if faults:
            raise WrongAnswer(self.name, f"{self.name} {graph} answered wrongly: {faults[0]}")


def request_stream(side: Side, graph: str, client: SequentialClient) -> paired.Stream:
    """Single requests, timed from the first byte (the connection opens untimed, as in the suite)."""
    judge, timed_unit = side.judge(graph), client.timed_unit

    def one() -> float:
        elapsed = timed_unit()
        answer = client.answers.items.pop()  # judged here, not kept: rounds are long
        side.check(graph, [fault] if (fault := judge(*answer)) else [])
        return elapsed

    return paired.Stream(f"{side.name} request {graph}", one)


def burst_stream(side: Side, graph: str, url: str, threads: int) -> paired.Stream:
    """Bursts of `threads` requests released together (the suite's client); each burst's answers
    judged right after it, untimed, and not kept: rounds are long."""
    client, judge = BurstClient(url, TEXTS, threads), side.judge(graph)

    def one() -> float:
        elapsed = client.timed_unit()
        side.check(graph, client.errors + [fault for item in client.answers.items if (fault := judge(*item))])
        client.answers.items.clear()
        client.errors.clear()
        client.bursts.clear()
        return elapsed

    return paired.Stream(f"{side.name} burst {graph}", one)


def load_stream(side: Side, graph: str, probe: LoadProbe) -> paired.Stream:
    """Load + first prediction with this side's own loading code, timed inside its probe."""
    def one() -> float:
        seconds, positive = probe.load(graph)
        wanted = side.expected[TEXTS[0]]
        side.check(graph, [f"P(POSITIVE) {positive:.6f} after loading, expected {wanted:.6f}"]
                   if abs(positive - wanted) > TOLERANCE else [])
        return seconds

    return paired.Stream(f"{side.name} load {graph}", one)


def git(*args: str, cwd: Path = PROJECT_ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


def artifacts_for(root: Path, cache: Path) -> tuple[Path, dict[str, float]]:
    """Train (or reuse) the default model with that checkout's own code, and the P(POSITIVE)
    its static graph gives each gate text in-process: what that side's servers must answer."""
    result = subprocess.run(side_scripts.command("side_artifacts", str(cache), json.dumps(TEXTS)), cwd=root,
                            capture_output=True, text=True, env={**ROOT_ENV, "PYTHONPATH": str(root)}, timeout=900)
    if result.returncode != 0:
        raise GateError(f"cannot train the model in {root}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return Path(found["artifacts"]), found["expected"]


def medians(round_medians: dict[str, list[float]], sides: list[Side], what: str, graph: str) -> list[list[float]]:
    """[base, candidate] per-round medians of one figure."""
    return [round_medians[f"{side.name} {what} {graph}"] for side in sides]


def rotate_until_decided(streams: list[paired.Stream], rounds: int, plan: GatePlan, figures_of, **rotation) -> list:
    """Rotate `rounds` rounds; while a figure's interval still spans its threshold, rotate
    `rounds` more and judge all rounds together, until `plan.extra_budget_s` is spent (sequential
    sampling, as Pinpoint's: a no-op narrows its intervals until they fall under the threshold).
    `figures_of(round_medians)` -> the group's PairedSamples."""
    started, merged = time.monotonic(), {stream.name: [] for stream in streams}
    while True:
        found = rotate(streams, rounds, **rotation)
        for name, values in found.round_medians.items():
            merged[name] += values
        figures = figures_of(merged)
        undecided = [label for label, base, candidate, threshold in figures
                     if regression_verdict(*bootstrap_ratio_ci(base, candidate, plan.confidence)[1:], threshold) == CANNOT_DECIDE]
        if not undecided or time.monotonic() - started > plan.extra_budget_s:
            return figures
        print(f"gate: {', '.join(undecided)} undecided after {len(next(iter(merged.values())))} rounds: "
              f"{rounds} more", file=sys.stderr)


@dataclass(frozen=True, kw_only=True)
class GateComparison(paired.Comparison):
    """One gated figure, candidate ÷ base: the suite's comparison record, plus the verdict."""

    threshold: float
    verdict: str  # PASS, FAIL or UNDECIDED
    base_median: float
    candidate_median: float
    rounds: int
    note: str = ""  # what the figure means beyond its ratio (instructions: in time)

    @property
    def smallest_detectable_slowdown(self) -> float:
        """The smallest slowdown this run would have FAILed: the threshold plus the interval's
        lower half-width (a true ratio r gives an interval bottom near r minus that width)."""
        return self.threshold + (self.ratio - self.low)

    def as_json(self) -> dict:
        return {**super().as_json(), "threshold": self.threshold, "verdict": self.verdict,
                "base_median": self.base_median, "candidate_median": self.candidate_median, "rounds": self.rounds,
                "smallest_detectable_slowdown": round(self.smallest_detectable_slowdown, 5)}


def compare(label: str, base: list[float], candidate: list[float], confidence: float,
            threshold: float) -> GateComparison:
    ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
    return GateComparison(
        name=f"{label}: candidate / base", numerator="candidate", denominator="base", ratio=round(ratio, 5), low=round(low, 5),
        high=round(high, 5), confidence=confidence, threshold=threshold,
        verdict=VERDICT_WORDS[regression_verdict(low, high, threshold)], base_median=float(np.median(base)),
        candidate_median=float(np.median(candidate)), rounds=len(base))


def instruction_comparisons(sides: list[Side], plan: GatePlan) -> list[GateComparison]:
    """Instructions per request of each gated kind, base and candidate each counted with its own
    app (`bench.harness.instructions`, before any server starts); the candidate's requests also
    timed without valgrind, to say what 1 % of its instructions is in time."""
    texts = TEXTS[:instructions.CALLS]
    if reason := instructions.missing_tools():
        raise GateError(f"cannot count instructions: {reason}")
    try:
        counts = instructions.count_all([(side.root, side.artifacts, graph) for side in sides for graph in plan.graphs],
                                        texts)
        candidate = sides[-1]
        seconds = {graph: instructions.seconds_per_request(candidate.root, candidate.artifacts, graph, texts)
                   for graph in plan.graphs}
    except instructions.CountError as error:
        raise GateError(f"cannot count instructions: {error}") from None
    by_side = dict(zip([(side.name, graph) for side in sides for graph in plan.graphs], counts))
    for (name, graph), count in by_side.items():
        side = sides[0] if name == sides[0].name else sides[-1]
        side.check(graph, [fault for text, status, body in count.answers
                           if (fault := side.judge(graph)(text, status, body.encode()))])
    found = []
    for graph in plan.graphs:
        base, candidate_count = by_side[(sides[0].name, graph)].per_request, by_side[(sides[-1].name, graph)].per_request
        ratio = candidate_count / base
        per_percent_us = seconds[graph] * 1e6 / 100
        found.append(GateComparison(
            name=f"instructions per request {graph} (in-process): candidate / base", numerator="candidate",
            denominator="base", ratio=round(ratio, 6), low=round(ratio, 6), high=round(ratio, 6), confidence=1.0,
            measure="instructions", threshold=plan.instructions_threshold,
            verdict=VERDICT_WORDS[regression_verdict(ratio, ratio, plan.instructions_threshold)],
            base_median=base, candidate_median=candidate_count, rounds=1,
            note=f"a request of {graph} takes {seconds[graph] * 1e3:.3f} ms in-process here without valgrind: "
                 f"1 % more instructions of the same mix is about {per_percent_us:.1f} µs a request"))
    return found


def table(found: GateComparison) -> str:
    if found.measure == "instructions":
        verdict = "FAIL: more instructions than the threshold allows" if found.verdict == "FAIL" else "PASS"
        return "\n".join([
            f"{found.name} (callgrind, {instructions.CALLS} requests each): base {found.base_median:,.0f}, "
            f"candidate {found.candidate_median:,.0f}",
            f"  candidate ÷ base = {found.ratio:.5f} (exact: no interval), threshold {1 + found.threshold:.3f}",
            f"  {found.note}", f"  {verdict}"])
    unit, scale = ("", 1.0) if found.name.startswith("ratio") else (" ms", 1e3)
    words = {"PASS": "PASS: not slower than the threshold", "FAIL": "FAIL: slower than the threshold",
             "UNDECIDED": "UNDECIDED: the interval spans the threshold"}
    return "\n".join([
        f"{found.name} ({found.rounds} interleaved rounds; median of per-round medians: base "
        f"{found.base_median * scale:.3f}{unit}, candidate {found.candidate_median * scale:.3f}{unit})",
        f"  candidate ÷ base = {found.ratio:.3f}, {found.confidence:.0%} interval [{found.low:.3f}, {found.high:.3f}], "
        f"threshold {1 + found.threshold:.2f}; this run would catch a slowdown of "
        f"{found.smallest_detectable_slowdown:.1%} or more",
        f"  {words[found.verdict]}",
    ])


def markdown(found: list[GateComparison], outcome: str, seconds: float) -> str:
    """A table for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`)."""
    rows = [f"| {c.name} | {c.ratio:.3f} | [{c.low:.3f}, {c.high:.3f}] | {c.threshold:.0%} | "
            f"{c.smallest_detectable_slowdown:.1%} | {c.verdict} |" for c in found]
    return "\n".join([
        "## Regression gate: candidate ÷ base", "",
        "| figure | ratio | 95 % interval | threshold | smallest detectable slowdown | verdict |",
        "|---|---:|---|---:|---:|---|", *rows, "", f"**{outcome}** ({seconds:.0f} s)", ""])


def accepted_reason(candidate_root: Path) -> str | None:
    """The `Perf-Accepted:` trailer of the candidate's commit message, if any."""
    try:
        value = git("log", "-1", f"--format=%(trailers:key={ACCEPT_TRAILER},valueonly)", cwd=candidate_root)
    except GateError:
        return None
    return value.strip() or None


@dataclass(frozen=True)
class GatePlan:
    """What the gate measures, from its options."""

    graphs: tuple[str, ...] = ("static", "dynamic")
    groups: tuple[str, ...] = GROUPS
    threshold: float = 0.05  # single requests and their static ÷ dynamic ratio: ±1-2 % intervals here
    # bursts and loads: their intervals are ±4-6 % on 2 cores, so a 5 % gate would mostly say UNDECIDED
    coarse_threshold: float = 0.10
    confidence: float = 0.95
    # Short windows, many rounds: a window of 100 requests (~1 s each here) let the machine drift
    # between the sides' windows of one round (no-op intervals ±10 %, UNDECIDED); 20 keep the
    # pairing tight while still steady (the first 3 of each window untimed).
    request_rounds: int = 60
    requests: int = 20  # per server per round, back to back (the suite's steady windows)
    request_discard: int = 3  # answered and judged first in each window, untimed
    workers: int = 1  # for single requests
    burst_rounds: int = 40
    bursts_per_round: int = 2  # a burst's time varies with how 20 requests meet 2 workers: a median of 2
    burst_discard: int = 1
    burst_workers: int = 2
    burst_threads: int = 20
    load_rounds: int = 20
    # while a wall-clock figure is undecided, more rounds of its group, up to this long per group
    extra_budget_s: float = 60.0
    instructions_threshold: float = 0.01  # counts repeat within 0.1 % (bench.harness.instructions)


def prepare_side(name: str, root: Path, cache: Path) -> Side:
    artifacts, expected = artifacts_for(root, cache)
    return Side(name, root, artifacts, expected)


PairedSamples = tuple[str, list[float], list[float], float]  # label, base and candidate per-round medians, threshold


def request_figures(sides: list[Side], plan: GatePlan, pools: dict, clients: list[SequentialClient]) -> list[PairedSamples]:
    streams = []
    for side in sides:
        for graph in plan.graphs:
            clients.append(SequentialClient(f"{pools[side.name].get(gated(graph, plan.workers)).url}/{graph}", TEXTS))
            streams.append(request_stream(side, graph, clients[-1]))

    def figures_of(round_medians: dict[str, list[float]]) -> list[PairedSamples]:
        found = [(f"request {graph} gunicorn-w{plan.workers}", *medians(round_medians, sides, "request", graph),
                  plan.threshold) for graph in plan.graphs]
        if {"static", "dynamic"} <= set(plan.graphs):  # a ratio inside one run, gated the same way
            found.append(("ratio static ÷ dynamic", *[
                [s / d for s, d in zip(static, dynamic)] for static, dynamic in
                zip(medians(round_medians, sides, "request", "static"), medians(round_medians, sides, "request", "dynamic"))],
                plan.threshold))
        return found

    return rotate_until_decided(streams, plan.request_rounds, plan, figures_of, per_round=plan.requests,
                                warmup_rounds=1, window=True, discard=plan.request_discard)


def burst_figures(sides: list[Side], plan: GatePlan, pools: dict) -> list[PairedSamples]:
    streams = [burst_stream(side, graph, f"{pools[side.name].get(gated(graph, plan.burst_workers)).url}/{graph}",
                            plan.burst_threads)
               for side in sides for graph in plan.graphs]
    return rotate_until_decided(
        streams, plan.burst_rounds, plan,
        lambda round_medians: [(f"burst of {plan.burst_threads} {graph} gunicorn-w{plan.burst_workers}",
                                *medians(round_medians, sides, "burst", graph), plan.coarse_threshold)
                               for graph in plan.graphs],
        per_round=plan.bursts_per_round, warmup_rounds=1, window=True, discard=plan.burst_discard)


def load_figures(sides: list[Side], plan: GatePlan, probes: dict[str, LoadProbe]) -> list[PairedSamples]:
    for side in sides:
        probes[side.name] = LoadProbe(side.root, side.artifacts, TEXTS[0], ROOT_ENV)
    for probe in probes.values():
        probe.wait_ready()

    def collect_everywhere() -> None:
        for probe in probes.values():
            probe.collect()
        paired.collect_young()

    streams = [load_stream(side, graph, probes[side.name]) for side in sides for graph in plan.graphs]
    return rotate_until_decided(
        streams, plan.load_rounds, plan,
        lambda round_medians: [(f"load + first prediction {graph}", *medians(round_medians, sides, "load", graph),
                                plan.coarse_threshold) for graph in plan.graphs],
        warmup_rounds=1, between_rounds=collect_everywhere)


def gated(graph: str, workers: int) -> Case:
    """A gated server: the default server (gunicorn) with `workers` sync workers, as the suite's requests and bursts."""
    return Case(graph, default_server(workers))


def measure_sides(sides: list[Side], plan: GatePlan) -> list[PairedSamples]:
    """Every gated figure of the plan's groups, each side's servers from a pool of its own
    (`bench.harness.server_pool`, the suite's) on its own code. All servers start together;
    servers, clients and probes are stopped, whatever happens, before this returns."""
    pools = {side.name: ServerPool(side.artifacts, project_root=side.root) for side in sides}
    cases = [gated(graph, workers) for graph in plan.graphs
             for group, workers in (("requests", plan.workers), ("bursts", plan.burst_workers)) if group in plan.groups]
    clients: list[SequentialClient] = []
    probes: dict[str, LoadProbe] = {}
    found: list[PairedSamples] = []
    try:
        for pool in pools.values():
            pool.launch(cases)
        for pool in pools.values():
            pool.wait_healthy()
        if "requests" in plan.groups:
            found += request_figures(sides, plan, pools, clients)
        if "bursts" in plan.groups:
            found += burst_figures(sides, plan, pools)
        for pool in pools.values():  # loads are timed on a quiet machine
            pool.stop_all()
        if "loads" in plan.groups:
            found += load_figures(sides, plan, probes)
    except ServerError as error:
        raise GateError(f"a server did not start: {error}") from None
    except ProbeError as error:
        raise GateError(str(error)) from None
    finally:
        for client in clients:
            client.close()
        for probe in probes.values():
            probe.close()
        for pool in pools.values():
            pool.stop_all()
    return found


@contextlib.contextmanager
def checkout(ref: str, repository: Path) -> Iterator[Path]:
    """`ref` checked out in a temporary worktree of `repository`, removed afterwards whatever happens."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}", cwd=repository)
    with tempfile.TemporaryDirectory(prefix="gate-base-") as scratch:
        root = Path(scratch) / "base"
        git("worktree", "add", "--detach", str(root), commit, cwd=repository)
        try:
            yield root
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(root)], cwd=repository, capture_output=True)


def run_gate(base_ref: str, candidate_root: Path, plan: GatePlan) -> list[GateComparison]:
    """Base and candidate, each with its own code and model, measured side by side and compared."""
    cache = candidate_root / ".cache" / "artifacts"
    with checkout(base_ref, candidate_root) as base_root:
        sides = [prepare_side("base", base_root, cache), prepare_side("candidate", candidate_root, cache)]
        # counted first, on a machine no server shares yet
        exact = instruction_comparisons(sides, plan) if "instructions" in plan.groups else []
        figures = measure_sides(sides, plan)
    return exact + [compare(label, base, candidate, plan.confidence, threshold)
                    for label, base, candidate, threshold in figures]


def outcome(found: list[GateComparison], accepted: str | None) -> tuple[int, str]:
    """(exit status, the outcome in words)."""
    verdicts = {c.verdict for c in found}
    if "FAIL" in verdicts:
        slower = ", ".join(f"{c.name} {c.ratio:.3f}" for c in found if c.verdict == "FAIL")
        if accepted:
            return 0, f"ACCEPTED slowdown ({ACCEPT_TRAILER}: {accepted}): {slower}"
        return 1, f"FAIL: slower than the threshold: {slower}"
    if "UNDECIDED" in verdicts:
        return CANNOT_DECIDE, "UNDECIDED: an interval spans the threshold"
    return 0, "PASS: not slower than the threshold"


def write_outputs(args, found: list[GateComparison], status: int, words: str, seconds: float,
                  peak_memory: dict | None = None) -> None:
    if args.json:
        args.json.write_text(json.dumps({"status": status, "outcome": words, "duration_s": round(seconds, 1),
                                         "peak_memory": peak_memory, "comparisons": [c.as_json() for c in found]},
                                        indent=2))
    if args.markdown:
        args.markdown.write_text(markdown(found, words, seconds))


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    defaults = GatePlan()
    parser = argparse.ArgumentParser(prog="python -m bench.gate", description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="git ref of the base (default: the previous commit)")
    parser.add_argument("--candidate", type=Path, default=PROJECT_ROOT, help="checkout to test (default: this one)")
    parser.add_argument("--graph", action="append", help="graph kind(s) to gate (default: static and dynamic)")
    parser.add_argument("--group", action="append", choices=GROUPS,
                        help="what to compare (default: all): instructions per request (callgrind), single requests, "
                             "bursts, load + first prediction")
    parser.add_argument("--threshold", type=float, default=defaults.threshold,
                        help="allowed slowdown of single requests, a fraction (default %(default)s)")
    parser.add_argument("--instructions-threshold", type=float, default=defaults.instructions_threshold,
                        help="allowed growth of instructions per request, a fraction (default %(default)s)")
    parser.add_argument("--extra-budget", type=float, default=defaults.extra_budget_s, metavar="S",
                        help="seconds of extra rounds per wall-clock group while it is undecided (default %(default)s)")
    parser.add_argument("--coarse-threshold", type=float, default=defaults.coarse_threshold,
                        help="allowed slowdown of bursts and loads, whose intervals are wider (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=defaults.request_rounds, help="rounds of single requests")
    parser.add_argument("--requests", type=int, default=defaults.requests, help="requests per side per round")
    parser.add_argument("--burst-rounds", type=int, default=defaults.burst_rounds)
    parser.add_argument("--load-rounds", type=int, default=defaults.load_rounds)
    parser.add_argument("--confidence", type=float, default=defaults.confidence)
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers for single requests")
    parser.add_argument("--json", type=Path, help="write every comparison and the outcome as JSON here")
    parser.add_argument("--markdown", type=Path, help="write a table for a CI job summary here")
    args = parser.parse_args(argv)
    if (min(args.rounds, args.burst_rounds, args.load_rounds) < 3 or args.requests < 1
            or not 0 < args.confidence < 1 or min(args.threshold, args.coarse_threshold) <= 0):
        parser.error("need at least 3 rounds of each, --requests >= 1, 0 < --confidence < 1 and thresholds > 0")
    plan = GatePlan(graphs=tuple(args.graph or defaults.graphs), groups=tuple(args.group or GROUPS),
                    threshold=args.threshold, coarse_threshold=args.coarse_threshold, confidence=args.confidence,
                    request_rounds=args.rounds, requests=args.requests, workers=args.workers, burst_rounds=args.burst_rounds,
                    load_rounds=args.load_rounds, instructions_threshold=args.instructions_threshold,
                    extra_budget_s=args.extra_budget)
    # SIGTERM (a CI runner cancelling the job) takes Ctrl-C's path, so the servers, probes and the
    # base's worktree are stopped and removed by the same `finally` blocks (it left them running).
    signal.signal(signal.SIGTERM, _interrupt)
    started, memory = time.monotonic(), PeakMemory().start()
    found: list[GateComparison] = []
    try:
        found = run_gate(args.base, args.candidate.resolve(), plan)
        for comparison in found:
            print(table(comparison))
        status, words = outcome(found, accepted_reason(args.candidate.resolve()))
    except WrongAnswer as error:  # a wrong answer is never accepted on record
        status, words = (1, f"FAIL: {error}") if error.side == "candidate" else (CANNOT_DECIDE, f"cannot decide: {error}")
    except GateError as error:
        status, words = CANNOT_DECIDE, f"cannot decide: {error}"
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: everything is stopped by now
        memory.stop()
        print(f"gate interrupted ({interrupt or 'Ctrl-C'}): servers, probes and the worktree were stopped", file=sys.stderr)
        return 130
    seconds = time.monotonic() - started
    memory.stop()
    peak = memory.as_json()
    print(f"gate took {seconds:.0f} s; peak memory {peak['machine_used_peak_mb']} MB used on the machine "
          f"({peak['run_peak_mb']} MB more than before the gate)")
    print(words, file=sys.stdout if status == 0 else sys.stderr)
    write_outputs(args, found, status, words, seconds, peak)
    return status


if __name__ == "__main__":
    sys.exit(main())

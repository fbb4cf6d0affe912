"""`python -m bench.gate --base REF`: is the candidate slower than the base? An A/B test in one job.

The base commit is checked out in a temporary git worktree; each side trains (or
reuses) its model and starts its own server; then requests alternate between
the two servers, round after round (which side goes first alternates too), so
both see the same machine at the same moments. The verdict uses the per-round
medians: the median of the paired ratios candidate ÷ base, with a bootstrap
confidence interval.

Exit 0: not slower than the threshold (the interval's top is under it);
exit 1: slower (the interval's bottom is above it), with the table;
exit 2: cannot decide (interval across the threshold, or a side cannot run), saying why.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.load import SequentialClient
from bench.stats import bootstrap_ratio_ci, regression_verdict
from serving.supervisor import PROJECT_ROOT, ROOT_ENV, ServerError, ServerProcess

TEXTS = [
    "the movie was not good", "honestly, the staff was rude, but the room was lovely!", "great pasta",
    "the battery was truly disappointing in the end", "to be fair, this laptop never felt dreadful.",
]
CANNOT_DECIDE = 2


class GateError(Exception):
    """The gate cannot run one side; exit 2 with this message."""


@dataclass
class Side:
    name: str
    root: Path
    server: ServerProcess | None = None
    client: SequentialClient | None = None

    def timed_request(self) -> float:
        started = time.perf_counter()
        self.client.one_request()
        elapsed = time.perf_counter() - started
        text, status, _ = self.client.answers.items.pop()  # checked here, not kept: rounds are long
        if status != 200:
            raise GateError(f"{self.name} answered {status} for {text!r}")
        return elapsed


def git(*args: str, cwd: Path = PROJECT_ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


def artifacts_for(root: Path, cache: Path) -> Path:
    """Train (or reuse) the default model with that checkout's own code."""
    code = "import sys; from sentiment_model.cache import cached_artifacts; print(cached_artifacts(sys.argv[1]))"
    result = subprocess.run([sys.executable, "-c", code, str(cache)], cwd=root, capture_output=True, text=True,
                            env={**ROOT_ENV, "PYTHONPATH": str(root)}, timeout=900)
    if result.returncode != 0:
        raise GateError(f"cannot train the model in {root}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return Path(result.stdout.strip().splitlines()[-1])


def measure(base: Side, candidate: Side, rounds: int, requests: int) -> tuple[list[float], list[float]]:
    """Per-round median latency of each side; requests alternate one by one (who goes first alternates too).

    Alternating single requests, not blocks, makes both sides see the same
    moments of a noisy machine; each round's pair of medians is one paired sample.
    """
    for _ in range(requests):  # untimed warm-up of both
        base.timed_request()
        candidate.timed_request()
    base_medians, candidate_medians = [], []
    for index in range(rounds):
        times = {base.name: [], candidate.name: []}
        for request in range(requests):
            pair = (base, candidate) if (index + request) % 2 == 0 else (candidate, base)
            for side in pair:
                times[side.name].append(side.timed_request())
        base_medians.append(float(np.median(times[base.name])))
        candidate_medians.append(float(np.median(times[candidate.name])))
    return base_medians, candidate_medians


def table(graph: str, base: list[float], candidate: list[float], ratio: float, low: float, high: float,
          confidence: float, threshold: float, verdict: int) -> str:
    words = {0: "PASS: not slower than the threshold", 1: "FAIL: slower than the threshold",
             2: "UNDECIDED: the interval spans the threshold"}
    return "\n".join([
        f"graph {graph}: {len(base)} interleaved rounds, per-round median latency (ms)",
        f"  {'side':<10} {'median':>8} {'min':>8} {'max':>8}",
        *(f"  {name:<10} {np.median(v) * 1e3:8.3f} {min(v) * 1e3:8.3f} {max(v) * 1e3:8.3f}"
          for name, v in (("base", base), ("candidate", candidate))),
        f"  candidate ÷ base = {ratio:.3f}, {confidence:.0%} interval [{low:.3f}, {high:.3f}], threshold {1 + threshold:.2f}",
        f"  {words[verdict]}",
    ])


def run_gate(base_ref: str, candidate_root: Path, graphs: list[str], threshold: float, rounds: int,
             requests: int, confidence: float, workers: int) -> int:
    base_commit = git("rev-parse", "--verify", f"{base_ref}^{{commit}}", cwd=candidate_root)
    cache = candidate_root / ".cache" / "artifacts"
    with tempfile.TemporaryDirectory(prefix="gate-base-") as scratch:
        base_root = Path(scratch) / "base"
        git("worktree", "add", "--detach", str(base_root), base_commit, cwd=candidate_root)
        try:
            verdicts = []
            for graph in graphs:
                base, candidate = Side("base", base_root), Side("candidate", candidate_root)
                try:
                    for side in (base, candidate):
                        side.server = ServerProcess(graph, artifacts_for(side.root, cache), workers=workers,
                                                    project_root=side.root).start()
                    for side in (base, candidate):
                        side.server.wait_healthy()
                        side.client = SequentialClient(f"{side.server.url}/{graph}", TEXTS)
                    base_medians, candidate_medians = measure(base, candidate, rounds, requests)
                except ServerError as error:
                    raise GateError(f"a server did not start: {str(error).splitlines()[0]}") from None
                finally:
                    for side in (base, candidate):
                        if side.client:
                            side.client.close()
                        if side.server:
                            side.server.stop()
                ratio, low, high = bootstrap_ratio_ci(base_medians, candidate_medians, confidence)
                verdict = regression_verdict(low, high, threshold)
                print(table(graph, base_medians, candidate_medians, ratio, low, high, confidence, threshold, verdict))
                verdicts.append(verdict)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_root)], cwd=candidate_root,
                           capture_output=True)
    return 1 if 1 in verdicts else (CANNOT_DECIDE if CANNOT_DECIDE in verdicts else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gate", description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="git ref of the base (default: the previous commit)")
    parser.add_argument("--candidate", type=Path, default=PROJECT_ROOT, help="checkout to test (default: this one)")
    parser.add_argument("--graph", action="append", help="graph kind(s) to gate (default: static and dynamic)")
    parser.add_argument("--threshold", type=float, default=0.10, help="allowed slowdown (default 0.10 = 10%%)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="requests per side per round")
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.rounds < 3 or args.requests < 1 or not 0 < args.confidence < 1 or args.threshold <= 0:
        parser.error("need --rounds >= 3, --requests >= 1, 0 < --confidence < 1 and --threshold > 0")
    try:
        return run_gate(args.base, args.candidate.resolve(), args.graph or ["static", "dynamic"], args.threshold,
                        args.rounds, args.requests, args.confidence, args.workers)
    except GateError as error:
        print(f"cannot decide: {error}", file=sys.stderr)
        return CANNOT_DECIDE


if __name__ == "__main__":
    sys.exit(main())

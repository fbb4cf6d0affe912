"""`python -m bench.gate --base REF`: is the candidate slower than the base? An A/B test in one job.

The base commit is checked out in a temporary git worktree; each side trains (or
reuses) its model and starts a server per graph kind; then single requests
rotate through all servers, round after round, so all see the same machine at
the same moments. The verdict uses the per-round medians: the median of the
paired ratios candidate ÷ base, with a bootstrap confidence interval. With both
static and dynamic gated, their ratio (static ÷ dynamic) is gated the same way.

Exit 0: not slower than the threshold (the interval's top is under it);
exit 1: slower (the interval's bottom is above it), with the table;
exit 2: cannot decide (interval across the threshold, or a side cannot run), saying why.
Every timed answer is judged (status, label and probability against that side's
own model in-process): a wrong answer from the candidate is exit 1, from the base exit 2.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import paired
from bench.load import SequentialClient
from bench.oracle import AnswerJudge
from bench.paired import rotate
from bench.stats import bootstrap_ratio_ci, regression_verdict
from serving.supervisor import PROJECT_ROOT, ROOT_ENV, ServerError, ServerProcess

TEXTS = [
    "the movie was not good", "honestly, the staff was rude, but the room was lovely!", "great pasta",
    "the battery was truly disappointing in the end", "to be fair, this laptop never felt dreadful.",
]
CANNOT_DECIDE = 2


class GateError(Exception):
    """The gate cannot run one side; exit 2 with this message."""


class WrongAnswer(GateError):
    """A side's server answered wrongly: the candidate fails (exit 1), a broken base cannot be compared."""

    def __init__(self, side: str, message: str):
        super().__init__(message)
        self.side = side


@dataclass
class Stream:
    """One side (base or candidate) serving one graph kind."""

    side: str
    graph: str
    server: ServerProcess
    judge: AnswerJudge
    client: SequentialClient | None = None

    def timed_request(self) -> float:
        self.client.connect()  # untimed, as in the suite: a request is timed from its first byte
        started = time.perf_counter()
        self.client.one_request()
        elapsed = time.perf_counter() - started
        answer = self.client.answers.items.pop()  # judged here, not kept: rounds are long
        if (fault := self.judge(*answer)) is not None:
            raise WrongAnswer(self.side, f"{self.side} {self.graph} answered wrongly: {fault}")
        return elapsed


def git(*args: str, cwd: Path = PROJECT_ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


def artifacts_for(root: Path, cache: Path) -> tuple[Path, dict[str, float]]:
    """Train (or reuse) the default model with that checkout's own code, and the P(POSITIVE)
    its static graph gives each gate text in-process: what that side's servers must answer."""
    code = ("import json, sys; from sentiment_model.cache import cached_artifacts; "
            "from sentiment_model.artifacts import load_artifacts; from serving import graphs; "
            "folder = cached_artifacts(sys.argv[1]); texts = json.loads(sys.argv[2]); a = load_artifacts(folder); "
            "p = graphs.load('static', a)(a.vocabulary.encode_batch(texts))[:, 1].tolist(); "
            "print(json.dumps({'artifacts': str(folder), 'expected': dict(zip(texts, p))}))")
    result = subprocess.run([sys.executable, "-c", code, str(cache), json.dumps(TEXTS)], cwd=root,
                            capture_output=True, text=True, env={**ROOT_ENV, "PYTHONPATH": str(root)}, timeout=900)
    if result.returncode != 0:
        raise GateError(f"cannot train the model in {root}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return Path(found["artifacts"]), found["expected"]


def measure(streams: list[Stream], rounds: int, requests: int) -> dict[tuple[str, str], list[float]]:
    """Per-round median latency of every stream: single requests rotate through all streams
    (bench.paired), after one untimed warm-up round."""
    rotation = rotate([paired.Stream(f"{s.side} {s.graph}", s.timed_request) for s in streams],
                      rounds, per_round=requests, warmup_rounds=1)
    return {(s.side, s.graph): rotation.round_medians[f"{s.side} {s.graph}"] for s in streams}


def table(label: str, base: list[float], candidate: list[float], ratio: float, low: float, high: float,
          confidence: float, threshold: float, verdict: int) -> str:
    scale = 1.0 if "ratio" in label else 1e3
    words = {0: "PASS: not slower than the threshold", 1: "FAIL: slower than the threshold",
             2: "UNDECIDED: the interval spans the threshold"}
    return "\n".join([
        f"{label}: {len(base)} interleaved rounds, per-round medians{' (ms)' if 'ratio' not in label else ''}",
        f"  {'side':<10} {'median':>8} {'min':>8} {'max':>8}",
        *(f"  {name:<10} {np.median(v) * scale:8.3f} {min(v) * scale:8.3f} {max(v) * scale:8.3f}"
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
        streams: list[Stream] = []
        try:
            for side, root in (("base", base_root), ("candidate", candidate_root)):
                artifacts, expected = artifacts_for(root, cache)
                for graph in graphs:
                    server = ServerProcess(graph, artifacts, workers=workers, project_root=root)
                    streams.append(Stream(side, graph, server, AnswerJudge(graph, expected)))
                    server.start()
            for stream in streams:
                stream.server.wait_healthy()
                stream.client = SequentialClient(f"{stream.server.url}/{stream.graph}", TEXTS)
            medians = measure(streams, rounds, requests)
        except ServerError as error:
            raise GateError(f"a server did not start: {error}") from None
        finally:
            for stream in streams:
                if stream.client:
                    stream.client.close()
                stream.server.terminate()
            for stream in streams:
                stream.server.stop()
            subprocess.run(["git", "worktree", "remove", "--force", str(base_root)], cwd=candidate_root,
                           capture_output=True)
    comparisons = [(f"graph {g}", medians[("base", g)], medians[("candidate", g)]) for g in graphs]
    if "static" in graphs and "dynamic" in graphs:  # a ratio inside one run, gated the same way
        comparisons.append(("ratio static ÷ dynamic", *[
            [s / d for s, d in zip(medians[(side, "static")], medians[(side, "dynamic")])]
            for side in ("base", "candidate")]))
    verdicts = []
    for label, base, candidate in comparisons:
        ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
        verdicts.append(regression_verdict(low, high, threshold))
        print(table(label, base, candidate, ratio, low, high, confidence, threshold, verdicts[-1]))
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
    except WrongAnswer as error:
        if error.side == "candidate":
            print(f"FAIL: {error}", file=sys.stderr)
            return 1
        print(f"cannot decide: {error}", file=sys.stderr)
        return CANNOT_DECIDE
    except GateError as error:
        print(f"cannot decide: {error}", file=sys.stderr)
        return CANNOT_DECIDE


if __name__ == "__main__":
    sys.exit(main())

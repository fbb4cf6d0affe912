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
An intended slowdown is accepted on record: a `Perf-Accepted: <reason>` trailer in the
candidate's commit message turns a FAIL into exit 0, printing the reason and the ratio.
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
from dataclasses import asdict, dataclass
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
VERDICT_WORDS = {0: "PASS", 1: "FAIL", 2: "UNDECIDED"}
ACCEPT_TRAILER = "Perf-Accepted"


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


@dataclass
class GateComparison:
    """One gated figure, candidate ÷ base: the suite's `comparisons` fields, plus the verdict."""

    name: str
    numerator: str
    denominator: str
    ratio: float
    low: float
    high: float
    confidence: float
    threshold: float
    verdict: str  # PASS, FAIL or UNDECIDED
    base_median: float
    candidate_median: float
    rounds: int

    @property
    def smallest_detectable_slowdown(self) -> float:
        """The smallest slowdown this run would have FAILed: the threshold plus the interval's
        lower half-width (a true ratio r gives an interval bottom near r minus that width)."""
        return self.threshold + (self.ratio - self.low)

    def as_json(self) -> dict:
        return {**asdict(self), "smallest_detectable_slowdown": round(self.smallest_detectable_slowdown, 5)}


def compare(label: str, base: list[float], candidate: list[float], confidence: float,
            threshold: float) -> GateComparison:
    ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
    return GateComparison(
        name=label, numerator="candidate", denominator="base", ratio=round(ratio, 5), low=round(low, 5),
        high=round(high, 5), confidence=confidence, threshold=threshold,
        verdict=VERDICT_WORDS[regression_verdict(low, high, threshold)], base_median=float(np.median(base)),
        candidate_median=float(np.median(candidate)), rounds=len(base))


def table(found: GateComparison) -> str:
    unit, scale = ("", 1.0) if found.name.startswith("ratio") else (" ms", 1e3)
    words = {"PASS": "PASS: not slower than the threshold", "FAIL": "FAIL: slower than the threshold",
             "UNDECIDED": "UNDECIDED: the interval spans the threshold"}
    return "\n".join([
        f"{found.name}: {found.rounds} interleaved rounds, median of per-round medians: base "
        f"{found.base_median * scale:.3f}{unit}, candidate {found.candidate_median * scale:.3f}{unit}",
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


def run_gate(base_ref: str, candidate_root: Path, graphs: list[str], threshold: float, rounds: int,
             requests: int, confidence: float, workers: int) -> list[GateComparison]:
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
    comparisons = [(f"request {g} gunicorn-w{workers}", medians[("base", g)], medians[("candidate", g)]) for g in graphs]
    if "static" in graphs and "dynamic" in graphs:  # a ratio inside one run, gated the same way
        comparisons.append(("ratio static ÷ dynamic", *[
            [s / d for s, d in zip(medians[(side, "static")], medians[(side, "dynamic")])]
            for side in ("base", "candidate")]))
    return [compare(label, base, candidate, confidence, threshold) for label, base, candidate in comparisons]


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


def write_outputs(args, found: list[GateComparison], status: int, words: str, seconds: float) -> None:
    if args.json:
        args.json.write_text(json.dumps({"status": status, "outcome": words, "duration_s": round(seconds, 1),
                                         "comparisons": [c.as_json() for c in found]}, indent=2))
    if args.markdown:
        args.markdown.write_text(markdown(found, words, seconds))


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
    parser.add_argument("--json", type=Path, help="write every comparison and the outcome as JSON here")
    parser.add_argument("--markdown", type=Path, help="write a table for a CI job summary here")
    args = parser.parse_args(argv)
    if args.rounds < 3 or args.requests < 1 or not 0 < args.confidence < 1 or args.threshold <= 0:
        parser.error("need --rounds >= 3, --requests >= 1, 0 < --confidence < 1 and --threshold > 0")
    started = time.monotonic()
    found: list[GateComparison] = []
    try:
        found = run_gate(args.base, args.candidate.resolve(), args.graph or ["static", "dynamic"], args.threshold,
                         args.rounds, args.requests, args.confidence, args.workers)
        for comparison in found:
            print(table(comparison))
        status, words = outcome(found, accepted_reason(args.candidate.resolve()))
    except WrongAnswer as error:  # a wrong answer is never accepted on record
        status, words = (1, f"FAIL: {error}") if error.side == "candidate" else (CANNOT_DECIDE, f"cannot decide: {error}")
    except GateError as error:
        status, words = CANNOT_DECIDE, f"cannot decide: {error}"
    seconds = time.monotonic() - started
    print(f"{words} (gate took {seconds:.0f} s)", file=sys.stdout if status == 0 else sys.stderr)
    write_outputs(args, found, status, words, seconds)
    return status


if __name__ == "__main__":
    sys.exit(main())

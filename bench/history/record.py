"""Counting a commit: its own code checked out in a worktree (the gate's `checkout`), its model
trained or reused from the cache (`prepare_side`: the cache is keyed by the model's code, so a
commit that did not touch it reuses the model), instructions per request counted for each kind,
every answer judged against that commit's own model. Saved runs of `.benchmarks/` are taken in by
the commit each names."""
from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.harness import instructions
from bench.harness.callgrind_profile import per_request
from bench.harness.checkouts import CheckoutError, checkout, git, prepare_side
from bench.harness.supervisor import ROOT_ENV
from bench.history.store import Record, Store
from bench.method.oracle import AnswerJudge

UNIT = "instructions per request"


class HistoryError(Exception):
    """Bad input (a range that is not one, an empty store): one line, exit 2."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # the committer's, ISO 8601
    subject: str


def series_name(graph: str) -> str:
    return f"instructions {graph}"


def commits_of(specs: list[str], repository: Path) -> list[Commit]:
    """The commits of `A..B` ranges (oldest first) or of single refs, in the order given."""
    shas: list[str] = []
    for spec in specs:
        try:
            if ".." in spec:
                shas += git("rev-list", "--reverse", spec, cwd=repository).split()
            else:
                shas.append(git("rev-parse", "--verify", f"{spec}^{{commit}}", cwd=repository))
        except CheckoutError:
            raise HistoryError(f"{spec!r} is not a commit or a range of commits (e.g. HEAD~20..HEAD) here") from None
    if not shas:
        raise HistoryError(f"{' '.join(specs)}: no commits in that range")
    return [describe(sha, repository) for sha in dict.fromkeys(shas)]


def describe(sha: str, repository: Path) -> Commit:
    full, date, subject = git("show", "-s", "--format=%H%x00%cI%x00%s", sha, cwd=repository).split("\x00", 2)
    return Commit(full, date, subject)


def environment() -> dict:
    """Where a count was made: counts compare only within one environment."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").is_file() else "?"
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    return {"machine": platform.node(), "cpu": cpu, "python": platform.python_version(), "valgrind": valgrind,
            "counting": "all threads, TensorFlow's single-threaded executor, jemalloc (bench.harness.instructions)"}


def kinds_of(root: Path) -> list[str]:
    """The graph kinds the commit's own serving registry has."""
    result = subprocess.run([sys.executable, "-c", "import json; from serving.graphs import KINDS; print(json.dumps(list(KINDS)))"],
                            cwd=root, capture_output=True, text=True, env={**ROOT_ENV, "PYTHONPATH": str(root)})
    return json.loads(result.stdout) if result.returncode == 0 else []


def count_commit(commit: Commit, graphs: list[str], repository: Path, store: Store, texts: list[str]) -> list[Record]:
    """Records of `graphs` for `commit` (a failure is a record saying why, not an exception), its
    profiles saved in `store`."""
    env = environment()

    def record(graph: str, value: float | None, status: str = "ok") -> Record:
        return Record(series_name(graph), commit.sha, commit.date, commit.subject, value, UNIT, status, environment=env)

    with checkout(commit.sha, repository) as root:
        try:
            side = prepare_side(commit.sha[:8], root, repository / ".cache" / "artifacts", texts)
        except CheckoutError as error:
            return [record(graph, None, f"does not build: {error}") for graph in graphs]
        known = kinds_of(root)
        found = [record(graph, None, "no such kind in this commit") for graph in graphs if graph not in known]
        countable = [graph for graph in graphs if graph in known]
        try:
            counts = instructions.count_all([(root, side.artifacts, graph) for graph in countable], texts)
        except instructions.CountError as error:
            return found + [record(graph, None, f"not counted: {error}") for graph in countable]
        for count in counts:
            judge = AnswerJudge(count.graph, side.expected)
            wrong = [fault for text, status, body in count.answers if (fault := judge(text, status, body.encode()))]
            if wrong:
                found.append(record(count.graph, None, f"wrong answers: {wrong[0]}"))
                continue
            store.save_profile(commit.sha, count.graph, {"functions": per_request(count.functions, count.calls),
                                                         "python_calls": per_request(count.python_calls, count.calls)})
            found.append(record(count.graph, count.per_request))
        return found


def saved_runs(folder: Path, store: Store, repository: Path) -> list[Record]:
    """The suite's answers (paired ratios of times, with their intervals) from the runs saved under
    `folder`, by the commit each names; runs already taken in are skipped."""
    found, taken = [], store.sources()
    for path in sorted(folder.rglob("*.json")):
        if store.folder in path.parents or path.name in taken:
            continue
        try:
            run = json.loads(path.read_text())
            sha = run["commit_info"]["id"]
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # not a saved run
        try:
            commit = describe(sha, repository)
        except CheckoutError:  # a run of a commit this clone does not have
            commit = Commit(sha, run["commit_info"].get("time", run.get("datetime", "")), "(not in this clone)")
        for comparison in run.get("comparisons", []):
            series = f"answer: {comparison['name']}"
            if comparison.get("measure") == "time":
                found.append(Record(series, sha, commit.date, commit.subject, comparison["ratio"], "ratio", "ok",
                                    path.name, comparison["low"], comparison["high"],
                                    {"machine": run.get("machine_info", {}).get("node", "?")}))
    return found

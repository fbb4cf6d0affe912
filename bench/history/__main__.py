"""python -m bench.history record RANGE... | report | bisect GOOD BAD (see bench/history/__init__.py)."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import instructions
from bench.harness.instructions import missing_tools
from bench.harness.supervisor import PROJECT_ROOT
from bench.history import page, steps
from bench.history.bisect import bisect
from bench.history.record import HistoryError, commits_of, count_commit, saved_runs, series_name
from bench.history.store import DEFAULT, Store, StoreError
from bench.method.subject import request_texts

DEFAULT_GRAPHS = ("static", "onnx")


def threshold(text: str) -> float:
    """"1%" or "0.01" -> 0.01."""
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a threshold: {text!r} (e.g. 1% or 0.01)") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a threshold between 0 and 100 %, not {text!r}")
    return value


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record", help="count each commit of a range; take the saved runs in")
    record.add_argument("range", nargs="+", help="a git range (HEAD~20..HEAD) or commits")
    record.add_argument("--graph", dest="graphs", action="append", help=f"kinds to count (default: {', '.join(DEFAULT_GRAPHS)})")
    record.add_argument("--benchmarks", type=Path, default=PROJECT_ROOT / ".benchmarks",
                        help="saved runs to take in (default: %(default)s)")
    report = commands.add_parser("report", help="steps per series, with their commits; HTML page and markdown")
    report.add_argument("--out", type=Path, required=True, help="folder for index.html, summary.md and the plots")
    search = commands.add_parser("bisect", help="the first commit whose count exceeds GOOD's by the threshold")
    search.add_argument("good")
    search.add_argument("bad")
    search.add_argument("--graph", default="static", help="the kind to count (default: %(default)s)")
    search.add_argument("--threshold", type=threshold, default=0.01, help="e.g. 1%% (default) or 0.005")
    for command in (record, report, search):
        command.add_argument("--store", type=Path, default=PROJECT_ROOT / DEFAULT, help="the history store (default: %(default)s)")
    return parser.parse_args(argv)


def run_record(args, store: Store) -> int:
    commits = commits_of(args.range, PROJECT_ROOT)
    graphs = args.graphs or list(DEFAULT_GRAPHS)
    texts = request_texts()[:instructions.CALLS]
    for commit in commits:
        todo = [graph for graph in graphs if not store.has(series_name(graph), commit.sha)]
        if not todo:
            print(f"{commit.sha[:8]} already recorded: {commit.subject}")
            continue
        started = time.monotonic()
        records = count_commit(commit, todo, PROJECT_ROOT, store, texts)
        store.add(records)
        print(f"{commit.sha[:8]} {time.monotonic() - started:.0f} s: " + "; ".join(
            f"{r.series} {r.value:,.1f}" if r.ok else f"{r.series}: {r.status}" for r in records) + f"  {commit.subject}")
    taken = saved_runs(args.benchmarks, store, PROJECT_ROOT) if args.benchmarks.is_dir() else []
    store.add(taken)
    print(f"{len(taken)} figures taken in from the saved runs in {args.benchmarks}")
    return 0


def run_report(args, store: Store) -> int:
    all_series = steps.series(store.require_records())
    found = {name: steps.find_steps(points) for name, points in all_series.items()}
    remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    _, summary = page.write(args.out, all_series, found, store, remote.stdout.strip() or None)
    print(summary)
    print(f"wrote {args.out / 'index.html'} and {args.out / 'summary.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    store = Store(args.store)
    try:
        if args.command != "report" and (reason := missing_tools()):
            raise HistoryError(f"cannot count instructions: {reason}")
        if args.command == "record":
            return run_record(args, store)
        if args.command == "report":
            return run_report(args, store)
        found = bisect(args.good, args.bad, args.graph, args.threshold, PROJECT_ROOT, store,
                       request_texts()[:instructions.CALLS])
        return 0 if found else 1
    except (HistoryError, StoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

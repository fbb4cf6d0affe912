"""The first commit between GOOD and BAD whose count exceeds GOOD's by more than a threshold: a
binary search over the commits of GOOD..BAD (like `git bisect run`), reusing any count the store
holds, in at most ⌈log2 N⌉ + 1 counts (GOOD's, and one per halving; BAD is assumed over the
threshold and counted only when the search ends on it)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.history.record import Commit, HistoryError, commits_of, count_commit, series_name
from bench.history.store import Store


def bisect(good: str, bad: str, graph: str, threshold: float, repository: Path, store: Store, texts: list[str],
           say: Callable[[str], None] = print) -> Commit | None:
    """The first commit over the threshold, or None when BAD is not over it."""
    base = commits_of([good], repository)[0]
    between = commits_of([f"{good}..{bad}"], repository)
    counted: dict[str, float] = {}
    made = []  # the commits counted here (the rest came from the store)

    def count(commit: Commit) -> float:
        value = store.value(series_name(graph), commit.sha)
        source = "from the store"
        if value is None:
            records = count_commit(commit, [graph], repository, store, texts)
            store.add(records)
            if not records[0].ok:
                raise HistoryError(f"{commit.sha[:8]} cannot be counted: {records[0].status}")
            value, source = records[0].value, "counted"
            made.append(commit.sha)
        counted[commit.sha] = value
        ratio = value / counted[base.sha] if base.sha in counted else 1.0
        say(f"{commit.sha[:8]} {value:,.1f} instructions a request ({ratio:.5f} × {good}'s; {source}) {commit.subject}")
        return value

    limit = count(base) * (1 + threshold)
    low, high = 0, len(between) - 1
    while low < high:
        middle = (low + high) // 2
        if count(between[middle]) > limit:
            high = middle
        else:
            low = middle + 1
    if between[low].sha not in counted and count(between[low]) <= limit:
        say(f"{bad} is not over {good}'s count by more than {threshold:.1%}")
        return None
    say(f"first over the threshold: {between[low].sha[:8]} {between[low].subject} ({len(counted)} of "
        f"{len(between)} commits looked at, {len(made)} counted here)")
    return between[low]

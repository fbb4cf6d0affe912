"""Where a series steps: change points found by ruptures' PELT on the logarithm of the values, kept
only where the step is beyond the series' noise.

Why ruptures and not Otava's E-Divisive: E-Divisive is built for noisy wall-clock series and judges
a split by a permutation test, which cannot call a step significant with one or two points on a
side, the case of a count that steps at the last commits. Counts here repeat to 0.01 %; what a step
needs is a stated noise floor. PELT (an exact search, with a penalty per change point) proposes
the splits; a split is kept when the medians on either side differ by more than the floor
(instructions: 0.1 %) and, for figures with intervals (wall-clock ratios), when the intervals of
the points on either side of it do not overlap."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ruptures

from bench.history.store import Record

COUNT_NOISE = 0.001  # instructions per request repeat to 0.01 % here; a step smaller than 0.1 % is not one


@dataclass(frozen=True)
class Step:
    series: str
    index: int  # of the first point after the step, in the series' points
    commit: str  # the first commit after the step: the culprit
    previous: str  # the last commit before it
    subject: str
    before: float  # the median of the segment before
    after: float

    @property
    def size(self) -> float:
        return self.after / self.before - 1


def find_steps(points: list[Record], noise: float = COUNT_NOISE) -> list[Step]:
    """The steps of one series' points (oldest first, counted ones only). For figures with
    intervals the noise is the larger of `noise` and the intervals' median half-width."""
    values = np.log([point.value for point in points])
    if len(values) < 2:
        return []
    widths = [(p.high - p.low) / 2 / p.value for p in points if p.low is not None and p.high is not None]
    noise = max([noise, float(np.median(widths))] if widths else [noise])
    # the penalty: a split between two single points pays off when they differ by more than the noise
    ends = ruptures.Pelt(model="l2", min_size=1, jump=1).fit(values.reshape(-1, 1)).predict(pen=noise ** 2 / 2)
    bounds = [0, *ends]
    found = []
    for start, split, end in zip(bounds, bounds[1:], bounds[2:]):
        before = float(np.median([p.value for p in points[start:split]]))
        after = float(np.median([p.value for p in points[split:end]]))
        if abs(after / before - 1) <= noise or _intervals_overlap(points[split - 1], points[split]):
            continue
        found.append(Step(points[split].series, split, points[split].commit, points[split - 1].commit,
                          points[split].subject, before, after))
    return found


def _intervals_overlap(left: Record, right: Record) -> bool:
    if None in (left.low, left.high, right.low, right.high):
        return False  # a count: no interval
    return left.low <= right.high and right.low <= left.high


def series(records: list[Record]) -> dict[str, list[Record]]:
    """series -> its counted points in commit order (the order they were recorded, oldest commit
    first as `record` walks a range), one per commit (the latest record of a commit)."""
    found: dict[str, dict[str, Record]] = {}
    for record in records:
        if record.ok:
            found.setdefault(record.series, {}).pop(record.commit, None)
            found[record.series][record.commit] = record
    return {name: sorted(points.values(), key=lambda r: r.date) for name, points in found.items()}

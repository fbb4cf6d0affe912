"""Each case on more than one process, and the launch floor their spread measures.

Two launches of the same code keep their own speed: identical servers here read 0.962 [0.946,
0.975] of each other on one no-op gate, an in-process worker launched slow moved one answer from
2.09 to 3.35 between two runs. Rounds on one process cannot see that offset; the next run's
launch draws another. So a case is measured on `LAUNCHES` processes (servers, or in-process
workers), all streams of one rotation, its round value the geometric mean of its processes' round
medians (`merged`), and every ratio's interval also holds the spread between launches
(`Rotation.compare`): the floor, measured in the run itself, A/A, from the offset between a case's
own processes (`launch_variances`).

The model: a process's log time = the case's + a launch offset (variance σ²) + round noise. Two
processes of one case differ by d with E[d²] = 2σ²; their geometric mean carries σ²/2 of launch
variance; a ratio of two cases carries the sum of both. σ² is pooled over the rotation's cases
(their mean d² / 2): one case's offset alone is one draw, far too noisy to be its floor.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bench.method.cases import Case, ServerConfig
from bench.method.paired import Rotation

LAUNCHES = 2  # processes per case, in a full run and in the gate


class Launch(NamedTuple):
    """One of a case's processes: named "static-gunicorn-w1" for the first, "static-gunicorn-w1#2"
    for the second (its server's key in the pool, its stream's name in the rotation)."""

    case: Case
    replica: int = 1

    @property
    def graph(self) -> str:
        return self.case.graph

    @property
    def config(self) -> ServerConfig:
        return self.case.config

    def __str__(self) -> str:
        return str(self.case) if self.replica == 1 else f"{self.case}#{self.replica}"


def launches_of(cases: list, count: int) -> list:
    """Every case's `count` processes, a case's together; with one, the cases as they are."""
    if count == 1:
        return list(cases)
    return [Launch(case, replica) for case in cases for replica in range(1, count + 1)]


def of_case(case, processes: list) -> list:
    """The processes (`launches_of`) of `case`."""
    return [process for process in processes if str(process) == str(case) or str(process).startswith(f"{case}#")]


def geometric_mean_rounds(per_process: list[list[float]]) -> list[float]:
    """Round by round, the geometric mean over a case's processes."""
    return [float(np.exp(np.mean(np.log(values)))) for values in zip(*per_process)]


def offset(first: list[float], second: list[float]) -> float:
    """The A/A log offset between two processes of one case: the median of their per-round log ratios."""
    return float(np.median(np.log(np.asarray(second, dtype=float) / np.asarray(first, dtype=float))))


def launch_variances(offsets: dict[str, float]) -> dict[str, float]:
    """Per case, the launch variance (log scale) its geometric mean over two processes carries:
    σ² pooled over the cases measured together (the mean of their d² / 2), halved (the mean of two).
    Pooled, not each case's own: one offset is one draw (a χ² of one degree), far too noisy alone;
    a slow launch raises the pool, so it widens every answer of its question."""
    if not offsets:
        return {}
    pooled = float(np.mean([d * d for d in offsets.values()])) / 2
    return {name: pooled / 2 for name in offsets}


def merged(rotation: Rotation, cases: list) -> Rotation:
    """The rotation of `cases`' processes as one per case (keyed `str(case)`): every process's
    samples, round by round the geometric mean of its processes' medians, and each case's launch
    variance from the A/A offset between its first two processes."""
    samples, medians, offsets = {}, {}, {}
    for case in cases:
        names = of_case(case, list(rotation.round_medians))
        samples[str(case)] = [value for name in names for value in rotation.samples[name]]
        medians[str(case)] = geometric_mean_rounds([rotation.round_medians[name] for name in names])
        if len(names) > 1:
            offsets[str(case)] = offset(rotation.round_medians[names[0]], rotation.round_medians[names[1]])
    return Rotation(samples, medians, rotation.duration_s, launch_variances(offsets), len(offsets))


def firsts(by_process: dict, cases: list) -> dict:
    """What each case's first process says (its server's set-up, its memory), keyed by case."""
    return {str(case): by_process[str(case)] for case in cases if str(case) in by_process}

"""Each case on more than one process, and the launch floor their spread measures.

Two launches of the same code keep their own speed: identical servers here read 0.962 [0.946,
0.975] of each other on one no-op gate, an in-process worker launched slow moved one answer from
2.09 to 3.35 between two runs. Rounds on one process cannot see that offset; the next run's
launch draws another. So a case is measured on `LAUNCHES` processes (servers, or in-process
workers), all streams of one rotation, its round value the geometric mean of its processes' round
medians (`merged`), and every ratio's interval also holds the spread between launches
(`Rotation.compare`): the floor, measured in the run itself, A/A, from the offset between a case's
own processes (`launch_variances`).

The model: a process's log time = the case's + a launch offset (variance σ²) + round noise. The
spread of a case's k processes estimates σ² with k − 1 degrees of freedom (two processes d apart:
d² / 2); their geometric mean carries σ²/k of launch variance; a ratio of two cases the sum of
both. σ² is pooled over the cases measured together (`pooled`), and intervals take Student's t for
its degrees of freedom. Measured here: four gunicorn servers of one kind sat 0.909-1.000 of each
other (σ ≈ 3.5 % a launch), where one server's rounds hold its median within ±1 %.
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


Spread = tuple[float, int]  # (the sample variance of a case's processes' log offsets, its degrees of freedom)


def spread(per_process: list[list[float]]) -> Spread:
    """How far a case's processes sit apart (each one's per-round medians): the sample variance of
    their log offsets from the first, with k − 1 degrees of freedom for k processes (two: d² / 2)."""
    offsets = [offset(per_process[0], process) for process in per_process]
    return float(np.var(offsets, ddof=1)), len(per_process) - 1


def pooled(spreads: list[Spread]) -> Spread:
    """σ² of one launch, pooled over cases measured together (weighted by their degrees of freedom), and
    its degrees of freedom. Pooled, not each case's own: one case's two processes are one draw (a χ²
    of one degree), far too noisy alone; a slow launch raises the pool, widening every answer of
    its question."""
    df = sum(degrees for _, degrees in spreads)
    return (sum(variance * degrees for variance, degrees in spreads) / df, df) if df else (0.0, 0)


def merged(rotation: Rotation, cases: list) -> Rotation:
    """The rotation of `cases`' processes as one per case (keyed `str(case)`): every process's
    samples, round by round the geometric mean of its processes' medians, and each case's launch
    variance, σ² pooled over the cases' spreads ÷ its number of processes."""
    samples, medians, spreads, counts = {}, {}, [], {}
    for case in cases:
        names = of_case(case, list(rotation.round_medians))
        samples[str(case)] = [value for name in names for value in rotation.samples[name]]
        medians[str(case)] = geometric_mean_rounds([rotation.round_medians[name] for name in names])
        if len(names) > 1:
            spreads.append(spread([rotation.round_medians[name] for name in names]))
            counts[str(case)] = len(names)
    variance, df = pooled(spreads)
    return Rotation(samples, medians, rotation.duration_s, {name: variance / k for name, k in counts.items()}, df)


def firsts(by_process: dict, cases: list) -> dict:
    """What each case's first process says (its server's set-up, its memory), keyed by case."""
    return {str(case): by_process[str(case)] for case in cases if str(case) in by_process}

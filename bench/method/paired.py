"""Paired, interleaved measurement: the method of the whole suite and of the gate.

Streams (a graph kind on one server set-up, or the base and the candidate of a
change) take turns in an order that rotates, so a noisy moment of a shared machine
hits every stream alike: window by window for requests and bursts (a few back to
back, the steady state a user's load generator sees), unit by unit for loads and
launches (events of their own). A round gives every stream the median of its units; the ratio of two
streams is the median of their per-round ratios, with a bootstrap percentile
interval over the rounds (`bench.method.stats.bootstrap_ratio_ci`).

Measured back to back in blocks, the same figure moved by a median 19 % (up to
2x) between two runs of one commit; rotated, the gate's ratios held within ±1.5 %.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bench.method.stats import bootstrap_ratio_ci, widened
from bench.results.comparison import Comparison

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Stream:
    """One thing to measure: `run()` does one unit of work and returns its timed seconds
    (whatever set-up the unit needs, e.g. opening a connection, it does untimed)."""

    name: str
    run: Callable[[], float]


@dataclass(frozen=True)
class Rotation:
    """What a rotation measured: every unit's seconds in time order, and per-round medians."""

    samples: dict[str, list[float]]
    round_medians: dict[str, list[float]]
    duration_s: float = 0.0  # wall clock of the timed rounds: how long every stream's samples span
    # per stream measured on several processes, the launch variance its round medians carry (log scale,
    # bench.method.launches): added to every interval it is part of
    launch_variance: dict[str, float] = field(default_factory=dict)
    launch_offsets: int = 0  # how many A/A offsets the launch variance was pooled from (its degrees of freedom)

    @property
    def rounds(self) -> int:
        return len(next(iter(self.round_medians.values()), []))

    def then(self, more: Rotation) -> Rotation:
        """This rotation's rounds followed by `more`'s (more rounds of the same streams)."""
        return Rotation({name: values + more.samples[name] for name, values in self.samples.items()},
                        {name: values + more.round_medians[name] for name, values in self.round_medians.items()},
                        self.duration_s + more.duration_s, self.launch_variance, self.launch_offsets)

    def relative_medians(self, name: str) -> list[float]:
        """The stream's per-round medians with the machine's drift taken out: each divided by its
        round's level, the median over all streams of their round median relative to their own
        median (a median, so that one noisy stream cannot set the level). A slower moment of the
        machine moves a whole round alike and leaves these as they are; a stream that disagrees
        with itself from round to round does not."""
        table = np.asarray([self.round_medians[stream] for stream in self.round_medians], dtype=float)
        levels = np.median(table / np.median(table, axis=1, keepdims=True), axis=0)
        return list(np.asarray(self.round_medians[name], dtype=float) / levels)

    def compare(self, name: str, numerator: str, denominator: str,
                confidence: float = CONFIDENCE) -> Comparison:
        """numerator ÷ denominator (of times: below 1, the numerator is faster), paired by round. Too few
        rounds for `confidence` (the lowest and highest of n ratios hold their median with probability
        1 - 2 / 2^n: 75 % for 3 rounds, where a bootstrap's "95 %" interval is that same range): the
        range of the ratios, labelled with what it covers. Streams measured on several processes: the
        interval also holds the spread between launches (`launch_variance`), which rounds cannot see."""
        base, candidate = self.round_medians[denominator], self.round_medians[numerator]
        ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
        if (covered := 1 - 2 / 2 ** len(base)) < confidence:
            ratios = [c / b for b, c in zip(base, candidate)]
            low, high, confidence = min(ratios), max(ratios), covered
        floor = self.launch_variance.get(numerator, 0.0) + self.launch_variance.get(denominator, 0.0)
        low, high = widened(ratio, low, high, floor, confidence, self.launch_offsets)
        return Comparison(name, numerator, denominator, ratio, low, high, confidence)


def collect_young() -> None:
    """Collect what the last round left (the young generations): ~0 ms, where a full collection
    in a process holding TensorFlow takes ~0.4 s, a minute of a full run if done every round."""
    gc.collect(1)


def balanced_orders(count: int) -> list[list[int]]:
    """Orders of `count` streams in which each stream comes right after every other one equally
    often (a Williams design: `count` orders, twice as many for an odd count). A cyclic shift keeps
    every stream behind the same neighbour: measured here, with the gate's streams in a shifted
    order, dynamic on one launch read 0.933 and 0.943 of the identical dynamic on another, with
    intervals of ±2 %, because one followed a static server's window and the other a dynamic one's
    (a request costs less right after another process ran the same library code)."""
    first, low, high = [0], 1, count - 1
    while len(first) < count:
        first.append(low if len(first) % 2 else high)
        low, high = (low + 1, high) if len(first) % 2 == 0 else (low, high - 1)
    orders = [[(stream + shift) % count for stream in first] for shift in range(count)]
    return orders + [order[::-1] for order in orders] if count % 2 else orders


def rotate(streams: Sequence[Stream], rounds: int, per_round: int = 1, warmup_rounds: int = 0,
           between_rounds: Callable[[], object] = collect_young, window: bool = False,
           discard: int = 0) -> Rotation:
    """Run `rounds` rounds of `per_round` timed units per stream, streams taking turns.

    The order of the streams changes at every turn through them, through `balanced_orders`: each
    stream follows every other equally often, and goes first as often as any.

    Unit by unit (`window=False`): streams take turns unit by unit, a new order at every unit.
    Every unit then follows another stream's unit: right for units that are events of their own
    (a load, a launch).

    Window by window (`window=True`): each stream runs its `discard` units (run,
    answers kept, times dropped) and then its `per_round` timed units back to back,
    then the next stream; a new order every round. That is
    the steady state a user's own load generator sees (wrk sends request after
    request to one server): a server that has just been idle answers its first
    request ~1 ms slower here (its process and the CPU wake up), which unit-by-unit
    turns would charge to every request.

    Warm-up rounds run the same way and are not kept. Python's garbage collector
    runs between rounds, untimed, never inside a unit (as pytest-benchmark's
    `--benchmark-disable-gc`): a collection inside a unit would land on whichever
    stream was unlucky. One full collection before the first round, then the young
    generations between rounds (with the collector off, nothing ages meanwhile).
    (`between_rounds` replaces the collection between rounds, e.g. for simulated streams.)
    """
    if not streams:
        raise ValueError("nothing to rotate")
    names = [stream.name for stream in streams]
    if len(set(names)) != len(names):
        raise ValueError(f"stream names must be unique: {names}")
    samples: dict[str, list[float]] = {name: [] for name in names}
    medians: dict[str, list[float]] = {name: [] for name in names}
    orders = [[streams[index] for index in order] for order in balanced_orders(len(streams))]
    turn = 0
    started = None
    collecting = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        for index in range(warmup_rounds + rounds):
            between_rounds()
            if index == warmup_rounds:
                started = time.perf_counter()
            this_round: dict[str, list[float]] = {name: [] for name in names}
            if window:
                for stream in orders[turn % len(orders)]:
                    for _ in range(discard):
                        stream.run()
                    this_round[stream.name] = [stream.run() for _ in range(per_round)]
                turn += 1
            else:
                for _ in range(per_round):
                    for stream in orders[turn % len(orders)]:
                        this_round[stream.name].append(stream.run())
                    turn += 1
            if index < warmup_rounds:
                continue
            for name, values in this_round.items():
                samples[name] += values
                medians[name].append(float(np.median(values)))
    finally:
        if collecting:
            gc.enable()
    return Rotation(samples, medians, time.perf_counter() - started)


def timed(prepare: Callable[[], object], unit: Callable[[], object]) -> Callable[[], float]:
    """A stream's `run`: `prepare()` untimed, then `unit()` timed with `time.perf_counter`."""
    def run() -> float:
        prepare()
        started = time.perf_counter()
        unit()
        return time.perf_counter() - started

    return run

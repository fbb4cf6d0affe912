"""Open-loop load: requests sent on a schedule, each latency measured from its scheduled send time.

A closed-loop client (the seed's threads, our burst) waits for each answer, so a
stalled server is asked less and looks faster: coordinated omission. Here send
times are fixed in advance (constant rate, or Poisson arrivals with a seed) and a
request that starts late because the server stalled is charged from when it
*should* have been sent, as wrk2 and MLPerf LoadGen's Server scenario do.
Latencies go into an HDR histogram (the `hdrhistogram` package). Every answer
is judged as it arrives: a wrong one (an error status, a wrong label or
probability) is counted and fails its rate's trial, so a server that sheds load
with fast 503s cannot be credited with a higher rate.
"""
from __future__ import annotations

import gc
import itertools
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from hdrh.histogram import HdrHistogram

from bench.clients.connection import Connection
from bench.method.oracle import Judge

PERCENTILES = (50.0, 90.0, 99.0, 99.9)
_HIGHEST_US = 120_000_000  # two minutes, in microseconds


def new_histogram() -> HdrHistogram:
    return HdrHistogram(1, _HIGHEST_US, 3)


def percentiles_ms(histogram: HdrHistogram) -> dict[str, float]:
    return {f"p{p:g}_ms": histogram.get_value_at_percentile(p) / 1000.0 for p in PERCENTILES}


def schedule(rate: float, duration_s: float, poisson: bool = False, seed: int = 0) -> list[float]:
    """Send offsets in seconds from the start: evenly spaced, or exponential gaps (Poisson)."""
    if rate <= 0 or duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    if not poisson:
        return [i / rate for i in range(int(rate * duration_s))]
    rng, offsets, now = random.Random(seed), [], 0.0
    while True:
        now += rng.expovariate(rate)
        if now >= duration_s:
            return offsets
        offsets.append(now)


@dataclass
class OpenLoopResult:
    rate: float
    duration_s: float
    histogram: HdrHistogram = field(default_factory=new_histogram)
    sent: int = 0
    wrong: int = 0  # answered, but not correctly (status, label or probability)
    errors: list[str] = field(default_factory=list)  # no answer at all (connection errors)
    faults: list[str] = field(default_factory=list)  # the first few wrong answers, in words
    elapsed_s: float = 0.0  # from the first scheduled send to the last answer
    client_cpu_s: float = 0.0  # CPU time this process (the load generator) used meanwhile

    @property
    def achieved_rate(self) -> float:
        """Correct answers per second, over the schedule's length or until the last answer if later:
        the offered rate under light load, below it once the server saturates."""
        return (self.sent - self.wrong) / max(self.duration_s, self.elapsed_s)

    def summary(self) -> dict:
        return {"rate": self.rate, "achieved_rate": round(self.achieved_rate, 1), "requests": self.sent,
                # the backlog at the schedule's end: how long after it the last answer came
                "drain_ms": round(max(0.0, self.elapsed_s - self.duration_s) * 1000, 2),
                "errors": len(self.errors), "wrong": self.wrong, "first_wrong": self.faults[:1],
                # the load generator shares the machine's cores with the server: its share of one core
                "client_cpu_share": round(self.client_cpu_s / self.elapsed_s, 3) if self.elapsed_s else None,
                **percentiles_ms(self.histogram)}


def run(url: str, texts: list[str], judge: Judge, rate: float, duration_s: float, poisson: bool = False,
        seed: int = 0, senders: int = 64) -> OpenLoopResult:
    """Send `rate` requests per second for `duration_s`; `senders` threads, each on its own connection
    (Python's garbage collector off meanwhile: `collector_off`)."""
    with collector_off():
        return _run(url, texts, judge, schedule(rate, duration_s, poisson, seed), rate, duration_s, senders)


def _run(url: str, texts: list[str], judge: Judge, offsets: list[float], rate: float, duration_s: float,
         senders: int) -> OpenLoopResult:
    result = OpenLoopResult(rate, duration_s)
    counter, lock = itertools.count(), threading.Lock()
    start = time.perf_counter() + 0.05
    cpu_before = time.process_time()

    def sender() -> None:
        connection = Connection(url)
        try:
            while (index := next(counter)) < len(offsets):
                scheduled = start + offsets[index]
                if (wait := scheduled - time.perf_counter()) > 0:
                    time.sleep(wait)
                text = texts[index % len(texts)]
                try:
                    status, body = connection.send(text)
                except OSError as error:
                    with lock:
                        result.errors.append(repr(error))
                    connection.close()
                    continue
                latency_us = int((time.perf_counter() - scheduled) * 1e6)
                fault = judge(text, status, body)
                with lock:
                    result.histogram.record_value(max(1, min(latency_us, _HIGHEST_US)))
                    result.sent += 1
                    if fault is not None:
                        result.wrong += 1
                        if len(result.faults) < 5:
                            result.faults.append(fault)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(min(senders, len(offsets)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - start
    result.client_cpu_s = time.process_time() - cpu_before
    return result


@contextmanager
def collector_off():
    """Python's garbage collector off for a trial, the young generations collected after it. The load
    generator runs in pytest's process, which holds TensorFlow (the answers' oracle): a full collection
    there takes ~0.25 s (measured here), and one that fell inside a trial stalled every sender and was
    charged to the server as latency from the schedule: a p99 of 100-200 ms at a rate the server held,
    which no wrk2 on another machine would see."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(1)
        if collecting:
            gc.enable()

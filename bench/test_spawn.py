"""Starting a graph kind (the seed's "spawn"): (a) load + first prediction with TensorFlow already
imported; (b) cold start to /healthz. The file keeps its name, so saved runs' node ids still compare;
its groups are titled by what they measure ("load + first prediction", "cold start to healthy").

Each is one rotation over the graph kinds, round by round (`bench.method.rotations`).
"""
from __future__ import annotations

import pytest

from bench.method.cases import Case
from bench.method.stats import latency_summary, requests_per_second
from bench.plugin.sample_clock import sample_clock
from bench.questions import cold_starts, loads


@pytest.mark.benchmark(timer=sample_clock)
def test_load_and_first_prediction(benchmark, describe, load_case, measurements):
    benchmark.group = "load + first prediction"
    _hand_over(benchmark, describe, loads.RECORD, load_case, measurements(loads.RECORD))


@pytest.mark.benchmark(timer=sample_clock)
def test_cold_start(benchmark, describe, cold_start_case, measurements):
    """Process launch → /healthz 200 (Python + TensorFlow import, load, warm-up), gunicorn 1 worker."""
    benchmark.group = "cold start to healthy"
    case = cold_start_case
    measured = measurements(cold_starts.RECORD)
    _hand_over(benchmark, describe, cold_starts.RECORD, case, measured, part=measured.parts.get(str(case), {}))


def _hand_over(benchmark, describe, question: str, case: Case, measured, part: dict | None = None) -> None:
    measured.assert_correct(case)
    times = measured.samples(case)
    sample_clock.hand_over(benchmark, times)
    describe(benchmark, question, case, measured.server_setups[str(case)], [loads.LOAD_TEXT], **measured.about(),
             requests_per_second=requests_per_second(len(times), sum(times)), **latency_summary(times), part=part)

"""One request at a time: HTTP (Flask dev server, gunicorn 1 worker) against in-process.

All cases are measured in one rotation (`bench.questions.single_requests`),
request by request; each benchmark hands its case's times to pytest-benchmark.
"""
from __future__ import annotations

import pytest

from bench.method.stats import latency_summary, requests_per_second
from bench.method.validity import precision_verdict
from bench.plugin.sample_clock import sample_clock
from bench.questions import single_requests


@pytest.mark.benchmark(timer=sample_clock)
def test_single_request(benchmark, describe, request_case, plan, measurements, texts):
    benchmark.group = f"request: {request_case.config.id}"
    measured = measurements(single_requests.RECORD)
    measured.assert_correct(request_case)
    times = measured.samples(request_case)  # each from the request's first byte sent to its last byte read
    sample_clock.hand_over(benchmark, times)
    verdict = precision_verdict(measured.round_medians(request_case), len(times), measured.rotation.duration_s, single_requests.rules(plan))
    describe(benchmark, single_requests.RECORD, request_case, measured.server_setups[str(request_case)], texts, **measured.about(),
             memory=measured.memory.get(str(request_case)),
             **verdict.as_extra_info(), requests_per_second=requests_per_second(len(times), sum(times)),
             **latency_summary(times))

"""The client's own cost, measured every run: our client and wrk on a minimal non-TensorFlow server
(`bench.questions.client_cost`). The figure in pytest-benchmark's table is our client's latency
against a server that does nothing; `extra_info` stores wrk's p50 on the same server and the
difference."""
from __future__ import annotations

import pytest

from bench.clients import wrk
from bench.method.stats import latency_summary
from bench.plugin.required_tools import require_tool
from bench.plugin.sample_clock import sample_clock
from bench.questions import client_cost
from bench.results.records import Figure


@pytest.mark.benchmark(timer=sample_clock)
def test_client_cost(benchmark, measurements):
    require_tool(None if wrk.available() else client_cost.WRK_MISSING)
    benchmark.group = "client: against a minimal server (no TensorFlow)"
    measured = measurements(client_cost.RECORD)
    measured.assert_correct(client_cost.KEY)
    times = measured.samples(client_cost.KEY)
    sample_clock.hand_over(benchmark, times)
    record = Figure(question=client_cost.RECORD, graph=None, setup=client_cost.KEY, server_setup=client_cost.MINIMAL_SERVER,
                    text_chars_mean=len(client_cost.TEXT), **latency_summary(times), part=measured.parts[client_cost.KEY])
    benchmark.extra_info.update(record.as_extra_info())

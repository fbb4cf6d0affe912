"""Instructions per request, each graph kind through the app in-process, counted by callgrind
(`bench.questions.instructions`): measured first, before any wall-clock question. pytest-benchmark
keeps the count as one round of one nanosecond per instruction; `extra_info` has the count itself
(`part.per_request`)."""
from __future__ import annotations

import pytest

from bench.harness import instructions as counting
from bench.plugin.required_tools import require_tool
from bench.plugin.sample_clock import SampleClock
from bench.questions import instructions

# Its own clock, so a saved run says what its "seconds" are.
instruction_clock = SampleClock("callgrind_instructions_as_ns")


@pytest.mark.benchmark(timer=instruction_clock)
def test_instructions_per_request(benchmark, describe, instructions_case, measurements, texts):
    require_tool(counting.missing_tools())
    benchmark.group = "instructions per request (callgrind, in-process)"
    case = instructions_case
    measured = measurements(instructions.RECORD)
    measured.assert_correct(case)
    instruction_clock.hand_over(benchmark, measured.samples(case))  # one: the request thread's count
    setup = measured.server_setups[str(case)]
    describe(benchmark, instructions.RECORD, case, setup, texts, **measured.about(), part=measured.parts[str(case)])

"""Ours beside the model servers people deploy instead (`--bench-peers`): single requests, bursts
of 20 and cold starts, every set-up in one rotation per question (`bench.questions.peers`); each
benchmark hands its case's times to pytest-benchmark. Without the flag: one skip each."""
from __future__ import annotations

import pytest

from bench.method.stats import latency_summary, requests_per_second
from bench.method.validity import precision_verdict
from bench.plugin.sample_clock import sample_clock
from bench.questions import bursts, peers, single_requests


@pytest.mark.benchmark(timer=sample_clock)
def test_peer_single_request(benchmark, describe, peer_request_case, plan, measurements, texts):
    benchmark.group = "peers: one request at a time (POST JSON)"
    measured = measurements(peers.REQUESTS)
    measured.assert_correct(peer_request_case)
    times = measured.samples(peer_request_case)
    sample_clock.hand_over(benchmark, times)
    verdict = precision_verdict(measured.round_medians(peer_request_case), len(times), measured.rotation.duration_s,
                                single_requests.rules(plan))
    describe(benchmark, peers.REQUESTS, peer_request_case, measured.server_setups[str(peer_request_case)], texts,
             **measured.about(), memory=measured.memory.get(str(peer_request_case)), **verdict.as_extra_info(),
             part=measured.parts.get(str(peer_request_case)),
             requests_per_second=requests_per_second(len(times), sum(times)), **latency_summary(times))


@pytest.mark.benchmark(timer=sample_clock)
def test_peer_burst(benchmark, describe, peer_burst_case, plan, measurements, texts):
    benchmark.group = f"peers: burst of {bursts.THREADS} (POST JSON)"
    measured = measurements(peers.BURSTS)
    measured.assert_correct(peer_burst_case)
    walls = measured.samples(peer_burst_case)
    sample_clock.hand_over(benchmark, walls)
    latencies = [latency for burst in measured.latencies_s[str(peer_burst_case)] for latency in burst]
    verdict = precision_verdict(measured.round_medians(peer_burst_case), len(latencies), measured.rotation.duration_s,
                                bursts.rules(plan))
    describe(benchmark, peers.BURSTS, peer_burst_case, measured.server_setups[str(peer_burst_case)], texts,
             **measured.about(), memory=measured.memory.get(str(peer_burst_case)), **verdict.as_extra_info(),
             requests_per_second=requests_per_second(len(latencies), sum(walls)), part={"threads": bursts.THREADS},
             **latency_summary(latencies))


@pytest.mark.benchmark(timer=sample_clock)
def test_peer_cold_start(benchmark, describe, peer_cold_start_case, measurements, texts):
    benchmark.group = "peers: launch to ready"
    measured = measurements(peers.COLD_STARTS)
    measured.assert_correct(peer_cold_start_case)
    times = measured.samples(peer_cold_start_case)
    sample_clock.hand_over(benchmark, times)
    describe(benchmark, peers.COLD_STARTS, peer_cold_start_case, measured.server_setups[str(peer_cold_start_case)],
             texts, **measured.about(), **latency_summary(times))

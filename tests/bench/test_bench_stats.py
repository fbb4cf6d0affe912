from pathlib import Path

import pytest

from bench.method.cases import Case, ServerConfig
from bench.method.plan import Plan
from bench.method.stats import latency_summary, median_by_rank, requests_per_second
from bench.questions import QUESTIONS, bursts, cold_starts, instructions, knobs, open_loop, single_requests
from serving import graphs
from serving.settings import Settings


def test_latency_summary_percentiles_in_ms():
    summary = latency_summary([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert summary["p50_ms"] == pytest.approx(50.5)
    assert summary["p90_ms"] == pytest.approx(90.1)
    assert summary["p99_ms"] == pytest.approx(99.01)
    assert summary["max_ms"] == 100.0 and summary["requests"] == 100


def test_latency_summary_needs_samples():
    with pytest.raises(ValueError):
        latency_summary([])


def test_median_by_rank_sorts_each_round_then_takes_medians():
    rounds = [[0.3, 0.1, 0.2], [0.1, 0.5, 0.4], [0.2, 0.2, 0.9]]
    # sorted: [.1 .2 .3], [.1 .4 .5], [.2 .2 .9] → medians per rank
    assert median_by_rank(rounds) == pytest.approx([0.1, 0.2, 0.5])


def test_requests_per_second():
    assert requests_per_second(20, 0.1) == 200.0
    with pytest.raises(ValueError):
        requests_per_second(1, 0)


def test_plan_ids_and_quick_mode_is_smaller():
    full, quick = Plan.from_options(knobs(), False, None), Plan.from_options(knobs(), True, None)
    assert [str(c) for c in bursts.cases(full) if c.graph == "static"] == [
        "static-gunicorn-w1", "static-gunicorn-w2", "static-gunicorn-w1-t20-batch0"]
    # a default run's bursts: the fast kind off TensorFlow on every server the registry asks for it on
    # (granian), two workers; static-xla's with --bench-extended
    assert {c.graph for c in bursts.cases(full)} == {"dynamic", "static", "onnx"}
    assert {"onnx-granian-w2", "onnx-gunicorn-w2"} <= {str(c) for c in bursts.cases(full)}
    assert {"onnx-granian-w1", "onnx-in-process", "onnx-gunicorn-w1"} <= {str(c) for c in single_requests.cases(full)}
    extended = Plan.from_options(knobs(), False, None, extended=True)
    assert "static-flask" in {str(c) for c in bursts.cases(extended)}
    assert "static-gunicorn-w4" in {str(c) for c in bursts.cases(extended)}
    assert {c.graph for c in bursts.cases(extended)} == {"dynamic", "static", "saved_model", "static-xla", "onnx"}
    assert {"static-xla-granian-w2", "static-xla-gunicorn-w2"} <= {str(c) for c in bursts.cases(extended)}
    assert len(cold_starts.cases(extended)) == 5
    assert [c.graph for c in cold_starts.cases(full)] == ["dynamic", "static", "onnx"]
    assert Settings(graph="static", artifacts=Path("a"), **ServerConfig("gunicorn", 1, threads=20, batch_window_ms=0)
                    .settings()).argv() == ["--graph", "static", "--artifacts", "a", "--threads", "20", "--batch-window-ms", "0"]
    assert {str(c) for c in single_requests.cases(extended) + bursts.cases(extended)} >= {"static-waitress", "dynamic-waitress"}
    assert not any(c.config.server == "waitress" for c in single_requests.cases(full) + bursts.cases(full))
    assert len(bursts.cases(quick)) < len(bursts.cases(full))
    assert quick.rounds_of("request").rounds < full.rounds_of("request").rounds
    assert quick.rounds_of("cold start").rounds == 0 < full.rounds_of("cold start").rounds
    assert str(Case("dynamic", ServerConfig("in-process"))) == "dynamic-in-process"
    assert Plan.from_options(knobs(), False, "1,3").workers == (1, 3)
    with pytest.raises(ValueError):
        Plan.from_options(knobs(), False, "0")


def test_bootstrap_ratio_ci_on_paired_rounds():
    from bench.method.stats import bootstrap_ratio_ci

    base = [1.0, 2.0, 1.5, 1.2, 1.8, 1.1, 1.6, 1.4]
    ratio, low, high = bootstrap_ratio_ci(base, [b * 1.25 for b in base])
    assert ratio == pytest.approx(1.25) and low == pytest.approx(1.25) and high == pytest.approx(1.25)
    noisy = [b * f for b, f in zip(base, [0.9, 1.1, 1.0, 0.95, 1.05, 1.0, 0.92, 1.08])]
    ratio, low, high = bootstrap_ratio_ci(base, noisy)
    assert low < ratio < high and 0.85 < low and high < 1.15
    with pytest.raises(ValueError):
        bootstrap_ratio_ci([1, 2], [1, 2])


@pytest.mark.parametrize("low, high, verdict", [(1.2, 1.3, 1), (0.95, 1.05, 0), (1.05, 1.2, 2), (1.10, 1.10, 2)])
def test_regression_verdict(low, high, verdict):
    from bench.method.stats import regression_verdict

    assert regression_verdict(low, high, threshold=0.10) == verdict


def test_each_question_sizes_its_own_rotation_and_the_gate_takes_the_gated_ones():
    """A question's rounds are in its module (its KNOBS): a quick run takes fewer than a full one,
    and the gate's plan has rounds for every gated question measured in rounds, and no other."""
    quick, full, gate = Plan.from_options(knobs(), True, None), Plan.from_options(knobs(), False, None), Plan.for_gate(knobs())
    for record, knob in knobs().items():
        assert QUESTIONS[record].knobs is knob
        assert quick.rounds_of(record).rounds <= full.rounds_of(record).rounds
    # instructions count a fixed number of calls (bench.harness.instructions): no rounds
    assert {record for record, question in QUESTIONS.items() if question.gate and question.knobs} == set(gate.rounds)
    assert all(size.rounds >= 3 for size in gate.rounds.values())
    with pytest.raises(KeyError, match="cold start"):
        gate.rounds_of("cold start")


def test_a_default_run_leaves_the_capacity_search_and_the_idle_requests_to_their_flags():
    """A default run has 5 minutes: the open loop's searches (~4-5 minutes) come with --bench-capacity,
    the first request after idle with --bench-extended (which brings the capacity search too); a quick
    run, the smoke run of every question, takes both."""
    def asked(**flags) -> set[str]:
        plan = Plan.from_options(knobs(), flags.pop("quick", False), None, **flags)
        return {record for record, question in QUESTIONS.items() if plan.asks(question)}

    default = asked()
    assert "open loop" not in default and "after idle" not in default
    assert {"instructions", "request", "burst", "load", "cold start"} <= default
    assert asked(capacity=True) == default | {"open loop"}
    assert asked(extended=True) == default | {"open loop", "after idle"}
    assert {"open loop", "after idle"} <= asked(quick=True)


def test_a_default_run_counts_the_seeds_two_kinds_under_valgrind_side_by_side():
    """Two valgrind processes at a time: a third kind would be a second turn (~50 s of a 5-minute
    run); every kind with --bench-extended, the kinds off TensorFlow in a quick run."""
    def counted(quick=False, extended=False) -> list[str]:
        plan = Plan.from_options(knobs(), quick, None, extended)
        return [case.graph for case in instructions.cases(plan)]

    assert counted() == ["dynamic", "static"]
    assert set(counted(extended=True)) == set(graphs.KINDS)
    assert counted(quick=True) and all(graphs.KINDS[kind].runtime != "tensorflow" for kind in counted(quick=True))


def test_the_open_loop_sweeps_the_seeds_set_ups_and_the_fast_ones_and_more_with_extended():
    full, extended = Plan.from_options(knobs(), False, None), Plan.from_options(knobs(), False, None, extended=True)
    assert [str(c) for c in open_loop.cases(full)] == [
        "dynamic-gunicorn-w2", "static-gunicorn-w2", "static-xla-gunicorn-w2", "static-xla-granian-w2",
        "onnx-gunicorn-w2", "onnx-granian-w2"]
    swept = [str(c) for c in open_loop.cases(extended)]
    # every worker count, fewer first (a larger one is pruned on the smaller ones' knees), and the
    # runtimes' own thread default (a thread per core in every worker) beside the fitted one
    assert swept.index("onnx-granian-w1") < swept.index("onnx-granian-w2") < swept.index("onnx-granian-w4")
    assert {"saved_model-gunicorn-w2", f"onnx-granian-w2-intra{open_loop.CORES}"} <= set(swept)
    assert ServerConfig("granian", 2, intra_op_threads=2).settings()["intra_op_threads"] == 2

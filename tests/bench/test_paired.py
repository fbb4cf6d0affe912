"""The paired-measurement engine (bench.method.paired): order, ratios with intervals, the hand-over to pytest-benchmark."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench.method import headlines
from bench.method.cases import Case, ServerConfig
from bench.method.paired import Stream, balanced_orders, rotate
from bench.results.comparison import Comparison


def test_streams_take_turns_and_each_follows_every_other_equally_often():
    calls = []
    streams = [Stream(name, lambda name=name: calls.append(name) or 1.0) for name in "abc"]
    rotation = rotate(streams, rounds=2, per_round=3, warmup_rounds=1)
    assert len(calls) == 3 * 3 * 3  # (1 warm-up + 2) rounds × 3 units × 3 streams
    assert sorted(calls[:3]) == sorted(calls[3:6]) == list("abc") and calls[:3] != calls[3:6]  # a new order each turn
    assert rotation.rounds == 2 and all(len(v) == 6 for v in rotation.samples.values())
    for count in (2, 3, 4, 7, 8):  # every ordered pair of neighbours equally often; every stream first equally often
        orders = balanced_orders(count)
        pairs = Counter((a, b) for order in orders for a, b in zip(order, order[1:]))
        assert set(pairs) == {(a, b) for a in range(count) for b in range(count) if a != b}
        assert len(set(pairs.values())) == 1 and len(set(Counter(order[0] for order in orders).values())) == 1
        assert all(sorted(order) == list(range(count)) for order in orders)
    with pytest.raises(ValueError):
        rotate([Stream("a", lambda: 1.0), Stream("a", lambda: 1.0)], rounds=3)


class NoisyMachine:
    """A shared machine in miniature: a load that drifts from unit to unit (up to 3x, like this
    2-core machine's neighbours), times that scatter ±10 % around it, an occasional 3x spike.
    Seeded, so these tests check the method's statistics, not today's machine."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.load = 1.0

    def stream(self, name: str, seconds: float) -> Stream:
        def run() -> float:
            self.load = float(np.clip(self.load * np.exp(self.rng.normal(0, 0.05)), 0.5, 3.0))
            spike = 3.0 if self.rng.random() < 0.02 else 1.0
            return seconds * self.load * spike * float(np.exp(self.rng.normal(0, 0.1)))

        return Stream(name, run)


def paired_ratio(seed: int, slowdown: float) -> Comparison:
    machine = NoisyMachine(seed)
    streams = [machine.stream("base", 0.002), machine.stream("slowed", 0.002 * slowdown)]
    # simulated times: no garbage collection between rounds (it would only cost this test time)
    return rotate(streams, rounds=10, per_round=10, between_rounds=lambda: None).compare(
        "sleep: slowed / base", "slowed", "base")


def test_a_stream_slowed_by_an_injected_delay_is_reported_slower():
    found = [paired_ratio(seed, 1.10) for seed in range(100)]  # +10 %
    caught = [c for c in found if c.low > 1.0]
    assert len(caught) >= 95, f"only {len(caught)} of 100 intervals exclude 1"
    # the drift (up to 3x) cancels out: the ratios' spread is σ 2 % over the 100 seeds, so all but
    # a rare one (about 3.5 σ) fall within ±7 %
    assert sum(abs(c.ratio - 1.10) >= 0.07 for c in found) <= 2 and all(abs(c.ratio - 1.10) < 0.1 for c in found)
    assert next(c for c in caught if c.low > 1.05).words().startswith("slowed is 1.")


def test_two_identical_streams_give_an_interval_that_includes_one():
    found = [paired_ratio(seed, 1.0) for seed in range(100)]
    covered = [c for c in found if c.low <= 1.0 <= c.high]
    assert len(covered) >= 90, f"only {len(covered)} of 100 95 % intervals include 1"
    assert np.median([c.half_width for c in found]) < 0.05
    assert "the same within" in next(c for c in covered if c.answer == "same").words()
    assert not any(c.answer in ("faster", "slower") for c in found)  # never decided beyond the ±5 % margin


def test_blocks_would_be_fooled_by_the_same_drift():
    """Why rotation: measured one stream after the other, the drift alone makes a difference."""
    machine = NoisyMachine(7)
    base, other = machine.stream("base", 0.002), machine.stream("other", 0.002)
    blocks = {"base": [base.run() for _ in range(100)], "other": [other.run() for _ in range(100)]}
    block_ratio = float(np.median(blocks["other"]) / np.median(blocks["base"]))
    paired = paired_ratio(7, 1.0)
    assert abs(paired.ratio - 1) < abs(block_ratio - 1)


def test_words_say_faster_slower_or_same():
    faster = Comparison("load: static / dynamic", "s", "d", 0.4, 0.38, 0.42, 0.95)
    assert faster.words() == "static is 2.50x faster than dynamic [2.38, 2.63]"
    slower = Comparison("request static: gunicorn-w1 / in-process", "h", "i", 1.4, 1.3, 1.5, 0.95)
    assert slower.words() == "gunicorn-w1 is 1.40x slower than in-process [1.30, 1.50]"
    same = Comparison("x: a / b", "a", "b", 1.0, 0.98, 1.03, 0.95)
    assert same.words().startswith("a and b the same within ±5%")
    assert Comparison.from_json(same.as_json()) == same
    assert same.overlaps(slower) is False and same.contradicts(slower) and not slower.contradicts(slower)
    assert same.overlaps(Comparison("x: a / b", "a", "b", 1.02, 1.01, 1.2, 0.95))


HANDED_OVER = """
import pytest
from bench.plugin.sample_clock import sample_clock

@pytest.mark.benchmark(timer=sample_clock)
def test_hand_over(benchmark):
    sample_clock.hand_over(benchmark, [0.25, 0.5, 0.125])
"""


def test_sample_clock_hands_pytest_benchmark_exactly_the_measured_times(tmp_path):
    (tmp_path / "test_hand_over.py").write_text(HANDED_OVER)
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "/dev/null",
                    f"--rootdir={tmp_path}", "--benchmark-json", str(tmp_path / "run.json"), "test_hand_over.py"],
                   cwd=tmp_path, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(root)})
    stats = json.loads((tmp_path / "run.json").read_text())["benchmarks"][0]["stats"]
    assert stats["data"] == [0.25, 0.5, 0.125] and stats["median"] == 0.25


def test_headline_ratios_name_the_scenario():
    cases = [Case(g, c) for c in (ServerConfig("in-process"), ServerConfig("gunicorn", 1), ServerConfig("gunicorn", 2))
             for g in ("static", "dynamic")]
    rotation = rotate([Stream(str(case), lambda: 1.0) for case in cases], rounds=3)
    names = [c.name for c in headlines.comparisons("request", rotation, cases)]
    assert names == [
        "request in-process: static / dynamic", "request gunicorn-w1: static / dynamic",
        "request gunicorn-w2: static / dynamic",
        "request static: gunicorn-w1 / in-process", "request dynamic: gunicorn-w1 / in-process",
        "request static: gunicorn-w2 / in-process", "request dynamic: gunicorn-w2 / in-process",
        "request dynamic: gunicorn-w2 / gunicorn-w1", "request static: gunicorn-w2 / gunicorn-w1",
    ]


def test_a_ratio_changed_only_when_the_intervals_are_apart_and_it_moved_beyond_the_threshold():
    now = [Comparison("request gunicorn-w1: static / dynamic", "s", "d", 1.10, 1.08, 1.12, 0.95),
           Comparison("load + first prediction: static / dynamic", "s", "d", 0.39, 0.35, 0.45, 0.95),
           Comparison("cold start gunicorn-w1: static / dynamic", "s", "d", 0.81, 0.78, 0.93, 0.95),
           Comparison("request in-process: static-xla / static", "x", "s", 0.272, 0.270, 0.279, 0.95)]
    before = [Comparison("request gunicorn-w1: static / dynamic", "s", "d", 1.00, 0.98, 1.03, 0.95).as_json(),
              Comparison("load + first prediction: static / dynamic", "s", "d", 0.41, 0.38, 0.44, 0.95).as_json(),
              Comparison("request in-process: static-xla / static", "x", "s", 0.261, 0.256, 0.269, 0.95).as_json()]
    lines = headlines.changes_since(now, before)  # a family of 3 ratios judged together: 98.33 % each
    assert lines[0].endswith("CHANGED by +10.0% (intervals apart at 98.33%, beyond ±5%)")
    assert lines[1].endswith("unchanged (-4.9%, intervals overlap at the family's 98.33%)")
    assert lines[2].endswith("new (not in the compared run)")
    # the false alarm of issue 20: apart at 95 %, not at the family's confidence
    assert lines[3].endswith("unchanged (+4.2%, intervals overlap at the family's 98.33%)")
    assert "CHANGED" in headlines.changes_since(now, before, threshold=0.09)[0]
    assert "unchanged (+10.0%: intervals apart, within ±11%)" in headlines.changes_since(now, before, threshold=0.11)[0]
    assert headlines.changes_since(now, [])[-1].startswith("the compared run stored no ratios")
    assert "(answer FLIPPED: same -> slower)" in lines[0] and "(answer faster)" in lines[1]
    assert lines[-1] == "answers in words: 1 of 3 FLIPPED (decided both times, not alike), 0 between decided and not decided"


def test_a_ratio_apart_at_95_percent_is_not_changed_among_63_judged_at_once():
    """Issue 28: 63 ratios at 95 % each let ~3 through by chance; Bonferroni's intervals do not."""
    moved = Comparison("burst granian-w2 / gunicorn-w2", "g", "u", 0.812, 0.780, 0.850, 0.95)
    was = Comparison("burst granian-w2 / gunicorn-w2", "g", "u", 0.715, 0.690, 0.770, 0.95)
    assert "CHANGED" in headlines.changes_since([moved], [was.as_json()])[0]  # alone: apart, +13.6 %
    others = [Comparison(f"request {i}: a / b", "a", "b", 1.0, 0.97, 1.03, 0.95) for i in range(62)]
    lines = headlines.changes_since([moved, *others], [was.as_json(), *[c.as_json() for c in others]])
    assert "intervals overlap at the family's 99.92%" in lines[0]
    wide = headlines.family_widened(moved, 63)
    assert wide.low < moved.low and wide.high > moved.high and wide.ratio == moved.ratio


def test_a_question_can_be_judged_at_its_own_threshold_or_not_at_all():
    now = [Comparison("after idle gunicorn-w1 static: idle 200 ms / steady", "i", "s", 2.572, 2.444, 2.711, 0.95),
           Comparison("cold start gunicorn-w1: static / dynamic", "s", "d", 0.948, 0.941, 0.967, 0.95)]
    before = [Comparison("after idle gunicorn-w1 static: idle 200 ms / steady", "i", "s", 1.700, 1.529, 1.766, 0.95),
              Comparison("cold start gunicorn-w1: static / dynamic", "s", "d", 0.893, 0.849, 0.908, 0.95)]
    own = {"after idle": None, "cold start": 0.10}
    lines = headlines.changes_since(now, [c.as_json() for c in before],
                                    threshold_of=lambda c: own[c.name.split(" gunicorn")[0]])
    assert "moved +51.3% (not judged" in lines[0]
    assert lines[1].endswith("unchanged (+6.2%: intervals apart, within ±10%)")  # a family of one: 95 %
    assert "CHANGED by +6.2%" in headlines.changes_since(now, [c.as_json() for c in before])[1]  # at the default 5 %


def test_instruction_counts_change_beyond_their_own_threshold_without_an_interval():
    now = [Comparison("instructions: onnx / static", "o", "s", 0.1404, 0.1404, 0.1404, 1.0, "instructions")]
    old = Comparison("instructions: onnx / static", "o", "s", 0.1380, 0.1380, 0.1380, 1.0, "instructions")
    assert "moved +1.74% (not judged" in headlines.changes_since(now, [old.as_json()])[0]  # all threads: two modes
    assert headlines.instruction_changes({"a": 1.02e6, "b": 1.005e6}, {"a": 1e6, "b": 1e6}) == [
        "a: 1.000 -> 1.020 M instructions a request  CHANGED by +2.00% (beyond ±1%)",
        "b: 1.000 -> 1.005 M instructions a request  unchanged (+0.50%)"]


def test_garbage_is_collected_between_rounds_never_inside_a_unit():
    seen, collections = [], []
    rotation = rotate([Stream("a", lambda: seen.append(gc.isenabled()) or 1.0)], rounds=3, per_round=2,
                      warmup_rounds=1, between_rounds=lambda: collections.append(len(seen)))
    assert seen == [False] * 8 and collections == [0, 2, 4, 6]  # before each round, none inside
    assert gc.isenabled() and rotation.rounds == 3


def test_the_default_collection_between_rounds_frees_the_cycles_a_round_left():
    class Node:
        pass

    made, dead_at_start = [], []

    def unit() -> float:
        dead_at_start.append(all(ref() is None for ref in made))
        node = Node()
        node.itself = node  # a cycle: only the collector frees it
        made.append(weakref.ref(node))
        return 1.0

    rotate([Stream("cycles", unit)], rounds=4)
    assert dead_at_start == [True] * 4  # every earlier round's cycle was gone when the next began


def simulated_run(seed: int, slower: dict[str, float]) -> list[Comparison]:
    """A run of three kinds on one set-up whose processes each keep their own speed (σ 1 %, new every
    run, which no within-run interval sees) and whose rounds drift and jitter; `slower` injects a
    slowdown into a kind."""
    rng = np.random.default_rng(seed)
    base = {"dynamic": 3.0, "static": 2.5, "static-xla": 0.7}
    speed = {kind: ms * (1 + 0.01 * rng.standard_normal()) * slower.get(kind, 1.0) for kind, ms in base.items()}
    drift = [1.0]  # the machine's speed, moving between rounds (each round takes a few ms)

    def next_round():
        drift[0] = 1 + 0.2 * rng.random()

    def stream(kind):
        return Stream(str(Case(kind, ServerConfig("gunicorn", 1))),
                      lambda: speed[kind] * drift[0] * (1 + 0.05 * rng.standard_normal()))

    rotation = rotate([stream(kind) for kind in base], rounds=20, per_round=8, window=True, discard=2,
                      between_rounds=next_round)
    return headlines.comparisons("request", rotation, [Case(kind, ServerConfig("gunicorn", 1)) for kind in base])


def test_no_change_between_runs_of_one_commit_and_a_ten_percent_slowdown_is_caught():
    runs = [simulated_run(seed, {}) for seed in range(3)]
    for before, now in zip(runs, runs[1:]):
        lines = headlines.changes_since(now, [c.as_json() for c in before])
        assert not [line for line in lines if "CHANGED" in line], lines
    slowed = simulated_run(3, {"static-xla": 1.10})
    lines = headlines.changes_since(slowed, [c.as_json() for c in runs[-1]])
    flagged = [line for line in lines if "CHANGED" in line]
    assert flagged and all("static-xla" in line for line in flagged), lines


def test_an_interval_across_the_margin_is_not_decided_and_contradicts_nothing():
    """The seed's burst answer that flipped between two runs of one commit: "the same within ±10 %"
    (1.088 [0.946, 1.143]), then "1.21x slower" (1.214 [1.040, 1.318]). Both straddle 1.05: neither
    decides, so neither contradicts the other; a run that did decide contradicts neither."""
    first = Comparison("burst: static / dynamic", "s", "d", 1.088, 0.946, 1.143, 0.95)
    second = Comparison("burst: static / dynamic", "s", "d", 1.214, 1.040, 1.318, 0.95)
    assert first.answer == second.answer == "undecided"
    assert "not decided at ±5%" in first.words()
    decided = Comparison("burst: static / dynamic", "s", "d", 1.20, 1.12, 1.30, 0.95)
    assert decided.answer == "slower" and not decided.contradicts(second) and not second.contradicts(decided)

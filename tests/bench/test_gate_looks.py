"""The gate's second look (bench.questions.gating.measure_question): another rotation only for a figure
that looks slower than its threshold without its interval showing it yet; never for an unchanged
candidate, a clear slowdown or a faster one. Rounds are scripted, nothing is launched."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bench.method.cases import Case, default_server
from bench.method.verdicts import compare
from bench.questions import gating

THRESHOLDS = {"fine": 0.05, "coarse": 0.10, "exact": 0.01, gating.INFO_KIND: 0.10}
CONFIDENCE = 0.9875  # the default gate's requests: two figures, two looks


def rounds(ratio: float, spread: float, n: int, seed: int) -> tuple[list[float], list[float]]:
    """(base, candidate) per-round values around 4 ms, the candidate `ratio` times slower, each round's
    ratio spread by `spread` (log σ)."""
    generator = np.random.default_rng(seed)
    base = list(4.0 * np.exp(generator.normal(0, 0.02, n)))
    return base, [b * ratio * np.exp(generator.normal(0, spread)) for b in base]


class ScriptedGate:
    """A gated question whose rotations give the scripted rounds in turn: one case, two sides."""

    threshold, note, where, kind_ratios = "fine", None, None, False

    def __init__(self, looks: list[tuple[list[float], list[float]]]):
        self.looks, self.measured = list(looks), 0

    def cases(self, graphs, server):
        return [Case("static", default_server(1, server))]

    def measure(self, sided, run):
        base, candidate = self.looks[self.measured]
        self.measured += 1
        values = {"base": base, "candidate": candidate}
        return SimpleNamespace(faults={}, scenario="request", profiles={},
                               rotation=SimpleNamespace(round_medians={str(case): values[case.side] for case in sided}))


def looks_taken(scripted: list[tuple[list[float], list[float]]], max_looks: int = 2, budget_s: float = 60.0):
    gate = ScriptedGate(scripted)
    question = SimpleNamespace(gate=gate, record="request")
    run = SimpleNamespace(replicas={}, sides={"base": None, "candidate": None}, launch=lambda cases: None)
    figures = gating.measure_question(question, ("static",), "gunicorn", run, budget_s, THRESHOLDS, CONFIDENCE, max_looks)
    return gate.measured, figures


def test_an_unchanged_candidate_is_judged_on_one_look():
    taken, figures = looks_taken([rounds(1.0, 0.06, 20, seed) for seed in (1, 2)])
    assert taken == 1 and len(figures[0].candidate) == 20


def test_a_slowdown_near_the_threshold_gets_a_second_look_that_decides_it():
    first, second = rounds(1.12, 0.12, 20, 4), rounds(1.12, 0.12, 20, 1004)
    once = compare("one look", *first, CONFIDENCE, 0.05)
    assert once.ratio > 1.05 and once.verdict == "PASS", once  # looks slower, not shown: what the CI gate did
    taken, figures = looks_taken([first, second])
    assert taken == 2 and len(figures[0].base) == 40
    twice = compare("two looks", figures[0].base, figures[0].candidate, CONFIDENCE, 0.05)
    assert twice.verdict == "FAIL" and twice.low > once.low, (once, twice)


def test_a_clear_slowdown_or_a_faster_candidate_is_not_looked_at_again():
    assert looks_taken([rounds(1.4, 0.03, 20, 5), rounds(1.4, 0.03, 20, 6)])[0] == 1
    assert looks_taken([rounds(0.8, 0.12, 20, 7), rounds(0.8, 0.12, 20, 8)])[0] == 1


def test_the_looks_stop_at_the_limit_and_at_the_budget():
    suspect = [rounds(1.10, 0.3, 20, seed) for seed in (1, 1001, 2001)]  # still undecided after two
    assert looks_taken(suspect, max_looks=1)[0] == 1
    assert looks_taken(suspect, max_looks=3, budget_s=0.0)[0] == 2  # the second look spent the (no) budget

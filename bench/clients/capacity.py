"""How much traffic a set-up holds: the rule that says a rate is held, and the search for the
highest rate held (the knee), repeated so that the knee has an interval and one spike cannot set it.

The rule, in the words the report prints (`RULE`):
- a *trial* offers a rate on a fixed schedule for a few seconds (`bench.clients.openloop.run`);
  it holds when every answer is right and none is missing, its p99 (each latency charged from its
  scheduled send) is within the bound, and the backlog drains: the last answer arrives within the
  bound after the schedule's end (a server over capacity keeps a short trial's p99 while its queue
  grows; this says so whatever the trial's length);
- a *search* doubles the rate from light load until a rate is not held, then bisects between the
  highest held and the lowest not held. While doubling, a failed trial is repeated once and the rate
  held if the repeat holds: one spike far below the knee (a 53 ms p99 in a trial at 200/s once ended
  a search of a set-up that held 1000/s) must happen twice to end a search. While bisecting, each
  trial counts once: repeating failures there would only credit the set-up with rates it holds
  half the time;
- the knee is the median of `searches` searches, each on a server launch of its own (a process keeps
  its own speed: launches of one set-up differ by up to 29 % in CPU per answer here); its interval their lowest and highest, which holds
  the median with probability 1 - 2 / 2^n (n = 5: 93.75 %); two runs of one set-up give disjoint
  intervals with probability 2 / C(2n, n) (0.8 % for n = 5) when nothing changed;
- the knee is then *verified*: trials of several seconds at it, each must hold; when one does not,
  the interval's lower end is verified instead, then rates 15 % lower each, and the rate claimed is the
  one that held throughout (a knee is the edge of what a short trial holds: 2 s trials at it failed
  about half the time here). Later searches bisect from around the first one's knee, and go on past
  either end of that bracket when they reach it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import comb
from statistics import median

from bench.clients.openloop import run
from bench.method.oracle import Judge

RULE = ("held: every answer right, p99 from the scheduled send within the bound, the backlog drained within the "
        "bound after the schedule ends; knee: the median of {searches} searches, each on its own server launch (doubling, "
        "a failed trial repeated once; then bisection, each trial once), interval their lowest and highest ({coverage:.2%} for the median); "
        "verified by {verify} trials of {verify_s:g} s at the knee, else at the interval's lower end, else {step_down_pct:.0%} lower "
        "(at most {verify_rates} rates); the rate to provision for is the one that held every trial")


WARMUP_RATE, WARMUP_S = 50.0, 0.5  # a relaunched server's first requests, before its search


@dataclass(frozen=True)
class SearchRule:
    """The search's sizes: trial length, bisection steps, searches, verification."""

    trial_s: float = 0.8  # each trial: at the knees here (400-3000/s) 320 requests or more
    steps: int = 3  # bisections after the doubling: the first search's bracket ±6 %
    searches: int = 5  # the knee's interval holds the median at 93.75 %
    span: float = 1.4  # later searches bisect between the first knee ÷ and × this
    verify: int = 3  # verification trials at the knee
    verify_s: float = 2.0
    verify_rates: int = 4  # the knee, the interval's lower end, then lower by `step_down` each
    step_down: float = 0.85
    start_rate: float = 100.0
    ceiling: float = 10_000.0
    past_knee: float | None = 1.5  # one trial this far past the first failing rate, to draw saturation

    @property
    def coverage(self) -> float:
        """The probability that the searches' lowest and highest knee hold their median."""
        return 1 - 2 / 2 ** self.searches if self.searches > 1 else 0.0

    @property
    def disjoint_by_chance(self) -> float:
        """The probability that two unchanged runs' intervals do not overlap (continuous knees)."""
        return 2 / comb(2 * self.searches, self.searches)

    def words(self) -> str:
        return RULE.format(searches=self.searches, coverage=self.coverage, verify=self.verify, verify_s=self.verify_s,
                           step_down_pct=1 - self.step_down, verify_rates=self.verify_rates)


DEFAULT_RULE = SearchRule()


def held(summary: dict, p99_bound_ms: float) -> bool:
    """A trial holds its rate: no error, no wrong answer, p99 within the bound, the backlog drained."""
    return (not summary["errors"] and not summary["wrong"] and summary["p99_ms"] <= p99_bound_ms
            and summary["drain_ms"] <= p99_bound_ms)


@dataclass
class Capacity:
    """A set-up's knee under the bound, its interval over the searches, every trial, the verification."""

    p99_bound_ms: float
    rule: SearchRule
    knees: list[float] = field(default_factory=list)  # one per search; 0: nothing held
    beyond: float | None = None  # the lowest rate above the first knee not held; None: none up to the ceiling
    trials: list[dict] = field(default_factory=list)
    verification: list[dict] = field(default_factory=list)
    verified_rate: float = 0.0  # the rate that held every verification trial; 0: none did

    @property
    def knee(self) -> float:
        return median(self.knees) if self.knees else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return (min(self.knees), max(self.knees)) if self.knees else (0.0, 0.0)

    @property
    def verified(self) -> int:
        """How many verification trials held the verified rate."""
        return sum(1 for trial in self.verification if trial["passed"] and trial["rate"] == self.verified_rate)

    @property
    def failed_verification(self) -> list[float]:
        """The higher rates tried in verification that did not hold every trial."""
        return list(dict.fromkeys(trial["rate"] for trial in self.verification if not trial["passed"]))

    @property
    def points(self) -> list[dict]:
        """The search's trials by offered rate: the curve to draw."""
        return sorted(self.trials, key=lambda trial: trial["rate"])

    def cpu_ms_per_request(self) -> float | None:
        """The server's CPU per answer at the knee (its verification trials', else the held trials' nearest)."""
        measured = [t["server_cpu_ms_per_request"] for t in self.verification if t.get("server_cpu_ms_per_request")]
        if not measured:
            held_trials = sorted((t for t in self.trials if t["passed"] and t.get("server_cpu_ms_per_request")),
                                 key=lambda t: -t["rate"])
            measured = [t["server_cpu_ms_per_request"] for t in held_trials[:3]]
        return median(measured) if measured else None


class Search:
    """One set-up's searches, step by step, so that a run can interleave set-ups (search 1 of every
    set-up, then search 2 of every set-up on fresh launches, ...): `first`, then `again` on each later
    launch, then `verify`. `server_cpu_s`: the server processes' CPU seconds so far (each trial then
    records the server's CPU per answer)."""

    def __init__(self, texts: list[str], judge: Judge, p99_bound_ms: float, rule: SearchRule = DEFAULT_RULE,
                 server_cpu_s: Callable[[], float] | None = None):
        self.texts, self.judge, self.rule, self.server_cpu_s = texts, judge, rule, server_cpu_s
        self.capacity = Capacity(p99_bound_ms, rule)
        self.url = ""

    def trial(self, rate: float, seconds: float, into: list[dict]) -> bool:
        cpu_before = self.server_cpu_s() if self.server_cpu_s else None
        summary = {**run(self.url, self.texts, self.judge, rate, seconds).summary(), "rate": rate}  # the rate asked, exactly
        if cpu_before is not None and summary["requests"]:
            summary["server_cpu_ms_per_request"] = round((self.server_cpu_s() - cpu_before) * 1000 / summary["requests"], 4)
        summary["passed"] = held(summary, self.capacity.p99_bound_ms)
        into.append(summary)
        return summary["passed"]

    def _holds_once(self, rate: float) -> bool:
        return self.trial(rate, self.rule.trial_s, self.capacity.trials)

    def _holds_twice_failed(self, rate: float) -> bool:
        return self._holds_once(rate) or self._holds_once(rate)

    def warm_up(self, url: str) -> dict:
        """A fresh launch's first answers, which no trial counts; the summary, to judge its answers."""
        self.url = url
        return run(url, self.texts, self.judge, WARMUP_RATE, WARMUP_S).summary()

    def first(self, url: str) -> float:
        """The first search: doubling from light load, then bisection; one trial past the failing rate."""
        self.url, rule, capacity = url, self.rule, self.capacity
        knee, capacity.beyond = _doubling_then_bisection(self._holds_twice_failed, self._holds_once, rule)
        capacity.knees.append(knee)
        if rule.past_knee and capacity.beyond and capacity.beyond * rule.past_knee <= rule.ceiling:
            self.trial(capacity.beyond * rule.past_knee, rule.trial_s, capacity.trials)  # saturation, for the curve
        return knee

    def again(self, url: str) -> float:
        """A later search (on another launch): bisection around the first search's knee."""
        self.url = url
        first = self.capacity.knees[0]
        knee = _bisection_around(self._holds_twice_failed, self._holds_once, first, self.rule) if first else 0.0
        self.capacity.knees.append(knee)
        return knee

    def verify(self, url: str) -> float:
        """Longer trials at the knee, then lower (`verification_rates`), until a rate holds every one."""
        self.url, capacity = url, self.capacity
        for rate in verification_rates(capacity.knee, capacity.interval[0], self.rule):
            if all(self.trial(rate, self.rule.verify_s, capacity.verification) for _ in range(self.rule.verify)):
                capacity.verified_rate = rate
                break
        return capacity.verified_rate


def verification_rates(knee: float, low: float, rule: SearchRule) -> list[float]:
    """The rates verified in turn until one holds every trial: the knee, the interval's lower end, then
    `rule.step_down` below the last, `rule.verify_rates` in all (a knee is the edge of what a 0.8 s trial
    holds; longer trials at it fail half the time here, so the rate to provision for lies lower)."""
    if not rule.verify or knee <= 0:
        return []
    rates = list(dict.fromkeys(rate for rate in (knee, low) if rate > 0))
    while len(rates) < rule.verify_rates:
        rates.append(rates[-1] * rule.step_down)
    return rates[:rule.verify_rates]


def _doubling_then_bisection(doubling_holds: Callable[[float], bool], bisection_holds: Callable[[float], bool],
                             rule: SearchRule, start: float | None = None) -> tuple[float, float | None]:
    """(the highest rate held, 0 if none; the lowest not held above it, None if none up to the ceiling).
    `start`: a rate already held, to double on from (else from the rule's light load)."""
    good, rate = (start, start * 2) if start else (0.0, rule.start_rate)
    while rate <= rule.ceiling and doubling_holds(rate):
        good, rate = rate, rate * 2
    bad = rate if rate <= rule.ceiling else None
    if bad is not None and good > 0:
        good, bad = _bisect(bisection_holds, good, bad, rule.steps)
    return good, bad


def _bisection_around(doubling_holds: Callable[[float], bool], bisection_holds: Callable[[float], bool], knee: float,
                      rule: SearchRule) -> float:
    """A later search: bisect between `knee` ÷ and × `span`. Ending at either end of that bracket, it
    does not stop there: at the lower end that end is tried (failing, the search starts again from light
    load); at the upper end the upper end is tried (holding, the search doubles on from it), so a first
    search that came out low or high does not bound the others."""
    lowest, highest = knee / rule.span, knee * rule.span
    good, bad = _bisect(bisection_holds, lowest, highest, rule.steps)
    if good == lowest and not bisection_holds(good):
        good, _ = _doubling_then_bisection(doubling_holds, bisection_holds, rule)
    elif bad == highest and bisection_holds(highest):
        good, _ = _doubling_then_bisection(doubling_holds, bisection_holds, rule, start=highest)
    return good


def _bisect(holds: Callable[[float], bool], good: float, bad: float, steps: int) -> tuple[float, float]:
    for _ in range(steps):
        middle = (good + bad) / 2
        if holds(middle):
            good = middle
        else:
            bad = middle
    return good, bad

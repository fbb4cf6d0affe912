"""What a run measures: its subject (bench.method.subject) and each question's rounds (declared by
the question, chosen for a quick run, a full run or the gate)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.method.rounds import Knobs, Rounds
from bench.method.subject import ModelFile, Subject, SuiteModel

P99_BOUND_MS = 50.0  # the p99 a set-up must keep in the open loop (`--p99-bound-ms`)


@dataclass(frozen=True)
class Plan:
    quick: bool
    workers: tuple[int, ...]
    # each question's rounds (its record → Rounds), from its Knobs for this kind of run
    rounds: Mapping[str, Rounds] = field(default_factory=dict, compare=False)
    extended: bool = False  # the cases that cost a full run most and teach least, off by default
    p99_bound_ms: float = P99_BOUND_MS
    # the suite's model, a model file or someone else's server (bench.method.subject)
    subject: Subject = field(default_factory=SuiteModel, compare=False)
    peers: tuple[str, ...] = ()  # the model servers of serving.peers measured beside ours (--bench-peers)
    # the opt-in questions' flags given (bench.questions.question.Question.opt_in): "capacity"
    # (--bench-capacity), "extended" (--bench-extended, which brings the capacity search too)
    opted_in: frozenset[str] = frozenset()

    def asks(self, question) -> bool:
        """Whether `question` (bench.questions.question.Question) is measured at all: not when it is
        opt-in and its flag was not given (a quick run, a smoke run of every question, takes them all),
        nor when its rounds for this kind of run are none (a quick run's cold starts)."""
        if question.opt_in and not self.quick and question.opt_in not in self.opted_in:
            return False
        return question.record not in self.rounds or self.rounds[question.record].rounds > 0

    def rounds_of(self, record: str) -> Rounds:
        """The rounds of the question whose records are `record` (its `KNOBS` for this kind of run)."""
        if record not in self.rounds:  # a question that measures in rounds declares them: never a silent 0
            raise KeyError(f"the plan has no rounds for {record!r}: its question declares no KNOBS for this run")
        return self.rounds[record]

    @classmethod
    def from_options(cls, knobs: Mapping[str, Knobs], quick: bool, workers: str | None, extended: bool = False,
                     p99_bound_ms: float = P99_BOUND_MS, subject: Subject | None = None,
                     peers: str | None = None, capacity: bool = False) -> Plan:
        """A run's plan: every question's quick or full rounds from `knobs` (the registry's), the
        worker counts of `--bench-workers`, the peers of `--bench-peers` ("all" or names, comma-separated),
        the opt-in questions of `--bench-capacity` and `--bench-extended`."""
        try:
            # 4 workers on 2 cores gained 0-7 % over 2 (intervals touching 1) for 14 s of the run
            sweep = tuple(int(w) for w in workers.split(",")) if workers else ((1, 2, 4) if extended and not quick else (1, 2))
        except ValueError:
            sweep = ()
        if not sweep or min(sweep) < 1:
            raise ValueError(f"--bench-workers needs positive integers, got {workers!r}")
        if not p99_bound_ms > 0:
            raise ValueError(f"--p99-bound-ms needs a positive number of milliseconds, got {p99_bound_ms:g}")
        if peers and subject is not None and not isinstance(subject, (SuiteModel, ModelFile)):
            raise ValueError("--bench-peers serves the suite's model or a --model file in each peer: not with --serving-url")
        rounds = {record: knob.quick if quick else knob.full for record, knob in knobs.items()}
        opted_in = {"capacity", "extended"} if extended else {"capacity"} if capacity else set()
        return cls(quick, sweep, rounds, extended and not quick, p99_bound_ms, subject or SuiteModel(), peer_names(peers),
                   frozenset(opted_in))

    @classmethod
    def for_gate(cls, knobs: Mapping[str, Knobs], overrides: Mapping[str, Rounds] | None = None) -> Plan:
        """The regression gate's plan (`python -m bench.gate`): each gated question's gate rounds,
        `overrides` (the gate's flags) replacing some."""
        rounds = {record: knob.gate for record, knob in knobs.items() if knob.gate is not None}
        return cls(False, (1, 2), {**rounds, **(overrides or {})})


def peer_names(flag: str | None) -> tuple[str, ...]:
    """`--bench-peers`: none (no flag), every peer ("all"), or the ones named, comma-separated."""
    from serving.peers import PEERS

    if not flag:
        return ()
    names = tuple(PEERS) if flag == "all" else tuple(name.strip() for name in flag.split(",") if name.strip())
    unknown = [name for name in names if name not in PEERS]
    if unknown or not names:
        named = ", ".join(unknown) or repr(flag)
        raise ValueError(f"--bench-peers: unknown peer {named}; choose from all, {', '.join(PEERS)}")
    return names

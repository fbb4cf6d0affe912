"""The stored record of one figure: what a benchmark writes into pytest-benchmark's
`extra_info`, and what the report reads back.

pytest-benchmark stores its own statistics (`stats`) beside it; this record says
which question the figure answers, how the measured server was set up (as the
server itself reported it), how it was measured, and the figures that are not a
time per round (percentiles per request, rates, trials). Reading a record with a
field this module does not know fails loudly instead of dropping a report section.
The run's paired ratios are `bench.method.paired.Comparison` records, stored beside.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, fields

# A record names its question: the `RECORD` of its module in bench.questions (the registry's key).


class RecordError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    question: str  # a key of bench.questions.QUESTIONS (checked by the report that reads it back)
    graph: str | None  # None: no graph (the client's cost)
    setup: str  # the plan's name of the set-up, `bench.method.plan.ServerConfig.id`
    server_setup: dict  # what the measured server reported of itself (`/healthz`), or this process for in-process
    text_chars_mean: float | None = None  # the texts sent
    # how it was measured: every case of a group in one rotation (bench.method.paired)
    method: str | None = None
    rotation_cases: list[str] | None = None
    rotation_rounds: int | None = None
    # whether the samples are steady enough to trust (bench.method.validity); None: not judged
    valid: bool | None = None
    validity_reason: str | None = None
    # per request, client side (for bursts: each request of every burst)
    requests: int | None = None
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    p99_9_ms: float | None = None
    max_ms: float | None = None
    # the measured processes' memory after warm-up, MB (bench.harness.memory.process_tree_memory)
    memory: dict | None = None
    # cold start: the launched worker's own load and warm-up (medians over launches, /healthz);
    # the rest of a launch is Python, the server and the runtime's import
    load_ms: float | None = None
    warmup_ms: float | None = None
    # after idle: how long server and client were idle before each timed request (0: steady)
    idle_ms: float | None = None
    # bursts
    threads: int | None = None  # requests released together
    latency_by_rank_ms: list[float] | None = None
    # open loop
    max_rate: float | None = None
    p99_bound_ms: float | None = None
    trials: list[dict] | None = None
    # the client's cost: windows of our client alternating with wrk's on the same server
    client_window_p50_ms: float | None = None
    wrk_window_p50_ms: float | None = None
    client_cost_ms: float | None = None
    # instructions (bench.questions.instructions): {"per_request": callgrind's count per request through
    # the app in-process, "calls": how many requests were counted}
    instructions: dict[str, float] | None = None

    # The measured server's facts, as it reported them.
    @property
    def server(self) -> str | None:
        return self.server_setup.get("server")

    @property
    def workers(self) -> int:
        return int(self.server_setup.get("workers") or 1)

    @property
    def cpu_count(self) -> int | None:
        return self.server_setup.get("cpu_count")

    @property
    def tensorflow_version(self) -> str | None:
        return self.server_setup.get("tensorflow_version")

    def as_extra_info(self) -> dict:
        return asdict(self)

    @classmethod
    def from_extra_info(cls, extra_info: dict, questions: Collection[str] | None = None) -> Figure:
        """The stored record; with `questions` (the registry's names), one of an unknown question fails."""
        if questions is not None and extra_info.get("question") not in questions:
            raise RecordError(f"unknown question {extra_info.get('question')!r}; one of {', '.join(questions)}")
        unknown = set(extra_info) - {item.name for item in fields(cls)}
        if unknown:
            raise RecordError(f"stored figure has fields this version does not know: {', '.join(sorted(unknown))} "
                              "(a run saved before typed records, or by a newer version)")
        return cls(**extra_info)

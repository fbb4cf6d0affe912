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

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields

# A record names its question: the `RECORD` of its module in bench.questions (the registry's key).
# Format 2 keeps a question's own figures in `part`; format 1 (no `record_format`, runs saved
# before 2026-12-02, e.g. the reference run 0015) had every question's fields side by side, and is
# read by moving the ones set into `part` (asv's way: migrate on reading, never refuse an old run).
RECORD_FORMAT = 2


class RecordError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    question: str  # a key of bench.questions.QUESTIONS (checked by the report that reads it back)
    graph: str | None  # None: no graph (the client's cost)
    setup: str  # the plan's name of the set-up, `bench.method.cases.ServerConfig.id`
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
    # the question's own figures, as its module's `Part` declares them (bench.questions: e.g. a cold
    # start's load and warm-up, a burst's threads, an open loop's trials); {} for a question without
    part: dict = field(default_factory=dict)
    record_format: int = RECORD_FORMAT

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

    def get(self, name: str):
        """One of the question's own figures (`part`), None when it has none of that name."""
        return self.part.get(name)

    def as_extra_info(self) -> dict:
        return asdict(self)

    @classmethod
    def from_extra_info(cls, extra_info: dict, parts: Mapping[str, Collection[str]] | None = None) -> Figure:
        """The stored record, of either format. With `parts` (question -> the names of its own
        figures, from the registry), a record of an unknown question, or with a figure its
        question does not declare, fails loudly instead of dropping a report section."""
        common = {item.name for item in fields(cls)}
        record = dict(extra_info)
        if record.get("record_format", 1) > RECORD_FORMAT:
            raise RecordError(f"stored figure has record format {record['record_format']}, newer than this "
                              f"version's {RECORD_FORMAT}")
        if "record_format" not in record:  # format 1: the question's own figures side by side with the rest
            record["part"] = {name: value for name, value in record.items() if name not in common and value is not None}
            record = {name: value for name, value in record.items() if name in common}
            record["record_format"] = RECORD_FORMAT
        unknown = set(record) - common
        if parts is not None:
            question = record.get("question")
            if question not in parts:
                raise RecordError(f"unknown question {question!r}; one of {', '.join(parts)}")
            unknown |= {f"part.{name}" for name in record.get("part", {})} - {f"part.{name}" for name in parts[question]}
        if unknown:
            raise RecordError(f"stored figure has fields this version does not know: {', '.join(sorted(unknown))} "
                              "(a run saved before typed records, or by a newer version)")
        return cls(**record)

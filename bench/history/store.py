"""The history store: one JSON record a line (`records.jsonl`) per commit and figure, and each
counted commit's profile by function (`profiles/`), in a folder of its own.

A record: {"series": "instructions static", "commit", "date" (the commit's), "subject", "value"
(None when the commit could not be counted), "low", "high" (an interval, wall clocks only), "unit",
"status" ("ok" or why not), "source" ("counted" or the saved run's file), "environment"}."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT = Path(".benchmarks") / "history"  # beside pytest-benchmark's saved runs (the CI cache carries both)


class StoreError(Exception):
    """The store cannot be read (missing, empty, not ours); one line for the user."""


@dataclass(frozen=True)
class Record:
    series: str
    commit: str
    date: str
    subject: str
    value: float | None
    unit: str
    status: str = "ok"
    source: str = "counted"
    low: float | None = None
    high: float | None = None
    environment: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.value is not None


class Store:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.records_file = self.folder / "records.jsonl"
        self.profiles = self.folder / "profiles"

    def records(self) -> list[Record]:
        if not self.records_file.is_file():
            return []
        try:
            return [Record(**json.loads(line)) for line in self.records_file.read_text().splitlines() if line.strip()]
        except (json.JSONDecodeError, TypeError) as error:
            raise StoreError(f"{self.records_file}: not a history store ({error})") from None

    def require_records(self) -> list[Record]:
        found = self.records()
        if not found:
            raise StoreError(f"{self.folder}: the history store is empty (python -m bench.history record RANGE first)")
        return found

    def add(self, records: list[Record]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.records_file.open("a") as out:
            for record in records:
                out.write(json.dumps(asdict(record)) + "\n")

    def has(self, series: str, commit: str) -> bool:
        """Whether `commit` was counted for `series` (successfully or not)."""
        return any(r.series == series and r.commit == commit and r.source == "counted" for r in self.records())

    def sources(self) -> set[str]:
        """The saved runs (file names) taken in so far."""
        return {r.source for r in self.records() if r.source != "counted"}

    def value(self, series: str, commit: str) -> float | None:
        found = [r.value for r in self.records() if r.series == series and r.commit == commit and r.ok]
        return found[-1] if found else None

    def save_profile(self, commit: str, graph: str, profile: dict) -> None:
        self.profiles.mkdir(parents=True, exist_ok=True)
        (self.profiles / f"{commit[:12]}-{graph}.json").write_text(json.dumps(profile))

    def profile(self, commit: str, graph: str) -> dict | None:
        path = self.profiles / f"{commit[:12]}-{graph}.json"
        return json.loads(path.read_text()) if path.is_file() else None

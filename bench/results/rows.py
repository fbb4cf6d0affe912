"""A saved run's benchmarks as rows (pytest-benchmark's name, group and median, and our record), and
which graph the run's headline compares others with: what the report and each question's own
sections read."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bench.results.records import Figure


@dataclass(frozen=True)
class Row:
    """One stored benchmark: pytest-benchmark's name, group and median, and our record."""
    group: str
    case: str  # e.g. "static-gunicorn-w2"
    median_ms: float
    figure: Figure

    @property
    def graph(self) -> str | None:
        return self.figure.graph

    @property
    def setup(self) -> str:
        """How it was served, e.g. "gunicorn-w2" (bench.method.cases.ServerConfig.id)."""
        return self.figure.setup

    @property
    def scenario(self) -> str:
        """The question and server set-up without the graph kind: what static and dynamic share."""
        return f"{self.figure.question} [{self.setup}]"


def load_rows(run: dict, parts: Mapping[str, tuple[str, ...]]) -> list[Row]:
    """`parts`: each question's own figures, by its record (bench.questions.parts)."""
    return [Row(group=bench["group"] or "", case=bench.get("param") or bench["name"],
                median_ms=bench["stats"]["median"] * 1000.0, figure=Figure.from_extra_info(bench.get("extra_info", {}), parts))
            for bench in run["benchmarks"]]


def reference(run: dict | None) -> tuple[str, str]:
    """(graph, words) the headline compares with: the seed's frozen graph, or a model file as given."""
    model = (run or {}).get("model")
    return (model["given"], "the model as given") if model else ("static", "the seed's frozen graph")


def verdict(figure: Figure) -> str:
    if figure.valid is None:
        return "–"
    return "VALID" if figure.valid else f"**INVALID**: {figure.validity_reason}"


def fastest(rows: list[Row], record: str, what: str, measure: str, seed_setup: str, run: dict | None) -> list[str]:
    """The fastest served set-up for one question, the next one, and the reference (the seed's frozen
    graph, or a model file as given) on `seed_setup`, as measured in the question's one rotation
    (medians; their paired ratios are in the report's answers)."""
    served = sorted((row for row in rows if row.figure.question == record and row.setup != "in-process"),
                    key=lambda row: row.median_ms)
    if not served:
        return []
    graph, words_for = reference(run)
    best, seed = served[0], next((row for row in served if row.graph == graph and row.setup == seed_setup), None)
    words = [f"- **Fastest for {what}**: `{best.graph}` on {best.setup}, {measure} **{best.median_ms:.2f} ms** "
             f"({verdict(best.figure)})"]
    if len(served) > 1:
        words.append(f"next `{served[1].graph}` on {served[1].setup}, {served[1].median_ms:.2f} ms")
    if seed is not None and seed is not best:
        words.append(f"{words_for} on {seed.setup} {seed.median_ms:.2f} ms "
                     f"({seed.median_ms / best.median_ms:.1f}× the fastest)")
    return ["; ".join(words) + f" (of {len(served)} set-ups measured side by side)."]


def static_vs_dynamic(rows: list[Row]) -> list[tuple[str, float, float, float, bool]]:
    """(scenario, dynamic ms, static ms, dynamic/static, both valid): ratio > 1 means static is faster."""
    by_scenario: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_scenario.setdefault(row.scenario, {})[row.graph] = row
    pairs = []
    for scenario, graphs in sorted(by_scenario.items()):
        if "dynamic" in graphs and "static" in graphs:
            dynamic, static = graphs["dynamic"].median_ms, graphs["static"].median_ms
            valid = all(graphs[g].figure.valid is not False for g in ("dynamic", "static"))
            pairs.append((scenario, dynamic, static, dynamic / static, valid))
    return pairs

"""`python -m bench.report`: a saved pytest-benchmark run → markdown tables and PNG plots.

Reads pytest-benchmark's own JSON (under `.benchmarks/`), so any saved run can be
reported later, on any machine. Writes `report.md`, `answers.png` (every answer's
ratio with its interval), `burst_latency_by_rank.png` (the seed's comparison.png,
per graph kind), `static_vs_dynamic.png` and `capacity_curves.png` (each set-up's throughput-latency curve).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from bench.method.verdicts import GATE_THRESHOLDS
from bench.questions import QUESTIONS, open_loop, single_requests
from bench.questions import bursts as burst_question
from bench.results import pages
from bench.results.formatting import fmt, section
from bench.results.records import Figure
from bench.results.saved_runs import DEFAULT_STORAGE, find_run

PARTS = {record: question.part for record, question in QUESTIONS.items()}  # each question's own figures
DEFAULT_OUT = Path("reports")


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
        """How it was served, e.g. "gunicorn-w2" (bench.method.plan.ServerConfig.id)."""
        return self.figure.setup

    @property
    def scenario(self) -> str:
        """The question and server set-up without the graph kind: what static and dynamic share."""
        return f"{self.figure.question} [{self.setup}]"


def load_rows(run: dict) -> list[Row]:
    return [Row(group=bench["group"] or "", case=bench.get("param") or bench["name"],
                median_ms=bench["stats"]["median"] * 1000.0, figure=Figure.from_extra_info(bench.get("extra_info", {}), PARTS))
            for bench in run["benchmarks"]]


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


def answers_table(comparisons: list[dict]) -> list[str]:
    """The run's stored `comparisons` (bench.method.paired.Comparison) as a markdown table, in the
    registry's order of questions (after idle, the longest and least certain, last)."""
    from bench.results.comparison import Comparison

    if not comparisons:
        return ["This run stored no paired ratios (it was made before paired measurement, or measured one case)."]
    order = list(QUESTIONS)

    def question_index(entry: dict) -> int:
        return next((index for index, record in enumerate(order) if entry["name"].startswith(record)), len(order))

    lines = ["| question | ratio | interval | answer |", "|---|---:|---|---|"]
    for entry in sorted(comparisons, key=question_index):
        c = Comparison.from_json(entry)
        lines.append(f"| {c.name} | {c.ratio:.3f} | [{c.low:.3f}, {c.high:.3f}] ({c.confidence:.0%}) | {c.words()} |")
    return lines


def memory_table(rows: list[Row]) -> list[str]:
    """A markdown table: one row per measured server (kind and set-up), its processes' memory."""
    servers: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row.figure.memory and row.figure.question in (single_requests.RECORD, burst_question.RECORD):
            servers.setdefault((row.setup, row.graph), row.figure.memory)
    if not servers:
        return []
    lines = ["| set-up | graph | processes | RSS | PSS | USS | PSS per worker | PSS ÷ static |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for (setup, graph), memory in sorted(servers.items()):
        static = servers.get((setup, "static"))
        ratio = f"{memory['pss_mb'] / static['pss_mb']:.2f}" if static and static["pss_mb"] else "–"
        lines.append(f"| {setup} | {graph} | {memory['processes']} | {memory['rss_mb']:.0f} | {memory['pss_mb']:.0f} | "
                     f"{memory['uss_mb']:.0f} | {fmt(memory.get('worker_pss_mb'), 0)} | {ratio} |")
    return lines


# The seed's question, static ÷ dynamic, as the run's comparisons name it: (words, comparison)
SEED_RATIOS = (("load + first prediction", "load + first prediction: static / dynamic"),
               ("cold start (launch to healthy)", "cold start gunicorn-w1: static / dynamic"),
               ("a request in-process", "request in-process: static / dynamic"),
               ("over gunicorn, 1 worker", "request gunicorn-w1: static / dynamic"),
               ("a burst of 20 on 1 worker", "burst of 20 gunicorn-w1: static / dynamic"),
               ("on 2 workers", "burst of 20 gunicorn-w2: static / dynamic"))


def headline(run: dict, rows: list[Row]) -> list[str]:
    """The report's first lines: what a newcomer came for, each figure from this run."""
    comparisons = {c["name"]: c for c in run.get("comparisons", [])}
    seed = [f"{words} **{c['ratio']:.3f}** [{c['low']:.3f}, {c['high']:.3f}]"
            for words, name in SEED_RATIOS if (c := comparisons.get(name))]
    lines = ["## In short", ""]
    model = run.get("model")
    if model:  # a run on a model file (`--model`): which, and what became of each form
        unavailable = [f"`{name}` ({reason})" for name, reason in model["forms"].items() if reason != "measured"]
        lines.append(f"- **Model**: `{model['path']}` ({model['format']}, sha256 {model['sha256'][:12]}), as given: "
                     f"`{model['given']}`; measured: "
                     + ", ".join(f"`{name}`" for name, reason in model["forms"].items() if reason == "measured")
                     + (f"; unavailable: {'; '.join(unavailable)}" if unavailable else "") + ".")
    reference = (model["given"], "the model as given") if model else ("static", "the seed's frozen graph")
    if seed:
        lines.append(("- **What freezing did**: the frozen graph's time ÷ the model as given's" if model else
                      "- **The seed's question**: the frozen graph's time ÷ model code + checkpoint's")
                     + " (below 1: the frozen graph is faster), with 95 % intervals: " + "; ".join(seed) + ".")
    lines += _fastest(rows, single_requests.RECORD, "one request at a time", "p50", "gunicorn-w1", reference)
    lines += _fastest(rows, burst_question.RECORD, "a burst of 20 requests", "burst time", "gunicorn-w2", reference)
    for question in QUESTIONS.values():  # the answers questions put in words themselves (bench.questions)
        if question.headline:
            lines += question.headline(rows, run)
    if model:  # the gate gates the suite's own code, not a model file
        return lines
    counts = [f"{row.graph} {row.figure.get('per_request') / 1e6:.3f} M" for row in rows
              if row.figure.get("per_request") is not None and row.figure.get("executor")]
    lines.append(
        f"- **What `python -m bench.gate` fails a change for** (it measures the change and its base side by side): "
        f"instructions per request (the request path's threads, the model's kernels included) up by more than "
        f"{GATE_THRESHOLDS['exact']:.0%}"
        + (f" (this run counted {', '.join(counts)})" if counts else "")
        + f"; single requests slower by more than {GATE_THRESHOLDS['fine']:.0%}; bursts and loads by more than "
        f"{GATE_THRESHOLDS['coarse']:.0%}; each only when its interval is wholly beyond the threshold.")
    return lines


def _fastest(rows: list[Row], record: str, what: str, measure: str, seed_setup: str,
             reference: tuple[str, str] = ("static", "the seed's frozen graph")) -> list[str]:
    """The fastest served set-up for one question, the next one, and the reference (the seed's frozen
    graph, or a model file as given) on `seed_setup`, as measured in the question's one rotation
    (medians; their paired ratios are in the table below)."""
    served = sorted((row for row in rows if row.figure.question == record and row.setup != "in-process"),
                    key=lambda row: row.median_ms)
    if not served:
        return []
    best, seed = served[0], next((row for row in served if row.graph == reference[0] and row.setup == seed_setup), None)
    words = [f"- **Fastest for {what}**: `{best.graph}` on {best.setup}, {measure} **{best.median_ms:.2f} ms** "
             f"({_verdict(best.figure)})"]
    if len(served) > 1:
        words.append(f"next `{served[1].graph}` on {served[1].setup}, {served[1].median_ms:.2f} ms")
    if seed is not None and seed is not best:
        words.append(f"{reference[1]} on {seed.setup} {seed.median_ms:.2f} ms "
                     f"({seed.median_ms / best.median_ms:.1f}× the fastest)")
    return ["; ".join(words) + f" (of {len(served)} set-ups measured side by side)."]


def page_blocks(run: dict, run_path: Path) -> dict[str, str]:
    """Every block a page may quote (bench.results.pages), rendered from the saved run."""
    rows = load_rows(run)
    commit = run.get("commit_info", {})
    memory = run.get("peak_memory") or {}
    return {
        "in-short": "\n".join(headline(run, rows)[2:]),  # without its heading
        "run": (f"Run `{Path(run_path).name.split('_')[0]}` of commit `{commit.get('id', '?')[:7]}`"
                f"{' (with uncommitted changes)' if commit.get('dirty') else ''}, {run.get('datetime', '?')[:10]}; "
                + (f"{run['run_seconds']:.0f} s from pytest's start to the saved run; " if "run_seconds" in run else "")
                + f"{memory.get('machine_used_peak_mb', '?')} MB used on the machine at its peak, "
                f"{memory.get('run_peak_mb', '?')} MB more than before it."),
        "cases": "\n".join(cases_measured(rows)),
    }


def cases_measured(rows: list) -> list[str]:
    """What the run measured, question by question, in the registry's order."""
    lines = []
    for record in QUESTIONS:
        cases = sorted({f"{row.graph or '–'} {row.setup}".strip() for row in rows if row.figure.question == record})
        if cases:
            lines.append(f"- {record}: " + ", ".join(f"`{case}`" for case in cases))
    return lines


def _verdict(figure: Figure) -> str:
    if figure.valid is None:
        return "–"
    return "VALID" if figure.valid else f"**INVALID**: {figure.validity_reason}"


def markdown(run: dict, source: Path) -> str:
    rows = load_rows(run)
    machine = run.get("machine_info", {})
    # the first figure a server reported for (instruction counts have no server, onnx no TensorFlow)
    first = next((row.figure for row in rows if row.figure.cpu_count), None)
    tensorflow = next((row.figure.tensorflow_version for row in rows if row.figure.tensorflow_version), "?")
    lines = [
        "# tfserve-bench report",
        "",
        f"Run `{source.name}`, {run.get('datetime', '?')}, commit `{run.get('commit_info', {}).get('id', '?')[:10]}`"
        f"{' (uncommitted changes)' if run.get('commit_info', {}).get('dirty') else ''}.",
        f"Machine: {machine.get('cpu', {}).get('brand_raw', machine.get('processor', '?'))}, "
        f"{first.cpu_count if first else '?'} CPUs, Python {machine.get('python_version', '?')}, "
        f"TensorFlow {tensorflow} (as the servers report it), "
        f"gunicorn {machine.get('client', {}).get('packages', {}).get('gunicorn', '?')}.",
        *([f"Peak memory: {memory['machine_used_peak_mb']} MB used on the machine, "
           f"{memory['run_peak_mb']} MB more than before the run."] if (memory := run.get("peak_memory")) else []),
        "",
        *headline(run, rows),
        "",
        "## Answers",
        "",
        "Paired ratios of times, numerator ÷ denominator (below 1: the numerator is faster), every case of a",
        "group measured in one rotation (`bench.method.paired`); median of per-round ratios, bootstrap interval.",
        "",
    ]
    lines += answers_table(run.get("comparisons", []))
    lines += section("Memory by kind and server", memory_table(rows),
                     "Each measured server's processes (master and workers, or the in-process worker) after warm-up, "
                     "MB: RSS counts shared pages once per process, PSS shares them out (the processes' PSS adds up "
                     "to what they hold together), USS is what each holds alone. PSS ÷ static: the same set-up's "
                     "static server.")
    for question in QUESTIONS.values():  # the sections questions bring themselves (bench.questions)
        if question.report:
            lines += question.report(rows)
    lines += ["", "## All benchmarks", "",
              "Latency percentiles are per request, client side; for bursts the median is the burst's wall clock.", "",
              "| group | case | median (ms) | p50 | p90 | p99 | max | req/s | requests | verdict |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in sorted(rows, key=lambda r: (r.group, r.case)):
        f = row.figure
        if f.get("per_request") is not None:  # a count of instructions, in its own section
            continue
        lines.append(
            f"| {row.group} | {row.case} | {row.median_ms:.2f} | {fmt(f.p50_ms)} | {fmt(f.p90_ms)} | "
            f"{fmt(f.p99_ms)} | {fmt(f.max_ms)} | {fmt(f.requests_per_second, 1)} | "
            f"{f.requests if f.requests is not None else '–'} | {_verdict(f)} |"
        )
    return "\n".join(lines) + "\n"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _save(figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)


def plot_burst_by_rank(rows: list[Row], path: Path) -> bool:
    """Per-request latency by rank within a burst, a line per server set-up, a panel per graph kind."""
    bursts = [r for r in rows if r.figure.question == burst_question.RECORD and r.figure.get("latency_by_rank_ms")]
    if not bursts:
        return False
    plt = _pyplot()

    graphs = sorted({r.graph for r in bursts})
    figure, axes = plt.subplots(1, len(graphs), figsize=(6 * len(graphs), 4.5), sharey=True, squeeze=False)
    for axis, graph in zip(axes[0], graphs):
        for row in sorted((r for r in bursts if r.graph == graph), key=lambda r: (r.figure.server, r.figure.workers)):
            axis.plot(row.figure.get("latency_by_rank_ms"), marker="o", markersize=3, label=row.setup)
        axis.set_title(f"{graph} graph: burst of {bursts[0].figure.get('threads')} requests")
        axis.set_xlabel("request, fastest to slowest (median over bursts)")
        axis.set_ylabel("client latency (ms)")
        axis.grid(alpha=0.3)
        axis.legend()
    _save(figure, path)
    return True


def plot_static_vs_dynamic(rows: list[Row], path: Path) -> bool:
    pairs = static_vs_dynamic(rows)
    if not pairs:
        return False
    plt = _pyplot()

    figure, axis = plt.subplots(figsize=(9, 0.5 * len(pairs) + 1.5))
    positions = range(len(pairs))
    axis.barh([p - 0.2 for p in positions], [pair[1] for pair in pairs], height=0.4, label="dynamic")
    axis.barh([p + 0.2 for p in positions], [pair[2] for pair in pairs], height=0.4, label="static")
    axis.set_yticks(list(positions), [scenario for scenario, *_ in pairs], fontsize=8)
    axis.set_xscale("log")
    axis.set_xlabel("median (ms, log scale)")
    axis.set_title("static vs dynamic graph, side by side")
    axis.legend()
    _save(figure, path)
    return True


def plot_answers(comparisons: list[dict], path: Path) -> bool:
    """Every stored answer as its ratio with its interval, a row each, a line at 1; steady
    questions in one panel, after-idle ones in another."""
    from bench.results.comparison import Comparison

    answers = [Comparison.from_json(entry) for entry in comparisons]
    if not answers:
        return False
    plt = _pyplot()

    panels = [(title, chosen) for title, chosen in (
        ("steady: requests, bursts, loads and launches", [a for a in answers if not a.name.startswith("after idle")]),
        ("after idle", [a for a in answers if a.name.startswith("after idle")])) if chosen]
    heights = [len(chosen) for _, chosen in panels]
    figure, axes = plt.subplots(len(panels), 1, figsize=(10, 0.28 * sum(heights) + 1.6 * len(panels)),
                                gridspec_kw={"height_ratios": heights}, squeeze=False)
    for axis, (title, chosen) in zip(axes[:, 0], panels):
        positions = list(range(len(chosen)))[::-1]
        ratios = [a.ratio for a in chosen]
        errors = [[a.ratio - a.low for a in chosen], [a.high - a.ratio for a in chosen]]
        axis.errorbar(ratios, positions, xerr=errors, fmt="o", markersize=4, capsize=3)
        axis.axvline(1.0, color="grey", linewidth=1)
        axis.set_yticks(positions, [a.name for a in chosen], fontsize=7)
        axis.set_xscale("log")
        axis.set_title(f"{title}: ratio of times, 95 % interval (below 1: the first is faster)", fontsize=9)
        axis.grid(alpha=0.3, axis="x")
    _save(figure, path)
    return True


def plot_capacity(rows: list[Row], path: Path) -> bool:
    """Throughput-latency curves: p99 (solid) and p50 (dotted) against the offered rate, a colour per
    set-up, the bound as a line; a hollow marker is a trial that failed (p99 over the bound, or errors)."""
    swept = [row for row in rows if row.figure.question == open_loop.RECORD and row.figure.get("trials")]
    if not swept:
        return False
    plt = _pyplot()

    figure, axis = plt.subplots(figsize=(9, 5.5))
    for row in swept:
        trials = sorted(row.figure.get("trials"), key=lambda t: t["rate"])
        by_rate: dict[float, list[dict]] = {}
        for t in trials:  # the searches try some rates more than once: the line goes through their medians
            by_rate.setdefault(t["rate"], []).append(t)
        rates = list(by_rate)
        (line,) = axis.plot(rates, [median(t["p99_ms"] for t in tried) for tried in by_rate.values()],
                            label=f"{row.graph} {row.setup}")
        axis.plot(rates, [median(t["p50_ms"] for t in tried) for tried in by_rate.values()],
                  linestyle=":", color=line.get_color())
        for t in trials:
            axis.plot(t["rate"], t["p99_ms"], "o", markersize=4, color=line.get_color(),
                      markerfacecolor=line.get_color() if t["passed"] else "none")
    axis.axhline(swept[0].figure.get("p99_bound_ms"), color="grey", linewidth=1, linestyle="--", label="p99 bound")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("offered rate (requests/s, open loop, log scale)")
    axis.set_ylabel("latency from scheduled send (ms, log scale): p99 solid, p50 dotted")
    axis.set_title("How much traffic each set-up holds (hollow: the trial failed)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    _save(figure, path)
    return True


def write_report(run_path: Path, out: Path) -> list[Path]:
    run = json.loads(Path(run_path).read_text())
    out.mkdir(parents=True, exist_ok=True)
    rows = load_rows(run)
    written = [out / "report.md"]
    written[0].write_text(markdown(run, Path(run_path)))
    if plot_answers(run.get("comparisons", []), out / "answers.png"):
        written.append(out / "answers.png")
    for name, plot in (("burst_latency_by_rank.png", plot_burst_by_rank), ("static_vs_dynamic.png", plot_static_vs_dynamic),
                       ("capacity_curves.png", plot_capacity)):
        if plot(rows, out / name):
            written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="a saved run: its JSON file or its number (e.g. 0006); default: the newest")
    parser.add_argument("--storage", type=Path, default=DEFAULT_STORAGE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pages", action="store_true",
                        help="also rewrite the README's and docs' marked blocks from this run (bench.results.pages): "
                             "for the reference run, `--storage docs/reference-run --out docs/reference-run --pages`")
    args = parser.parse_args(argv)
    try:
        run_path = find_run(args.storage, args.run)
        written = write_report(run_path, args.out)
        if args.pages:
            written += pages.write_pages(pages.ROOT, page_blocks(json.loads(run_path.read_text()), run_path))
    except (OSError, ValueError, KeyError) as error:  # RecordError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

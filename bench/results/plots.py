"""The report's plots of a whole run (every answer with its interval; static against dynamic per
scenario) and what every plot shares: matplotlib without a display, one way to save. A question's own
plots are in its module (`bench.questions.question.Question.plots`)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.results.rows import Row, static_vs_dynamic


def pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def save(figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot().close(figure)


def plot_static_vs_dynamic(rows: list[Row], path: Path) -> bool:
    pairs = static_vs_dynamic(rows)
    if not pairs:
        return False
    plt = pyplot()

    figure, axis = plt.subplots(figsize=(9, 0.5 * len(pairs) + 1.5))
    positions = range(len(pairs))
    axis.barh([p - 0.2 for p in positions], [pair[1] for pair in pairs], height=0.4, label="dynamic")
    axis.barh([p + 0.2 for p in positions], [pair[2] for pair in pairs], height=0.4, label="static")
    axis.set_yticks(list(positions), [scenario for scenario, *_ in pairs], fontsize=8)
    axis.set_xscale("log")
    axis.set_xlabel("median (ms, log scale)")
    axis.set_title("static vs dynamic graph, side by side")
    axis.legend()
    save(figure, path)
    return True


def plot_answers(comparisons: list[dict], path: Path, panel_of: Callable[[str], str]) -> bool:
    """Every stored answer as its ratio with its interval, a row each, a line at 1, a panel per
    `panel_of(its name)` (the steady questions together, the after-idle ones apart)."""
    from bench.results.comparison import Comparison

    answers = [Comparison.from_json(entry) for entry in comparisons]
    if not answers:
        return False
    plt = pyplot()

    titles = list(dict.fromkeys(panel_of(a.name) for a in answers))
    panels = [(title, [a for a in answers if panel_of(a.name) == title]) for title in titles]
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
    save(figure, path)
    return True

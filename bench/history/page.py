"""The history's report: an HTML page (one plot per series, steps marked, every point linked to its
commit), the plots as PNG beside it, and a markdown summary for a CI job."""
from __future__ import annotations

import html
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.harness.callgrind_profile import where_between  # noqa: E402
from bench.history.steps import Step  # noqa: E402
from bench.history.store import Record, Store  # noqa: E402


def commit_url(remote: str | None, sha: str) -> str | None:
    """A GitHub remote's page of the commit, or None (the page then shows the hash alone)."""
    found = re.match(r"(?:https://github\.com/|git@github\.com:)([^/]+/[^/]+?)(?:\.git)?$", remote or "")
    return f"https://github.com/{found.group(1)}/commit/{sha}" if found else None


def grown_lines(step: Step, store: Store, top: int = 5) -> list[str]:
    """For a count's step: the functions that grew between the commits on either side of it."""
    graph = step.series.removeprefix("instructions ")
    before, after = store.profile(step.previous, graph), store.profile(step.commit, graph)
    if not step.series.startswith("instructions ") or before is None or after is None:
        return []
    return where_between(before, after, top)


def step_words(step: Step) -> str:
    return (f"{step.series}: {step.size:+.2%} at {step.commit[:8]} ({step.subject}), "
            f"{step.before:,.4g} → {step.after:,.4g}")


def plot(name: str, points: list[Record], steps: list[Step], path) -> None:
    figure, axes = plt.subplots(figsize=(8, 2.8))
    x = list(range(len(points)))
    values = [p.value for p in points]
    if any(p.low is not None for p in points):
        axes.fill_between(x, [p.low for p in points], [p.high for p in points], alpha=0.2, label="95 % interval")
    axes.plot(x, values, marker="o", label=points[0].unit)
    for step in steps:
        axes.axvline(step.index - 0.5, color="red", linestyle="--")
        axes.annotate(f"{step.size:+.1%}", (step.index - 0.5, max(values)), color="red", ha="center", va="bottom")
    axes.set_xticks(x, [p.commit[:7] for p in points], rotation=60, fontsize=7)
    axes.set_title(name, fontsize=9)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def write(out, all_series: dict[str, list[Record]], steps: dict[str, list[Step]], store: Store,
          remote: str | None) -> tuple[str, str]:
    """Writes index.html, summary.md and a PNG per series into `out`; returns (html, markdown)."""
    out.mkdir(parents=True, exist_ok=True)
    body, summary = [], ["## Performance history: steps", ""]
    for number, (name, points) in enumerate(all_series.items()):
        image = f"series-{number:02d}.png"
        plot(name, points, steps[name], out / image)
        body += [f"<h2>{html.escape(name)}</h2>", f'<img src="{image}" alt="{html.escape(name)}">']
        for step in steps[name]:
            body.append(f"<p class=step>Step {html.escape(step_words(step))}</p><ul>"
                        + "".join(f"<li><code>{html.escape(line)}</code></li>" for line in grown_lines(step, store))
                        + "</ul>")
            summary += [f"- **{step_words(step)}**", *[f"  - `{line}`" for line in grown_lines(step, store)]]
        rows = "".join(
            f"<tr><td>{_link(remote, p.commit)}</td><td>{html.escape(p.date[:19])}</td><td>{html.escape(p.subject)}</td>"
            f"<td>{p.value:,.6g}</td><td>{'' if p.low is None else f'[{p.low:.4g}, {p.high:.4g}]'}</td></tr>"
            for p in points)
        body.append(f"<table><tr><th>commit</th><th>date</th><th>subject</th><th>value</th><th>interval</th></tr>"
                    f"{rows}</table>")
    if len(summary) == 2:
        summary.append("No step beyond the noise in any series.")
    page = ("<!doctype html><meta charset=utf-8><title>Performance history</title><style>body{font-family:sans-serif;"
            "max-width:60em}td,th{padding:2px 8px;font-size:85%}.step{color:#b00}</style><h1>Performance history</h1>"
            + "".join(body))
    (out / "index.html").write_text(page)
    (out / "summary.md").write_text("\n".join(summary) + "\n")
    return page, "\n".join(summary)


def _link(remote: str | None, sha: str) -> str:
    url = commit_url(remote, sha)
    return f'<a href="{url}">{sha[:8]}</a>' if url else f"<code>{sha[:8]}</code>"

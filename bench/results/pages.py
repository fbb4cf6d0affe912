"""The README's and docs' figures, written from one saved run: every figure a page quotes sits in a
marked block that `python -m bench.report --pages` rewrites from the run (`bench.report.page_blocks`),

    <!-- report:in-short -->
    ...(written from the run)...
    <!-- /report:in-short -->

and `tests/bench/test_pages.py` fails when a block is not what the reference run (`docs/reference-run/`)
renders, or when that run is older than the code that measures (`MEASURING_CODE`).
"""
from __future__ import annotations

import re
from pathlib import Path

BLOCK = re.compile(r"(?P<open><!-- report:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(?P<close><!-- /report:(?P=name) -->)", re.S)
# The code a run's figures depend on (git pathspecs): a commit that changes any of it makes the
# reference run stale. The report, the gate and these pages only read runs.
MEASURING_CODE = ("sentiment_model", "serving", "bench", "requirements.txt", ":(exclude)bench/report.py",
                  ":(exclude)bench/gate.py", ":(exclude)bench/results/pages.py", ":(exclude)bench/results/gate_report.py",
                  ":(exclude)bench/plugin/summary.py",  # the terminal summary prints stored figures, measures nothing
                  # the gate's own sides and verdicts: no figure of a suite run goes through them
                  ":(exclude)bench/questions/gating.py", ":(exclude)bench/method/verdicts.py")
ROOT = Path(__file__).resolve().parents[2]  # the checkout: README.md and docs/
REFERENCE_RUN_FOLDER = ROOT / "docs" / "reference-run"


def page_paths(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def rewrite(text: str, rendered: dict[str, str]) -> str:
    def body(match: re.Match) -> str:
        if match["name"] not in rendered:
            raise ValueError(f"no block named {match['name']!r} (there are: {', '.join(rendered)})")
        return match["open"] + rendered[match["name"]] + "\n" + match["close"]

    return BLOCK.sub(body, text)


def stale_blocks(root: Path, rendered: dict[str, str]) -> list[str]:
    """"page: block" for every marked block that `write_pages` would change."""
    return [f"{page.relative_to(root)}: {match['name']}" for page in page_paths(root)
            for match in BLOCK.finditer(page.read_text()) if rewrite(match[0], rendered) != match[0]]


def write_pages(root: Path, rendered: dict[str, str]) -> list[Path]:
    """Rewrite every page's blocks from the run's rendering; the pages that changed."""
    changed = []
    for page in page_paths(root):
        text = page.read_text()
        if (new := rewrite(text, rendered)) != text:
            page.write_text(new)
            changed.append(page)
    return changed

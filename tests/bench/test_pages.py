"""One truth: the figures the README and docs quote are the reference run's, and that run is not
older than the code that measures (bench.results.pages)."""
import json
import shutil
import subprocess

import pytest

from bench import report
from bench.results import pages


def reference_run():
    runs = sorted(pages.REFERENCE_RUN_FOLDER.glob("*.json"))
    assert len(runs) == 1, f"docs/reference-run/ must hold one saved run: {runs}"
    return runs[0]


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    run_path = reference_run()
    return report.page_blocks(json.loads(run_path.read_text()), run_path)


def test_every_figure_block_of_the_pages_is_what_the_reference_run_renders(rendered):
    stale = pages.stale_blocks(pages.ROOT, rendered)
    assert not stale, (f"these blocks are not the reference run's: {stale}; rewrite them with "
                       "`python -m bench.report --storage docs/reference-run --out docs/reference-run --pages`")


def test_the_readme_quotes_its_answers_and_its_run_from_blocks():
    names = {match["name"] for match in pages.BLOCK.finditer((pages.ROOT / "README.md").read_text())}
    assert {"in-short", "run"} <= names, names


def test_a_figure_changed_by_hand_in_a_page_is_found(tmp_path, rendered):
    shutil.copy(pages.ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(pages.ROOT / "docs", tmp_path / "docs")
    assert pages.stale_blocks(tmp_path, rendered) == []
    readme = tmp_path / "README.md"
    block = next(pages.BLOCK.finditer(readme.read_text()), None)
    digit = next(i for i, char in enumerate(block["body"]) if char.isdigit())
    changed = block["body"][:digit] + str((int(block["body"][digit]) + 1) % 10) + block["body"][digit + 1:]
    readme.write_text(readme.read_text().replace(block["body"], changed))
    assert pages.stale_blocks(tmp_path, rendered) == [f"README.md: {block['name']}"]
    pages.write_pages(tmp_path, rendered)  # and --pages puts it right
    assert pages.stale_blocks(tmp_path, rendered) == []


def test_the_reference_run_is_not_older_than_the_code_that_measures():
    commit = json.loads(reference_run().read_text())["commit_info"]
    assert not commit.get("dirty"), "the reference run was made from a checkout with uncommitted changes"
    known = subprocess.run(["git", "cat-file", "-e", f"{commit['id']}^{{commit}}"], cwd=pages.ROOT, capture_output=True)
    if known.returncode != 0:
        pytest.skip(f"the reference run's commit {commit['id'][:7]} is not in this clone's history (a shallow clone)")
    # what the measuring code is now against what it was at the run's commit (commits that changed it and
    # were reverted leave the run as fresh as it was)
    changed = subprocess.run(["git", "diff", "--name-only", commit["id"], "HEAD", "--", *pages.MEASURING_CODE],
                             cwd=pages.ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    assert not changed, (f"the reference run ({commit['id'][:7]}) is older than the code that measures: {len(changed)} "
                         f"file(s) differ, e.g. {changed[:5]}; re-record it (README: the reference run)")

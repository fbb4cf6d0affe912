"""The GitHub Actions workflow users copy: valid against GitHub's schema, and running only the
commands the README documents (so the two cannot drift apart)."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def validate(path: Path) -> subprocess.CompletedProcess:
    # the schema ships inside the package (--builtin-schema): nothing is downloaded
    command = shutil.which("check-jsonschema") or sys.executable
    prefix = [command] if command != sys.executable else [sys.executable, "-m", "check_jsonschema"]
    return subprocess.run([*prefix, "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_there_is_a_workflow():
    assert [path.name for path in WORKFLOWS] == ["bench.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_is_valid_for_github(path):
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_can_fail(tmp_path):
    broken = tmp_path / "broken.yml"
    workflow = yaml.safe_load(WORKFLOWS[0].read_text())
    workflow["jobs"]["main"]["runs-on"] = {"not": "a runner"}
    del workflow["jobs"]["pull-request"]["steps"]
    broken.write_text(yaml.safe_dump(workflow))
    assert validate(broken).returncode != 0


def workflow_commands(path: Path) -> list[str]:
    """Every `python -m ...` command of the workflow's `run:` scripts."""
    commands = []
    for job in yaml.safe_load(path.read_text())["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                for part in line.split("&&"):
                    if (found := re.search(r"python -m \S+.*?(?=\s*(\|\||$))", part.strip())):
                        commands.append(found.group(0).strip())
    return commands


def readme_code_lines() -> set[str]:
    """The code lines of the README and the docs pages it links (docs/*.md)."""
    text = "\n".join(path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    return {part.strip() for block in blocks for line in block.splitlines() for part in line.split("&&")}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_runs_only_the_readme_commands(path):
    commands = workflow_commands(path)
    assert "python -m pytest tests" in commands and "python -m pytest bench --bench-quick" in commands
    missing = [command for command in commands if command not in readme_code_lines()]
    assert not missing, f"in the workflow, not in the README's code blocks: {missing}"

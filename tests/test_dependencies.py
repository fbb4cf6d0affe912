"""Every third-party module the project imports is pinned in requirements.txt, directly.

A module that is imported but only arrives because another package depends on it (psutil
through locust, keras through TensorFlow) works until that package's next release drops it;
one that is imported and declared nowhere works only on a machine that happens to have it.
deptry reads every module of the tree (tests included, see `[tool.deptry]` in pyproject.toml)
and fails on both.
"""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def deptry(root: Path) -> subprocess.CompletedProcess:
    command = shutil.which("deptry", path=str(Path(sys.executable).parent)) or shutil.which("deptry")
    assert command, "deptry is not installed (it is pinned in requirements.txt)"
    # "." (not the absolute path): the excludes in pyproject.toml are patterns relative to the root
    return subprocess.run([command, "."], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent)})


def test_every_imported_module_is_declared():
    result = deptry(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_fails_on_an_undeclared_import(tmp_path):
    """The same configuration on a copy of the project whose requirements lack PyYAML and psutil."""
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_uses.py").write_text("import psutil\nimport yaml\nimport numpy\n")
    kept = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if not line.lower().startswith(("pyyaml", "psutil"))]
    (tmp_path / "requirements.txt").write_text("\n".join(kept) + "\n")
    result = deptry(tmp_path)
    report = result.stdout + result.stderr  # deptry writes its findings to stderr
    assert result.returncode != 0, report
    assert "'psutil'" in report and "'yaml'" in report, report
    assert "'numpy'" not in report, report

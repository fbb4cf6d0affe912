"""The gate judges every timed answer: a fast but wrong candidate fails (not slow: runs by default)."""
import subprocess
import sys

from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV
from tests.bench.test_gate import clone_with_commit


def swap_labels(repo):
    module = repo / "serving" / "classifier.py"
    text = module.read_text()
    assert '"label": self.labels[best],' in text
    module.write_text(text.replace('"label": self.labels[best],', '"label": self.labels[1 - best],  # injected: wrong'))


def test_gate_fails_a_candidate_that_answers_wrongly(tmp_path):
    """Fast answers that are wrong are not a speed-up: every timed answer is judged."""
    repo = clone_with_commit(tmp_path, "wrong", swap_labels)
    result = subprocess.run([sys.executable, "-m", "bench.gate", "--base", "HEAD~1", "--candidate", str(repo),
                             "--graph", "static", "--rounds", "3", "--requests", "5", "--group", "requests"],
                            cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL: candidate static-gunicorn-w1 answered wrongly: label" in result.stderr

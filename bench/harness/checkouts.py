"""Other commits' code beside this checkout: a commit checked out in a temporary git worktree, and
a checkout's own model trained (or reused from the cache, keyed by the model's code) with the
answers it gives. Shared by the regression gate (base and candidate) and the history (each commit)."""
from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.harness import side_scripts
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV


class CheckoutError(Exception):
    """A commit cannot be checked out or its model trained: one line for the user."""


@dataclass(frozen=True)
class Side:
    """One checkout (the gate's base or candidate, a commit of the history): its root, its own
    trained model and what that model answers."""

    name: str
    root: Path
    artifacts: Path
    expected: Mapping[str, float]


def git(*args: str, cwd: Path = PROJECT_ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckoutError(f"git {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


@contextlib.contextmanager
def checkout(ref: str, repository: Path) -> Iterator[Path]:
    """`ref` checked out in a temporary worktree of `repository`, removed afterwards whatever happens."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}", cwd=repository)
    with tempfile.TemporaryDirectory(prefix="gate-base-") as scratch:
        root = Path(scratch) / "base"
        git("worktree", "add", "--detach", str(root), commit, cwd=repository)
        try:
            yield root
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(root)], cwd=repository, capture_output=True)


def prepare_side(name: str, root: Path, cache: Path, texts: list[str]) -> Side:
    """Train (or reuse) the default model with that checkout's own code, and the P(POSITIVE) its
    static graph gives each text in-process: what that side's answers must be."""
    try:
        result = subprocess.run(side_scripts.command("side_artifacts", str(cache), json.dumps(texts)), cwd=root,
                                capture_output=True, text=True, env={**ROOT_ENV, "PYTHONPATH": str(root)}, timeout=900)
    except subprocess.TimeoutExpired:
        raise CheckoutError(f"cannot train the model in {root}: no model within 900 s") from None
    if result.returncode != 0:
        raise CheckoutError(f"cannot train the model in {root}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return Side(name, root, Path(found["artifacts"]), found["expected"])

"""Saved runs, found as pytest-benchmark finds them (`--benchmark-compare=0006`): its own storage
class over `.benchmarks/<machine>/NNNN_*.json`. The report reads them here; the plugin gets the
runs it compares with from pytest-benchmark's hook, which uses the same storage.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pytest_benchmark.storage.file import FileStorage

DEFAULT_STORAGE = Path(".benchmarks")


def _storage(folder: Path) -> FileStorage:
    if not Path(folder).is_dir():  # FileStorage would create it
        raise FileNotFoundError(f"no saved runs under {folder}; run `python -m pytest bench` first")
    return FileStorage(folder, logger=logging.getLogger("bench"))


def find_run(storage: Path, spec: str | None) -> Path:
    """A saved run by file path, by its number ("0006", as pytest-benchmark names it), or the newest."""
    if spec is None:
        return latest_run(storage)
    if Path(spec).is_file():
        return Path(spec)
    matches = _storage(storage).query(f"*/{spec}_")
    if len(matches) != 1:
        raise FileNotFoundError(f"no single saved run {spec!r} under {storage} ({len(matches)} match)")
    return matches[0]


def latest_run(storage: Path) -> Path:
    runs = _storage(storage).query("*/[0-9][0-9][0-9][0-9]_")
    if not runs:
        raise FileNotFoundError(f"no saved runs under {storage}; run `python -m pytest bench` first")
    return runs[-1]

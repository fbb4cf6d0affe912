"""Train once, reuse after: artifacts cached under a key of data, code and settings.

Training runs in a child process (`python -m sentiment_model train`) so the
caller's process stays free of TensorFlow state.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from sentiment_model import corpus
from sentiment_model.artifacts import MANIFEST
from sentiment_model.checkset import CHECK_FILE
from sentiment_model.settings import TrainSettings

PACKAGE = Path(__file__).resolve().parent


def keyed_sources() -> list[Path]:
    """Every module of the package: a new one can never be left out of the key."""
    return sorted(PACKAGE.glob("*.py"))


def cache_key(settings: TrainSettings, data_file: Path = corpus.DATA_FILE) -> str:
    digest = hashlib.sha256()
    digest.update(data_file.read_bytes())
    digest.update(CHECK_FILE.read_bytes())  # its accuracy is written into the manifest
    for path in keyed_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps(asdict(settings), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def settings_arguments(settings: TrainSettings) -> list[str]:
    arguments = []
    for name, value in asdict(settings).items():
        arguments += [f"--{name.replace('_', '-')}", str(value)]
    return arguments


def cached_artifacts(cache_root: Path, settings: TrainSettings | None = None, force: bool = False) -> Path:
    """Folder of artifacts for these settings (the defaults if None), training only when absent (or forced)."""
    settings = settings or TrainSettings()
    target = Path(cache_root) / cache_key(settings)
    if (target / MANIFEST).is_file() and not force:
        return target
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "sentiment_model", "train", "--out", str(staging), *settings_arguments(settings)],
        cwd=PACKAGE.parent, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"training failed ({result.returncode}):\n{result.stderr[-4000:]}")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # a half-written folder is never taken for a cached one
    return target

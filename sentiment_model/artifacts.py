"""Layout of an artifacts folder and the manifest that describes it.

No TensorFlow here: every server reads this first, and it must fail fast with a
message naming the missing or corrupt file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sentiment_model.text import Vocabulary

MANIFEST = "manifest.json"
VOCABULARY = "vocab.json"
CHECKPOINT_PREFIX = "checkpoint/model"
FROZEN_GRAPH = "frozen_model.pb"
ONNX_MODEL = "model.onnx"  # the frozen graph converted by tf2onnx, for ONNX Runtime
SAVED_MODEL_BASE = "saved_model"  # TF Serving layout: <base>/<version>/
SAVED_MODEL_VERSION = "1"


class ArtifactError(Exception):
    """An artifact is missing or unreadable; the message names the file."""


@dataclass(frozen=True)
class Artifacts:
    root: Path
    manifest: dict
    vocabulary: Vocabulary

    @property
    def checkpoint_prefix(self) -> Path:
        return self.root / CHECKPOINT_PREFIX

    @property
    def frozen_graph(self) -> Path:
        return self.root / FROZEN_GRAPH

    @property
    def onnx_model(self) -> Path:
        return self.root / ONNX_MODEL

    @property
    def saved_model(self) -> Path:
        return self.root / SAVED_MODEL_BASE / SAVED_MODEL_VERSION

    @property
    def maxlen(self) -> int:
        return self.vocabulary.maxlen


def require_file(path: Path) -> Path:
    if not path.exists():
        raise ArtifactError(f"missing artifact: {path}")
    return path


def load_artifacts(root: str | Path) -> Artifacts:
    root = Path(root)
    if not root.is_dir():
        raise ArtifactError(f"artifacts folder not found: {root} (train one with: python -m sentiment_model train --out {root})")
    manifest_path = require_file(root / MANIFEST)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError) as error:
        raise ArtifactError(f"corrupt artifact: {manifest_path}: {error}") from None
    vocabulary_path = require_file(root / VOCABULARY)
    try:
        vocabulary = Vocabulary.load(vocabulary_path)
    except (ValueError, UnicodeDecodeError) as error:
        raise ArtifactError(f"corrupt artifact: {vocabulary_path}: {error}") from None
    return Artifacts(root, manifest, vocabulary)

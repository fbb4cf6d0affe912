"""Training settings: their own module, so the CLI and the cache need no TensorFlow."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainSettings:
    seed: int = 1
    epochs: int = 4
    batch_size: int = 256
    learning_rate: float = 3e-3
    maxlen: int = 50
    num_layers: int = 2
    size_layer: int = 64
    embedding_size: int = 64
    word_dropout: float = 0.15  # share of training words hidden as <oov>, per epoch

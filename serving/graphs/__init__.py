"""Graph kinds: one loader per model format behind one predict contract.

A loader takes an `Artifacts` folder and returns a `Predictor`: a callable from
ids [batch, maxlen] int32 to probabilities [batch, 2] float32. The HTTP layer
only ever sees that contract. Each kind lives in its own module, imported only
when asked for, so the static server never imports the model-building code.
"""
from __future__ import annotations

import importlib
from typing import Callable, Protocol

import numpy as np

from sentiment_model.artifacts import Artifacts

# kind → module in this package defining `load(artifacts) -> Predictor`
KINDS = {
    "dynamic": "dynamic",
    "static": "static",
    "saved_model": "saved_model",
    "static-xla": "static_xla",
}


class Predictor(Protocol):
    def __call__(self, ids: np.ndarray) -> np.ndarray: ...


def import_kind(kind: str):
    """The loader module of `kind`, imported (with TensorFlow) but nothing loaded or run yet."""
    if kind not in KINDS:
        raise ValueError(f"unknown graph kind {kind!r}; choose from {', '.join(KINDS)}")
    return importlib.import_module(f"{__name__}.{KINDS[kind]}")


def load(kind: str, artifacts: Artifacts) -> Predictor:
    return import_kind(kind).load(artifacts)


def as_predictor(function: Callable, output_key: str | None = None) -> Predictor:
    """Wrap a TF callable (concrete or pruned function) as numpy in → numpy out."""
    import tensorflow as tf

    def predict(ids: np.ndarray) -> np.ndarray:
        result = function(tf.convert_to_tensor(ids, dtype=tf.int32))
        if output_key is not None:
            result = result[output_key]
        elif isinstance(result, (list, tuple)):
            result = result[0]
        return result.numpy()

    return predict

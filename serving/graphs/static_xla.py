"""Static graph compiled with XLA: the frozen graph's function, called inside a jit-compiled one.

Still no model code. XLA compiles one program per input shape, so batches are
padded to power-of-two sizes and every size up to `BUCKETS[-1]` is compiled at
load time: no request ever waits for a compilation.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from sentiment_model.artifacts import ArtifactError, Artifacts
from serving.graphs import Predictor, as_predictor, static
from serving.graphs.static import load_pruned_function
from serving.model_file import forms

# Few sizes: each costs a compilation (~0.5 s) at load; 64 = the largest batch the HTTP layer accepts.
BUCKETS = (1, 4, 16, 64)


def bucket_size(rows: int) -> int:
    for size in BUCKETS:
        if rows <= size:
            return size
    return -(-rows // BUCKETS[-1]) * BUCKETS[-1]  # beyond the buckets: whole multiples of the largest


def load(artifacts: Artifacts) -> Predictor:
    frozen = load_pruned_function(artifacts)

    @tf.function(jit_compile=True, input_signature=[tf.TensorSpec([None, artifacts.maxlen], tf.int32)])
    def probabilities(ids):
        return frozen(ids)[0]

    try:
        # The concrete function skips tf.function's per-call argument matching (~0.3 ms).
        compiled = as_predictor(probabilities.get_concrete_function())
        for size in BUCKETS:
            compiled(np.zeros((size, artifacts.maxlen), dtype=np.int32))
    except (ValueError, tf.errors.OpError) as error:
        raise ArtifactError(f"corrupt artifact: {artifacts.frozen_graph}: {str(error).splitlines()[0]}") from None

    def predict(ids: np.ndarray) -> np.ndarray:
        rows = len(ids)
        padded = np.zeros((bucket_size(rows), ids.shape[1]), dtype=np.int32)
        padded[:rows] = ids
        return compiled(padded)[:rows]

    return predict


# --- a model file's form (serving.model_file.forms): a request (input name -> array) to its outputs ---

def load_model_file(spec, shapes: dict, cache_root: Path) -> forms.Predict:
    """Its frozen graph inside a `jit_compile=True` function, compiled once at the request shape."""
    pruned, inputs, outputs = static.pruned_model_file(spec, shapes, cache_root)
    by_name = {t.name: t for t in spec.inputs}
    signature = [tf.TensorSpec(shapes[name], tf.string if by_name[name].dtype == "string" else by_name[name].dtype)
                 for name in inputs]
    compiled = tf.function(lambda *xs: pruned(*xs), jit_compile=True).get_concrete_function(*signature)
    try:  # compiled once, at the request shape, before any request
        warm = compiled(*[tf.zeros(s.shape, s.dtype) if s.dtype != tf.string else tf.fill(s.shape, "a") for s in signature])
    except Exception as error:  # XLA cannot compile some ops (strings, ...): in its own words
        raise forms.Unavailable(f"XLA cannot compile it: {forms.first_line(error)}") from None
    del warm

    def predict(request: dict) -> dict:
        answers = compiled(*[tf.constant(request[name]) for name in inputs])
        return {name: value.numpy() for name, value in zip(outputs, answers)}

    return predict

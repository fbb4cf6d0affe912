"""Static graph compiled with XLA: the frozen GraphDef imported inside a jit-compiled function.

Still no model code. XLA compiles one program per input shape, so batches are
padded to power-of-two sizes and every size up to `BUCKETS[-1]` is compiled at
load time: no request ever waits for a compilation.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from sentiment_model.artifacts import ArtifactError, Artifacts
from serving.graphs import Predictor, as_predictor
from serving.graphs.static import read_frozen_graph

BUCKETS = (1, 2, 4, 8, 16, 32, 64)  # 64 = the largest batch the HTTP layer accepts


def bucket_size(rows: int) -> int:
    for size in BUCKETS:
        if rows <= size:
            return size
    return -(-rows // BUCKETS[-1]) * BUCKETS[-1]  # beyond the buckets: whole multiples of the largest


def load(artifacts: Artifacts) -> Predictor:
    graph_def, inputs, outputs = read_frozen_graph(artifacts)
    if len(inputs) != 1:
        raise ArtifactError(f"corrupt artifact: {artifacts.frozen_graph}: expected one input, found {inputs}")
    # The input placeholder is replaced by the function's argument; XLA cannot compile a Placeholder.
    body = tf.compat.v1.GraphDef()
    body.CopyFrom(graph_def)
    placeholder = inputs[0].split(":")[0]
    kept = [node for node in body.node if node.name != placeholder]
    del body.node[:]
    body.node.extend(kept)

    @tf.function(jit_compile=True, input_signature=[tf.TensorSpec([None, artifacts.maxlen], tf.int32)])
    def probabilities(ids):
        return tf.graph_util.import_graph_def(body, input_map={inputs[0]: ids}, return_elements=outputs, name="")[0]

    try:
        compiled = as_predictor(probabilities)
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

"""Static graph: import the frozen GraphDef; no model code involved."""
from __future__ import annotations

import tensorflow as tf
from google.protobuf.message import DecodeError

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from serving.graphs import Predictor, as_predictor


def load_frozen_function(artifacts: Artifacts):
    """The frozen graph as a pruned function ids → probabilities."""
    path = require_file(artifacts.frozen_graph)
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(path.read_bytes())
        names = artifacts.manifest["frozen_graph"]
        inputs, outputs = names["inputs"], names["outputs"]
    except (DecodeError, KeyError, TypeError) as error:
        raise ArtifactError(f"corrupt artifact: {path}: {error}") from None

    def import_graph():
        tf.compat.v1.import_graph_def(graph_def, name="")

    wrapped = tf.compat.v1.wrap_function(import_graph, [])
    try:
        return wrapped.prune(
            feeds=[wrapped.graph.get_tensor_by_name(name) for name in inputs],
            fetches=[wrapped.graph.get_tensor_by_name(name) for name in outputs],
        )
    except (KeyError, ValueError) as error:
        raise ArtifactError(f"corrupt artifact: {path}: {error}") from None


def load(artifacts: Artifacts) -> Predictor:
    return as_predictor(load_frozen_function(artifacts))

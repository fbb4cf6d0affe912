"""Static graph: import the frozen GraphDef; no model code involved."""
from __future__ import annotations

from pathlib import Path

import tensorflow as tf
from google.protobuf.message import DecodeError

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from serving.graphs import Predictor, as_predictor
from serving.model_file import forms
from serving.model_file.spec import read_graph_def


def read_frozen_graph(artifacts: Artifacts) -> tuple[tf.compat.v1.GraphDef, list[str], list[str]]:
    """The frozen GraphDef and its input/output tensor names (from the manifest)."""
    path = require_file(artifacts.frozen_graph)
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(path.read_bytes())
        names = artifacts.manifest["frozen_graph"]
        inputs, outputs = list(names["inputs"]), list(names["outputs"])
    except (DecodeError, KeyError, TypeError) as error:
        raise ArtifactError(f"corrupt artifact: {path}: {error}") from None
    return graph_def, inputs, outputs


def pruned_function(graph_def, inputs: list[str], outputs: list[str]):
    """A frozen GraphDef as a TF function of its `inputs` tensors to its `outputs` tensors (by name);
    no model code involved (also a model file's static form, serving.model_file.forms)."""

    def import_graph():
        tf.compat.v1.import_graph_def(graph_def, name="")

    wrapped = tf.compat.v1.wrap_function(import_graph, [])
    return wrapped.prune(feeds=[wrapped.graph.get_tensor_by_name(name) for name in inputs],
                         fetches=[wrapped.graph.get_tensor_by_name(name) for name in outputs])


def load_pruned_function(artifacts: Artifacts):
    """The frozen graph as a TF function ids → probabilities (shared with static-xla)."""
    graph_def, inputs, outputs = read_frozen_graph(artifacts)
    try:
        return pruned_function(graph_def, inputs, outputs)
    except (KeyError, ValueError) as error:
        raise ArtifactError(f"corrupt artifact: {artifacts.frozen_graph}: {error}") from None


def load(artifacts: Artifacts) -> Predictor:
    return as_predictor(load_pruned_function(artifacts))


# --- a model file's form (serving.model_file.forms): a request (input name -> array) to its outputs ---

def pruned_model_file(spec, shapes: dict, cache_root: Path):
    """A model file's frozen graph (made once, cached) as a TF function, and its input and output names
    (also static-xla's)."""
    graph_file, names = forms.frozen_graph(spec, shapes, cache_root)
    inputs, outputs = list(names["inputs"]), list(names["outputs"])
    try:
        pruned = pruned_function(read_graph_def(graph_file), list(names["inputs"].values()), list(names["outputs"].values()))
    except Exception as error:  # e.g. a placeholder the outputs still depend on
        raise forms.Unavailable(f"the frozen graph cannot be called: {forms.first_line(error)}") from None
    return pruned, inputs, outputs


def load_model_file(spec, shapes: dict, cache_root: Path) -> forms.Predict:
    """Its frozen graph, imported and pruned; a `.pb` is one already."""
    pruned, inputs, outputs = pruned_model_file(spec, shapes, cache_root)

    def predict(request: dict) -> dict:
        answers = pruned(*[tf.constant(request[name]) for name in inputs])
        return {name: value.numpy() for name, value in zip(outputs, answers)}

    return predict

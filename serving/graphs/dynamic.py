"""Dynamic graph: rebuild the network from its code, then restore the checkpoint."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from sentiment_model.network import ModelConfig, build_model, checkpoint_for, serving_function
from serving.graphs import Predictor, as_predictor
from serving.model_file import forms
from serving.model_file.spec import model_format, saved_model_signature


def load(artifacts: Artifacts) -> Predictor:
    require_file(artifacts.checkpoint_prefix.with_suffix(".index"))
    try:
        config = ModelConfig(**artifacts.manifest["model"])
    except (KeyError, TypeError) as error:
        raise ArtifactError(f"corrupt artifact: {artifacts.root / 'manifest.json'}: model settings: {error}") from None
    model = build_model(config)
    try:
        checkpoint_for(model).read(str(artifacts.checkpoint_prefix)).assert_existing_objects_matched()
    except (tf.errors.OpError, AssertionError, ValueError) as error:
        raise ArtifactError(f"corrupt artifact: {artifacts.checkpoint_prefix}: {str(error).splitlines()[0]}") from None
    return as_predictor(serving_function(model, config.maxlen), "probabilities")


# --- a model file's form (serving.model_file.forms): a request (input name -> array) to its outputs ---

def load_model_file(spec, shapes: dict, cache_root: Path) -> forms.Predict:
    """The model as given, called through its code: a SavedModel's restored signature, a Keras
    model's layers eagerly; a frozen graph or an ONNX file has none."""
    if spec.format in ("onnx", "graphdef"):
        raise forms.Unavailable(f"{'a frozen graph' if spec.format == 'graphdef' else 'an ONNX file'} has no model code to call")
    _, where = model_format(spec.path)
    if spec.format == "saved_model":
        _, signature = saved_model_signature(where)

        def predict(request: dict) -> dict:
            outputs = signature(**{name: tf.constant(value) for name, value in request.items()})
            return {name: value.numpy() for name, value in outputs.items()}

        return predict
    model = forms.keras_model(where)
    output_names = [t.name for t in spec.outputs]

    def call(request: dict) -> dict:
        inputs = [tf.constant(request[t.name]) for t in spec.inputs]
        outputs = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return {name: np.asarray(value) for name, value in zip(output_names, outputs)}

    return call

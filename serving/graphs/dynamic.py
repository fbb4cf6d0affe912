"""Dynamic graph: rebuild the network from its code, then restore the checkpoint."""
from __future__ import annotations

import tensorflow as tf

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from sentiment_model.network import ModelConfig, build_model, checkpoint_for, serving_function
from serving.graphs import Predictor, as_predictor


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

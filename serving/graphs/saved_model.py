"""SavedModel: the format TF Serving loads, through its `serving_default` signature."""
from __future__ import annotations

import tensorflow as tf

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from serving.graphs import Predictor, as_predictor


def load(artifacts: Artifacts) -> Predictor:
    require_file(artifacts.saved_model / "saved_model.pb")
    try:
        signature = tf.saved_model.load(str(artifacts.saved_model)).signatures["serving_default"]
    except (OSError, ValueError, KeyError, tf.errors.OpError) as error:
        raise ArtifactError(f"corrupt artifact: {artifacts.saved_model}: {str(error).splitlines()[0]}") from None
    return as_predictor(signature, "probabilities")

"""Write the three forms of a trained model, plus vocabulary and manifest.

- dynamic: a weights-only checkpoint; loading it needs `sentiment_model.network`;
- static: `frozen_model.pb`, variables folded into constants; needs no model code;
- SavedModel under `saved_model/<version>/` (TF Serving's layout), `serving_default`;
- `model.onnx`: the frozen graph converted by tf2onnx, for ONNX Runtime (no TensorFlow to serve it).
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from sentiment_model import artifacts as layout
from sentiment_model import checkset, corpus
from sentiment_model.network import checkpoint_for, serving_function
from sentiment_model.settings import TrainSettings
from sentiment_model.train import TrainedModel

ONNX_OPSET = 17


def export_onnx(graph_def, names: dict, path: Path) -> dict:
    """The frozen graph as ONNX (tf2onnx; ~0.5 s), and its tensor names and opset for the manifest."""
    import tf2onnx

    model, _ = tf2onnx.convert.from_graph_def(graph_def, input_names=names["inputs"], output_names=names["outputs"],
                                              opset=ONNX_OPSET, output_path=str(path))
    return {"inputs": [item.name for item in model.graph.input], "outputs": [item.name for item in model.graph.output],
            "opset": ONNX_OPSET, "tf2onnx_version": tf2onnx.__version__}


def export(trained: TrainedModel, settings: TrainSettings, out: Path) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    concrete = serving_function(trained.model, trained.config.maxlen)

    checkpoint_for(trained.model).write(str(out / layout.CHECKPOINT_PREFIX))

    # Functional control flow (While ops, not Enter/Exit frames) so the same frozen
    # graph can also be compiled by XLA (the static-xla kind).
    frozen = convert_variables_to_constants_v2(concrete, lower_control_flow=False)
    (out / layout.FROZEN_GRAPH).write_bytes(frozen.graph.as_graph_def().SerializeToString())
    frozen_names = {"inputs": [tensor.name for tensor in frozen.inputs],
                    "outputs": [tensor.name for tensor in frozen.outputs]}
    onnx_names = export_onnx(frozen.graph.as_graph_def(), frozen_names, out / layout.ONNX_MODEL)

    saved_model_dir = out / layout.SAVED_MODEL_BASE / layout.SAVED_MODEL_VERSION
    shutil.rmtree(saved_model_dir, ignore_errors=True)
    module = tf.Module()
    module.model = trained.model
    tf.saved_model.save(module, str(saved_model_dir), signatures={"serving_default": concrete})

    trained.vocabulary.save(out / layout.VOCABULARY)

    def accuracy(texts: list[str], labels) -> float:
        probabilities = concrete(tf.constant(trained.vocabulary.encode_batch(texts)))["probabilities"]
        return float(np.mean(np.argmax(probabilities.numpy(), axis=1) == np.asarray(labels)))

    check_set = checkset.read_check_set()
    manifest = {
        "frozen_graph": frozen_names,
        "onnx": onnx_names,
        "labels": list(corpus.LABELS),
        "model": trained.config.to_dict(),
        "training": asdict(settings),
        "tensorflow_version": tf.__version__,
        "train_seconds": round(trained.train_seconds, 2),
        "heldout_accuracy": round(accuracy(trained.heldout_texts, trained.heldout_labels), 4),
        "heldout_examples": len(trained.heldout_texts),
        # everyday English written apart from the generator: the model's real quality
        "checkset_accuracy": round(accuracy([e.text for e in check_set], [e.label for e in check_set]), 4),
        "checkset_examples": len(check_set),
        "checkset_sha256": corpus.file_sha256(checkset.CHECK_FILE),
        "data_sha256": corpus.file_sha256(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / layout.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest

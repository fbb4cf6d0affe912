"""ONNX Runtime: the frozen graph converted to ONNX at training (`model.onnx`), run without
TensorFlow. A server of this kind never imports TensorFlow (a test checks its processes' modules
and mapped libraries), so it starts in a fraction of the time and holds a fraction of the memory.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime

from sentiment_model.artifacts import ArtifactError, Artifacts, require_file
from serving.graphs import RUNTIME_THREADS, Predictor
from serving.model_file import forms


def cpu_session(path) -> onnxruntime.InferenceSession:
    """An ONNX Runtime session on the CPU with this process's runtime threads (`RUNTIME_THREADS`)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = RUNTIME_THREADS["intra_op"]  # 0: one per physical core
    options.inter_op_num_threads = RUNTIME_THREADS["inter_op"]
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if RUNTIME_THREADS["spinning"] else "0")
    options.log_severity_level = 3  # errors only: no per-session warnings in the server's log
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load(artifacts: Artifacts) -> Predictor:
    path = require_file(artifacts.onnx_model)
    try:
        session = cpu_session(path)
        names = artifacts.manifest["onnx"]
        feed, fetch = names["inputs"][0], list(names["outputs"])
    except (onnxruntime.capi.onnxruntime_pybind11_state.Fail,
            onnxruntime.capi.onnxruntime_pybind11_state.InvalidProtobuf, KeyError, TypeError) as error:
        raise ArtifactError(f"corrupt artifact: {path}: {error}") from None

    def predict(ids: np.ndarray) -> np.ndarray:
        return session.run(fetch, {feed: np.asarray(ids, dtype=np.int32)})[0]

    return predict


# --- a model file's form (serving.model_file.forms): a request (input name -> array) to its outputs ---

def load_model_file(spec, shapes: dict, cache_root: Path) -> forms.Predict:
    """The `.onnx` file as given, or its frozen graph converted by tf2onnx (cached, checked)."""
    return predict_of(*forms.onnx_file(spec, shapes, cache_root))


def predict_of(path: Path, names: dict) -> forms.Predict:
    """A session of the ONNX file at `path` answering a request named as the model's spec names its
    tensors (`names`: spec name -> the file's, for "inputs" and "outputs")."""
    try:
        session = cpu_session(path)
    except Exception as error:
        raise forms.Unavailable(f"ONNX Runtime cannot load it: {forms.first_line(error)}") from None
    feeds, fetches = names["inputs"], names["outputs"]
    ort_dtypes = {arg.name: arg.type for arg in session.get_inputs()}

    def predict(request: dict) -> dict:
        feed = {feeds[name]: (value.astype(str) if ort_dtypes.get(feeds[name]) == "tensor(string)" else value)
                for name, value in request.items()}
        answers = session.run(list(fetches.values()), feed)
        return dict(zip(fetches, answers))

    return predict

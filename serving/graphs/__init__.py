"""Graph kinds: one loader per model format behind one predict contract.

A loader takes an `Artifacts` folder and returns a `Predictor`: a callable from
ids [batch, maxlen] int32 to probabilities [batch, 2] float32. The HTTP layer
only ever sees that contract. Each kind lives in its own module, imported only
when asked for, so the static server never imports the model-building code.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sentiment_model.artifacts import Artifacts


@dataclass(frozen=True)
class GraphKind:
    """A graph kind's registry entry: its loader module and its runtime (how the benchmarks treat
    it is theirs to say: `bench.method.policy.KIND_POLICY`)."""

    module: str  # in this package, defining `load(artifacts) -> Predictor` and, for a model file's
    # form, `load_model_file(spec, shapes, cache_root) -> Predict` (serving.model_file.forms)
    runtime: str = "tensorflow"  # what the server process runs it with (and so imports)
    of_model_files: bool = True  # a form a model file (`--model`) may take


# kind → its entry; the CLI's choices, the servers, the benchmark plan and the tests all read this
KINDS = {
    "dynamic": GraphKind("dynamic"),
    "static": GraphKind("static"),
    "saved_model": GraphKind("saved_model", of_model_files=False),  # a SavedModel file's `dynamic` form
    "static-xla": GraphKind("static_xla"),
    "onnx": GraphKind("onnx", runtime="onnxruntime"),
}


class Predictor(Protocol):
    def __call__(self, ids: np.ndarray) -> np.ndarray: ...


def import_kind(kind: str):
    """The loader module of `kind`, imported (with TensorFlow) but nothing loaded or run yet."""
    if kind not in KINDS:
        raise ValueError(f"unknown graph kind {kind!r}; choose from {', '.join(KINDS)}")
    return importlib.import_module(f"{__name__}.{KINDS[kind].module}")


def model_file_kinds() -> tuple[str, ...]:
    """The kinds a model file may take, in the registry's order."""
    return tuple(kind for kind, entry in KINDS.items() if entry.of_model_files)


def load(kind: str, artifacts: Artifacts) -> Predictor:
    return import_kind(kind).load(artifacts)



# Runtime thread counts (`--intra-op-threads`, `--inter-op-threads`), set once per process
# before the model loads; 0: the runtime decides (one thread per core, for both runtimes).
RUNTIME_THREADS = {"intra_op": 0, "inter_op": 0, "spinning": False}


def fitted_intra_op_threads(requested: int, processes: int) -> int:
    """`requested`; or, when it is 0, the machine's cores shared out among the server's `processes`
    (at least one each). Left to itself each runtime takes one intra-op thread per core in every
    worker process: two workers on two cores ran four busy threads, and a burst of 20 on onnx,
    granian, 2 workers took 29.9 ms instead of 19.5 ms at one thread each (measured)."""
    if requested:
        return requested
    return max(1, len(os.sched_getaffinity(0)) // max(1, processes))


def configure_for_processes(settings, processes: int) -> None:
    """Fix the runtime's threads for `settings.graph` (serving.settings.Settings) before it loads:
    the flags', or the cores shared out among the server's `processes` where the flag is 0."""
    configure_threads(settings.graph, fitted_intra_op_threads(settings.intra_op_threads, processes),
                      settings.inter_op_threads, spinning=settings.ort_spinning == "on")


def configure_threads(kind: str, intra_op: int, inter_op: int, spinning: bool = False) -> None:
    """Fix the runtime's thread counts for `kind` before it loads (TensorFlow's are per process), and
    whether ONNX Runtime's pool threads spin after a call."""
    RUNTIME_THREADS.update(intra_op=intra_op, inter_op=inter_op, spinning=spinning)
    if KINDS[kind].runtime == "tensorflow" and (intra_op or inter_op):
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(intra_op)
            tf.config.threading.set_inter_op_parallelism_threads(inter_op)
        except RuntimeError:  # runtime already initialised in this process (tests)
            import logging

            logging.getLogger("serving").warning(
                "TensorFlow threads already fixed; ignoring intra=%s inter=%s", intra_op, inter_op)


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

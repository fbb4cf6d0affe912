"""What a serving process reports about itself in `GET /healthz`: read, not typed.

Benchmarks store this record with every figure, so a stored figure says how the
server it measured was really set up (a remote one included), not what the
client believed it had asked for.
"""
from __future__ import annotations

import os
import sys

from serving.settings import Settings


def hosting(server: str, workers: int = 1, worker_class: str | None = None, threads: int | None = 1) -> dict:
    """How a process hosts the app, as `/healthz` reports it: the one shape of that record, for
    every server module, the app built directly, the in-process figures and the minimal server."""
    return {"server": server, "workers": workers, "worker_class": worker_class, "threads": threads}


def process_setup(settings: Settings, hosting: dict) -> dict:
    """The set-up of this process: the settings it was started with, how it is hosted, and what
    its runtime (TensorFlow or ONNX Runtime) says of itself here."""
    from serving.graphs import KINDS, RUNTIME_THREADS

    tensorflow = sys.modules.get("tensorflow")  # every TensorFlow kind has loaded it by now; onnx never
    threading = tensorflow.config.threading if tensorflow else None
    runtime = KINDS[settings.graph].runtime
    onnxruntime = sys.modules.get("onnxruntime")
    return {
        **settings.record(),
        **hosting,  # server, workers, worker_class, threads: as the server really runs them
        "max_batch_rows": settings.max_batch_rows if settings.batch_window_ms is not None else None,
        "tensorflow_version": tensorflow.__version__ if tensorflow else None,
        # 0 is TensorFlow's own answer for "its default": one thread per core
        "tf_intra_op_threads": threading.get_intra_op_parallelism_threads() if threading else None,
        "tf_inter_op_threads": threading.get_inter_op_parallelism_threads() if threading else None,
        "runtime": runtime,
        "onnxruntime_version": onnxruntime.__version__ if onnxruntime else None,
        # ONNX Runtime's session options as set (0: one thread per physical core)
        "ort_intra_op_threads": RUNTIME_THREADS["intra_op"] if runtime == "onnxruntime" else None,
        "ort_inter_op_threads": RUNTIME_THREADS["inter_op"] if runtime == "onnxruntime" else None,
        # what this process asked its runtime for: the flag, or the cores shared out among the
        # server's worker processes when the flag is 0 (serving.graphs.fitted_intra_op_threads)
        "intra_op_threads_set": RUNTIME_THREADS["intra_op"],
        "intra_op_threads_chosen_by": "flag" if settings.intra_op_threads else "cores ÷ worker processes",
        "cpu_count": os.cpu_count(),
        "python_version": sys.version.split()[0],
    }

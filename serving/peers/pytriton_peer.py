"""The suite's model served by NVIDIA's Triton Inference Server through PyTriton, as its docs bind a
Python model: `Triton().bind(model_name, infer_func=[one callable per instance], inputs, outputs,
config)` then `serve()`. PyTriton starts the Triton server binary its wheel carries; Triton runs N
CPU model instances (Python backend stubs) that hand each request to the callables in this process
over ZeroMQ. No batching (as the other peers), HTTP only (its gRPC and metrics ports off). Run in
PyTriton's own environment (`serving.peers.environment`): it wants numpy 1.x."""
from __future__ import annotations

import os
import signal
import sysconfig

import numpy as np
from pytriton.model_config import ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig

from serving.peers.model import answer_v2, arguments, load_classifier, settings_of, write_record

PEER = "pytriton"


def instance(classifier):
    """One model instance's inference callable: each request's BYTES `text` [N] answered with
    `probabilities` FP32 [N, 2] and `label` BYTES [N], the Open Inference Protocol's outputs."""
    def infer(requests):
        answers = []
        for request in requests:
            texts = [text.decode() if isinstance(text, bytes) else str(text) for text in request["text"].reshape(-1)]
            probabilities, labels = answer_v2(classifier, texts)
            answers.append({"probabilities": np.asarray(probabilities, dtype=np.float32).reshape(len(texts), -1),
                            "label": np.asarray([label.encode() for label in labels], dtype=np.bytes_)})
        return answers
    return infer


def _use_this_interpreters_libpython() -> None:
    """Triton's Python backend stub links `libpython3.X.so` by name and runs this interpreter's standard
    library: it must find this interpreter's library, not an older system one (a Debian 3.11.2 beside
    pyenv's 3.11.7 fails in multiprocessing). PyTriton's installation docs set LD_LIBRARY_PATH so."""
    here = sysconfig.get_config_var("LIBDIR")
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [here, os.environ.get("LD_LIBRARY_PATH")]))


def _stop(_signum, _frame):
    raise KeyboardInterrupt  # serve() stops Triton and removes its workspace on it


def main() -> None:
    args = arguments(PEER)
    settings = settings_of(args, PEER)
    classifier = load_classifier(settings)  # one session: the instances' callables are threads of this process
    write_record(args, settings, "nvidia-pytriton", "Triton CPU model instances (Python backend stubs)")
    signal.signal(signal.SIGTERM, _stop)
    _use_this_interpreters_libpython()
    config = TritonConfig(http_address="127.0.0.1", http_port=settings.port, allow_grpc=False, allow_metrics=False)
    with Triton(config=config) as triton:
        triton.bind(model_name="sentiment", infer_func=[instance(classifier) for _ in range(settings.workers)],
                    inputs=[Tensor(name="text", dtype=np.bytes_, shape=(-1,))],
                    outputs=[Tensor(name="probabilities", dtype=np.float32, shape=(-1, 2)),
                             Tensor(name="label", dtype=np.bytes_, shape=(-1,))],
                    config=ModelConfig(batching=False), strict=True)
        triton.serve()


if __name__ == "__main__":
    main()

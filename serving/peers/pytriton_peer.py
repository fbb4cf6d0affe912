"""The model served by NVIDIA's Triton Inference Server through PyTriton, as its docs bind a
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
from pytriton.exceptions import PyTritonValidationError
from pytriton.model_config import ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig

from serving.inputs import InputError
from serving.peers.model import arguments, served, settings_of, write_record

PEER = "pytriton"


def _triton_array(value) -> np.ndarray:
    """An output as Triton takes it: text as bytes (its BYTES), numbers as they are."""
    value = np.asarray(value)
    if value.dtype == object or value.dtype.kind == "U":
        return np.vectorize(lambda v: v if isinstance(v, bytes) else str(v).encode(), otypes=[np.bytes_])(value)
    return value


def _tensors(declared) -> list[Tensor]:
    """The model's tensors as PyTriton binds them (batching off: the shape includes the batch)."""
    return [Tensor(name=name, dtype=np.bytes_ if dtype == "string" else np.dtype(dtype), shape=shape)
            for name, dtype, shape in declared]


def instance(model):
    """One model instance's inference callable: each request's inputs (arrays, by name) answered with
    the model's outputs, as the Open Inference Protocol names them."""
    def infer(requests):
        answers = []
        for request in requests:
            try:
                outputs = model.v2_answer(dict(request))
            except InputError as error:
                raise PyTritonValidationError(error.message) from None
            answers.append({name: _triton_array(value) for name, value in outputs.items()})
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
    model = served(args, PEER)  # one session: the instances' callables are threads of this process
    write_record(args, settings, "nvidia-pytriton", "Triton CPU model instances (Python backend stubs)")
    signal.signal(signal.SIGTERM, _stop)
    _use_this_interpreters_libpython()
    config = TritonConfig(http_address="127.0.0.1", http_port=settings.port, allow_grpc=False, allow_metrics=False)
    with Triton(config=config) as triton:
        triton.bind(model_name=model.name, infer_func=[instance(model) for _ in range(settings.workers)],
                    inputs=_tensors(model.v2_inputs), outputs=_tensors(model.v2_outputs),
                    config=ModelConfig(batching=False), strict=True)
        triton.serve()


if __name__ == "__main__":
    main()

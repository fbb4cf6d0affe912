"""`python -m serving grpc --graph KIND --artifacts DIR --port P [--workers N]`: the suite's model over
gRPC, in both APIs model servers speak (serving.grpc_api): TF Serving's `PredictionService/Predict`
(input `text`, DT_STRING [N]; outputs `probabilities` DT_FLOAT [N, 2] and `label` DT_STRING [N]) and
the Open Inference Protocol v2's `ModelInfer` (BYTES `text` -> FP32 `probabilities`, BYTES `label`,
as serving.open_inference answers over REST), with v2's ServerLive, ServerReady and ModelReady.

The same classifier as the HTTP app (serving.classifier), the same input rules (serving.inputs): a bad
request is INVALID_ARGUMENT (too many or too long texts: RESOURCE_EXHAUSTED), an unknown model
NOT_FOUND, each with a message saying what is wrong; the server keeps serving. `--workers N`: N
processes, each loading the model and listening on the same port (SO_REUSEPORT, as gRPC's own
multiprocessing example: the kernel spreads connections over them), each with `--threads` handler
threads. It prints `ready` once every worker listens; SIGTERM or Ctrl-C stops them all.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc

from serving.grpc_api import TFS_PREDICT, TFS_SERVICE, V2_SERVICE, open_inference, tf_serving
from serving.inputs import InputError, Limits, check_text

MODEL = "sentiment"
INPUT, OUTPUTS = "text", ("probabilities", "label")
log = logging.getLogger("serving.grpc")


class InferenceService:
    """The handlers, over one classifier: texts in, each API's answer out."""

    def __init__(self, classifier, model: str = MODEL, limits=None):
        self.classifier, self.model, self.limits = classifier, model, limits or Limits()

    def _texts(self, raw: list[bytes], context) -> list[str]:
        """The texts of a request, by the HTTP app's rules, or the call aborted saying why."""
        if not raw:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"input {INPUT!r} needs at least one text")
        if len(raw) > self.limits.max_batch:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{len(raw)} texts; the limit is {self.limits.max_batch}")
        try:
            return [check_text(value.decode("utf-8"), f"{INPUT}[{i}]", self.limits) for i, value in enumerate(raw)]
        except UnicodeDecodeError:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"input {INPUT!r} holds bytes that are not UTF-8")
        except InputError as error:
            code = grpc.StatusCode.RESOURCE_EXHAUSTED if error.status == 413 else grpc.StatusCode.INVALID_ARGUMENT
            context.abort(code, error.message)

    def _model_known(self, name: str, context) -> None:
        if name != self.model:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no model {name!r} here; this server serves {self.model!r}")

    def _outputs(self, wanted: list[str], context) -> list[str]:
        if unknown := [name for name in wanted if name not in OUTPUTS]:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown output {unknown[0]!r}; the model's outputs are "
                                                            f"{', '.join(OUTPUTS)}")
        return wanted or list(OUTPUTS)

    def predict(self, request, context):
        """TF Serving's Predict."""
        api = tf_serving()
        self._model_known(request.model_spec.name, context)
        if set(request.inputs) != {INPUT}:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"the model's one input is named {INPUT!r}, got "
                                                            f"{sorted(request.inputs) or 'none'}")
        tensor = request.inputs[INPUT]
        if tensor.dtype != api.DataType.DT_STRING:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"input {INPUT!r} has dtype DT_STRING, not "
                                                            f"{api.DataType.DataType.Name(tensor.dtype)}")
        texts = self._texts(list(tensor.string_val), context)
        outputs = self._outputs(list(request.output_filter), context)
        results, _ = self.classifier.classify(texts)
        labels = self.classifier.labels
        response = api.PredictResponse()
        response.model_spec.name = self.model
        if "probabilities" in outputs:
            probabilities = response.outputs["probabilities"]
            probabilities.dtype = api.DataType.DT_FLOAT
            probabilities.tensor_shape.dim.add(size=len(results))
            probabilities.tensor_shape.dim.add(size=len(labels))
            probabilities.float_val.extend(result["probabilities"][label] for result in results for label in labels)
        if "label" in outputs:
            label = response.outputs["label"]
            label.dtype = api.DataType.DT_STRING
            label.tensor_shape.dim.add(size=len(results))
            label.string_val.extend(result["label"].encode() for result in results)
        return response

    def model_infer(self, request, context):
        """The Open Inference Protocol v2's ModelInfer."""
        api = open_inference()
        self._model_known(request.model_name, context)
        if len(request.inputs) != 1 or request.inputs[0].name != INPUT:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"the model's one input is named {INPUT!r}")
        tensor = request.inputs[0]
        if tensor.datatype != "BYTES":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"input {INPUT!r} has datatype BYTES, not {tensor.datatype!r}")
        raw = list(tensor.contents.bytes_contents)
        if list(tensor.shape) not in ([len(raw)], [len(raw), 1]):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"input {INPUT!r} has shape [{len(raw)}] for {len(raw)} texts, "
                                                            f"not {list(tensor.shape)}")
        texts = self._texts(raw, context)
        outputs = self._outputs([output.name for output in request.outputs], context)
        results, _ = self.classifier.classify(texts)
        labels = self.classifier.labels
        response = api.ModelInferResponse(model_name=self.model, model_version="1", id=request.id)
        for name in outputs:
            if name == "probabilities":
                tensor = response.outputs.add(name=name, datatype="FP32", shape=[len(results), len(labels)])
                tensor.contents.fp32_contents.extend(result["probabilities"][label] for result in results for label in labels)
            else:
                tensor = response.outputs.add(name=name, datatype="BYTES", shape=[len(results)])
                tensor.contents.bytes_contents.extend(result["label"].encode() for result in results)
        return response

    def handlers(self) -> tuple:
        """Both services' handlers, for `grpc.Server.add_generic_rpc_handlers`."""
        v2 = open_inference()

        def unary(handler, request_class, response_class):
            return grpc.unary_unary_rpc_method_handler(handler, request_deserializer=request_class.FromString,
                                                       response_serializer=response_class.SerializeToString)

        # TF Serving's messages hold TensorFlow's TensorProto: TensorFlow is imported at the first Predict,
        # not in an onnx worker that is never asked one
        return (grpc.method_handlers_generic_handler(TFS_SERVICE, {TFS_PREDICT: grpc.unary_unary_rpc_method_handler(
                    self.predict, request_deserializer=lambda data: tf_serving().PredictRequest.FromString(data),
                    response_serializer=lambda response: response.SerializeToString())}),
                grpc.method_handlers_generic_handler(V2_SERVICE, {
                    "ServerLive": unary(lambda request, context: v2.ServerLiveResponse(live=True),
                                        v2.ServerLiveRequest, v2.ServerLiveResponse),
                    "ServerReady": unary(lambda request, context: v2.ServerReadyResponse(ready=True),
                                         v2.ServerReadyRequest, v2.ServerReadyResponse),
                    "ModelReady": unary(lambda request, context: v2.ModelReadyResponse(ready=request.name == self.model),
                                        v2.ModelReadyRequest, v2.ModelReadyResponse),
                    "ModelInfer": unary(self.model_infer, v2.ModelInferRequest, v2.ModelInferResponse)}))


def serve_worker(args: argparse.Namespace) -> int:
    """One worker: load the model, listen (sharing the port), say `ready`, serve until SIGTERM."""
    from sentiment_model.artifacts import ArtifactError, load_artifacts
    from serving import graphs
    from serving.classifier import Classifier

    # the runtime's threads as our HTTP servers fix them: the cores shared out among the workers
    graphs.configure_threads(args.graph, graphs.fitted_intra_op_threads(0, args.processes), 0)
    try:
        classifier = Classifier(args.graph, load_artifacts(args.artifacts))
    except (ArtifactError, OSError) as error:  # a broken artifact: one line, as the HTTP servers say it
        print(f"error: cannot load the model: {error}", file=sys.stderr)
        return 1
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads), options=[("grpc.so_reuseport", 1)])
    server.add_generic_rpc_handlers(InferenceService(classifier, args.model_name).handlers())
    if server.add_insecure_port(f"{args.host}:{args.port}") == 0:
        print(f"error: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 1
    server.start()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    print("ready", flush=True)
    log.info("worker %d serving %s on %s:%d over gRPC", os.getpid(), args.graph, args.host, args.port)
    stopped.wait()
    server.stop(grace=2).wait()
    return 0


def serve(args: argparse.Namespace) -> int:
    """`--workers` worker processes on one port; `ready` once all listen; each stopped on SIGTERM."""
    if args.workers == 1:
        args.processes = int(os.environ.get("SERVING_GRPC_WORKERS", "1"))
        return serve_worker(args)
    command = [sys.executable, "-m", "serving", "grpc", "--graph", args.graph, "--artifacts", str(args.artifacts),
               "--host", args.host, "--port", str(args.port), "--threads", str(args.threads), "--workers", "1",
               "--model-name", args.model_name]
    # each a worker of this port (SERVING_GRPC_WORKER: its port is shared, not checked free: serving.__main__)
    environment = {**os.environ, "SERVING_GRPC_WORKER": "1", "SERVING_GRPC_WORKERS": str(args.workers)}
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) for _ in range(args.workers)]
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        for worker in workers:
            if worker.stdout.readline().strip() != "ready":
                print(f"error: a worker exited before it listened (code {worker.wait()})", file=sys.stderr)
                return 1
        print("ready", flush=True)
        while not stopped.wait(0.5):
            if any(worker.poll() is not None for worker in workers):
                print("error: a worker exited; stopping the others", file=sys.stderr)
                return 1
        return 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from serving import graphs

    parser.add_argument("--graph", required=True, choices=list(graphs.KINDS), help="the graph kind to serve")
    parser.add_argument("--artifacts", required=True, type=Path, help="the trained model's artifacts directory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8500, help="default %(default)s, TF Serving's gRPC port")
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the port (default %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="handler threads per worker (default %(default)s)")
    parser.add_argument("--model-name", default=MODEL, help="the model's name in both APIs (default %(default)s)")

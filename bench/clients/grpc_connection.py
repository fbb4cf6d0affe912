"""The suite's clients over gRPC: a channel with `bench.clients.connection.Connection`'s methods, so
`SequentialClient` and `Burst` send TF Serving's Predict (`grpc+tfs://HOST:PORT/MODEL`) or the Open
Inference Protocol v2's ModelInfer (`grpc+v2://HOST:PORT/MODEL`) as they send HTTP.

Each text's request is serialized once, before it is first timed, and sent as bytes; the answer comes
back as the bytes on the wire, decoded only when judged (`bench.method.oracle.GrpcJudge`): the timed
part is the call, as perf_analyzer times it. A channel is HTTP/2 and stays open between calls (what
every gRPC client does); `connect()` opens it and waits until it is ready, untimed. A call that fails
at the transport (unavailable, deadline) raises ConnectionError, as a refused HTTP connection does; a
call the server refuses (bad input, unknown model) is an answer: the HTTP status a REST server would
give it and its message as JSON.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import grpc

from serving.grpc_api import TFS_PREDICT, TFS_SERVICE, V2_SERVICE, open_inference, tf_serving

SCHEMES = {"grpc+tfs": "tfs", "grpc+v2": "v2"}
# a refused call's status code as the HTTP status a REST server gives the same refusal
HTTP_STATUS = {grpc.StatusCode.INVALID_ARGUMENT: 400, grpc.StatusCode.NOT_FOUND: 404, grpc.StatusCode.RESOURCE_EXHAUSTED: 413,
               grpc.StatusCode.UNIMPLEMENTED: 501, grpc.StatusCode.FAILED_PRECONDITION: 400}
TRANSPORT = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)


def request_bytes(protocol: str, model: str, text: str) -> bytes:
    """One text as `protocol`'s request for `model`, serialized."""
    if protocol == "tfs":
        api = tf_serving()
        request = api.PredictRequest()
        request.model_spec.name = model
        tensor = request.inputs["text"]
        tensor.dtype = api.DataType.DT_STRING
        tensor.tensor_shape.dim.add(size=1)
        tensor.string_val.append(text.encode())
        return request.SerializeToString()
    request = open_inference().ModelInferRequest(model_name=model)
    tensor = request.inputs.add(name="text", datatype="BYTES", shape=[1])
    tensor.contents.bytes_contents.append(text.encode())
    return request.SerializeToString()


class GrpcConnection:
    """One channel to a gRPC server, sending the texts as `protocol`'s requests (see the module)."""

    # A burst's threads open their channels before the burst is released: a gRPC client keeps its
    # channel (perf_analyzer does), and a channel's set-up in Python takes 2-14 ms here, not the
    # ~0.1 ms of the TCP connection a burst over HTTP times.
    opened_before_a_burst = True

    def __init__(self, url: str, timeout: float = 60.0):
        parts = urlsplit(url)
        self.protocol, self.target = SCHEMES[parts.scheme], parts.netloc
        self.model = parts.path.strip("/")
        self.timeout = timeout
        self.defer_close = False  # Connection's; a channel is never closed by the server's answer
        self._channel = self._call = None
        self._requests: dict[str, bytes] = {}

    def connect(self) -> None:
        if self._channel is not None:
            return
        # its own TCP connection (gRPC shares one among a process's channels to a target by default): a
        # burst's threads each open theirs, as over HTTP
        self._channel = grpc.insecure_channel(self.target, options=[("grpc.use_local_subchannel_pool", 1)])
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.timeout)
        except grpc.FutureTimeoutError:
            self.close()
            raise ConnectionError(f"gRPC channel to {self.target} not ready in {self.timeout:g} s") from None
        method = f"/{TFS_SERVICE}/{TFS_PREDICT}" if self.protocol == "tfs" else f"/{V2_SERVICE}/ModelInfer"
        self._call = self._channel.unary_unary(method)  # bytes in, bytes out: no (de)serializer inside the call

    def request_for(self, text: str) -> bytes:
        if (request := self._requests.get(text)) is None:
            request = self._requests[text] = request_bytes(self.protocol, self.model, text)
        return request

    def send(self, text: str) -> tuple[int, bytes]:
        request = self.request_for(str(text))
        self.connect()
        try:
            return 200, self._call(request, timeout=self.timeout)
        except grpc.RpcError as error:
            if error.code() in TRANSPORT:
                raise ConnectionError(f"gRPC {error.code().name}: {error.details()}") from None
            return HTTP_STATUS.get(error.code(), 500), json.dumps({"error": error.details(),
                                                                   "grpc_status": error.code().name}).encode()

    def close_if_spent(self) -> None:
        """Nothing: a channel stays open between calls."""

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._channel = self._call = None

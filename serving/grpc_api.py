"""The two gRPC APIs model servers speak, as message classes: TF Serving's `PredictionService/Predict`
(`tensorflow.serving`, its tensors TensorFlow's own `TensorProto`) and the Open Inference Protocol v2's
`GRPCInferenceService` (`inference`: ServerLive, ServerReady, ModelReady, ModelInfer; KServe, Triton,
MLServer).

Why not their generated modules: `tensorflow-serving-api` requires the `tensorflow` distribution (we pin
`tensorflow-cpu`, the same module), and `tritonclient[grpc]` a protobuf older than our pin. So the
messages used here are declared below from the public .proto definitions (names, field numbers and
types: the wire format), in a descriptor pool of their own, so they never clash with the official
modules in a process that has them; tests/serving/test_grpc.py checks them byte for byte against
those modules (TF Serving's wheel, KServe's in the kserve peer's environment).
"""
from __future__ import annotations

import functools

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

TFS_SERVICE, TFS_PREDICT = "tensorflow.serving.PredictionService", "Predict"
V2_SERVICE = "inference.GRPCInferenceService"

_F = descriptor_pb2.FieldDescriptorProto
STRING, BYTES, BOOL, INT64, MESSAGE = _F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_BOOL, _F.TYPE_INT64, _F.TYPE_MESSAGE
FLOAT, REPEATED = _F.TYPE_FLOAT, _F.LABEL_REPEATED


def _message(container, name: str, fields: list[tuple], map_entry: bool = False):
    """A message type in `container` (a file or a message): fields (name, number, type[, type name[, repeated]])."""
    message = container.message_type.add(name=name) if hasattr(container, "message_type") else container.nested_type.add(name=name)
    for field in fields:
        name_, number, kind, *rest = field
        type_name, repeated = (rest + [None, False])[:2]
        added = message.field.add(name=name_, number=number, type=kind,
                                  label=REPEATED if repeated else _F.LABEL_OPTIONAL)
        if type_name:
            added.type_name = type_name
        if repeated and kind in (FLOAT, INT64, BOOL):
            added.options.packed = True
    if map_entry:
        message.options.map_entry = True
    return message


def _map(message, name: str, number: int, value_type: str) -> None:
    """A `map<string, value_type>` field of `message`, as protoc writes one (a nested entry type)."""
    entry = "".join(part.capitalize() for part in name.split("_")) + "Entry"
    _message(message, entry, [("key", 1, STRING), ("value", 2, MESSAGE, value_type)], map_entry=True)
    message.field.add(name=name, number=number, type=MESSAGE, label=REPEATED, type_name=entry)


def _add_with_dependencies(pool: descriptor_pool.DescriptorPool, file) -> None:
    """A compiled file (e.g. TensorFlow's tensor.proto) and everything it imports, copied into `pool`."""
    for dependency in file.dependencies:
        _add_with_dependencies(pool, dependency)
    try:
        pool.FindFileByName(file.name)
    except KeyError:
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        pool.Add(proto)


def _tfs_file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name="tfserve_bench/tensorflow_serving_predict.proto",
                                              package="tensorflow.serving", syntax="proto3",
                                              dependency=["tensorflow/core/framework/tensor.proto",
                                                          "google/protobuf/wrappers.proto"])
    _message(file, "ModelSpec", [("name", 1, STRING), ("version", 2, MESSAGE, ".google.protobuf.Int64Value"),
                                 ("signature_name", 3, STRING), ("version_label", 4, STRING)])
    request = _message(file, "PredictRequest", [("model_spec", 1, MESSAGE, ".tensorflow.serving.ModelSpec"),
                                                ("output_filter", 3, STRING, None, True)])
    _map(request, "inputs", 2, ".tensorflow.TensorProto")
    response = _message(file, "PredictResponse", [("model_spec", 2, MESSAGE, ".tensorflow.serving.ModelSpec")])
    _map(response, "outputs", 1, ".tensorflow.TensorProto")
    return file


def _v2_file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name="tfserve_bench/open_inference_v2.proto", package="inference",
                                              syntax="proto3")
    _message(file, "ServerLiveRequest", [])
    _message(file, "ServerLiveResponse", [("live", 1, BOOL)])
    _message(file, "ServerReadyRequest", [])
    _message(file, "ServerReadyResponse", [("ready", 1, BOOL)])
    _message(file, "ModelReadyRequest", [("name", 1, STRING), ("version", 2, STRING)])
    _message(file, "ModelReadyResponse", [("ready", 1, BOOL)])
    _message(file, "InferTensorContents", [("bool_contents", 1, BOOL, None, True), ("int64_contents", 3, INT64, None, True),
                                           ("fp32_contents", 6, FLOAT, None, True), ("bytes_contents", 8, BYTES, None, True)])
    tensor = [("name", 1, STRING), ("datatype", 2, STRING), ("shape", 3, INT64, None, True),
              ("contents", 5, MESSAGE, ".inference.InferTensorContents")]
    request = _message(file, "ModelInferRequest", [("model_name", 1, STRING), ("model_version", 2, STRING), ("id", 3, STRING),
                                                   ("inputs", 5, MESSAGE, ".inference.ModelInferRequest.InferInputTensor", True),
                                                   ("outputs", 6, MESSAGE,
                                                    ".inference.ModelInferRequest.InferRequestedOutputTensor", True)])
    _message(request, "InferInputTensor", tensor)
    _message(request, "InferRequestedOutputTensor", [("name", 1, STRING)])
    response = _message(file, "ModelInferResponse", [("model_name", 1, STRING), ("model_version", 2, STRING), ("id", 3, STRING),
                                                     ("outputs", 5, MESSAGE, ".inference.ModelInferResponse.InferOutputTensor",
                                                      True)])
    _message(response, "InferOutputTensor", tensor)
    return file


@functools.cache
def tf_serving():
    """TF Serving's messages: `.PredictRequest`, `.PredictResponse`, `.ModelSpec`, `.TensorProto`, and
    `.DataType` (TensorFlow's enum: DT_STRING, DT_FLOAT). Imports TensorFlow's tensor protos."""
    from google.protobuf import wrappers_pb2
    from tensorflow.core.framework import tensor_pb2, types_pb2

    pool = descriptor_pool.DescriptorPool()
    for compiled in (tensor_pb2.DESCRIPTOR, wrappers_pb2.DESCRIPTOR):
        _add_with_dependencies(pool, compiled)
    pool.Add(_tfs_file())
    return _classes(pool, "tensorflow.serving", ("ModelSpec", "PredictRequest", "PredictResponse"),
                    TensorProto=message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.TensorProto")),
                    DataType=types_pb2)


@functools.cache
def open_inference():
    """The Open Inference Protocol v2's messages, by their names in `inference`."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_v2_file())
    return _classes(pool, "inference", ("ServerLiveRequest", "ServerLiveResponse", "ServerReadyRequest", "ServerReadyResponse",
                                        "ModelReadyRequest", "ModelReadyResponse", "ModelInferRequest", "ModelInferResponse"))


def _classes(pool, package: str, names: tuple[str, ...], **more):
    from types import SimpleNamespace

    return SimpleNamespace(**{name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.{name}"))
                              for name in names}, **more)


def outputs_of(protocol: str, body: bytes) -> dict[str, list]:
    """An answer's outputs, name -> its values in order (BYTES/DT_STRING decoded): `protocol` "tfs"
    (a PredictResponse) or "v2" (a ModelInferResponse)."""
    if protocol == "tfs":
        api = tf_serving()
        found = {}
        for name, tensor in api.PredictResponse.FromString(body).outputs.items():
            found[name] = ([value.decode() for value in tensor.string_val] if tensor.dtype == api.DataType.DT_STRING
                           else list(tensor.float_val))
        return found
    contents = {"BYTES": lambda c: [value.decode() for value in c.bytes_contents], "FP32": lambda c: list(c.fp32_contents),
                "BOOL": lambda c: list(c.bool_contents), "INT64": lambda c: list(c.int64_contents)}
    return {tensor.name: contents.get(tensor.datatype, lambda c: [])(tensor.contents)
            for tensor in open_inference().ModelInferResponse.FromString(body).outputs}

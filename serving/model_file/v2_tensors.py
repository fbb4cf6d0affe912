"""A model file's tensors in the Open Inference Protocol v2's JSON (KServe's, Triton's, MLServer's
REST infer): each tensor `{"name", "datatype", "shape", "data"}`, its data flattened row-major, text
as BYTES. The suite writes requests and reads answers with it; a peer serving the model decodes
with its own library and answers in this form (`serving.peers`)."""
from __future__ import annotations

import numpy as np

from serving.model_file.shapes import plain

# numpy's dtype names (the spec's, `serving.model_file.spec`) -> the protocol's datatypes
DATATYPES = {"float32": "FP32", "float64": "FP64", "float16": "FP16", "int64": "INT64", "int32": "INT32",
             "int16": "INT16", "int8": "INT8", "uint8": "UINT8", "uint16": "UINT16", "uint32": "UINT32",
             "uint64": "UINT64", "bool": "BOOL", "string": "BYTES"}


def datatype_of(dtype: str) -> str:
    """The protocol's datatype of a numpy dtype name (a string tensor's `object`/`str`/`bytes`: BYTES)."""
    name = np.dtype(dtype).name if dtype != "string" else dtype
    return "BYTES" if name == "object" or name.startswith(("str", "bytes")) else DATATYPES[name]


def tensor(name: str, value) -> dict:
    """`value` as the protocol's JSON tensor named `name` (TensorFlow's ":0" left off)."""
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind in "SU":
        data = [v.decode() if isinstance(v, bytes) else str(v) for v in array.reshape(-1).tolist()]
        return {"name": plain(name), "datatype": "BYTES", "shape": list(array.shape), "data": data}
    return {"name": plain(name), "datatype": datatype_of(array.dtype.name), "shape": list(array.shape),
            "data": array.reshape(-1).tolist()}


def array(found: dict) -> np.ndarray:
    """A JSON tensor of an answer as an array of its shape (BYTES: text)."""
    if found["datatype"] == "BYTES":
        return np.asarray(found["data"], dtype=object).reshape(found["shape"])
    return np.asarray(found["data"]).reshape(found["shape"])

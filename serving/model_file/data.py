"""Requests for a model: generated per dtype from a seed, or read from perf_analyzer's JSON
(`--input-data FILE`: `{"data": [{NAME: [...] | {"content": [...], "shape": [...]}}, ...]}`).

Integer inputs stay within the model's range: below the rows of the smallest lookup table the model
holds (an embedding's vocabulary), where perf_analyzer's random ids overflow it. String inputs are
the suite's held-out sentences.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from serving.model_file import ModelError
from serving.model_file.shapes import plain
from serving.model_file.spec import ModelSpec

SEED = 0
DEFAULT_INT_HIGH = 100  # integer inputs of a model without a lookup table: 0..99


def sentences() -> list[str]:
    from sentiment_model import corpus

    return [example.text for example in corpus.read_tsv() if example.split == "test"]


def integer_high(spec: ModelSpec, shapes: dict, cache_root: Path) -> int | None:
    """The rows of the smallest lookup table the model holds (an embedding's vocabulary): integer
    inputs stay below it. Read from the ONNX graph (a Gather over an initializer) or the frozen
    TensorFlow graph (a Gather over a constant); None when the model holds none."""
    from serving.model_file import forms

    rows = []
    try:
        path, _ = forms.onnx_file(spec, shapes, cache_root) if spec.format == "onnx" else forms.frozen_graph(spec, shapes, cache_root)
    except forms.Unavailable:
        return None
    if spec.format == "onnx":
        import onnx

        model = onnx.load(str(path))
        tables = {init.name: list(init.dims) for init in model.graph.initializer}
        rows = [tables[node.input[0]][0] for node in model.graph.node
                if node.op_type == "Gather" and node.input[0] in tables and tables[node.input[0]]]
    else:
        from serving.model_file.spec import read_graph_def

        nodes = {node.name: node for node in read_graph_def(path).node}

        def constant_dims(name: str) -> list[int]:
            node = nodes.get(name.split(":")[0].lstrip("^"))
            while node is not None and node.op == "Identity":  # a frozen variable's read
                node = nodes.get(node.input[0].split(":")[0])
            return [d.size for d in node.attr["value"].tensor.tensor_shape.dim] if node is not None and node.op == "Const" else []

        rows = [dims[0] for node in nodes.values() if node.op in ("GatherV2", "Gather", "ResourceGather")
                if (dims := constant_dims(node.input[0]))]
    return min(rows) if rows else None


def generate(spec: ModelSpec, shapes: dict[str, tuple[int, ...]], count: int, int_high: int | None = None,
             seed: int = SEED) -> list[dict[str, np.ndarray]]:
    """`count` requests, each every input at its shape (batch 1)."""
    rng = np.random.default_rng(seed)
    texts = sentences() if any(t.dtype == "string" for t in spec.inputs) else []
    requests = []
    for index in range(count):
        request = {}
        for tensor in spec.inputs:
            shape = shapes[tensor.name]
            if tensor.dtype == "string":
                size = int(np.prod(shape, dtype=np.int64))
                request[tensor.name] = np.array([texts[(index * size + i) % len(texts)] for i in range(size)],
                                                dtype=object).reshape(shape)
            elif tensor.dtype == "bool":
                request[tensor.name] = rng.random(shape) < 0.5
            elif np.issubdtype(np.dtype(tensor.dtype), np.integer):
                high = int_high or DEFAULT_INT_HIGH
                request[tensor.name] = rng.integers(0, high, shape).astype(tensor.dtype)
            else:
                request[tensor.name] = rng.random(shape).astype(tensor.dtype)
        requests.append(request)
    return requests


def read_input_data(path: Path, spec: ModelSpec, shapes: dict[str, tuple[int, ...]]) -> list[dict[str, np.ndarray]]:
    """perf_analyzer's JSON input data, each request checked against the model's inputs."""
    try:
        document = json.loads(Path(path).read_text())
    except OSError as error:
        raise ModelError(f"--input-data {path}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise ModelError(f"--input-data {path}: not JSON ({error})") from None
    entries = document.get("data") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ModelError(f'--input-data {path}: expected {{"data": [{{NAME: [...]}}, ...]}} with at least one request')
    by_name = {plain(t.name): t for t in spec.inputs}
    requests = []
    for number, entry in enumerate(entries, 1):
        where = f"--input-data {path}, request {number}"
        if not isinstance(entry, dict):
            raise ModelError(f"{where}: not an object of input names")
        given = {plain(name): value for name, value in entry.items()}
        if missing := sorted(set(by_name) - set(given)):
            raise ModelError(f"{where}: no value for input {missing[0]} (the model's inputs: {', '.join(sorted(by_name))})")
        if extra := sorted(set(given) - set(by_name)):
            raise ModelError(f"{where}: the model has no input {extra[0]} (its inputs: {', '.join(sorted(by_name))})")
        request = {}
        for name, tensor in by_name.items():
            value = given[name]
            content, shape = (value.get("content"), value.get("shape")) if isinstance(value, dict) else (value, None)
            shape = tuple(shape) if shape is not None else shapes[tensor.name]
            dtype = object if tensor.dtype == "string" else tensor.dtype
            try:
                array = np.array(content, dtype=dtype).reshape(shape)
            except (TypeError, ValueError) as error:
                raise ModelError(f"{where}: input {name} does not fit {tensor} at shape {list(shape)} ({error})") from None
            if len(array.shape) != len(tensor.shape) or any(d is not None and d != a for d, a in zip(tensor.shape, array.shape)):
                raise ModelError(f"{where}: input {name} has shape {list(array.shape)}, the model takes {tensor}")
            request[tensor.name] = array
        requests.append(request)
    return requests

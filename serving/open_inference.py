"""The Open Inference Protocol v2 over REST (KServe's, Triton's, MLServer's), for the suite's model:
what a client that speaks it finds on our servers. The model `sentiment` takes texts, one input
`text` of datatype BYTES and shape [N] (or [N, 1]), and answers `probabilities` (FP32 [N, 2]: NEGATIVE,
POSITIVE) and `label` (BYTES [N]). Its endpoints: `GET /v2/health/live`, `/v2/health/ready`,
`/v2/models/sentiment` (metadata), `/v2/models/sentiment/ready`, `POST /v2/models/sentiment/infer`.
A bad request is a 400 JSON `{"error": ...}`, as the protocol asks."""
from __future__ import annotations

from serving.inputs import InputError, Limits, check_text, json_payload

INPUT, OUTPUTS = "text", ("probabilities", "label")


def metadata(name: str, platform: str) -> dict:
    return {"name": name, "versions": ["1"], "platform": platform,
            "inputs": [{"name": INPUT, "datatype": "BYTES", "shape": [-1]}],
            "outputs": [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 2]},
                        {"name": "label", "datatype": "BYTES", "shape": [-1]}]}


def texts_from_infer(body: bytes, content_type: str | None, limits: Limits) -> tuple[list[str], str | None, list[str]]:
    """(texts, the request's id, the outputs asked for) from an infer request's JSON body."""
    payload = json_payload(body, content_type)
    if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list) or len(payload["inputs"]) != 1:
        raise InputError(f'body must be {{"inputs": [{{"name": "{INPUT}", "datatype": "BYTES", "shape": [N], "data": [...]}}]}}')
    tensor = payload["inputs"][0]
    if not isinstance(tensor, dict) or tensor.get("name") != INPUT:
        raise InputError(f"the model's one input is named {INPUT!r}")
    if tensor.get("datatype") != "BYTES":
        raise InputError(f"input {INPUT!r} has datatype BYTES, not {tensor.get('datatype')!r}")
    shape, data = tensor.get("shape"), tensor.get("data")
    if not isinstance(data, list) or not data:
        raise InputError(f"input {INPUT!r} needs a non-empty list in data")
    if len(data) == 1 and isinstance(data[0], list):  # a row-major [[...]] form some clients send
        data = data[0]
    if not isinstance(shape, list) or shape not in ([len(data)], [len(data), 1]):
        raise InputError(f"input {INPUT!r} has shape [{len(data)}] for {len(data)} texts, not {shape!r}")
    if len(data) > limits.max_batch:
        raise InputError(f"{len(data)} texts; the limit is {limits.max_batch}", 413)
    texts = [check_text(text, f"{INPUT}[{i}]", limits) for i, text in enumerate(data)]
    wanted = [output.get("name") for output in payload.get("outputs") or [] if isinstance(output, dict)]
    if unknown := [name for name in wanted if name not in OUTPUTS]:
        raise InputError(f"unknown output {unknown[0]!r}; the model's outputs are {', '.join(OUTPUTS)}")
    request_id = payload.get("id")
    return texts, request_id if isinstance(request_id, str) else None, wanted or list(OUTPUTS)


def infer_response(name: str, results: list[dict], labels: list[str], request_id: str | None, outputs: list[str]) -> dict:
    tensors = {"probabilities": {"name": "probabilities", "datatype": "FP32", "shape": [len(results), len(labels)],
                                 "data": [result["probabilities"][label] for result in results for label in labels]},
               "label": {"name": "label", "datatype": "BYTES", "shape": [len(results)],
                         "data": [result["label"] for result in results]}}
    answer = {"model_name": name, "model_version": "1", "outputs": [tensors[output] for output in outputs]}
    return {**answer, "id": request_id} if request_id is not None else answer

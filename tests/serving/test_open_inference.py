"""The Open Inference Protocol v2 over REST on our app (`serving.open_inference`): what KServe's,
Triton's and MLServer's clients send, answered from the same classifier; bad requests a 4xx JSON
error, the app serving on."""
import numpy as np
import pytest

from serving.app import create_app
from serving.settings import Settings


def infer_body(texts, **tensor):
    return {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(texts)], "data": texts, **tensor}]}


@pytest.fixture(scope="module")
def client(artifacts_dir):
    def predictor(ids: np.ndarray) -> np.ndarray:  # P(POSITIVE) grows with the first id: answers differ by text
        positive = (ids[:, 0] % 10 / 10).astype(np.float32)
        return np.stack([1 - positive, positive], axis=1)

    app = create_app(Settings(graph="static", artifacts=artifacts_dir), predictor=predictor)
    return app.test_client()


def test_health_and_metadata(client):
    assert client.get("/v2/health/live").get_json() == {"live": True}
    assert client.get("/v2/health/ready").get_json() == {"ready": True}
    assert client.get("/v2/models/sentiment/ready").get_json()["ready"] is True
    meta = client.get("/v2/models/sentiment").get_json()
    assert meta["name"] == "sentiment" and meta["inputs"][0] == {"name": "text", "datatype": "BYTES", "shape": [-1]}
    assert [output["name"] for output in meta["outputs"]] == ["probabilities", "label"]


def test_infer_answers_as_the_texts_endpoint_does(client):
    texts = ["a lovely evening", "the worst meal of my life", "fine"]
    answer = client.post("/v2/models/sentiment/infer", json={**infer_body(texts), "id": "r1"}).get_json()
    assert answer["model_name"] == "sentiment" and answer["id"] == "r1"
    outputs = {output["name"]: output for output in answer["outputs"]}
    assert outputs["probabilities"]["shape"] == [3, 2] and outputs["label"]["shape"] == [3]
    each = client.post("/static", json={"texts": texts}).get_json()["results"]
    assert outputs["label"]["data"] == [result["label"] for result in each]
    assert outputs["probabilities"]["data"] == [result["probabilities"][label] for result in each
                                                for label in ("NEGATIVE", "POSITIVE")]
    only = client.post("/v2/models/sentiment/infer", json={**infer_body(texts), "outputs": [{"name": "label"}]}).get_json()
    assert [output["name"] for output in only["outputs"]] == ["label"]


@pytest.mark.parametrize("body, status, words", [
    ({"inputs": []}, 400, "inputs"),
    (infer_body(["x"], name="ids"), 400, "named 'text'"),
    (infer_body(["x"], datatype="INT32"), 400, "BYTES"),
    (infer_body(["x", "y"], shape=[3]), 400, "shape"),
    (infer_body([""]), 400, "empty"),
    (infer_body([7]), 400, "string"),
    (infer_body(["x"] * 65), 413, "limit"),
    ({**infer_body(["x"]), "outputs": [{"name": "logits"}]}, 400, "unknown output"),
])
def test_bad_requests_get_a_json_error_and_the_app_serves_on(client, body, status, words):
    answer = client.post("/v2/models/sentiment/infer", json=body)
    assert answer.status_code == status and words in answer.get_json()["error"]
    assert client.post("/v2/models/sentiment/infer", json=infer_body(["still here"])).status_code == 200


def test_another_models_name_is_a_404(client):
    assert client.get("/v2/models/other").status_code == 404
    assert "not found" in client.post("/v2/models/other/infer", json=infer_body(["x"])).get_json()["error"]

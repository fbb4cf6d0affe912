"""TF Serving's REST predict API: our client, against our server that speaks it."""
import json

import numpy as np
import pytest

from bench.harness.supervisor import ServerProcess
from sentiment_model.artifacts import load_artifacts
from serving import graphs
from tests.rawhttp import raw_request
from tools.tfserving import TFServingClient

TEXTS = ["the movie was not good", "the staff was friendly, but the room was dirty", "great pasta"]


@pytest.fixture(scope="module")
def server(artifacts_dir):
    with ServerProcess("saved_model", artifacts_dir) as process:
        yield process


def test_saved_model_follows_tf_serving_layout(artifacts_dir):
    assert (artifacts_dir / "saved_model" / "1" / "saved_model.pb").is_file()
    assert (artifacts_dir / "saved_model" / "1" / "variables").is_dir()


def test_client_predictions_match_in_process(server, artifacts_dir):
    artifacts = load_artifacts(artifacts_dir)
    client = TFServingClient(server.url, artifacts.vocabulary)
    try:
        predictions = client.predict_texts(TEXTS)
    finally:
        client.close()
    expected = graphs.load("saved_model", artifacts)(artifacts.vocabulary.encode_batch(TEXTS))
    np.testing.assert_allclose(predictions, expected, atol=1e-5)


@pytest.mark.parametrize("path, body, status", [
    (b"/v1/models/other:predict", {"instances": [[0] * 50]}, 404),
    (b"/v1/models/sentiment:predict", {"instances": [[0] * 49]}, 400),
    (b"/v1/models/sentiment:predict", {"instances": [["a"] * 50]}, 400),
    (b"/v1/models/sentiment:predict", {"instances": [[10 ** 9] * 50]}, 400),
    (b"/v1/models/sentiment:predict", {"inputs": [[0] * 50]}, 400),
    (b"/v1/models/sentiment:predict", {"instances": [[0] * 50] * 65}, 413),
])
def test_bad_predict_requests_get_json_errors(server, path, body, status):
    response = raw_request(server.port, b"POST", path, [(b"Content-Type", b"application/json")], json.dumps(body).encode())
    assert response.status == status and json.loads(response.body)["error"]

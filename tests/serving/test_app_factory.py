"""Flask's app-factory shape: no module-level state, and a test can hand the app its predictor."""
import numpy as np

from serving.app import create_app
from serving.settings import Settings


def test_a_handed_in_predictor_answers_instead_of_a_loaded_model(artifacts_dir):
    seen = []

    def predictor(ids: np.ndarray) -> np.ndarray:
        seen.append(ids.shape)
        return np.tile(np.array([[0.2, 0.8]], dtype=np.float32), (len(ids), 1))

    app = create_app(Settings(graph="static", artifacts=artifacts_dir), predictor=predictor)
    answer = app.test_client().get("/static", query_string={"text": "anything at all"}).get_json()
    assert answer["label"] == "POSITIVE" and answer["probability"] == np.float32(0.8)
    assert len(seen) == 2 and seen[-1][0] == 1  # the warm-up, then the request: one row each


def test_two_apps_in_one_process_do_not_share_state(artifacts_dir):
    def constant(positive: float):
        return lambda ids: np.tile(np.array([[1 - positive, positive]], dtype=np.float32), (len(ids), 1))

    negative = create_app(Settings(graph="static", artifacts=artifacts_dir), predictor=constant(0.1))
    positive = create_app(Settings(graph="static", artifacts=artifacts_dir), predictor=constant(0.9))
    assert negative.test_client().get("/static?text=x").get_json()["label"] == "NEGATIVE"
    assert positive.test_client().get("/static?text=x").get_json()["label"] == "POSITIVE"

"""A client for TF Serving's REST predict API: `POST /v1/models/<name>:predict`.

Point it at TensorFlow Serving running the exported SavedModel
(`tensorflow_model_server --rest_api_port=8501 --model_name=sentiment
--model_base_path=$ARTIFACTS/saved_model`, which finds version `1/`), or at our
own servers, which answer the same API. Texts are encoded here with the
artifacts' vocabulary, since the SavedModel takes ids.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import numpy as np

from bench.clients.connection import Connection
from sentiment_model.text import Vocabulary


class TFServingClient:
    def __init__(self, base_url: str, vocabulary: Vocabulary, model: str = "sentiment"):
        parts = urlsplit(base_url)
        self.connection = Connection(f"{parts.scheme}://{parts.netloc}/v1/models/{model}:predict")
        self.vocabulary = vocabulary

    def predict_texts(self, texts: list[str]) -> np.ndarray:
        """Probabilities [len(texts), 2] (NEGATIVE, POSITIVE)."""
        body = json.dumps({"signature_name": "serving_default",
                           "instances": self.vocabulary.encode_batch(texts).tolist()})
        status, answer = self.connection.post_json(body.encode())
        if status != 200:
            raise RuntimeError(f"TF Serving answered {status}: {answer[:300]!r}")
        return np.asarray(json.loads(answer)["predictions"], dtype=np.float32)

    def close(self) -> None:
        self.connection.close()

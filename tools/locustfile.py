"""Locust load for when one load generator is not enough (distributed: a master and N workers).

    locust -f tools/locustfile.py --master --headless -u 200 -r 50 -t 60s --host http://HOST:PORT --csv out
    locust -f tools/locustfile.py --worker --master-host MASTER   # on each load machine

Each user sends the same requests as the suite: `GET /<graph>?text=` with held-out
sentences, and counts an answer as failed unless it is a 200 with a label.
The graph kind comes from TFSERVE_GRAPH (default: ask the server's /healthz).
"""
from __future__ import annotations

import os
import random

from locust import FastHttpUser, constant, events, task

from sentiment_model import corpus

TEXTS = [e.text for e in corpus.read_tsv() if e.split == "test"]
LABELS = set(corpus.LABELS)


@events.test_start.add_listener
def _discover_graph(environment, **_):
    if not os.environ.get("TFSERVE_GRAPH") and environment.host:
        import requests

        os.environ["TFSERVE_GRAPH"] = requests.get(f"{environment.host.rstrip('/')}/healthz", timeout=10).json()["graph"]


class SentimentUser(FastHttpUser):
    wait_time = constant(0)  # closed loop, as fast as answers come

    @task
    def classify(self) -> None:
        graph = os.environ.get("TFSERVE_GRAPH", "static")
        with self.client.get(f"/{graph}", params={"text": random.choice(TEXTS)}, name=f"/{graph}",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif (response.json() or {}).get("label") not in LABELS:
                response.failure("answer without a label")

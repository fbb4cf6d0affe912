"""Train (or reuse) the default model with this side's own code, and the P(POSITIVE) its static
graph gives each text in-process: what this side's servers must answer (bench.gate).

    python -P side_artifacts.py CACHE TEXTS_JSON   -> one JSON line {"artifacts", "expected"}
"""
import json
import sys

from sentiment_model.artifacts import load_artifacts
from sentiment_model.cache import cached_artifacts
from serving import graphs

folder = cached_artifacts(sys.argv[1])
texts = json.loads(sys.argv[2])
artifacts = load_artifacts(folder)
positive = graphs.load("static", artifacts)(artifacts.vocabulary.encode_batch(texts))[:, 1].tolist()
print(json.dumps({"artifacts": str(folder), "expected": dict(zip(texts, positive))}))

"""One side's load probe (bench.harness.load_probe): imports the runtime once, then for each graph kind
it is sent, loads the graph afresh and predicts one text, timing that itself; collects garbage
only when asked, between rounds, never inside a timed load.

    python -P load_probe.py ARTIFACTS TEXT      (then one kind, or "collect", per line on stdin)
"""
import gc
import json
import sys
import time

import keras

from sentiment_model.artifacts import load_artifacts
from serving import graphs

artifacts = load_artifacts(sys.argv[1])
ids = artifacts.vocabulary.encode_batch([sys.argv[2]])
gc.collect()
gc.disable()
print("ready", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "collect":
        gc.collect(1)  # what the last round left; a full collection here would take ~0.4 s
        print("ok", flush=True)
        continue
    keras.backend.clear_session(free_memory=False)  # a fresh state, as a new server has
    started = time.perf_counter()
    positive = float(graphs.load(command, artifacts)(ids)[0, 1])
    print(json.dumps({"seconds": time.perf_counter() - started, "positive": positive}), flush=True)

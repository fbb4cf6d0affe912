"""Load + first prediction timed inside a process that runs one checkout's own code.

The regression gate compares a base and a candidate checkout: each side's loading
code must be the one timed, so each side gets a probe process started with its own
`PYTHONPATH`. The probe (the script below, run with `python -c`) imports
TensorFlow once, then for each graph kind it is sent loads the graph afresh and
predicts one text, timing that itself (the pipe's latency is not the figure).
Garbage is collected only when asked, between rounds, never inside a timed load.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.line_process import LineProcess, LineProcessError

PROBE = r"""
import gc, json, sys, time
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
"""


ProbeError = LineProcessError


class LoadProbe:
    """One side's probe process; `load(kind)` -> (seconds, P(POSITIVE) of the text)."""

    def __init__(self, root: Path, artifacts: Path, text: str, env: dict[str, str]):
        self.process = LineProcess([sys.executable, "-c", PROBE, str(artifacts), text], root,
                                   {**env, "PYTHONPATH": str(root)}, name="load probe")

    def wait_ready(self) -> LoadProbe:
        """Until the probe has imported TensorFlow and read the model folder (start several, then wait)."""
        self._expect("ready")
        return self

    def _expect(self, word: str) -> None:
        if (reply := self.process.reply()) != word:
            raise ProbeError(f"the load probe said {reply!r}, not {word!r}")

    def load(self, kind: str) -> tuple[float, float]:
        self.process.send(kind)
        answer = json.loads(self.process.reply())
        return answer["seconds"], answer["positive"]

    def collect(self) -> None:
        self.process.send("collect")
        self._expect("ok")

    def close(self) -> None:
        self.process.close()

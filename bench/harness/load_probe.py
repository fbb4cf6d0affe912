"""Load + first prediction timed inside a process that runs one checkout's own code.

The regression gate compares a base and a candidate checkout: each side's loading
code must be the one timed, so each side gets a probe process started with its own
`PYTHONPATH`. The probe (`bench/harness/side_scripts/load_probe.py`) imports TensorFlow
once, then for each graph kind it is sent loads the graph afresh and predicts one
text, timing that itself (the pipe's latency is not the figure).
"""
from __future__ import annotations

import json
from pathlib import Path

from bench.harness import side_scripts
from bench.harness.line_process import LineProcess, LineProcessError

ProbeError = LineProcessError


class LoadProbe:
    """One side's probe process; `load(kind)` -> (seconds, P(POSITIVE) of the text)."""

    def __init__(self, root: Path, artifacts: Path, text: str, env: dict[str, str]):
        self.process = LineProcess(side_scripts.command("load_probe", str(artifacts), text), root,
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

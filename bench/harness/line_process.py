"""A helper process spoken to in lines: a command line in, one JSON line (or word) back.

The load probe (`bench.harness.load_probe`) and the in-process worker (`bench.clients.inprocess_worker`) each
time their own work inside such a process, so the pipe's latency is never the figure. Their
logs go to a file, not a pipe: TensorFlow's logging cannot block them.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench.harness.interrupts import interrupts_deferred


class LineProcessError(RuntimeError):
    pass


class LineProcess:
    def __init__(self, command: list[str], cwd: Path, env: dict[str, str] | None = None, name: str = "helper"):
        self.name = name
        self._log = tempfile.TemporaryFile("w+")
        with interrupts_deferred():  # the child is stopped only if its Popen was returned
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self._log, text=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def reply(self) -> str:
        """The next line; when the process stopped instead, its exit and last log line as an error."""
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            self._log.seek(0)
            error = (self._log.read().strip().splitlines() or ["no output"])[-1]
            raise LineProcessError(f"the {self.name} stopped (exit {self.process.returncode}): {error}")
        return line.strip()

    def close(self) -> None:
        """End of input; the process ends by itself (or is killed after 30 s)."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

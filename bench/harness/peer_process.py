"""A peer's server (`serving.peers`) in a child process, started from its own environment, waited for
until its own readiness endpoint and our `/healthz` both answer, and stopped as ours are (its whole
process group; what it started itself, Ray's daemons say, included)."""
from __future__ import annotations

import time
from pathlib import Path

import psutil
import requests

from bench.harness.supervisor import PROJECT_ROOT, ServerError, ServerProcess, free_port, health
from serving import peers
from serving.peers.environment import PeerUnavailable, python_of


class PeerProcess(ServerProcess):
    """`PeerProcess(peer, artifacts, workers=2)`: the peer's service of the suite's onnx form."""

    def __init__(self, peer: str, artifacts: Path, *, workers: int = 2, startup_timeout: float = 180.0,
                 project_root: Path = PROJECT_ROOT, **_settings):
        super().__init__("onnx", artifacts, startup_timeout=startup_timeout, project_root=project_root,
                         port=free_port(), workers=workers)
        self.peer = peers.get(peer)
        try:
            python = python_of(peer, self.peer)
        except PeerUnavailable as error:
            raise ServerError(str(error)) from None
        self.command = [str(python), "-m", f"serving.peers.{self.peer.module}", "--artifacts", str(artifacts),
                        "--port", str(self.port), "--workers", str(workers)]
        self.env["PYTHONNOUSERSITE"] = "1"
        self.health_path = self.peer.health_path

    def wait_healthy(self) -> PeerProcess:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"peer exited with code {self.process.returncode} before it was ready:\n{self.log()}")
            try:
                ready = requests.get(f"{self.url}{self.peer.ready_path}", timeout=1).status_code == 200
                if ready and self._is_mine(health(self.url, timeout=1, path=self.health_path)):
                    return self
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.02)
        raise ServerError(f"peer not ready after {self.startup_timeout:.0f} s:\n{self.log()}")

    def _is_mine(self, answer: dict) -> bool:
        """The answer came from a process this launch started (a peer's front end may be a grandchild)."""
        try:
            ours = {self.process.pid, *(child.pid for child in psutil.Process(self.process.pid).children(recursive=True))}
        except psutil.NoSuchProcess:
            return False
        return answer.get("pid") in ours

"""A peer's server (`serving.peers`) in a child process, started from its own environment, waited for
until its own readiness endpoint answers and its port is held by a process this launch started (not a
stranger on the port), and stopped as ours are: its whole process group."""
from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import psutil
import requests

from bench.harness.supervisor import PROJECT_ROOT, ServerError, ServerProcess, free_port
from serving import peers
from serving.model_file import ModelError, handoff
from serving.peers.environment import PeerUnavailable, python_of


class PeerProcess(ServerProcess):
    """`PeerProcess(peer, artifacts, workers=2)`: the peer's service of the suite's onnx form;
    with `model` (and `shape`, as `--model` and `--shape` give them): of that model file's onnx form,
    handed over to the peer's environment (`serving.model_file.handoff`)."""

    def __init__(self, peer: str, artifacts: Path | None, *, workers: int = 2, startup_timeout: float = 180.0,
                 project_root: Path = PROJECT_ROOT, env: dict[str, str] | None = None,
                 model: Path | None = None, shape: tuple[str, ...] | None = None):
        super().__init__("onnx", artifacts, startup_timeout=startup_timeout, project_root=project_root,
                         env=env, workers=workers)
        self.name, self.peer = peer, peers.get(peer)
        if model is not None and self.peer.over_grpc:
            raise ServerError(f"{peer}: the suite's gRPC client sends one text input, not a model file's tensors")
        try:
            python = python_of(peer, self.peer)
            served = ["--artifacts", str(artifacts)] if model is None else ["--model-form", str(handoff_of(model, shape))]
        except (PeerUnavailable, ModelError) as error:
            raise ServerError(str(error)) from None
        self.model_name = handoff.read(Path(served[1]))[0].name if model is not None else None
        self.endpoint = self.peer.endpoint(self.model_name)  # where its requests go
        self.record_path = self.log_path.with_suffix(".json")  # what the peer says it runs
        self.command = [str(python), "-m", f"serving.peers.{self.peer.module}", *served,
                        "--port", str(self.port), "--workers", str(workers), "--record", str(self.record_path)]
        self.grpc_port = free_port() if self.peer.over_grpc else None
        if self.grpc_port:
            self.command += ["--grpc-port", str(self.grpc_port)]
        self.env["PYTHONNOUSERSITE"] = "1"

    @property
    def request_url(self) -> str:
        """Where its requests go: its REST endpoint, or its gRPC port (`bench.clients.grpc_connection`'s URL)."""
        if self.grpc_port:
            return f"grpc+v2://127.0.0.1:{self.grpc_port}{self.endpoint}"
        return f"{self.url}{self.endpoint}"

    def wait_healthy(self) -> PeerProcess:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and self._relaunched_on_port_clash():
                continue  # Ray's daemons bind ports of their own, too
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with code {self.process.returncode} before it was ready:\n{self.log()}")
            try:
                ready_path = self.peer.ready_path.format(model=self.model_name or "sentiment")
                ready = requests.get(f"{self.url}{ready_path}", timeout=1).status_code == 200
            except requests.RequestException:
                ready = False
            if ready and self.grpc_port:  # over gRPC: ready once its gRPC port takes connections too
                ready = _accepts(self.grpc_port)
            if ready and self.record_path.exists():
                if not self._holds_port():
                    raise ServerError(f"{self.name}: port {self.port} answers, but not from a process it started "
                                      f"(another server took the port)")
                return self
            time.sleep(0.02)  # fine-grained: cold starts time this wait
        raise ServerError(f"{self.name} not ready after {self.startup_timeout:.0f} s:\n{self.log()}")

    def _move_to(self, port: int) -> None:
        self.command[self.command.index("--port") + 1] = str(port)
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        if self.grpc_port:  # its gRPC port may have been the one taken
            self.grpc_port = free_port()
            self.command[self.command.index("--grpc-port") + 1] = str(self.grpc_port)

    def _processes(self) -> list[psutil.Process]:
        try:
            leader = psutil.Process(self.process.pid)
            return [leader, *leader.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _holds_port(self) -> bool:
        for process in self._processes():
            try:
                if any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.port for c in process.net_connections("tcp")):
                    return True
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return False

    def reported_setup(self) -> dict:
        """What the peer wrote of its set-up before it served (`--record`)."""
        return json.loads(self.record_path.read_text())

    def stop(self, grace: float = 10.0) -> None:
        super().stop(grace)
        self.record_path.unlink(missing_ok=True)
        shutil.rmtree(self.record_path.with_suffix(".d"), ignore_errors=True)  # a peer's own scratch (MLServer's settings)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def handoff_of(model: Path, shape) -> Path:
    """The model's hand-off: the one the run's preparation wrote, else written now (reading the model)."""
    return handoff.find(model, shape) or handoff.write(model, shape)

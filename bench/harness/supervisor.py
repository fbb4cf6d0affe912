"""Run `python -m serving run ...` in a child process, wait for health, always stop it.

Used by the tests and the benchmarks. The child gets its own process group, so
stopping it also stops gunicorn's workers; its output goes to a log file that
every failure message quotes.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import requests

from bench.harness.interrupts import interrupts_deferred
from serving.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Children find the project's packages wherever the caller runs from.
ROOT_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}


def health(url: str, timeout: float = 10.0) -> dict:
    """The server's `GET /healthz` answer (its set-up, load and warm-up times); an HTTP error raises."""
    response = requests.get(f"{url}/healthz", timeout=timeout)
    response.raise_for_status()
    return response.json()


class ServerError(RuntimeError):
    pass


# Relaunches on another port when the one chosen free was taken before the server bound it: a run
# starts several servers at once, and the kernel hands freed ports to clients' outgoing connections.
PORT_RETRIES = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """`ServerProcess(graph, artifacts, workers=2, ...)`: any field of `serving.settings.Settings`
    by name; the port defaults to a free one."""

    def __init__(self, graph: str, artifacts: Path | None, *, startup_timeout: float = 120.0,
                 env: dict[str, str] | None = None, project_root: Path = PROJECT_ROOT, **settings):
        """`artifacts` None: a model file's form (`model=PATH`, `graph` its form)."""
        # A port the caller named is theirs to have: a clash on it fails; one we chose moves on.
        self.port_chosen_here = "port" not in settings
        settings.setdefault("port", free_port())
        self.settings = Settings(graph=graph, artifacts=Path(artifacts) if artifacts else None, **settings)
        self.graph = graph
        self.port = self.settings.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.command = [sys.executable, "-m", "serving", "run", *self.settings.argv()]
        # Another checkout (the regression gate's base) runs its own code.
        self.project_root = Path(project_root)
        self.env = {**ROOT_ENV, **(env or {}), "PYTHONPATH": str(self.project_root)}
        self.process: subprocess.Popen | None = None
        self.launched_at: float | None = None  # perf_counter at the last launch; a relaunch restarts it
        self.relaunches = 0
        self._log_start = 0  # where the last launch's output begins in the log
        self._log = tempfile.NamedTemporaryFile(prefix=f"serving-{graph}-", suffix=".log", delete=False)
        self.log_path = Path(self._log.name)

    def start(self) -> ServerProcess:
        self._log.flush()
        self._log_start = self.log_path.stat().st_size
        with interrupts_deferred():  # an interrupt mid-start would lose the child's pid, so its stop
            self.launched_at = time.perf_counter()
            self.process = subprocess.Popen(
                self.command, cwd=self.project_root, stdout=self._log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, env=self.env,
            )
        return self

    def log(self, tail_lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-tail_lines:])

    def wait_healthy(self) -> ServerProcess:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and self._relaunched_on_port_clash():
                continue
            if self.process.poll() is not None:
                raise ServerError(f"server exited with code {self.process.returncode} before it was healthy:\n{self.log()}")
            try:
                if self._is_mine(health(self.url, timeout=1)):
                    return self
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.02)  # fine-grained: cold-start benchmarks time this wait
        raise ServerError(f"server not healthy after {self.startup_timeout:.0f} s:\n{self.log()}")

    def _relaunched_on_port_clash(self) -> bool:
        """The launch died because its port was taken: kill what it started, relaunch on another free
        port (said in the log) and return True; up to PORT_RETRIES times, and only on a port chosen here."""
        if not self.port_chosen_here:
            return False
        last_launch = self.log_path.read_bytes()[self._log_start:].decode(errors="replace")
        if "already in use" not in last_launch or self.relaunches >= PORT_RETRIES:
            return False
        self.relaunches += 1
        self._log.write(f"\n[tfserve-bench] port {self.port} taken before the server bound it; "
                        f"relaunching on another\n".encode())
        _signal_group(self.process.pid, signal.SIGKILL)  # whatever it had started
        self._move_to(free_port())
        self.start()
        return True

    def _move_to(self, port: int) -> None:
        self.settings = replace(self.settings, port=port)
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.command = [sys.executable, "-m", "serving", "run", *self.settings.argv()]

    def terminate(self) -> None:
        """Ask the whole process group to stop, without waiting (see `stop`)."""
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGTERM)  # start_new_session: group id == pid

    def _is_mine(self, health: dict) -> bool:
        """True when the answer came from this process or its gunicorn worker, not a stranger on the port."""
        return self.process.pid in (health.get("pid"), health.get("parent_pid"))

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the whole process group; SIGKILL whatever is left after `grace` seconds. Its log
        goes with it, unless the server had exited by itself (a crash's log stays, for its reader;
        every error raised here carries the log's last lines anyway)."""
        if self.process is None:
            self._log.close()
            self.log_path.unlink(missing_ok=True)
            return
        exited_by_itself = self.process.poll() is not None
        group = self.process.pid
        self.terminate()
        if not self._wait_group_gone(group, grace):
            _signal_group(group, signal.SIGKILL)
            self._wait_group_gone(group, 5.0)
        self._log.close()
        if not exited_by_itself:
            self.log_path.unlink(missing_ok=True)

    def _wait_group_gone(self, group: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader so it does not linger as a zombie
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False

    def __enter__(self) -> ServerProcess:
        try:
            return self.start().wait_healthy()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal_group(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass

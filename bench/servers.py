"""The servers a benchmark run measures: launched together, kept for the run, all stopped at the end."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from bench.plan import Case
from serving.supervisor import ServerProcess


@dataclass(frozen=True)
class RemoteServer:
    url: str


def reported_setup(url: str) -> dict:
    """What the server at `url` says of its own set-up (`GET /healthz`)."""
    return requests.get(f"{url}/healthz", timeout=10).json()["setup"]


class ServerPool:
    """Servers started on first use and kept for the session; all stopped at the end."""

    def __init__(self, artifacts_dir: Path, remote_url: str | None = None):
        self.artifacts_dir = artifacts_dir
        self.remote_url = remote_url
        self.servers: dict[tuple, ServerProcess] = {}
        self._setups: dict[str, dict] = {}

    @staticmethod
    def _key(case: Case) -> tuple:
        return case.graph, case.config

    def start(self, cases) -> None:
        """Launch the servers of all `cases` at once, then wait for each to be healthy.

        Start-up is mostly importing TensorFlow; overlapping it saves a minute of a
        full run. Nothing is measured until every server is up and idle.
        """
        for case in cases:
            if case.config.server != "remote" and self._key(case) not in self.servers:
                process = ServerProcess(case.graph, self.artifacts_dir, server=case.config.server,
                                        workers=case.config.workers, extra_args=case.config.cli_args())
                self.servers[self._key(case)] = process  # registered first: stopped even if start fails
                process.start()
        for process in self.servers.values():
            process.wait_healthy()

    def get(self, case: Case) -> ServerProcess | RemoteServer:
        if case.config.server == "remote":
            return RemoteServer(self.remote_url)
        self.start([case])
        return self.servers[self._key(case)]

    def setup_of(self, case: Case) -> dict:
        """The measured server's own report of its set-up, asked once per server."""
        url = self.get(case).url
        if url not in self._setups:
            self._setups[url] = reported_setup(url)
        return self._setups[url]

    def stop_all(self) -> None:
        for process in self.servers.values():
            process.terminate()  # all at once: graceful gunicorn shutdowns overlap
        for process in self.servers.values():
            process.stop()
        self.servers.clear()

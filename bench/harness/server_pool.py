"""The servers a benchmark run measures: each group's launched together when the group runs,
stopped once no group still to run needs them, all stopped at the end."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.harness.memory import process_tree_memory
from bench.harness.process_cpu import process_tree_cpu_s
from bench.harness.supervisor import PROJECT_ROOT, ServerError, ServerProcess, health
from bench.method.cases import Case


@dataclass(frozen=True)
class RemoteServer:
    url: str


def reported_setup(url: str) -> dict:
    """What the server at `url` says of its own set-up."""
    return health(url)["setup"]


class ServerPool:
    """Servers started when a group (or a benchmark) first needs them, stopped when the last
    group needing them is released, so only one group's servers hold memory at a time.
    `project_root`: the checkout whose code the servers run (the regression gate has one pool per side)."""

    def __init__(self, artifacts_dir: Path | None, groups: dict[str, list[Case]] | None = None,
                 project_root: Path = PROJECT_ROOT, subject=None):
        """`subject` (bench.method.subject; None: the suite's own model): what every server is
        started with (a model file's `model` and `shape`), the path requests go to (default
        `/<graph>`), and a remote server's address."""
        self.artifacts_dir = artifacts_dir
        self.launch_settings = subject.launch_settings() if subject else {}
        self._endpoint = subject.endpoint() if subject else None
        self.project_root = project_root
        self.remote_url = getattr(subject, "url", None)
        # a remote server's own account of its set-up, where it has no /healthz (bench.method.subject)
        self._remote_setup = getattr(subject, "remote_setup", None)
        self.servers: dict[str, ServerProcess] = {}
        self._starting: list[ServerProcess] = []  # launched, not yet seen healthy
        self._setups: dict[str, dict] = {}
        self._memory: dict[str, dict] = {}
        # a peer (serving.peers) that could not be built or started: its key -> why, in one line; its
        # figures fail with it, the others are measured (ours failing to start still stops the run)
        self.failed: dict[str, str] = {}
        self._groups = {name: [case for case in cases if case.config.launched] for name, cases in (groups or {}).items()}

    @staticmethod
    def _key(case) -> str:
        """A server per case's name: a case (bench.method.cases.Case), or one of a case's launches
        (bench.method.launches.Launch: "static-gunicorn-w1#2" is the second process of its case)."""
        return str(case)

    def start(self, cases) -> None:
        """Launch the servers of all `cases` at once, then wait for each to be healthy.

        Start-up is mostly importing TensorFlow; overlapping it saves a minute of a
        full run. Nothing is measured until every server is up and idle. A peer that
        `starts_alone` is launched after the others are up, one at a time.
        """
        alone = [case for case in cases if _starts_alone(case)]
        self.launch([case for case in cases if case not in alone])
        self.wait_healthy()
        for case in alone:
            self.launch([case])
            self.wait_healthy()

    def launch(self, cases) -> None:
        """Start the servers of `cases` not running yet, without waiting (`wait_healthy`)."""
        for case in cases:
            if case.config.launched and self._key(case) not in self.servers and self._key(case) not in self.failed:
                if case.config.peer:  # another project's server, from its own environment
                    from bench.harness.peer_process import PeerProcess

                    try:
                        process = PeerProcess(case.config.server, self.artifacts_dir, workers=case.config.workers,
                                              project_root=self.project_root, **self.launch_settings)
                    except ServerError as error:  # its environment cannot be built
                        self.failed[self._key(case)] = str(error).splitlines()[0]
                        continue
                else:
                    process = ServerProcess(case.graph, self.artifacts_dir, project_root=self.project_root,
                                            **case.config.settings(), **self.launch_settings)
                self.servers[self._key(case)] = process  # registered first: stopped even if start fails
                self._starting.append(process)
                process.start()

    def wait_healthy(self) -> None:
        """Until every launched server is healthy (each checked once: a `get` of a running one asks nothing)."""
        while self._starting:
            process = self._starting[0]
            try:
                process.wait_healthy()
            except ServerError as error:
                key = next(key for key, running in self.servers.items() if running is process)
                if not hasattr(process, "peer"):
                    raise
                self.failed[key] = " ".join(str(error).split("\n")[:1] + str(error).splitlines()[-1:])
                self._stop([key])
            if process in self._starting:
                self._starting.remove(process)

    def get(self, case: Case) -> ServerProcess | RemoteServer:
        if case.config.server == "remote":
            return RemoteServer(self.remote_url)
        self.start([case])
        if self._key(case) in self.failed:
            raise ServerError(self.failed[self._key(case)])
        return self.servers[self._key(case)]

    def failure_of(self, case, launches: int = 1) -> str | None:
        """Why a peer's case (any of its `launches`) could not be started, or None."""
        from bench.method.launches import launches_of

        return next((self.failed[key] for key in map(self._key, launches_of([case], launches)) if key in self.failed), None)

    def endpoint(self, case: Case) -> str:
        """The URL the case's requests go to (a peer's: where its protocol takes them, serving.peers)."""
        if case.config.peer:  # where its protocol takes the subject's requests (bench.harness.peer_process)
            return self.get(case).request_url
        return f"{self.get(case).url}{self._endpoint or '/' + case.graph}"

    def server_setup_of(self, case: Case) -> dict:
        """The measured server's own report of its set-up, asked once per server."""
        server = self.get(case)
        url = server.url
        if url not in self._setups and case.config.server == "remote" and self._remote_setup is not None:
            self._setups[url] = self._remote_setup()
        if url not in self._setups and case.config.peer:  # a peer's own record (bench.harness.peer_process)
            self._setups[url] = server.reported_setup()
        if url not in self._setups:
            self._setups[url] = reported_setup(url)
        return self._setups[url]

    def memory_of(self, case: Case) -> dict | None:
        """The server's processes' memory (`bench.harness.memory.process_tree_memory`), measured once per
        server, at the first ask (after its warm-up); None for a server this run did not start."""
        if case.config.server == "remote":
            return None
        process = self.get(case)
        if process.url not in self._memory:
            self._memory[process.url] = process_tree_memory(process.process.pid)
        return self._memory[process.url]

    def cpu_clock_of(self, case: Case):
        """A clock of the server's processes' CPU seconds (`bench.harness.process_cpu`), of whichever
        launch of it is up; None for a server this run did not start."""
        if case.config.server == "remote":
            return None
        return lambda: process_tree_cpu_s(self.get(case).process.pid)

    def relaunch(self, cases) -> None:
        """Stop the servers of `cases` and start fresh ones together (another process keeps its own
        speed: a capacity search's later rounds each run on new launches)."""
        keys = {self._key(case) for case in cases}
        self._stop([key for key in keys if key in self.servers])
        self.start(cases)

    def start_group(self, name: str) -> None:
        """Launch every server of group `name` together (see `start`)."""
        self.start(self._groups.get(name, []))

    def release(self, name: str) -> None:
        """Group `name` is done: stop its servers that no group still to run needs."""
        done = self._groups.pop(name, [])
        still_needed = {self._key(case) for cases in self._groups.values() for case in cases}
        self._stop([key for key in map(self._key, done) if key in self.servers and key not in still_needed])

    def stop_all(self) -> None:
        self._stop(list(self.servers))

    def _stop(self, keys: list[str]) -> None:
        for key in keys:
            self.servers[key].terminate()  # all at once: shutdowns overlap
        for key in keys:
            process = self.servers.pop(key)
            if process in self._starting:
                self._starting.remove(process)
            process.stop()
            self._setups.pop(process.url, None)
            self._memory.pop(process.url, None)


def _starts_alone(case) -> bool:
    if not case.config.peer:
        return False
    from serving import peers

    return peers.get(case.config.server).starts_alone is not None

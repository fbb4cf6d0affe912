"""Each group's servers run only while a group still needs them (peak memory of a run)."""
from pathlib import Path

from bench.harness import server_pool
from bench.method.cases import Case, ServerConfig


class FakeServer:
    """Stands in for `ServerProcess`: records what the pool does with it."""
    running: set = set()

    def __init__(self, graph, artifacts, *, server, workers, project_root, **other_settings):
        self.name = f"{graph}-{server}-{workers}"
        self.project_root = project_root
        self.url = f"http://{self.name}"

    def start(self):
        FakeServer.running.add(self.name)

    def wait_healthy(self):
        return self

    def terminate(self):
        pass

    def stop(self):
        FakeServer.running.discard(self.name)


def test_servers_start_with_their_group_and_stop_when_no_later_group_needs_them(monkeypatch):
    monkeypatch.setattr(server_pool, "ServerProcess", FakeServer)
    FakeServer.running = set()
    w1, w2 = ServerConfig("gunicorn", 1), ServerConfig("gunicorn", 2)
    groups = {
        "burst_case": [Case("static", w1), Case("static", w2)],
        "request_case": [Case("static", ServerConfig("in-process")), Case("static", w1)],
    }
    pool = server_pool.ServerPool(Path("unused"), groups=groups)
    assert FakeServer.running == set()  # nothing up front
    pool.start_group("burst_case")
    assert FakeServer.running == {"static-gunicorn-1", "static-gunicorn-2"}
    pool.release("burst_case")
    assert FakeServer.running == {"static-gunicorn-1"}  # the request group still needs it
    pool.start_group("request_case")  # the in-process case launches nothing
    assert FakeServer.running == {"static-gunicorn-1"}
    pool.release("request_case")
    assert FakeServer.running == set()


def test_a_pool_runs_its_servers_on_its_own_checkout(monkeypatch):
    """The regression gate's pools, one per side: each side's servers run that side's code."""
    monkeypatch.setattr(server_pool, "ServerProcess", FakeServer)
    FakeServer.running = set()
    pool = server_pool.ServerPool(Path("unused"), project_root=Path("/base-checkout"))
    assert pool.get(Case("static", ServerConfig("gunicorn", 1))).project_root == Path("/base-checkout")
    pool.stop_all()
    assert FakeServer.running == set()


def test_a_relaunch_starts_fresh_servers_together_and_none_outlives_its_group(monkeypatch):
    """A capacity search's later rounds: every set-up's server stopped and a new one started (a new
    process, a new URL); whatever is up is stopped with the group."""
    launched = []

    class Numbered(FakeServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.name = f"{self.name}#{len(launched)}"
            self.url = f"http://{self.name}"
            launched.append(self)

    monkeypatch.setattr(server_pool, "ServerProcess", Numbered)
    FakeServer.running = set()
    cases = [Case("onnx", ServerConfig("granian", 2)), Case("static", ServerConfig("gunicorn", 2))]
    pool = server_pool.ServerPool(Path("unused"), groups={"openloop_case": cases})
    pool.start_group("openloop_case")
    first = [pool.endpoint(case) for case in cases]
    pool.relaunch(cases)
    again = [pool.endpoint(case) for case in cases]
    assert len(launched) == 4 and not set(first) & set(again)
    assert FakeServer.running == {launched[2].name, launched[3].name}
    pool.release("openloop_case")
    assert FakeServer.running == set()


def test_a_peer_that_starts_alone_is_launched_after_the_others_are_up(monkeypatch):
    """PyTriton's model instances wait a fixed 1 s for their handshake: with 12 servers starting on 2
    cores both its launches failed, so it is launched once the others are healthy, one at a time."""
    from bench.harness import peer_process

    events = []

    class Recorded(FakeServer):
        def __init__(self, graph, artifacts, **settings):
            super().__init__(graph, artifacts, server=settings.get("server", "peer"), workers=settings.get("workers", 2),
                             project_root=settings.get("project_root"))

        def start(self):
            events.append(("start", self.name))

        def wait_healthy(self):
            events.append(("healthy", self.name))
            return self

    class RecordedPeer(Recorded):
        def __init__(self, peer, artifacts, *, workers, project_root):
            super().__init__("onnx", artifacts, server=peer, workers=workers, project_root=project_root)
            self.peer = peer

    monkeypatch.setattr(server_pool, "ServerProcess", Recorded)
    monkeypatch.setattr(peer_process, "PeerProcess", RecordedPeer)
    cases = [Case("onnx", ServerConfig("pytriton", 2)), Case("onnx", ServerConfig("granian", 2)),
             Case("onnx", ServerConfig("litserve", 2))]
    pool = server_pool.ServerPool(Path("unused"), groups={"peers": cases})
    pool.start_group("peers")
    assert events[:2] == [("start", "onnx-granian-2"), ("start", "onnx-litserve-2")]
    assert set(events[2:4]) == {("healthy", "onnx-granian-2"), ("healthy", "onnx-litserve-2")}
    assert events[4:] == [("start", "onnx-pytriton-2"), ("healthy", "onnx-pytriton-2")]
    pool.stop_all()

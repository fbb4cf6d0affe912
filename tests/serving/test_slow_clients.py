"""Slow and lying clients cannot hold a worker, on every registered server (serving.deadlines).

Each server runs with 1.5 s deadlines (the default is 5 s) and as many workers or threads as
a small deployment; every case ends within its deadline plus a margin for a loaded machine,
and not before it (a client sending slowly but in time must not be cut off). Without the
deadlines these cases wait for gunicorn's 30 s worker timeout (a 500 and a killed worker)
or, on the other servers, past the tests' 20 s socket timeout. What a server cannot do is
stated in its registry entry (`serving.servers.SlowClients`) and checked as stated.
"""
import json
import time

import pytest

from bench.harness.supervisor import ServerProcess
from serving import servers
from tests.procs import children
from tests.slowclient import Outcome, SlowClient, get_request, lying_client, post_head

DEADLINE = 1.5  # seconds, both deadlines
MARGIN = 1.5  # a loaded 2-core machine; waitress checks its deadlines every 0.25 s
GRAPH = "onnx"  # the quickest to start; the deadlines are the server's, not the graph's
TEXT = "a warm and funny film"
BODY = json.dumps({"text": TEXT}).encode()


# every registered server, and the threaded set-ups of gunicorn and granian beside the one-thread ones
SET_UPS = {name: {"server": name, **({"workers": 2} if server.worker_processes else {"threads": 2})}
           for name, server in servers.SERVERS.items()}
SET_UPS["gunicorn-gthread"] = {"server": "gunicorn", "workers": 2, "threads": 2}
SET_UPS["granian-threads"] = {"server": "granian", "workers": 1, "threads": 2}  # the app on a pool, not the loop


def all_workers_started(process, options: dict, within_s: float = 20.0) -> list[int]:
    """The server's worker processes once all are up: healthy means one worker answered, and
    gunicorn may fork the second a moment later (seen: [w1] at start, [w1, w2] at the end)."""
    expected = options.get("workers", 1) if servers.SERVERS[options["server"]].worker_processes else 0
    deadline = time.monotonic() + within_s
    while len(found := children(process.process.pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@pytest.fixture(scope="module", params=list(SET_UPS))
def server(request, artifacts_dir):
    options = {**SET_UPS[request.param], "header_timeout": DEADLINE, "body_timeout": DEADLINE}
    with ServerProcess(GRAPH, artifacts_dir, **options) as process:
        process.workers_at_start = all_workers_started(process, options)
        yield process
        assert children(process.process.pid) == process.workers_at_start, "a worker was killed or replaced"
        log = process.log(tail_lines=400)
        assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log


@pytest.fixture(scope="module")
def expected(oracle):
    return float(oracle([TEXT])[0].max())


def behaviour(server) -> servers.SlowClients:
    return servers.get(server.settings.server).slow_clients


def path(server) -> str:
    return f"/{server.graph}"


def capacity(server) -> int:
    """Requests the server runs at once: its workers times their threads (Flask's dev server: 4)."""
    hosting = servers.load(server.settings.server).hosting(server.settings)
    return hosting["workers"] * (hosting["threads"] or 4)


def assert_on_time(outcome: Outcome) -> None:
    assert outcome.status != -1, f"no answer and no close after {outcome.seconds:.1f} s"
    assert DEADLINE * 0.9 <= outcome.seconds <= DEADLINE + MARGIN, outcome


def assert_timed_out(outcome: Outcome, part: str) -> None:
    assert_on_time(outcome)
    assert outcome.status == 408, outcome
    assert part in outcome.error and "Traceback" not in outcome.error


def normal_get(server) -> bytes:
    return get_request(path(server), TEXT)


def normal_request(server, timeout: float = 20) -> tuple[float, dict]:
    outcome = SlowClient(server.port, normal_get(server), timeout=timeout).outcome()
    assert outcome.status == 200, outcome
    return outcome.seconds, json.loads(outcome.body)


def lying(server, timeout: float = 20) -> SlowClient:
    return lying_client(server.port, path(server), BODY, timeout)


def test_body_shorter_than_announced_held_open_gets_408(server, expected):
    assert_timed_out(lying(server).outcome(), "body")
    assert normal_request(server)[1]["probability"] == pytest.approx(expected, abs=1e-5)


def test_body_trickled_slower_than_the_deadline_gets_408(server, expected):
    # 0.25 s a byte: each read is quick, the whole body would take 6 s
    client = SlowClient(server.port, post_head(path(server), len(BODY)), rest=BODY, interval=0.25, timeout=20)
    assert_timed_out(client.outcome(), "body")
    assert normal_request(server)[1]["probability"] == pytest.approx(expected, abs=1e-5)


def test_body_trickled_within_the_deadline_is_answered(server, expected):
    short = b'{"text": "fine"}'
    client = SlowClient(server.port, post_head(path(server), len(short)), rest=short,
                        interval=DEADLINE * 0.5 / len(short), timeout=20)
    outcome = client.outcome()
    assert outcome.status == 200, outcome


def test_headers_trickled_byte_by_byte_are_cut_at_the_deadline(server, expected):
    request = f"GET {path(server)}?text=fine HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    client = SlowClient(server.port, b"", rest=request, interval=0.1, timeout=20)  # 7 s for the whole head
    outcome = client.outcome()
    if behaviour(server).headers == "close":
        assert_on_time(outcome)
        assert outcome.status is None, outcome
    else:
        assert_timed_out(outcome, "headers")
    assert normal_request(server)[1]["probability"] == pytest.approx(expected, abs=1e-5)


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server, expected):
    silent = SlowClient(server.port, b"", timeout=20)
    if behaviour(server).silent == "open":  # as stated: kept open, but holding no worker
        assert normal_request(server, timeout=DEADLINE)[1]["probability"] == pytest.approx(expected, abs=1e-5)
        assert silent.outcome_within(DEADLINE + MARGIN).status == -1
        return
    outcome = silent.outcome()
    assert_on_time(outcome)
    assert outcome.status is None, outcome


def test_a_normal_request_is_answered_while_slow_clients_hold_every_worker(server, expected):
    """As many lying clients as the server runs requests at once: a normal request waits at most
    for a deadline (a sync worker owns its connection) plus its own time, never 30 s."""
    holders = [lying(server) for _ in range(capacity(server))]
    try:
        time.sleep(0.3)  # the holders are being read
        seconds, answer = normal_request(server)
    finally:
        outcomes = [holder.outcome() for holder in holders]
    assert answer["probability"] == pytest.approx(expected, abs=1e-5)
    assert seconds <= DEADLINE + MARGIN
    print(f"\n{server.settings.server}: a normal request answered in {seconds * 1000:.0f} ms "
          f"while {len(holders)} slow clients held; they got {[o.status for o in outcomes]}")
    assert all(o.status == 408 for o in outcomes), outcomes

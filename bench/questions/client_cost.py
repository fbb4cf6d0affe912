"""The client's own cost: our client and wrk against a server that does nothing; its benchmark
(bench/test_client_cost.py) runs its own minimal server, so it has no cases here."""
from __future__ import annotations

from bench.method.rounds import Knobs, Rounds
from bench.questions.question import Question

RECORD = "client cost"
# Requests timed by our client and by wrk on a server that does nothing, as many as single requests time.
KNOBS = Knobs(quick=Rounds(60), full=Rounds(480))


# Its own figures: our client's and wrk's p50 in alternating windows on the same server, and the
# difference (None without wrk).
PART = ("client_window_p50_ms", "wrk_window_p50_ms", "client_cost_ms")

QUESTION = Question(RECORD, None, part=PART, knobs=KNOBS)

"""The client's own cost: our client and wrk against a server that does nothing; its benchmark
(bench/test_client_cost.py) runs its own minimal server, so it has no cases here."""
from __future__ import annotations

from bench.questions.question import Question

RECORD = "client cost"


QUESTION = Question(RECORD, None)

"""Tools beside the suite, not part of a run: profile one request (`profile_request`), drive a
server from many machines with Locust (`locustfile.py`), call TF Serving's REST API
(`tfserving`), measure slow clients against every server (`measure_slow_clients`). Each of the
first three is tested (tests/tools/). What CI or the tests need is never here (the example models:
`serving.model_file.examples`)."""

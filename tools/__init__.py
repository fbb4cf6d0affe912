"""Tools beside the suite, not part of a run: profile one request (`profile_request`), drive a
server from many machines with Locust (`locustfile.py`), call TF Serving's REST API
(`tfserving`). Each is tested (tests/test_tools.py, test_locust.py, test_tfserving_api.py)."""

"""The client machine's facts, added to pytest-benchmark's `machine_info` through its documented
`pytest_benchmark_update_machine_info` hook (bench/plugin/summary.py). The measured server's own
set-up is read from its `/healthz` (`serving.setup_report`), never assumed from the client.
"""
from __future__ import annotations

import os
from importlib import metadata

CLIENT_PACKAGES = ("tensorflow-cpu", "tensorflow", "gunicorn", "flask", "pytest-benchmark", "numpy")


def client_info() -> dict:
    versions = {}
    for name in CLIENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {"cpu_count": os.cpu_count(), "packages": versions}

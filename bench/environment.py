"""What a figure was measured on: stored with every benchmark in `extra_info`."""
from __future__ import annotations

import os
import platform
from importlib import metadata


def environment_info() -> dict:
    return {
        "tensorflow_version": metadata.version("tensorflow-cpu") if _installed("tensorflow-cpu") else metadata.version("tensorflow"),
        "gunicorn_version": metadata.version("gunicorn"),
        "flask_version": metadata.version("flask"),
        "python_version": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
    }


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"

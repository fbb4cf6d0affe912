"""Scripts run with another checkout's code (the regression gate's base or candidate side):
started as `python -P <this folder>/<script>.py` with that checkout's `PYTHONPATH`, so what they
import (`sentiment_model`, `serving`, never `bench`) is that side's. See `bench.gate`."""
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def command(script: str, *args: str) -> list[str]:
    """The command line that runs `script` (a file here) on the side its PYTHONPATH names.
    `-P`: this folder is not put on sys.path, so only the side's packages can be imported."""
    return [sys.executable, "-P", str(FOLDER / f"{script}.py"), *args]

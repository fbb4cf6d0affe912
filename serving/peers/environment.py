"""A peer's own environment: a virtual environment under `.cache/peers/`, built once from the
peer's pins and our numpy and onnxruntime pins (from requirements.txt, so the model runs on the same
runtime as ours), named by the hash of those pins so a changed pin builds a new one. Building needs
the package index (as `pip install -r requirements.txt` does); running needs nothing from outside.
`python -m serving.peers build [NAME ...]` builds them ahead of a run."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from serving.peers import Peer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CACHE = PROJECT_ROOT / ".cache" / "peers"
OUR_PINS = ("numpy", "onnxruntime")  # what the peers' model code imports, at our versions
READY = "ready"  # written last: an environment without it was cut off and is built again


class PeerUnavailable(RuntimeError):
    """A peer that cannot be installed or started here: one line saying why."""


def our_pins(requirements: Path = PROJECT_ROOT / "requirements.txt") -> tuple[str, ...]:
    pins = {}
    for line in requirements.read_text().splitlines():
        name = line.split("==")[0].strip().lower()
        if name in OUR_PINS and "==" in line:
            pins[name] = line.split("#")[0].strip()
    missing = set(OUR_PINS) - set(pins)
    if missing:
        raise PeerUnavailable(f"requirements.txt pins none of {', '.join(sorted(missing))}")
    return tuple(pins[name] for name in OUR_PINS)


def pins_of(peer: Peer) -> tuple[str, ...]:
    """The peer's pins and ours, but for a package the peer pins itself (PyTriton's numpy 1.x: it
    declares numpy<2), whose pin is the peer's."""
    own = {requirement.split("==")[0].split("[")[0].strip().lower() for requirement in peer.requirements}
    return (*peer.requirements, *(pin for pin in our_pins() if pin.split("==")[0] not in own))


def folder_of(name: str, peer: Peer) -> Path:
    name = peer.environment or name  # a peer sharing another's environment (its gRPC port) builds none of its own
    digest = hashlib.sha256("\n".join((sys.version, *pins_of(peer))).encode()).hexdigest()[:12]
    return CACHE / f"{name}-{digest}"


def python_of(name: str, peer: Peer) -> Path:
    """The peer's environment's python, built first if it is not there yet."""
    folder = folder_of(name, peer)
    if not (folder / READY).exists():
        build(name, peer, folder)
    return folder / "bin" / "python"


def build(name: str, peer: Peer, folder: Path) -> None:
    print(f"building {name}'s environment in {folder} ({', '.join(pins_of(peer))})", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True, capture_output=True)
    pip = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          *pins_of(peer)], capture_output=True, text=True)
    if pip.returncode != 0:
        last = [line for line in (pip.stderr or pip.stdout).splitlines() if line.strip()][-1:] or ["no output"]
        raise PeerUnavailable(f"{name}: pip could not install {', '.join(peer.requirements)}: {last[0]}")
    # what pip chose for everything the pins left open, kept beside it (`python -m serving.peers list`)
    frozen = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True)
    (folder / READY).write_text(frozen.stdout)


def install_mb(name: str, peer: Peer) -> float:
    """The environment's size on disk, in MB (its packages: what a user installs to deploy it)."""
    folder = folder_of(name, peer)
    total = sum(os.path.getsize(os.path.join(root, file)) for root, _, files in os.walk(folder) for file in files
                if not os.path.islink(os.path.join(root, file)))
    return round(total / 1e6, 1)

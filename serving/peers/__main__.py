"""`python -m serving.peers build [NAME ...]`: build the peers' environments ahead of a run (all
without names); `python -m serving.peers list`: each peer, its pins, whether its environment is built
and its size. A peer that cannot be built is one line with the reason, and exit 1."""
from __future__ import annotations

import argparse
import sys

from serving.peers import PEERS
from serving.peers.environment import READY, PeerUnavailable, folder_of, install_mb, pins_of, python_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.peers", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("build", "list"))
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"peers ({', '.join(PEERS)}; default all)")
    args = parser.parse_args(argv)
    if unknown := [name for name in args.names if name not in PEERS]:
        parser.error(f"unknown peer {', '.join(unknown)}; choose from {', '.join(PEERS)}")
    failed = 0
    for name in args.names or list(PEERS):
        peer = PEERS[name]
        if args.action == "list":
            built = (folder_of(name, peer) / READY).exists()
            size = f"{install_mb(name, peer):.0f} MB" if built else "not built"
            print(f"{name}: {peer.description}; {', '.join(pins_of(peer))}; {size}")
            continue
        try:
            python_of(name, peer)
            print(f"{name}: ready, {install_mb(name, peer):.0f} MB in {folder_of(name, peer)}")
        except PeerUnavailable as error:
            print(f"{name}: cannot be built: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

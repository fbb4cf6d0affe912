"""CLI: `python -m serving run --graph {dynamic,static,...} --artifacts DIR [...]`."""
from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from pathlib import Path

from sentiment_model.artifacts import ArtifactError, load_artifacts
from serving import servers
from serving.app import AppConfig
from serving.graphs import KINDS
from serving.launcher import ServerSettings, run


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m serving")
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="serve one graph kind over HTTP")
    defaults = ServerSettings()
    run_cmd.add_argument("--graph", required=True, choices=list(KINDS))
    run_cmd.add_argument("--artifacts", required=True, type=Path, help="folder written by `python -m sentiment_model train`")
    run_cmd.add_argument("--server", choices=list(servers.SERVERS), default=defaults.server,
                         help="; ".join(f"{name}: {server.description}" for name, server in servers.SERVERS.items()))
    run_cmd.add_argument("--bind", default=defaults.bind, help="address to listen on (default 127.0.0.1)")
    run_cmd.add_argument("--port", type=int, default=defaults.port)
    run_cmd.add_argument("--workers", type=_positive, default=defaults.workers,
                         help="worker processes (servers with worker processes: "
                              f"{', '.join(name for name, server in servers.SERVERS.items() if server.worker_processes)})")
    run_cmd.add_argument("--worker-class", choices=["sync", "gthread"], default=defaults.worker_class)
    run_cmd.add_argument("--threads", type=_positive, default=defaults.threads,
                         help="threads per process (gunicorn: gthread workers, default 1; waitress: its pool, default 4)")
    run_cmd.add_argument("--tf-intra-op-threads", type=int, default=0, help="0: TensorFlow decides")
    run_cmd.add_argument("--tf-inter-op-threads", type=int, default=0, help="0: TensorFlow decides")
    run_cmd.add_argument("--batch-window-ms", type=float, default=None,
                         help="micro-batch concurrent requests (threads in one process: gunicorn gthread, flask, "
                              "waitress): wait this long for more; 0 = only what is queued")
    run_cmd.add_argument("--max-batch-rows", type=_positive, default=64, help="rows per micro-batch")
    run_cmd.add_argument("--access-log", action="store_true")
    return parser


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = "already in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise SystemExit(f"error: cannot listen on {host}:{port}: {reason}") from None


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers > 1 and not servers.get(args.server).worker_processes:
        parser.error(f"--workers: {args.server} serves from one process (use --threads)")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    try:
        load_artifacts(args.artifacts)  # fail here, in one line, not in every worker
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _check_port_free(args.bind, args.port)
    app_config = AppConfig(
        graph=args.graph, artifacts=args.artifacts.resolve(),
        intra_op_threads=args.tf_intra_op_threads, inter_op_threads=args.tf_inter_op_threads,
        batch_window_ms=args.batch_window_ms, max_batch_rows=args.max_batch_rows,
    )
    settings = ServerSettings(
        server=args.server, bind=args.bind, port=args.port, workers=args.workers,
        worker_class=args.worker_class, threads=args.threads, access_log=args.access_log,
    )
    try:
        run(app_config, settings)
    except KeyboardInterrupt:
        pass
    return 0


def exit_now(code: int | str | None) -> None:
    """Leave without the interpreter's teardown: with TensorFlow loaded it spends ~1.8 s of CPU
    per process freeing modules, for nothing a stopped server needs. gunicorn's workers get here
    too (their SystemExit unwinds through `main` in the forked child), after gunicorn's own
    per-worker clean-up; logs and output are flushed first."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr, flush=True)
        code = 1
    os._exit(code)


if __name__ == "__main__":
    try:
        status = main()
    except SystemExit as leaving:
        status = leaving.code
    exit_now(status)

"""CLI: `python -m serving run --graph {dynamic,static,...} --artifacts DIR [...]`; `python -m serving
grpc --graph KIND --artifacts DIR [--port P --workers N]` (the same model over gRPC: TF Serving's
Predict and the Open Inference Protocol v2, serving.grpc_server); `python -m serving inspect --model
PATH` (a model file: its inputs, forms and their agreement)."""
from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path

from sentiment_model.artifacts import ArtifactError, load_artifacts
from serving import servers
from serving.launcher import run
from serving.model_file import ModelError
from serving.settings import Settings, add_arguments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m serving")
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("run", help="serve one graph kind over HTTP"))
    from serving.grpc_server import add_arguments as add_grpc_arguments

    add_grpc_arguments(commands.add_parser("grpc", help="serve one graph kind over gRPC (TF Serving's Predict, "
                                                        "Open Inference v2)"))
    inspect = commands.add_parser("inspect", help="a model file: its inputs, the forms it allows, whether they agree")
    inspect.add_argument("--model", required=True, type=Path, metavar="PATH",
                         help="a SavedModel directory, a .keras file, a frozen .pb or an .onnx file")
    inspect.add_argument("--shape", action="append", metavar="NAME:D1,D2",
                         help="an input's dimensions after the batch, where the model leaves them free")
    inspect.add_argument("--input-data", type=Path, metavar="FILE", help="requests in perf_analyzer's JSON format")
    return parser


def inspect_model(args: argparse.Namespace) -> int:
    """`python -m serving inspect`: one line per fact, or one line of error."""
    from serving.model_file import ModelError
    from serving.model_file.prepare import describe, prepare

    try:
        prepared = prepare(args.model, args.shape, args.input_data)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(describe(prepared)))
    return 0


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
    if args.command == "inspect":
        return inspect_model(args)
    if args.command == "grpc":
        return serve_grpc(parser, args)
    settings = Settings.from_args(args)
    if settings.workers > 1 and not servers.get(settings.server).worker_processes:
        parser.error(f"--workers: {settings.server} serves from one process (use --threads)")
    if settings.header_timeout + settings.body_timeout >= settings.timeout:
        parser.error(f"--header-timeout + --body-timeout must stay under the {settings.timeout} s worker timeout, "
                     f"got {settings.header_timeout:g} + {settings.body_timeout:g}")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    if (settings.artifacts is None) == (settings.model is None):
        parser.error("give --artifacts DIR (the built-in model) or --model PATH (your own), one of them")
    try:  # fail here, in one line, not in every worker (a model file's forms are made by the workers)
        if settings.model is not None:
            from serving.model_file.shapes import parse_shape_flags
            from serving.model_file.spec import model_format

            model_format(settings.model)
            parse_shape_flags(list(settings.shape or ()))
            settings = replace(settings, model=settings.model.resolve())
        else:
            load_artifacts(settings.artifacts)
            settings = replace(settings, artifacts=settings.artifacts.resolve())
    except (ArtifactError, ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _check_port_free(settings.bind, settings.port)
    try:
        run(settings)
    except KeyboardInterrupt:
        pass
    return 0


def serve_grpc(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """`python -m serving grpc`: the checks `run` makes, in one line each, then the gRPC server."""
    from serving.grpc_server import serve

    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads need at least 1")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    try:
        load_artifacts(args.artifacts)
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.artifacts = args.artifacts.resolve()
    if os.environ.get("SERVING_GRPC_WORKER") is None:  # a worker of `serve` shares its parent's port
        _check_port_free(args.host, args.port)
    try:
        return serve(args)
    except KeyboardInterrupt:
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

"""The one settings object of a serving process, from the command line to the stored record.

Each field that is a flag of `python -m serving run` says so in its metadata; the
parser (`add_arguments`), the way back to a command line (`Settings.argv`, used to
launch servers) and the record `/healthz` reports (`Settings.record`,
`dataclasses.asdict`) are all made from these fields, so a new setting is one field.
"""
from __future__ import annotations

import argparse
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from serving import servers
from serving.graphs import KINDS
from serving.inputs import Limits


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def flag(default=MISSING, *, help: str, type=str, **argparse_options):
    """A field that is also a command-line flag, `--name-with-dashes` (argparse's options)."""
    return field(default=default, metadata={"help": help, "type": type, **argparse_options})


@dataclass(frozen=True)
class Settings:
    graph: str = flag(help="graph kind", choices=list(KINDS))
    artifacts: Path | None = flag(None, help="folder written by `python -m sentiment_model train` (the built-in model)",
                                  type=Path, metavar="DIR")
    model: Path | None = flag(None, type=Path, metavar="PATH",
                              help="serve your own model instead (a SavedModel directory, .keras, frozen .pb or .onnx), "
                                   "as --graph's form, through TF Serving's REST API: POST /v1/models/<its name>:predict")
    shape: tuple[str, ...] | None = flag(None, action="append", metavar="NAME:D1,D2",
                                         help="with --model: an input's dimensions after the batch, where the model "
                                              "leaves them free (repeat per input)")
    server: str = flag(servers.DEFAULT, choices=list(servers.SERVERS),
                       help="; ".join(f"{name}: {server.description}" for name, server in servers.SERVERS.items()))
    bind: str = flag("127.0.0.1", metavar="ADDR", help="address to listen on")
    port: int = flag(8033, type=int, metavar="PORT", help="port to listen on")
    workers: int = flag(1, type=positive, metavar="N", help="worker processes (servers with worker processes: "
                        f"{', '.join(name for name, server in servers.SERVERS.items() if server.worker_processes)})")
    worker_class: str = flag("sync", choices=["sync", "gthread"],
                             help="gunicorn's worker class (gthread anyway when --threads > 1)")
    threads: int | None = flag(None, type=positive, metavar="T",
                               help="threads per process (gunicorn: gthread workers, default 1; waitress: its pool, default 4)")
    intra_op_threads: int = flag(0, type=int, aliases=("--tf-intra-op-threads",), metavar="N",
                                 help="threads inside one op, for the kind's runtime (TensorFlow or ONNX Runtime); "
                                      "0: the machine's cores shared out among the worker processes (at least 1)")
    inter_op_threads: int = flag(0, type=int, aliases=("--tf-inter-op-threads",), metavar="N",
                                 help="threads running independent ops at once, for the kind's runtime; 0: the runtime decides")
    # off by default, measured (docs/serving.md, tools/measure_spinning.py): at 10 requests/s spinning
    # burned 33 ms of a worker's CPU a request against 5 ms, for a p50 3-4 % lower
    ort_spinning: str = flag("off", choices=["on", "off"],
                             help="ONNX Runtime's intra-op threads spin after a call, waiting for the next one "
                                  "(session.intra_op.allow_spinning; ONNX Runtime's own default is on)")
    batch_window_ms: float | None = flag(None, type=float, metavar="MS",
                                         help="micro-batch concurrent requests (threads in one process: gunicorn "
                                              "gthread, flask, waitress): wait this long for more; 0 = only what is queued")
    max_batch_rows: int = flag(64, type=positive, metavar="R", help="rows per micro-batch")
    access_log: bool = flag(False, type=bool, help="log every request")
    # A slow or lying client may hold a worker this long, not until the worker is killed
    # (serving.deadlines); both together stay under `timeout`.
    header_timeout: float = flag(5.0, type=seconds, metavar="S",
                                 help="seconds a client has to send the request line and headers, else 408 "
                                      "(or the connection closed if it sent nothing)")
    body_timeout: float = flag(5.0, type=seconds, metavar="S",
                               help="seconds a client has to send the body once its headers are in, else 408")
    # Not flags: fixed for every server this project starts.
    limits: Limits = field(default_factory=Limits)
    timeout: int = 30  # gunicorn: a worker silent this long is restarted
    limit_request_line: int = 8190  # gunicorn: longer request lines get 414
    limit_request_fields: int = 100  # gunicorn: header floods get 400

    def argv(self) -> list[str]:
        """The `python -m serving run` flags that give back these settings (defaults left out)."""
        args: list[str] = []
        for item in _flags():
            value = getattr(self, item.name)
            if value == item.default:
                continue
            if item.metadata["type"] is bool:
                args.append(_option(item))
            elif isinstance(value, (list, tuple)):  # a repeated flag
                for each in value:
                    args += [_option(item), str(each)]
            else:
                args += [_option(item), str(value)]
        return args

    def record(self) -> dict:
        """The settings as stored and reported (JSON-ready)."""
        return {name: str(value) if isinstance(value, Path) else value for name, value in asdict(self).items()}

    @classmethod
    def from_args(cls, namespace: argparse.Namespace) -> Settings:
        values = {item.name: getattr(namespace, item.name) for item in _flags()}
        return cls(**{name: tuple(value) if isinstance(value, list) else value for name, value in values.items()})


def _flags():
    return [item for item in fields(Settings) if "help" in item.metadata]


def _option(item) -> str:
    return item.metadata.get("option", "--" + item.name.replace("_", "-"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per flag field; fields without a default are required."""
    for item in _flags():
        options = {key: value for key, value in item.metadata.items() if key not in ("option", "aliases")}
        if options["type"] is bool:
            del options["type"]
            options["action"] = "store_true"
        if item.default is MISSING:
            options["required"] = True
        else:
            options["default"] = item.default
            if item.default is not None and "action" not in options:
                options["help"] += f" (default {item.default})"
        parser.add_argument(_option(item), *item.metadata.get("aliases", ()), dest=item.name, **options)


def parse(argv: list[str]) -> Settings:
    """Settings from `python -m serving run`'s flags (for tests and tools; the CLI adds its checks)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return Settings.from_args(parser.parse_args(argv))

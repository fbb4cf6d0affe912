"""CLI: `python -m sentiment_model train --out DIR [--seed N]` and `corpus`."""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import fields


def _parser() -> argparse.ArgumentParser:
    from sentiment_model.settings import TrainSettings

    parser = argparse.ArgumentParser(prog="python -m sentiment_model")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the LSTM and export checkpoint, frozen graph and SavedModel")
    train.add_argument("--out", required=True, help="folder to write the artifacts into")
    for field in fields(TrainSettings):
        train.add_argument(f"--{field.name.replace('_', '-')}", type=type(field.default), default=field.default)
    commands.add_parser("corpus", help="regenerate data/sentences.tsv from the grammar")
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = _parser().parse_args(argv)
    if args.command == "corpus":
        from sentiment_model import corpus

        corpus.write_tsv(corpus.generate())
        print(f"wrote {corpus.DATA_FILE}")
        return 0
    from sentiment_model.export import export
    from sentiment_model.settings import TrainSettings
    from sentiment_model.train import train

    settings = TrainSettings(**{f.name: getattr(args, f.name) for f in fields(TrainSettings)})
    try:
        manifest = export(train(settings), settings, args.out)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: everyday check set {manifest['checkset_accuracy']:.4f}, "
          f"generated held-out {manifest['heldout_accuracy']:.4f}, "
          f"training {manifest['train_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The everyday-English check set: reviews written apart from the training generator.

`data/everyday_reviews.tsv` holds 310 ordinary review sentences (six domains,
half positive, half negative) written by hand before the generator was broadened,
and never used for training. Its accuracy is the model's honest quality figure:
the generated held-out split only says the grammar was learnt.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sentiment_model.corpus import LABELS

CHECK_FILE = Path(__file__).resolve().parent.parent / "data" / "everyday_reviews.tsv"


@dataclass(frozen=True)
class CheckExample:
    text: str
    label: int  # index into LABELS
    domain: str


def read_check_set(path: Path = CHECK_FILE) -> list[CheckExample]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [CheckExample(row["text"], LABELS.index(row["label"]), row["domain"])
                for row in csv.DictReader(handle, delimiter="\t")]

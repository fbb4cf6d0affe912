"""A deterministic, synthetic corpus of labelled English review sentences.

No data set may be downloaded at run time, so the corpus is generated from a
small compositional grammar and shipped as `data/sentences.tsv`
(`python -m sentiment_model corpus` rewrites it; a test checks the shipped file
matches). The grammar is built so that word counting is not enough: negation
flips a clause ("not good"), and in "X, but Y" the second clause decides the
label, so the sequence model has real order to learn.
"""
from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "sentences.tsv"
LABELS = ("NEGATIVE", "POSITIVE")  # index = class id used by the network

_SUBJECTS = {
    "movie": ["the movie", "this film", "the plot", "the acting", "the soundtrack", "the ending",
              "the director's work", "the script", "the cast", "the cinematography"],
    "restaurant": ["the food", "our waiter", "the pasta", "the dessert", "the service",
                   "the menu", "this place", "the kitchen", "the coffee", "the atmosphere"],
    "product": ["the battery", "this phone", "the screen", "the keyboard", "the charger",
                "the build quality", "this laptop", "the camera", "the speaker", "the app"],
    "hotel": ["the room", "the staff", "the bed", "the breakfast", "the view", "the pool",
              "the location", "the bathroom", "the lobby", "the check-in"],
}
_POSITIVE = ["good", "great", "excellent", "wonderful", "delightful", "brilliant", "superb",
             "pleasant", "lovely", "fantastic", "enjoyable", "impressive", "charming", "solid",
             "reliable", "friendly", "fresh", "comfortable", "memorable", "outstanding"]
_NEGATIVE = ["bad", "terrible", "awful", "boring", "disappointing", "poor", "dreadful",
             "mediocre", "horrible", "annoying", "bland", "weak", "rude", "broken", "dirty",
             "slow", "noisy", "forgettable", "clumsy", "unpleasant"]
_INTENSIFIERS = ["", "", "very ", "really ", "quite ", "truly ", "rather ", "extremely "]
_VERBS = ["was", "is", "seemed", "felt", "turned out to be", "looked"]
_NEGATED_VERBS = ["was not", "is not", "wasn't", "isn't", "never felt", "did not seem"]
_OPENERS = ["", "", "", "honestly, ", "overall, ", "i think ", "to be fair, ", "well, ",
            "in my opinion ", "last week "]
_CLOSERS = ["", "", "", " to me", " this time", " for the price", " in the end"]
_NEGATED_CLOSERS = _CLOSERS + [" at all"]
_PUNCT = [".", ".", "!", "", "..."]


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 0 NEGATIVE, 1 POSITIVE
    split: str  # "train" or "test"


def _clause(rng: random.Random, domain: str, polarity: int) -> str:
    """One clause whose meaning has the given polarity (1 positive, 0 negative)."""
    subject = rng.choice(_SUBJECTS[domain])
    negated = rng.random() < 0.35
    # A negated clause carries the opposite word: "not bad" reads positive here.
    word_polarity = 1 - polarity if negated else polarity
    adjective = rng.choice(_POSITIVE if word_polarity else _NEGATIVE)
    verb = rng.choice(_NEGATED_VERBS if negated else _VERBS)
    intensifier = "" if negated else rng.choice(_INTENSIFIERS)
    closer = rng.choice(_NEGATED_CLOSERS if negated else _CLOSERS)
    return f"{subject} {verb} {intensifier}{adjective}{closer}"


def _sentence(rng: random.Random, polarity: int) -> str:
    domain = rng.choice(sorted(_SUBJECTS))
    shape = rng.random()
    if shape < 0.45:
        body = _clause(rng, domain, polarity)
    elif shape < 0.8:
        # Contrast: the clause after "but" decides the label.
        body = f"{_clause(rng, domain, 1 - polarity)}, but {_clause(rng, domain, polarity)}"
    else:
        body = f"{_clause(rng, domain, polarity)} and {_clause(rng, domain, polarity)}"
    return f"{rng.choice(_OPENERS)}{body}{rng.choice(_PUNCT)}"


def generate(n: int = 5000, seed: int = 20240611, test_fraction: float = 0.2) -> list[Example]:
    """Balanced examples, with a fixed split decided by the same seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    examples: list[Example] = []
    while len(examples) < n:
        polarity = len(examples) % 2
        text = _sentence(rng, polarity)
        if text in seen:
            continue
        seen.add(text)
        examples.append(Example(text, polarity, "test" if rng.random() < test_fraction else "train"))
    return examples


def write_tsv(examples: list[Example], path: Path = DATA_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["label", "split", "text"])
        for example in examples:
            writer.writerow([LABELS[example.label], example.split, example.text])


def read_tsv(path: Path = DATA_FILE) -> list[Example]:
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Example(row["text"], LABELS.index(row["label"]), row["split"]) for row in rows]


def file_sha256(path: Path = DATA_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

"""A deterministic, generated corpus of labelled English review sentences.

No data set may be downloaded at run time, so the training corpus is generated
from a compositional grammar and shipped as `data/sentences.tsv`
(`python -m sentiment_model corpus` rewrites it; a test checks the shipped file
matches). The grammar covers how people write reviews: descriptions ("the room
was spotless"), first person ("I loved it", "we will never come back"),
verdicts ("do not waste your money"), comparisons, superlatives, events ("it
stopped working after a week"), several sentences in one text, neutral context
that carries no sentiment, negation ("not bad at all") and contrast ("X, but Y":
the clause after *but* decides). Vocabulary comes from the phrase banks in
`phrases.py` and from the VADER lexicon (`lexicon.py`). The model's quality on
real English is measured on a check set written apart from all this
(`checkset.py`).
"""
from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from sentiment_model import phrases as P
from sentiment_model.lexicon import polar_words

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "sentences.tsv"
LABELS = ("NEGATIVE", "POSITIVE")  # index = class id used by the network
CORPUS_SIZE = 16000
TEST_FRACTION = 0.1


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 0 NEGATIVE, 1 POSITIVE
    split: str  # "train" or "test"


class _Grammar:
    """Clauses and texts of a wanted polarity (1 positive, 0 negative) in one domain."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        described_neg, described_pos, felt_neg, felt_pos = polar_words()
        self.lexicon_described = (described_neg, described_pos)
        self.lexicon_felt = (felt_neg, felt_pos)
        # (weight, clause maker): how often each way of saying something appears
        self.clauses = [
            (3.0, self.described), (1.6, self.negated), (2.0, self.event), (1.6, self.feeling),
            (1.0, self.mood), (0.8, self.noun), (0.8, self.superlative), (0.8, self.comparison),
            (1.4, self.verdict), (0.6, self.felt_word), (1.0, self.described_word), (0.6, self.exclamation),
            (1.0, self.attributive), (0.6, self.works),
        ]

    def pick(self, options):
        return self.rng.choice(options)

    def adjective(self, domain: P.Domain, polarity: int) -> str:
        source = self.rng.random()
        if source < 0.5:
            return self.pick(P.ADJECTIVES[polarity])
        if source < 0.85:
            return self.pick(domain.adjectives[polarity])
        return self.pick(self.lexicon_described[polarity])

    def intensified(self, word: str) -> str:
        return f"{self.pick(P.INTENSIFIERS)} {word}" if self.rng.random() < 0.4 else word

    def subject(self, domain: P.Domain) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return "it"
        if roll < 0.25:
            return f"this {self.pick(domain.nouns)}"
        return self.pick(domain.things)

    # -- clause makers -------------------------------------------------------
    def described(self, domain, polarity):
        return f"{self.subject(domain)} {self.pick(P.BE)} {self.intensified(self.adjective(domain, polarity))}"

    def negated(self, domain, polarity):
        # "not bad" reads positive; "not very good" reads negative, "not very bad" is not English
        verbs = P.BE_NOT if polarity == 0 else [v for v in P.BE_NOT if not v.endswith(("very", "particularly", "exactly"))]
        closer = self.pick(("", "", " at all", " in the end", " this time"))
        return f"{self.subject(domain)} {self.pick(verbs)} {self.adjective(domain, 1 - polarity)}{closer}"

    def event(self, domain, polarity):
        return self.pick(domain.events[polarity])

    def feeling(self, domain, polarity):
        target = self.pick(("it", "it", f"this {self.pick(domain.nouns)}", self.pick(domain.things),
                            "every minute of it", "everything about it"))
        return f"{self.pick(P.FEELINGS[polarity])} {target}"

    def mood(self, domain, polarity):
        about = self.pick(("", "", f" with {self.pick(domain.things)}", f" with this {self.pick(domain.nouns)}"))
        return f"{self.pick(P.MOODS[polarity])}{about}"

    def noun(self, domain, polarity):
        word = self.pick(P.NOUNS[polarity])
        return self.pick((f"it was a {word}", f"what a {word}", f"this {self.pick(domain.nouns)} is a {word}",
                          f"a complete {word}" if polarity == 0 else f"a real {word}"))

    def superlative(self, domain, polarity):
        best = self.pick(P.SUPERLATIVES[polarity])
        noun = self.pick(domain.nouns)
        if best == "my favourite":
            return f"this is my favourite {noun}"
        return f"{self.pick(('this is ', 'easily ', ''))}{best} {noun} i have ever {self.pick(domain.experienced)}"

    def comparison(self, domain, polarity):
        return f"{self.subject(domain)} {self.pick(('is', 'was'))} {self.pick(P.COMPARISONS[polarity])} {self.pick(P.COMPARED_WITH)}"

    def verdict(self, domain, polarity):
        return self.pick(P.VERDICTS[polarity])

    def felt_word(self, domain, polarity):
        word = self.pick(self.lexicon_felt[polarity])
        return f"{self.pick(('i was', 'we were', 'i felt', 'it left me', 'we felt'))} {self.intensified(word)}"

    def described_word(self, domain, polarity):
        return f"{self.subject(domain)} {self.pick(P.BE)} {self.intensified(self.pick(self.lexicon_described[polarity]))}"

    def exclamation(self, domain, polarity):
        adjective = self.adjective(domain, polarity)
        return self.pick((f"what a {adjective} {self.pick(domain.nouns)}", f"absolutely {adjective}",
                          f"just {adjective}", adjective, f"{adjective}, {self.adjective(domain, polarity)}"))

    def attributive(self, domain, polarity):
        noun = self.pick(domain.nouns)
        words = [self.adjective(domain, polarity) for _ in range(3)]
        bare = [thing.split(" ", 1)[-1] for thing in (self.pick(domain.things), self.pick(domain.things))]
        return self.pick((f"a {words[0]} {noun}", f"a {words[0]}, {words[1]} {noun}",
                          f"{words[0]}, {words[1]} and {words[2]}",
                          f"{words[0]} {bare[0]}, {words[1]} {bare[1]}"))

    def works(self, domain, polarity):
        return f"{self.subject(domain)} {self.pick(P.WORKS)} {self.pick(P.ADVERBS[polarity])}"

    def clause(self, domain, polarity) -> str:
        weights, makers = zip(*self.clauses)
        clause = self.rng.choices(makers, weights)[0](domain, polarity)
        if self.rng.random() < 0.3:  # a neutral tail after the judgement
            clause = f"{clause} {self.pick(P.TAILS)}"
        return clause

    # -- whole texts ---------------------------------------------------------
    def text(self, polarity: int) -> str:
        domain = P.DOMAINS[self.pick(sorted(P.DOMAINS))]
        shape = self.rng.random()
        if shape < 0.3:
            sentences = [self.clause(domain, polarity)]
        elif shape < 0.5:  # contrast: the clause after the turn decides
            turn = self.pick(P.TURNS)
            sentences = [turn.format(a=self.clause(domain, 1 - polarity), b=self.clause(domain, polarity))]
        elif shape < 0.58:
            sentences = [f"{self.pick(P.LEADS[polarity])} {self.clause(domain, polarity)}"]
        elif shape < 0.85:  # several sentences, or clauses joined, of one polarity
            clauses = [self.clause(domain, polarity) for _ in range(self.rng.randint(2, 3))]
            sentences = clauses if self.rng.random() < 0.6 else [self.pick((" and ", ", ")).join(clauses)]
        else:
            sentences = [self.clause(domain, polarity), self.verdict(domain, polarity)]
        if self.rng.random() < 0.25:  # neutral context, anywhere
            sentences.insert(self.rng.randint(0, len(sentences)), self.pick(domain.context))
        sentences[0] = self.pick(P.OPENERS[polarity]) + sentences[0]
        return _written(sentences, self.rng)


def _written(sentences: list[str], rng: random.Random) -> str:
    """As people type it: capitals, "I", varied end punctuation (the tokenizer drops both)."""
    out = []
    for sentence in sentences:
        sentence = " ".join("I" if word == "i" else word for word in sentence.split(" "))
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence + rng.choice((".", ".", ".", "!", "!!", "...", "")))
    return " ".join(out).strip()


def generate(n: int = CORPUS_SIZE, seed: int = 20240611, test_fraction: float = TEST_FRACTION) -> list[Example]:
    """Balanced examples, with a fixed split decided by the same seed."""
    rng = random.Random(seed)
    grammar = _Grammar(rng)
    seen: set[str] = set()
    examples: list[Example] = []
    while len(examples) < n:
        polarity = len(examples) % 2
        text = grammar.text(polarity)
        if text.lower() in seen:
            continue
        seen.add(text.lower())
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

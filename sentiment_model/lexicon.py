"""Polar words from the VADER sentiment lexicon (MIT licence, `vaderSentiment` on PyPI).

They widen the training vocabulary far beyond what a hand-written grammar
covers: each word enters generated sentences in a slot that fits its form.
Only clear, agreed words are kept (strong mean rating, raters agreeing), and
slurs and violent or sexual words are left out of the shipped corpus.
"""
from __future__ import annotations

import re
from importlib import resources

MIN_STRENGTH = 1.5   # |mean rating| on VADER's -4..4 scale
MAX_DISAGREEMENT = 1.0  # standard deviation of the raters
_BLOCKED = re.compile(r"rape|murder|terror|kill|racis|nigg|fuck|shit|bitch|cunt|dick|whore|slut|bastard|"
                      r"suicid|molest|porn|sex|tortur|abus|victim|dead|death|die|war|nazi|prick|piss|damn|hell")
# Endings that make a word fit "it was <word>" (or "i was <word>" for -ed).
_ADJECTIVE = re.compile(r"(ful|ous|ive|able|ible|less|ic|ant|ent|ing|y|ish|ile|al|ed)$")
_ADVERB = re.compile(r"ly$")


def polar_words() -> tuple[list[str], list[str], list[str], list[str]]:
    """(descriptive negative, descriptive positive, felt negative, felt positive), sorted.

    Descriptive words fit "the food was <word>", felt words (-ed) fit "i was <word>".
    """
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    buckets: tuple[list[str], ...] = ([], [], [], [])
    for line in text.splitlines():
        word, mean, spread = line.split("\t")[:3]
        rating = float(mean)
        if (not re.fullmatch(r"[a-z]{4,}", word) or abs(rating) < MIN_STRENGTH
                or float(spread) > MAX_DISAGREEMENT or _BLOCKED.search(word)
                or _ADVERB.search(word) or not _ADJECTIVE.search(word)):
            continue
        polarity = int(rating > 0)
        buckets[polarity + (2 if word.endswith("ed") else 0)].append(word)
    return tuple(sorted(bucket) for bucket in buckets)

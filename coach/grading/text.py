"""Splitting an answer into sentence and clause spans that keep their offsets."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# A sentence ends at . ! ? (not inside numbers like 2.5 or e.g.) or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*|(?<=[.!?])(?=[A-Z][a-z])")
# Clause boundaries inside a sentence where the STAR part often changes:
# "I was asked to halve returns, so I pulled the data" -> task | action.
_CLAUSE_BREAK = re.compile(
    r"(?:;\s+|,\s+(?=(?:so|and so|and then|then|after which|and as a result|as a result|but|because of this|"
    r"thanks to that|resulting in|leading to|which (?:meant|led|cut|saved|brought|reduced|took))\b)"
    r"|\s+(?=so (?:I|we|that's|the)\b)|\s+(?=and (?:I )?was (?:asked|told|given|tasked)\b)|"
    r"\s+-{1,2}\s+|\s+—\s*)(?!(?:so )?(?:that|we could|I could|they could|it could|we can|I can)\b)",
    re.IGNORECASE,
)
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|Mr|Ms|Dr|No|Inc|Ltd|St)\.$", re.IGNORECASE)
_LABEL = re.compile(
    r"(?:^|\s)(?:\*\*|__)?(situation|context|background|assumptions?|task|goal|objective|actions?|approach|"
    r"results?|outcomes?|impact(?:/measurement)?|lessons?(?: learned| learnt)?|s|t|a|r)"
    r"(?:\*\*|__)?\s*[:\-–]\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    """A piece of the answer: [start, end) offsets and the text they cover."""

    start: int
    end: int
    text: str


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def _split(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    pieces, cursor = [], start
    for match in pattern.finditer(text, start, end):
        if match.start() <= cursor:
            continue
        if pattern is _SENTENCE_END and _ABBREVIATIONS.search(text[cursor : match.start()]):
            continue
        pieces.append((cursor, match.start() if match.end() > match.start() else match.end()))
        cursor = match.end()
    pieces.append((cursor, end))
    return pieces


def _label_breaks(text: str) -> list[tuple[int, int]]:
    # Explicit "Situation:" style labels start a new piece even mid-line.
    cuts = [0] + [m.start() for m in _LABEL.finditer(text) if _is_label(text, m)] + [len(text)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _is_label(text: str, match: re.Match[str]) -> bool:
    word = match.group(1)
    # One-letter labels only count in capitals ("S:", "R -"), never "a - b".
    return len(word) > 1 or word.isupper()


_LABEL_ONLY = re.compile(
    r"^\W*(?:situation|context|background|assumptions?|task|goal|objective|actions?|approach|results?|outcomes?|"
    r"impact(?:/measurement)?|lessons?(?: learned| learnt)?|[star])\W*$|^\W+$",
    re.IGNORECASE,
)


def sentences(text: str) -> list[Span]:
    """Sentence spans, split at explicit labels too; a label alone joins the text after it."""
    spans: list[Span] = []
    for block_start, block_end in _label_breaks(text):
        for a, b in _split(text, block_start, block_end, _SENTENCE_END):
            span = _strip(text, a, b)
            if not span:
                continue
            if spans and _LABEL_ONLY.match(spans[-1].text):
                previous = spans.pop()
                span = Span(previous.start, span.end, text[previous.start : span.end])
            spans.append(span)
    return spans


# Spoken answers run on without full stops; in a long stretch a new clause starts at "and I...",
# "so what I did", "and then", "and after that".
_RUN_ON_BREAK = re.compile(
    r",?\s+(?=(?:and|so|but|then)\s+(?:(?:um+|uh+|like|honestly|basically|then|so),?\s+)*"
    r"(?:i|we|he|she|they|it|things|everything|my|our|what i|after|by|within|the (?:result|problem|goal|plan))\b)",
    re.IGNORECASE,
)
RUN_ON_WORDS = 28


def _cut_run_on(text: str, span: Span) -> list[tuple[int, int]]:
    if len(span.text.split()) <= RUN_ON_WORDS:
        return [(span.start, span.end)]
    return _split(text, span.start, span.end, _RUN_ON_BREAK)


def clauses(text: str, min_words: int = 4) -> list[Span]:
    """Sentence spans cut further at clause boundaries; tiny pieces stay joined."""
    spans: list[Span] = []
    for sentence in sentences(text):
        pieces = [
            p
            for a, b in _split(text, sentence.start, sentence.end, _CLAUSE_BREAK)
            if (clause := _strip(text, a, b))
            for c, d in _cut_run_on(text, clause)
            if (p := _strip(text, c, d))
        ]
        merged: list[Span] = []
        for piece in pieces:
            if merged and (len(piece.text.split()) < min_words or len(merged[-1].text.split()) < min_words):
                prev = merged.pop()
                piece = Span(prev.start, piece.end, text[prev.start : piece.end])
            merged.append(piece)
        spans.extend(merged)
    return spans


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text)

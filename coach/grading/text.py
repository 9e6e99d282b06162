"""Splitting an answer into sentence and clause spans that keep their offsets."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

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
# The words candidates and handouts put before a STAR part: "Situation:", "Task (T):", "S – Situation:",
# "**Result**", "R:", "1. Action -", "(S)". One grammar, used to split the text and to read the label.
LABEL_WORDS = {
    "S": r"situation|context|background|assumptions?|framing|setting|scenario|the situation|the problem|problem|"
    r"the challenge|challenge|how i read it|my read(?:ing)?(?: of (?:it|the situation))?",
    "T": r"task|goal|objective|aim|target|my task|the task|the goal|my goal|my role|role|responsibility|the ask|"
    r"mission",
    "A": r"actions?(?: taken)?|approach|what i did|steps|plan|my approach|the approach|what i(?:'d| would) do",
    "R": r"results?|outcomes?|impact|expected impact|impact/measurement|measurement|lessons?(?: learned| learnt)?|"
    r"what i(?:'d| would) expect|expected (?:results?|outcomes?)|the result|what happened|takeaway|reflection",
}
_WORDS = "|".join(f"(?:{w})" for w in LABEL_WORDS.values())
# An optional number or letter first ("1.", "S –"), the word or a capital letter, an optional "(T)", then a
# colon or dash, or a line break, or the end of bold markup.
_LABEL_BODY = (
    r"(?:(?<![\d.,])[1-9][.)]\s*)?(?:\*\*|__|#+\s*)?(?:[STAR]\s*[–—:-]\s*)?"
    rf"(?P<word>{_WORDS}|[STAR])(?:\s*\((?P<letter>[STAR])\))?"
    r"(?:(?:\*\*|__)?\s*[:\-–—]+\s*(?:\*\*|__)?|\s*\n|(?:\*\*|__)\s)"
)
_LABEL = re.compile(rf"(?:^|(?<=\s))(?:{_LABEL_BODY}|\((?P<bare>[STAR])\)\s)", re.IGNORECASE)
_LABEL_AT_START = re.compile(
    rf"\W{{0,3}}(?:{_LABEL_BODY}|\((?P<bare>[STAR])\)\s|(?P<alone>{_WORDS}|[STAR])\W*$)", re.IGNORECASE
)


def label_of(match: re.Match[str]) -> str | None:
    """The part a label match names: S, T, A or R; None for a lower-case one-letter "label" ("a - b")."""
    bare = match.group("bare") or (match.group("alone") if "alone" in match.re.groupindex else None)
    word = match.group("word") or bare or ""
    if len(word) == 1 and not word.isupper():
        return None
    if match.group("letter") and match.group("letter").isupper():
        return match.group("letter").upper()
    if len(word) == 1:
        return word.upper()
    low = word.lower()
    return next(k for k, words in LABEL_WORDS.items() if re.fullmatch(words, low))


_LABEL_MARKS = frozenset(":-–—(\n*_#")


def leading_label(text: str) -> str | None:
    """The part a label at the very start of the text names, if there is one."""
    head = text[:48]
    # A label ends in a colon, dash, bracket, line break or markup near the start, or is all there is.
    if len(text) > 48 and not _LABEL_MARKS.intersection(head):
        return None
    match = _LABEL_AT_START.match(text)
    return label_of(match) if match else None


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


# A label starts a sentence (after . ! ? ; ) ] or a line break), or ends in a colon: only those spots are tried.
_AFTER_BREAK = re.compile(r"[.!?;)\]\n][\"')\]*_#\s]*\s(?=\S)|\n(?=\S)")
_WORD_START = re.compile(r"(?<=\s)\S")


def _label_candidates(text: str) -> list[int]:
    spots = {0} | {m.end() for m in _AFTER_BREAK.finditer(text)}
    colon = text.find(":")
    while colon != -1:
        window = max(0, colon - 60)
        spots.update(m.start() for m in _WORD_START.finditer(text, window, colon))
        colon = text.find(":", colon + 1)
    return sorted(spots)


def _label_breaks(text: str) -> list[tuple[int, int]]:
    # Explicit "Situation:" style labels start a new piece even mid-line. Matching at the few spots a label
    # can start is much cheaper than a search from every character.
    cuts, end = [0], -1
    for spot in _label_candidates(text):
        if spot < end:
            continue
        match = _LABEL.match(text, spot)
        if match and _is_label(text, match):
            cuts.append(match.start())
            end = match.end()
    cuts.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _is_label(text: str, match: re.Match[str]) -> bool:
    if label_of(match) is None:
        return False
    # Mid-sentence, "our plan - a good one" is no label: there it needs a colon, or a sentence end before it.
    before = text[: match.start()].rstrip(" \t*_#")
    return not before or before[-1] in ".!?;)]\n" or ":" in match.group(0)


_LABEL_ONLY = re.compile(
    rf"^\W*(?:\d+[.)]\s*)?(?:{_WORDS}|[star])(?:\s*\([star]\))?\W*$|^\W+$|^\d+[.)]$", re.IGNORECASE
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


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    # Cached: a clause's words are counted by the reader, the labeller and the claims alike.
    return tuple(WORD.findall(text))

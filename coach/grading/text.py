"""Splitting an answer into sentence and clause spans that keep their offsets."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at . ! ? (not inside numbers like 2.5 or e.g.) or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*|(?<=[.!?])(?=[A-Z][a-z])")
# Clause boundaries inside a sentence where the STAR part often changes:
# "I was asked to halve returns, so I pulled the data" -> task | action.
_CLAUSE_BREAK = re.compile(
    r"(?:;\s+|,\s+(?=(?:so|and so|and then|then|after which|and as a result|as a result|but|because of this|"
    r"thanks to that|resulting in|leading to|which (?:meant|led|cut|saved|brought|reduced|took))\b)"
    # Whitespace breaks start only at the start of a run of it: one that fails there fails anywhere in the run,
    # and trying each position of a long run again is quadratic.
    r"|(?<!\s)\s+(?=so (?:I|we|that's|the)\b)|(?<!\s)\s+(?=and (?:I )?was (?:asked|told|given|tasked)\b)|"
    r"(?<!\s)\s+-{1,2}\s+|(?<!\s)\s+—\s*)(?!(?:so )?(?:that|we could|I could|they could|it could|we can|I can)\b)",
    re.IGNORECASE,
)
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|Mr|Ms|Dr|No|Inc|Ltd|St|Co)\.$", re.IGNORECASE)
# "a.m." and "p.m." end a sentence only when a new one starts after them: "from 2 p.m. to 8 p.m. for" is one.
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
# Longer than any abbreviation with the character before it: the end of a piece reads as the whole piece does.
_ABBREVIATION_WINDOW = 16
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
# colon or dash, or a line break, or the end of bold markup. Heading marks are taken whole ("#++"): a letter
# must follow them, and giving them back one by one to try each label word is quadratic on "#" x 20,000.
_LABEL_BODY = (
    r"(?:(?<![\d.,])[1-9][.)]\s*)?(?:\*\*|__|#++\s*+)?(?:[STAR]\s*[–—:-]\s*)?"
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
    breaks = (match.span() for match in pattern.finditer(text, start, end))
    return _cut(text, start, end, breaks, sentence_ends=pattern is _SENTENCE_END)


def _cut(
    text: str, start: int, end: int, breaks: Iterable[tuple[int, int]], sentence_ends: bool = False
) -> list[tuple[int, int]]:
    """The pieces of text[start:end] between the breaks, each break given as (start, end), in order."""
    pieces, cursor = [], start
    for a, b in breaks:
        if a <= cursor:
            continue
        # Only the piece's end is read: after "e.g. " x 4,000 the piece grows at every stop it is not cut at.
        if sentence_ends:
            before = text[max(cursor, a - _ABBREVIATION_WINDOW) : a]
            if _ABBREVIATIONS.search(before) or (_CLOCK.search(before) and not text[b : b + 1].isupper()):
                continue
        pieces.append((cursor, a if b > a else b))
        cursor = b
    pieces.append((cursor, end))
    return pieces


# A label starts a sentence (after . ! ? ; ) ] or a line break), or ends in a colon: only those spots are tried.
# The spot is after the last space that comes before a mark or a word in the marks and spaces after the break:
# "Done.) **Result**" -> "**Result**". Taken run by run without backtracking, and a run with no such space is
# passed over whole ("unusable"), so ")" x 20,000 is read once, not once from every bracket.
_AFTER_BREAK = re.compile(r"[.!?;)\]\n](?:[\"')\]*_#]*+\s++(?=\S))++|\n(?=\S)|(?P<unusable>[.!?;)\]\n][\"')\]*_#\s]*+)")
_WORD_START = re.compile(r"(?<=\s)\S")


def _label_candidates(text: str) -> list[int]:
    spots = {0} | {m.end() for m in _AFTER_BREAK.finditer(text) if m.group("unusable") is None}
    colon, read_to = text.find(":"), 0
    while colon != -1:
        # The words in the 60 characters before a colon; those before the last colon were read with it.
        window = max(0, colon - 60, read_to)
        spots.update(m.start() for m in _WORD_START.finditer(text, window, colon))
        read_to = colon
        colon = text.find(":", colon + 1)
    return sorted(spots)


def _label_breaks(text: str, spots: list[int]) -> list[tuple[int, int]]:
    # Explicit "Situation:" style labels start a new piece even mid-line. Matching at the few spots a label
    # can start (_label_candidates) is much cheaper than a search from every character.
    cuts, end = [0], -1
    for spot in spots:
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
    # Read back from the label, not a copy of all the text before it: "S:" x 10,000 would copy it 10,000 times.
    before = match.start()
    while before and text[before - 1] in " \t*_#":
        before -= 1
    return not before or text[before - 1] in ".!?;)]\n" or ":" in match.group(0)


# A piece that is only a label joins the text after it: punctuation alone ("—"), a label word alone with its
# number and letter ("1. Situation (S):"), or a number alone ("2."). Each piece is classified once and a joined
# piece from its parts, so that a long run of such pieces ("! ! ! ...") is not read again at every join.
_BLANK, _LABEL_ALONE, _NUMBER_ALONE, _TEXT = range(4)
_WORD_CHAR = re.compile(r"\w")
# From the first word character on: what may follow the punctuation that opens a label alone.
_LABEL_REST = re.compile(rf"(?:\d+[.)]\s*)?(?:{_WORDS}|[star])(?:\s*\([star]\))?\W*", re.IGNORECASE)
_NUMBER_REST = re.compile(r"\d+[.)]")


def _kind(text: str, start: int, end: int) -> tuple[int, int]:
    """What text[start:end] is (_BLANK, _LABEL_ALONE, _NUMBER_ALONE or _TEXT), and where its first word character is."""
    word = _WORD_CHAR.search(text, start, end)
    if word is None:
        return _BLANK, end
    if _LABEL_REST.fullmatch(text, word.start(), end):
        return _LABEL_ALONE, word.start()
    return (_NUMBER_ALONE if _NUMBER_REST.fullmatch(text, start, end) else _TEXT), word.start()


def _joined_kind(previous: tuple[int, int], span: Span, text: str) -> tuple[int, int]:
    """The kind of a label alone joined to the piece after it, reading only what can change the answer."""
    kind, first_word = previous
    new_kind, new_first = _kind(text, span.start, span.end)
    if new_kind == _BLANK:
        # Punctuation after punctuation or a label stays what it was; after a number alone ("2. !") it is text.
        return (_TEXT if kind == _NUMBER_ALONE else kind), first_word
    if kind == _BLANK:
        # The punctuation before opens the label as its own punctuation would; a number needs to come first.
        return (_LABEL_ALONE if new_kind == _LABEL_ALONE else _TEXT), new_first
    # Both hold words ("1." then "Situation:"): read again from the first word. A label alone has few words, so
    # this happens a few times at most before the join is text.
    return (_LABEL_ALONE if _LABEL_REST.fullmatch(text, first_word, span.end) else _TEXT), first_word


# The most pieces an answer is read in. The longest answers we have seen run to 40 clauses; 20,000 characters
# of prose to about 250. Text made of thousands of tiny "sentences" (a character a line) is read in fewer,
# longer pieces, so that grading time follows the text's length and not its count of full stops.
MAX_SENTENCES = 150
MAX_CLAUSES = 250
# Beyond these counts the text is not prose (20,000 characters of prose hold about 300 sentences and a few
# labels): it is read in even stretches, at a cost that follows its length rather than its count of marks.
MAX_SENTENCE_ENDS = 1_000
MAX_COLONS = 300
MAX_LABEL_SPOTS = 3_000


def _stretches(text: str, ends: list[int], count: int) -> list[Span]:
    """The text cut at every k-th of its sentence ends, into at most `count` spans."""
    step = -(-len(ends) // count)
    cuts = [0, *ends[step - 1 :: step], len(text)]
    return [span for a, b in itertools.pairwise(cuts) if (span := _strip(text, a, b))]


def _grouped(text: str, spans: list[Span], limit: int) -> list[Span]:
    """Neighbouring spans joined into at most `limit` spans of about equal counts; fewer are left as they are."""
    if len(spans) <= limit:
        return spans
    size = -(-len(spans) // limit)
    groups = (spans[i : i + size] for i in range(0, len(spans), size))
    return [Span(g[0].start, g[-1].end, text[g[0].start : g[-1].end]) for g in groups]


def sentences(text: str) -> list[Span]:
    """Sentence spans, split at explicit labels too; a label alone joins the text after it."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    spots = [] if len(ends) > MAX_SENTENCE_ENDS or text.count(":") > MAX_COLONS else _label_candidates(text)
    if not spots or len(spots) > MAX_LABEL_SPOTS:
        return _stretches(text, ends or [len(text)], MAX_SENTENCES)
    bounds: list[tuple[int, int]] = []
    kind = (_TEXT, 0)
    for block_start, block_end in _label_breaks(text, spots):
        for a, b in _split(text, block_start, block_end, _SENTENCE_END):
            span = _strip(text, a, b)
            if not span:
                continue
            if bounds and kind[0] != _TEXT:
                bounds[-1] = (bounds[-1][0], span.end)
                kind = _joined_kind(kind, span, text)
            else:
                bounds.append((span.start, span.end))
                kind = _kind(text, span.start, span.end)
    # Texts are cut once the joins are known: cutting at every join copies a long run again and again.
    return [Span(a, b, text[a:b]) for a, b in bounds]


# Spoken answers run on without full stops; in a long stretch a new clause starts at "and I...",
# "so what I did", "and then", "and after that": the spaces before "and", "so", "but" or "then" when, past
# any fillers after it, a subject comes. A whitespace break starts only at the start of its run (see
# _CLAUSE_BREAK).
_RUN_ON_SPOT = re.compile(r"(?:,|(?<!\s))\s+(?=(?P<word>(?:and|so|but|then)\s+))", re.IGNORECASE)
# No filler is a subject or begins like one, so the subject can only follow the whole run of fillers: read
# without backtracking.
_RUN_ON_FILLERS = re.compile(r"(?:(?:um+|uh+|like|honestly|basically|then|so),?\s+)*+", re.IGNORECASE)
_RUN_ON_SUBJECT = re.compile(
    r"(?:i|we|he|she|they|it|things|everything|my|our|what i|after|by|within|the (?:result|problem|goal|plan))\b",
    re.IGNORECASE,
)
RUN_ON_WORDS = 28


def _run_on_breaks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The breaks in a run-on stretch of text[start:end], as (start, end) of the spaces."""
    # In "so then so then ... I did" every "so" and "then" is a break and all of them share one run of fillers:
    # it is read once, not again from each of them (quadratic in the run's length).
    fillers = (-1, -1)  # the last run of fillers read: where it starts and ends
    for spot in _RUN_ON_SPOT.finditer(text, start, end):
        after = spot.end("word")
        if not fillers[0] <= after <= fillers[1]:
            run = _RUN_ON_FILLERS.match(text, after, end)
            fillers = (after, run.end() if run else after)  # the run may be empty: it always matches
        if _RUN_ON_SUBJECT.match(text, fillers[1], end):
            yield spot.span()


def _cut_run_on(text: str, span: Span) -> list[tuple[int, int]]:
    if len(span.text.split()) <= RUN_ON_WORDS:
        return [(span.start, span.end)]
    return _cut(text, span.start, span.end, _thinned(list(_run_on_breaks(text, span.start, span.end)), 1))


def _thinned(breaks: list[tuple[int, int]], step: int) -> list[tuple[int, int]]:
    """Every step-th break, and no more than MAX_CLAUSES of them (see MAX_SENTENCES)."""
    step = max(step, -(-len(breaks) // MAX_CLAUSES))
    return breaks if step == 1 else breaks[step - 1 :: step]


def clauses(text: str, min_words: int = 4) -> list[Span]:
    """Sentence spans cut further at clause boundaries; tiny pieces stay joined."""
    spans: list[Span] = []
    units = _grouped(text, sentences(text), MAX_SENTENCES)
    found = [[m.span() for m in _CLAUSE_BREAK.finditer(text, u.start, u.end)] for u in units]
    # Text cut at thousands of semicolons is read at every k-th, as it is read at every k-th sentence end.
    step = max(1, -(-sum(map(len, found)) // MAX_CLAUSES))
    for sentence, breaks in zip(units, found, strict=True):
        pieces = [
            p
            for a, b in _cut(text, sentence.start, sentence.end, _thinned(breaks, step))
            if (clause := _strip(text, a, b))
            for c, d in _cut_run_on(text, clause)
            if (p := _strip(text, c, d))
        ]
        # Joined as bounds, cut once: a text cut at every join copies a long run of tiny pieces again and again.
        merged: list[tuple[int, int]] = []
        for piece in pieces:
            if merged and (
                len(piece.text.split()) < min_words or len(text[merged[-1][0] : merged[-1][1]].split()) < min_words
            ):
                merged[-1] = (merged[-1][0], piece.end)
            else:
                merged.append((piece.start, piece.end))
        spans.extend(Span(a, b, text[a:b]) for a, b in merged)
    return _grouped(text, spans, MAX_CLAUSES)


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    # Cached: a clause's words are counted by the reader, the labeller and the claims alike.
    return tuple(WORD.findall(text))


# Spaces the grader reads as one: a run of them, a tab, a no-break space. Line breaks are kept: they end
# sentences and bullets.
_SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\xa0\u2000-\u200a\u202f\u205f\u3000]")


@dataclass(frozen=True)
class Squeezed:
    """A text with each run of spaces as one space, and where each of its characters was in the original."""

    text: str
    # origin[i]: the original offset of text[i]; one more entry, the original length. Empty: the same text.
    origin: tuple[int, ...] = ()

    def original(self, offset: int) -> int:
        return self.origin[offset] if self.origin else offset

    def squeezed(self, offset: int) -> int:
        """The offset in the squeezed text of an original offset (the first character at or after it)."""
        return bisect.bisect_left(self.origin, offset) if self.origin else offset

    def span(self, start: int, end: int) -> tuple[int, int]:
        """An original (start, end) for a squeezed one."""
        return (self.original(start), self.original(end - 1) + 1) if self.origin and end > start else (start, end)


def squeeze_spaces(text: str) -> Squeezed:
    """The text as the cues read it, single-spaced: "I  was asked" and "I was asked" are the same words.

    The cues are written with single spaces; a doubled space (a pasted answer, two spaces typed after a
    comma, a transcript joined from pieces) would otherwise hide a phrase from them.
    """
    if _SPACES.search(text) is None:
        return Squeezed(text)
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    for match in _SPACES.finditer(text):
        pieces.append(text[last : match.start()])
        origin.extend(range(last, match.start()))
        pieces.append(" ")
        origin.append(match.start())
        last = match.end()
    pieces.append(text[last:])
    origin.extend(range(last, len(text) + 1))
    return Squeezed("".join(pieces), tuple(origin))

"""How a spoken answer was delivered, read from its transcript: pace, fillers, long pauses and length,
and the `delivery.*` advice those figures make true (shared/specs/advice-codes.md).

Pure functions on a Transcript: no audio library is needed. Every claim is made only when the figures
prove it: where word timings are missing, the claims they would be needed for are not made at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from coach.models import Advice, Delivery, Grade, Pause, Transcript

# Pace: the spec's limits for a claim; the range we advise is the one a spoken answer reads best at.
FAST_WPM = 170.0
SLOW_WPM = 110.0
GOOD_PACE = "120-160"
# A pace needs some speech to mean anything: a 10-second answer's pace is mostly its first and last word.
PACE_MIN_WORDS = 30
PACE_MIN_SECONDS = 15.0
FILLERS_PER_MINUTE = 4.0
FILLERS_MIN = 3  # one "um" in a 12-second answer is 5 a minute, and still nothing to work on
LONG_PAUSE_S = 3.0
PAUSES_MIN = 2
SHORT_S = 45.0
DEFAULT_TARGET_S = 180.0
# A word's last timing can run into the silence after it (the model aligns to within a few tenths of a second,
# and the silence detector pads speech by 0.4 s): "past the target" is claimed a little beyond it.
LONG_MARGIN_S = 3.0
TYPICAL_WPM = 140.0  # for a typed answer's estimated speaking time


# -- words as spoken --------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"), (100, "hundred"))
_SYMBOL_WORDS = {"%": "percent", "$": "dollars", "£": "pounds", "€": "euros", "&": "and", "+": "plus"}
_TOKEN = re.compile(r"[$£€]?\d[\d,]*(?:\.\d+)?(?:%|st|nd|rd|th|s)?|[%&+]|[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def number_words(n: int) -> list[str]:
    """A whole number as it is said: 2023 -> two thousand twenty three (the form speech models write)."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    for scale, name in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return [*number_words(high), name, *(number_words(rest) if rest else [])]
    raise AssertionError("unreachable")


def _said(token: str) -> list[str]:
    """One written token as the words said for it: "$18,000" -> eighteen thousand dollars."""
    if token in _SYMBOL_WORDS:
        return [_SYMBOL_WORDS[token]]
    if not token[0].isdigit() and token[0] not in "$£€":
        return [token.lower().replace("’", "'")]
    currency = _SYMBOL_WORDS.get(token[0])
    # "1990s" and "3rd" are said as their number (near enough for counting words and comparing transcripts).
    number = re.sub(r"(?:%|st|nd|rd|th|s)$", "", token.lstrip("$£€")).replace(",", "")
    whole, _, fraction = number.partition(".")
    said = number_words(int(whole)) if len(whole) <= 12 else list(whole)
    if fraction:
        said += ["point", *(_ONES[int(d)] for d in fraction)]
    if token.endswith("%"):
        said.append("percent")
    return [*said, currency] if currency else said


def spoken_words(text: str) -> list[str]:
    """The words said to give this text, lower-cased: numbers, money and percentages spelled out.

    "3%" is two words when spoken; counting it as one would make a number-heavy answer look slow. A hyphenated
    word ("re-slotted") is one word, as it is said.
    """
    return [word for token in _TOKEN.findall(text) for word in _said(token)]


# -- fillers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filler:
    """One filler in the text: where it is, and which kind ("um", "you know", "like"...)."""

    start: int
    end: int
    kind: str


_HESITATION = re.compile(r"(?<![\w'’-])(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+)(?![\w'’-])", re.I)
_HESITATION_KIND = (("um", re.compile(r"u+m+$|u+h+m+$", re.I)), ("uh", re.compile(r"u+h+$", re.I)))
# "you know" and "I mean" are fillers when set off by punctuation: "it was, you know, late" but not
# "you know the site", "as you know, ...", "what I mean is".
_YOU_KNOW = re.compile(r"(?<!\bas )(?<!\bif )(?<!\bdo )(?<!\bdid )\byou know(?=\s*[,.?!;]|\s+(?:um|uh)\b)", re.I)
_I_MEAN = re.compile(r"(?<!\bwhat )\bI mean(?=\s*,)", re.I)
# "like" as a filler: followed by a comma after a pause, a "be" or a conjunction ("it was, like, a mess",
# "and like, we"), or a hedge before a number after a comma (", like 200 pallets"). Never "I like",
# "looks like", "something like", "like this".
_LIKE = re.compile(
    r"(?:(?:^|[,.?!;]\s*|\b(?:is|was|were|are|it's|and|but|so|just)\s+)(like)(?=\s*,))"
    r"|(?:,\s*(like)(?=\s+\d))",
    re.I | re.M,
)
# "kind of" / "sort of" as hedges: after a subject, a "be" or an adverb ("we kind of fixed it", "it was
# sort of late"), never after a determiner ("what kind of truck", "this sort of problem").
_HEDGE = re.compile(
    r"\b(?:i|we|you|they|he|she|it|it's|that's|there's|was|were|is|are|am|be|been|just|really|also|then|and|"
    r"so|but|still|had|have|got|i've|we've|i'd|we'd|they've)\s+((?:kind|sort) of)\b"
    r"|\b(kinda|sorta)\b",
    re.I,
)


def find_fillers(text: str) -> list[Filler]:
    """Every filler in the text, in order; a word is counted only where it cannot be meant literally."""
    text = text.replace("’", "'")
    found = [
        Filler(m.start(), m.end(), _hesitation_kind(m.group()))
        for m in _HESITATION.finditer(text)
        if not m.group().isupper() or len(m.group()) == 1  # "ER", "UM" (unit of measure) are abbreviations
    ]
    found += [Filler(m.start(), m.end(), "you know") for m in _YOU_KNOW.finditer(text)]
    found += [Filler(m.start(), m.end(), "I mean") for m in _I_MEAN.finditer(text)]
    found += [_group_filler(m, "like") for m in _LIKE.finditer(text)]
    found += [_group_filler(m) for m in _HEDGE.finditer(text)]
    return sorted(found, key=lambda f: f.start)


def _hesitation_kind(word: str) -> str:
    for kind, pattern in _HESITATION_KIND:
        if pattern.match(word):
            return kind
    return word.lower()[:2] if word.lower().startswith(("er", "ah")) else "hmm"


def _group_filler(match: re.Match[str], kind: str | None = None) -> Filler:
    group = next(i for i in range(1, (match.lastindex or 0) + 1) if match.group(i))
    word = match.group(group).lower()
    named = kind or {"kinda": "kind of", "sorta": "sort of"}.get(word, word)
    return Filler(match.start(group), match.end(group), named)


# -- the figures -------------------------------------------------------------------------


def measure_delivery(transcript: Transcript) -> Delivery:
    """Duration, words, pace, fillers and long pauses of a spoken answer, from its transcript."""
    words = len(spoken_words(transcript.text))
    speaking_s = _speaking_seconds(transcript)
    minutes = speaking_s / 60
    fillers = find_fillers(transcript.text)
    counts = Counter(f.kind for f in fillers)
    return Delivery(
        duration_s=round(transcript.duration_s, 2),
        speaking_s=round(speaking_s, 2),
        timed=transcript.timed,
        words=words,
        words_per_minute=round(words / minutes, 1) if minutes else 0.0,
        fillers=len(fillers),
        fillers_per_minute=round(len(fillers) / minutes, 2) if minutes else 0.0,
        filler_counts=dict(counts.most_common()),
        long_pauses=long_pauses(transcript),
    )


def _speaking_seconds(transcript: Transcript) -> float:
    # From the first word's start to the last word's end: the silence before the candidate starts and after
    # they finish is the recorder's, not the answer's.
    if transcript.words:
        return max(0.0, transcript.words[-1].end_s - transcript.words[0].start_s)
    return transcript.duration_s


def long_pauses(transcript: Transcript, over_s: float = LONG_PAUSE_S) -> list[Pause]:
    """Silences between two words that last longer than `over_s` (never before the first word or after the last)."""
    return [
        Pause(start_s=a.end_s, end_s=b.start_s) for a, b in pairwise(transcript.words) if b.start_s - a.end_s > over_s
    ]


def estimated_speaking_s(text: str, words_per_minute: float = TYPICAL_WPM) -> float:
    """How long a typed answer would take to say at an ordinary interview pace."""
    return len(spoken_words(text)) / words_per_minute * 60


# -- the advice ---------------------------------------------------------------------------


def delivery_advice(delivery: Delivery, target_s: float | None = None) -> list[Advice]:
    """The delivery claims the figures prove, most valuable first; `target_s` is the candidate's time target."""
    target = target_s or DEFAULT_TARGET_S
    claims = [
        _short(delivery),
        _long(delivery, target),
        _fast(delivery),
        _slow(delivery),
        _fillers(delivery),
        _pauses(delivery),
    ]
    return [Advice(code=code, part="delivery", text=text) for code, text in claims if code]


Claim = tuple[str | None, str]
NO_CLAIM: Claim = (None, "")


def _paced(d: Delivery) -> bool:
    return d.words >= PACE_MIN_WORDS and d.speaking_s >= PACE_MIN_SECONDS


def _short(d: Delivery) -> Claim:
    # Untimed, the recording's length bounds the answer's from above: short is still provable.
    if not d.words or d.speaking_s >= SHORT_S:
        return NO_CLAIM
    return (
        "delivery.short",
        f"Your answer took only {d.speaking_s:.0f} seconds. Strong answers take one to three minutes: "
        "give your own steps in order and end on a result with a number.",
    )


def _long(d: Delivery, target_s: float) -> Claim:
    # Untimed, trailing silence would count as speech: no claim.
    if not d.timed or d.speaking_s <= target_s + LONG_MARGIN_S:
        return NO_CLAIM
    return (
        "delivery.long",
        f"Your answer ran {clock(d.speaking_s)}, past the {clock(target_s)} target. Keep the situation to "
        "two sentences and stop once you have given the result.",
    )


def _fast(d: Delivery) -> Claim:
    # Untimed, the pace is measured over the whole recording, silences included: a lower bound, so
    # "too fast" still holds when it says so.
    if not _paced(d) or d.words_per_minute <= FAST_WPM:
        return NO_CLAIM
    return (
        "delivery.fast",
        f"You spoke at about {d.words_per_minute:.0f} words a minute. Slow down to {GOOD_PACE} so the "
        "interviewer can take in your numbers, and pause between the parts of your story.",
    )


def _slow(d: Delivery) -> Claim:
    if not d.timed or not _paced(d) or d.words_per_minute >= SLOW_WPM:
        return NO_CLAIM
    return (
        "delivery.slow",
        f"You spoke at about {d.words_per_minute:.0f} words a minute. Aim for {GOOD_PACE}: rehearse the story "
        "aloud until each step follows from the one before.",
    )


def _fillers(d: Delivery) -> Claim:
    if d.fillers < FILLERS_MIN or d.fillers_per_minute <= FILLERS_PER_MINUTE:
        return NO_CLAIM
    top = ", ".join(f"“{kind}” {n}×" for kind, n in list(d.filler_counts.items())[:3])
    return (
        "delivery.fillers",
        f"{d.fillers} fillers, about {d.fillers_per_minute:.0f} a minute ({top}). Pause silently instead: "
        "a short silence sounds more confident than a filler.",
    )


def _pauses(d: Delivery) -> Claim:
    if not d.timed or len(d.long_pauses) < PAUSES_MIN:
        return NO_CLAIM
    longest = max(p.seconds for p in d.long_pauses)
    return (
        "delivery.pauses",
        f"{len(d.long_pauses)} silences of more than {LONG_PAUSE_S:.0f} seconds inside your answer, the longest "
        f"{longest:.0f} s. Have the four STAR parts in mind before you start, so the next one is always ready.",
    )


def clock(seconds: float) -> str:
    """Seconds as a clock reads them, m:ss (70 -> 1:10); the answer clock in the browser writes the same."""
    minutes, rest = divmod(max(0, round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


# -- a spoken answer's grade -------------------------------------------------------------

# A spoken answer's length and fillers are judged in time from its recording (delivery.*), not by the word
# counts typed text is judged by: one claim each, on the better evidence.
TYPED_ONLY = frozenset({"answer.short", "answer.long", "answer.fillers"})


def spoken_grade(grade: Grade, delivery: Delivery) -> Grade:
    """The grade of a spoken answer's transcript, with its delivery advice in the same list as the rest."""
    kept = [a for a in grade.advice if a.code not in TYPED_ONLY]
    dropped = {a.text for a in grade.advice if a.code in TYPED_ONLY}
    added = delivery_advice(delivery, delivery.target_s)
    suggestions = [s for s in grade.suggestions if s not in dropped] + [a.text for a in added]
    update = {"advice": kept + added, "suggestions": suggestions, "overall": spoken_overall(grade)}
    return grade.model_copy(update=update)


def spoken_overall(grade: Grade) -> int:
    """The overall score of a spoken answer: what the typed-text claims took off, given back, as the advice
    sets those claims aside for the delivery ones."""
    factor = math.prod(v for code, v in grade.penalties.items() if code in TYPED_ONLY and v > 0)
    return min(100, round(grade.overall / factor))


def heard(transcript: Transcript, target_s: float | None = None) -> Delivery:
    """How an answer was said, with the time target the candidate had set when they said it."""
    return measure_delivery(transcript).model_copy(update={"target_s": target_s})

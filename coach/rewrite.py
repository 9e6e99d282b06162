"""The candidate's answer made stronger without a new fact: their own words regrouped in STAR order with a
bracketed ask for each missing or weak part, and the check that a rewritten answer invents no number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from coach.grading import cues
from coach.highlight import evidence_runs
from coach.models import PARTS, Grade, PartName, QuestionType

HEADINGS: dict[PartName, tuple[str, str]] = {  # behavioural, case
    "situation": ("Situation", "How I read the situation"),
    "task": ("Task", "The objective"),
    "action": ("Action", "What I would do"),
    "result": ("Result", "Expected impact"),
}

# One ask per weakness the advice names, in the candidate's terms. A part with none of these is left as said.
_ASKS: dict[str, tuple[str, str]] = {  # behavioural, case
    "situation.missing": (
        "Where and when was this, and what was wrong?",
        "What do the facts tell you, and what are you assuming?",
    ),
    "situation.vague": (
        "Where was this, when, and how big: sites, people, volumes?",
        "Which facts and figures matter most here?",
    ),
    "situation.no_problem": ("What was wrong, at risk or needed?", "What is the problem to solve?"),
    "situation.long": ("Say the set-up in two or three sentences.", "Say how you read it in two or three sentences."),
    "task.missing": (
        "What were you responsible for, and what was the target?",
        "What is the objective: what must improve, by how much?",
    ),
    "task.not_owned": ("What were you yourself asked to do?", "What would you own, and what would others?"),
    "task.no_target": ("What was the target: how much, by when?", "What target would you set: how much, by when?"),
    "action.missing": ("What did you do, step by step?", "What would you do first, and then?"),
    "action.we": (
        "Which of these steps did you take yourself? Say “I” for those.",
        "Which of these steps would you take yourself?",
    ),
    "action.one_step": (
        "What else did you do? Two or three steps, in order.",
        "What else would you do? Two or three steps, in order.",
    ),
    "action.no_method": ("Which method, tool or analysis did you use?", "Which analysis, tool or data would you use?"),
    "action.hypothetical": ("What did you actually do? Tell it in the past tense.", ""),
    "result.missing": ("What changed because of it?", "What impact do you expect, and how would you measure it?"),
    "result.no_lesson": ("What stayed in place, or what did you learn?", ""),
}


@dataclass(frozen=True)
class StarPart:
    """One part of the regrouped answer: the candidate's own words for it, and what to add."""

    part: PartName
    heading: str
    text: str  # "" when the answer has nothing for this part
    asks: tuple[str, ...]  # each shown in brackets


@dataclass(frozen=True)
class StarOrder:
    parts: tuple[StarPart, ...]
    left_out: str  # words no part claimed, shown apart so nothing the candidate said is lost

    def as_text(self) -> str:
        """The regrouped answer as plain text, one paragraph a part, asks in brackets."""
        blocks = []
        for p in self.parts:
            lines = [p.text] if p.text else []
            lines += [f"[{ask}]" for ask in p.asks]
            blocks.append(f"{p.heading}: " + " ".join(lines))
        return "\n\n".join(blocks)


def star_order(answer: str, grade: Grade, question_type: QuestionType = "behavioral") -> StarOrder:
    """The answer's own clauses under S, T, A and R, in the order said, with an ask for each weakness."""
    words: dict[PartName, list[str]] = {p: [] for p in PARTS}
    left_out: list[str] = []
    for text, part in evidence_runs(answer, grade):
        piece = " ".join(text.split())
        if part is not None:
            words[part].append(piece)
        elif re.search(r"\w{2}", piece):
            left_out.append(piece)
    case = question_type == "case"
    codes = [a.code for a in grade.advice if a.code]
    parts = tuple(
        StarPart(
            part=p,
            heading=HEADINGS[p][case],
            text=_joined(words[p]),
            asks=_asks(p, codes, case, metric=_metric(words["result"], answer)),
        )
        for p in PARTS
    )
    return StarOrder(parts, " … ".join(left_out))


def _joined(pieces: Sequence[str]) -> str:
    return " ".join(piece for piece in pieces if piece).strip()


def _metric(result_words: Sequence[str], answer: str) -> str:
    """The measure the answer moved, for an ask about its result: "fill rate" rather than "it"."""
    for text in (*result_words, answer):
        found = cues.METRICS.search(cues.norm(text))
        if found:
            return found.group(0)
    return ""


def _asks(part: PartName, codes: Sequence[str], case: bool, metric: str) -> tuple[str, ...]:
    mine = [c for c in dict.fromkeys(codes) if c.startswith(part + ".")]
    asks = [_ASKS[c][case] for c in mine if c in _ASKS and _ASKS[c][case]]
    if part == "result":
        asks.insert(0, _result_ask("result.no_number" in mine, "result.no_timeframe" in mine and not case, metric))
    return tuple(a for a in asks if a)


def _result_ask(no_number: bool, no_timeframe: bool, metric: str) -> str:
    what = f"the {metric}" if metric else "it"
    if no_number and no_timeframe:
        return f"By how much did {what} change, and by when?"
    if no_number:
        return f"By how much did {what} change?"
    if no_timeframe:
        return "By when, or over what period?"
    return ""


# -- numbers a rewrite may not invent --------------------------------------------------------

_WORD_VALUES = {
    w: i
    for i, w in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
    if w != "_"  # "one" is a pronoun as often as a number
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_NUMBER = re.compile(
    r"[$£€]?\d[\d,]*(?:\.\d+)?(?:\s?%|\s?percent\b)?|\b(?:"
    + "|".join(_WORD_VALUES)
    + r"|half|third|quarter|dozen|twice|double|triple)\b(?!-)",
    re.IGNORECASE,
)
_FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "dozen": 12, "twice": 2, "double": 2, "triple": 3}
_PLACEHOLDER = re.compile(r"\[[^\[\]]*\]")


def _value(token: str) -> float:
    token = token.lower()
    if token in _WORD_VALUES:
        return float(_WORD_VALUES[token])
    if token in _FRACTIONS:
        return float(_FRACTIONS[token])
    return float(re.sub(r"[^\d.]", "", token).rstrip("."))


def numbers_in(text: str) -> set[float]:
    """Every number the text states, in digits or words ("three", "a third"), as a value."""
    return {round(_value(m.group(0)), 6) for m in _NUMBER.finditer(text)}


def invented_numbers(rewrite: str, answer: str) -> list[str]:
    """The numbers a rewrite states, outside [placeholders], that the answer never said."""
    said = numbers_in(answer)
    outside = _PLACEHOLDER.sub(" ", rewrite)
    return [m.group(0) for m in _NUMBER.finditer(outside) if round(_value(m.group(0)), 6) not in said]


def without_invented_numbers(rewrite: str, answer: str) -> tuple[str, int]:
    """The rewrite with each number the answer never said made a placeholder, and how many there were."""
    said = numbers_in(answer)
    count = 0

    def check(match: re.Match[str]) -> str:
        nonlocal count
        if round(_value(match.group(0)), 6) in said:
            return match.group(0)
        count += 1
        return "[your figure]"

    pieces = re.split(r"(\[[^\[\]]*\])", rewrite)  # placeholders are kept as they are
    kept = [p if p.startswith("[") and p.endswith("]") else _NUMBER.sub(check, p) for p in pieces]
    return "".join(kept), count

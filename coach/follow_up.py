"""Choosing the interviewer's follow-up question when a STAR part is missing or weak."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from coach import star
from coach.models import PARTS, Grade, PartName, Question

WEAK_SCORE = 2  # a part at or below this earns a follow-up

# Words that show which part a question's own probe draws out.
_PART_CUES: dict[PartName, tuple[str, ...]] = {
    "situation": (
        "context",
        "situation",
        "background",
        "where",
        "when was",
        "how big",
        "happening",
        "problem",
        "scale",
    ),
    "task": ("goal", "target", "responsib", "your role", "objective", "asked to", "your job", "own"),
    "action": ("what did you do", "how did you", "steps", "approach", "which", "who did you", "decide", "plan"),
    "result": ("result", "outcome", "turn out", "turned out", "measure", "impact", "number", "save", "learn", "change"),
}

# One question per claim: it asks for the candidate's own facts on a weakness the grader found,
# never supplies them, and never asks for what the answer already gave. (behavioural, case)
_QUESTIONS: dict[str, tuple[str, str]] = {
    "situation.missing": (
        "Can you set the scene: where was this, when, and what was going wrong?",
        "Before the plan: how do you read this situation, and what are you assuming about volumes and constraints?",
    ),
    "situation.vague": (
        "Where was this, and how big was the operation?",
        "What assumptions are you making here: volumes, constraints, timing?",
    ),
    "situation.no_problem": (
        "What exactly was going wrong, and how did you know?",
        "What do you think is driving the problem in this case?",
    ),
    "task.missing": (
        "What exactly were you responsible for, and what goal were you working towards?",
        "What objective would you set here, and how would you know it was met?",
    ),
    "task.not_owned": (
        "Which part of this was yours: what were you responsible for?",
        "What objective would you set here, and how would you know it was met?",
    ),
    "task.no_target": ("What target did you set, in numbers?", "What target would you set, in numbers?"),
    "action.missing": (
        "Walk me through the steps you took yourself, in order. What did you do first?",
        "What steps would you take, in order? What would you do first?",
    ),
    "action.we": ("Which of those steps did you take yourself?", "Which of those steps would you lead yourself?"),
    "action.one_step": ("What else did you do after that first step?", "What would you do after that first step?"),
    "action.hypothetical": (
        "That is what you would do. What did you actually do, in a real case?",
        "What steps would you take, in order?",
    ),
    "action.no_method": (
        "How did you work out what to change: what analysis or tool did you use?",
        "What analysis or tool would you use to decide what to change?",
    ),
    "result.missing": (
        "What was the result, in numbers, and how long did it take?",
        "What impact would you expect, by how much, and how would you measure it?",
    ),
    "result.no_number": (
        "What changed, in numbers?",
        "How much impact would you expect, in numbers, and how would you measure it?",
    ),
    "result.no_timeframe": ("How long did it take to get there?", "How soon would you expect to see it?"),
}


_WHERE_WHEN = re.compile(r"\b(?:where|when)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FollowUpChoice:
    part: PartName
    question: str
    source: Literal["llm", "probe", "rules"]


def weakest_part(grade: Grade) -> PartName | None:
    """The part to follow up on, or None when every part is good enough."""
    return star.weakest_part({p: grade.part(p).score for p in PARTS}, good_from=WEAK_SCORE + 1)


def choose_follow_up(grade: Grade, question: Question | None) -> FollowUpChoice | None:
    """One targeted follow-up on the most valuable weakness the grade claims, or None.

    The LLM's own question when it asked one for a weak part; else the first advice item on a
    STAR part: the question's fitting probe when the part is missing altogether (a probe may ask for
    several things, and a part that is there may already give some), else the claim's own question.
    """
    if grade.grader == "llm" and grade.follow_up:
        part = weakest_part(grade)
        return FollowUpChoice(part, grade.follow_up, "llm") if part else None
    is_case = (question.type if question else "behavioral") == "case"
    for advice in grade.advice:
        if advice.code is None or advice.code not in _QUESTIONS or advice.part not in PARTS:
            continue
        part: PartName = advice.part  # type: ignore[assignment]
        if advice.code.endswith(".missing"):
            probes = question.probes if question else ()
            if is_case:  # the question itself sets the scene: never ask a case where or when
                probes = tuple(p for p in probes if not _WHERE_WHEN.search(p))
            probe = _fitting_probe(part, probes)
            if probe:
                return FollowUpChoice(part, probe, "probe")
        return FollowUpChoice(part, _QUESTIONS[advice.code][is_case], "rules")
    return None


def _fitting_probe(part: PartName, probes: tuple[str, ...]) -> str | None:
    def hits(probe: str) -> int:
        text = probe.lower()
        return sum(cue in text for cue in _PART_CUES[part])

    best = max(probes, key=hits, default=None)
    return best if best is not None and hits(best) > 0 else None

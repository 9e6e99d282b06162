"""STAR itself, in one place: the parts, what each weighs in the overall score, which part is weakest,
what to practise for each, and how a grade names the grader that made it."""

from __future__ import annotations

from collections.abc import Mapping

from coach.models import PARTS, Component, Grade, PartName

__all__ = ["PARTS", "PART_ADVICE", "STRONG_PART_AVERAGE", "WEIGHTS", "graded_by", "overall_score", "weakest_part"]

# Action and Result carry an operations answer: what you did and what it changed.
WEIGHTS: dict[PartName, float] = {"situation": 0.15, "task": 0.2, "action": 0.35, "result": 0.3}

# A part averaging this or more (of 5) is strong: nothing calls it the weakest.
STRONG_PART_AVERAGE = 4.5

PART_ADVICE: dict[PartName, str] = {
    "situation": "open with a short, specific context: where, when, how big, what was wrong",
    "task": "state your own responsibility and a measurable goal before the actions",
    "action": "tell the steps you took yourself, in order, naming the methods you used",
    "result": "close with a number on an operations measure, a time frame and a lesson",
}


def overall_score(components: Mapping[PartName, Component]) -> float:
    """The weighted score of the four parts, 0-100, before any penalty a grader applies."""
    return sum(WEIGHTS[p] * components[p].score / 5 for p in PARTS) * 100


def weakest_part(scores: Mapping[PartName, float], good_from: float = STRONG_PART_AVERAGE) -> PartName | None:
    """The lowest-scoring part (ties to the earlier part: a story is built from its start), unless even it
    scores `good_from` or more: then naming one would be criticism the answer does not earn."""
    weakest = min(PARTS, key=lambda p: scores[p])
    return weakest if scores[weakest] < good_from else None


def graded_by(grade: Grade, short: bool = False) -> str:
    """Which grader made the grade: "LLM", "rules", or "rules (LLM failed)" when the rules stood in for a
    failed LLM; in full, the model's name. The reason, when there is one, is `grade.fallback_reason`."""
    if grade.grader == "llm":
        return "LLM" if short or not grade.model else f"LLM {grade.model}"
    return "rules (LLM failed)" if grade.fallback_reason else "rules"

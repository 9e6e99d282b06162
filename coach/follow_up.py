"""Choosing the interviewer's follow-up question when a STAR part is missing or weak."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

# When the question has no fitting probe: ask for the candidate's facts, never supply them.
_TEMPLATES: dict[PartName, str] = {
    "situation": "Can you set the scene: where was this, when, and how big was the problem?",
    "task": "What exactly were you responsible for, and what goal were you working towards?",
    "action": "Walk me through the steps you took yourself, in order. What did you do first?",
    "result": "What was the result? Give me a number on an operations measure and the time it took.",
}


@dataclass(frozen=True)
class FollowUpChoice:
    part: PartName
    question: str
    source: Literal["llm", "probe", "rules"]


def weakest_part(grade: Grade) -> PartName | None:
    """The part to follow up on, or None when every part is good enough."""
    part = min(PARTS, key=lambda p: grade.part(p).score)
    return part if grade.part(part).score <= WEAK_SCORE else None


def choose_follow_up(grade: Grade, question: Question | None) -> FollowUpChoice | None:
    """One targeted follow-up: the LLM's, else the question's fitting probe, else a template."""
    part = weakest_part(grade)
    if part is None:
        return None
    if grade.follow_up and grade.grader == "llm":
        return FollowUpChoice(part, grade.follow_up, "llm")
    probe = _fitting_probe(part, question.probes if question else ())
    if probe:
        return FollowUpChoice(part, probe, "probe")
    return FollowUpChoice(part, _TEMPLATES[part], "rules")


def _fitting_probe(part: PartName, probes: tuple[str, ...]) -> str | None:
    def hits(probe: str) -> int:
        text = probe.lower()
        return sum(cue in text for cue in _PART_CUES[part])

    best = max(probes, key=hits, default=None)
    return best if best is not None and hits(best) > 0 else None

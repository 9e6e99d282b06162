"""How an interview went, part by part: the summary the Practice page and the report end with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coach.models import PARTS, STRONG_PART_AVERAGE, Answer, PartName

PART_ADVICE: dict[PartName, str] = {
    "situation": "open with a short, specific context: where, when, how big, what was wrong",
    "task": "state your own responsibility and a measurable goal before the actions",
    "action": "tell the steps you took yourself, in order, naming the methods you used",
    "result": "close with a number on an operations measure, a time frame and a lesson",
}


@dataclass
class Summary:
    """How an interview went, part by part."""

    answered: int
    skipped: int
    average_overall: float | None
    part_averages: dict[PartName, float]
    weakest: PartName | None
    advice: str


def summarise(answers: Sequence[Answer]) -> Summary:
    graded = [a.grade for a in answers if a.grade and not a.skipped]
    answered = sum(not a.skipped for a in answers)
    skipped = len(answers) - answered
    if not graded:
        return Summary(answered, skipped, None, {}, None, "Answer at least one question to get a summary.")
    averages: dict[PartName, float] = {p: sum(g.part(p).score for g in graded) / len(graded) for p in PARTS}
    overall = sum(g.overall for g in graded) / len(graded)
    weakest: PartName | None = min(PARTS, key=lambda p: averages[p])
    if averages[weakest] >= STRONG_PART_AVERAGE:
        # Every part is strong: naming a "weakest" one would be criticism the answers do not earn.
        return Summary(answered, skipped, overall, averages, None, "Every part was strong. Keep practising aloud.")
    advice = f"Practise your {weakest}: {PART_ADVICE[weakest]}."
    return Summary(answered, skipped, overall, averages, weakest, advice)

"""How an interview went, part by part: the summary the Practice page and the report end with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coach.models import PARTS, Answer, PartName
from coach.star import PART_ADVICE, weakest_part


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
    weakest = weakest_part(averages)
    if weakest is None:
        return Summary(answered, skipped, overall, averages, None, "Every part was strong. Keep practising aloud.")
    advice = f"Practise your {weakest}: {PART_ADVICE[weakest]}."
    return Summary(answered, skipped, overall, averages, weakest, advice)

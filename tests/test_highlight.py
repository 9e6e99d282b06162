"""Highlighting: user text is escaped, evidence marked, nothing lost or duplicated."""

from __future__ import annotations

import re

from coach.grading.rules import RuleBasedGrader
from coach.highlight import evidence_runs, highlighted_html
from coach.models import Component, Grade

ANSWER = (
    "At our Leeds DC <script>alert(1)</script> pickers missed 3% of lines. I was asked to halve that by Q3. "
    "I re-slotted the fastest 200 SKUs and added scan checks. Mis-picks fell to 1.2% within ten weeks."
)


def _grade(spans: dict[str, list[tuple[int, int]]]) -> Grade:
    parts = {
        p: Component(present=bool(spans.get(p)), score=3 if spans.get(p) else 0, evidence=spans.get(p, []))
        for p in ("situation", "task", "action", "result")
    }
    return Grade(overall=50, grader="rules", **parts)


def test_runs_reassemble_the_answer_exactly() -> None:
    grade = RuleBasedGrader().grade("Tell me about picking accuracy.", ANSWER)
    runs = evidence_runs(ANSWER, grade)
    assert "".join(text for text, _ in runs) == ANSWER
    assert {part for _, part in runs} >= {"situation", "task", "action", "result"}


def test_overlapping_evidence_does_not_duplicate_text() -> None:
    grade = _grade({"situation": [(0, 20)], "task": [(10, 30)]})
    assert "".join(text for text, _ in evidence_runs(ANSWER, grade)) == ANSWER


def test_out_of_range_evidence_is_clipped() -> None:
    grade = _grade({"result": [(len(ANSWER) - 5, len(ANSWER) + 50)]})
    assert "".join(text for text, _ in evidence_runs(ANSWER, grade)) == ANSWER


def test_html_in_the_answer_is_escaped() -> None:
    grade = RuleBasedGrader().grade("Tell me about picking accuracy.", ANSWER)
    html = highlighted_html(ANSWER, grade)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(re.findall(r"<mark data-part=", html)) >= 4
    assert highlighted_html("<b>x</b>", None) == '<div class="star-answer">&lt;b&gt;x&lt;/b&gt;</div>'

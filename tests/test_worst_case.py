"""Text made to make patterns backtrack grades in linear time, at the longest answer the app accepts.

The cases are benchmarks/pathological.py's, whose target is 0.1 s a grade. These checks are far from it, so
a busy machine never fails them: a grade must take under 2 s of CPU (the slowest takes about 0.07 s), and
one that takes a noticeable time must not grow more than linearly from a quarter of the length (linear work
grows 4 x, quadratic work 16 x). Before this work the worst case took 10.7 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from benchmarks.pathological import CASE_QUESTION, CASES, QUESTION
from benchmarks.speed import forget_texts
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, validate_answer
from coach.models import MAX_ANSWER_CHARS, QuestionType

GRADER = RuleBasedGrader()
BOUND_SECONDS = 2.0
# Below this, growth is not measured: it is five times the slowest case, and on a busy machine CPU time
# itself varies (caches, clock speed): 0.26 s was seen against a quarter-length time of a few ms.
GROWTH_FROM_SECONDS = 0.5
QUARTER_FLOOR_SECONDS = 0.05  # a quarter-length time this short is noise: compare with this instead
MAX_GROWTH = 8.0  # from a quarter of the length: linear work grows 4 x, quadratic work 16 x


def cpu_seconds(answer: str, kind: QuestionType) -> float:
    """CPU time of one grade from cold text caches: other processes on the machine do not count."""
    forget_texts()
    started = time.process_time()
    grade = GRADER.grade(CASE_QUESTION if kind == "case" else QUESTION, answer, kind)
    assert 0 <= grade.overall <= 100
    return time.process_time() - started


def slowness(build: Callable[[int], str], kind: QuestionType) -> str | None:
    """Why grading this case is too slow, or None."""
    full = cpu_seconds(build(MAX_ANSWER_CHARS), kind)
    if full >= BOUND_SECONDS:
        return f"{full:.2f} s of CPU"
    if full >= GROWTH_FROM_SECONDS:
        quarter = cpu_seconds(build(MAX_ANSWER_CHARS // 4), kind)
        if full > MAX_GROWTH * max(quarter, QUARTER_FLOOR_SECONDS):
            return f"{quarter:.3f} s at a quarter of the length, {full:.3f} s at all of it"
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_worst_case_grades_in_linear_time(name: str) -> None:
    answer = CASES[name](MAX_ANSWER_CHARS)
    assert validate_answer(answer) == answer  # the app takes it as it is
    for kind in ("behavioral", "case"):
        problem = slowness(CASES[name], kind)
        assert problem is None, f"{name} ({kind}): {problem}"


def test_the_cases_are_the_longest_answer_the_app_accepts() -> None:
    for build in CASES.values():
        assert len(build(MAX_ANSWER_CHARS)) == MAX_ANSWER_CHARS
    with pytest.raises(AnswerRejected, match="limit"):
        validate_answer("x" * (MAX_ANSWER_CHARS + 1))

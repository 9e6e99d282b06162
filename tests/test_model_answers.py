"""Every built-in question's strong example answer: long enough, graded strong by our own rules grader,
raising none of the claims a model answer must never earn, and written for its question alone."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from coach.grading.rules import RuleBasedGrader
from coach.models import Question
from coach.questions import load_bank

BANK = load_bank()
WITH_ANSWERS = [q for q in BANK if q.model_answer]
# A model answer that earns one of these teaches the very mistake the advice warns about.
NEVER_RAISED = {
    "situation.missing",
    "task.missing",
    "action.missing",
    "result.missing",
    "result.no_number",
    "answer.off_question",
    "answer.hypothetical",
    "action.hypothetical",
    "answer.gibberish",
    "answer.injection",
}
MIN_SCORE = 80
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    """Sentences reduced to their words, so punctuation or case never hides a repeat."""
    found = []
    for sentence in _SENTENCE_END.split(text):
        words = re.findall(r"[\w%$£€]+", sentence.casefold())
        if len(words) >= 4:  # "It worked." may recur; a real sentence may not
            found.append(" ".join(words))
    return found


def test_every_built_in_question_has_a_model_answer() -> None:
    missing = [q.id for q in BANK if not q.model_answer]
    assert not missing, f"{len(missing)} questions have no model answer, e.g. {missing[:5]}"


@pytest.mark.parametrize("question", WITH_ANSWERS, ids=lambda q: q.id)
def test_a_model_answer_is_strong_by_our_own_grader(question: Question) -> None:
    words = len(question.model_answer.split())
    assert 150 <= words <= 300, f"{words} words"
    grade = RuleBasedGrader().grade(question.text, question.model_answer, question.type)
    raised = sorted({a.code for a in grade.advice if a.code} & NEVER_RAISED)
    assert not raised, f"raises {raised}"
    assert grade.overall >= MIN_SCORE, f"graded {grade.overall}: {[a.code for a in grade.advice]}"


def test_no_two_model_answers_share_a_sentence() -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for question in WITH_ANSWERS:
        for sentence in set(_sentences(question.model_answer)):
            owners[sentence].append(question.id)
    shared = {s: ids for s, ids in owners.items() if len(ids) > 1}
    assert not shared, f"{len(shared)} sentences repeat, e.g. {next(iter(shared.items()))}"


def test_the_sentence_check_sees_a_repeat_through_case_and_punctuation() -> None:
    assert _sentences("We cut scrap by 12% in a quarter!  Then we stopped.") == [
        "we cut scrap by 12% in a quarter",
    ]
    assert _sentences("we cut SCRAP by 12%, in a quarter.") == _sentences("We cut scrap by 12% in a quarter.")

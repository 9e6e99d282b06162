"""The interview flow over a real SQLite file: answer, skip, end, resume, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, InterviewService
from coach.models import MAX_ANSWER_CHARS, Grade, InterviewSetup, Question, QuestionType, ReplyTo
from coach.summary import summarise

STRONG = (
    "At a 300-person food plant in 2022, line 3 ran at 61% OEE and we were missing 8% of orders. "
    "I was responsible for lifting OEE to 75% within two quarters. I mapped the downtime with a Pareto "
    "chart, ran SMED workshops on the two longest changeovers and set up daily tier meetings. "
    "As a result OEE reached 77% in five months and on-time delivery rose from 92% to 98%. "
    "I learned to put the data in front of the operators first."
)


class FailingGrader:
    name = "broken"

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        raise RuntimeError("grader exploded")


def _question(i: int, kind: QuestionType = "behavioral") -> Question:
    return Question(
        id=f"q{i}",
        text=f"Tell me about a time you improved process number {i}.",
        type=kind,
        topics=("process_improvement",),
        levels=("mid",),
        probes=("What changed?",),
    )


@pytest.fixture
def service(db_path: Path) -> InterviewService:
    bank = [_question(i) for i in range(6)] + [_question(10, "case")]
    return InterviewService(db_path, bank, RuleBasedGrader())


def test_whole_interview_is_graded_and_summarised(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=3), seed=1)
    for _ in range(3):
        answer = service.answer(interview.id, STRONG)
        assert answer.grade is not None and answer.grade.overall > 50
    state = service.state(interview.id)
    assert state is not None and state.done and state.interview.status == "finished"
    summary = summarise(state.answers)
    assert summary.answered == 3 and summary.part_averages["result"] >= 3
    if min(summary.part_averages.values()) >= 4.5:
        assert summary.weakest is None and "strong" in summary.advice, "no weakest part when every part is strong"
    else:
        assert summary.weakest in ("situation", "task", "action", "result") and summary.weakest in summary.advice


def test_the_summary_names_a_weakest_part_only_when_one_is_weak(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=2), seed=3)
    service.answer(interview.id, STRONG)
    service.answer(interview.id, "We worked hard on it as a team and in the end things improved for everyone.")
    summary = summarise(service.state(interview.id).answers)
    assert summary.weakest in ("situation", "task", "action", "result")
    assert summary.part_averages[summary.weakest] < 4.5 and summary.weakest in summary.advice


def test_skip_and_end_early(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=4), seed=2)
    service.skip(interview.id)
    service.answer(interview.id, STRONG)
    service.end(interview.id)
    state = service.state(interview.id)
    assert state is not None and state.done and state.interview.status == "ended"
    assert [a.skipped for a in state.answers] == [True, False]
    with pytest.raises(AnswerRejected, match="over"):
        service.answer(interview.id, STRONG)
    assert summarise(state.answers).skipped == 1


def test_unfinished_interview_resumes_from_a_new_service(service: InterviewService, db_path: Path) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=3), seed=3)
    service.answer(interview.id, STRONG)
    fresh = InterviewService(db_path, service.library.bank, RuleBasedGrader())
    [state] = fresh.unfinished()
    assert state.interview.id == interview.id and state.position == 1
    assert state.current_question == state.questions[1]


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_answer_is_refused_and_not_stored(service: InterviewService, db_path: Path, text: str) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=2))
    with pytest.raises(AnswerRejected, match="empty"):
        service.answer(interview.id, text)
    assert storage.list_answers(db_path, interview.id) == []


def test_over_long_answer_is_refused_with_the_limit(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=2))
    with pytest.raises(AnswerRejected, match="20,000"):
        service.answer(interview.id, "x" * (MAX_ANSWER_CHARS + 1))


@pytest.mark.parametrize(
    "text",
    [
        ("I cut lead time by 20%. " * 900)[:MAX_ANSWER_CHARS],
        "Our DC 🚚 cut mis-picks 30% 🎉 — I led it. Ünïcödé “quotes”.",
        "قمت بتقليل وقت التسليم بنسبة ٢٠٪ في مستودع دبي. I owned the project.",
        "<script>alert('x')</script><img src=x onerror=alert(1)> **bold** :red[text] [a](javascript:alert(1))",
    ],
    ids=["20k-chars", "emoji", "rtl", "html"],
)
def test_odd_answers_are_stored_exactly(service: InterviewService, text: str) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    answer = service.answer(interview.id, text)
    assert answer.text == text
    assert answer.grade is not None


def test_failed_grading_keeps_the_answer_and_can_retry(service: InterviewService, db_path: Path) -> None:
    broken = InterviewService(db_path, service.library.bank, FailingGrader())
    interview = broken.start(InterviewSetup(level="mid", n_questions=2))
    answer = broken.answer(interview.id, STRONG)
    assert answer.text == STRONG and answer.grade is None
    assert answer.grade_error and "RuntimeError" in answer.grade_error
    regraded = service.grade_stored(interview.id, answer.id)
    assert regraded.grade is not None and regraded.grade_error is None


def test_no_matching_questions_is_a_clear_message(service: InterviewService) -> None:
    with pytest.raises(AnswerRejected, match="No questions"):
        service.start(InterviewSetup(level="mid", topics=("safety",), n_questions=2))


def test_an_interview_of_chosen_questions_asks_them_in_order(service: InterviewService) -> None:
    chosen = [_question(3), _question(10, "case"), _question(3)]
    interview = service.start_with_questions(InterviewSetup(level="mid", n_questions=5), chosen)
    state = service.state(interview.id)
    assert state is not None
    assert [q.id for q in state.questions] == ["q3", "q10"]  # a repeat is asked once
    assert state.interview.setup.n_questions == 2
    with pytest.raises(AnswerRejected, match="no questions"):
        service.start_with_questions(InterviewSetup(level="mid"), [])


def test_a_preview_saves_nothing_and_a_swap_brings_in_an_unseen_question(service: InterviewService) -> None:
    setup = InterviewSetup(level="mid", question_type="behavioral", n_questions=3)
    previewed = service.preview(setup, seed=1)
    assert len(previewed) == 3 and service.unfinished() == []
    swapped = service.swap(setup, previewed, 1, seed=2)
    assert swapped[0] == previewed[0] and swapped[2] == previewed[2]
    assert swapped[1].id not in {q.id for q in previewed}
    everything = service.preview(setup.model_copy(update={"n_questions": 6}), seed=1)
    assert service.swap(setup, everything, 0) == everything  # no other behavioural question is left
    interview = service.start_with_questions(setup, swapped)
    assert interview.question_ids == tuple(q.id for q in swapped)

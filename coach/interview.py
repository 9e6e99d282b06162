"""Running a practice interview: start, answer, skip, end, resume and summarise."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import storage
from coach.grading import Grader
from coach.library import QuestionLibrary
from coach.models import MAX_ANSWER_CHARS, PARTS, Answer, Interview, InterviewSetup, PartName, Question
from coach.questions import choose_questions

log = logging.getLogger(__name__)

PART_ADVICE: dict[PartName, str] = {
    "situation": "open with a short, specific context: where, when, how big, what was wrong",
    "task": "state your own responsibility and a measurable goal before the actions",
    "action": "tell the steps you took yourself, in order, naming the methods you used",
    "result": "close with a number on an operations measure, a time frame and a lesson",
}


class AnswerRejected(ValueError):
    """The answer cannot be accepted as given; the message says why."""


def validate_answer(text: str) -> str:
    """Return the answer to store, or raise AnswerRejected with a message for the user."""
    if not text or not text.strip():
        raise AnswerRejected("Your answer is empty. Type your answer, or press Skip to move on.")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerRejected(
            f"Your answer has {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "A spoken answer is usually 1,000-2,000 characters."
        )
    return text


@dataclass
class InterviewState:
    """An interview and where it stands, read from the database."""

    interview: Interview
    questions: list[Question]
    answers: list[Answer]

    @property
    def position(self) -> int:
        return len(self.answers)

    @property
    def done(self) -> bool:
        return self.interview.status != "active" or self.position >= len(self.questions)

    @property
    def current_question(self) -> Question | None:
        return None if self.done else self.questions[self.position]


class InterviewService:
    """The interview flow over one database, one bank and one grader."""

    def __init__(self, db_path: Path, bank: Sequence[Question], grader: Grader):
        self.db_path = db_path
        self.library = QuestionLibrary(db_path, bank)
        self.grader = grader

    def all_questions(self) -> list[Question]:
        return self.library.all()

    def start(self, setup: InterviewSetup, seed: int | None = None) -> Interview:
        answered = storage.answered_question_ids(self.db_path)
        chosen = choose_questions(self.all_questions(), setup, answered, seed=seed)
        if not chosen:
            raise AnswerRejected("No questions match these choices: widen the topics or the question type.")
        interview = Interview(
            id=uuid.uuid4().hex,
            created_at=storage.now(),
            setup=setup,
            question_ids=tuple(q.id for q in chosen),
        )
        storage.create_interview(self.db_path, interview)
        return interview

    def start_with_question(self, question: Question) -> Interview:
        """A one-question interview, for "practise this question now"."""
        setup = InterviewSetup(level=question.levels[0], topics=question.topics[:1], n_questions=1)
        interview = Interview(id=uuid.uuid4().hex, created_at=storage.now(), setup=setup, question_ids=(question.id,))
        storage.create_interview(self.db_path, interview)
        return interview

    def state(self, interview_id: str) -> InterviewState | None:
        interview = storage.get_interview(self.db_path, interview_id)
        if interview is None:
            return None
        by_id = {q.id: q for q in self.all_questions()}
        answers = storage.list_answers(self.db_path, interview_id)
        asked = {a.position: a for a in answers}
        questions = [self._question_for(qid, i, by_id, asked) for i, qid in enumerate(interview.question_ids)]
        return InterviewState(interview, questions, answers)

    @staticmethod
    def _question_for(qid: str, position: int, by_id: dict[str, Question], asked: dict[int, Answer]) -> Question:
        if qid in by_id:
            return by_id[qid]
        # Not in the bank (a deleted custom question, a batch line): show what was asked.
        # model_construct: these ids and texts need not meet the bank's rules.
        if position in asked:
            a = asked[position]
            return Question.model_construct(
                id=qid, text=a.question_text, type=a.question_type, topics=(), levels=(), probes=(), custom=True
            )
        return Question.model_construct(
            id=qid,
            text="(This question was deleted. Press Skip to move on.)",
            type="behavioral",
            topics=(),
            levels=(),
            probes=(),
            custom=True,
        )

    def unfinished(self) -> list[InterviewState]:
        states = [self.state(i.id) for i in storage.list_interviews(self.db_path, status="active", limit=10)]
        return [s for s in states if s is not None and not s.done]

    def submit(self, interview_id: str, text: str, position: int | None = None) -> int:
        """Commit an answer to the question at `position` (the one the user saw) and return its id.

        Grading comes after, so a crash or a failed grade never loses the answer. A position
        that is no longer current (a second tab, a double submit) is refused, never misfiled.
        """
        text = validate_answer(text)
        state, question = self._current(interview_id, position)
        try:
            return storage.record_answer(
                self.db_path, interview_id, state.position, (question.id, question.text, question.type), text
            )
        except storage.AlreadyAnswered as exc:
            raise AnswerRejected(_MOVED_ON) from exc

    def grade_stored(self, interview_id: str, answer_id: int) -> Answer:
        """Grade a stored answer (again); a grader failure is recorded, not raised."""
        answer = self._answer(interview_id, answer_id)
        try:
            grade = self.grader.grade(answer.question_text, answer.text, answer.question_type)
        except Exception as exc:
            log.exception("grading answer %s failed", answer_id)
            storage.save_grade_error(self.db_path, answer_id, f"Grading failed: {type(exc).__name__}")
        else:
            storage.save_grade(self.db_path, answer_id, grade)
        self._finish_if_complete(interview_id)
        return self._answer(interview_id, answer_id)

    def answer(self, interview_id: str, text: str, position: int | None = None) -> Answer:
        """Submit and grade in one step."""
        return self.grade_stored(interview_id, self.submit(interview_id, text, position))

    def skip(self, interview_id: str, position: int | None = None) -> None:
        state, question = self._current(interview_id, position)
        try:
            storage.record_answer(
                self.db_path,
                interview_id,
                state.position,
                (question.id, question.text, question.type),
                "",
                skipped=True,
            )
        except storage.AlreadyAnswered as exc:
            raise AnswerRejected(_MOVED_ON) from exc
        self._finish_if_complete(interview_id)

    def end(self, interview_id: str) -> None:
        """End early: what was answered stays; the rest is not asked. Only an active interview ends."""
        self._active_state(interview_id)
        storage.end_active_interview(self.db_path, interview_id)

    def _current(self, interview_id: str, position: int | None) -> tuple[InterviewState, Question]:
        state = self._active_state(interview_id)
        question = state.current_question
        if question is None or (position is not None and position != state.position):
            raise AnswerRejected(_MOVED_ON)
        return state, question

    def _active_state(self, interview_id: str) -> InterviewState:
        state = self.state(interview_id)
        if state is None:
            raise AnswerRejected("This interview no longer exists. Start a new one.")
        if state.done:
            raise AnswerRejected("This interview is over. Start a new one to keep practising.")
        return state

    def _finish_if_complete(self, interview_id: str) -> None:
        state = self.state(interview_id)
        if state and state.interview.status == "active" and state.position >= len(state.questions):
            storage.set_interview_status(self.db_path, interview_id, "finished")

    def _answer(self, interview_id: str, answer_id: int) -> Answer:
        return next(a for a in storage.list_answers(self.db_path, interview_id) if a.id == answer_id)


_MOVED_ON = (
    "That question was already answered or skipped (in another tab, or by a second click); "
    "the interview has moved on. Your text is below so you can copy it."
)


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
    weakest = min(PARTS, key=lambda p: averages[p])
    overall = sum(g.overall for g in graded) / len(graded)
    advice = f"Practise your {weakest}: {PART_ADVICE[weakest]}."
    return Summary(answered, skipped, overall, averages, weakest, advice)

"""Running a practice interview: start, answer, skip, end, resume and summarise."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import storage
from coach.delivery import spoken_grade
from coach.follow_up import choose_follow_up
from coach.grading import Deferred, Grader
from coach.library import QuestionLibrary
from coach.models import (
    MAX_ANSWER_CHARS,
    REPLY_SEPARATOR,
    Answer,
    Delivery,
    FollowUp,
    Grade,
    Interview,
    InterviewSetup,
    Question,
    QuestionType,
    ReplyTo,
)
from coach.questions import choose_questions

log = logging.getLogger(__name__)


class AnswerRejected(ValueError):
    """The answer cannot be accepted as given; the message says why."""


class NotSaved(AnswerRejected):
    """The database could not take the write (busy past the wait, full, read-only); nothing changed."""


@contextmanager
def _saving(typed: bool = False) -> Iterator[None]:
    """A storage failure as NotSaved, in words; `typed` when the user's text is shown back with Retry."""
    try:
        yield
    except storage.StorageUnavailable as exc:
        reason = str(exc).rstrip(".")
        then = "Your text is below so you can copy it; Retry saves it again." if typed else "Try again in a moment."
        raise NotSaved(f"Not saved: {reason}. {then}") from exc


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


@dataclass(frozen=True)
class Spoken:
    """What a spoken answer brings beside its text: how it was said, and the recording."""

    delivery: Delivery
    audio: bytes
    mime: str


def reply_slot(follow_up_id: int) -> int:
    """Where a spoken reply to a follow-up is kept until it is sent: below zero, apart from every question's
    position, so it is never taken for a recording of the next question."""
    return -follow_up_id


@dataclass
class InterviewState:
    """An interview and where it stands, read from the database."""

    interview: Interview
    questions: list[Question]
    answers: list[Answer]
    # The questions' positions, and the follow-ups' reply slots, that hold a recording not yet sent.
    unsent_positions: frozenset[int] = frozenset()

    @property
    def unsent_recording(self) -> bool:
        """A recording for the current question was made and not yet sent (kept in the database)."""
        return self.position in self.unsent_positions

    @property
    def position(self) -> int:
        return len(self.answers)

    @property
    def pending_follow_up(self) -> FollowUp | None:
        """A follow-up on the latest answer that awaits a reply; it comes before the next question."""
        if self.interview.status != "active" or not self.answers:
            return None
        follow_up = self.answers[-1].follow_up
        return follow_up if follow_up is not None and follow_up.status == "asked" else None

    @property
    def done(self) -> bool:
        if self.interview.status != "active":
            return True
        return self.position >= len(self.questions) and self.pending_follow_up is None

    @property
    def current_question(self) -> Question | None:
        if self.done or self.pending_follow_up is not None or self.position >= len(self.questions):
            return None
        return self.questions[self.position]


@dataclass(frozen=True)
class DatabaseProblem:
    """Why the database cannot be used at all (usable False) or only read, in words for every page."""

    message: str
    usable: bool


class InterviewService:
    """The interview flow over one database, one bank and one grader."""

    def __init__(self, db_path: Path, bank: Sequence[Question], grader: Grader):
        self.db_path = db_path
        self.library = QuestionLibrary(db_path, bank)
        self.grader = grader

    def database_problem(self) -> DatabaseProblem | None:
        """What is wrong with the database file, checked before use; None when it can be read and written."""
        try:
            state = storage.file_state(self.db_path)
        except storage.StorageUnavailable as exc:
            return DatabaseProblem(str(exc), usable=False)
        return DatabaseProblem(state.read_only_reason, usable=True) if state.read_only_reason else None

    def all_questions(self) -> list[Question]:
        return self.library.all()

    def start(self, setup: InterviewSetup, seed: int | None = None) -> Interview:
        return self.start_with_questions(setup, self.preview(setup, seed))

    def preview(self, setup: InterviewSetup, seed: int | None = None) -> list[Question]:
        """The questions an interview of this setup would ask, unanswered ones first; nothing is saved."""
        answered = storage.answered_question_ids(self.db_path)
        chosen = choose_questions(self.all_questions(), setup, answered, seed=seed)
        if not chosen:
            raise AnswerRejected("No questions match these choices: widen the topics or the question type.")
        return chosen

    def swap(
        self, setup: InterviewSetup, chosen: Sequence[Question], index: int, seed: int | None = None
    ) -> list[Question]:
        """The previewed questions with the one at `index` replaced by another that fits (one not yet
        answered if any is left); unchanged when no other question fits."""
        taken = {q.id for q in chosen}
        answered = set(storage.answered_question_ids(self.db_path)) | taken
        every = setup.model_copy(update={"n_questions": len(self.all_questions())})
        spare = next(
            (q for q in choose_questions(self.all_questions(), every, answered, seed) if q.id not in taken), None
        )
        if spare is None:
            return list(chosen)
        return [spare if i == index else q for i, q in enumerate(chosen)]

    def _prepare_grader(self) -> None:
        # A grader made on first use (the app's) is made as the interview starts, not on the first answer.
        if isinstance(self.grader, Deferred):
            self.grader.ready()

    def start_with_question(self, question: Question) -> Interview:
        """A one-question interview, for "practise this question now" and "try this question again"."""
        # A question rebuilt from an old answer has no levels; the interview still needs one.
        level = question.levels[0] if question.levels else "mid"
        setup = InterviewSetup(level=level, topics=question.topics[:1], n_questions=1)
        return self.start_with_questions(setup, [question])

    def start_with_questions(self, setup: InterviewSetup, questions: Sequence[Question]) -> Interview:
        """An interview of these questions in this order (a previewed set, a job's best matches)."""
        if not questions:
            raise AnswerRejected("There are no questions to ask: choose at least one.")
        ids = tuple(dict.fromkeys(q.id for q in questions))
        setup = setup.model_copy(update={"n_questions": len(ids)})
        interview = Interview(id=uuid.uuid4().hex, created_at=storage.now(), setup=setup, question_ids=ids)
        with _saving():
            storage.create_interview(self.db_path, interview)
        self._prepare_grader()
        return interview

    def state(self, interview_id: str) -> InterviewState | None:
        """The interview as stored now, read through one connection."""
        record = storage.load_interview(self.db_path, interview_id)
        return self._state_of(record) if record else None

    def _state_of(self, record: storage.InterviewRecord) -> InterviewState:
        by_id = {q.id: q for q in self.library.bank} | {q.id: q for q in record.custom_questions}
        asked = {a.position: a for a in record.answers}
        ids = record.interview.question_ids
        questions = [self._question_for(qid, i, by_id, asked) for i, qid in enumerate(ids)]
        return InterviewState(record.interview, questions, record.answers, record.unsent_positions)

    @staticmethod
    def _question_for(qid: str, position: int, by_id: dict[str, Question], asked: dict[int, Answer]) -> Question:
        if qid in by_id:
            return by_id[qid]
        if position in asked:
            return question_asked(asked[position])
        return _unchecked_question(qid, "(This question was deleted. Press Skip to move on.)", "behavioral")

    def turn(self, interview_id: str, to_grade: int | None = None) -> InterviewState | None:
        """One turn of the page: read the interview once, grade the answer just sent if it waits for a
        grade, and return the new state (the grade's write and the read-back share one connection)."""
        state = self.state(interview_id)
        if state is None or to_grade is None:
            return state
        answer = next((a for a in state.answers if a.id == to_grade), None)
        if answer is None or answer.skipped or not needs_grade(answer):
            return state
        return self._grade_in(state, answer)

    def unfinished(self) -> list[InterviewState]:
        # A batch being saved is never resumable, and reading its thousands of answers would slow the setup page.
        active = storage.list_interviews(self.db_path, status="active", kind="interview", limit=10)
        states = [self.state(i.id) for i in active]
        return [s for s in states if s is not None and not s.done]

    def submit(
        self,
        interview_id: str,
        text: str,
        position: int | None = None,
        seen: InterviewState | None = None,
        spoken: Spoken | None = None,
    ) -> int:
        """Commit an answer to the question at `position` (the one the user saw) and return its id.

        Grading comes after, so a crash or a failed grade never loses the answer. A position
        that is no longer current (a second tab, a double submit) is refused, never misfiled.
        `seen` is the state the page showed, read this turn: it spares a second read, and the
        database still refuses a taken position or an interview that has ended meanwhile. A `spoken`
        answer's text is its transcript as corrected; its recording is kept unless the candidate chose not to.
        """
        text = validate_answer(text)
        state, question = self._current(interview_id, position, seen)
        try:
            with _saving(typed=True):
                recording = None
                if spoken is not None and self.keeps_recordings():
                    recording = storage.Recording(spoken.audio, spoken.mime)
                return storage.record_answer(
                    self.db_path,
                    interview_id,
                    state.position,
                    _asked(question),
                    text,
                    topics=question.topics,
                    delivery=spoken.delivery if spoken else None,
                    recording=recording,
                )
        except storage.InterviewGone as exc:
            raise AnswerRejected(_GONE) from exc
        except (storage.AlreadyAnswered, storage.InterviewClosed) as exc:
            raise AnswerRejected(_MOVED_ON) from exc

    def grade_stored(self, interview_id: str, answer_id: int) -> Answer:
        """Grade a stored answer (again); a grader failure is recorded, not raised.

        A weak answer earns one follow-up question, if the interview asks them; a graded
        follow-up reply records the new score beside the old.
        """
        state = self.state(interview_id)
        answer = next(a for a in state.answers if a.id == answer_id) if state else None
        if state is None or answer is None:
            raise AnswerRejected("This answer no longer exists.")
        state = self._grade_in(state, answer)
        return next(a for a in state.answers if a.id == answer_id)

    def _grade_in(self, state: InterviewState, answer: Answer) -> InterviewState:
        try:
            grade = self.grader.grade(answer.question_text, answer.graded_text, answer.question_type, _reply_to(answer))
            if answer.delivery is not None:
                grade = spoken_grade(grade, answer.delivery)
        except Exception as exc:
            log.exception("grading answer %s failed", answer.id)
            try:
                storage.save_grade_error(self.db_path, answer.id, f"Grading failed: {type(exc).__name__}")
            except storage.StorageUnavailable:
                log.exception("saving the grading error failed")
            return self.state(state.interview.id) or state
        follow_up = self._follow_up_for(state, answer, grade)
        # Finished once every question is answered and no follow-up waits (this one's reply included).
        waiting = follow_up is not None or (state.pending_follow_up is not None and not answer.replied)
        finish = state.interview.status == "active" and state.position >= len(state.questions) and not waiting
        write = storage.GradeWrite(answer.id, grade, follow_up, finish)
        try:
            record = storage.save_grade_and_load(self.db_path, state.interview.id, write)
        except storage.StorageUnavailable:
            # The answer is stored already: it shows ungraded, with "Grade it now".
            log.exception("saving the grade of answer %s failed", answer.id)
            return state
        return self._state_of(record) if record else state

    def _follow_up_for(self, state: InterviewState, answer: Answer, grade: Grade) -> tuple[str, str, str] | None:
        # Only on the latest answer of a live interview that asks them, and only once.
        if answer.follow_up is not None or not state.interview.setup.follow_ups:
            return None
        if state.interview.status != "active" or state.answers[-1].id != answer.id:
            return None
        choice = choose_follow_up(grade, state.questions[answer.position])
        return (choice.part, choice.question, choice.source) if choice else None

    def reply_to_follow_up(self, interview_id: str, follow_up_id: int, text: str) -> int:
        """Record the reply to the follow-up and return its answer's id, to be graded again with it.

        Refused if the follow-up is no longer awaiting a reply (another tab, a double submit).
        """
        text = validate_answer(text)
        state = self._active_state(interview_id, allow_done=True)
        pending = state.pending_follow_up
        if pending is None or pending.id != follow_up_id:
            raise AnswerRejected(_MOVED_ON)
        answer = state.answers[-1]
        # The answer and its reply are graded together, within the one limit.
        if len(answer.text) + len(REPLY_SEPARATOR) + len(text) > MAX_ANSWER_CHARS:
            room = MAX_ANSWER_CHARS - len(answer.text) - len(REPLY_SEPARATOR)
            raise AnswerRejected(f"Your reply is too long for this answer: {max(room, 0):,} characters are left.")
        with _saving(typed=True):
            recorded = storage.record_follow_up_reply(self.db_path, follow_up_id, text)
        if not recorded:
            raise AnswerRejected(_MOVED_ON)
        return answer.id

    def skip_follow_up(self, interview_id: str, follow_up_id: int) -> None:
        state = self._active_state(interview_id, allow_done=True)
        pending = state.pending_follow_up
        if pending is None or pending.id != follow_up_id:
            raise AnswerRejected(_MOVED_ON)
        with _saving():
            if not storage.skip_follow_up(self.db_path, follow_up_id, reply_slot(follow_up_id)):
                raise AnswerRejected(_MOVED_ON)
        self._finish_if_complete(interview_id)

    def keep_unsent(self, interview_id: str, position: int, audio: bytes, mime: str) -> None:
        """Keep a recording the moment it is made, before anything is done with it; NotSaved if it cannot be."""
        with _saving():
            storage.keep_unsent(self.db_path, interview_id, position, storage.Recording(audio, mime))

    def unsent(self, interview_id: str, position: int) -> storage.Recording | None:
        return storage.unsent(self.db_path, interview_id, position)

    def drop_unsent(self, interview_id: str, position: int) -> None:
        with _saving():
            storage.drop_unsent(self.db_path, interview_id, position)

    def keeps_recordings(self) -> bool:
        """Whether spoken answers' recordings are kept with them (the default), or dropped once transcribed."""
        return storage.preference(self.db_path, storage.KEEP_RECORDINGS, "yes") == "yes"

    def set_keeps_recordings(self, keep: bool) -> None:
        with _saving():
            storage.set_preference(self.db_path, storage.KEEP_RECORDINGS, "yes" if keep else "no")

    def answer(self, interview_id: str, text: str, position: int | None = None) -> Answer:
        """Submit and grade in one step."""
        return self.grade_stored(interview_id, self.submit(interview_id, text, position))

    def skip(self, interview_id: str, position: int | None = None) -> None:
        state, question = self._current(interview_id, position)
        try:
            with _saving():
                storage.record_answer(
                    self.db_path, interview_id, state.position, _asked(question), "", True, question.topics
                )
        except storage.AlreadyAnswered as exc:
            raise AnswerRejected(_MOVED_ON) from exc
        self._finish_if_complete(interview_id)

    def end(self, interview_id: str) -> None:
        """End early: what was answered stays; the rest is not asked. Only an active interview ends."""
        self._active_state(interview_id)
        with _saving():
            storage.end_active_interview(self.db_path, interview_id)

    def _current(
        self, interview_id: str, position: int | None, seen: InterviewState | None = None
    ) -> tuple[InterviewState, Question]:
        state = seen if seen is not None and seen.interview.id == interview_id else self._active_state(interview_id)
        if state.pending_follow_up is not None:
            raise AnswerRejected(_FOLLOW_UP_FIRST)
        question = state.current_question
        if question is None or (position is not None and position != state.position):
            raise AnswerRejected(_MOVED_ON)
        return state, question

    def _active_state(self, interview_id: str, allow_done: bool = False) -> InterviewState:
        state = self.state(interview_id)
        if state is None:
            raise AnswerRejected("This interview no longer exists. Start a new one.")
        if state.done and not (allow_done and state.interview.status == "active"):
            raise AnswerRejected("This interview is over. Start a new one to keep practising.")
        return state

    def _finish_if_complete(self, interview_id: str) -> None:
        state = self.state(interview_id)
        if state and state.interview.status == "active" and state.done:
            with _saving():
                storage.set_interview_status(self.db_path, interview_id, "finished")


def question_asked(answer: Answer) -> Question:
    """The question as the answer recorded it, for one no longer in the bank (deleted, or a batch line)."""
    return _unchecked_question(answer.question_id, answer.question_text, answer.question_type)


def _unchecked_question(question_id: str, text: str, question_type: QuestionType) -> Question:
    # model_construct: these ids and texts need not meet the bank's rules.
    return Question.model_construct(
        id=question_id, text=text, type=question_type, topics=(), levels=(), probes=(),
        strong_answer_shows=(), difficulty=2, custom=True,
    )  # fmt: skip


def _asked(question: Question) -> tuple[str, str, str]:
    """What an answer copies of its question, so history outlives the question."""
    return question.id, question.text, question.type


def needs_grade(answer: Answer) -> bool:
    """No grade yet, or a follow-up reply added since the grade."""
    regrade = answer.replied and answer.follow_up is not None and answer.follow_up.score_after is None
    return answer.grade is None or regrade


def _reply_to(answer: Answer) -> ReplyTo | None:
    """Where the follow-up reply starts in the graded text, for the grader to credit it to the part asked about."""
    if not answer.replied or answer.follow_up is None:
        return None
    return ReplyTo(offset=len(answer.text), part=answer.follow_up.part)


_FOLLOW_UP_FIRST = "The interviewer asked a follow-up question first: reply to it, or skip it, to move on."
_GONE = (
    "This interview is no longer in the database (the file was deleted or replaced while STAR Coach was "
    "running). Your text is below so you can copy it; start a new interview to go on."
)
_MOVED_ON = (
    "That question was already answered or skipped (in another tab, or by a second click); "
    "the interview has moved on. Your text is below so you can copy it."
)

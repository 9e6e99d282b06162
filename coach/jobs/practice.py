"""Practise for a job, as the page and the CLI use it: read a description, choose its questions, start the
interview, and (with an LLM) write questions for the job and keep them as the candidate's own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

import storage
from coach.config import Settings
from coach.interview import AnswerRejected, InterviewService
from coach.jobs.matching import GENERAL_TOPICS, best_questions
from coach.jobs.profile import JobProfile, read_job_description
from coach.jobs.reading import job_text, text_from_file
from coach.models import MAX_JOB_NAME_CHARS, Interview, InterviewSetup, Level, Question, TypeChoice

DEFAULT_QUESTIONS = 10
MAX_QUESTIONS = 15  # as on the Practice page
MIN_WRITTEN, MAX_WRITTEN = 3, 5  # questions the LLM writes for a job at one go


class QuestionWritingError(Exception):
    """No question could be written for the job; the message says why, in words for the page."""


class JobChoice(BaseModel):
    """What the candidate settles on after reading the findings; defaults are the findings'."""

    model_config = ConfigDict(frozen=True)

    level: Level
    topics: tuple[str, ...] = Field(min_length=1)
    n_questions: int = Field(default=DEFAULT_QUESTIONS, ge=1, le=MAX_QUESTIONS)
    question_type: TypeChoice = "both"
    job: str = ""  # the job's name: its own written questions come first

    @classmethod
    def from_profile(cls, profile: JobProfile, n_questions: int = DEFAULT_QUESTIONS) -> JobChoice:
        topics = profile.suggested_topics or GENERAL_TOPICS
        return cls(level=profile.level, topics=topics, n_questions=n_questions, job=job_name(profile.title))


def job_name(title: str) -> str:
    """A job's name as questions are marked with it: one line, at most MAX_JOB_NAME_CHARS."""
    return " ".join(title.split())[:MAX_JOB_NAME_CHARS].strip()


class WrittenReport(BaseModel):
    """What "write questions for this job" did, in words for the page."""

    added: tuple[Question, ...]
    skipped: int  # items the LLM wrote that were unusable or repeated questions we have
    model: str

    def summary(self) -> str:
        text = f"Wrote {len(self.added)} question{'s' * (len(self.added) != 1)} for this job ({self.model})"
        if self.skipped:
            text += f"; left out {self.skipped} that were unusable or repeated ones you have"
        return text + ". They are saved with your own questions, marked with the job."


class JobPractice:
    """Practise for a job over one interview service (its database, bank and library) and the settings."""

    def __init__(self, service: InterviewService, settings: Settings):
        self.service = service
        self.settings = settings

    def read(self, text: str) -> JobProfile:
        """Findings from pasted text; raises JobDescriptionError with what to do."""
        return read_job_description(text, self.service.library.bank)

    @staticmethod
    def text_of_file(data: bytes, name: str) -> str:
        """The text of an uploaded .txt, .md or .pdf; raises JobDescriptionError with what to do."""
        return text_from_file(data, name)

    def questions(self, profile: JobProfile, choice: JobChoice) -> list[Question]:
        """The questions a tailored interview would ask, in order, fresh ones first."""
        library = self.service.library
        try:
            mine, answered = storage.custom_questions_and_answered(self.service.db_path)
        except storage.StorageUnavailable:
            mine, answered = [], set()  # the bank alone still fits the job; only its own questions are missing
        return best_questions(
            profile,
            [*library.bank, *mine],
            n=choice.n_questions,
            level=choice.level,
            topics=choice.topics,
            question_type=choice.question_type,
            answered=answered,
            job=choice.job,
        )

    def start(self, profile: JobProfile, choice: JobChoice) -> Interview:
        """Start the tailored interview; raises AnswerRejected when there is nothing to ask or it is not saved."""
        chosen = self.questions(profile, choice)
        if not chosen:
            raise AnswerRejected("No question fits these choices: add a topic or choose both question types.")
        setup = InterviewSetup(level=choice.level, topics=choice.topics, question_type=choice.question_type)
        return self.service.start_with_questions(setup, chosen)

    @property
    def can_write(self) -> bool:
        """An LLM is configured, so questions can be written for the job."""
        return self.settings.llm_configured

    def write_questions(self, description: str, profile: JobProfile, job: str, count: int) -> WrittenReport:
        """Write questions for the job with the LLM and keep them; raises QuestionWritingError or
        QuestionInputError (not saved) with the reason."""
        from coach.jobs.writer import QuestionWriter  # loads openai only when a question is written

        library = self.service.library
        # The description as it was read: tags, pay, benefits and equal-opportunity text are not the job.
        read = "\n".join(line.text for line in job_text(description).counted())
        batch = QuestionWriter(self.settings).write(read, profile, job_name(job), count, library.all())
        report = library.add_many(list(batch.questions))
        skipped = batch.unusable + len(report.duplicates)
        return WrittenReport(added=tuple(report.added), skipped=skipped, model=batch.model)

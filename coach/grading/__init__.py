"""The one Grader interface every grader implements, and how the app picks one."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from coach.models import Grade, QuestionType, ReplyTo

if TYPE_CHECKING:
    from coach.config import Settings

log = logging.getLogger(__name__)


class Grader(Protocol):
    """Grades one answer to one question against STAR."""

    name: str

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        """Return a grade; evidence offsets index into `answer` as given.

        `reply` marks a follow-up reply appended to the answer: it is evidence for the part it was
        asked about, and never changes how the answer before it is read.
        """
        ...


class GradingError(Exception):
    """A grader could not produce a grade; the message is fit to show a user."""


class FallbackGrader:
    """The LLM first; on any failure the rule-based grader, with the reason on the grade.

    An answer is never lost to a dead, slow or misbehaving LLM, and a rules grade is never
    passed off as an LLM grade: `grader` says "rules" and `fallback_reason` says why.
    """

    name = "llm"

    def __init__(self, primary: Grader, backup: Grader):
        self.primary = primary
        self.backup = backup

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        try:
            return self.primary.grade(question, answer, question_type, reply)
        except GradingError as exc:
            reason = str(exc)
        except Exception as exc:  # a bug or an unforeseen reply must not cost the user a grade
            # The type only: an exception's text may quote a server's reply, and the logs never hold the key.
            log.error("the LLM grader failed unexpectedly (%s)", type(exc).__name__)
            reason = f"the LLM grader failed unexpectedly ({type(exc).__name__})"
        # Said on the grade itself: a log line per answer would flood a batch's stderr.
        log.info("graded by rules because %s", reason)
        grade = self.backup.grade(question, answer, question_type, reply)
        return grade.model_copy(update={"fallback_reason": reason})


class StandInGrader:
    """The rule-based grader standing in for an LLM whose settings cannot be used; each grade says why.

    Unlike FallbackGrader it logs nothing per answer: the Settings page and the CLI report the
    setting once, where it is read.
    """

    name = "llm"

    def __init__(self, reason: str, backup: Grader):
        self.reason = reason
        self.backup = backup

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        grade = self.backup.grade(question, answer, question_type, reply)
        return grade.model_copy(update={"fallback_reason": self.reason})


class Deferred:
    """A grader made when it is first needed. The rule-based grader's cue tables take a tenth of a second
    to build, which the app's first page (a setup form that grades nothing) should not wait for."""

    def __init__(self, make: Callable[[], Grader]):
        self._make = make
        self._grader: Grader | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.ready().name

    def ready(self) -> Grader:
        """The grader, made now if it was not yet."""
        with self._lock:
            if self._grader is None:
                self._grader = self._make()
            return self._grader

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        return self.ready().grade(question, answer, question_type, reply)


def make_grader(settings: Settings | None = None) -> Grader:
    """The LLM with rules as fallback when an LLM is configured, else the rule-based grader."""
    from coach.grading.rules import RuleBasedGrader  # the graders import this package

    if settings is None or not settings.llm_configured:
        return RuleBasedGrader()
    if settings.llm_problem:
        return StandInGrader(settings.llm_problem, RuleBasedGrader())
    from coach.grading.llm import LLMGrader

    return FallbackGrader(LLMGrader(settings), RuleBasedGrader())

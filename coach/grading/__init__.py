"""The one Grader interface every grader implements, and how the app picks one."""

from __future__ import annotations

from typing import Protocol

from coach.models import Grade, QuestionType


class Grader(Protocol):
    """Grades one answer to one question against STAR."""

    name: str

    def grade(self, question: str, answer: str, question_type: QuestionType = "behavioral") -> Grade:
        """Return a grade; evidence offsets index into `answer` as given."""
        ...


class GradingError(Exception):
    """A grader could not produce a grade; the message is fit to show a user."""


def make_grader(settings: object | None = None) -> Grader:
    """The grader the app and the CLI use for these settings.

    Until the LLM grader exists, that is always the rule-based grader; the one place to change.
    """
    from coach.grading.rules import RuleBasedGrader  # the rules module imports this package

    return RuleBasedGrader()

"""The questions an interview can draw on: the built-in bank plus the user's own, which they manage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import storage
from coach.models import Question
from coach.question_io import (
    FileFormat,
    QuestionInputError,
    build_question,
    decode_upload,
    detect_format,
    export_csv,
    export_json,
    normalised_text,
    parse_questions,
    plan_import,
)


@contextmanager
def _saving() -> Iterator[None]:
    # The form keeps what was typed; the message says why it was not saved.
    try:
        yield
    except storage.StorageUnavailable as exc:
        raise QuestionInputError([f"Not saved: {exc}. What you entered is kept; try again in a moment."]) from exc


@dataclass
class ImportReport:
    """What an import did."""

    added: list[Question]
    duplicates: list[str]

    def summary(self) -> str:
        text = f"Imported {len(self.added)} question{'s' * (len(self.added) != 1)}"
        if self.duplicates:
            text += f"; skipped {len(self.duplicates)} already there"
        return text + "."


class QuestionLibrary:
    """Built-in questions (read-only) and the user's own questions (add, edit, delete, import, export)."""

    def __init__(self, db_path: Path, bank: Sequence[Question]):
        self.db_path = db_path
        self.bank = list(bank)
        self._topics_recorded = False

    def record_topics(self) -> None:
        """Give answers stored before answers kept their question's topics the topics their questions have
        now (once per library; again after a restore). A database that cannot be written keeps them unknown."""
        if self._topics_recorded:
            return
        try:
            storage.fill_in_topics(self.db_path, {q.id: q.topics for q in self.all()})
        except storage.StorageUnavailable:
            return
        self._topics_recorded = True

    def forget_topics(self) -> None:
        """Answers may have arrived without topics (a restored backup): fill them in on next use."""
        self._topics_recorded = False

    def mine(self) -> list[Question]:
        return storage.list_custom_questions(self.db_path)

    def all(self) -> list[Question]:
        return self.bank + self.mine()

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.all() if q.id == question_id), None)

    def add(self, fields: Mapping[str, Any]) -> Question:
        """Add one question from the form; raises QuestionInputError with every problem."""
        existing = self.all()
        # The id is always made here: a given one could shadow a built-in question.
        question = build_question({k: v for k, v in fields.items() if k != "id"}, {q.id for q in existing})
        self._refuse_duplicate(question, existing)
        try:
            with _saving():
                storage.add_custom_questions(self.db_path, [question])
        except storage.QuestionIdTaken as exc:  # another tab added the same text a moment ago
            raise QuestionInputError(["Question: you have just added this question; it is in your list"]) from exc
        return question

    def update(self, question_id: str, fields: Mapping[str, Any]) -> Question:
        """Edit one of the user's questions; built-in ones cannot be edited."""
        if question_id not in {q.id for q in self.mine()}:
            raise QuestionInputError(["Only your own questions can be edited, and this one no longer exists."])
        question = build_question(fields, question_id=question_id)
        self._refuse_duplicate(question, [q for q in self.all() if q.id != question_id])
        with _saving():
            storage.update_custom_question(self.db_path, question)
        return question

    def delete(self, question_id: str) -> bool:
        """Delete one of the user's questions; past answers keep the question's text."""
        with _saving():
            return storage.delete_custom_question(self.db_path, question_id)

    def import_file(self, data: bytes, name: str = "", fmt: FileFormat | None = None) -> ImportReport:
        """Import questions from CSV or JSON bytes: all of them, or none with every reason."""
        text = decode_upload(data)
        existing = self.all()
        parsed = parse_questions(text, fmt or detect_format(name, text), {q.id for q in existing})
        plan = plan_import(parsed, existing)
        if plan.new:
            with _saving():
                storage.add_custom_questions(self.db_path, plan.new)
        return ImportReport(plan.new, plan.duplicates)

    def add_many(self, questions: Sequence[Question]) -> ImportReport:
        """Add questions made elsewhere (written for a job); those already here are skipped and counted."""
        plan = plan_import([(f"“{q.text}”", q) for q in questions], self.all())
        if plan.new:
            with _saving():
                storage.add_custom_questions(self.db_path, plan.new)
        return ImportReport(plan.new, plan.duplicates)

    def export(self, fmt: FileFormat) -> str:
        """The user's own questions as CSV or JSON, in the format import reads."""
        return export_csv(self.mine()) if fmt == "csv" else export_json(self.mine())

    @staticmethod
    def _refuse_duplicate(question: Question, others: Sequence[Question]) -> None:
        wording = normalised_text(question.text)
        twin = next((q for q in others if normalised_text(q.text) == wording), None)
        if twin is not None:
            source = "one of your questions" if twin.custom else "a built-in question"
            raise QuestionInputError([f"Question: this is already {source} ({twin.id})"])

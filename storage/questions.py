"""The user's own questions: added all or none, edited, listed in the order given, deleted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coach.models import QUESTION_FIELDS, Question
from storage.db import connect, iso, now, write
from storage.rows import custom_from_row, custom_row


class QuestionIdTaken(Exception):
    """A custom question's id is already used; nothing was written."""


def add_custom_questions(path: Path, questions: Sequence[Question]) -> None:
    """Add the user's questions in one transaction: all of them, or none if any id is taken."""
    created = iso(now())
    with write(path) as db:
        taken = {r["id"] for r in db.query("select id from custom_questions")}
        clash = [q.id for q in questions if q.id in taken]
        if clash:
            raise QuestionIdTaken(clash[0])
        db["custom_questions"].insert_all({**custom_row(q), "created_at": created} for q in questions)


def update_custom_question(path: Path, question: Question) -> bool:
    """Replace one of the user's questions, keeping when it was added; False if it is gone."""
    with write(path) as db:
        row = custom_row(question)
        fields = [k for k in QUESTION_FIELDS if k != "id"]
        cursor = db.execute(
            f"update custom_questions set {', '.join(f'{k} = ?' for k in fields)} where id = ?",
            [*(row[k] for k in fields), question.id],
        )
        return cursor.rowcount == 1


def list_custom_questions(path: Path) -> list[Question]:
    with connect(path) as db:
        rows = db["custom_questions"].rows_where(order_by="created_at, rowid")  # rowid: a file's order
        return [custom_from_row(r) for r in rows]


def custom_questions_and_answered(path: Path) -> tuple[list[Question], set[str]]:
    """The user's own questions and the ids of every question answered (not merely skipped), on one
    connection: what choosing questions for a job reads in one page turn."""
    with connect(path) as db:
        rows = db["custom_questions"].rows_where(order_by="created_at, rowid")
        mine = [custom_from_row(r) for r in rows]
        answered = {r["question_id"] for r in db.query("select distinct question_id from answers where skipped = 0")}
        return mine, answered


def delete_custom_question(path: Path, question_id: str) -> bool:
    """Delete one of the user's questions; answers to it keep their copy of its text."""
    with write(path) as db:
        return db.execute("delete from custom_questions where id = ?", [question_id]).rowcount == 1

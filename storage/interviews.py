"""Interviews and what happens in them: answers, grades and follow-ups, each turn read or written in one go."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from coach.models import Answer, Delivery, Grade, Interview, Question
from storage.db import connect, iso, now, transaction, writable, write
from storage.recordings import Recording
from storage.rows import (
    ANSWER_SELECT,
    answer_from_row,
    custom_from_row,
    grade_row,
    interview_from_row,
    interview_row,
)


class AlreadyAnswered(Exception):
    """The interview already has an answer at that position (a double submit)."""


class InterviewClosed(Exception):
    """The interview is no longer active (ended or finished in another tab); nothing was written."""


class InterviewGone(InterviewClosed):
    """The interview is not in the database (the file was replaced or deleted); nothing was written."""


def create_interview(path: Path, interview: Interview) -> None:
    with write(path) as db:
        db["interviews"].insert(interview_row(interview))


def get_interview(path: Path, interview_id: str) -> Interview | None:
    with connect(path) as db:
        rows = list(db["interviews"].rows_where("id = ?", [interview_id]))
    return interview_from_row(rows[0]) if rows else None


def list_interviews(path: Path, status: str | None = None, limit: int = 50, kind: str | None = None) -> list[Interview]:
    """Interviews newest first, optionally only those with a given status or of a given kind."""
    wheres = {"status": status, "kind": kind}
    clauses = [f"{column} = ?" for column, value in wheres.items() if value]
    with connect(path) as db:
        rows = db["interviews"].rows_where(
            " and ".join(clauses) or None,
            [value for value in wheres.values() if value],
            order_by="created_at desc",
            limit=limit,
        )
        return [interview_from_row(r) for r in rows]


def end_active_interview(path: Path, interview_id: str) -> None:
    """Mark an interview ended early, unless it already finished or ended."""
    with write(path) as db:
        db.execute(
            "update interviews set status = 'ended', finished_at = ? where id = ? and status = 'active'",
            [iso(now()), interview_id],
        )


def set_interview_status(path: Path, interview_id: str, status: str) -> None:
    finished = iso(now()) if status != "active" else None
    with write(path) as db:
        db["interviews"].update(interview_id, {"status": status, "finished_at": finished})


# -- answers and grades -----------------------------------------------------


def record_answer(
    path: Path,
    interview_id: str,
    position: int,
    question: tuple[str, str, str],
    text: str,
    skipped: bool = False,
    topics: Sequence[str] = (),
    delivery: Delivery | None = None,
    recording: Recording | None = None,
) -> int:
    """Commit an answer (or a skip) and return its id; grading comes after.

    `question` is (id, text, type), copied with its `topics` so history outlives the question. A spoken
    answer carries how it was said, and its recording when the candidate keeps recordings: both are written
    in the answer's transaction.
    """
    question_id, question_text, question_type = question
    try:
        with write(path) as db:
            status = db.execute("select status from interviews where id = ?", [interview_id]).fetchone()
            if status is None:
                raise InterviewGone(interview_id)
            if status[0] != "active":
                raise InterviewClosed(interview_id)
            table = db["answers"]
            table.insert(
                {
                    "interview_id": interview_id,
                    "position": position,
                    "question_id": question_id,
                    "question_text": question_text,
                    "question_type": question_type,
                    "text": text,
                    "skipped": int(skipped),
                    "created_at": iso(now()),
                    "grade_error": None,
                    "topics": json.dumps(list(topics)),
                    "delivery": delivery.model_dump_json() if delivery else None,
                }
            )
            answer_id = int(table.last_pk)
            # Sent: the recording is the answer's now, or dropped if the candidate keeps none.
            db.execute(
                "delete from unsent_recordings where interview_id = ? and position = ?", [interview_id, position]
            )
            if recording is not None:
                db.execute(
                    "insert into recordings (answer_id, created_at, mime, audio) values (?, ?, ?, ?)",
                    [answer_id, iso(now()), recording.mime, recording.audio],
                )
            return answer_id
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc):
            raise AlreadyAnswered(f"position {position} of {interview_id}") from exc
        raise


def save_grade_error(path: Path, answer_id: int, message: str) -> None:
    with write(path) as db:
        db["answers"].update(answer_id, {"grade_error": message[:500]})


def list_answers(path: Path, interview_id: str) -> list[Answer]:
    """An interview's answers in the order asked, each with its latest grade."""
    sql = ANSWER_SELECT + " where a.interview_id = ? order by a.position"
    with connect(path) as db:
        return [answer_from_row(r) for r in db.query(sql, [interview_id])]


@dataclass
class InterviewRecord:
    """An interview as stored: its row, its answers in order, and the user's questions it asks."""

    interview: Interview
    answers: list[Answer]
    custom_questions: list[Question]
    # Questions with a recording made and not yet sent (read with the rest: the turn opens no other connection).
    unsent_positions: frozenset[int] = frozenset()


def _load(db: Database, interview_id: str) -> InterviewRecord | None:
    rows = list(db.query("select * from interviews where id = ?", [interview_id]))
    if not rows:
        return None
    sql = ANSWER_SELECT + " where a.interview_id = ? order by a.position"
    answers = [answer_from_row(r) for r in db.query(sql, [interview_id])]
    custom = db.query(
        "select * from custom_questions where id in (select value from json_each(?))", [rows[0]["question_ids"]]
    )
    unsent = db.execute("select position from unsent_recordings where interview_id = ?", [interview_id])
    return InterviewRecord(
        interview_from_row(rows[0]), answers, [custom_from_row(r) for r in custom], frozenset(p for (p,) in unsent)
    )


def load_interview(path: Path, interview_id: str) -> InterviewRecord | None:
    """Everything a turn of the interview shows, read through one connection."""
    with connect(path) as db:
        return _load(db, interview_id)


@dataclass
class GradeWrite:
    """What grading an answer changes, written together: the grade, a follow-up asked on it, and whether
    the interview is now finished."""

    answer_id: int
    grade: Grade
    follow_up: tuple[str, str, str] | None = None  # (part, question, source), asked on this answer
    finish: bool = False


def save_grade_and_load(path: Path, interview_id: str, change: GradeWrite) -> InterviewRecord | None:
    """Write a turn's grade in one transaction, then read the interview back on the same connection."""
    with writable(path) as db:
        with transaction(db):
            _write_grade(db, interview_id, change)
        return _load(db, interview_id)


def insert_grade(conn: sqlite3.Connection, answer_id: int, grade: Grade) -> int:
    """Add a grade row through a raw connection, inside the caller's transaction; returns its id."""
    row = grade_row(answer_id, grade)
    # Plain SQL: the table helpers look up the schema on every insert, half the cost of a batch's save.
    sql = f"insert into grades ({', '.join(row)}) values ({', '.join('?' * len(row))})"
    return int(conn.execute(sql, list(row.values())).lastrowid or 0)


def _write_grade(db: Database, interview_id: str, change: GradeWrite) -> None:
    grade_id = insert_grade(db.conn, change.answer_id, change.grade)
    db.execute("update answers set grade_error = null where id = ?", [change.answer_id])
    if change.follow_up is not None:
        part, question, source = change.follow_up
        db.execute(
            "insert or ignore into follow_ups (answer_id, created_at, part, question, source, status, grade_id) "
            "values (?, ?, ?, ?, ?, 'asked', ?)",
            [change.answer_id, iso(now()), part, question, source, grade_id],
        )
    if change.finish:
        db.execute(
            "update interviews set status = 'finished', finished_at = ? where id = ? and status = 'active'",
            [iso(now()), interview_id],
        )


def answered_question_ids(path: Path) -> set[str]:
    """Questions the user has answered (not merely skipped) at least once."""
    with connect(path) as db:
        rows = db.query("select distinct question_id from answers where skipped = 0")
        return {r["question_id"] for r in rows}


# -- follow-ups --------------------------------------------------------------


def record_follow_up_reply(path: Path, follow_up_id: int, reply: str) -> bool:
    """Record the reply and mark the follow-up answered; its answer now waits to be graded again.

    False if the follow-up was already answered or skipped (a second tab, a double submit).
    """
    with write(path) as db:
        cursor = db.execute(
            "update follow_ups set status = 'answered', reply = ?, replied_at = ? where id = ? and status = 'asked'",
            [reply, iso(now()), follow_up_id],
        )
        if cursor.rowcount != 1:
            return False
        db.execute(
            "update answers set grade_error = null where id = (select answer_id from follow_ups where id = ?)",
            [follow_up_id],
        )
    return True


def skip_follow_up(path: Path, follow_up_id: int, reply_slot: int | None = None) -> bool:
    """Mark the follow-up skipped; a spoken reply recorded for it and never sent (kept at `reply_slot`) goes too."""
    with write(path) as db:
        cursor = db.execute(
            "update follow_ups set status = 'skipped', replied_at = ? where id = ? and status = 'asked'",
            [iso(now()), follow_up_id],
        )
        if cursor.rowcount == 1 and reply_slot is not None:
            db.execute(
                "delete from unsent_recordings where position = ? and interview_id = "
                "(select a.interview_id from follow_ups f join answers a on a.id = f.answer_id where f.id = ?)",
                [reply_slot, follow_up_id],
            )
        return cursor.rowcount == 1


# -- topics -------------------------------------------------------------------


def fill_in_topics(path: Path, topics_of: Mapping[str, Sequence[str]]) -> int:
    """Record the topics of answers stored before answers kept them (null), from the questions as they
    are now; an answer whose question is unknown gets none. Returns how many answers were filled in."""
    with connect(path) as db:
        missing = [r[0] for r in db.execute("select distinct question_id from answers where topics is null")]
    if not missing:
        return 0
    filled = 0
    with write(path) as db:
        for question_id in missing:
            filled += db.execute(
                "update answers set topics = ? where question_id = ? and topics is null",
                [json.dumps(list(topics_of.get(question_id, ()))), question_id],
            ).rowcount
    return filled

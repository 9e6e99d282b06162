"""A batch from the command line saved as it is graded: one connection, small commits, a clean prefix."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from coach.models import Grade, Interview, InterviewSetup
from storage.db import StorageUnavailable, file_state, iso, now, open_db, plainly
from storage.interviews import insert_grade
from storage.rows import interview_row


class BatchWriter:
    """A batch's answers and grades through one connection, recorded as one finished practice session.

    Writes are committed in small transactions: every `every` answers, or once `interval_s` has passed
    since the last commit, whichever comes first. An answer and its grade share a transaction, so after a
    crash the database holds a clean prefix of the file, each answer graded, and loses at most the last
    window. The session row is committed before any answer.
    """

    def __init__(self, path: Path, wait_s: float | None = None, every: int = 200, interval_s: float = 0.25):
        self.path = path
        self.interview_id = uuid.uuid4().hex
        self.count, self.pending, self.every, self.interval_s = 0, 0, every, interval_s
        self.last_commit = time.monotonic()
        reason = file_state(path).read_only_reason
        if reason is not None:
            raise StorageUnavailable(reason)
        with plainly(sqlite3.Error, self.path):
            self.db = open_db(path, wait_s)
            self.db.conn.execute("BEGIN IMMEDIATE")
            session = Interview(
                id=self.interview_id,
                created_at=now(),
                setup=InterviewSetup(follow_ups=False),
                question_ids=(),
                status="active",
                kind="batch",
            )
            # A batch plans no number of questions: its size is its answers.
            self.db["interviews"].insert({**interview_row(session), "n_questions": None})
            self.db.conn.commit()

    def add(self, question: tuple[str, str, str], text: str, grade: Grade, topics: Sequence[str] = ()) -> None:
        with plainly(sqlite3.Error, self.path):
            if not self.pending:
                self.db.conn.execute("BEGIN IMMEDIATE")
            question_id, question_text, question_type = question
            cursor = self.db.conn.execute(
                "insert into answers (interview_id, position, question_id, question_text, question_type, text, "
                "skipped, created_at, grade_error, topics) values (?, ?, ?, ?, ?, ?, 0, ?, null, ?)",
                [
                    *(self.interview_id, self.count, question_id, question_text, question_type, text),
                    *(iso(now()), json.dumps(list(topics))),
                ],
            )
            insert_grade(self.db.conn, int(cursor.lastrowid or 0), grade)
            self.count += 1
            self.pending += 1
            if self.pending >= self.every or time.monotonic() - self.last_commit >= self.interval_s:
                self._commit()

    def _commit(self) -> None:
        if self.pending:
            self.db.conn.commit()
        self.pending = 0
        self.last_commit = time.monotonic()

    def close(self) -> None:
        """Commit what is pending and mark the session finished with the ids of its answers; a session
        that saved nothing is removed, not left as an empty finished one."""
        try:
            with plainly(sqlite3.Error, self.path):
                if not self.pending:
                    self.db.conn.execute("BEGIN IMMEDIATE")
                if not self.count:
                    self.db.conn.execute("delete from interviews where id = ?", [self.interview_id])
                    self.pending = 1
                    self._commit()
                    return
                ids = [
                    r[0]
                    for r in self.db.conn.execute(
                        "select question_id from answers where interview_id = ? order by position", [self.interview_id]
                    )
                ]
                self.db.conn.execute(
                    "update interviews set question_ids = ?, status = 'finished', finished_at = ? where id = ?",
                    [json.dumps(ids), iso(now()), self.interview_id],
                )
                self.pending = 1
                self._commit()
        finally:
            self.db.close()

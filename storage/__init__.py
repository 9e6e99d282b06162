"""All reading and writing of the SQLite database; the only package that touches SQL."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# First, before anything imports sqlite-utils: it then loads without pandas (see the module).
from storage import _quick_import  # noqa: F401  # isort: skip

# isort: split
from sqlite_utils import Database

from coach.models import (
    PARTS,
    QUESTION_FIELDS,
    QUESTION_LIST_FIELDS,
    Answer,
    Component,
    FollowUp,
    Grade,
    Interview,
    InterviewSetup,
    Question,
)
from storage.migrations import migrations

BUSY_TIMEOUT_S = 10.0
_migrated: set[str] = set()
_migrate_lock = threading.Lock()


FOLLOW_UP_FIELDS = tuple(name for name in FollowUp.model_fields if name not in ("id", "answer_id"))


class QuestionIdTaken(Exception):
    """A custom question's id is already used; nothing was written."""


class AlreadyAnswered(Exception):
    """The interview already has an answer at that position (a double submit)."""


class InterviewClosed(Exception):
    """The interview is no longer active (ended or finished in another tab); nothing was written."""


def now() -> datetime:
    return datetime.now(UTC)


def _create_private_file(path: Path) -> None:
    # Career stories are personal: the file and its folder are the owner's only.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


def _open(path: Path, wait_s: float | None = None) -> Database:
    wait_s = BUSY_TIMEOUT_S if wait_s is None else wait_s
    if not path.exists():
        _create_private_file(path)
    # A connection per use: Streamlit reruns on other threads, so none is shared.
    conn = sqlite3.connect(str(path), timeout=wait_s)
    conn.execute(f"PRAGMA busy_timeout = {int(wait_s * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    db = Database(conn, execute_plugins=False)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def _tighten(path: Path) -> None:
    # A database made before files were created private, or copied in: make it the owner's only.
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o600)


def migrate(path: Path) -> None:
    """Bring the database at path to the current schema (safe to repeat)."""
    db = _open(path)
    _tighten(path)
    try:
        migrations.apply(db)
    finally:
        db.close()


@contextmanager
def connect(path: Path) -> Iterator[Database]:
    """A fresh connection to a migrated database, closed on exit."""
    key = str(Path(path).resolve())
    if key not in _migrated:
        with _migrate_lock:
            if key not in _migrated:
                migrate(Path(path))
                _migrated.add(key)
    db = _open(Path(path))
    try:
        yield db
    finally:
        db.close()


@contextmanager
def _write(path: Path) -> Iterator[Database]:
    with _plainly(sqlite3.OperationalError), connect(path) as db, _transaction(db):
        yield db


@contextmanager
def _transaction(db: Database) -> Iterator[None]:
    # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers wait
    # on the busy timeout instead of failing on a lock upgrade.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


@contextmanager
def _plainly(errors: type[sqlite3.Error]) -> Iterator[None]:
    """Locked past the wait, disk full, read-only: raised as StorageUnavailable, with the reason in plain
    words, so callers can say so and keep the user's text."""
    try:
        yield
    except errors as exc:
        raise StorageUnavailable(describe(exc)) from exc


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- interviews -------------------------------------------------------------


def create_interview(path: Path, interview: Interview) -> None:
    with _write(path) as db:
        db["interviews"].insert(_interview_row(interview))


def _interview_row(interview: Interview) -> dict:
    return {
        "id": interview.id,
        "created_at": _iso(interview.created_at),
        "level": interview.setup.level,
        "topics": json.dumps(list(interview.setup.topics)),
        "question_type": interview.setup.question_type,
        "n_questions": interview.setup.n_questions,
        "question_ids": json.dumps(list(interview.question_ids)),
        "status": interview.status,
        "finished_at": _iso(interview.finished_at),
        "follow_ups": int(interview.setup.follow_ups),
    }


def _interview_from_row(row: dict) -> Interview:
    return Interview(
        id=row["id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        setup=InterviewSetup(
            level=row["level"],
            topics=tuple(json.loads(row["topics"])),
            question_type=row["question_type"],
            n_questions=row["n_questions"],
            follow_ups=bool(row.get("follow_ups", 1)),
        ),
        question_ids=tuple(json.loads(row["question_ids"])),
        status=row["status"],
        finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
    )


def get_interview(path: Path, interview_id: str) -> Interview | None:
    with connect(path) as db:
        rows = list(db["interviews"].rows_where("id = ?", [interview_id]))
    return _interview_from_row(rows[0]) if rows else None


def list_interviews(path: Path, status: str | None = None, limit: int = 50) -> list[Interview]:
    """Interviews newest first, optionally only those with a given status."""
    where, args = ("status = ?", [status]) if status else (None, [])
    with connect(path) as db:
        rows = db["interviews"].rows_where(where, args, order_by="created_at desc", limit=limit)
        return [_interview_from_row(r) for r in rows]


def end_active_interview(path: Path, interview_id: str) -> None:
    """Mark an interview ended early, unless it already finished or ended."""
    with _write(path) as db:
        db.execute(
            "update interviews set status = 'ended', finished_at = ? where id = ? and status = 'active'",
            [_iso(now()), interview_id],
        )


def set_interview_status(path: Path, interview_id: str, status: str) -> None:
    finished = _iso(now()) if status != "active" else None
    with _write(path) as db:
        db["interviews"].update(interview_id, {"status": status, "finished_at": finished})


# -- answers and grades -----------------------------------------------------


def record_answer(
    path: Path,
    interview_id: str,
    position: int,
    question: tuple[str, str, str],
    text: str,
    skipped: bool = False,
) -> int:
    """Commit an answer (or a skip) and return its id; grading comes after.

    `question` is (id, text, type), copied so history outlives the question.
    """
    question_id, question_text, question_type = question
    try:
        with _write(path) as db:
            status = db.execute("select status from interviews where id = ?", [interview_id]).fetchone()
            if status is None or status[0] != "active":
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
                    "created_at": _iso(now()),
                    "grade_error": None,
                }
            )
            return int(table.last_pk)
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc):
            raise AlreadyAnswered(f"position {position} of {interview_id}") from exc
        raise


def _grade_row(answer_id: int, grade: Grade) -> dict:
    components = {p: grade.part(p).model_dump(mode="json") for p in PARTS}
    return {
        "answer_id": answer_id,
        "created_at": _iso(now()),
        "overall": grade.overall,
        **{f"{p}_score": grade.part(p).score for p in PARTS},
        "components": json.dumps(components),
        "suggestions": json.dumps(grade.suggestions),
        "advice": json.dumps([a.model_dump(mode="json") for a in grade.advice]),
        "grader": grade.grader,
        "model": grade.model,
        "fallback_reason": grade.fallback_reason,
        "prompt_version": grade.prompt_version,
        "latency_ms": grade.latency_ms,
        "follow_up": grade.follow_up,
    }


def save_grade(path: Path, answer_id: int, grade: Grade) -> None:
    with _write(path) as db:
        _write_grade(db, "", GradeWrite(answer_id, grade))


def save_grade_error(path: Path, answer_id: int, message: str) -> None:
    with _write(path) as db:
        db["answers"].update(answer_id, {"grade_error": message[:500]})


def _grade_from_row(row: dict) -> Grade:
    components = json.loads(row["components"])
    return Grade(
        overall=row["overall"],
        **{p: Component.model_validate(components[p]) for p in PARTS},
        suggestions=json.loads(row["suggestions"] or "[]"),
        advice=json.loads(row["advice"] or "[]"),
        grader=row["grader"],
        model=row["model"],
        fallback_reason=row["fallback_reason"],
        prompt_version=row["prompt_version"],
        latency_ms=row["latency_ms"],
        follow_up=row["grade_follow_up"],
    )


# An answer is shown with its latest grade: a re-grade (a follow-up reply, "Grade it now") adds a row.
LATEST_GRADE = "grades g on g.id = (select max(id) from grades where answer_id = a.id)"
_ANSWER_SELECT = f"""
select a.*, g.overall, g.components, g.suggestions, g.advice, g.grader, g.model,
       g.fallback_reason, g.prompt_version, g.latency_ms, g.follow_up as grade_follow_up,
       {", ".join(f"f.{name} as f_{name}" for name in ("id", *FOLLOW_UP_FIELDS))}
from answers a
left join {LATEST_GRADE}
left join follow_ups f on f.answer_id = a.id
"""


def _follow_up_from_row(row: dict) -> FollowUp | None:
    if row["f_id"] is None:
        return None
    return FollowUp(
        id=row["f_id"],
        answer_id=row["id"],
        **{name: row[f"f_{name}"] for name in FOLLOW_UP_FIELDS},
    )


def _answer_from_row(row: dict) -> Answer:
    return Answer(
        id=row["id"],
        interview_id=row["interview_id"],
        position=row["position"],
        question_id=row["question_id"],
        question_text=row["question_text"],
        question_type=row["question_type"],
        text=row["text"],
        skipped=bool(row["skipped"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        grade=_grade_from_row(row) if row["overall"] is not None else None,
        grade_error=row["grade_error"],
        follow_up=_follow_up_from_row(row),
    )


def list_answers(path: Path, interview_id: str) -> list[Answer]:
    """An interview's answers in the order asked, each with its latest grade."""
    sql = _ANSWER_SELECT + " where a.interview_id = ? order by a.position"
    with connect(path) as db:
        return [_answer_from_row(r) for r in db.query(sql, [interview_id])]


@dataclass
class InterviewRecord:
    """An interview as stored: its row, its answers in order, and the user's questions it asks."""

    interview: Interview
    answers: list[Answer]
    custom_questions: list[Question]


def _load(db: Database, interview_id: str) -> InterviewRecord | None:
    rows = list(db.query("select * from interviews where id = ?", [interview_id]))
    if not rows:
        return None
    sql = _ANSWER_SELECT + " where a.interview_id = ? order by a.position"
    answers = [_answer_from_row(r) for r in db.query(sql, [interview_id])]
    custom = db.query(
        "select * from custom_questions where id in (select value from json_each(?))", [rows[0]["question_ids"]]
    )
    return InterviewRecord(_interview_from_row(rows[0]), answers, [_custom_from_row(r) for r in custom])


def load_interview(path: Path, interview_id: str) -> InterviewRecord | None:
    """Everything a turn of the interview shows, read through one connection."""
    with connect(path) as db:
        return _load(db, interview_id)


@dataclass
class GradeWrite:
    """What grading an answer changes, written together: the grade, a follow-up asked on it, the
    score its answered follow-up now has, and whether the interview is now finished."""

    answer_id: int
    grade: Grade
    follow_up: tuple[str, str, str] | None = None  # (part, question, source), asked on this answer
    follow_up_scored: int | None = None  # the id of the answered follow-up whose score this grade is
    finish: bool = False


def save_grade_and_load(path: Path, interview_id: str, write: GradeWrite) -> InterviewRecord | None:
    """Write a turn's grade in one transaction, then read the interview back on the same connection."""
    with _plainly(sqlite3.OperationalError), connect(path) as db:
        with _transaction(db):
            _write_grade(db, interview_id, write)
        return _load(db, interview_id)


def _insert_grade(conn: sqlite3.Connection, answer_id: int, grade: Grade) -> None:
    row = _grade_row(answer_id, grade)
    # Plain SQL: the table helpers look up the schema on every insert, half the cost of a batch's save.
    conn.execute(f"insert into grades ({', '.join(row)}) values ({', '.join('?' * len(row))})", list(row.values()))


def _write_grade(db: Database, interview_id: str, write: GradeWrite) -> None:
    _insert_grade(db.conn, write.answer_id, write.grade)
    db.execute("update answers set grade_error = null where id = ?", [write.answer_id])
    if write.follow_up is not None:
        part, question, source = write.follow_up
        db.execute(
            "insert or ignore into follow_ups (answer_id, created_at, part, question, source, status, score_before) "
            "values (?, ?, ?, ?, ?, 'asked', ?)",
            [write.answer_id, _iso(now()), part, question, source, write.grade.overall],
        )
    if write.follow_up_scored is not None:
        db.execute("update follow_ups set score_after = ? where id = ?", [write.grade.overall, write.follow_up_scored])
    if write.finish:
        db.execute(
            "update interviews set status = 'finished', finished_at = ? where id = ? and status = 'active'",
            [_iso(now()), interview_id],
        )


def list_recent_answers(path: Path, limit: int = 100, offset: int = 0, include_skipped: bool = True) -> list[Answer]:
    """Answers across all interviews, newest first."""
    where = "" if include_skipped else " where a.skipped = 0"
    sql = _ANSWER_SELECT + where + " order by a.created_at desc, a.id desc limit ? offset ?"
    with connect(path) as db:
        return [_answer_from_row(r) for r in db.query(sql, [limit, offset])]


def answered_question_ids(path: Path) -> set[str]:
    """Questions the user has answered (not merely skipped) at least once."""
    with connect(path) as db:
        rows = db.query("select distinct question_id from answers where skipped = 0")
        return {r["question_id"] for r in rows}


# -- follow-ups --------------------------------------------------------------


def ask_follow_up(path: Path, answer_id: int, part: str, question: str, source: str, score_before: int) -> bool:
    """Record a follow-up on an answer; False if it already has one (one per answer)."""
    row = {
        "answer_id": answer_id,
        "created_at": _iso(now()),
        "part": part,
        "question": question,
        "source": source,
        "status": "asked",
        "score_before": score_before,
    }
    with _write(path) as db:
        try:
            db["follow_ups"].insert(row)
        except sqlite3.IntegrityError:
            return False
    return True


def record_follow_up_reply(path: Path, follow_up_id: int, reply: str) -> bool:
    """Append the reply to its answer and mark the follow-up answered, in one transaction.

    False if the follow-up was already answered or skipped (a second tab, a double submit).
    """
    with _write(path) as db:
        row = next(db.query("select answer_id, status from follow_ups where id = ?", [follow_up_id]), None)
        if row is None or row["status"] != "asked":
            return False
        (text,) = db.execute("select text from answers where id = ?", [row["answer_id"]]).fetchone()
        db["answers"].update(row["answer_id"], {"text": f"{text}\n\n{reply}", "grade_error": None})
        db["follow_ups"].update(
            follow_up_id,
            {"status": "answered", "reply": reply, "answer_offset": len(text), "replied_at": _iso(now())},
        )
    return True


def skip_follow_up(path: Path, follow_up_id: int) -> bool:
    with _write(path) as db:
        cursor = db.execute(
            "update follow_ups set status = 'skipped', replied_at = ? where id = ? and status = 'asked'",
            [_iso(now()), follow_up_id],
        )
        return cursor.rowcount == 1


def set_follow_up_score(path: Path, follow_up_id: int, score_after: int) -> None:
    with _write(path) as db:
        db["follow_ups"].update(follow_up_id, {"score_after": score_after})


# -- custom questions -------------------------------------------------------


def _custom_row(question: Question) -> dict:
    data = question.model_dump(mode="json", exclude={"custom"})
    return {**data, **{k: json.dumps(data[k], ensure_ascii=False) for k in QUESTION_LIST_FIELDS}}


def add_custom_questions(path: Path, questions: Sequence[Question]) -> None:
    """Add the user's questions in one transaction: all of them, or none if any id is taken."""
    created = _iso(now())
    with _write(path) as db:
        taken = {r["id"] for r in db.query("select id from custom_questions")}
        clash = [q.id for q in questions if q.id in taken]
        if clash:
            raise QuestionIdTaken(clash[0])
        db["custom_questions"].insert_all({**_custom_row(q), "created_at": created} for q in questions)


def update_custom_question(path: Path, question: Question) -> bool:
    """Replace one of the user's questions, keeping when it was added; False if it is gone."""
    with _write(path) as db:
        row = _custom_row(question)
        fields = [k for k in QUESTION_FIELDS if k != "id"]
        cursor = db.execute(
            f"update custom_questions set {', '.join(f'{k} = ?' for k in fields)} where id = ?",
            [*(row[k] for k in fields), question.id],
        )
        return cursor.rowcount == 1


def list_custom_questions(path: Path) -> list[Question]:
    with connect(path) as db:
        rows = db["custom_questions"].rows_where(order_by="created_at, rowid")  # rowid: a file's order
        return [_custom_from_row(r) for r in rows]


def _custom_from_row(r: dict) -> Question:
    return Question(
        id=r["id"],
        text=r["text"],
        type=r["type"],
        topics=tuple(json.loads(r["topics"])),
        levels=tuple(json.loads(r["levels"])),
        difficulty=r["difficulty"] or 2,
        strong_answer_shows=tuple(json.loads(r["strong_answer_shows"] or "[]")),
        probes=tuple(json.loads(r["probes"] or "[]")),
        custom=True,
    )


def delete_custom_question(path: Path, question_id: str) -> bool:
    """Delete one of the user's questions; answers to it keep their copy of its text."""
    with _write(path) as db:
        return db.execute("delete from custom_questions where id = ?", [question_id]).rowcount == 1


class StorageUnavailable(Exception):
    """The database cannot be written or read; the message says why in plain words."""


def describe(exc: sqlite3.Error) -> str:
    """What a database error means to the user, in a few plain words."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the database is busy: another program is writing to it"
    if "full" in text:
        return "the disk holding the database is full"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only"
    if "not a database" in text or "malformed" in text:
        return "the file is not a STAR Coach database, or it is damaged"
    if "unable to open" in text or "disk i/o" in text:
        return "the database file cannot be opened or written"
    return f"the database failed ({type(exc).__name__})"


class BatchWriter:
    """A batch's answers and grades through one connection, recorded as one finished practice session.

    Writes are committed in small transactions: every `every` answers, or once `interval_s` has passed
    since the last commit, whichever comes first. An answer and its grade share a transaction, so after a
    crash the database holds a clean prefix of the file, each answer graded, and loses at most the last
    window. The session row is committed before any answer.
    """

    def __init__(self, path: Path, wait_s: float | None = None, every: int = 200, interval_s: float = 0.25):
        self.interview_id = uuid.uuid4().hex
        self.count, self.pending, self.every, self.interval_s = 0, 0, every, interval_s
        self.last_commit = time.monotonic()
        with _plainly(sqlite3.Error):
            with connect(path):  # migrates once
                pass
            self.db = _open(path, wait_s)
            self.db.conn.execute("BEGIN IMMEDIATE")
            session = Interview(
                id=self.interview_id,
                created_at=now(),
                setup=InterviewSetup(n_questions=1, follow_ups=False),
                question_ids=(),
            )
            self.db["interviews"].insert(_interview_row(session))
            self.db.conn.commit()

    def add(self, question: tuple[str, str, str], text: str, grade: Grade) -> None:
        with _plainly(sqlite3.Error):
            if not self.pending:
                self.db.conn.execute("BEGIN IMMEDIATE")
            question_id, question_text, question_type = question
            cursor = self.db.conn.execute(
                "insert into answers (interview_id, position, question_id, question_text, question_type, text, "
                "skipped, created_at, grade_error) values (?, ?, ?, ?, ?, ?, 0, ?, null)",
                [self.interview_id, self.count, question_id, question_text, question_type, text, _iso(now())],
            )
            _insert_grade(self.db.conn, int(cursor.lastrowid or 0), grade)
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
        """Commit what is pending and mark the session finished with the ids of its answers."""
        try:
            with _plainly(sqlite3.Error):
                if not self.pending:
                    self.db.conn.execute("BEGIN IMMEDIATE")
                ids = [
                    r[0]
                    for r in self.db.conn.execute(
                        "select question_id from answers where interview_id = ? order by position", [self.interview_id]
                    )
                ]
                self.db.conn.execute(
                    "update interviews set question_ids = ?, n_questions = ?, status = 'finished', finished_at = ? "
                    "where id = ?",
                    [json.dumps(ids), max(self.count, 1), _iso(now()), self.interview_id],
                )
                self.pending = 1
                self._commit()
        finally:
            self.db.close()

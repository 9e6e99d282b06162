"""Reading history at scale: filtered, searched and paged answers; deletes; backup and restore."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from coach.models import PARTS, Answer
from storage.db import connect, transaction, writable, write
from storage.migrations import mark_batches, migrations
from storage.rows import (
    ANSWER_SELECT,
    LATEST_GRADE,
    answer_from_row,
    custom_from_row,
    grade_from_row,
    interview_from_row,
    story_from_row,
)

GraderFilter = Literal["all", "llm", "rules", "fallback"]
BACKUP_FORMAT = "star-coach-backup"
BACKUP_TABLES = ("interviews", "answers", "grades", "follow_ups", "custom_questions", "stories", "story_practice")


@dataclass
class AnswerFilter:
    """What the History page asks for; every field left at its default means no filter."""

    search: str = ""
    since: datetime | None = None
    until: datetime | None = None
    topic: str | None = None  # as the answer recorded its question's topics
    level: str | None = None
    question_type: str | None = None
    grader: GraderFilter = "all"
    min_score: int | None = None
    max_score: int | None = None
    include_skipped: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if not self.include_skipped:
            clauses.append("a.skipped = 0")
        if query := fts_query(self.search):
            clauses.append("a.id in (select rowid from answer_search where answer_search match ?)")
            params.append(query)
        for column, op, value in (("a.created_at", ">=", self.since), ("a.created_at", "<", self.until)):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                # Stored times are UTC ISO strings: compare like with like.
                params.append(value.astimezone(UTC).isoformat())
        if self.topic:
            clauses.append("exists (select 1 from json_each(a.topics) where value = ?)")
            params.append(self.topic)
        if self.level:
            clauses.append("a.interview_id in (select id from interviews where level = ?)")
            params.append(self.level)
        if self.question_type:
            clauses.append("a.question_type = ?")
            params.append(self.question_type)
        if self.grader == "llm":
            clauses.append("g.grader = 'llm'")
        elif self.grader == "rules":
            clauses.append("g.grader = 'rules' and g.fallback_reason is null")
        elif self.grader == "fallback":
            clauses.append("g.fallback_reason is not null")
        if self.min_score is not None:
            clauses.append("g.overall >= ?")
            params.append(self.min_score)
        if self.max_score is not None:
            clauses.append("g.overall <= ?")
            params.append(self.max_score)
        return (" where " + " and ".join(clauses)) if clauses else "", params


def fts_query(search: str) -> str:
    """The user's words as a safe FTS5 query: every word must appear; the last may be a prefix.

    Quoting each word means FTS5 syntax typed by the user (AND, NEAR, quotes, '*', ':')
    is searched for as text and can never make the query fail. The index holds Porter
    stems ("shipping" as "ship"), so a prefix longer than its word's stem ("shipp") would
    miss: the last word also matches with up to three letters cut, down to four.
    """
    words = re.findall(r"\w+", search)
    if not words:
        return ""
    *whole, last = words
    cuts = [last] + [last[:n] for n in range(len(last) - 1, max(4, len(last) - 3) - 1, -1)]
    prefixes = " OR ".join(f'"{cut}"*' for cut in dict.fromkeys(cuts))
    return " AND ".join([*(f'"{w}"' for w in whole), f"({prefixes})"])


_GRADED = f" left join {LATEST_GRADE}"


def find_answers(path: Path, filters: AnswerFilter, limit: int = 25, offset: int = 0) -> list[Answer]:
    """A page of answers matching the filters, newest first, each with its latest grade.

    The page's ids are picked by a narrow query first: sorting every match with its
    texts and grade attached would cost ~100 ms on a deep page of 10,000 answers.
    """
    where, params = filters.where()
    order = " order by a.created_at desc, a.id desc"
    page = f"select a.id from answers a{_GRADED}{where}{order} limit ? offset ?"
    sql = ANSWER_SELECT + f" where a.id in ({page})" + order
    with connect(path) as db:
        return [answer_from_row(r) for r in db.query(sql, [*params, limit, offset])]


def count_answers(path: Path, filters: AnswerFilter) -> int:
    where, params = filters.where()
    # The grade is joined only when a filter needs it: counting is then twice as fast.
    join = _GRADED if " g." in where else ""
    with connect(path) as db:
        return db.execute(f"select count(*) from answers a{join}{where}", params).fetchone()[0]


def get_answer(path: Path, answer_id: int) -> Answer | None:
    with connect(path) as db:
        row = next(db.query(ANSWER_SELECT + " where a.id = ?", [answer_id]), None)
        return answer_from_row(row) if row else None


# Part scores are kept once, in a grade's components: read with one parse of the JSON per row.
_PART_SCORES = "json_extract(g.components, " + ", ".join(f"'$.{p}.score'" for p in PARTS) + ") as part_scores"


def score_history(path: Path) -> list[dict[str, Any]]:
    """Every graded answer's scores and when, oldest first, for the progress charts."""
    sql = f"""
        select a.id, a.created_at, a.question_id, a.question_text, a.interview_id, a.topics, i.level,
               g.overall, {_PART_SCORES}, g.grader,
               json_extract(a.delivery, '$.words_per_minute') as words_per_minute,
               json_extract(a.delivery, '$.fillers_per_minute') as fillers_per_minute
        from answers a
        join {LATEST_GRADE}
        join interviews i on i.id = a.interview_id
        where a.skipped = 0
        order by a.created_at, a.id
    """
    with connect(path) as db:
        rows = list(db.query(sql))
    for row in rows:
        row.update(zip((f"{p}_score" for p in PARTS), json.loads(row.pop("part_scores")), strict=True))
    return rows


def recent_advice_codes(path: Path, answers: int = 20) -> list[str]:
    """The advice codes of the latest graded answers (each answer's latest grade), once per answer."""
    sql = f"""
        select g.advice from answers a join {LATEST_GRADE}
        where a.skipped = 0 order by a.created_at desc, a.id desc limit ?
    """
    with connect(path) as db:
        rows = list(db.query(sql, [answers]))
    codes: list[str] = []
    for row in rows:
        codes += dict.fromkeys(item["code"] for item in json.loads(row["advice"] or "[]") if item.get("code"))
    return codes


# -- deleting -------------------------------------------------------------------


def delete_answer(path: Path, answer_id: int) -> bool:
    """Delete one answer with its grades and follow-up; the search index follows by trigger."""
    with write(path) as db:
        db.execute("delete from follow_ups where answer_id = ?", [answer_id])
        db.execute("delete from grades where answer_id = ?", [answer_id])
        return db.execute("delete from answers where id = ?", [answer_id]).rowcount == 1


def delete_interview(path: Path, interview_id: str) -> int:
    """Delete an interview and everything in it; returns how many answers went with it."""
    with write(path) as db:
        ids = "(select id from answers where interview_id = ?)"
        db.execute(f"delete from follow_ups where answer_id in {ids}", [interview_id])
        db.execute(f"delete from grades where answer_id in {ids}", [interview_id])
        count = db.execute("delete from answers where interview_id = ?", [interview_id]).rowcount
        db.execute("delete from interviews where id = ?", [interview_id])
        return count


# -- backup and restore ------------------------------------------------------------


class RestoreError(ValueError):
    """A backup cannot be restored; nothing was written."""


def backup(path: Path) -> dict[str, Any]:
    """Every row of the user's data, with the schema it was written under."""
    with connect(path) as db:
        return {
            "format": BACKUP_FORMAT,
            "migrations": [m.name for m in migrations.applied(db)],
            # Spoken answers keep their transcripts and delivery figures here; their recordings stay on this
            # machine only (large, and more personal than text), and the backup says so.
            "recordings_included": False,
            "tables": {t: list(db[t].rows_where(order_by="rowid")) for t in BACKUP_TABLES},
        }


def restore(path: Path, data: dict[str, Any]) -> dict[str, int]:
    """Load a backup into an empty database, all rows or none; returns rows per table.

    A backup from an older version is upgraded by the same migrations as a database: its rows go into a
    staging file at the backup's schema, which is migrated, read back through the app's models, and only
    then copied in, in one transaction.
    """
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise RestoreError("This is not a STAR Coach backup file.")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(tables.get(t, []), list) for t in BACKUP_TABLES):
        raise RestoreError("The backup's tables are missing or malformed.")
    with writable(path) as db:
        if any(db[t].count for t in BACKUP_TABLES):
            raise RestoreError("Restore needs an empty database: this one already holds data.")
        names = _known_migrations(db, data.get("migrations", []))
        with _staged(Path(path), names, tables) as staged:
            db.execute("attach database ? as staged", [str(staged)])
            try:
                with transaction(db):
                    for table in BACKUP_TABLES:  # parents before children, for the foreign keys
                        _copy(db, table)
            finally:
                db.execute("detach database staged")
    return {t: len(tables.get(t, [])) for t in BACKUP_TABLES}


def _copy(db: Database, table: str) -> None:
    columns = ", ".join(db[table].columns_dict)
    try:
        db.execute(f"insert into main.{table} ({columns}) select {columns} from staged.{table}")
    except sqlite3.IntegrityError as exc:
        raise RestoreError(f"The backup's {table} could not be restored: {exc}") from exc


@contextmanager
def _staged(path: Path, names: list[str], tables: dict[str, Any]) -> Iterator[Path]:
    """The backup's rows in a file of their own beside the database, at the schema they were written under,
    then migrated to today's and checked; removed on exit."""
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".db", dir=path.parent)
    os.close(fd)
    staged = Path(name)
    try:
        db = Database(staged)
        try:
            db.execute("pragma journal_mode = off")
            db.execute("pragma foreign_keys = on")
            pending = [m.name for m in migrations.pending(db) if m.name not in names]
            migrations.apply(db, stop_before=pending[:1] or None)
            for table in BACKUP_TABLES:
                rows = tables.get(table, [])
                if rows:
                    try:
                        db[table].insert_all(rows, alter=False)
                    except Exception as exc:
                        raise RestoreError(f"The backup's {table} could not be restored: {exc}") from exc
            migrations.apply(db)
            mark_batches(db)
            # Every row must read back as the app reads it, or a page would fail on every load later.
            _check_readable(db)
        finally:
            db.close()
        yield staged
    finally:
        staged.unlink(missing_ok=True)


def _check_readable(db: Database) -> None:
    readers: list[tuple[str, str, Callable[[dict[str, Any]], object]]] = [
        ("interviews", "select * from interviews", interview_from_row),
        ("answers", ANSWER_SELECT, answer_from_row),
        ("grades", "select *, follow_up as grade_follow_up from grades", grade_from_row),
        ("custom_questions", "select * from custom_questions", custom_from_row),
        ("stories", "select * from stories", story_from_row),
    ]
    for table, sql, read in readers:
        for row in db.query(sql):
            try:
                read(row)
            except (ValueError, TypeError, KeyError) as exc:  # ValidationError and JSONDecodeError among them
                problem = _first_line(exc)
                raise RestoreError(f"The backup's {table} row {row.get('id')!r} is not valid: {problem}") from exc


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # A pydantic error reads "1 validation error for X / field / message": keep the field and message.
    return "; ".join(lines[1:3]) if len(lines) >= 3 and "validation error" in lines[0] else (lines[0] if lines else "")


def _known_migrations(db: Database, names: Any) -> list[str]:
    known = {m.name for m in migrations.applied(db)}
    unknown = [n for n in names if n not in known] if isinstance(names, list) else ["?"]
    if unknown:
        raise RestoreError(f"The backup comes from a newer STAR Coach ({', '.join(map(str, unknown))}); update first.")
    return list(names)

"""Storage: migrations, pragmas, private files, and concurrent writers."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

import storage
from coach.grading.rules import RuleBasedGrader
from coach.models import Interview, InterviewSetup
from storage.migrations import migrations
from tests.storage_support import save_grade

EXPECTED_TABLES = {
    "interviews",
    "answers",
    "grades",
    "custom_questions",
    "follow_ups",
    "recordings",
    "preferences",
    "stories",
    "story_practice",
    "_sqlite_migrations",
}
MIGRATIONS = [
    "m001_initial",
    "m002_follow_ups",
    "m003_answer_search",
    "m004_grade_advice",
    "m005_kinds_and_topics",
    "m006_each_fact_once",
    "m007_spoken_answers",
    "m008_unsent_recordings",
    "m009_model_answers",
    "m010_story_bank",
    "m011_job_questions",
]


def _interview(interview_id: str = "i1", n: int = 3) -> Interview:
    return Interview(
        id=interview_id,
        created_at=storage.now(),
        setup=InterviewSetup(n_questions=n),
        question_ids=tuple(f"q{i}" for i in range(n)),
    )


def test_migrations_from_blank_create_every_table(db_path: Path) -> None:
    storage.migrate(db_path)
    db = Database(db_path)
    assert set(db.table_names()) >= EXPECTED_TABLES
    assert [m.name for m in migrations.applied(db)] == MIGRATIONS
    assert db["answers"].columns_dict["text"] is str
    assert db["grades"].foreign_keys[0].other_table == "answers"


def test_migrations_reapplied_change_nothing(db_path: Path) -> None:
    storage.migrate(db_path)
    storage.create_interview(db_path, _interview())
    before = Database(db_path)["interviews"].count
    storage.migrate(db_path)
    storage.migrate(db_path)
    db = Database(db_path)
    assert db["interviews"].count == before == 1
    assert len(migrations.applied(db)) == len(MIGRATIONS)
    assert migrations.pending(db) == []


def test_connection_pragmas(db_path: Path) -> None:
    with storage.connect(db_path) as db:
        assert db.journal_mode == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_database_file_is_private(db_path: Path) -> None:
    storage.migrate(db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700


def test_foreign_keys_are_enforced(db_path: Path) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"):
        save_grade(db_path, 12345, RuleBasedGrader().grade("Q?", "An answer."))
    # An answer is refused before the database is asked: its interview must exist and be active.
    with pytest.raises(storage.InterviewClosed):
        storage.record_answer(db_path, "no-such-interview", 0, ("q", "Q?", "behavioral"), "text")


def test_answer_is_committed_before_grading(db_path: Path) -> None:
    storage.create_interview(db_path, _interview())
    answer_id = storage.record_answer(db_path, "i1", 0, ("q0", "Question?", "behavioral"), "My answer")
    [answer] = storage.list_answers(db_path, "i1")
    assert answer.id == answer_id and answer.text == "My answer" and answer.grade is None
    grade = RuleBasedGrader().grade("Question?", "My answer")
    save_grade(db_path, answer_id, grade)
    [answer] = storage.list_answers(db_path, "i1")
    assert answer.grade == grade


def test_double_submit_is_refused(db_path: Path) -> None:
    storage.create_interview(db_path, _interview())
    storage.record_answer(db_path, "i1", 0, ("q0", "Q?", "behavioral"), "first")
    with pytest.raises(storage.AlreadyAnswered):
        storage.record_answer(db_path, "i1", 0, ("q0", "Q?", "behavioral"), "second")
    assert [a.text for a in storage.list_answers(db_path, "i1")] == ["first"]


def test_concurrent_writers_lose_nothing(db_path: Path) -> None:
    threads, per_thread = 8, 40
    for t in range(threads):
        storage.create_interview(db_path, _interview(f"i{t}", per_thread))
    grade = RuleBasedGrader().grade("Q?", "At my plant I cut scrap by 20% in 3 months.")
    errors: list[BaseException] = []

    def write(t: int) -> None:
        try:
            for i in range(per_thread):
                answer_id = storage.record_answer(db_path, f"i{t}", i, (f"q{i}", "Q?", "behavioral"), f"a{t}-{i}")
                save_grade(db_path, answer_id, grade)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    db = Database(db_path)
    assert db["answers"].count == threads * per_thread
    assert db["grades"].count == threads * per_thread
    for t in range(threads):
        texts = [a.text for a in storage.list_answers(db_path, f"i{t}")]
        assert texts == [f"a{t}-{i}" for i in range(per_thread)]

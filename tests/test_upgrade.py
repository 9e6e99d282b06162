"""Upgrades: a database made by the first schema version migrates with every row intact.

`tests/data/coach-schema-v1.db` was written by the code of schema m001 (a batch saved by
`grade --save`, an interview with a graded, a skipped and an ungraded answer, and a custom
question with markup and non-ASCII text). Never regenerate it: it stands for users' old files.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlite_utils import Database

import storage
from coach.grading.rules import RuleBasedGrader
from coach.interview import InterviewService
from coach.models import PARTS
from coach.questions import load_bank
from storage.migrations import migrations

FIXTURE = Path(__file__).parent / "data" / "coach-schema-v1.db"
V1_TABLES = ("interviews", "answers", "grades", "custom_questions")


def _rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        result = {}
        for table in V1_TABLES:
            columns = [r[1] for r in conn.execute(f"pragma table_info({table})")]
            result[table] = sorted(conn.execute(f"select {', '.join(columns)} from {table}").fetchall(), key=repr)
        return result


def _v1_columns(table: str) -> list[str]:
    with sqlite3.connect(FIXTURE) as conn:
        return [r[1] for r in conn.execute(f"pragma table_info({table})")]


def _now_read_as(column: str) -> str:
    part = column.removesuffix("_score")
    return f"json_extract(components, '$.{part}.score')" if part in PARTS else column


def test_fixture_is_the_first_schema_version() -> None:
    with sqlite3.connect(FIXTURE) as conn:
        applied = [r[0] for r in conn.execute("select name from _sqlite_migrations")]
    assert applied == ["m001_initial"]


def test_v1_database_migrates_with_every_row_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    before = _rows(path)
    assert all(before[t] for t in V1_TABLES), "the fixture must hold rows in every table"

    storage.migrate(path)

    with sqlite3.connect(path) as conn:
        applied = [r[0] for r in conn.execute("select name from _sqlite_migrations order by applied_at")]
        after = {}
        for table in V1_TABLES:
            # New columns may be added; the old ones keep their values (part scores now only in components).
            columns = [_now_read_as(c) for c in _v1_columns(table)]
            after[table] = sorted(conn.execute(f"select {', '.join(columns)} from {table}").fetchall(), key=repr)
    assert applied[0] == "m001_initial"
    assert migrations.pending(Database(path)) == []
    assert after == before


def test_v1_database_is_usable_after_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    service = InterviewService(path, load_bank(), RuleBasedGrader())
    custom = storage.list_custom_questions(path)
    assert [q.id for q in custom] == ["my-first-question"]
    assert "<b>broken</b>" in custom[0].text
    by_size = {len(storage.list_answers(path, i.id)): i for i in storage.list_interviews(path)}
    interview = by_size[3]
    answers = storage.list_answers(path, interview.id)
    assert [a.skipped for a in answers] == [False, True, False]
    assert answers[0].grade is not None and answers[0].grade.overall > 0
    ungraded = answers[2]
    assert ungraded.grade is None and "日本語" in ungraded.text
    regraded = service.grade_stored(interview.id, ungraded.id)
    assert regraded.grade is not None
    state = service.state(interview.id)
    assert state.interview.setup.follow_ups, "old interviews get the new default: follow-ups on"
    assert state.pending_follow_up is not None, "the weak last answer earns a follow-up"
    service.skip_follow_up(interview.id, state.pending_follow_up.id)
    assert service.state(interview.id).done
    finished = storage.list_interviews(path, status="finished")
    assert any(len(storage.list_answers(path, i.id)) == 2 for i in finished)  # the saved batch


def test_v1_batches_become_batches_and_answers_get_their_topics(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    bank = load_bank()
    service = InterviewService(path, bank, RuleBasedGrader())
    kinds = {len(storage.list_answers(path, i.id)): i.kind for i in storage.list_interviews(path)}
    assert kinds == {2: "batch", 3: "interview", 0: "interview"}
    # An old batch is no longer an interview that could be resumed.
    assert all(s.interview.kind == "interview" for s in service.unfinished())
    assert all(not a.topics for i in storage.list_interviews(path) for a in storage.list_answers(path, i.id))

    service.library.record_topics()  # what History and Progress do first
    by_question = {
        a.question_id: a.topics for i in storage.list_interviews(path) for a in storage.list_answers(path, i.id)
    }
    bank_topics = {q.id: q.topics for q in bank}
    assert by_question["logistics-c03"] == bank_topics["logistics-c03"]
    assert by_question["cost_budgeting-c03"] == bank_topics["cost_budgeting-c03"]
    assert by_question["my-first-question"] == storage.list_custom_questions(path)[0].topics
    assert by_question["batch:ex1"] == ()  # a batch line's question is not in the bank
    assert storage.fill_in_topics(path, bank_topics) == 0, "filled in once"

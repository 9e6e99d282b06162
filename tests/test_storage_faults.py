"""Storage faults made real, in the app and the command line: a full disk, a read-only disk, a folder, another
program's file, a newer schema, a file deleted while running. Nothing typed is lost and every message says
what happened in plain words; a file that is not ours is left exactly as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage
from coach.history import HistoryService
from coach.interview import NotSaved
from coach.library import QuestionLibrary
from tests.app_support import button, new_app, read, start_interview, warnings
from tests.test_app import ANSWER
from tests.test_cli import run
from tests.test_cli_data import lines

LONG_ANSWER = (ANSWER + " ") * 22  # about 8,800 characters, as in the report
PAGES = ["app_pages/practice.py", "app_pages/history.py", "app_pages/progress.py", "app_pages/question_bank.py"]


def _fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The file's bytes, mode and the files beside it: all must be unchanged after we refuse it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, path.stat().st_mode, sorted(p.name for p in path.parent.iterdir())


def _can_mount() -> bool:
    return os.geteuid() == 0


def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 KB disk of its own (tmpfs): filled, it is full for real. Needs root, as CI has."""
    if not _can_mount():
        if os.environ.get("CI"):
            pytest.fail("CI must run as root to mount a small disk")
        pytest.skip("mounting a small disk needs root")
    disk = tmp_path / "disk"
    _mount(disk, "size=600k,mode=0700")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    """Fill the disk to the last byte; returns the filler, whose deletion frees the space."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def _errors(at: AppTest) -> str:
    return "\n".join(read(e.value) for e in at.error)


# -- a full disk ------------------------------------------------------------------


def test_full_disk_keeps_the_answer_says_why_and_retry_saves_it(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = small_disk / "coach.db"
    monkeypatch.setenv("STAR_COACH_DB", str(db))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    at = start_interview(new_app(), 2)
    filler = _fill(small_disk)
    at.chat_input[0].set_value(LONG_ANSWER).run()
    assert not at.exception
    assert "Not saved: the disk that holds your STAR Coach database is full: free some space." in warnings(at)
    assert [c.value for c in at.code] == [LONG_ANSWER], "the typed answer is shown back, whole"
    interview_id = at.session_state["interview_id"]
    # Reading still works on a full disk: the other pages open.
    for page in PAGES[1:]:
        other = new_app()
        other.switch_page(page).run()
        assert not other.exception, page
    filler.unlink()
    button(at, "Retry").click().run()
    assert not at.exception
    (saved,) = storage.list_answers(db, interview_id)
    assert saved.text == LONG_ANSWER and saved.grade is not None


def test_full_disk_in_the_cli_exits_2_with_one_line_and_leaves_no_empty_session(
    small_disk: Path, tmp_path: Path
) -> None:
    db = small_disk / "coach.db"
    storage.list_interviews(db)  # made and migrated while there is room
    source = tmp_path / "in.jsonl"
    source.write_text(lines(40, LONG_ANSWER))
    filler = _fill(small_disk)
    result = run("grade", "--grader", "rules", "--save", str(source), env_db=db)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message and "grading failed" not in message
    assert "is full" in message
    filler.unlink()
    assert [i for i in storage.list_interviews(db) if not storage.list_answers(db, i.id)] == []


# -- a read-only disk -------------------------------------------------------------


def test_read_only_database_shows_history_and_keeps_a_new_answer(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = small_disk / "coach.db"
    monkeypatch.setenv("STAR_COACH_DB", str(db))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value(ANSWER).run()
    interview_id = at.session_state["interview_id"]
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    at.chat_input[0].set_value(LONG_ANSWER).run()
    assert not at.exception
    assert "is read-only" in warnings(at)
    assert [c.value for c in at.code] == [LONG_ANSWER]
    history = new_app()
    history.switch_page("app_pages/history.py").run()
    assert not history.exception
    assert "is read-only" in warnings(history), "every page says so"
    (kept,) = storage.list_answers(db, interview_id)
    # Every other write says so too, on its page, and changes nothing.
    bank_page = new_app()
    bank_page.switch_page("app_pages/question_bank.py").run()
    button(bank_page, "Practise this question now").click().run()
    assert not bank_page.exception and "Not saved: " in warnings(bank_page)
    with pytest.raises(NotSaved, match=r"Nothing was deleted: .* is read-only"):
        HistoryService(db, QuestionLibrary(db, [])).delete_answer(kept.id)
    assert len(storage.list_interviews(db)) == 1


# -- files that are not ours --------------------------------------------------------


def _foreign_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table users (id integer primary key, name text)")
    conn.execute("create trigger audit after insert on users begin select 1; end")
    conn.execute("insert into users (name) values ('someone')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["folder", "random bytes", "another application's database"])
def test_a_file_that_is_not_ours_is_refused_and_left_as_it_was(
    kind: str, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path.parent.mkdir(parents=True)
    if kind == "folder":
        db_path.mkdir()
        (db_path / "keep.txt").write_text("mine")
    elif kind == "random bytes":
        db_path.write_bytes(bytes(range(256)) * 40)
    else:
        _foreign_database(db_path)
    before = _fingerprint(db_path / "keep.txt" if kind == "folder" else db_path)
    expected = {"folder": "is a folder", "random bytes": "is not an SQLite database"}.get(
        kind, "another application's tables (users)"
    )

    for page in PAGES:
        at = new_app()
        at.switch_page(page).run()
        assert not at.exception, page
        assert str(db_path) in _errors(at) and expected in _errors(at), page
    settings = new_app()
    settings.switch_page("app_pages/settings.py").run()
    assert not settings.exception and expected in _errors(settings)
    source = db_path.parent.parent / "in.jsonl"
    source.write_text(lines(2))
    for command in (
        ("grade", "--grader", "rules", "--save", str(source)),
        ("backup", str(db_path.parent.parent / "backup.json")),
        ("export", "answers", "--format", "csv"),
        ("questions", "list"),
    ):
        result = run(*command, env_db=db_path)
        assert result.returncode == 2 and expected in result.stderr, command
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, command

    assert _fingerprint(db_path / "keep.txt" if kind == "folder" else db_path) == before
    if kind == "another application's database":
        conn = sqlite3.connect(db_path)
        conn.execute("insert into users (name) values ('another')")  # the other program still works
        conn.commit()
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
        conn.close()


def test_a_newer_schema_opens_read_only_and_is_not_changed(db_path: Path) -> None:
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value(ANSWER).run()
    interview_id = at.session_state["interview_id"]
    conn = sqlite3.connect(db_path)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) values ('star_coach', 'm999_future', 'x')"
    )
    conn.commit()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    storage.migrate(db_path)  # as a restart does: the file is checked again
    before = _fingerprint(db_path)

    at.chat_input[0].set_value(LONG_ANSWER).run()
    assert not at.exception
    assert "newer version of STAR Coach" in warnings(at)
    assert [c.value for c in at.code] == [LONG_ANSWER]
    history = new_app()
    history.switch_page("app_pages/history.py").run()
    assert not history.exception and "newer version of STAR Coach" in warnings(history)
    assert len(storage.list_answers(db_path, interview_id)) == 1
    source = db_path.parent / "in.jsonl"
    source.write_text(lines(2))
    result = run("grade", "--grader", "rules", "--save", str(source), env_db=db_path)
    assert result.returncode == 2 and "newer version of STAR Coach" in result.stderr
    assert _fingerprint(db_path)[:2] == before[:2]


def test_a_database_deleted_while_running_is_made_again_and_the_answer_kept(db_path: Path) -> None:
    at = start_interview(new_app(), 2)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    assert "no longer in the database" in warnings(at)
    assert [c.value for c in at.code] == [ANSWER]
    assert db_path.exists(), "made again, empty and migrated"
    at = start_interview(new_app(), 1)
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    (saved,) = storage.list_answers(db_path, at.session_state["interview_id"])
    assert saved.grade is not None

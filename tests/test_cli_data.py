"""The command line's data commands and its behaviour on a busy database: export, backup, restore, --save."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import storage
from coach.grading.rules import RuleBasedGrader
from tests.test_cli import ROOT, run

ANSWER = (
    "At our Leeds DC in 2023, 3% of orders shipped with a wrong item. I was asked to halve that within a "
    "quarter. I ran a Pareto of errors by zone and re-slotted look-alike SKUs. Errors fell to 1.1% in ten weeks."
)


def lines(n: int, answer: str = ANSWER) -> str:
    return "".join(
        json.dumps({"id": f"a{i}", "question": "Tell me about cutting errors.", "answer": answer}) + "\n"
        for i in range(n)
    )


def test_empty_answers_are_refused_and_never_saved(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    source = tmp_path / "in.jsonl"
    source.write_text(
        lines(1)
        + json.dumps({"id": "blank", "question": "Q?", "answer": "  \n\t "})
        + "\n"
        + json.dumps({"id": "empty", "question": "Q?", "answer": ""})
        + "\n"
    )
    result = run("grade", "--grader", "rules", "--save", str(source), env_db=db)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    empty = "answer: Value error, the answer is empty"
    assert [o.get("error", "") for o in out] == ["", empty, empty]
    (interview,) = storage.list_interviews(db)
    assert [a.text for a in storage.list_answers(db, interview.id)] == [ANSWER]
    assert interview.status == "finished"


def _hold_write_lock(db: Path, started: threading.Event, release: threading.Event) -> None:
    conn = sqlite3.connect(db, timeout=5)
    conn.execute("BEGIN EXCLUSIVE")
    started.set()
    release.wait(60)
    conn.rollback()
    conn.close()


def test_a_locked_database_ends_the_run_with_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    storage.list_interviews(db)  # create and migrate it
    source = tmp_path / "in.jsonl"
    source.write_text(lines(3))
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db, started, release))
    holder.start()
    try:
        assert started.wait(10)
        result = run("grade", "--grader", "rules", "--save", "--wait", "1", str(source), env_db=db)
    finally:
        release.set()
        holder.join(10)
    assert result.returncode == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert (
        message.startswith(f"error: cannot save: the database {db}: ") and "another program is writing to it" in message
    )
    # Once the other program is done, the same command saves everything.
    again = run("grade", "--grader", "rules", "--save", str(source), env_db=db)
    assert again.returncode == 0, again.stderr
    (interview,) = storage.list_interviews(db)
    assert len(storage.list_answers(db, interview.id)) == 3


def test_export_answers_with_filters_and_csv_safety(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    source = tmp_path / "in.jsonl"
    formula = '=HYPERLINK("http://example.com/x","Click me") ' + ANSWER
    source.write_text(lines(2) + json.dumps({"id": "f", "question": "Q about SMED?", "answer": formula}) + "\n")
    assert run("grade", "--grader", "rules", "--save", str(source), env_db=db).returncode == 0
    result = run("export", "answers", "--format", "csv", env_db=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 3
    assert "'" + formula in [r["answer"] for r in rows]
    out = tmp_path / "smed.json"
    result = run("export", "answers", "--format", "json", "--search", "SMED", "-o", str(out), env_db=db)
    assert result.returncode == 0, result.stderr
    (only,) = json.loads(out.read_text(encoding="utf-8"))
    assert only["answer"] == formula and only["overall"] is not None
    bad = run("export", "answers", "--since", "last week", env_db=db)
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_backup_and_restore_of_any_size_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    long_answer = (ANSWER + " ") * 20  # about 4 KB an answer
    grade = RuleBasedGrader().grade("Tell me about cutting errors.", long_answer)
    writer = storage.BatchWriter(db)  # the --save writer, without grading 1,400 answers again
    for i in range(1400):
        writer.add((f"batch:a{i}", "Tell me about cutting errors.", "behavioral"), long_answer, grade)
    writer.close()
    backup = tmp_path / "backup.json"
    result = run("backup", str(backup), env_db=db)
    assert result.returncode == 0, result.stderr
    assert backup.stat().st_size > 6_000_000, "bigger than the page's old 5 MB limit"

    fresh = tmp_path / "fresh" / "coach.db"
    result = run("restore", str(backup), env_db=fresh)
    assert result.returncode == 0, result.stderr
    assert "Restored 1 interviews, 1400 answers, 1400 grades" in result.stdout
    (interview,) = storage.list_interviews(fresh)
    assert len(storage.list_answers(fresh, interview.id)) == 1400

    again = run("restore", str(backup), env_db=fresh)
    assert again.returncode == 2
    assert (
        again.stderr.strip()
        == "error: nothing was restored: Restore needs an empty database: this one already holds data."
    )


def test_help_is_quick_and_imports_no_storage() -> None:
    code = (
        "import sys, runpy; sys.argv = ['coach', '--help']\ntry:\n    runpy.run_module('coach', run_name='__main__')\n"
    )
    code += "except SystemExit:\n    pass\nprint('storage' in sys.modules, 'pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False False"


def test_a_saved_batch_is_a_batch_with_its_questions_topics(tmp_path: Path) -> None:
    from coach.history import HistoryService
    from coach.library import QuestionLibrary
    from coach.questions import load_bank

    db = tmp_path / "coach.db"
    bank = load_bank()
    known = bank[0]
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "known", "question": known.text, "answer": ANSWER})
        + "\n"
        + json.dumps({"id": "other", "question": "Tell me about your best day at work.", "answer": ANSWER})
        + "\n"
    )
    result = run("grade", "--grader", "rules", "--save", str(source), env_db=db)
    assert result.returncode == 0, result.stderr
    (batch,) = storage.list_interviews(db)
    assert batch.kind == "batch" and batch.status == "finished"
    first, second = storage.list_answers(db, batch.id)
    assert first.topics == known.topics and second.topics == ()
    report = HistoryService(db, QuestionLibrary(db, bank)).interview_report(batch.id)
    assert report.startswith("# STAR Coach batch") and "graded in a batch from the command line: 2" in report

"""Crashes: kill -9 the app while it grades, and the batch command mid-file; nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import storage
from tests.browser_support import (
    ROOT,
    start_and_answer,
    streamlit_process,
    streamlit_server,
)
from tests.llm_server import Reply, completion, grade_json, running_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

ANSWER = (
    "At our Leeds DC in 2023, 3% of orders shipped with a wrong item. I was asked to halve that within a "
    "quarter. I ran a Pareto of errors by zone and re-slotted look-alike SKUs. Errors fell to 1.1% in ten weeks."
)


def wait_for(condition, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


@pytest.mark.browser
def test_kill_9_while_grading_then_restart_resumes(tmp_path: Path, page: Page) -> None:
    from playwright.sync_api import expect

    db = tmp_path / "coach.db"
    with running_server() as llm:
        llm.enqueue(Reply(delay_s=60, body=completion(grade_json(ANSWER)).body))  # grading hangs
        env = {"OPENAI_BASE_URL": llm.url, "STAR_COACH_MODEL": "test-model", "STAR_COACH_LLM_TIMEOUT": "120"}
        with streamlit_process(db, env) as (url, process):
            start_and_answer(page, url, 2, ANSWER)
            wait_for(lambda: len(llm.requests) == 1, what="the grading request")  # mid-grade now
            interview_query = page.url.split("?", 1)[1]
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
        assert integrity(db) == "ok"
        (interview,) = storage.list_interviews(db)
        (saved,) = storage.list_answers(db, interview.id)
        assert saved.text == ANSWER and saved.grade is None, "the answer was committed before grading"

        with streamlit_server(db) as url:  # restarted, now without an LLM
            page.goto(f"{url}/?{interview_query}")
            expect(page.get_by_text("This answer has not been graded yet.", exact=False)).to_be_visible(timeout=30_000)
            expect(page.get_by_text(ANSWER[:60], exact=False)).to_be_visible()
            page.get_by_role("button", name="Grade it now").click()
            expect(page.get_by_text("Question 2 of 2")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Score:", exact=False).first).to_be_visible()
    (answer,) = storage.list_answers(db, interview.id)
    assert answer.grade is not None and answer.grade.grader == "rules"


def test_batch_killed_mid_file_keeps_every_saved_line(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    source = tmp_path / "answers.jsonl"
    lines = [{"id": f"a{i}", "question": "Tell me about a time you cut errors.", "answer": ANSWER} for i in range(200)]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    with running_server() as llm:
        llm.responder = lambda r: Reply(delay_s=0.05, body=completion(grade_json(ANSWER)).body)
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "STAR_COACH_DB": str(db)}
        env |= {"OPENAI_BASE_URL": llm.url, "STAR_COACH_MODEL": "test-model"}
        command = [sys.executable, "-m", "coach", "grade", "--grader", "llm", "--save", str(source)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for(lambda: len(llm.requests) >= 40, what="40 graded lines")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        sent = len(llm.requests)
    assert process.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    (interview,) = storage.list_interviews(db)
    saved = storage.list_answers(db, interview.id)
    # Saved lines are the first ones, in order, each stored once with its grade (an answer and its grade
    # share a transaction). Commits come every 0.25 s: with a grade taking at least 50 ms here, at most
    # five graded lines wait uncommitted, plus the line being graded.
    assert [a.question_id for a in saved] == [f"batch:a{i}" for i in range(len(saved))]
    assert sent - 6 <= len(saved) <= sent
    assert all(a.grade is not None for a in saved), "an answer is never saved without its grade"
    # The app and a second run carry on from this database.
    rules = [*command[:5], "rules", *command[6:]]
    rerun = subprocess.run(rules, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert rerun.returncode == 0
    assert len(storage.list_interviews(db)) == 2 and integrity(db) == "ok"

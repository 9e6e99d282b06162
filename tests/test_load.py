"""Load: eight AppTest sessions answering at once for a minute while a batch --save writes to the same file."""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import MagicMock

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

import storage
from coach.config import SETTING_NAMES

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
LOAD_SECONDS = float(os.environ.get("STAR_COACH_LOAD_SECONDS", "60"))
SESSIONS = 8
QUESTIONS = 15
BATCH_LINES = 2000
TURN_TIMEOUT_S = 60.0  # one AppTest run; far above a turn's time even on a busy 2-core machine
BATCH_TIMEOUT_S = 240.0  # one batch run of BATCH_LINES answers
BATCH_OVERRUN = 0.25  # a batch run (about 30 s here) may end this share of LOAD_SECONDS past the deadline
MARKER = re.compile(r"Session (\d+) answer (\d+):")
BATCH_MARKER = "Batch line "
LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s %(threadName)s: %(message)s")


@pytest.fixture
def threaded_apptest(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let AppTest sessions run on threads at once, as browser sessions do in one server.

    Each AppTest run installs a mock Runtime singleton and patches config.get_option for its
    duration, then removes both: with runs overlapping on threads, one run's cleanup pulls the
    Runtime out from under another ("Runtime hasn't been created!"), and the nested patches unwind
    out of order; and each run compiles the scripts afresh, where CPython 3.11's ast.parse on
    several threads at once can fail ("AST constructor recursion depth mismatch"). A real server
    has one Runtime and one locked script cache for its whole life, so give these sessions the same.
    """
    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: cls._instance or shared))
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(app_test_module, "patch_config_options", lambda overrides: nullcontext())
    scripts = ScriptCache()
    monkeypatch.setattr(app_test_module, "ScriptCache", lambda: scripts)
    with patch_config_options({"global.appTest": True}):
        yield


def session_answer(session: int, counter: int) -> str:
    """A STAR answer that grades, unique to its session and turn."""
    return (
        f"Session {session} answer {counter}: At our 120-person distribution centre in 2023, "
        f"{counter % 7 + 3}% of orders shipped late. I was responsible for getting on-time shipping back "
        f"above 98% before peak. I ran a Pareto of late orders, moved the pick waves and cross-trained "
        f"{counter % 5 + 4} packers. Within {counter % 6 + 6} weeks on-time shipping reached 98.6% and "
        f"overtime fell by {counter % 15 + 10}%. I learned to check the data before changing the schedule."
    )


def batch_line(number: int) -> dict[str, str]:
    return {
        "id": f"b{number}",
        "question": "Tell me about a time you improved on-time shipping.",
        "question_type": "behavioral",
        "answer": (
            f"{BATCH_MARKER}{number}: At our 80-person warehouse in 2022, {number % 9 + 2}% of orders shipped "
            f"late. I was asked to get on-time shipping above 97% within a quarter. I ran a Pareto of late "
            f"orders, moved the pick waves and trained four packers. Within ten weeks on-time shipping reached "
            f"98% and overtime fell by {number % 20 + 5}%."
        ),
    }


@dataclass
class SessionLog:
    """What one session did: every text it submitted, the interviews it used, its turn times."""

    number: int
    texts: list[str] = field(default_factory=list)
    interview_ids: list[str] = field(default_factory=list)
    turn_seconds: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass
class BatchLog:
    """Every batch run: how long it took and what went wrong."""

    runs: int = 0
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def html_text(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def start_interview(at: AppTest, log: SessionLog) -> None:
    """Fill the setup form: 15 questions, no follow-ups; note the new interview's id."""
    assert any(b.label == "Start interview" for b in at.button), f"session {log.number}: no setup form"
    at.number_input[0].set_value(QUESTIONS)
    next(t for t in at.toggle if t.label.startswith("Ask a follow-up")).set_value(False)
    next(b for b in at.button if b.label == "Start interview").click()
    at.run()
    check_page(at, log)
    interview_id = at.session_state["interview_id"]
    assert interview_id not in log.interview_ids, f"session {log.number}: interview {interview_id} again"
    log.interview_ids.append(interview_id)
    first = f"Question 1 of {QUESTIONS}"
    assert any(c.value.startswith(first) for c in at.caption), f"session {log.number}: no '{first}'"


def check_page(at: AppTest, log: SessionLog) -> None:
    """No exception, and no other session's (or the batch's) answer anywhere in the page's text."""
    if at.exception:
        details = [f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception]
        raise AssertionError(f"session {log.number}: exception on the page: {details}")
    # Answers render through st.html; a refused answer comes back in st.code, with a warning.
    body = "\n".join([html_text(at), *(c.value for c in at.code), *(m.value for m in at.markdown)])
    others = {int(m.group(1)) for m in MARKER.finditer(body)} - {log.number}
    assert not others, f"session {log.number} shows answers of sessions {sorted(others)}"
    assert BATCH_MARKER not in body, f"session {log.number} shows a batch answer"
    # app.py warns when the server listens beyond loopback; any other warning is a refused or ungraded answer.
    warnings = [w.value for w in at.warning if "server.address" not in w.value]
    assert not warnings, f"session {log.number}: {warnings}"


def answer_turn(at: AppTest, log: SessionLog, position: int) -> None:
    """Submit one answer and check it is shown, graded, in this session's interview."""
    text = session_answer(log.number, len(log.texts) + 1)
    log.texts.append(text)  # recorded before submitting, so an answer lost on the way is caught
    started = time.perf_counter()
    at.chat_input[0].set_value(text).run()
    log.turn_seconds.append(time.perf_counter() - started)
    check_page(at, log)
    assert at.session_state["interview_id"] == log.interview_ids[-1], f"session {log.number} changed interview"
    assert html.escape(text) in html_text(at), f"session {log.number}: its answer is not shown"
    graded = sum(m.label == "Situation" for m in at.metric)
    assert graded == position + 1, f"session {log.number}: {graded} graded answers shown after {position + 1}"
    if position + 1 < QUESTIONS:
        expected = f"Question {position + 2} of {QUESTIONS}"
        assert any(c.value.startswith(expected) for c in at.caption), f"session {log.number}: no '{expected}'"
    else:
        assert "Interview summary" in [h.value for h in at.subheader], f"session {log.number}: no summary"


def run_session(log: SessionLog, stop: threading.Event) -> None:
    """One browser session: interviews of 15 questions, answered until told to stop."""
    try:
        at = AppTest.from_file(APP, default_timeout=TURN_TIMEOUT_S)  # AppTest is per thread
        at.run()
        check_page(at, log)
        while not stop.is_set():
            start_interview(at, log)
            for position in range(QUESTIONS):
                if stop.is_set():
                    return
                answer_turn(at, log, position)
            next(b for b in at.button if b.label == "Start a new interview").click()
            at.run()
            check_page(at, log)
    except BaseException:
        log.error = traceback.format_exc()


def run_batches(
    source: Path, env: dict[str, str], out_dir: Path, log: BatchLog, stop: threading.Event, deadline: float
) -> None:
    """`python -m coach grade --save` over the file, again and again while a whole run fits before the deadline.

    A run may end up to BATCH_OVERRUN of the load time past it: the sessions answer on until it does.
    """
    try:
        while not stop.is_set():
            if log.seconds and time.perf_counter() + max(log.seconds) > deadline + BATCH_OVERRUN * LOAD_SECONDS:
                return
            run = log.runs + 1
            out_path = out_dir / f"batch-{run}.jsonl"
            started = time.perf_counter()
            with open(out_path, "w") as out:
                result = subprocess.run(
                    [sys.executable, "-m", "coach", "grade", "--grader", "rules", "--save", str(source)],
                    stdout=out,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                    env=env,
                    timeout=BATCH_TIMEOUT_S,
                )
            log.seconds.append(time.perf_counter() - started)
            log.runs = run
            if result.returncode != 0:
                log.problems.append(f"run {run} exited {result.returncode}: {result.stderr[-500:]}")
            if "locked" in result.stderr:
                log.problems.append(f"run {run} stderr: {result.stderr[-500:]}")
            # A line that fails to save is reported as an output line with an error, not on stderr.
            outputs = [json.loads(line) for line in out_path.read_text().splitlines()]
            errors = [o for o in outputs if "error" in o]
            if errors or len(outputs) != BATCH_LINES:
                log.problems.append(f"run {run}: {len(outputs)} output lines, {len(errors)} errors: {errors[:3]}")
    except BaseException:
        log.error = traceback.format_exc()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def capture_streamlit_logs(handler: logging.Handler) -> list[logging.Logger]:
    # Streamlit's loggers do not propagate to the root logger that caplog listens on.
    loggers = [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if name.startswith("streamlit") and isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(handler)
    return loggers


def test_eight_sessions_and_a_batch_at_once(
    db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, threaded_apptest: None
) -> None:
    caplog.set_level(logging.WARNING)
    source = tmp_path / "batch.jsonl"
    source.write_text("".join(json.dumps(batch_line(i)) + "\n" for i in range(BATCH_LINES)))
    home = tmp_path / "batch-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES and not k.startswith("OPENAI_")}
    env.update(STAR_COACH_DB=str(db_path), HOME=str(home))

    warm = AppTest.from_file(APP, default_timeout=TURN_TIMEOUT_S).run()  # migrates, loads the bank once
    assert not warm.exception
    streamlit_loggers = capture_streamlit_logs(caplog.handler)

    stop = threading.Event()
    sessions = [SessionLog(number) for number in range(1, SESSIONS + 1)]
    batch = BatchLog()
    started = time.perf_counter()
    deadline = started + LOAD_SECONDS
    session_threads = [
        threading.Thread(target=run_session, args=(log, stop), name=f"session-{log.number}", daemon=True)
        for log in sessions
    ]
    batch_thread = threading.Thread(
        target=run_batches, args=(source, env, tmp_path, batch, stop, deadline), name="batch", daemon=True
    )
    hung = []
    try:
        for thread in [*session_threads, batch_thread]:
            thread.start()
        while time.perf_counter() < deadline and any(t.is_alive() for t in session_threads):
            time.sleep(0.2)
        if not any(t.is_alive() for t in session_threads):
            stop.set()  # every session failed early: no point loading on
        # The sessions keep answering until the batch's last run is done, so every batch write has company.
        batch_thread.join(BATCH_TIMEOUT_S)
        stop.set()
        load_wall = time.perf_counter() - started
        for thread in session_threads:
            thread.join(max(1.0, TURN_TIMEOUT_S * 2 - (time.perf_counter() - started - load_wall)))
        hung = [t.name for t in [*session_threads, batch_thread] if t.is_alive()]
    finally:
        stop.set()
        for logger in streamlit_loggers:
            logger.removeHandler(caplog.handler)
    wall = time.perf_counter() - started
    assert not hung, f"still running long after the deadline: {hung}"

    total = sum(len(s.texts) for s in sessions)
    batch_answers = BATCH_LINES * batch.runs
    print(f"\nload: {SESSIONS} sessions for {LOAD_SECONDS:.0f} s, batch of {BATCH_LINES} lines with --save")
    for s in sessions:
        print(
            f"  session {s.number}: {len(s.texts):3d} answers in {len(s.interview_ids)} interviews, turn "
            f"p50 {percentile(s.turn_seconds, 50):.2f} s, p95 {percentile(s.turn_seconds, 95):.2f} s"
        )
    every_turn = [t for s in sessions for t in s.turn_seconds]
    print(
        f"  all sessions: {total} answers, turn p50 {percentile(every_turn, 50):.2f} s, p95 "
        f"{percentile(every_turn, 95):.2f} s"
    )
    runs = [round(x, 1) for x in batch.seconds]
    print(f"  batch: {batch.runs} runs, {batch_answers} answers, run seconds {runs}, writing {sum(runs):.0f} s")
    rate, with_batch = total / load_wall, (total + batch_answers) / load_wall
    print(f"  load {load_wall:.1f} s, wall {wall:.1f} s; {rate:.1f} session answers/s, {with_batch:.1f} with the batch")

    logged = [(r, LOG_FORMAT.format(r)) for r in caplog.records]
    if logged:
        counts = Counter(f"{r.levelname} {r.name}: {r.getMessage()[:100]}" for r, _ in logged)
        print(f"  logged at WARNING or above: {dict(counts.most_common(5))}")
    # The page redacts exceptions; the log has them.
    errors_logged = "\n".join(text for r, text in logged if r.levelno >= logging.ERROR)[:4000]
    failures = [f"session {s.number}: {s.error}" for s in sessions if s.error] + batch.problems
    failures += [f"batch runner: {batch.error}"] if batch.error else []
    locked = [text for _, text in logged if "database is locked" in text]
    locked += [f for f in failures if "database is locked" in f]
    assert not locked, "'database is locked':\n" + "\n".join(locked[:3])
    assert not failures, "\n".join(failures) + f"\nerrors logged:\n{errors_logged}"
    assert all(s.texts for s in sessions), [len(s.texts) for s in sessions]
    assert batch.runs >= 1

    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert db.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert db.execute("pragma foreign_key_check").fetchall() == []
        orphans = db.execute("select count(*) from answers where interview_id not in (select id from interviews)")
        assert orphans.fetchone() == (0,), "answers without an interview"
        rows = db.execute(
            "select a.interview_id, a.text, a.skipped, (select count(*) from grades g where g.answer_id = a.id) "
            "from answers a where a.question_id not like 'batch:%'"
        ).fetchall()
        stored: dict[str, list[tuple[str, int, int]]] = {}
        for interview_id, text, skipped, grades in rows:
            stored.setdefault(text, []).append((interview_id, skipped, grades))
        for s in sessions:
            for text in s.texts:
                copies = stored.get(text, [])
                assert len(copies) == 1, f"session {s.number}: {len(copies)} copies of {text[:40]!r}"
                interview_id, skipped, grades = copies[0]
                assert interview_id in s.interview_ids, f"{text[:40]!r} filed in another session's interview"
                assert not skipped and grades == 1, f"{text[:40]!r}: skipped={skipped}, {grades} grades"
        submitted = {text for s in sessions for text in s.texts}
        assert set(stored) <= submitted, f"stored but never submitted: {sorted(set(stored) - submitted)[:3]}"
        for s in sessions:  # and in the order answered, through the app's own reader
            filed = [a.text for i in s.interview_ids for a in storage.list_answers(db_path, i)]
            assert filed == s.texts, f"session {s.number}: its interviews hold other answers than it gave"
        owners = Counter(i for s in sessions for i in s.interview_ids)
        assert all(n == 1 for n in owners.values()), "two sessions used the same interview"

        per_batch = db.execute(
            "select a.interview_id, count(*), sum(exists(select 1 from grades g where g.answer_id = a.id)), "
            "i.status from answers a join interviews i on i.id = a.interview_id "
            "where a.question_id like 'batch:%' group by a.interview_id"
        ).fetchall()
        assert len(per_batch) == batch.runs, f"{len(per_batch)} batch interviews for {batch.runs} runs"
        assert all(row[1:] == (BATCH_LINES, BATCH_LINES, "finished") for row in per_batch), per_batch
        assert sum(row[1] for row in per_batch) == batch_answers
        assert not set(owners) & {row[0] for row in per_batch}, "a batch wrote into a session's interview"
    finally:
        db.close()

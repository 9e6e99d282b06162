"""Load: several sessions answering at once, each in its own process, while batch --save runs write to the same file.

Each session is a separate Python process (tests/load_session.py) driving app.py through one single-threaded
AppTest loop, as browser tabs are separate sessions on one database. Separate processes share nothing but
the SQLite file: no Streamlit runtime, script cache or parser state (CPython 3.11's parser is not safe on
several threads at once, which made sessions on threads fail now and then). Every wait is bounded by
STAR_COACH_LOAD_SECONDS: the sessions answer until the deadline; once all of them have run the app, batch
runs start one after another while one more fits before the deadline; every AppTest run and batch run must
end by the hard stop, STOP_GRACE_S later; a session still running EXIT_GRACE_S after that is killed.
"""

from __future__ import annotations

import json
import math
import os
import selectors
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import storage
from coach.config import SETTING_NAMES
from tests.load_session import BATCH_MARKER

ROOT = Path(__file__).resolve().parent.parent
LOAD_SECONDS = float(os.environ.get("STAR_COACH_LOAD_SECONDS", "20"))
SESSIONS = 4  # processes; each takes about 2 s of CPU to import Streamlit, so 8 would spend the bound starting
BATCH_LINES = 50  # a run takes about 3 s alone here (an fsync'd write a line), so several fit in the bound
STOP_GRACE_S = 10.0  # after the deadline, every turn and batch run under way must be done by this
EXIT_GRACE_S = 5.0  # after the hard stop, for a session to write its log and exit before it is killed


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
class BatchLog:
    """Every batch run: when it ran (time.time() pairs) and what went wrong."""

    spans: list[tuple[float, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.spans)

    @property
    def seconds(self) -> list[float]:
        return [end - start for start, end in self.spans]


@dataclass
class SessionRun:
    """One session process and what it reported."""

    number: int
    process: subprocess.Popen[bytes]
    ready_pipe: int  # the read end of the pipe the session writes a line to once the app has run
    log_path: Path
    output_path: Path
    hung: bool = False
    log: dict[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        return self.log.get("texts", [])

    @property
    def interview_ids(self) -> list[str]:
        return self.log.get("interview_ids", [])

    @property
    def turn_seconds(self) -> list[float]:
        return [seconds for _, seconds in self.log.get("turns", [])]

    def problem(self) -> str | None:
        """What went wrong in this session, with its output's tail when it left no log."""
        if self.hung:
            return f"session {self.number}: still running {EXIT_GRACE_S:.0f} s after the hard stop; killed"
        if not self.log:
            tail = self.output_path.read_text(errors="replace")[-2000:]
            return f"session {self.number}: exited {self.process.returncode} without a log:\n{tail}"
        if self.log["error"]:
            return f"session {self.number}: {self.log['error']}"
        if self.process.returncode != 0:
            return f"session {self.number}: exited {self.process.returncode}"
        return None


def start_session(number: int, env: dict[str, str], out_dir: Path, deadline: float, hard_stop: float) -> SessionRun:
    log_path = out_dir / f"session-{number}.json"
    output_path = out_dir / f"session-{number}.out"
    ready_read, ready_write = os.pipe()
    try:
        with open(output_path, "wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.load_session",
                    f"--session={number}",
                    f"--deadline={deadline!r}",
                    f"--hard-stop={hard_stop!r}",
                    f"--log={log_path}",
                    f"--ready-fd={ready_write}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
                pass_fds=(ready_write,),
            )
    except BaseException:
        os.close(ready_read)
        raise
    finally:
        os.close(ready_write)  # the child's copy is the only one: its exit closes the pipe
    return SessionRun(number, process, ready_read, log_path, output_path)


def wait_until_ready(sessions: list[SessionRun], deadline: float) -> None:
    """Wait until every session has run the app once, or has died (its pipe closes), or the deadline passes."""
    with selectors.DefaultSelector() as selector:
        for session in sessions:
            selector.register(session.ready_pipe, selectors.EVENT_READ)
        while selector.get_map() and (left := deadline - time.time()) > 0:
            for key, _ in selector.select(timeout=left):
                selector.unregister(key.fd)


def finish_session(session: SessionRun, hard_stop: float) -> None:
    """Wait for the session to exit, at most until EXIT_GRACE_S past the hard stop, then read its log."""
    try:
        session.process.wait(timeout=max(0.0, hard_stop + EXIT_GRACE_S - time.time()))
    except subprocess.TimeoutExpired:
        session.hung = True
        session.process.kill()
        session.process.wait()
    if session.log_path.exists():
        session.log = json.loads(session.log_path.read_text())


def run_batches(source: Path, env: dict[str, str], out_dir: Path, deadline: float, hard_stop: float) -> BatchLog:
    """`python -m coach grade --save` over the file, again and again while one more run fits before the deadline."""
    log = BatchLog()
    while time.time() + max(log.seconds, default=0.0) < deadline:
        run = log.runs + 1
        out_path = out_dir / f"batch-{run}.jsonl"
        started = time.time()
        try:
            with open(out_path, "w") as out:
                result = subprocess.run(
                    [sys.executable, "-m", "coach", "grade", "--grader", "rules", "--save", str(source)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                    env=env,
                    timeout=max(0.1, hard_stop - started),
                )
        except subprocess.TimeoutExpired:
            log.problems.append(f"batch run {run} of {BATCH_LINES} lines still running at the hard stop; killed")
            return log
        log.spans.append((started, time.time()))
        if result.returncode != 0:
            log.problems.append(f"batch run {run} exited {result.returncode}: {result.stderr[-500:]}")
        elif "locked" in result.stderr:
            log.problems.append(f"batch run {run} stderr: {result.stderr[-500:]}")
        # A line that fails to save is reported as an output line with an error, not on stderr.
        outputs = [json.loads(line) for line in out_path.read_text().splitlines()]
        errors = [o for o in outputs if "error" in o]
        if errors or len(outputs) != BATCH_LINES:
            log.problems.append(f"batch run {run}: {len(outputs)} output lines, {len(errors)} errors: {errors[:3]}")
    return log


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def test_sessions_and_batches_at_once(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "batch.jsonl"
    source.write_text("".join(json.dumps(batch_line(i)) + "\n" for i in range(BATCH_LINES)))
    # No LLM settings reach the children, so the rules grade everything; db_path gave HOME a private folder.
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES and not k.startswith("OPENAI_")}
    env.update(STAR_COACH_DB=str(db_path))
    storage.migrate(db_path)  # once, before anyone writes

    started = time.time()
    deadline = started + LOAD_SECONDS
    hard_stop = deadline + STOP_GRACE_S
    sessions: list[SessionRun] = []
    try:
        for number in range(1, SESSIONS + 1):
            sessions.append(start_session(number, env, tmp_path, deadline, hard_stop))
        # The batch runs start when every session is answering, so each run writes beside all of them.
        wait_until_ready(sessions, deadline)
        batch = run_batches(source, env, tmp_path, deadline, hard_stop)
        load_wall = time.time() - started
        for session in sessions:
            finish_session(session, hard_stop)
    finally:
        for session in sessions:
            os.close(session.ready_pipe)
            if session.process.poll() is None:  # only after a failure in the test itself; else all are reaped
                session.process.kill()
                session.process.wait()
    wall = time.time() - started

    total = sum(len(s.texts) for s in sessions)
    batch_answers = BATCH_LINES * batch.runs
    during_batch = [  # turns that overlapped a batch run
        sum(any(t <= end and t + d >= start for start, end in batch.spans) for t, d in s.log.get("turns", []))
        for s in sessions
    ]
    print(f"\nload: {SESSIONS} session processes for {LOAD_SECONDS:.0f} s, batch of {BATCH_LINES} lines with --save")
    for s, overlapping in zip(sessions, during_batch, strict=True):
        ready = f"ready after {s.log['ready_at'] - started:.1f} s" if s.log.get("ready_at") else "never ready"
        print(
            f"  session {s.number}: {ready}, {len(s.texts):3d} answers ({overlapping} during a batch run) in "
            f"{len(s.interview_ids)} interviews, turn p50 {percentile(s.turn_seconds, 50):.2f} s, "
            f"p95 {percentile(s.turn_seconds, 95):.2f} s"
        )
    every_turn = [t for s in sessions for t in s.turn_seconds]
    print(
        f"  all sessions: {total} answers ({sum(during_batch)} during a batch run), turn p50 "
        f"{percentile(every_turn, 50):.2f} s, p95 {percentile(every_turn, 95):.2f} s"
    )
    runs = [round(x, 1) for x in batch.seconds]
    print(f"  batch: {batch.runs} runs, {batch_answers} answers, run seconds {runs}, writing {sum(runs):.0f} s")
    rate, with_batch = total / load_wall, (total + batch_answers) / load_wall
    print(f"  load {load_wall:.1f} s, wall {wall:.1f} s; {rate:.1f} session answers/s, {with_batch:.1f} with the batch")

    logged = [record for s in sessions for record in s.log.get("logged", [])]
    if logged:
        counts = Counter(record["summary"] for record in logged)
        print(f"  logged at WARNING or above: {dict(counts.most_common(5))}")
    # The page redacts exceptions; the log has them.
    errors_logged = "\n".join(r["text"] for r in logged if r["level"] >= 40)[:4000]
    failures = [problem for s in sessions if (problem := s.problem())] + batch.problems
    outputs = [s.output_path.read_text(errors="replace") for s in sessions]
    locked = [r["text"] for r in logged if "database is locked" in r["text"]]
    locked += [f for f in [*failures, *outputs] if "database is locked" in f]
    assert not locked, "'database is locked':\n" + "\n".join(locked[:3])
    assert not failures, "\n".join(failures) + f"\nerrors logged:\n{errors_logged}"
    assert all(s.texts for s in sessions), [len(s.texts) for s in sessions]
    assert batch.runs >= 1
    assert all(during_batch), f"sessions that never answered while a batch run was writing: {during_batch}"

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

"""One load-test session in its own process: a single-threaded AppTest loop answering until a deadline.

tests/test_load.py starts several of these at once, each as `python -m tests.load_session`, beside batch runs
writing to the same database (STAR_COACH_DB). Each process has its own interpreter, so the sessions share
the SQLite file as browser sessions do, but no Streamlit runtime, script cache or parser state.

Once the app's first run is done the session writes a line to the pipe it was given (--ready-fd), so the
parent can start the batch runs when every session is answering; a session that dies first closes the pipe
by exiting. The session answers interviews of QUESTIONS questions through the chat input, checking every page, and
stops before the next turn once the deadline (a time.time() value) has passed. Every AppTest run is bounded
by the hard stop, so a hung turn is reported here, not only as a killed process. What it did is written as
JSON to the log path, whatever happened: the texts it submitted (each recorded before submitting, so an
answer lost on the way is caught), its interviews, its turns, the first error and the log records at
WARNING or above.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
QUESTIONS = 15
MARKER = re.compile(r"Session (\d+) answer (\d+):")
BATCH_MARKER = "Batch line "
LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s %(threadName)s: %(message)s")


def session_answer(session: int, counter: int) -> str:
    """A STAR answer that grades, unique to its session and turn."""
    return (
        f"Session {session} answer {counter}: At our 120-person distribution centre in 2023, "
        f"{counter % 7 + 3}% of orders shipped late. I was responsible for getting on-time shipping back "
        f"above 98% before peak. I ran a Pareto of late orders, moved the pick waves and cross-trained "
        f"{counter % 5 + 4} packers. Within {counter % 6 + 6} weeks on-time shipping reached 98.6% and "
        f"overtime fell by {counter % 15 + 10}%. I learned to check the data before changing the schedule."
    )


@dataclass
class SessionLog:
    """What one session did; `turns` holds [started, seconds] pairs, started as time.time()."""

    number: int
    texts: list[str] = field(default_factory=list)
    interview_ids: list[str] = field(default_factory=list)
    turns: list[list[float]] = field(default_factory=list)
    ready_at: float | None = None
    error: str | None = None
    logged: list[dict[str, Any]] = field(default_factory=list)


class Recorder(logging.Handler):
    """Keeps every record at WARNING or above, formatted, for the log file."""

    def __init__(self, log: SessionLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.logged.append(
            {"level": record.levelno, "summary": f"{record.levelname} {record.name}: {record.getMessage()[:100]}"}
            | {"text": LOG_FORMAT.format(record)}
        )


def listen(handler: logging.Handler) -> None:
    """Attach to the root logger and to Streamlit's loggers, which do not propagate to it."""
    loggers = [logging.root] + [
        logger
        for name, logger in list(logging.root.manager.loggerDict.items())
        if name.startswith("streamlit") and isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        if handler not in logger.handlers:
            logger.addHandler(handler)


class Session:
    def __init__(self, log: SessionLog, deadline: float, hard_stop: float):
        from streamlit.testing.v1 import AppTest

        self.log = log
        self.deadline = deadline
        self.hard_stop = hard_stop
        self.at = AppTest.from_file(APP, default_timeout=self.remaining())

    def remaining(self) -> float:
        """What is left until the hard stop: the bound of every AppTest run."""
        return max(0.1, self.hard_stop - time.time())

    def run(self) -> None:
        self.at.run(timeout=self.remaining())
        self.check_page()

    def html_text(self) -> str:
        return "\n".join(str(h.proto.body) for h in self.at.get("html"))

    def check_page(self) -> None:
        """No exception, and no other session's (or the batch's) answer anywhere in the page's text."""
        at, number = self.at, self.log.number
        if at.exception:
            details = [f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception]
            raise AssertionError(f"session {number}: exception on the page: {details}")
        # Answers render through st.html; a refused answer comes back in st.code, with a warning.
        body = "\n".join([self.html_text(), *(c.value for c in at.code), *(m.value for m in at.markdown)])
        others = {int(m.group(1)) for m in MARKER.finditer(body)} - {number}
        assert not others, f"session {number} shows answers of sessions {sorted(others)}"
        assert BATCH_MARKER not in body, f"session {number} shows a batch answer"
        # app.py warns when the server listens beyond loopback; any other warning is a refused or ungraded answer.
        warnings = [w.value for w in at.warning if "server.address" not in w.value]
        assert not warnings, f"session {number}: {warnings}"

    def start_interview(self) -> None:
        """Fill the setup form: 15 questions, no follow-ups; note the new interview's id."""
        at, log = self.at, self.log
        assert any(b.label == "Start interview" for b in at.button), f"session {log.number}: no setup form"
        at.number_input[0].set_value(QUESTIONS)
        next(t for t in at.toggle if t.label.startswith("Ask a follow-up")).set_value(False)
        next(b for b in at.button if b.label == "Start interview").click()
        self.run()
        interview_id = at.session_state["interview_id"]
        assert interview_id not in log.interview_ids, f"session {log.number}: interview {interview_id} again"
        log.interview_ids.append(interview_id)
        first = f"Question 1 of {QUESTIONS}"
        assert any(c.value.startswith(first) for c in at.caption), f"session {log.number}: no '{first}'"

    def answer_turn(self, position: int) -> None:
        """Submit one answer and check it is shown, graded, in this session's interview."""
        at, log = self.at, self.log
        text = session_answer(log.number, len(log.texts) + 1)
        log.texts.append(text)  # recorded before submitting, so an answer lost on the way is caught
        started_at, started = time.time(), time.perf_counter()
        at.chat_input[0].set_value(text)
        try:
            self.run()
        finally:
            log.turns.append([started_at, time.perf_counter() - started])
        assert at.session_state["interview_id"] == log.interview_ids[-1], f"session {log.number} changed interview"
        assert html.escape(text) in self.html_text(), f"session {log.number}: its answer is not shown"
        # The latest grade in full, each earlier one as a line that opens its detail.
        graded = sum(m.label == "Situation" for m in at.metric) + sum(t.label.startswith("Score: ") for t in at.toggle)
        assert graded == position + 1, f"session {log.number}: {graded} graded answers shown after {position + 1}"
        if position + 1 < QUESTIONS:
            expected = f"Question {position + 2} of {QUESTIONS}"
            assert any(c.value.startswith(expected) for c in at.caption), f"session {log.number}: no '{expected}'"
        else:
            assert "Interview summary" in [h.value for h in at.subheader], f"session {log.number}: no summary"

    def answer_until_deadline(self) -> None:
        """Interviews of 15 questions, answered one turn after another until the deadline has passed."""
        while time.time() < self.deadline:
            self.start_interview()
            for position in range(QUESTIONS):
                if time.time() >= self.deadline:
                    return
                self.answer_turn(position)
            next(b for b in self.at.button if b.label == "Start a new interview").click()
            self.run()


def write_log(log: SessionLog, path: Path) -> None:
    # Written whole and then renamed, so the parent never reads half a log.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(log)))
    os.replace(partial, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=int, required=True, help="this session's number, in its answers' text")
    parser.add_argument("--deadline", type=float, required=True, help="time.time() after which no turn starts")
    parser.add_argument("--hard-stop", type=float, required=True, help="time.time() by which every run must end")
    parser.add_argument("--log", type=Path, required=True, help="where to write the JSON log")
    parser.add_argument("--ready-fd", type=int, help="a pipe to write a line to, then close, once the app has run")
    args = parser.parse_args()

    log = SessionLog(args.session)
    recorder = Recorder(log)
    try:
        import streamlit.testing.v1  # noqa: F401  (makes Streamlit's loggers, to listen to from the start)

        listen(recorder)
        session = Session(log, args.deadline, args.hard_stop)
        session.run()
        listen(recorder)  # and those made by the app's first run
        log.ready_at = time.time()
        if args.ready_fd is not None:
            os.write(args.ready_fd, b"ready\n")
            os.close(args.ready_fd)
        session.answer_until_deadline()
    except BaseException:
        log.error = traceback.format_exc()
    finally:
        write_log(log, args.log)


if __name__ == "__main__":
    main()

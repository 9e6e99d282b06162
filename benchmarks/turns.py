"""Turn latency in real Chromium, connections per turn, and the first page load against a bare chat app.

python benchmarks/turns.py [RUNS]     (10-question interviews, default 3)

Answer sent -> its grade visible, at question 1 and at question 10 (median over the runs), timed in the
page from the Enter key to the first frame that shows the grade (and, after the last answer, to the
interview summary drawn below it); the database
connections one answer turn opens (counted in-process through AppTest, the same page code); seconds from
`streamlit run` to the first question, against a bare Streamlit chat app started the same way.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, streamlit_process  # noqa: E402

ANSWER = (
    "At our 120-person distribution centre in 2023, 4% of orders shipped late. I was responsible for getting "
    "on-time shipping back above 98% before peak. I ran a Pareto of late orders, moved the pick waves and "
    "cross-trained six packers. Within eight weeks on-time shipping reached 98.6% and overtime fell by 20%."
)
BARE_APP = """
import streamlit as st
st.title("Bare chat")
st.chat_message("assistant").write("Question 1 of 1")
st.chat_input("Your answer")
"""


def interview_turns(browser, url: str) -> list[float]:
    page = browser.new_page()
    page.goto(url)
    page.get_by_label("Number of questions").fill("10")
    page.get_by_role("button", name="Start interview").click()
    times = []
    for n in range(1, 11):
        expect(page.get_by_text(f"Question {n} of 10")).to_be_visible(timeout=60_000)
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_enabled(timeout=60_000)
        box.fill(ANSWER)
        page.evaluate(WATCH_TURN, {"count": n})
        box.press("Enter")
        # The new grade: one "Score: N/100" more; after the last answer, the summary below it too.
        page.wait_for_function("() => window.__turn.summary !== null || window.__turn.count < 10", timeout=60_000)
        page.wait_for_function("() => window.__turn.seen !== null", timeout=60_000)
        times.append(page.evaluate("() => (window.__turn.seen - window.__turn.start) / 1000"))
    summary = page.evaluate("() => (window.__turn.summary - window.__turn.start) / 1000")
    page.close()
    return [*times, summary]


# Timed in the page, on its own clock, frame by frame: from the Enter key to the first frame that shows
# the new grade (or, after the last answer, the summary). A test-side wait would add its polling interval.
WATCH_TURN = """
(target) => {
  const turn = (window.__turn = {start: null, seen: null, summary: null, count: target.count});
  const box = document.querySelector('[data-testid="stChatInputTextArea"]');
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && turn.start === null) turn.start = performance.now();
  }, {capture: true});
  const frame = () => {
    if (turn.start !== null) {
      const text = document.body.textContent;
      const grades = (text.match(/Score: \\d+\\/100/g) || []).length;
      if (turn.seen === null && grades >= target.count) turn.seen = performance.now();
      if (turn.summary === null && text.includes('Interview summary')) turn.summary = performance.now();
      if (turn.seen !== null && (turn.summary !== null || target.count < 10)) return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
"""


def first_question(browser, command_dir: Path, db: Path, script: str | None, ready_text: str) -> float:
    launched = time.perf_counter()
    with streamlit_process(db, script=script or "app.py") as (url, _process):
        page = browser.new_page()
        page.goto(url)
        # Checked every frame: an assertion's retries back off to a second apart, which would round
        # both apps' times up by different amounts.
        page.wait_for_function(
            "(text) => document.body.textContent.includes(text)", arg=ready_text, polling="raf", timeout=60_000
        )
        elapsed = time.perf_counter() - launched
        page.close()
    return elapsed


def connections_per_turn() -> list[int]:
    from streamlit.testing.v1 import AppTest

    from storage import db

    opened = [0]
    original = db._connect

    def counting(*args, **kwargs):
        opened[0] += 1
        return original(*args, **kwargs)

    db._connect = counting
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.number_input[0].set_value(10)
        next(b for b in at.button if b.label == "Start interview").click()
        at.run()
        counts = []
        for _ in range(10):
            opened[0] = 0
            at.chat_input[0].set_value(ANSWER).run()
            counts.append(opened[0])
        return counts
    finally:
        db._connect = original


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["STAR_COACH_DB"] = str(Path(tmp) / "apptest.db")
        os.environ["HOME"] = tmp
        counts = connections_per_turn()
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            firsts, bares, turns = [], [], []
            for i in range(runs):
                db = Path(tmp) / f"run{i}" / "coach.db"
                db.parent.mkdir()
                bares.append(first_question(browser, Path(tmp), db, str(bare), "Question 1 of 1"))
                firsts.append(first_question(browser, Path(tmp), db, None, "Start interview"))
                with streamlit_process(db) as (url, _process):
                    turns.append(interview_turns(browser, url))
            browser.close()
    q1 = statistics.median(t[0] for t in turns)
    q10 = statistics.median(t[9] for t in turns)
    summary = statistics.median(t[10] for t in turns)
    print(
        f"answer -> grade visible, median of {runs}: question 1 {q1:.2f} s, question 10 {q10:.2f} s "
        f"(targets <= 1.0 s each, q10 <= 1.2 x q1: {q10 / q1:.2f} x)"
    )
    print("every turn, first run: " + ", ".join(f"{t:.2f}" for t in turns[0][:10]))
    print(f"after the last answer, the interview summary below its grade: {summary:.2f} s (median)")
    print(f"database connections per answer turn: {max(counts)} (turns 1-10: {counts}; target <= 3)")
    first, bare_s = statistics.median(firsts), statistics.median(bares)
    print(
        f"first page ready after launch: {first:.2f} s, bare chat app {bare_s:.2f} s: {first / bare_s:.2f} x "
        "(target <= 1.2 x)"
    )


if __name__ == "__main__":
    main()

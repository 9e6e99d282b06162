"""The answer clock's helpers and widgets, without a browser (the ticking is in test_browser_timer.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.timer import estimated_time_caption
from coach.delivery import clock

CLOCK_APP = """
import streamlit as st
from app_pages.timer import answer_clock, target_choice

target = target_choice("answer_target")
st.write(f"target {target}")
answer_clock(target, st.session_state.get("question", "q1"))
"""


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (7, "0:07"),
        (59.4, "0:59"),
        (60, "1:00"),
        (70, "1:10"),
        (120, "2:00"),
        (3725, "62:05"),
        (-3, "0:00"),
    ],
)
def test_clock_reads_minutes_and_seconds(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


def test_a_typed_answer_gets_its_speaking_time_as_a_caption() -> None:
    # 163 spoken words at 140 a minute: 69.9 s.
    answer = " ".join(["word"] * 163)
    assert estimated_time_caption(answer) == "about 1:10 spoken at 140 words a minute"
    # Numbers count as the words said for them: "3%" is two.
    assert estimated_time_caption("3%") == "about 0:01 spoken at 140 words a minute"


def test_an_empty_answer_gets_no_caption() -> None:
    assert estimated_time_caption("") == ""
    assert estimated_time_caption("  \n") == ""


def clock_app() -> AppTest:
    return AppTest.from_string(CLOCK_APP, default_timeout=30).run()


def test_the_target_is_two_minutes_at_first_and_kept_in_session_state() -> None:
    at = clock_app()
    assert not at.exception
    assert at.session_state["answer_target"] == 120
    assert "target 120" in at.markdown[0].value


def test_the_target_can_be_turned_off() -> None:
    at = clock_app()
    at.session_state["answer_target"] = 0
    at.run()
    assert not at.exception
    assert "target None" in at.markdown[0].value


def test_the_clock_keeps_its_start_across_reruns_and_restarts_on_a_new_question() -> None:
    at = clock_app()
    key, started = at.session_state["answer_clock_started"]
    assert key == "q1"
    at.run()
    assert at.session_state["answer_clock_started"] == ("q1", started)
    at.session_state["question"] = "q2"
    at.run()
    assert not at.exception
    key, restarted = at.session_state["answer_clock_started"]
    assert key == "q2"
    assert restarted >= started

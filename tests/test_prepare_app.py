"""Preparing in the app (AppTest, a real database file, the real bank): hints while answering, a strong example
answer and the answer in STAR order after a grade, a stronger version through a loopback LLM, try again now,
a preview of the questions with Swap, the STAR guide, and the tip drawn from the candidate's own answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import button, captions, html_text, new_app, read, start_interview
from tests.llm_server import Reply, answer_in, completion, grade_json, running_server
from tests.storage_support import recent_answers

WEAK = (
    "We had a problem with fill rate at the warehouse and customers complained a lot about it. "
    "We looked at the data and we changed the safety stock settings for the main lines. "
    "In the end the fill rate got better and everyone was happier with the service."
)


def expander(at: AppTest, label: str) -> Any:
    return next(e for e in at.expander if e.label == label)


def start_behavioural(n: int, follow_ups: bool = True) -> AppTest:
    at = new_app()
    next(r for r in at.radio if r.label == "Questions").set_value("behavioral")
    next(t for t in at.toggle if t.label.startswith("Ask a follow-up")).set_value(follow_ups)
    return start_interview(at, n)


def answer_first_question(at: AppTest, text: str = WEAK) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def test_hints_wait_hidden_and_a_graded_answer_gets_a_strong_example_and_its_star_order(db_path: Path) -> None:
    at = start_behavioural(2)
    hints = expander(at, "Hints: what a strong answer shows")
    assert not hints.proto.expanded and hints.get("html")  # there, closed until opened
    answer_first_question(at)
    strong = expander(at, "See a strong answer")
    assert "Our grader gives this answer" in " ".join(c.value for c in strong.caption)
    order = html_text(at)
    for heading in ("Situation", "Task", "Action", "Result"):
        assert f">{heading}</b>" in order
    assert "[What were you responsible for, and what was the target?]" in order
    assert "safety stock settings" in order  # the candidate's own words, regrouped
    assert not any(b.label.startswith("Write a stronger version") for b in at.button), "no LLM, no button"


def test_try_again_now_is_a_new_attempt_and_keeps_the_old_one(db_path: Path) -> None:
    at = answer_first_question(start_behavioural(2))
    asked = recent_answers(db_path)[0].question_text
    button(at, "Try again now").click()
    at.run()
    assert "Question 1 of 1" in captions(at)
    answer_first_question(at, WEAK + " I also learned to check the data first.")
    answers = recent_answers(db_path)
    assert [a.question_text for a in answers] == [asked, asked]
    assert answers[0].interview_id != answers[1].interview_id


def test_a_preview_can_swap_a_question_before_the_interview_starts(db_path: Path) -> None:
    at = new_app()
    at.number_input[0].set_value(3)
    button(at, "Preview the questions first").click()
    at.run()
    assert not at.exception
    listed = [c for c in at.get("html") if ". " in str(c.proto.body)]
    before = [str(h.proto.body) for h in listed][:3]
    assert len(before) == 3
    at.button(key=next(b.key for b in at.button if b.label == "Swap")).click()
    at.run()
    after = [str(h.proto.body) for h in at.get("html") if ". " in str(h.proto.body)][:3]
    assert after[0] != before[0] and after[1:] == before[1:]
    button(at, "Start with these questions").click()
    at.run()
    assert "Question 1 of 3" in captions(at)
    assert after[0].split("1. ", 1)[1][:40] in html_text(at)


def test_the_tip_comes_from_the_candidates_own_repeated_weakness(db_path: Path) -> None:
    at = new_app()
    first = at.info[0].value
    assert "Tip" in first  # a new candidate gets one of the guide's tips
    at = start_behavioural(2, follow_ups=False)
    answer_first_question(at)
    answer_first_question(at)
    assert len(recent_answers(db_path)) == 2
    at = new_app()
    assert "in 2 of your recent answers" in at.info[0].value


def test_the_star_guide_explains_every_part_and_every_advice_code(db_path: Path) -> None:
    from coach.guide import MISTAKES

    at = new_app()
    at.switch_page("app_pages/guide.py").run()
    assert not at.exception
    assert at.title[0].value == "The STAR method"
    assert len(at.dataframe[0].value) == len(MISTAKES)
    assert {"Case questions", "Tips"} <= {h.value for h in at.header}


def _stronger(request: dict[str, Any]) -> Reply:
    fmt = (request.get("response_format") or {}).get("json_schema", {}).get("name")
    if fmt == "stronger_answer":
        rewrite = (
            "At the warehouse our fill rate was a problem and customers complained. "
            "[What were you responsible for, and what was the target?] "
            "I looked at the data and I changed the safety stock settings for the main lines. "
            "Within 6 weeks the fill rate rose by 9% and everyone was happier with the service."
        )
        return completion(json.dumps({"rewrite": rewrite}))
    return completion(grade_json(answer_in(request)))


@pytest.mark.parametrize("failing", [False, True])
def test_a_stronger_version_from_the_llm_invents_no_number(db_path: Path, monkeypatch, failing: bool) -> None:
    with running_server() as server:
        server.responder = _stronger
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("STAR_COACH_MODEL", "test-model")
        at = answer_first_question(start_behavioural(1))
        if failing:
            server.enqueue(Reply(503, b'{"error": {"message": "down"}}'), Reply(503, b"{}"))
        button(at, "Write a stronger version").click()
        at.run()
    assert not at.exception
    if failing:
        assert "could not be written: the LLM server failed (HTTP 503)" in read("".join(w.value for w in at.warning))
        return
    shown = html_text(at)
    assert "Within [your figure] weeks the fill rate rose by [your figure]" in shown
    assert "2 number(s) you never said" in read(captions(at))

"""The Streamlit app, headless through AppTest, on a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage
from tests.app_support import APP, button, captions, html_text, new_app, start_interview, warnings
from tests.storage_support import recent_answers

PAGES = [
    "app_pages/practice.py",
    "app_pages/job.py",
    "app_pages/history.py",
    "app_pages/progress.py",
    "app_pages/stories.py",
    "app_pages/question_bank.py",
    "app_pages/guide.py",
    "app_pages/settings.py",
]
ANSWER = (
    "At our 120-person distribution centre in 2023, 4% of orders shipped late. I was responsible for getting "
    "on-time shipping back above 98% before peak. I ran a Pareto of late orders, moved the pick waves and "
    "cross-trained six packers. Within eight weeks on-time shipping reached 98.6% and overtime fell by 20%."
)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens(db_path: Path, page: str) -> None:
    at = new_app()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title, "every page has a title"


def test_whole_interview_of_three_questions(db_path: Path) -> None:
    at = start_interview(new_app(), 3)
    assert not at.exception
    for i in range(3):
        assert f"Question {i + 1} of 3" in captions(at)
        at.chat_input[0].set_value(ANSWER).run()
        assert not at.exception
        # The latest grade in full; each earlier one a line whose detail opens on demand.
        assert sum(m.label == "Situation" for m in at.metric) == 1
        compact = [t for t in at.toggle if t.label.startswith("Score: ")]
        assert len(compact) == i, "one graded answer more each turn"
    compact[0].set_value(True).run()
    assert sum(m.label == "Situation" for m in at.metric) == 2, "an earlier grade's detail, when opened"
    assert "Interview summary" in [h.value for h in at.subheader]
    assert any("Practise your" in i.value for i in at.info)
    answers = recent_answers(db_path)
    assert len(answers) == 3 and all(a.grade and a.text == ANSWER for a in answers)
    assert "Score:" in "".join(m.value for m in at.markdown)


def test_skip_and_end_early(db_path: Path) -> None:
    at = start_interview(new_app(), 4)
    button(at, "Skip").click()
    at.run()
    assert "Question 2 of 4" in captions(at)
    at.chat_input[0].set_value(ANSWER).run()
    button(at, "End interview").click()
    at.run()
    assert "Interview summary" in [h.value for h in at.subheader]
    assert any("Answered 1, skipped 1" in m.value for m in at.markdown)
    [interview] = storage.list_interviews(db_path)
    assert interview.status == "ended"


def test_unfinished_interview_resumes_in_a_new_session(db_path: Path) -> None:
    at = start_interview(new_app(), 3)
    at.chat_input[0].set_value(ANSWER).run()
    again = new_app()  # a new browser session on the same database
    resume = button(again, "Resume the interview")
    assert "(1 of 3 done)" in resume.label
    resume.click()
    again.run()
    assert "Question 2 of 3" in captions(again)
    assert ANSWER in html_text(again)


def test_empty_answer_gets_a_message_and_is_not_graded(db_path: Path) -> None:
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value("   ").run()
    assert any("empty" in w.value for w in at.warning)
    assert recent_answers(db_path) == []
    assert "Question 1 of 2" in captions(at)


def test_script_text_is_shown_as_text(db_path: Path) -> None:
    hostile = "<script>alert('x')</script> <img src=x onerror=alert(1)> I led the **recount**."
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value(hostile).run()
    body = html_text(at)
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert recent_answers(db_path)[0].text == hostile


def test_history_lists_graded_answers(db_path: Path) -> None:
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value(ANSWER).run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    answers = [e for e in at.expander if "/100" in e.label]
    assert len(answers) == 1


def test_a_stale_tab_cannot_misfile_an_answer(db_path: Path) -> None:
    first = start_interview(new_app(), 3)
    interview_id = storage.list_interviews(db_path)[0].id
    second = AppTest.from_file(APP, default_timeout=30)
    second.query_params["interview"] = interview_id
    second.run()
    assert "Question 1 of 3" in captions(second)
    first.chat_input[0].set_value(ANSWER).run()  # tab one answers question 1
    second.chat_input[0].set_value("Typed for question one in tab two").run()  # tab two still shows it
    assert any("already answered" in w.value for w in second.warning)
    assert "Typed for question one in tab two" in [c.value for c in second.code]
    answers = storage.list_answers(db_path, interview_id)
    assert [a.text for a in answers] == [ANSWER], "the stale answer is not filed against question 2"


def test_unknown_interview_link_falls_back_to_setup(db_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["interview"] = "no-such-interview"
    at.run()
    assert not at.exception
    assert any(b.label == "Start interview" for b in at.button)


def test_a_failing_grader_keeps_the_answer_and_offers_a_retry(db_path: Path, monkeypatch) -> None:
    from coach.grading.rules import RuleBasedGrader

    real = RuleBasedGrader.grade
    monkeypatch.setattr(RuleBasedGrader, "grade", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    at = start_interview(new_app(), 2)
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    assert "Grading failed: RuntimeError" in warnings(at) and "Your answer is saved" in warnings(at)
    assert recent_answers(db_path)[0].text == ANSWER
    monkeypatch.setattr(RuleBasedGrader, "grade", real)
    button(at, "Grade it now").click()
    at.run()
    assert "Score:" in "".join(m.value for m in at.markdown)
    assert recent_answers(db_path)[0].grade is not None


def test_question_text_in_history_labels_is_not_markdown(db_path: Path) -> None:
    import uuid

    from coach.models import Interview, InterviewSetup

    interview = Interview(
        id=uuid.uuid4().hex, created_at=storage.now(), setup=InterviewSetup(n_questions=1), question_ids=("batch:1",)
    )
    storage.create_interview(db_path, interview)
    question = "Cut **bold** [link](https://evil.example) and $x^2$ costs?"
    storage.record_answer(db_path, interview.id, 0, ("batch:1", question, "behavioral"), "An answer.")
    at = new_app()
    at.switch_page("app_pages/history.py").run()
    label = at.expander[1].label  # after "Filters"
    assert "\\*\\*bold\\*\\*" in label and "\\[link\\]" in label and "\\$x^2\\$" in label


def test_bad_settings_are_reported_not_fatal(db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STAR_COACH_LLM_TIMEOUT", "abc")
    at = new_app()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    assert any("STAR\\_COACH\\_LLM\\_TIMEOUT" in w.value for w in at.warning), "shown as text, not Markdown"


def test_a_locked_database_keeps_the_typed_answer_and_says_why(db_path: Path, monkeypatch) -> None:
    import sqlite3
    import threading

    at = start_interview(new_app(), 2)
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_S", 0.3)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:  # another program holding the write lock past our wait
        conn = sqlite3.connect(db_path, timeout=5)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(30)
        conn.rollback()
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        at.chat_input[0].set_value(ANSWER).run()
    finally:
        release.set()
        holder.join(10)
    assert not at.exception
    assert any("another program is writing to it" in w.value for w in at.warning)
    assert [c.value for c in at.code] == [ANSWER], "the typed answer is shown back to copy"
    interview_id = at.session_state["interview_id"]
    assert storage.list_answers(db_path, interview_id) == []
    # Once the other program is done, the same answer goes in.
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    (saved,) = storage.list_answers(db_path, interview_id)
    assert saved.text == ANSWER and saved.grade is not None

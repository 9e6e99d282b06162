"""The "Practise for a job" page, headless through AppTest on a real database file: paste or upload, read,
adjust, start; and questions written by an LLM on the loopback server, or why not."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage
from tests.app_support import button, captions, html_text, new_app, read, warnings
from tests.llm_server import FakeOpenAIServer, Reply, running_server
from tests.pdf_support import pdf
from tests.test_app import ANSWER
from tests.test_job_reading import BULLETS, FRENCH, HTML
from tests.test_job_writer import WRITTEN, reply_with

PAGE = "app_pages/job.py"
JOB = "Logistics Manager"


def job_page() -> AppTest:
    at = new_app()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def read_description(at: AppTest, text: str) -> AppTest:
    at.text_area[0].set_value(text)
    button(at, "Read this job description").click()
    return at.run()


def markdown(at: AppTest) -> str:
    """The page's markdown as read: escapes and bold marks gone."""
    return "\n".join(read(m.value).replace("**", "") for m in at.markdown)


@pytest.fixture
def llm(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    with running_server() as server:
        server.responder = lambda request: reply_with(WRITTEN)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("STAR_COACH_MODEL", "test-model")
        monkeypatch.setenv("STAR_COACH_LLM_TIMEOUT", "5")
        yield server


def test_paste_read_adjust_nothing_written_then_start_and_answer(db_path: Path) -> None:
    at = read_description(job_page(), BULLETS)
    assert not at.exception
    text = markdown(at)
    assert "Role: Logistics Manager" in text
    assert "Level: Mid (operations, production, logistics manager)" in text
    assert "Blue Yonder" in text and "OTIF (on time in full)" in text
    assert "Logistics and distribution: " in html_text(at) and "carriers ×2" in html_text(at)
    assert "The 10 questions it will ask" in text
    assert any("Left out 2 lines" in c for c in captions(at).splitlines())
    assert not any(b.label.startswith("Also write") for b in at.button)
    assert "With an LLM set up" in captions(at), "without an LLM the page says what one would add"

    at.radio[0].set_value("senior").run()  # reading and adjusting never write
    at.number_input[0].set_value(3).run()
    assert "The 3 questions it will ask" in markdown(at)
    assert storage.list_interviews(db_path) == [] and storage.list_custom_questions(db_path) == []

    button(at, "Start a tailored interview").click()
    at.run()
    assert not at.exception
    assert "Question 1 of 3" in captions(at)
    [interview] = storage.list_interviews(db_path)
    assert interview.setup.level == "senior" and interview.setup.n_questions == 3
    assert at.query_params.get("interview") in (interview.id, [interview.id])
    at.switch_page("app_pages/practice.py").run()  # AppTest reruns the page it was given, not the one switched to
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception and "Question 2 of 3" in captions(at)


def test_an_uploaded_pdf_is_read(db_path: Path) -> None:
    at = job_page()
    lines = [line for line in BULLETS.splitlines() if line.strip()]
    at.file_uploader[0].set_value(("posting.pdf", pdf([lines]), "application/pdf"))
    button(at, "Read this job description").click()
    at.run()
    assert not at.exception
    assert "Role: Logistics Manager" in markdown(at)


def test_html_from_a_job_board_is_read_as_its_text(db_path: Path) -> None:
    at = read_description(job_page(), HTML)
    assert "Role: Warehouse Supervisor" in markdown(at) and "Level: Entry" in markdown(at)
    assert "<li>" not in markdown(at)


@pytest.mark.parametrize(
    ("text", "says"),
    [(FRENCH, "English only"), ("   ", "There is no text to read"), ("Logistics Manager. Apply.", "too short")],
    ids=["french", "empty", "short"],
)
def test_text_that_cannot_be_read_gets_its_reason(db_path: Path, text: str, says: str) -> None:
    at = read_description(job_page(), text)
    assert not at.exception
    assert says in warnings(at)
    assert not any(b.label.startswith("Start") for b in at.button)


def test_a_scanned_pdf_gets_its_reason(db_path: Path) -> None:
    at = job_page()
    at.file_uploader[0].set_value(("scan.pdf", pdf([[]]), "application/pdf"))
    button(at, "Read this job description").click()
    at.run()
    assert "scanned image" in warnings(at)


def test_a_new_description_replaces_the_old_findings(db_path: Path) -> None:
    at = read_description(job_page(), BULLETS)
    at = read_description(at, HTML)
    assert "Role: Warehouse Supervisor" in markdown(at) and "Logistics Manager" not in markdown(at)
    assert at.radio[0].value == "entry", "the level starts from the new description's"


# -- questions written by the LLM -------------------------------------------------------------------


def test_with_an_llm_questions_are_written_for_the_job_and_asked_first(llm: FakeOpenAIServer, db_path: Path) -> None:
    at = read_description(job_page(), BULLETS)
    button(at, "Also write 3 questions for this job").click()
    at.run()
    assert not at.exception
    assert any("Wrote 3 questions for this job (test-model)" in read(s.value) for s in at.success)
    assert [q.job for q in storage.list_custom_questions(db_path)] == ["Logistics Manager"] * 3
    preview = next(str(h.proto.body) for h in at.get("html") if "(for: Logistics Manager)" in str(h.proto.body))
    items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", preview)]
    assert items[:3] == [f"★ {w['text']} (for: Logistics Manager)" for w in WRITTEN] and len(items) == 10
    button(at, "Start a tailored interview").click()
    at.run()
    [interview] = storage.list_interviews(db_path)
    mine = {q.id for q in storage.list_custom_questions(db_path)}
    assert set(interview.question_ids[:3]) == mine


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(500, b'{"error": {"message": "boom sk-secret"}}'), "the LLM server failed (HTTP 500)"),
        (reply_with([{"text": "Hi"}]), "the LLM's reply held no usable question"),
        (Reply(401, b'{"error": {"message": "bad key"}}'), "the LLM server refused the API key (HTTP 401)"),
    ],
    ids=["always-500", "unusable", "401"],
)
def test_a_failing_llm_says_why_and_the_offline_interview_still_starts(
    llm: FakeOpenAIServer, db_path: Path, reply: Reply, reason: str
) -> None:
    llm.responder = lambda request: reply
    at = read_description(job_page(), BULLETS)
    button(at, "Also write 3 questions for this job").click()
    at.run()
    assert not at.exception
    said = warnings(at)
    assert f"No questions were written: {reason}" in said
    assert "The questions above come from the built-in bank, which works offline" in said
    assert "sk-secret" not in said
    assert storage.list_custom_questions(db_path) == []
    assert "The 10 questions it will ask" in markdown(at)
    button(at, "Start a tailored interview").click()
    at.run()
    assert "Question 1 of 10" in captions(at)


def test_an_unreachable_llm_says_so(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.browser_support import free_port

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    at = read_description(job_page(), BULLETS)
    button(at, "Also write 3 questions for this job").click()
    at.run()
    assert "No questions were written: the LLM server could not be reached" in warnings(at)


def test_the_question_bank_shows_whom_a_question_is_for_and_keeps_it_on_edit(db_path: Path) -> None:
    from coach.question_io import build_question

    written = build_question({"text": "Walk me through your first LTL tender here.", "topics": "logistics", "job": JOB})
    storage.add_custom_questions(db_path, [written])
    at = new_app()
    at.switch_page("app_pages/question_bank.py").run()
    assert "For: Logistics Manager" in markdown(at)
    next(t for t in at.toggle if t.label == "Edit").set_value(True).run()
    add_field, edit_field = [t for t in at.text_input if t.label.startswith("For the job")]
    assert add_field.value == "" and edit_field.value == JOB
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception
    assert [q.job for q in storage.list_custom_questions(db_path)] == [JOB]

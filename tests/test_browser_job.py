"""End to end in real headless Chromium: a job posting uploaded as a PDF, then one pasted, read, and a tailored
interview started and answered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import storage
from tests.browser_support import CHROMIUM, settle, streamlit_server
from tests.pdf_support import pdf
from tests.test_app import ANSWER
from tests.test_job_reading import BULLETS, HTML

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402


def test_from_a_posting_to_a_tailored_interview(page: Page, tmp_path: Path) -> None:
    db_path = tmp_path / "coach.db"
    posting = tmp_path / "posting.pdf"
    posting.write_bytes(pdf([[line for line in BULLETS.splitlines() if line.strip()]]))
    with streamlit_server(db_path) as url:
        page.goto(f"{url}/job")
        expect(page.get_by_role("heading", name="Practise for a job")).to_be_visible(timeout=30_000)
        settle(page)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(posting))
        expect(page.get_by_text("posting.pdf")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Read this job description").click()
        expect(page.get_by_text("Role: Logistics Manager")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Logistics and distribution:")).to_be_visible()

        # A pasted posting (HTML from a job board) replaces the uploaded one once the file is removed.
        settle(page)
        expect(page.get_by_text("Read from the file posting.pdf (")).to_be_visible()
        page.get_by_role("button", name="Remove posting.pdf").click()
        page.get_by_label("Job description").fill(HTML)
        page.get_by_role("button", name="Read this job description").click()
        expect(page.get_by_text("Role: Warehouse Supervisor")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Read from the pasted text (")).to_be_visible()
        expect(page.get_by_text("The 10 questions it will ask")).to_be_visible()
        assert page.locator("li").filter(has_text="<li>").count() == 0, "the HTML was read as text, not shown"
        assert storage.list_interviews(db_path) == [], "reading writes nothing"

        settle(page)
        page.get_by_role("button", name="Start a tailored interview").click()
        expect(page.get_by_text("Question 1 of 10")).to_be_visible(timeout=30_000)
        assert "interview=" in page.url
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_enabled(timeout=30_000)
        settle(page)
        box.fill(ANSWER)
        box.press("Enter")
        expect(page.get_by_text("Score:")).to_have_count(1, timeout=30_000)
    [interview] = storage.list_interviews(db_path)
    assert interview.setup.level == "entry" and len(interview.question_ids) == 10

"""End to end in real headless Chromium: answer a question, save the answer as a story, find the story mapped
to another question, and practise it there with the story beside the question."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, settle, streamlit_server
from tests.test_stories import ANSWER

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

# The question answered (inventory-b01), and another the story saved from the answer maps to (inventory-b02).
ANSWERED = "Tell me about a time you helped improve inventory record accuracy, for example through cycle counting."
OTHER = "Give me an example of reducing excess or obsolete stock without hurting service levels."


def answer_the_question(page: Page, url: str) -> None:
    """Find the question on the Question bank page, practise it now, and answer it."""
    page.goto(f"{url}/question_bank")
    page.get_by_label("Search").fill("inventory record accuracy cycle counting")
    page.get_by_label("Search").press("Enter")
    practise = page.get_by_role("button", name="Practise this question now")
    expect(practise).to_be_visible(timeout=30_000)
    settle(page)
    practise.click()
    expect(page.get_by_text("Question 1 of 1")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(ANSWERED)).to_be_visible()
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_enabled(timeout=30_000)
    settle(page)
    box.fill(ANSWER)
    box.press("Enter")
    expect(page.get_by_text(re.compile(r"^Score: \d+/100$"))).to_have_count(1, timeout=30_000)


def test_save_an_answer_as_a_story_and_find_it_mapped_to_another_question(page: Page, tmp_path: Path) -> None:
    with streamlit_server(tmp_path / "coach.db") as url:
        answer_the_question(page, url)
        settle(page)
        page.get_by_role("button", name="Save as a story").click()

        expect(page.get_by_role("heading", name="Save your answer as a story")).to_be_visible(timeout=30_000)
        # The form holds the answer's parts, as the grade read them, to edit before saving.
        expect(page.get_by_role("textbox", name="Action")).to_have_value(re.compile(r"^I set up daily ABC cycle"))
        expect(page.get_by_role("textbox", name="Result")).to_have_value(re.compile(r"accuracy reached 99\.3%"))
        settle(page)
        page.get_by_role("textbox", name="Title").fill("Cycle counts at the regional DC")
        page.get_by_role("button", name="Save story").click()
        expect(page.get_by_text("Saved your story “Cycle counts at the regional DC”.")).to_be_visible(timeout=30_000)
        # Saving runs the page twice (the save, then the rerun that shows it), and settle() could find the
        # moment between the two: a click there was lost once in four full runs. A fresh load is one run.
        page.goto(f"{url}/stories")
        expect(page.get_by_role("heading", name="Your stories (1)")).to_be_visible(timeout=30_000)
        settle(page)

        story = page.get_by_test_id("stExpander").filter(has_text="Cycle counts at the regional DC")
        expect(story).to_contain_text("told 1 time")
        settle(page)
        story.locator("summary").click()
        expect(story.get_by_text(OTHER)).to_be_visible(timeout=30_000)

        settle(page)
        story.get_by_role("button", name="Practise this story on a new question").click()
        expect(page.get_by_text("Question 1 of 1")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(OTHER)).to_be_visible()
        expect(page.get_by_text("Your story: Cycle counts at the regional DC")).to_be_visible()

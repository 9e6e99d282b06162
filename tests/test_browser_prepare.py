"""Issue 15 end to end in real headless Chromium: paste a job description, start the tailored interview,
answer, see the strong example answer and the answer in STAR order, save the answer as a story, and find the
story mapped to another question on the Stories page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import storage
from coach.questions import load_bank
from tests.browser_support import CHROMIUM, settle, streamlit_server

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

POSTING = """Inventory Control Supervisor - regional distribution centre

About the role
- Lead a team of six inventory controllers across two shifts
- Own inventory record accuracy: daily cycle counting by ABC class, variance investigation and root cause
- Reduce excess and obsolete stock with purchasing, and protect the fill rate
- Report weekly KPIs: inventory accuracy, shrink, days of supply
Requirements: 3+ years in warehouse inventory control, WMS (Manhattan or SAP EWM), Excel.
"""
# An answer with no number in its result: the STAR-order view asks for one in brackets.
ANSWER = (
    "At our regional distribution centre last spring, location accuracy was poor and pickers kept finding empty "
    "pick faces, which caused short shipments to stores. I was asked by my manager to fix inventory record "
    "accuracy for the fast movers. I set up daily ABC cycle counts, logged every variance with a cause code and "
    "ran a Pareto chart, which traced most errors to missed putaway scans, so I retrained the night shift on "
    "scanning. In the end accuracy got much better and the stores stopped complaining."
)


def test_from_a_job_posting_to_a_story_mapped_to_another_question(page: Page, tmp_path: Path) -> None:
    db_path = tmp_path / "coach.db"
    with streamlit_server(db_path) as url:
        page.goto(f"{url}/job")
        expect(page.get_by_role("heading", name="Practise for a job")).to_be_visible(timeout=30_000)
        settle(page)
        page.get_by_label("Job description").fill(POSTING)
        page.get_by_role("button", name="Read this job description").click()
        expect(page.get_by_text("Inventory:").first).to_be_visible(timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Start a tailored interview").click()
        expect(page.get_by_text(re.compile(r"^Question 1 of \d+"))).to_be_visible(timeout=30_000)

        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_enabled(timeout=30_000)
        settle(page)
        box.fill(ANSWER)
        box.press("Enter")
        expect(page.get_by_text(re.compile(r"^Score: \d+/100$"))).to_have_count(1, timeout=30_000)
        settle(page)

        # A strong example answer to the same question, its parts highlighted by our grader.
        page.get_by_text("See a strong answer").click()
        expect(page.get_by_text(re.compile(r"^Our grader gives this answer \d+/100"))).to_be_visible(timeout=30_000)
        # The answer in STAR order: the candidate's own words, with the missing facts asked for in brackets.
        settle(page)
        page.get_by_text("Your answer, stronger").click()
        expect(page.get_by_text("I set up daily ABC cycle counts", exact=False).last).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"\[By how much did the accuracy change\?\]"))).to_be_visible()

        settle(page)
        page.get_by_role("button", name="Save as a story").click()
        expect(page.get_by_role("heading", name="Save your answer as a story")).to_be_visible(timeout=30_000)
        settle(page)
        page.get_by_role("textbox", name="Title").fill("Cycle counts and putaway scans")
        page.get_by_role("button", name="Save story").click()
        expect(page.get_by_text("Saved your story “Cycle counts and putaway scans”.")).to_be_visible(timeout=30_000)

        story = page.get_by_test_id("stExpander").filter(has_text="Cycle counts and putaway scans")
        expect(story).to_contain_text("told 1 time")
        settle(page)
        story.locator("summary").click()
        expect(story.get_by_text("Questions it can answer")).to_be_visible(timeout=30_000)
        expect(story.get_by_text(re.compile(r"^Fit \d+/100")).first).to_be_visible()
        listed = story.get_by_test_id("stHtml").all_inner_texts()
    [interview] = storage.list_interviews(db_path)
    [answered] = storage.list_answers(db_path, interview.id)
    assert interview.question_ids[0].startswith("inventory"), interview.question_ids[:3]
    bank = {q.text for q in load_bank()}
    others = [text.strip() for text in listed if text.strip() in bank and text.strip() != answered.question_text]
    assert others, f"the story answers another question too: {listed}"

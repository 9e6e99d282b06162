"""End to end in real headless Chromium: answer two questions, reload, find them on History."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    add_custom_question,
    settle,
    start_and_answer,
    streamlit_server,
)

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

ANSWERS = [
    "At our regional DC in 2023 about 3% of orders shipped with a wrong item. I was asked to halve that "
    "within a quarter. I ran a Pareto of errors by zone, re-slotted look-alike SKUs and added scan-to-verify "
    "at packing. Within ten weeks errors fell to 1.1% and credits dropped by $18,000 a month.",
    "<script>alert('boo')</script><img src=x onerror=alert(1)> When I was a production planner at a "
    "200-person plant, changeovers took "
    "90 minutes. My goal was to cut them by half. I filmed a changeover, ran a SMED workshop and moved "
    "tooling prep offline. Changeovers fell to 40 minutes in two months and OEE rose 6 points.",
]


def answer(page: Page, text: str, graded_so_far: int) -> float:
    expect(page.get_by_text(f"Question {graded_so_far + 1} of 5")).to_be_visible(timeout=30_000)
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_enabled(timeout=30_000)
    settle(page)
    box.fill(text)
    started = time.monotonic()
    box.press("Enter")
    expect(page.get_by_text("Score:")).to_have_count(graded_so_far + 1, timeout=30_000)
    return time.monotonic() - started


def test_interview_in_the_browser(page: Page, tmp_path: Path) -> None:
    db_path = tmp_path / "coach.db"
    launched = time.monotonic()
    with streamlit_server(db_path) as url:
        page.goto(url)
        page.get_by_role("button", name="Start interview").click()
        expect(page.get_by_text("Question 1 of 5")).to_be_visible(timeout=30_000)
        first_question_s = time.monotonic() - launched
        timings = [answer(page, text, i) for i, text in enumerate(ANSWERS)]
        expect(page.get_by_text("Question 3 of 5")).to_be_visible()
        for part in ("situation", "task", "action", "result"):
            assert page.locator(f"mark[data-part={part}]").count() >= 1, f"no {part} highlighted"
        # Shown as text: the literal markup is visible, and no element was made from it.
        expect(page.get_by_text("<script>alert('boo')</script><img src=x onerror=alert(1)>").first).to_be_visible()
        assert page.locator("img[src=x]").count() == 0

        page.reload()
        expect(page.get_by_text("Question 3 of 5")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Score:")).to_have_count(2)

        interview_url_query = page.url.split("?", 1)[1]

    # A server restart: the same database, a new process and port, the interview's link.
    with streamlit_server(db_path) as url:
        page.goto(f"{url}/?{interview_url_query}")
        expect(page.get_by_text("Question 3 of 5")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Score:")).to_have_count(2)

        page.get_by_role("link", name="History").click()
        expect(page.get_by_role("heading", name="History")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stExpander").filter(has_text="/100")).to_have_count(2)
        page.screenshot(path=str(tmp_path / "history.png"))
    print(
        f"\nfirst question after launch: {first_question_s:.2f} s; graded answers: "
        + ", ".join(f"{t:.2f} s" for t in timings)
    )


def test_a_custom_question_added_in_the_browser_is_asked(page: Page, tmp_path: Path) -> None:
    question = "Tell me about a time you rebuilt the <b>night-shift</b> pick plan at the Zaragoza cross-dock."
    with streamlit_server(tmp_path / "coach.db") as url:
        add_custom_question(page, url, question, "Logistics")

        page.get_by_role("tab", name="Browse").click()
        page.get_by_label("Search").fill("Zaragoza night-shift")
        page.get_by_label("Search").press("Enter")
        expect(page.get_by_text("1 of 242 questions")).to_be_visible(timeout=30_000)
        settle(page)
        # The one match shows open: no click on the expander first (with one, under load, the page now
        # and then sent nothing for the click on the button inside it; cause not found).
        practise = page.get_by_role("button", name="Practise this question now")
        expect(practise).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stExpander").first.locator("details")).to_have_attribute("open", "")
        settle(page)
        practise.click()

        expect(page.get_by_text("Question 1 of 1")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(question)).to_be_visible()  # the markup shown as text
        assert page.locator("b", has_text="night-shift").count() == 0
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_enabled(timeout=30_000)
        settle(page)  # text typed while the run lasts can be lost when it ends
        box.fill(ANSWERS[0])
        box.press("Enter")
        expect(page.get_by_text("Interview summary")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"^Score: \d+/100$"))).to_have_count(1)
        assert page.locator("mark[data-part=result]").count() >= 1


def test_llm_fallback_notice_and_a_follow_up_in_the_browser(page: Page, tmp_path: Path) -> None:
    from tests.llm_server import Reply, running_server

    weak = "I think communication is really important and I always keep everyone informed."
    reply = (
        "At our Leeds DC in 2023 late orders hit 4%. I owned the fix and re-sequenced the pick waves. "
        "Within six weeks on-time shipping rose from 96% to 99.2%."
    )
    with running_server() as llm:
        # The first grade meets a failing server (503, then 503 on the one retry): rules grade it.
        llm.enqueue(Reply(503, b'{"error": {"message": "overloaded"}}'), Reply(503, b"{}"))
        env = {"OPENAI_BASE_URL": llm.url, "STAR_COACH_MODEL": "test-model", "STAR_COACH_LLM_TIMEOUT": "10"}
        with streamlit_server(tmp_path / "coach.db", env) as url:
            start_and_answer(page, url, 1, weak)
            expect(page.get_by_text("Graded by rules because the LLM server failed (HTTP 503)")).to_be_visible(
                timeout=30_000
            )
            expect(page.get_by_text(re.compile(r"^Follow-up on your"))).to_be_visible()
            # Until the run ends, the answer box of the run before stands beside the reply box (stale).
            settle(page)
            reply_box = page.get_by_test_id("stChatInputTextArea")
            expect(reply_box).to_have_attribute("placeholder", re.compile(r"^Your reply to the follow-up"))
            settle(page)
            reply_box.fill(reply)
            reply_box.press("Enter")
            expect(page.get_by_text(re.compile(r"With your reply: \d+ → 80 \(\+\d+\)"))).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Graded by the LLM (test-model)")).to_be_visible()
            expect(page.get_by_text("Interview summary")).to_be_visible()
    assert len(llm.requests) == 3, "two for the failed grade (one retry), one for the re-grade"


def test_find_an_answer_by_search_and_download_the_csv(page: Page, tmp_path: Path) -> None:
    with streamlit_server(tmp_path / "coach.db") as url:
        page.goto(url)
        page.get_by_label("Number of questions").fill("2")
        page.get_by_role("button", name="Start interview").click()
        for graded, text in enumerate(ANSWERS, start=1):
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_enabled(timeout=30_000)
            settle(page)
            box.fill(text)
            box.press("Enter")
            # Wait for the grade itself, not for a while: the next answer goes to the next question.
            expect(page.get_by_text(re.compile(r"^Score: \d+/100"))).to_have_count(graded, timeout=30_000)
        expect(page.get_by_text("Interview summary")).to_be_visible(timeout=30_000)

        page.get_by_role("link", name="History").click()
        search = page.get_by_label("Search your answers and questions")
        started = time.monotonic()
        search.fill("SMED tooling")
        search.press("Enter")
        expect(page.get_by_text("1 answer · page 1 of 1")).to_be_visible(timeout=30_000)
        search_s = time.monotonic() - started
        settle(page)
        page.get_by_test_id("stExpander").filter(has_text="/100").first.click()
        for part in ("situation", "task", "action", "result"):
            expect(page.locator(f"mark[data-part={part}]").first).to_be_visible()
        settle(page)  # the expander's own run must end before the download is asked for
        with page.expect_download() as info:
            page.get_by_role("button", name="Answers (CSV)").click()
        path = info.value.path()
        content = Path(path).read_bytes().decode("utf-8")
    header, *rows = csv.reader(io.StringIO(content))
    assert header[:3] == ["answer_id", "interview_id", "answered_at"]
    assert len(rows) == 1, "the export follows the search"
    assert "SMED workshop" in rows[0][header.index("answer")]
    assert rows[0][header.index("answer")].startswith("<script>alert('boo')</script>")
    print(f"\nsearch round trip in the browser: {search_s:.2f} s")


def test_no_request_leaves_the_machine_and_a_long_paste_is_kept(page: Page, tmp_path: Path) -> None:
    """Every page loads only from 127.0.0.1; an answer over the limit is refused with the limit and shown back."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    too_long = "We re-slotted the fast movers. " * 700  # 21,700 characters
    with streamlit_server(tmp_path / "coach.db") as url:
        start_and_answer(page, url, 5, too_long)
        expect(page.get_by_text(re.compile(r"Your answer has 21,700 characters; the limit is 20,000"))).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_test_id("stCode")).to_contain_text("We re-slotted the fast movers.")
        expect(page.get_by_text("Question 1 of 5")).to_be_visible()
        for name in ("History", "Progress", "Question bank", "Settings"):
            page.get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", name=name).first).to_be_visible(timeout=30_000)
        page.reload()
        expect(page.get_by_role("heading", name="Settings").first).to_be_visible(timeout=30_000)
        # Browsers fetch the favicon outside the page's own requests: check where it points.
        requests += page.eval_on_selector_all("link[rel~='icon']", "links => links.map(l => l.href)")
    local = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)[:/]|^(?:data|blob):")
    outside = [u for u in requests if not local.match(u)]
    assert requests and not outside, f"requests left the machine: {outside}"


def test_a_backup_over_5_mb_restores_through_the_settings_page(page: Page, tmp_path: Path) -> None:
    import storage
    from coach.grading.rules import RuleBasedGrader
    from coach.history import HistoryService
    from coach.library import QuestionLibrary

    source = tmp_path / "source.db"
    text = (ANSWERS[0] + " ") * 20
    grade = RuleBasedGrader().grade("Tell me about picking errors.", text)
    writer = storage.BatchWriter(source)
    for i in range(1400):
        writer.add((f"batch:a{i}", "Tell me about picking errors.", "behavioral"), text, grade)
    writer.close()
    backup = tmp_path / "backup.json"
    backup.write_text(HistoryService(source, QuestionLibrary(source, [])).backup_json(), encoding="utf-8")
    assert backup.stat().st_size > 6_000_000

    (tmp_path / "fresh").mkdir()
    with streamlit_server(tmp_path / "fresh" / "coach.db") as url:
        page.goto(f"{url}/settings")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(backup))
        page.get_by_role("button", name="Restore", exact=True).click()
        expect(page.get_by_text("Restored 1 interviews, 1400 answers, 1400 grades")).to_be_visible(timeout=60_000)
    assert len(storage.list_answers(tmp_path / "fresh" / "coach.db", writer.interview_id)) == 1400

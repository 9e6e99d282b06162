"""The answer clock in real headless Chromium: it ticks in the page without rerunning the script."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from coach.delivery import clock
from tests.browser_support import CHROMIUM, settle, streamlit_process

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Locator, Page, expect  # noqa: E402

WAIT_MS = 30_000  # generous: a busy 2-core machine may take seconds to render a run


@pytest.fixture(scope="module")
def timer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The clock's test page (tests/timer_app.py) on a free loopback port; each test's page is its own session."""
    with streamlit_process(tmp_path_factory.mktemp("timer") / "coach.db", script="tests/timer_app.py") as (url, _):
        yield url


def clock_at_least(seconds: int, target_s: int | None = None) -> re.Pattern[str]:
    """The clock's text at any time from `seconds` to a minute later."""
    times = "|".join(clock(s) for s in range(seconds, seconds + 60))
    suffix = f" / {clock(target_s)}" if target_s else ""
    return re.compile(rf"^(?:{times}){re.escape(suffix)}")


def elapsed(answer_clock: Locator) -> int:
    expect(answer_clock).to_have_attribute("data-elapsed", re.compile(r"^\d+$"), timeout=WAIT_MS)
    return int(answer_clock.get_attribute("data-elapsed") or "")


def open_clock(page: Page, url: str) -> Locator:
    page.goto(url)
    expect(page.get_by_text("Script runs: 1")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    answer_clock = page.get_by_role("timer")
    expect(answer_clock).to_be_visible(timeout=WAIT_MS)
    return answer_clock


def test_the_clock_ticks_without_rerunning_the_script(page: Page, timer_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    answer_clock = open_clock(page, f"{timer_url}/?target_s=600")
    start = elapsed(answer_clock)
    expect(answer_clock).to_have_text(clock_at_least(start + 3, 600), timeout=WAIT_MS)
    # Three seconds of ticking and the script ran once: the clock sent the app nothing.
    expect(page.get_by_text("Script runs: 1")).to_be_visible()
    expect(answer_clock).to_have_attribute("data-state", "ok")
    expect(answer_clock).not_to_contain_text("past your")
    # Everything the page loaded came from the app on loopback: no CDN.
    assert [u for u in requested if not u.startswith((timer_url, "data:", "blob:"))] == []

    # A rerun of the same question re-renders the same clock: it counts on, not from zero.
    before = elapsed(answer_clock)
    page.get_by_role("button", name="Rerun").click()
    expect(page.get_by_text("Script runs: 2")).to_be_visible(timeout=WAIT_MS)
    assert elapsed(answer_clock) >= before

    # A new question starts its clock again: from 0:08 or later back to a few seconds.
    expect(answer_clock).to_have_text(clock_at_least(max(before + 3, 8), 600), timeout=WAIT_MS)
    settle(page)
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_text("Question 2")).to_be_visible(timeout=WAIT_MS)
    settle(page)  # the first question's clock, shown faded while the run lasts, is gone when it ends
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^0:0[0-5] / 10:00"), timeout=WAIT_MS)


def test_the_clock_turns_amber_then_red_past_its_target(page: Page, timer_url: str) -> None:
    # A 12-second target: within its last 15 seconds from the start, past it 12 seconds later.
    answer_clock = open_clock(page, f"{timer_url}/?target_s=12")
    expect(answer_clock).to_have_attribute("data-state", "near", timeout=WAIT_MS)
    # The state and its colour read at one instant, so the clock cannot turn in between.
    state, colour = answer_clock.evaluate("e => [e.dataset.state, getComputedStyle(e).color]")
    assert (state, colour) == ("near", "rgb(180, 83, 9)")  # amber
    expect(answer_clock).not_to_contain_text("past your")

    expect(answer_clock).to_have_attribute("data-state", "over", timeout=WAIT_MS)
    expect(answer_clock).to_contain_text("past your 0:12 target")
    expect(answer_clock).to_have_text(re.compile(r"^\d+:\d\d / 0:12"))
    assert answer_clock.evaluate("e => getComputedStyle(e).color") == "rgb(220, 38, 38)"  # red
    expect(page.get_by_text("Script runs: 1")).to_be_visible()


def test_without_a_target_the_clock_only_counts(page: Page, timer_url: str) -> None:
    answer_clock = open_clock(page, f"{timer_url}/?target_s=0")
    expect(answer_clock).to_have_text(clock_at_least(elapsed(answer_clock) + 1), timeout=WAIT_MS)
    expect(answer_clock).not_to_contain_text("/")
    expect(answer_clock).to_have_attribute("data-state", "ok")


def test_the_target_picker_sets_the_clock(page: Page, timer_url: str) -> None:
    answer_clock = open_clock(page, timer_url)
    expect(answer_clock).to_contain_text("/ 2:00")
    page.get_by_role("radio", name="3 min").click()
    expect(page.get_by_text("Script runs: 2")).to_be_visible(timeout=WAIT_MS)
    expect(answer_clock).to_contain_text("/ 3:00", timeout=WAIT_MS)


def test_a_reload_does_not_set_the_clock_back(page: Page, timer_url: str) -> None:
    # A reload is a new session, whose clock would start at 0:00: the page keeps when it first showed
    # the question, so the candidate's time on it goes on counting.
    answer_clock = open_clock(page, f"{timer_url}/?target_s=600")
    expect(answer_clock).to_have_text(clock_at_least(5, 600), timeout=WAIT_MS)
    before = elapsed(answer_clock)
    page.reload()
    expect(page.get_by_text("Script runs: 1")).to_be_visible(timeout=WAIT_MS)  # a new session indeed
    answer_clock = page.get_by_role("timer")
    # Read at once, not waited for: from 0:00 the clock would reach the old time too, only later.
    assert elapsed(answer_clock) >= before

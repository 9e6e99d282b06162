"""Regenerate docs/screenshot.png: the real app in headless Chromium, one graded answer."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, streamlit_server

ANSWER = (
    "At our 150-person regional DC in 2023, about 3% of orders shipped with a wrong or missing item. "
    "I was asked to halve that error rate before peak season. I ran a Pareto of errors by zone, "
    "re-slotted look-alike SKUs and added scan-to-verify at packing, then coached the two shifts with the "
    "most errors. Within ten weeks errors fell to 1.1% and customer credits dropped by $18,000 a month."
)


def main() -> None:
    out = Path(__file__).resolve().parent / "screenshot.png"
    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(Path(tmp) / "coach.db") as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        page.goto(url)
        page.get_by_text("Behavioural").first.click()
        topics = page.locator('[data-testid="stMultiSelect"] input')
        topics.fill("Quality")
        topics.press("Enter")
        topics.press("Escape")
        page.get_by_text("Number of questions").click()
        page.get_by_role("button", name="Start interview").click()
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(ANSWER)
        box.press("Enter")
        expect(page.get_by_text("Score:")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(out)


if __name__ == "__main__":
    main()

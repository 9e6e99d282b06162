"""Starting the real app on loopback and a real headless Chromium for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coach.config import SETTING_NAMES

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Loopback only: a proxy set in the environment must not see these requests.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> float:
    """Seconds until the server answers its health check."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{_tail(log)}")
        try:
            with _DIRECT.open(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def streamlit_process(
    db_path: Path, extra_env: dict[str, str] | None = None, address: str | None = "127.0.0.1", script: str = "app.py"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run app.py` (or another script) on a free port; yields its loopback URL and the process.

    `address=None` passes no --server.address, so the project's .streamlit/config.toml decides.
    """
    port = free_port()
    # The developer's own LLM settings must not leak into a test's server.
    inherited = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env = {**inherited, "STAR_COACH_DB": str(db_path), **(extra_env or {})}
    log_path = db_path.parent / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    command += ["--server.headless", "true"] + (["--server.address", address] if address else [])
    # Nothing edits the source while a test runs; a watcher would only spend CPU (and a file touched
    # by another process mid-test would change what the page shows).
    command += ["--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, process, log_path)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def streamlit_server(db_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port; yields its URL."""
    with streamlit_process(db_path, extra_env) as (url, _):
        yield url


def require_chromium() -> None:
    """Skip a browser test without Chromium locally; in CI a missing Chromium is a failure."""
    import pytest

    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


def add_custom_question(page, url: str, text: str, topic: str) -> None:
    """Add one of the user's own questions through the Question bank page's form."""
    from playwright.sync_api import expect

    page.goto(f"{url}/question_bank")
    page.get_by_role("tab", name="My questions").click()
    page.get_by_label("Question", exact=True).fill(text)
    topics = page.get_by_test_id("stMultiSelect").filter(has_text="Topics")
    topics.locator("input").fill(topic)
    topics.locator("input").press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Added your question")).to_be_visible(timeout=30_000)


def start_and_answer(page, url: str, n_questions: int, answer: str) -> None:
    """Start an interview of n questions from the Practice page and submit one answer."""
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("Number of questions").fill(str(n_questions))
    page.get_by_role("button", name="Start interview").click()
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_enabled(timeout=30_000)
    settle(page)
    box.fill(answer)
    box.press("Enter")


def settle(page) -> None:
    """Wait until the app has finished its script run: a click made during a rerun can be lost.

    Call it after waiting for what the interaction changes, so the run it started has begun.
    """
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=30_000)

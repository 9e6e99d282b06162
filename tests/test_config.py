"""Settings: environment over secrets file; the key never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import default_db_path, load_settings, redact_url


@pytest.fixture(autouse=True)
def _own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_defaults_put_the_database_outside_the_checkout(tmp_path: Path) -> None:
    settings = load_settings(env={}, cwd=tmp_path)
    root = Path(__file__).resolve().parent.parent
    assert settings.db_path == default_db_path()
    assert root not in settings.db_path.parents
    assert settings.db_path.name == "coach.db"
    assert not settings.llm_configured
    assert settings.llm_timeout == 30.0


def test_secrets_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'OPENAI_API_KEY = "sk-from-file"\nSTAR_COACH_MODEL = "file-model"\nSTAR_COACH_LLM_TIMEOUT = 12\n'
    )
    settings = load_settings(env={"STAR_COACH_MODEL": "env-model"}, cwd=tmp_path)
    assert settings.model == "env-model"
    assert settings.llm_timeout == 12.0
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-from-file"
    assert settings.llm_configured


def test_api_key_never_appears_in_repr_or_dump(tmp_path: Path) -> None:
    settings = load_settings(env={"OPENAI_API_KEY": "sk-secret-123"}, cwd=tmp_path)
    assert "sk-secret-123" not in repr(settings)
    assert "sk-secret-123" not in settings.model_dump_json()


def test_base_url_alone_configures_a_local_llm(tmp_path: Path) -> None:
    settings = load_settings(env={"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, cwd=tmp_path)
    assert settings.llm_configured and settings.openai_api_key is None


def test_broken_secrets_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("this is = = not toml")
    assert load_settings(env={"STAR_COACH_DB": str(tmp_path / "x.db")}, cwd=tmp_path).db_path == tmp_path / "x.db"


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "9999"])
def test_unusable_timeout_falls_back_and_is_reported(tmp_path: Path, raw: str) -> None:
    settings = load_settings(env={"STAR_COACH_LLM_TIMEOUT": raw}, cwd=tmp_path)
    assert settings.llm_timeout == 30.0
    assert len(settings.problems) == 1 and "STAR_COACH_LLM_TIMEOUT" in settings.problems[0]


def test_redacted_url_hides_credentials() -> None:
    assert redact_url("http://bob:hunter2@10.0.0.5:8000/v1") == "http://***@10.0.0.5:8000/v1"
    assert redact_url("http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1"

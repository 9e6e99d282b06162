"""Settings from the environment and Streamlit's secrets files; the environment wins."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

SETTING_NAMES = (
    "STAR_COACH_DB",
    "STAR_COACH_MODEL",
    "STAR_COACH_LLM_TIMEOUT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 30.0


class Settings(BaseModel):
    """What the app and the CLI are configured with."""

    model_config = ConfigDict(frozen=True)

    db_path: Path
    model: str = DEFAULT_MODEL
    llm_timeout: float = Field(default=30.0, gt=0, le=600)
    # SecretStr keeps the key out of reprs, logs and model dumps.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    # Settings that were ignored because they were unusable, said in words for the Settings page.
    problems: tuple[str, ...] = ()

    @property
    def llm_configured(self) -> bool:
        """An LLM is usable with a key, or with a base URL of a local server."""
        return bool(self.openai_api_key or self.openai_base_url)


def default_db_path() -> Path:
    """The per-user data directory, outside any checkout."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "star-coach" / "coach.db"


def _secrets_files(cwd: Path) -> list[Path]:
    # The same two places Streamlit reads; the project's file wins over the user's.
    return [Path.home() / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def read_secrets(cwd: Path | None = None) -> dict[str, str]:
    """Top-level string settings from the secrets files; unreadable files are ignored."""
    values: dict[str, str] = {}
    for path in _secrets_files(cwd or Path.cwd()):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        values.update({k: str(v) for k, v in data.items() if k in SETTING_NAMES})
    return values


def _timeout(raw: str | None, problems: list[str]) -> float:
    # A bad timeout must not take the app down: use the default and say so.
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        problems.append(f"STAR_COACH_LLM_TIMEOUT={raw!r} is not a number of seconds up to 600; using 30.")
        return DEFAULT_TIMEOUT
    return value


def load_settings(env: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Merge secrets files and the environment into Settings; unusable values fall back to defaults."""
    merged = read_secrets(cwd)
    source = os.environ if env is None else env
    merged.update({k: source[k] for k in SETTING_NAMES if source.get(k)})
    problems: list[str] = []
    return Settings(
        db_path=Path(merged["STAR_COACH_DB"]).expanduser() if merged.get("STAR_COACH_DB") else default_db_path(),
        model=merged.get("STAR_COACH_MODEL") or DEFAULT_MODEL,
        llm_timeout=_timeout(merged.get("STAR_COACH_LLM_TIMEOUT"), problems),
        openai_api_key=merged.get("OPENAI_API_KEY") or None,
        openai_base_url=merged.get("OPENAI_BASE_URL") or None,
        problems=tuple(problems),
    )


def redact_url(url: str) -> str:
    """A URL fit to show: any user:password@ part is hidden."""
    return re.sub(r"//[^/@]*@", "//***@", url)

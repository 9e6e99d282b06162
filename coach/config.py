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
    # Voice (coach.speech): a local faster-whisper model, and the server's transcription model.
    "STAR_COACH_WHISPER_MODEL",
    "STAR_COACH_TRANSCRIBE_MODEL",
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
    # Why the LLM that was asked for cannot be used (an unusable OPENAI_BASE_URL): the rules grade,
    # and every grade carries this as its reason.
    llm_problem: str | None = None
    # Settings that were ignored because they were unusable, said in words for the Settings page.
    problems: tuple[str, ...] = ()
    # Voice: see coach.speech.SpeechSettings.
    whisper_model: str | None = None
    transcribe_model: str | None = None

    @property
    def llm_configured(self) -> bool:
        """An LLM was asked for: a key, or the base URL of a local server (usable or not)."""
        return bool(self.openai_api_key or self.openai_base_url or self.llm_problem)


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
    # Where Streamlit looks for secrets; the project's file wins over the user's. Only this module
    # reads them: .streamlit/config.toml stops Streamlit reading them itself (see secrets.files there).
    return [Path.home() / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def read_secrets(cwd: Path | None = None, problems: list[str] | None = None) -> dict[str, str]:
    """Top-level settings from the secrets files; a file that cannot be read is skipped and said in `problems`."""
    values: dict[str, str] = {}
    for path in _secrets_files(cwd or Path.cwd()):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            if problems is not None:
                problems.append(f"{path} {_unreadable(exc)}; its settings are ignored.")
            continue
        values.update({k: str(v) for k, v in data.items() if k in SETTING_NAMES})
    return values


def _unreadable(exc: Exception) -> str:
    # Never quote the file's text: a secrets file holds the API key.
    if isinstance(exc, RecursionError):  # tomllib recurses into nested arrays and tables
        return "is nested too deeply to read"
    if isinstance(exc, UnicodeDecodeError):
        return f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start})"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"is not valid TOML: {exc}"
    strerror = exc.strerror if isinstance(exc, OSError) else None
    return f"cannot be read ({strerror or type(exc).__name__})"


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


def base_url_problem(url: str) -> str | None:
    """Why the openai client could not use this base URL, in words, or None if it can."""
    # httpx2 is the parser the openai client uses; imported only when a server is configured,
    # when the client will load it anyway.
    import httpx2

    if any(char.isspace() for char in url):
        return "it contains a space"
    try:
        parsed = httpx2.URL(url)
    except httpx2.InvalidURL:
        # Words of our own: httpx2's message can quote the URL, which may hold a password.
        return "it cannot be read as a URL (check the server name and port)"
    if parsed.scheme not in ("http", "https"):
        return "it does not start with http:// or https://"
    if not parsed.host:
        return "it names no server"
    try:
        # Python's socket layer IDNA-encodes the name before connecting; httpx2 lets through
        # names that cannot be ("a..b", a 64-letter label), and the request would then raise.
        parsed.host.encode("idna")
    except UnicodeError:
        return "its server name is not valid"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return "its port is not a number from 1 to 65535"  # httpx2 takes any number; every request would fail
    return None


def _base_url(raw: str | None, problems: list[str]) -> tuple[str | None, str | None]:
    # An unusable URL must not take a page down: the rules grade, and both the Settings page and
    # every grade say why. Returns the usable URL, or the reason there is none.
    url = (raw or "").strip()
    why = base_url_problem(url) if url else None
    if why is None:
        return url or None, None
    problems.append(
        f"OPENAI_BASE_URL={redact_url(url)!r} is not a usable server address: {why}. "
        "The rule-based grader grades every answer until it is fixed."
    )
    return None, f"OPENAI_BASE_URL is not a usable server address: {why}"


def load_settings(env: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Merge secrets files and the environment into Settings; unusable values fall back to defaults."""
    problems: list[str] = []
    merged = read_secrets(cwd, problems)
    source = os.environ if env is None else env
    merged.update({k: source[k] for k in SETTING_NAMES if source.get(k)})
    base_url, llm_problem = _base_url(merged.get("OPENAI_BASE_URL"), problems)
    return Settings(
        db_path=Path(merged["STAR_COACH_DB"]).expanduser() if merged.get("STAR_COACH_DB") else default_db_path(),
        model=merged.get("STAR_COACH_MODEL") or DEFAULT_MODEL,
        llm_timeout=_timeout(merged.get("STAR_COACH_LLM_TIMEOUT"), problems),
        openai_api_key=merged.get("OPENAI_API_KEY") or None,
        openai_base_url=base_url,
        llm_problem=llm_problem,
        problems=tuple(problems),
        whisper_model=merged.get("STAR_COACH_WHISPER_MODEL", "").strip() or None,
        transcribe_model=merged.get("STAR_COACH_TRANSCRIBE_MODEL", "").strip() or None,
    )


def redact_url(url: str) -> str:
    """A URL fit to show: any user:password@ part is hidden."""
    return re.sub(r"//[^/@]*@", "//***@", url)

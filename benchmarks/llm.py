"""The LLM grader's performance targets, measured against the tests' local OpenAI-compatible server:

    python benchmarks/llm.py       # or: python -m benchmarks.llm

Requests per grade and the app's own overhead on the normal path, how fast a refused connection
and a hung server fall back to the rule-based grader, and how many requests a server that refuses
json_schema, rate-limits or fails costs. Prints a table with each target and exits 1 if one is missed.
"""

from __future__ import annotations

import logging
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from benchmarks.checks import Check, p95, report, timed  # noqa: E402
from coach.config import Settings  # noqa: E402
from coach.evaluation import load_labelled  # noqa: E402
from coach.grading import FallbackGrader  # noqa: E402
from coach.grading.llm import LLMGrader  # noqa: E402
from coach.grading.rules import RuleBasedGrader  # noqa: E402
from tests.browser_support import free_port  # noqa: E402
from tests.llm_server import FakeOpenAIServer, Reply, completion, grade_json, running_server  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
NORMAL_GRADES = 200
WARM_UP = 10
REFUSED_RUNS = 20
HUNG_RUNS = 3
HUNG_TIMEOUT_S = 2.0
HUNG_DELAY_S = 30.0
OVERHEAD_TARGET_MS = 50.0
FALLBACK_TARGET_S = 1.0
BUSY = b'{"error": {"message": "busy"}}'


def settings_for(url: str, timeout: float = 30.0) -> Settings:
    return Settings(db_path=Path("/tmp/unused.db"), model="test-model", llm_timeout=timeout, openai_base_url=url)


def fallback_grader(url: str, timeout: float = 30.0) -> FallbackGrader:
    return FallbackGrader(LLMGrader(settings_for(url, timeout)), RuleBasedGrader())


def realistic_answers() -> list[tuple[str, str]]:
    """(question, answer) pairs of 250-350 words from the labelled sets: real answer text, not stitched."""
    pairs = []
    for path in sorted(DATA.glob("*.jsonl")):
        pairs += [(i.question, i.answer) for i in load_labelled(path) if 250 <= len(i.answer.split()) <= 350]
    return pairs


def bare_call_ms(url: str, request: dict[str, Any], calls: int = 10) -> float:
    """Median time of back-to-back bare client calls sending `request`."""
    bare = openai.OpenAI(api_key="no-key", base_url=url, timeout=30.0, max_retries=0)
    bare.chat.completions.create(**request)  # opens the connection
    return statistics.median(timed(lambda: bare.chat.completions.create(**request))[1] * 1000 for _ in range(calls))


# -- the scenarios -------------------------------------------------------------


def normal_path(server: FakeOpenAIServer) -> list[Check]:
    """Each grade against a bare client call with the very request the grader sent; the gap is ours."""
    grader = LLMGrader(settings_for(server.url))
    bare = openai.OpenAI(api_key="no-key", base_url=server.url, timeout=30.0, max_retries=0)
    pairs = realistic_answers()
    words = [len(a.split()) for _, a in pairs]
    per_grade, graded_by, grade_ms, bare_ms, overhead_ms = [], [], [], [], []
    sent: dict[str, dict[str, Any]] = {}  # per answer, the request the grader last sent for it
    for n in range(WARM_UP + NORMAL_GRADES):
        question, answer = pairs[n % len(pairs)]
        bare_first = n % 2 == 1 and answer in sent  # take turns, so neither call gains from the other
        if bare_first:
            _, bare_s = timed(lambda r=sent[answer]: bare.chat.completions.create(**r))
        before = len(server.requests)
        grade, grade_s = timed(lambda q=question, a=answer: grader.grade(q, a))
        per_grade.append(len(server.requests) - before)
        graded_by.append(grade.grader)
        # The bare call sends the grader's own payload, so the server does the same work for both.
        sent[answer] = server.requests[-1]
        if not bare_first:
            _, bare_s = timed(lambda r=sent[answer]: bare.chat.completions.create(**r))
        if n >= WARM_UP:  # the first calls open connections and warm caches
            grade_ms.append(grade_s * 1000)
            bare_ms.append(bare_s * 1000)
            overhead_ms.append((grade_s - bare_s) * 1000)
    print(
        f"Normal path: {NORMAL_GRADES} grades of {len(pairs)} real answers ({min(words)}-{max(words)} words), "
        f"after {WARM_UP} warm-up grades; server answers at once"
    )
    for label, values in (
        ("grade, caller's wall time", grade_ms),
        ("bare openai client, same request", bare_ms),
        ("overhead (grade - bare, paired)", overhead_ms),
    ):
        print(f"  {label + ':':<35} median {statistics.median(values):6.2f} ms, p95 {p95(values):6.2f} ms")
    return [
        Check(
            "normal path",
            f"requests per grade: min {min(per_grade)}, max {max(per_grade)} ({len(per_grade)} grades)",
            "exactly 1",
            all(k == 1 for k in per_grade),
        ),
        Check(
            "normal path",
            f"graded by llm: {graded_by.count('llm')}/{len(graded_by)}",
            "all",
            graded_by.count("llm") == len(graded_by),
        ),
        Check(
            "normal path",
            f"overhead median {statistics.median(overhead_ms):.2f} ms, p95 {p95(overhead_ms):.2f} ms",
            f"p95 < {OVERHEAD_TARGET_MS:g} ms",
            p95(overhead_ms) < OVERHEAD_TARGET_MS,
        ),
    ]


def refused_connection() -> list[Check]:
    """Nothing listens on the port: the rules grade should come back at once, without a retry."""
    question, answer = realistic_answers()[0]
    times, grades = [], []
    for _ in range(REFUSED_RUNS):
        grader = fallback_grader(f"http://127.0.0.1:{free_port()}/v1")
        grade, elapsed = timed(lambda grader=grader: grader.grade(question, answer))
        times.append(elapsed)
        grades.append(grade)
    fell_back = all(g.grader == "rules" and g.fallback_reason for g in grades)
    return [
        Check(
            "refused connection",
            f"to rules grade: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
            f"({REFUSED_RUNS} runs)",
            f"max < {FALLBACK_TARGET_S:g} s",
            max(times) < FALLBACK_TARGET_S,
        ),
        Check(
            "refused connection",
            f"rules with a reason: {sum(g.grader == 'rules' and bool(g.fallback_reason) for g in grades)}"
            f"/{len(grades)} ({grades[0].fallback_reason!r})",
            "all",
            fell_back,
        ),
    ]


def hung_server(server: FakeOpenAIServer) -> list[Check]:
    """The server takes the request and never answers in time: the timeout must bound the wait."""
    question, answer = realistic_answers()[0]
    late = Reply(delay_s=HUNG_DELAY_S, body=completion(grade_json(answer)).body)
    times, grades = [], []
    for _ in range(HUNG_RUNS):
        server.enqueue(late)
        grader = fallback_grader(server.url, timeout=HUNG_TIMEOUT_S)
        grade, elapsed = timed(lambda grader=grader: grader.grade(question, answer))
        times.append(elapsed)
        grades.append(grade)
    bound = HUNG_TIMEOUT_S + FALLBACK_TARGET_S
    fell_back = all(g.grader == "rules" and g.fallback_reason for g in grades)
    return [
        Check(
            "hung server",
            f"to rules grade: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
            f"({HUNG_RUNS} runs, timeout {HUNG_TIMEOUT_S:g} s, reply after {HUNG_DELAY_S:g} s)",
            f"max < {bound:g} s",
            max(times) < bound,
        ),
        Check(
            "hung server",
            f"rules with a reason: {sum(g.grader == 'rules' and bool(g.fallback_reason) for g in grades)}"
            f"/{len(grades)} ({grades[0].fallback_reason!r})",
            "all",
            fell_back,
        ),
    ]


def json_schema_refused(server: FakeOpenAIServer) -> list[Check]:
    """Like llama.cpp: HTTP 500 to json_schema; the grader steps down once and remembers json_object."""
    server.reject_json_schema = True
    grader = LLMGrader(settings_for(server.url))
    question, answer = realistic_answers()[0]
    counts, graded_by = [], []
    for _ in range(2):
        before = len(server.requests)
        graded_by.append(grader.grade(question, answer).grader)
        counts.append(len(server.requests) - before)
    server.reject_json_schema = False
    return [
        Check(
            "json_schema refused",
            f"requests: first grade {counts[0]}, next grade {counts[1]} (mode now {grader.mode}; "
            f"graded by {', '.join(graded_by)})",
            "2, then 1",
            counts == [2, 1] and graded_by == ["llm", "llm"],
        )
    ]


def busy_then_answers(server: FakeOpenAIServer, status: int, times: int, expected: tuple[int, str]) -> Check:
    """The server answers `status` `times` times and then grades: at most one retry is allowed."""
    server.enqueue(*[Reply(status, BUSY)] * times)
    question, answer = realistic_answers()[0]
    before = len(server.requests)
    grade, elapsed = timed(lambda: fallback_grader(server.url).grade(question, answer))
    requests = len(server.requests) - before
    outcome = grade.grader + (f" ({grade.fallback_reason})" if grade.fallback_reason else "")
    return Check(
        f"HTTP {status} x{times}",
        f"{requests} requests, {outcome}, {elapsed:.2f} s",
        f"{expected[0]} requests, {expected[1]}",
        (requests, grade.grader) == expected,
    )


def main() -> int:
    # Every fallback here is on purpose and is in the table; the warnings would only repeat it.
    logging.getLogger("coach.grading").setLevel(logging.ERROR)
    checks: list[Check] = []
    scenarios: list[Callable[[FakeOpenAIServer], list[Check]]] = [
        normal_path,
        lambda _: refused_connection(),  # no server: nothing listens on its port
        hung_server,
        json_schema_refused,
        lambda s: [busy_then_answers(s, 429, 1, (2, "llm"))],
        lambda s: [busy_then_answers(s, 503, 2, (2, "rules"))],
    ]
    for scenario in scenarios:
        with running_server() as server:
            checks += scenario(server)
    print()
    report(checks)
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

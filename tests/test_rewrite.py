"""Your answer, stronger: the candidate's own clauses in STAR order with asks for what is missing (offline),
and the LLM's stronger version through the real client against a loopback server, with no invented number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.config import Settings
from coach.grading import GradingError
from coach.grading.rules import RuleBasedGrader
from coach.rewrite import invented_numbers, numbers_in, star_order, without_invented_numbers
from coach.stronger import StrongerWriter
from tests.llm_server import FakeOpenAIServer, Reply, answer_in, completion, running_server

QUESTION = "Tell me about a time you improved the fill rate for a key customer."
WEAK = (
    "We had a problem with fill rate at the warehouse last year and customers complained. "
    "We looked at the data and we changed the safety stock settings. "
    "Honestly I think football teaches you more about teamwork than any course. "
    "In the end the fill rate got better and everyone was happier."
)
STRONG = (
    "At a 3PL site in Ohio in 2022, our largest grocery client's fill rate had fallen to 91% against a 98% "
    "contract target, and they had issued a formal warning. As inventory lead, I owned getting it back above "
    "98% within one quarter. I ran an ABC-XYZ analysis of 2,400 SKUs and found 60 fast movers with safety "
    "stock set on last year's demand. I reset their reorder points in the WMS, set up a daily exception "
    "report for the buyers and agreed a weekly review with the client's planner. Within ten weeks the fill "
    "rate reached 98.6%, the warning was lifted, and the daily exception report is still used across the site."
)


def _order(answer: str, question_type: str = "behavioral"):
    grade = RuleBasedGrader().grade(QUESTION, answer, question_type)
    return grade, star_order(answer, grade, question_type)


def test_a_weak_answer_is_regrouped_in_its_own_words_with_an_ask_for_each_gap() -> None:
    grade, order = _order(WEAK)
    assert [p.part for p in order.parts] == ["situation", "task", "action", "result"]
    by_part = {p.part: p for p in order.parts}
    # Nothing is reworded: each part's text is the candidate's own words.
    for part in order.parts:
        for sentence in part.text.split(". "):
            assert sentence.rstrip(".") in WEAK
    assert by_part["task"].text == "" and by_part["task"].asks  # no task said: asked for
    assert "safety stock" in by_part["action"].text
    assert any("yourself" in ask for ask in by_part["action"].asks)  # told as "we"
    assert any("fill rate" in ask and "By how much" in ask for ask in by_part["result"].asks)
    assert "football" in order.left_out and "football" not in order.as_text()
    assert "[What were you responsible for" in order.as_text()
    codes = {a.code for a in grade.advice}
    assert {"task.missing", "action.we", "result.no_number"} <= codes


def test_a_strong_answer_gets_no_asks() -> None:
    grade, order = _order(STRONG)
    assert grade.overall >= 80
    assert all(not p.asks for p in order.parts), [p.asks for p in order.parts]
    assert all(p.text for p in order.parts)
    assert "[" not in order.as_text()


def test_a_case_answer_uses_the_case_headings() -> None:
    _, order = _order("I would look at the order data first and then fix the slotting.", "case")
    assert [p.heading for p in order.parts] == [
        "How I read the situation",
        "The objective",
        "What I would do",
        "Expected impact",
    ]
    assert not any("past tense" in ask for p in order.parts for ask in p.asks)


@pytest.mark.parametrize(
    ("rewrite", "answer", "invented"),
    [
        ("Fill rate rose to 98% in ten weeks.", "it reached 98% within ten weeks", []),
        ("Fill rate rose to 98% in 10 weeks.", "it reached 98 percent within ten weeks", []),
        ("We saved $40,000 across three sites.", "saved $40000 at 3 sites", []),
        ("Errors fell by a third over 12 weeks.", "errors fell by a third", ["12"]),
        ("It rose [by how much? e.g. 5%] in [how many weeks?]", "it rose", []),
        ("The one I chose was the double-check.", "a check", []),
        ("I cut scrap by 14.5% in 2023.", "I cut scrap in 2022", ["14.5%", "2023"]),
    ],
)
def test_numbers_outside_placeholders_must_come_from_the_answer(rewrite: str, answer: str, invented: list) -> None:
    assert invented_numbers(rewrite, answer) == invented


def test_invented_numbers_become_placeholders_and_are_counted() -> None:
    text, removed = without_invented_numbers(
        "Scrap fell 12% to 3.1% [when?] at two plants.", "scrap was 3.1% at 2 plants"
    )
    assert (text, removed) == ("Scrap fell [your figure] to 3.1% [when?] at two plants.", 1)
    assert numbers_in("twenty SKUs, 1,200 pallets, half the time") == {20.0, 1200.0, 0.5}


# -- the LLM's stronger version ------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with running_server() as s:
        yield s


def writer(url: str, key: str | None = None, timeout: float = 5.0) -> StrongerWriter:
    return StrongerWriter(
        Settings(
            db_path=Path("/nonexistent/coach.db"),
            model="test-model",
            llm_timeout=timeout,
            openai_base_url=url,
            openai_api_key=key,
        )
    )


def _rewrite(text: str) -> Reply:
    return completion(json.dumps({"rewrite": text}))


REWRITE = (
    "Last year our warehouse's fill rate had a problem and customers complained. "
    "[What were you responsible for, and what was the target?] "
    "I looked at the data and I changed the safety stock settings. "
    "The fill rate rose by 7% within six weeks and everyone was happier."
)


def test_a_stronger_version_keeps_said_numbers_and_turns_invented_ones_into_placeholders(
    server: FakeOpenAIServer,
) -> None:
    server.enqueue(_rewrite(REWRITE))
    _, order = _order(WEAK)
    stronger = writer(server.url).write(QUESTION, WEAK, "behavioral", order)
    assert stronger.numbers_removed == 2  # "7%" and "six" were never said
    assert "rose by [your figure] within [your figure] weeks" in stronger.text
    assert invented_numbers(stronger.text, WEAK) == []
    assert stronger.model == "test-model" and stronger.prompt_version == "stronger-answer/1"
    request = server.requests[0]
    assert answer_in(request) == WEAK  # the answer goes between the delimiters, as for grading
    assert "Task: What were you responsible for" in request["messages"][1]["content"]
    assert request["response_format"]["json_schema"]["name"] == "stronger_answer"


def test_plain_text_or_fenced_replies_are_read(server: FakeOpenAIServer) -> None:
    _, order = _order(WEAK)
    server.enqueue(completion(REWRITE), completion("```json\n" + json.dumps({"rewrite": REWRITE}) + "\n```"))
    first = writer(server.url).write(QUESTION, WEAK, "behavioral", order)
    second = writer(server.url).write(QUESTION, WEAK, "behavioral", order)
    assert first.text == second.text and first.text.startswith("Last year")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (_rewrite("Too short."), "too short"),
        (completion('{"text": "wrong shape"}'), "expected shape"),
        (completion(None), "empty"),
        (Reply(401, b'{"error": {"message": "bad key"}}'), "refused the API key"),
        (Reply(200, b"not json", content_type="application/json"), "not a chat completion"),
    ],
)
def test_an_unusable_reply_is_a_clear_reason(server: FakeOpenAIServer, reply: Reply, reason: str) -> None:
    _, order = _order(WEAK)
    server.enqueue(reply)
    with pytest.raises(GradingError, match=reason):
        writer(server.url).write(QUESTION, WEAK, "behavioral", order)


def test_a_slow_server_is_given_up_on_at_the_timeout(server: FakeOpenAIServer) -> None:
    _, order = _order(WEAK)
    server.enqueue(Reply(body=b"{}", delay_s=3.0))
    with pytest.raises(GradingError, match=r"did not answer within 0\.5 s"):
        writer(server.url, timeout=0.5).write(QUESTION, WEAK, "behavioral", order)


def test_the_key_never_reaches_the_rewrite(server: FakeOpenAIServer) -> None:
    key = "sk-test-secret-key-42"
    _, order = _order(WEAK)
    server.enqueue(_rewrite(REWRITE + " My key is " + key + "."))
    stronger = writer(server.url, key=key).write(QUESTION, WEAK, "behavioral", order)
    assert key not in stronger.text and "[API key removed]" in stronger.text

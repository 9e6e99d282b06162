"""Any string at all, empty, huge or binary-looking, yields a valid grade and no exception."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from coach.grading.rules import RuleBasedGrader
from coach.models import PARTS, Grade

GRADER = RuleBasedGrader()


def assert_valid(grade: Grade, answer: str) -> None:
    assert 0 <= grade.overall <= 100
    spans = []
    for part in PARTS:
        component = grade.part(part)
        assert 0 <= component.score <= 5
        assert component.present == bool(component.evidence)
        for start, end in component.evidence:
            assert 0 <= start < end <= len(answer)
            spans.append((start, end))
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert 1 <= len(grade.suggestions) <= 3


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["behavioral", "case"]))
def test_any_text_yields_a_valid_grade(answer: str, kind: str) -> None:
    assert_valid(GRADER.grade("Tell me about a time you improved a process.", answer, kind), answer)


WORDS = st.sampled_from(
    "I we the team was asked to reduce cut lead time by 20% within 3 months . , ; so then "
    "Situation: Task: Result: um like 5 Whys kanban <script> 😀 \n".split(" ")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=400).map(" ".join))
def test_word_soup_yields_a_valid_grade(answer: str) -> None:
    assert_valid(GRADER.grade("Tell me about a time you reduced lead time.", answer), answer)


def test_edge_strings() -> None:
    for answer in [
        "",
        " ",
        "\x00\x01\x02",
        "\ufeff",
        "a" * 20_000,
        "。" * 500,
        "\n\n\n",
        "🙂" * 1000,
        bytes(range(256)).decode("latin-1"),
    ]:
        assert_valid(GRADER.grade("Q?", answer), answer)

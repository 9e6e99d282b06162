"""The question bank: it loads and validates, and interviews draw from it fairly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from coach.models import TOPIC_LABELS, InterviewSetup, Question
from coach.questions import BankError, choose_questions, coverage_table, load_bank

VALID = """
[[questions]]
id = "x-b01"
text = "Tell me about a time you cut a lead time."
type = "behavioral"
topics = ["logistics"]
levels = ["mid"]
"""


def test_built_in_bank_is_large_valid_and_covers_every_topic(bank: list[Question]) -> None:
    assert len(bank) >= 30
    assert len({q.id for q in bank}) == len(bank)
    assert {t for q in bank for t in q.topics} == set(TOPIC_LABELS)
    assert {q.type for q in bank} == {"behavioral", "case"}
    for level in ("entry", "mid", "senior"):
        assert sum(level in q.levels for q in bank) >= 10
    assert all(1 <= len(q.probes) <= 3 for q in bank)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.replace('"logistics"', '"astrology"'), "unknown topic"),
        (VALID.replace('"mid"', '"intern"'), "levels"),
        (VALID.replace("Tell me about a time you cut a lead time.", "   "), "text"),
        (VALID.replace('type = "behavioral"', 'type = "essay"'), "type"),
        (VALID + 'colour = "red"\n', "colour"),
        ("[[questions]\nbroken", "not valid TOML"),
        (VALID + VALID, "duplicate id"),
    ],
)
def test_invalid_entries_are_refused_with_the_place(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(BankError, match=message) as info:
        load_bank(tmp_path)
    assert "bad.toml" in str(info.value)


def test_choice_respects_filters_and_never_repeats(bank: list[Question]) -> None:
    setup = InterviewSetup(level="senior", topics=("inventory", "logistics"), question_type="behavioral", n_questions=3)
    chosen = choose_questions(bank, setup, seed=7)
    assert len(chosen) == 3 and len({q.id for q in chosen}) == 3
    assert all(q.type == "behavioral" and set(q.topics) & {"inventory", "logistics"} for q in chosen)


def test_choice_is_reproducible_with_a_seed(bank: list[Question]) -> None:
    setup = InterviewSetup(n_questions=5)
    assert choose_questions(bank, setup, seed=1) == choose_questions(bank, setup, seed=1)


def test_choice_favours_unanswered_questions(bank: list[Question]) -> None:
    setup = InterviewSetup(level="mid", question_type="case", n_questions=3)
    fitting = [q for q in bank if "mid" in q.levels and q.type == "case"]
    answered = {q.id for q in fitting[:-3]}
    chosen = choose_questions(bank, setup, answered=answered, seed=3)
    assert {q.id for q in chosen}.isdisjoint(answered)


def test_choice_widens_to_other_levels_rather_than_run_short(bank: list[Question]) -> None:
    setup = InterviewSetup(level="entry", topics=("safety",), question_type="case", n_questions=3)
    chosen = choose_questions(bank, setup, seed=1)
    assert chosen and all(q.type == "case" and "safety" in q.topics for q in chosen)


# Wording shared beyond this share of content words (Jaccard) makes two questions near duplicates.
_DUP_STOP = frozenset(
    "a an the and or of to in on at for with by from as is was were be you your me my tell describe time about "
    "give example walk through how what when did do have has had it that this which".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9&]+", text.lower()) if w not in _DUP_STOP}


def near_duplicates(questions: Sequence[Question], threshold: float = 0.6) -> list[tuple[str, str, float]]:
    """Pairs of questions whose content words overlap by at least `threshold` (Jaccard)."""
    words = [(q.id, _content_words(q.text)) for q in questions]
    pairs = []
    for i, (id_a, a) in enumerate(words):
        for id_b, b in words[i + 1 :]:
            if a and b and (score := len(a & b) / len(a | b)) >= threshold:
                pairs.append((id_a, id_b, round(score, 2)))
    return pairs


def test_no_near_duplicate_wording(bank: list[Question]) -> None:
    assert near_duplicates(bank, threshold=0.5) == []


def test_near_duplicates_are_caught() -> None:
    a = Question(
        id="a",
        text="Tell me about a time you reduced lead time in a warehouse.",
        type="behavioral",
        topics=("logistics",),
        levels=("mid",),
    )
    b = a.model_copy(update={"id": "b", "text": "Describe a time you reduced the lead time in your warehouse."})
    assert [(x, y) for x, y, _ in near_duplicates([a, b], threshold=0.5)] == [("a", "b")]


def test_every_topic_has_behavioural_questions_at_every_level(bank: list[Question]) -> None:
    missing = [
        (t, lv)
        for t in TOPIC_LABELS
        for lv in ("entry", "mid", "senior")
        if not any(q.type == "behavioral" and t in q.topics and lv in q.levels for q in bank)
    ]
    assert missing == []
    assert sum(q.type == "case" for q in bank) >= 60


def test_readme_coverage_table_matches_the_bank(bank: list[Question]) -> None:
    from coach.cli import README, readme_with_coverage

    readme = README.read_text(encoding="utf-8")
    assert readme_with_coverage(readme, coverage_table(bank)) == readme, (
        "run: python -m coach questions coverage --write-readme"
    )


def test_questions_list_json_prints_every_question(bank: list[Question], db_path: Path) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "coach", "questions", "list", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [q.id for q in bank]
    assert all(Question.model_validate(r) for r in rows)

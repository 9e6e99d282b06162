"""The question bank: loading the built-in TOML files and choosing questions for an interview."""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import ValidationError

from coach.models import TOPIC_LABELS, InterviewSetup, Question

BANK_DIR = Path(__file__).resolve().parent.parent / "question_bank"


class BankError(ValueError):
    """A question bank file is invalid; the message names the file and entry."""


def _load_file(path: Path) -> list[Question]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BankError(f"{path.name}: not valid TOML: {exc}") from exc
    questions = []
    for index, entry in enumerate(data.get("questions", []), start=1):
        try:
            questions.append(Question.model_validate(entry))
        except ValidationError as exc:
            raise BankError(f"{path.name}, question {index}: {exc}") from exc
    return questions


def load_bank(directory: Path = BANK_DIR) -> list[Question]:
    """Every built-in question, validated; raises BankError on any bad entry or duplicate id."""
    questions: list[Question] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        for question in _load_file(path):
            if question.id in seen:
                raise BankError(f"{path.name}: duplicate id {question.id!r} (also in {seen[question.id]})")
            seen[question.id] = path.name
            questions.append(question)
    return questions


def matches(question: Question, setup: InterviewSetup) -> bool:
    """Whether a question fits the interview's level, topics and type."""
    if setup.level not in question.levels:
        return False
    if setup.question_type != "both" and question.type != setup.question_type:
        return False
    return not setup.topics or bool(set(setup.topics) & set(question.topics))


def choose_questions(
    bank: Sequence[Question],
    setup: InterviewSetup,
    answered: Iterable[str] = (),
    seed: int | None = None,
) -> list[Question]:
    """Draw distinct questions for an interview, unanswered ones first.

    If the filters leave too few, the draw widens to other levels (same topics
    and type) rather than running a short interview.
    """
    rng = random.Random(seed)
    done = set(answered)
    fitting = [q for q in bank if matches(q, setup)]
    widened = [q for q in bank if q not in fitting and matches(q, setup.model_copy(update={"level": q.levels[0]}))]
    chosen: list[Question] = []
    for pool in (fitting, widened):
        fresh = [q for q in pool if q.id not in done]
        seen_before = [q for q in pool if q.id in done]
        rng.shuffle(fresh)
        rng.shuffle(seen_before)
        chosen.extend((fresh + seen_before)[: setup.n_questions - len(chosen)])
    return chosen


def filter_questions(
    questions: Iterable[Question],
    topic: str = "all",
    level: str = "all",
    kind: str = "all",
    search: str = "",
    source: str = "all",
) -> list[Question]:
    """Questions matching the browse filters; "all" means no filter.

    The search is case-insensitive, every word must appear, and it looks in the
    question, its hints and its probes. `source` is "builtin", "mine" or "all".
    """
    words = search.casefold().split()
    return [
        q
        for q in questions
        if (topic == "all" or topic in q.topics)
        and (level == "all" or level in q.levels)
        and (kind == "all" or q.type == kind)
        and (source == "all" or q.custom == (source == "mine"))
        and all(w in _searchable(q) for w in words)
    ]


def _searchable(question: Question) -> str:
    return " ".join((question.id, question.text, *question.strong_answer_shows, *question.probes)).casefold()


def coverage_table(questions: Sequence[Question]) -> str:
    """Markdown table of question counts per topic and level, behavioural/case."""
    levels = ("entry", "mid", "senior")
    header = "| Topic | " + " | ".join(f"{lv} (B/C)" for lv in levels) + " | Total |"
    lines = [header, "|---|" + "---|" * (len(levels) + 1)]
    for topic, label in TOPIC_LABELS.items():
        mine = [q for q in questions if topic in q.topics]
        cells = []
        for level in levels:
            at_level = [q for q in mine if level in q.levels]
            cells.append(f"{sum(q.type == 'behavioral' for q in at_level)}/{sum(q.type == 'case' for q in at_level)}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {len(mine)} |")
    return "\n".join(lines)

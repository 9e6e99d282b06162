"""History at scale over a real SQLite file: search, filters, paging, deletes, backup and restore, secrets."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

import storage
from coach.config import load_settings
from coach.export import answers_csv, answers_json, interview_markdown
from coach.grading import make_grader
from coach.grading.rules import RuleBasedGrader
from coach.history import HistoryService
from coach.interview import InterviewService
from coach.library import QuestionLibrary
from coach.models import PARTS, Component, Grade, Interview, InterviewSetup, Question, QuestionType
from coach.story_bank import StoryService
from storage.history import (
    BACKUP_TABLES,
    AnswerFilter,
    RestoreError,
    backup,
    count_answers,
    delete_answer,
    delete_interview,
    find_answers,
    get_answer,
    restore,
)
from tests.llm_server import Reply, answer_in, completion, grade_json, running_server
from tests.storage_support import ask_follow_up, save_grade

STRONG = (
    "At a 300-person food plant in 2022, line 3 ran at 61% OEE and we were missing 8% of orders. "
    "I was responsible for lifting OEE to 75% within two quarters. I mapped the downtime with a Pareto "
    "chart, ran SMED workshops on the two longest changeovers and set up daily tier meetings. "
    "As a result OEE reached 77% in five months and on-time delivery rose from 92% to 98%. "
    "I learned to put the data in front of the operators first."
)
WEAK = "I helped with some things at work and it was fine."
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


# -- building data through the real storage functions ----------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the time storage stamps rows with (storage.now), so dates are known exactly."""
    current = [T0]
    monkeypatch.setattr(storage.db, "clock", lambda: current[0])

    def set_time(when: datetime) -> None:
        current[0] = when

    return set_time


def _interview(db_path: Path, interview_id: str, level: str = "mid", n: int = 10) -> None:
    storage.create_interview(
        db_path,
        Interview(
            id=interview_id,
            created_at=storage.now(),
            setup=InterviewSetup(level=level, n_questions=n),
            question_ids=tuple(f"q{i}" for i in range(n)),
        ),
    )


def _grade(overall: int, grader: str = "rules", reason: str | None = None) -> Grade:
    part = Component(present=True, score=3, feedback="Fine.")
    grade = Grade(overall=overall, **dict.fromkeys(PARTS, part), suggestions=["Add a number."], grader=grader)
    if grader == "llm":
        grade = grade.model_copy(update={"model": "m", "prompt_version": "v1", "latency_ms": 12.5})
    return grade.model_copy(update={"fallback_reason": reason})


_positions: dict[tuple[Path, str], int] = {}


def _answer(
    db_path: Path,
    interview_id: str,
    text: str,
    question_id: str = "q",
    question_text: str = "Tell me about a time you improved a process.",
    question_type: QuestionType = "behavioral",
    skipped: bool = False,
) -> int:
    key = (db_path, interview_id)
    position = _positions.get(key, 0)
    _positions[key] = position + 1
    asked = (question_id, question_text, question_type)
    topics = TOPICS_OF.get(question_id, ())
    return storage.record_answer(db_path, interview_id, position, asked, text, skipped=skipped, topics=topics)


# The topics each test question has; an answer records them when it is stored.
TOPICS_OF = {"q-inv": ("inventory",), "q-log": ("logistics", "risk"), "q-safety": ("safety", "risk")}


@pytest.fixture(autouse=True)
def _fresh_positions() -> Iterator[None]:
    _positions.clear()
    yield
    _positions.clear()


def _ids(db_path: Path, filters: AnswerFilter) -> list[int]:
    return [a.id for a in find_answers(db_path, filters, limit=10_000)]


def _search(db_path: Path, text: str) -> set[int]:
    return set(_ids(db_path, AnswerFilter(search=text)))


def _all_rows(db_path: Path) -> dict[str, int]:
    con = sqlite3.connect(db_path)
    try:
        # The search index's own count: one row per answer it holds.
        tables = (*BACKUP_TABLES, "answer_search_docsize")
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


# -- search ------------------------------------------------------------------------


@pytest.fixture
def searchable(db_path: Path) -> dict[str, int]:
    _interview(db_path, "i1")
    return {
        "warehouse": _answer(db_path, "i1", "We moved the warehouse racking over a weekend with no lost picks."),
        "shipping": _answer(db_path, "i1", "Shipping was late every Friday, so I rebuilt the carrier schedule."),
        "cafe": _answer(db_path, "i1", "I ran the plant café budget and cut waste by 30%."),
        "question": _answer(
            db_path, "i1", "I set up a daily huddle.", question_text="Describe a kaizen event you led on a forklift."
        ),
        "both": _answer(db_path, "i1", "The warehouse team and the shipping clerks argued about dock slots."),
    }


def test_search_finds_words_in_answers_and_in_question_texts(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "racking") == {searchable["warehouse"]}
    assert _search(db_path, "kaizen") == {searchable["question"]}
    assert _search(db_path, "forklift") == {searchable["question"]}
    # Every answer's question mentions "process": searching it finds the four whose question has it.
    assert _search(db_path, "process") == set(searchable.values()) - {searchable["question"]}
    assert _search(db_path, "RACKING") == {searchable["warehouse"]}


def test_search_last_word_is_a_prefix(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "warehou") == {searchable["warehouse"], searchable["both"]}
    assert _search(db_path, "carr") == {searchable["shipping"]}
    # Only the last word is a prefix: an earlier partial word must match whole.
    assert _search(db_path, "warehou team") == set()


def test_search_every_typed_prefix_of_a_word_finds_it(db_path: Path, searchable: dict[str, int]) -> None:
    # What a user types on the way to "shipping": each prefix of three or more letters should find it.
    expected = {searchable["shipping"], searchable["both"]}
    missing = [p for p in ("shi", "ship", "shipp", "shippi", "shippin", "shipping") if _search(db_path, p) != expected]
    assert missing == []


def test_search_stems_words(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "shipped") == {searchable["shipping"], searchable["both"]}
    assert _search(db_path, "scheduled carriers") == {searchable["shipping"]}
    assert _search(db_path, "argue") == {searchable["both"]}


def test_search_ignores_diacritics_both_ways(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "cafe") == {searchable["cafe"]}
    assert _search(db_path, "café") == {searchable["cafe"]}
    assert _search(db_path, "CAFÉ budget") == {searchable["cafe"]}
    assert _search(db_path, "cafe\u0301") == {searchable["cafe"]}  # a decomposed é


def test_search_needs_every_word(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "warehouse shipping") == {searchable["both"]}
    assert _search(db_path, "shipping warehouse") == {searchable["both"]}
    assert _search(db_path, "warehouse budget") == set()


@pytest.mark.parametrize(
    "hostile",
    [
        "AND",
        "OR",
        "NOT",
        "warehouse AND",
        "warehouse OR shipping",
        "NOT warehouse",
        "NEAR(",
        "NEAR(warehouse shipping",
        "NEAR(warehouse shipping, 2)",
        '"',
        '"warehouse',
        'warehouse"',
        '""""',
        "*",
        "warehouse*",
        "*warehouse",
        "col:",
        "text:warehouse",
        "question_text:kaizen",
        ")",
        "(",
        "((warehouse)",
        "-",
        "-warehouse",
        "^warehouse",
        "{text}: warehouse",
        "+",
        "'",
        "%",
        "\\",
        "\x00",
        "warehouse\x00shipping",
        "😀",
        "warehouse 🚚",
        "🚚🚚🚚",
        "_",
        "x" * 20_000,
        "warehouse " * 2_000,
        "a " * 5_000,
        "\u202e\u200b",
        "١٢٣",
        "仓库",
    ],
)
def test_search_with_fts_syntax_never_raises(db_path: Path, searchable: dict[str, int], hostile: str) -> None:
    everything = set(searchable.values())
    found = _search(db_path, hostile)
    assert found <= everything
    assert count_answers(db_path, AnswerFilter(search=hostile)) == len(found)


def test_search_of_operator_words_finds_them_as_text(db_path: Path, searchable: dict[str, int]) -> None:
    assert _search(db_path, "warehouse AND") == {searchable["both"]}  # "and" is a word in that answer
    assert _search(db_path, "NOT warehouse") == set()  # nobody wrote "not"
    assert _search(db_path, "text:warehouse") == set()  # not a column filter: "text" is not in any answer
    assert _search(db_path, '"warehouse') == {searchable["warehouse"], searchable["both"]}
    assert _search(db_path, "NEAR(warehouse shipping, 2)") == set()  # "2" and "near" are nowhere


@pytest.mark.parametrize("no_words", ["", "   ", "*", '"', "-", ")", "😀", "!!!"])
def test_search_without_words_filters_nothing(db_path: Path, searchable: dict[str, int], no_words: str) -> None:
    assert _search(db_path, no_words) == set(searchable.values())


def test_deleted_answer_is_no_longer_found(db_path: Path, searchable: dict[str, int]) -> None:
    assert delete_answer(db_path, searchable["warehouse"])
    assert _search(db_path, "racking") == set()
    assert _search(db_path, "warehouse") == {searchable["both"]}
    assert _all_rows(db_path)["answer_search_docsize"] == len(searchable) - 1


def test_follow_up_reply_becomes_searchable(db_path: Path, searchable: dict[str, int]) -> None:
    answer_id = searchable["cafe"]
    assert ask_follow_up(db_path, answer_id, "result", "What was the result?", "rules")
    [follow_up_id] = [a.follow_up.id for a in storage.list_answers(db_path, "i1") if a.follow_up]
    assert _search(db_path, "spoilage") == set()
    assert storage.record_follow_up_reply(db_path, follow_up_id, "Spoilage fell from 12% to 4% in a quarter.")
    assert _search(db_path, "spoilage") == {answer_id}
    assert _search(db_path, "cafe spoilage") == {answer_id}  # the original words are still indexed
    assert _search(db_path, "racking") == {searchable["warehouse"]}  # the other rows are untouched


# -- filters -----------------------------------------------------------------------


@pytest.fixture
def varied(db_path: Path, clock: Callable[[datetime], None]) -> dict[str, int]:
    """Answers one day apart (day 0 oldest), across levels, types, graders and scores."""
    _interview(db_path, "entry-1", level="entry")
    _interview(db_path, "senior-1", level="senior")
    _interview(db_path, "mid-1", level="mid")
    specs: list[tuple[str, str, str, QuestionType, bool, Grade | None]] = [
        # name, interview, question id, type, skipped, grade
        ("rules_low", "entry-1", "q-inv", "behavioral", False, _grade(20)),
        ("rules_high", "entry-1", "q-log", "case", False, _grade(85)),
        ("llm_mid", "senior-1", "q-inv", "behavioral", False, _grade(55, "llm")),
        (
            "fallback_mid",
            "senior-1",
            "q-log",
            "behavioral",
            False,
            _grade(60, "rules", "the LLM server could not be reached"),
        ),
        ("ungraded", "mid-1", "q-inv", "case", False, None),
        ("skipped", "mid-1", "q-log", "behavioral", True, None),
        ("llm_high", "mid-1", "q-safety", "case", False, _grade(95, "llm")),
    ]
    ids: dict[str, int] = {}
    for day, (name, interview_id, qid, kind, skipped, grade) in enumerate(specs):
        clock(T0 + timedelta(days=day))
        text = "" if skipped else f"Answer {name} about inventory."
        ids[name] = _answer(db_path, interview_id, text, question_id=qid, question_type=kind, skipped=skipped)
        if grade is not None:
            save_grade(db_path, ids[name], grade)
    return ids


def _names(db_path: Path, ids: dict[str, int], filters: AnswerFilter) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    found = _ids(db_path, filters)
    assert count_answers(db_path, filters) == len(found)
    return [by_id[i] for i in found]


def test_no_filter_lists_everything_but_skips_newest_first(db_path: Path, varied: dict[str, int]) -> None:
    assert _names(db_path, varied, AnswerFilter()) == [
        "llm_high",
        "ungraded",
        "fallback_mid",
        "llm_mid",
        "rules_high",
        "rules_low",
    ]
    with_skips = _names(db_path, varied, AnswerFilter(include_skipped=True))
    assert with_skips == ["llm_high", "skipped", "ungraded", "fallback_mid", "llm_mid", "rules_high", "rules_low"]


def test_date_range_is_since_inclusive_until_exclusive(db_path: Path, varied: dict[str, int]) -> None:
    window = AnswerFilter(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
    assert _names(db_path, varied, window) == ["llm_mid", "rules_high"]
    assert _names(db_path, varied, AnswerFilter(since=T0 + timedelta(days=5))) == ["llm_high"]
    assert _names(db_path, varied, AnswerFilter(until=T0 + timedelta(days=1))) == ["rules_low"]
    assert _names(db_path, varied, AnswerFilter(since=T0 + timedelta(days=30))) == []


def test_date_range_in_another_time_zone(db_path: Path, varied: dict[str, int]) -> None:
    # 11:00 at UTC+2 is 09:00 UTC: the same instants as the UTC window above.
    plus_two = timezone(timedelta(hours=2))
    since = datetime(2025, 3, 2, 11, 0, tzinfo=plus_two)
    until = datetime(2025, 3, 4, 11, 0, tzinfo=plus_two)
    assert _names(db_path, varied, AnswerFilter(since=since, until=until)) == ["llm_mid", "rules_high"]
    # Both ends a second later: day 1 falls out (since is inclusive), day 3 comes in (until is exclusive).
    later = AnswerFilter(since=since + timedelta(seconds=1), until=until + timedelta(seconds=1))
    assert _names(db_path, varied, later) == ["fallback_mid", "llm_mid"]


def test_topic_filter_uses_the_topics_recorded_with_each_answer(db_path: Path, varied: dict[str, int]) -> None:
    assert _names(db_path, varied, AnswerFilter(topic="inventory")) == ["ungraded", "llm_mid", "rules_low"]
    assert _names(db_path, varied, AnswerFilter(topic="risk")) == ["llm_high", "fallback_mid", "rules_high"]
    assert _names(db_path, varied, AnswerFilter(topic="quality")) == []  # a topic never practised
    assert _names(db_path, varied, AnswerFilter(topic="")) == _names(db_path, varied, AnswerFilter())


def test_level_and_type_filters(db_path: Path, varied: dict[str, int]) -> None:
    assert _names(db_path, varied, AnswerFilter(level="entry")) == ["rules_high", "rules_low"]
    assert _names(db_path, varied, AnswerFilter(level="senior")) == ["fallback_mid", "llm_mid"]
    assert _names(db_path, varied, AnswerFilter(question_type="case")) == ["llm_high", "ungraded", "rules_high"]
    assert _names(db_path, varied, AnswerFilter(question_type="behavioral")) == [
        "fallback_mid",
        "llm_mid",
        "rules_low",
    ]


def test_grader_filters_tell_rules_from_fallback(db_path: Path, varied: dict[str, int]) -> None:
    assert _names(db_path, varied, AnswerFilter(grader="llm")) == ["llm_high", "llm_mid"]
    assert _names(db_path, varied, AnswerFilter(grader="rules")) == ["rules_high", "rules_low"]
    assert _names(db_path, varied, AnswerFilter(grader="fallback")) == ["fallback_mid"]
    assert len(_names(db_path, varied, AnswerFilter(grader="all"))) == 6


def test_score_filters_use_the_latest_grade(db_path: Path, varied: dict[str, int]) -> None:
    assert _names(db_path, varied, AnswerFilter(min_score=60)) == ["llm_high", "fallback_mid", "rules_high"]
    assert _names(db_path, varied, AnswerFilter(max_score=55)) == ["llm_mid", "rules_low"]
    assert _names(db_path, varied, AnswerFilter(min_score=55, max_score=60)) == ["fallback_mid", "llm_mid"]
    assert _names(db_path, varied, AnswerFilter(min_score=0)) == [
        n for n in _names(db_path, varied, AnswerFilter()) if n != "ungraded"
    ]
    # Graded again: the new grade, not the old one, decides.
    save_grade(db_path, varied["rules_low"], _grade(90))
    assert _names(db_path, varied, AnswerFilter(min_score=86)) == ["llm_high", "rules_low"]
    assert "rules_low" not in _names(db_path, varied, AnswerFilter(max_score=30))


def test_filters_combine(db_path: Path, varied: dict[str, int]) -> None:
    combined = AnswerFilter(level="senior", grader="llm", topic="inventory", min_score=50, search="inventory")
    assert _names(db_path, varied, combined) == ["llm_mid"]
    assert _names(db_path, varied, AnswerFilter(level="entry", question_type="case", max_score=90)) == ["rules_high"]
    assert _names(db_path, varied, AnswerFilter(level="entry", grader="llm")) == []
    assert _names(db_path, varied, AnswerFilter(search="llm_high", question_type="case")) == ["llm_high"]
    assert _names(db_path, varied, AnswerFilter(level="mid", include_skipped=True)) == [
        "llm_high",
        "skipped",
        "ungraded",
    ]


def test_found_answers_carry_their_latest_grade(db_path: Path, varied: dict[str, int]) -> None:
    [fallback] = find_answers(db_path, AnswerFilter(grader="fallback"))
    assert fallback.grade is not None and fallback.grade.grader == "rules"
    assert fallback.grade.fallback_reason == "the LLM server could not be reached"
    answer = get_answer(db_path, varied["llm_mid"])
    assert answer is not None and answer.grade is not None and answer.grade.model == "m"
    assert get_answer(db_path, varied["ungraded"]).grade is None  # type: ignore[union-attr]
    assert get_answer(db_path, 999_999) is None


def test_paging_covers_everything_once_newest_first(db_path: Path, clock: Callable[[datetime], None]) -> None:
    _interview(db_path, "big", n=100)
    ids = []
    for i in range(23):
        # Pairs share a timestamp: the id breaks the tie, so no answer is on two pages or none.
        clock(T0 + timedelta(minutes=i // 2))
        ids.append(_answer(db_path, "big", f"answer {i}", skipped=i == 7))
    filters = AnswerFilter()
    total = count_answers(db_path, filters)
    assert total == 22 == len(find_answers(db_path, filters, limit=1000))
    pages = [find_answers(db_path, filters, limit=5, offset=o) for o in range(0, 30, 5)]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 2, 0]
    paged = [a.id for page in pages for a in page]
    assert len(set(paged)) == len(paged) == total
    assert paged == sorted((i for n, i in enumerate(ids) if n != 7), reverse=True)
    times = [a.created_at for page in pages for a in page]
    assert times == sorted(times, reverse=True)


# -- deleting ----------------------------------------------------------------------


def _foreign_key_problems(db_path: Path) -> list[Any]:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()


def _count(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> int:
    con = sqlite3.connect(db_path)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


def test_delete_answer_takes_its_grades_and_follow_up(db_path: Path) -> None:
    _interview(db_path, "i1")
    doomed = _answer(db_path, "i1", "A weak answer about pallets.")
    kept = _answer(db_path, "i1", "Another answer about pallets.")
    for answer_id in (doomed, kept):
        save_grade(db_path, answer_id, _grade(30))
        save_grade(db_path, answer_id, _grade(40, "llm"))
        assert ask_follow_up(db_path, answer_id, "task", "What was your goal?", "rules")
    assert delete_answer(db_path, doomed) is True
    assert get_answer(db_path, doomed) is None
    assert _count(db_path, "select count(*) from grades where answer_id = ?", (doomed,)) == 0
    assert _count(db_path, "select count(*) from follow_ups where answer_id = ?", (doomed,)) == 0
    assert _count(db_path, "select count(*) from grades where answer_id = ?", (kept,)) == 2
    assert _count(db_path, "select count(*) from follow_ups where answer_id = ?", (kept,)) == 1
    assert _foreign_key_problems(db_path) == []
    assert _search(db_path, "pallets") == {kept}
    assert delete_answer(db_path, doomed) is False
    assert delete_answer(db_path, 424242) is False
    assert _all_rows(db_path) == {
        "interviews": 1,
        "answers": 1,
        "grades": 2,
        "follow_ups": 1,
        "custom_questions": 0,
        "stories": 0,
        "story_practice": 0,
        "answer_search_docsize": 1,
    }


def _search_index_problem(db_path: Path) -> str | None:
    """FTS5's own check that the index holds exactly what its content (answers with their replies) holds."""
    con = sqlite3.connect(db_path)
    try:
        con.execute("insert into answer_search(answer_search, rank) values ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()
    return None


def test_the_search_index_stays_exact_through_every_change(db_path: Path) -> None:
    _interview(db_path, "i1")
    ids = [_answer(db_path, "i1", f"Answer {i} about cross-docking.") for i in range(4)]
    for answer_id in ids:
        save_grade(db_path, answer_id, _grade(30))
        assert ask_follow_up(db_path, answer_id, "result", "And the result?", "rules")
    follow_ups = {a.id: a.follow_up.id for a in storage.list_answers(db_path, "i1") if a.follow_up}
    assert storage.record_follow_up_reply(db_path, follow_ups[ids[0]], "Dwell time fell by a third.")
    assert storage.record_follow_up_reply(db_path, follow_ups[ids[1]], "Trailers turned in 40 minutes.")
    assert storage.skip_follow_up(db_path, follow_ups[ids[2]])
    save_grade(db_path, ids[0], _grade(60))
    assert _search_index_problem(db_path) is None
    assert _search(db_path, "dwell") == {ids[0]} and _search(db_path, "trailers") == {ids[1]}
    assert delete_answer(db_path, ids[1]) and _search(db_path, "trailers") == set()
    assert _search_index_problem(db_path) is None
    assert delete_interview(db_path, "i1") == 3
    assert _search_index_problem(db_path) is None and _search(db_path, "cross-docking") == set()


def test_delete_interview_takes_all_its_answers(db_path: Path) -> None:
    _interview(db_path, "gone")
    _interview(db_path, "stays")
    for i in range(3):
        answer_id = _answer(db_path, "gone", f"Gone answer {i} about forklifts.")
        save_grade(db_path, answer_id, _grade(50))
        ask_follow_up(db_path, answer_id, "result", "And the result?", "rules")
    _answer(db_path, "gone", "", skipped=True)
    survivor = _answer(db_path, "stays", "Kept answer about forklifts.")
    save_grade(db_path, survivor, _grade(70))
    assert delete_interview(db_path, "gone") == 4
    assert storage.get_interview(db_path, "gone") is None
    assert storage.list_answers(db_path, "gone") == []
    assert _search(db_path, "forklifts") == {survivor}
    assert _foreign_key_problems(db_path) == []
    assert _all_rows(db_path) == {
        "interviews": 1,
        "answers": 1,
        "grades": 1,
        "follow_ups": 0,
        "custom_questions": 0,
        "stories": 0,
        "story_practice": 0,
        "answer_search_docsize": 1,
    }
    assert delete_interview(db_path, "gone") == 0
    assert delete_interview(db_path, "never-was") == 0


def test_delete_interview_without_answers(db_path: Path) -> None:
    _interview(db_path, "empty")
    assert delete_interview(db_path, "empty") == 0
    assert storage.get_interview(db_path, "empty") is None


# -- backup and restore ----------------------------------------------------------------


def _bank() -> list[Question]:
    topics = ("inventory", "logistics", "quality", "safety", "leadership")
    return [
        Question(
            id=f"bank-{i}",
            text=f"Tell me about a time you fixed a {topics[i]} problem at your site.",
            type="behavioral",
            topics=(topics[i],),
            levels=("entry", "mid", "senior"),
            probes=("What was the result, in numbers?", "What was your goal?"),
        )
        for i in range(5)
    ]


CUSTOM = [
    Question(
        id="mine-html",
        text='<b>Describe</b> a time a <script>alert("x")</script> supplier & you disagreed.',
        type="behavioral",
        topics=("supply_chain",),
        levels=("mid", "senior"),
        strong_answer_shows=("A <i>number</i> & a date",),
        probes=("Qu'avez-vous fait ?",),
    ),
    Question(
        id="mine-unicode",
        text="Décrivez une fois où l'entrepôt de Zürich a dû livrer 🚚 en 24 h — 仓库.",
        type="case",
        topics=("logistics", "adaptability"),
        levels=("entry",),
        difficulty=3,
    ),
]


def _pending_follow_up(service: InterviewService, interview_id: str) -> int | None:
    state = service.state(interview_id)
    assert state is not None
    return state.pending_follow_up.id if state.pending_follow_up else None


def _build_rich_database(db_path: Path, clock: Callable[[datetime], None]) -> tuple[InterviewService, str]:
    """Every kind of row the app writes; returns the service and the active interview's id."""
    minute = iter(range(10_000))

    def tick() -> None:
        clock(T0 + timedelta(minutes=next(minute)))

    tick()
    storage.add_custom_questions(db_path, CUSTOM)
    service = InterviewService(db_path, _bank(), RuleBasedGrader())

    # A finished interview: a follow-up answered, a question skipped, a follow-up skipped.
    tick()
    first = service.start(InterviewSetup(level="mid", n_questions=3), seed=1)
    tick()
    service.answer(first.id, WEAK)
    follow_up_id = _pending_follow_up(service, first.id)
    assert follow_up_id is not None, "a weak answer earns a follow-up"
    tick()
    answer_id = service.reply_to_follow_up(first.id, follow_up_id, "We cut the backlog from 900 to 120 orders.")
    service.grade_stored(first.id, answer_id)
    tick()
    service.skip(first.id)
    tick()
    service.answer(first.id, WEAK)
    follow_up_id = _pending_follow_up(service, first.id)
    assert follow_up_id is not None
    tick()
    service.skip_follow_up(first.id, follow_up_id)
    assert service.state(first.id).interview.status == "finished"  # type: ignore[union-attr]

    # An ended interview: an LLM grade, a fallback grade and an ungraded answer.
    tick()
    second = service.start(InterviewSetup(level="senior", n_questions=4, follow_ups=False), seed=2)
    tick()
    llm_answer = service.submit(second.id, STRONG)
    save_grade(db_path, llm_answer, service.grader.grade("q", STRONG))
    save_grade(db_path, llm_answer, _grade(88, "llm").model_copy(update={"follow_up": "And then?"}))
    tick()
    fallback_answer = service.submit(second.id, STRONG + " Ça a marché ✅.")
    rules = service.grader.grade("q", STRONG)
    save_grade(db_path, fallback_answer, rules.model_copy(update={"fallback_reason": "the LLM returned HTML"}))
    tick()
    service.submit(second.id, "An answer that was never graded, with <html> & “quotes”.")
    storage.save_grade_error(db_path, service.state(second.id).answers[-1].id, "Grading failed: RuntimeError")  # type: ignore[union-attr]
    tick()
    service.end(second.id)

    # Stories: one saved from an answer, one written fresh (markup and non-ASCII), practised on a question.
    stories = StoryService(db_path, service)
    tick()
    draft = stories.bank(from_answer=llm_answer).draft
    assert draft is not None
    stories.add(draft.model_dump(), source_answer_id=llm_answer)
    tick()
    fresh = stories.add(
        {
            "title": "<b>Zürich</b> recount 🚚",
            "situation": "Stock at the Zürich DC was 6% out.",
            "action": "I ran a <script>recount</script> & fixed the inventory problem at the site.",
            "competencies": ["problem_solving"],
            "topics": ["inventory"],
        }
    )
    tick()
    practice, _story = stories.practise(fresh.id or 0)
    tick()
    service.answer(practice.id, STRONG)

    # An active interview, one answer in, that a restored database must resume.
    tick()
    active = service.start(InterviewSetup(level="entry", topics=("logistics",), n_questions=2, follow_ups=False))
    tick()
    service.answer(active.id, STRONG)
    return service, active.id


def _roundtrip(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))


@pytest.fixture(scope="module")
def rich_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The rich database's backup (as JSON would carry it) and its active interview, built once."""
    path = tmp_path_factory.mktemp("rich") / "coach.db"
    current = [T0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage.db, "clock", lambda: current[0])
        _service, active_id = _build_rich_database(path, lambda when: current.__setitem__(0, when))
    return _roundtrip(backup(path)), active_id


def _empty_database(tmp_path: Path) -> Path:
    """A migrated database with no rows, as a fresh install has."""
    path = tmp_path / "restored" / "coach.db"
    with storage.connect(path):
        pass
    return path


def test_backup_restores_every_row_and_column(db_path: Path, tmp_path: Path, clock: Callable[[datetime], None]) -> None:
    _service, active_id = _build_rich_database(db_path, clock)
    original = backup(db_path)
    rows = original["tables"]
    assert original["format"] == "star-coach-backup"
    assert original["migrations"] == [
        "m001_initial",
        "m002_follow_ups",
        "m003_answer_search",
        "m004_grade_advice",
        "m005_kinds_and_topics",
        "m006_each_fact_once",
        "m007_spoken_answers",
        "m008_unsent_recordings",
        "m009_model_answers",
        "m010_story_bank",
        "m011_job_questions",
    ]
    assert original["recordings_included"] is False
    assert {len(rows[t]) > 0 for t in BACKUP_TABLES} == {True}
    assert {f["status"] for f in rows["follow_ups"]} == {"answered", "skipped"}
    assert {g["grader"] for g in rows["grades"]} == {"rules", "llm"}
    assert any(g["fallback_reason"] for g in rows["grades"])
    assert any(a["skipped"] for a in rows["answers"])
    assert {i["status"] for i in rows["interviews"]} == {"finished", "ended", "active"}

    target = tmp_path / "restored" / "coach.db"
    counts = restore(target, _roundtrip(original))
    assert counts == {t: len(rows[t]) for t in BACKUP_TABLES}
    assert backup(target) == original
    assert _foreign_key_problems(target) == []
    # The search index was rebuilt for the restored answers.
    assert _search(target, "backlog") == _search(db_path, "backlog") != set()
    assert _all_rows(target) == _all_rows(db_path)
    assert storage.list_custom_questions(target) == storage.list_custom_questions(db_path)
    assert active_id in {i.id for i in storage.list_interviews(target, status="active")}


def test_restored_database_resumes_the_active_interview(
    tmp_path: Path, clock: Callable[[datetime], None], rich_backup: tuple[dict[str, Any], str]
) -> None:
    data, active_id = rich_backup
    target = tmp_path / "restored" / "coach.db"
    restore(target, _roundtrip(data))
    clock(T0 + timedelta(days=1))
    service = InterviewService(target, _bank(), RuleBasedGrader())
    [state] = service.unfinished()
    assert state.interview.id == active_id and state.position == 1
    answer = service.answer(active_id, STRONG)
    assert answer.position == 1 and answer.grade is not None
    finished = service.state(active_id)
    assert finished is not None and finished.interview.status == "finished"
    # A new interview can draw on the restored custom questions.
    fresh = service.start(InterviewSetup(level="entry", topics=("adaptability",), n_questions=1))
    assert fresh.question_ids == ("mine-unicode",)


def test_restore_refuses_a_database_with_data(
    db_path: Path, tmp_path: Path, rich_backup: tuple[dict[str, Any], str]
) -> None:
    data = _roundtrip(rich_backup[0])
    target = tmp_path / "other" / "coach.db"
    _interview(target, "already-here")
    before = backup(target)
    with pytest.raises(RestoreError, match="empty"):
        restore(target, data)
    assert backup(target) == before
    # The same backup restored twice: the second time is refused and changes nothing.
    restore(db_path, data)
    with pytest.raises(RestoreError, match="empty"):
        restore(db_path, _roundtrip(data))
    assert backup(db_path) == data


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda d: d.update(format="something-else"), id="wrong-format"),
        pytest.param(lambda d: d.pop("format"), id="no-format"),
        pytest.param(lambda d: d.update(tables=[]), id="tables-a-list"),
        pytest.param(lambda d: d.pop("tables"), id="no-tables"),
        pytest.param(lambda d: d["tables"].update(answers={"1": {}}), id="rows-not-a-list"),
        pytest.param(lambda d: d["tables"].update(grades="[]"), id="rows-a-string"),
        pytest.param(lambda d: d["migrations"].append("m999_from_the_future"), id="unknown-migration"),
        pytest.param(lambda d: d.update(migrations="m001_initial"), id="migrations-not-a-list"),
    ],
)
def test_restore_refuses_a_malformed_backup(
    tmp_path: Path, rich_backup: tuple[dict[str, Any], str], spoil: Callable[[dict[str, Any]], Any]
) -> None:
    data = _roundtrip(rich_backup[0])
    spoil(data)
    target = _empty_database(tmp_path)
    with pytest.raises(RestoreError):
        restore(target, data)
    assert set(_all_rows(target).values()) == {0}


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    target = _empty_database(tmp_path)
    for junk in (None, [], "star-coach-backup", {"format": "star-coach-backup", "tables": None}):
        with pytest.raises(RestoreError):
            restore(target, junk)  # type: ignore[arg-type]
    assert set(_all_rows(target).values()) == {0}


def _bad_follow_up(data: dict[str, Any]) -> None:
    row = dict(data["tables"]["follow_ups"][0], id=9_999, answer_id=987_654)
    data["tables"]["follow_ups"].append(row)


def _unknown_column(data: dict[str, Any]) -> None:
    data["tables"]["custom_questions"][-1]["colour"] = "blue"


def _duplicate_custom_id(data: dict[str, Any]) -> None:
    data["tables"]["custom_questions"].append(dict(data["tables"]["custom_questions"][0]))


def _missing_required(data: dict[str, Any]) -> None:
    data["tables"]["custom_questions"][-1]["text"] = None


def _grade_of_missing_answer(data: dict[str, Any]) -> None:
    data["tables"]["grades"][-1]["answer_id"] = 555_555


@pytest.mark.parametrize(
    "spoil", [_bad_follow_up, _unknown_column, _duplicate_custom_id, _missing_required, _grade_of_missing_answer]
)
def test_restore_is_all_or_nothing(
    tmp_path: Path, rich_backup: tuple[dict[str, Any], str], spoil: Callable[[dict[str, Any]], None]
) -> None:
    data = _roundtrip(rich_backup[0])
    spoil(data)
    target = _empty_database(tmp_path)
    with pytest.raises(RestoreError):
        restore(target, data)
    assert _all_rows(target) == dict.fromkeys((*BACKUP_TABLES, "answer_search_docsize"), 0)
    # Nothing was left half-written: the good backup restores into the same file afterwards.
    good = _roundtrip(rich_backup[0])
    restore(target, good)
    assert backup(target) == good


def _level(data: dict[str, Any]) -> None:
    data["tables"]["interviews"][0]["level"] = "wizard"


def _components(data: dict[str, Any]) -> None:
    data["tables"]["grades"][0]["components"] = '{"situation": '


def _question_topics(data: dict[str, Any]) -> None:
    data["tables"]["custom_questions"][0]["topics"] = "not json"


def _created_at(data: dict[str, Any]) -> None:
    data["tables"]["answers"][0]["created_at"] = "yesterday"


@pytest.mark.parametrize(
    ("spoil", "table"),
    [
        (_level, "interviews"),
        (_components, "grades"),
        (_question_topics, "custom_questions"),
        (_created_at, "answers"),
    ],
)
def test_restore_refuses_values_the_app_could_not_read(
    tmp_path: Path, rich_backup: tuple[dict[str, Any], str], spoil: Callable[[dict[str, Any]], None], table: str
) -> None:
    # Such a backup once "restored" and then broke Practice or History on every load.
    data = _roundtrip(rich_backup[0])
    spoil(data)
    target = _empty_database(tmp_path)
    with pytest.raises(RestoreError, match=f"The backup's {table} row .* is not valid"):
        restore(target, data)
    assert _all_rows(target) == dict.fromkeys((*BACKUP_TABLES, "answer_search_docsize"), 0)


def test_a_backup_of_the_first_schema_is_upgraded_by_the_migrations(tmp_path: Path) -> None:
    from tests.test_upgrade import FIXTURE

    copy = tmp_path / "v1.db"
    shutil.copy(FIXTURE, copy)
    v1 = Database(copy)
    tables = {
        t: list(v1[t].rows_where(order_by="rowid")) for t in ("interviews", "answers", "grades", "custom_questions")
    }
    data = _roundtrip({"format": "star-coach-backup", "migrations": ["m001_initial"], "tables": tables})
    target = _empty_database(tmp_path)
    restore(target, data)
    interviews = storage.list_interviews(target)
    by_kind = {i.kind: i for i in interviews if storage.list_answers(target, i.id)}
    assert set(by_kind) == {"batch", "interview"}, "the saved batch is a batch"
    graded = [a for i in interviews for a in storage.list_answers(target, i.id) if a.grade]
    scores = {(g["answer_id"], g["overall"]): [g[f"{p}_score"] for p in PARTS] for g in tables["grades"]}
    assert graded and all(scores[(a.id, a.grade.overall)] == [a.grade.part(p).score for p in PARTS] for a in graded)
    report = HistoryService(target, QuestionLibrary(target, [])).interview_report(by_kind["batch"].id)
    assert report.startswith("# STAR Coach batch")


# -- secrets -------------------------------------------------------------------------

SECRET = "sk-test-Zq8vKD3xw0PmN1eRrT5uYh7Lj2Ff9Bc"


def test_api_key_is_never_stored_or_exported(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_server() as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("STAR_COACH_MODEL", "test-model")
        monkeypatch.setenv("STAR_COACH_LLM_TIMEOUT", "10")
        weak = {"situation": 4, "task": 1, "action": 4, "result": 4}
        server.enqueue(
            # The first answer: an LLM grade with a follow-up, then the reply graded again.
            lambda req: completion(grade_json(answer_in(req), weak, follow_up="What was your target?")),
            lambda req: completion(grade_json(answer_in(req))),
            # The second: a server that echoes the key in its error, as some do; rules stand in.
            Reply(401, json.dumps({"error": {"message": f"Incorrect API key provided: {SECRET}"}}).encode()),
        )
        service = InterviewService(db_path, _bank(), make_grader(load_settings()))
        interview = service.start(InterviewSetup(level="mid", n_questions=3), seed=4)
        first = service.answer(interview.id, STRONG)
        assert first.grade is not None and first.grade.grader == "llm"
        follow_up_id = _pending_follow_up(service, interview.id)
        assert follow_up_id is not None
        service.grade_stored(
            interview.id, service.reply_to_follow_up(interview.id, follow_up_id, "Our target was 75%.")
        )
        second = service.answer(interview.id, STRONG)
        assert second.grade is not None and second.grade.fallback_reason
        if (pending := _pending_follow_up(service, interview.id)) is not None:
            service.skip_follow_up(interview.id, pending)
        service.skip(interview.id)
        # The key really was in play: it went to the server on every request.
        assert server.headers and all(h["authorization"] == f"Bearer {SECRET}" for h in server.headers)

    state = service.state(interview.id)
    assert state is not None and state.interview.status == "finished"
    secret = SECRET.encode()
    leaks = [p.name for p in db_path.parent.iterdir() if p.is_file() and secret in p.read_bytes()]
    assert leaks == []
    assert SECRET not in json.dumps(backup(db_path), ensure_ascii=False)
    assert SECRET not in answers_csv(state.answers)
    assert SECRET not in answers_json(state.answers)
    assert SECRET not in interview_markdown(state.interview, state.answers)
    found = find_answers(db_path, AnswerFilter(include_skipped=True), limit=100)
    assert SECRET not in repr(found) and len(found) == 3

"""Progress from score rows, and the CSV, JSON and Markdown exports of stored answers."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import storage
from coach.export import CSV_COLUMNS, answers_csv, answers_json, interview_markdown
from coach.models import PARTS, Answer, Component, Grade, Interview, InterviewSetup
from coach.progress import Progress, compute_progress, weak_spots_setup
from storage.history import score_history
from tests.storage_support import ask_follow_up, save_grade

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


# -- progress on crafted rows ----------------------------------------------------------


def _row(
    question_id: str,
    overall: int,
    parts: tuple[int, int, int, int] = (3, 3, 3, 3),
    when: datetime = NOW - timedelta(days=30),
    level: str | None = "mid",
    question_text: str | None = None,
) -> dict[str, Any]:
    """One row shaped as storage.history.score_history returns it."""
    return {
        "id": 0,
        "created_at": when.isoformat(),
        "question_id": question_id,
        "question_text": question_text or f"Question {question_id}?",
        "interview_id": "i",
        "level": level,
        "overall": overall,
        **{f"{p}_score": s for p, s in zip(PARTS, parts, strict=True)},
        "grader": "rules",
    }


def _with_topics(rows: list[dict[str, Any]], topics_of: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """The rows with their questions' topics recorded, as answers keep them."""
    return [{**row, "topics": json.dumps(topics_of.get(row["question_id"], ()))} for row in rows]


def _series(overalls: list[int]) -> list[dict[str, Any]]:
    start = NOW - timedelta(days=len(overalls))
    return [_row(f"q{i}", o, when=start + timedelta(days=i)) for i, o in enumerate(overalls)]


def test_averages_and_weakest_part() -> None:
    rows = [
        _row("a", 40, (1, 2, 3, 2)),
        _row("b", 60, (3, 2, 4, 3)),
        _row("a", 80, (4, 3, 5, 4)),
    ]
    progress = compute_progress(rows, now=NOW)
    assert progress.answered == 3
    assert progress.average == pytest.approx(60)
    assert progress.part_averages == pytest.approx({"situation": 8 / 3, "task": 7 / 3, "action": 4, "result": 3})
    assert progress.weakest_part == "task"
    assert [p["overall"] for p in progress.points] == [40, 60, 80]
    assert progress.topic_averages == {} and progress.weakest_topics == []


def test_weakest_part_tie_goes_to_the_earlier_part() -> None:
    progress = compute_progress([_row("a", 50, (2, 4, 2, 4))], now=NOW)
    assert progress.weakest_part == "situation"


def test_topic_averages_use_the_mapping() -> None:
    topics_of = {
        "inv": ("inventory",),
        "log": ("logistics",),
        "qual": ("quality",),
        "safe": ("safety",),
        "both": ("inventory", "safety"),
    }
    rows = [
        _row("inv", 30),
        _row("inv", 50),
        _row("log", 70),
        _row("log", 90),
        _row("qual", 10),
        _row("safe", 60),
        _row("safe", 50),
        _row("both", 20),
        _row("gone", 0),  # a deleted custom question: no topics, but still an answer
    ]
    progress = compute_progress(_with_topics(rows, topics_of), now=NOW)
    assert progress.answered == 9
    assert progress.topic_averages == {
        "inventory": (3, pytest.approx(100 / 3)),
        "logistics": (2, pytest.approx(80)),
        "quality": (1, pytest.approx(10)),
        "safety": (3, pytest.approx(130 / 3)),
    }
    # Ordered by the topics' labels, for the page.
    assert list(progress.topic_averages) == ["inventory", "logistics", "quality", "safety"]
    # Quality was answered once: one unlucky answer is not a weak spot.
    assert progress.weakest_topics == ["inventory", "safety"]


def test_weakest_topics_fall_back_to_single_answers() -> None:
    topics_of = {"a": ("risk",), "b": ("cost_budgeting",), "c": ("leadership",)}
    rows = [_row("a", 70), _row("b", 20), _row("c", 45)]
    assert compute_progress(_with_topics(rows, topics_of), now=NOW).weakest_topics == ["cost_budgeting", "leadership"]


def test_answered_this_week_with_a_fixed_now() -> None:
    plus_two = timezone(timedelta(hours=2))
    rows = [
        _row("a", 50, when=NOW - timedelta(days=30)),
        _row("a", 50, when=NOW - timedelta(days=7, seconds=1)),
        _row("a", 50, when=NOW - timedelta(days=7)),
        _row("b", 50, when=(NOW - timedelta(days=6, hours=23)).astimezone(plus_two)),
        _row("c", 50, when=NOW - timedelta(hours=1)),
    ]
    assert compute_progress(rows, now=NOW).answered_this_week == 3
    assert compute_progress(rows, now=NOW + timedelta(days=30)).answered_this_week == 0
    assert compute_progress(rows, now=NOW + timedelta(days=7, hours=-2)).answered_this_week == 1


def test_trend_compares_recent_answers_with_those_before() -> None:
    improving = compute_progress(_series([20 + 3 * i for i in range(20)]), now=NOW)
    assert improving.trend == pytest.approx(30)  # mean of the last ten minus the ten before
    # Only the two latest windows count: five early high scores are out of both.
    later = compute_progress(_series([100] * 5 + [20 + 3 * i for i in range(20)]), now=NOW)
    assert later.trend == pytest.approx(30)
    declining = compute_progress(_series([90, 80, 70, 60, 50, 40]), now=NOW)
    assert declining.trend == pytest.approx(-30)  # windows of three
    assert compute_progress(_series([10, 50, 90]), now=NOW).trend is None
    assert compute_progress(_series([40, 60, 40, 60]), now=NOW).trend == pytest.approx(0)


def test_reattempts_only_for_questions_answered_more_than_once() -> None:
    rows = [
        _row("a", 30, when=NOW - timedelta(days=3), question_text="Tell me about a stock-out."),
        _row("b", 55, when=NOW - timedelta(days=2), question_text="Tell me about a recall."),
        _row("a", 70, when=NOW - timedelta(days=1), question_text="Tell me about a stock-out."),
        _row("c", 65, when=NOW, question_text="Tell me about a budget cut."),
        _row("a", 85, when=NOW, question_text="Tell me about a stock-out."),
    ]
    reattempts = compute_progress(rows, now=NOW).reattempts
    assert list(reattempts) == ["Tell me about a stock-out."]
    attempts = reattempts["Tell me about a stock-out."]
    assert [a.overall for a in attempts] == [30, 70, 85]
    assert [a.when for a in attempts] == [NOW - timedelta(days=3), NOW - timedelta(days=1), NOW]


def test_usual_level_is_the_most_common() -> None:
    rows = [_row("a", 50, level="senior"), _row("b", 50, level="entry"), _row("c", 50, level="senior")]
    assert compute_progress(rows, now=NOW).usual_level == "senior"
    # No level recorded counts as mid.
    rows += [_row("d", 50, level=None), _row("e", 50, level=None), _row("f", 50, level="mid")]
    assert compute_progress(rows, now=NOW).usual_level == "mid"


def test_no_history_gives_an_empty_progress() -> None:
    progress = compute_progress([], now=NOW)
    assert progress.answered == 0 and progress.answered_this_week == 0
    assert progress.average is None and progress.trend is None and progress.weakest_part is None
    assert progress.topic_averages == {} and progress.weakest_topics == [] and progress.reattempts == {}
    assert compute_progress([]).answered == 0  # the real clock
    setup = weak_spots_setup(progress)
    assert setup.topics == () and setup.level == "mid" and setup.n_questions == 5


def test_weak_spots_setup_uses_weakest_topics_and_usual_level() -> None:
    topics_of = {"inv": ("inventory",), "log": ("logistics",), "qual": ("quality",)}
    rows = [
        _row("inv", 30, level="senior"),
        _row("inv", 40, level="senior"),
        _row("log", 90, level="entry"),
        _row("log", 80, level="senior"),
        _row("qual", 60, level="senior"),
        _row("qual", 50, level="senior"),
    ]
    progress = compute_progress(_with_topics(rows, topics_of), now=NOW)
    setup = weak_spots_setup(progress, n_questions=7)
    assert setup.topics == ("inventory", "quality")
    assert setup.level == "senior" and setup.n_questions == 7
    # A level the setup does not know (an old or hand-edited row) falls back to mid.
    odd = Progress(1, 0, 50.0, {}, None, {}, ["risk"], None, usual_level="expert")
    assert weak_spots_setup(odd) == InterviewSetup(level="mid", topics=("risk",), n_questions=5)


# -- stored answers for progress and exports ----------------------------------------------------


def _grade(overall: int, parts: tuple[int, int, int, int] = (3, 3, 3, 3), **update: Any) -> Grade:
    components = {
        p: Component(present=s > 0, score=s, feedback=f"{p} <b>feedback</b> #1")
        for p, s in zip(PARTS, parts, strict=True)
    }
    suggestions = ["Add a number, e.g. 12%.", "Say *what* you did."]
    return Grade(overall=overall, **components, suggestions=suggestions, grader="rules").model_copy(update=update)


def _interview(db_path: Path, interview_id: str, level: str = "mid") -> Interview:
    interview = Interview(
        id=interview_id,
        created_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        setup=InterviewSetup(level=level, n_questions=6),
        question_ids=tuple(f"q{i}" for i in range(6)),
    )
    storage.create_interview(db_path, interview)
    return interview


def test_progress_from_stored_scores(db_path: Path) -> None:
    _interview(db_path, "i1", level="senior")
    inventory, logistics = ("inventory",), ("logistics",)
    graded = storage.record_answer(
        db_path, "i1", 0, ("q-inv", "Inventory question?", "behavioral"), "Text one.", topics=inventory
    )
    save_grade(db_path, graded, _grade(20, (1, 1, 1, 1)))
    save_grade(db_path, graded, _grade(70, (4, 2, 4, 4)))  # graded again: this one counts
    asked = ("q-log", "Logistics question?", "case")
    storage.record_answer(db_path, "i1", 1, asked, "", skipped=True, topics=logistics)
    storage.record_answer(db_path, "i1", 2, asked, "Never graded.", topics=logistics)
    other = storage.record_answer(db_path, "i1", 3, asked, "Text two.", topics=logistics)
    save_grade(db_path, other, _grade(50, (3, 3, 0, 3)))
    rows = score_history(db_path)
    assert [r["overall"] for r in rows] == [70, 50]
    progress = compute_progress(rows)  # each answer's topics, as recorded with it
    assert progress.answered == 2 and progress.answered_this_week == 2
    assert progress.average == pytest.approx(60) and progress.usual_level == "senior"
    assert progress.weakest_part == "action"
    assert progress.topic_averages == {"inventory": (1, 70), "logistics": (1, 50)}
    assert progress.weakest_topics == ["logistics", "inventory"]


# -- exports ----------------------------------------------------------------------------

HOSTILE_ANSWER = "# Title <script>alert(1)</script> [x](javascript:alert(1))"
TRICKY_ANSWER = (
    'We said "no, not yet", then shipped anyway.\n'
    "Second line, with a comma; a tab\there; café, Zürich, 仓库, 🚚.\r\n"
    "* not a list\n"
    "1. not a list either\n"
    "> not a quote | not | a table\n"
    "```\ncode fence?\n```\n"
    "=SUM(A1:A2) and a trailing backslash \\"
)
HOSTILE_QUESTION = "Tell me about <img src=x onerror=alert(1)> a _time_ you **led** [a](http://e.vil) team."
REPLY = "Backlog fell from 900 to 120 *orders* <b>in</b> 3 weeks.\n## not a heading"
FOLLOW_UP = "What was the <i>result</i>, in [numbers](http://x)?"
REASON = "the LLM server could not be reached"


@pytest.fixture
def exported(db_path: Path) -> tuple[Interview, list[Answer]]:
    """An interview with a tricky answer and follow-up, a skip, an LLM and a fallback grade, an ungraded answer."""
    interview = _interview(db_path, "export-1")
    first = storage.record_answer(db_path, interview.id, 0, ("q0", HOSTILE_QUESTION, "behavioral"), TRICKY_ANSWER)
    save_grade(db_path, first, _grade(35, (3, 1, 3, 2)))
    assert ask_follow_up(db_path, first, "task", FOLLOW_UP, "rules")
    follow_up_id = storage.list_answers(db_path, interview.id)[0].follow_up.id  # type: ignore[union-attr]
    assert storage.record_follow_up_reply(db_path, follow_up_id, REPLY)
    save_grade(db_path, first, _grade(62, (3, 4, 3, 3)))
    storage.record_answer(db_path, interview.id, 1, ("q1", "A question that was skipped?", "case"), "", skipped=True)
    fallback = storage.record_answer(db_path, interview.id, 2, ("q2", "Tell me about a recall.", "behavioral"), "Fine.")
    save_grade(db_path, fallback, _grade(41, fallback_reason=REASON))
    llm = storage.record_answer(db_path, interview.id, 3, ("q3", "Case: a DC closes.", "case"), HOSTILE_ANSWER)
    save_grade(db_path, llm, _grade(88, (5, 4, 4, 5), grader="llm", model="m", prompt_version="v1"))
    storage.record_answer(db_path, interview.id, 4, ("q4", "Tell me about a stock-out.", "behavioral"), "Ungraded.")
    return interview, storage.list_answers(db_path, interview.id)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_the_header_and_one_row_per_answer(exported: tuple[Interview, list[Answer]]) -> None:
    _interview, answers = exported
    text = answers_csv(answers)
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert header == list(CSV_COLUMNS)
    rows = _csv_rows(text)
    assert len(rows) == len(answers) == 5
    assert [int(r["answer_id"]) for r in rows] == [a.id for a in answers]
    assert answers_csv([]).splitlines() == [",".join(CSV_COLUMNS)]


def test_csv_keeps_texts_exactly(exported: tuple[Interview, list[Answer]]) -> None:
    _interview, answers = exported
    first, skipped, fallback, llm, ungraded = _csv_rows(answers_csv(answers))
    assert first["answer"] == TRICKY_ANSWER, "the answer as given; the reply has its own column"
    assert first["question"] == HOSTILE_QUESTION
    assert first["follow_up"] == FOLLOW_UP and first["follow_up_reply"] == REPLY
    assert first["overall"] == "62" and first["task_score"] == "4" and first["score_before_follow_up"] == "35"
    assert first["suggestions"] == "Add a number, e.g. 12%. | Say *what* you did."
    assert skipped["answer"] == "" and skipped["overall"] == ""
    assert fallback["grader"] == "rules" and fallback["fallback_reason"] == REASON
    assert llm["answer"] == HOSTILE_ANSWER and llm["grader"] == "llm" and llm["model"] == "m"
    assert ungraded["overall"] == "" and ungraded["grader"] == "" and ungraded["answer"] == "Ungraded."
    assert datetime.fromisoformat(first["answered_at"]) == answers[0].created_at


def test_json_parses_and_has_every_field(exported: tuple[Interview, list[Answer]]) -> None:
    _interview, answers = exported
    records = json.loads(answers_json(answers))
    assert [set(r) for r in records] == [set(CSV_COLUMNS)] * 5
    first, skipped, fallback, llm, ungraded = records
    assert first["answer"] == TRICKY_ANSWER, "the answer as given; the reply has its own column"
    assert first["question"] == HOSTILE_QUESTION and first["question_type"] == "behavioral"
    assert first["overall"] == 62 and {first[f"{p}_score"] for p in PARTS} == {3, 4}
    assert first["suggestions"] == ["Add a number, e.g. 12%.", "Say *what* you did."]
    assert (first["follow_up"], first["follow_up_reply"], first["score_before_follow_up"]) == (FOLLOW_UP, REPLY, 35)
    assert skipped["overall"] is None and skipped["suggestions"] == [] and skipped["follow_up"] is None
    assert fallback["fallback_reason"] == REASON and fallback["grader"] == "rules"
    assert llm["model"] == "m" and llm["overall"] == 88 and llm["answer"] == HOSTILE_ANSWER
    assert ungraded["overall"] is None and ungraded["answer"] == "Ungraded."
    assert "仓库" in answers_json(answers)  # readable, not \\u-escaped
    assert json.loads(answers_json([])) == []


def _quoted_blocks(markdown: str) -> list[str]:
    """The Markdown's quoted blocks, each with the quoting and the escapes taken off."""
    blocks: list[list[str]] = []
    previous_quoted = False
    for line in markdown.splitlines():
        quoted = line == ">" or line.startswith("> ")
        if quoted and not previous_quoted:
            blocks.append([])
        if quoted:
            blocks[-1].append(line[2:])
        previous_quoted = quoted
    return [re.sub(r"\\(.)", r"\1", "\n".join(b)) for b in blocks]


def test_markdown_escapes_user_text(exported: tuple[Interview, list[Answer]]) -> None:
    interview, answers = exported
    markdown = interview_markdown(interview, answers)
    assert "> \\# Title \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1))" in markdown
    for raw in ("<script>", "](javascript", "<img", "](http", "<b>", "<i>", "**led**", "_time_", "*orders*"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), markdown), raw
    # The only headings are the report's own: the title and one per question.
    headings = [line for line in markdown.splitlines() if line.lstrip().startswith("#")]
    assert headings == [headings[0]] + [f"## Question {i}" for i in range(1, 6)] + ["## Summary"]
    assert headings[0].startswith("# STAR Coach interview, ")
    # Every line of user text is quoted, and the escapes undo to exactly what was written.
    blocks = _quoted_blocks(markdown)
    assert HOSTILE_QUESTION in blocks and FOLLOW_UP in blocks and REPLY in blocks and HOSTILE_ANSWER in blocks
    assert TRICKY_ANSWER.replace("\r\n", "\n") in blocks


@pytest.mark.parametrize(
    "answer",
    [
        "Big news\n===",  # a setext heading underline
        "Big news\n---",
        "Big news\n  ===  ",
    ],
)
def test_markdown_user_text_cannot_make_a_heading(db_path: Path, answer: str) -> None:
    interview = _interview(db_path, "setext")
    answer_id = storage.record_answer(db_path, interview.id, 0, ("q0", "Tell me about news.", "behavioral"), answer)
    save_grade(db_path, answer_id, _grade(50))
    markdown = interview_markdown(interview, storage.list_answers(db_path, interview.id))
    # In a block quote, "> text" followed by "> ===" or "> ---" is a heading, not text.
    underlines = [line for line in markdown.splitlines() if re.fullmatch(r">\s*(=+|-+)\s*", line)]
    assert underlines == []


def test_markdown_has_scores_follow_up_skips_and_fallback(exported: tuple[Interview, list[Answer]]) -> None:
    interview, answers = exported
    markdown = interview_markdown(interview, answers)
    assert "Level: Mid (operations, production, logistics manager). Status: active." in markdown
    sections = re.split(r"^## (?:Question \d+|Summary)$", markdown, flags=re.M)[1:-1]
    first, skipped, fallback, llm, ungraded = sections
    assert "**Score: 62/100** (Situation 3/5, Task 4/5, Action 3/5, Result 3/5; graded by rules)" in first
    assert "**Follow-up**" in first and "**Your reply**" in first
    # The answer block holds the answer as first given; the reply has its own block.
    assert first.index("**Your answer**") < first.index("**Follow-up**") < first.index("**Your reply**")
    answer_block = first.split("**Your answer**")[1].split("**Follow-up**")[0]
    assert "Backlog" not in answer_block and "Backlog" in first.split("**Your reply**")[1]
    assert "*Skipped.*" in skipped and "Score" not in skipped and "Your answer" not in skipped
    assert f"Graded by rules because {REASON}" in fallback and "**Score: 41/100**" in fallback
    assert "graded by LLM m)" in llm and "**Score: 88/100**" in llm and "Graded by rules because" not in llm
    assert "*Not graded.*" in ungraded and "Score" not in ungraded
    assert "What to work on:" in first and "- Add a number, e.g. 12%." in first
    assert "- Task: task \\<b\\>feedback\\</b\\> #1" in first


def test_markdown_reads_as_plain_text_and_ends_with_a_summary(db_path: Path) -> None:
    interview = _interview(db_path, "plain")
    text = "We moved 40% of SKUs to vendor-managed inventory; fill rate rose to 99.2% and P&L improved (a lot)."
    first = storage.record_answer(db_path, interview.id, 0, ("q0", "Tell me about stock (VMI).", "behavioral"), text)
    save_grade(db_path, first, _grade(70, (4, 3, 3, 4)))
    storage.record_answer(db_path, interview.id, 1, ("q1", "A skipped one?", "case"), "", skipped=True)
    markdown = interview_markdown(interview, storage.list_answers(db_path, interview.id))
    assert "> " + text in markdown, "ordinary punctuation is not backslash-escaped"
    assert "> Tell me about stock (VMI)." in markdown
    summary = markdown.split("## Summary", 1)[1]
    assert "Answered 1 of 2; skipped 1." in summary
    assert "Average score: 70/100 (Situation 4.0/5, Task 3.0/5, Action 3.0/5, Result 4.0/5)." in summary
    assert "Practise your task" in summary
    assert markdown.endswith(summary) and markdown.rstrip().splitlines()[-1].startswith("Practise your task")


def test_charts_plot_each_answer_then_each_interview() -> None:
    from coach.progress import PER_ANSWER_MAX, chart_rows

    def point(i: int, interview: str) -> dict:
        when = datetime(2025, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=i)
        return {"when": when, "interview_id": interview, "overall": 50 + i % 7, **dict.fromkeys(PARTS, 3)}

    unit, rows = chart_rows([point(0, "a")])
    assert unit == "Answer" and [r["n"] for r in rows] == [1], "the first answer is a point of its own"
    many = [point(i, f"i{i // 5}") for i in range(PER_ANSWER_MAX + 5)]
    unit, rows = chart_rows(many)
    assert unit == "Interview" and len(rows) == 13 and rows[0]["answers"] == 5
    assert rows[0]["overall"] == sum(50 + i % 7 for i in range(5)) / 5
    assert [r["n"] for r in rows] == list(range(1, 14))

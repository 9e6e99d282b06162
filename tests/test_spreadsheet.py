"""CSV cells a spreadsheet would run as formulas are written inert and read back as typed (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import storage
from coach import spreadsheet
from coach.export import answers_csv
from coach.models import Interview, InterviewSetup, Question
from coach.question_io import export_csv, parse_questions

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
HYPERLINK = '=HYPERLINK("http://example.com/x","Click me")'


@pytest.mark.parametrize("first", DANGEROUS)
def test_every_dangerous_first_character_is_neutralised(first: str) -> None:
    cell = first + "1+2 is the cost"
    assert spreadsheet.neutralise(cell) == "'" + cell
    assert spreadsheet.restore("'" + cell) == cell


@given(st.text(max_size=40))
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    assert spreadsheet.restore(spreadsheet.neutralise(text)) == text  # type: ignore[arg-type]


def test_safe_text_and_numbers_are_left_alone() -> None:
    assert spreadsheet.neutralise("Tell me about a time") == "Tell me about a time"
    assert spreadsheet.neutralise(-3) == -3
    assert spreadsheet.restore("'quoted' on purpose") == "'quoted' on purpose"


def test_an_answer_export_opens_no_formula(db_path: Path) -> None:
    interview = Interview(
        id="csv-1", created_at=datetime.now(UTC), setup=InterviewSetup(level="mid", n_questions=1), question_ids=("q0",)
    )
    storage.create_interview(db_path, interview)
    storage.record_answer(db_path, interview.id, 0, ("q0", "@SUM(A1) question?", "behavioral"), HYPERLINK)
    rows = list(csv.DictReader(io.StringIO(answers_csv(storage.list_answers(db_path, interview.id)), newline="")))
    assert rows[0]["answer"] == "'" + HYPERLINK
    assert rows[0]["question"] == "'@SUM(A1) question?"
    for row in rows:
        assert not any(v[:1] in DANGEROUS for v in row.values() if v), row


@pytest.mark.parametrize("first", [*DANGEROUS, "'=", "''+"])
def test_questions_round_trip_through_csv_as_typed(first: str) -> None:
    text = first + "Tell me about a stock-out you handled."
    hint = first + "cash released"
    question = Question(
        id="my-q",
        text=text,
        topics=("inventory",),
        levels=("mid",),
        type="behavioral",
        custom=True,
        strong_answer_shows=(hint,),
    )
    exported = export_csv([question])
    data_line = next(csv.reader(io.StringIO(exported.split("\r\n", 1)[1], newline="")))
    assert not any(cell[:1] in DANGEROUS for cell in data_line)
    [(_where, back)] = parse_questions(exported, "csv")
    # Import strips surrounding white space from every field, a leading tab or CR included.
    assert back.text == text.strip()
    assert back.strong_answer_shows == (hint.strip(),)

"""Batch grading of JSONL answers in the format of shared/specs/batch-grading.md."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

import storage
from coach.grading import Grader
from coach.models import MAX_ANSWER_CHARS, PARTS, Grade, Question, QuestionType
from coach.question_io import normalised_text


class BatchItem(BaseModel):
    """One input line; keys beyond these (labels, quality) are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt  # true or 1.5 is not an id
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    question_type: QuestionType = "behavioral"

    @field_validator("answer")
    @classmethod
    def _not_blank(cls, answer: str) -> str:
        # The app refuses an empty answer; a batch grades and saves only what the app would accept.
        if not answer.strip():
            raise ValueError("the answer is empty")
        return answer


def grade_to_output(item_id: str | int, grade: Grade) -> dict[str, Any]:
    """The spec's output object for one graded answer."""
    return {
        "id": item_id,
        "grader": grade.grader,
        "model": grade.model,
        "fallback_reason": grade.fallback_reason,
        "overall": grade.overall,
        "components": {
            p: {
                "present": grade.part(p).present,
                "score": grade.part(p).score,
                "evidence": [list(span) for span in grade.part(p).evidence],
                "feedback": grade.part(p).feedback,
            }
            for p in PARTS
        },
        "feedback": grade.suggestions,
        "advice": [a.model_dump(mode="json") for a in grade.advice],
    }


def _error_reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        return f"{where}: {first['msg']}"
    return f"{type(exc).__name__}: {exc}"


def parse_line(line: str) -> BatchItem:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    return BatchItem.model_validate(data)


def grade_lines(
    lines: Iterable[str],
    grader: Grader,
    saver: storage.BatchWriter | None = None,
    known: Sequence[Question] = (),
) -> Iterator[dict]:
    """Grade each non-blank line; a bad line yields an error object and the run goes on.

    A saved answer to one of the `known` questions (same wording) records that question's topics.
    A storage failure (StorageUnavailable) is not a line's fault: it ends the run, with what was saved kept.
    """
    topics_of = {normalised_text(q.text): q.topics for q in known}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_line(line)
        except (ValueError, ValidationError) as exc:
            yield {"id": _safe_id(line), "line": number, "error": _error_reason(exc)}
            continue
        try:
            grade = grader.grade(item.question, item.answer, item.question_type)
        except Exception as exc:  # one line's failure must not stop the file
            yield {"id": item.id, "line": number, "error": f"grading failed: {type(exc).__name__}"}
            continue
        if saver:
            topics = topics_of.get(normalised_text(item.question), ())
            saver.add((f"batch:{item.id}", item.question, item.question_type), item.answer, grade, topics)
        yield grade_to_output(item.id, grade)


def _safe_id(line: str) -> str | int | None:
    """The line's id, if it has a usable one, to name the line in its error."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    item_id = raw.get("id") if isinstance(raw, dict) else None
    return item_id if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None

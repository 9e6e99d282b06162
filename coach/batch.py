"""Batch grading of JSONL answers in the format of shared/specs/batch-grading.md."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

import storage
from coach.grading import Grader
from coach.models import MAX_ANSWER_CHARS, PARTS, Grade, Interview, InterviewSetup, QuestionType


class BatchItem(BaseModel):
    """One input line; keys beyond these (labels, quality) are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt  # true or 1.5 is not an id
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    question_type: QuestionType = "behavioral"


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


class BatchSaver:
    """Records a batch as one practice interview, answer by answer, as it goes."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.interview_id = uuid.uuid4().hex
        storage.create_interview(
            db_path,
            Interview(
                id=self.interview_id,
                created_at=storage.now(),
                setup=InterviewSetup(n_questions=1),
                question_ids=(),
            ),
        )
        self.position = 0

    def save(self, item: BatchItem, grade: Grade) -> None:
        # The answer is committed before its grade, as in the app.
        answer_id = storage.record_answer(
            self.db_path,
            self.interview_id,
            self.position,
            (f"batch:{item.id}", item.question, item.question_type),
            item.answer,
        )
        storage.save_grade(self.db_path, answer_id, grade)
        self.position += 1

    def close(self) -> None:
        storage.finish_batch_interview(self.db_path, self.interview_id, self.position)


def grade_lines(lines: Iterable[str], grader: Grader, saver: BatchSaver | None = None) -> Iterator[dict]:
    """Grade each non-blank line; a bad line yields an error object and the run goes on."""
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
            if saver:
                saver.save(item, grade)
        except Exception as exc:  # one line's failure must not stop the file
            yield {"id": item.id, "line": number, "error": f"grading failed: {type(exc).__name__}"}
            continue
        yield grade_to_output(item.id, grade)


def _safe_id(line: str) -> str | int | None:
    """The line's id, if it has a usable one, to name the line in its error."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    item_id = raw.get("id") if isinstance(raw, dict) else None
    return item_id if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None

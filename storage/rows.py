"""Rows to models and back: the one place that knows how each model is laid out in its table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from coach.models import (
    PARTS,
    QUESTION_LIST_FIELDS,
    Answer,
    Component,
    Delivery,
    FollowUp,
    Grade,
    Interview,
    InterviewSetup,
    Question,
    Story,
)
from storage.db import iso, now

# The follow-up's own columns; its scores before and after a reply are read from the grades.
FOLLOW_UP_FIELDS = ("part", "question", "source", "status", "reply")

# An answer is shown with its latest grade: a re-grade (a follow-up reply, "Grade it now") adds a row.
LATEST_GRADE = "grades g on g.id = (select max(id) from grades where answer_id = a.id)"
# An answer with its latest grade and its follow-up, as `answer_from_row` reads it. The score before a
# reply is the grade the follow-up was asked on; the score after, a later grade once it is answered.
ANSWER_SELECT = f"""
select a.*, g.overall, g.components, g.suggestions, g.advice, g.grader, g.model,
       g.fallback_reason, g.prompt_version, g.latency_ms, g.follow_up as grade_follow_up,
       {", ".join(f"f.{name} as f_{name}" for name in ("id", *FOLLOW_UP_FIELDS))},
       asked_on.overall as f_score_before,
       case when f.status = 'answered' and g.id > f.grade_id then g.overall end as f_score_after,
       exists (select 1 from recordings r where r.answer_id = a.id) as has_recording
from answers a
left join {LATEST_GRADE}
left join follow_ups f on f.answer_id = a.id
left join grades asked_on on asked_on.id = f.grade_id
"""


def interview_row(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.id,
        "created_at": iso(interview.created_at),
        "level": interview.setup.level,
        "topics": json.dumps(list(interview.setup.topics)),
        "question_type": interview.setup.question_type,
        "n_questions": interview.setup.n_questions,
        "question_ids": json.dumps(list(interview.question_ids)),
        "status": interview.status,
        "finished_at": iso(interview.finished_at),
        "follow_ups": int(interview.setup.follow_ups),
        "kind": interview.kind,
    }


def interview_from_row(row: dict[str, Any]) -> Interview:
    kind = row.get("kind") or "interview"
    return Interview(
        id=row["id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        setup=InterviewSetup(
            level=row["level"],
            topics=tuple(json.loads(row["topics"])),
            question_type=row["question_type"],
            # A batch plans no number of questions (old ones stored their size, past what a setup allows).
            n_questions=row["n_questions"] or 1 if kind == "interview" else 1,
            follow_ups=bool(row.get("follow_ups", 1)),
        ),
        question_ids=tuple(json.loads(row["question_ids"])),
        status=row["status"],
        finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
        kind=kind,
    )


def grade_row(answer_id: int, grade: Grade) -> dict[str, Any]:
    components = {p: grade.part(p).model_dump(mode="json") for p in PARTS}
    return {
        "answer_id": answer_id,
        "created_at": iso(now()),
        "overall": grade.overall,
        "components": json.dumps(components),
        "suggestions": json.dumps(grade.suggestions),
        "advice": json.dumps([a.model_dump(mode="json") for a in grade.advice]),
        "grader": grade.grader,
        "model": grade.model,
        "fallback_reason": grade.fallback_reason,
        "prompt_version": grade.prompt_version,
        "latency_ms": grade.latency_ms,
        "follow_up": grade.follow_up,
    }


def grade_from_row(row: dict[str, Any]) -> Grade:
    """A grade from its columns (as ANSWER_SELECT names them: the follow-up as grade_follow_up)."""
    components = json.loads(row["components"])
    return Grade(
        overall=row["overall"],
        **{p: Component.model_validate(components[p]) for p in PARTS},
        suggestions=json.loads(row["suggestions"] or "[]"),
        advice=json.loads(row["advice"] or "[]"),
        grader=row["grader"],
        model=row["model"],
        fallback_reason=row["fallback_reason"],
        prompt_version=row["prompt_version"],
        latency_ms=row["latency_ms"],
        follow_up=row["grade_follow_up"],
    )


def follow_up_from_row(row: dict[str, Any]) -> FollowUp | None:
    if row["f_id"] is None:
        return None
    return FollowUp(
        id=row["f_id"],
        answer_id=row["id"],
        **{name: row[f"f_{name}"] for name in FOLLOW_UP_FIELDS},
        score_before=row["f_score_before"],
        score_after=row["f_score_after"],
    )


def answer_from_row(row: dict[str, Any]) -> Answer:
    """An answer from a row of ANSWER_SELECT, with its latest grade and its follow-up."""
    return Answer(
        id=row["id"],
        interview_id=row["interview_id"],
        position=row["position"],
        question_id=row["question_id"],
        question_text=row["question_text"],
        question_type=row["question_type"],
        text=row["text"],
        skipped=bool(row["skipped"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        grade=grade_from_row(row) if row["overall"] is not None else None,
        grade_error=row["grade_error"],
        follow_up=follow_up_from_row(row),
        topics=tuple(json.loads(row.get("topics") or "[]")),
        delivery=Delivery.model_validate_json(row["delivery"]) if row.get("delivery") else None,
        has_recording=bool(row.get("has_recording")),
    )


def custom_row(question: Question) -> dict[str, Any]:
    data = question.model_dump(mode="json", exclude={"custom"})
    return {**data, **{k: json.dumps(data[k], ensure_ascii=False) for k in QUESTION_LIST_FIELDS}}


def custom_from_row(row: dict[str, Any]) -> Question:
    return Question(
        id=row["id"],
        text=row["text"],
        type=row["type"],
        topics=tuple(json.loads(row["topics"])),
        levels=tuple(json.loads(row["levels"])),
        difficulty=row["difficulty"] or 2,
        strong_answer_shows=tuple(json.loads(row["strong_answer_shows"] or "[]")),
        probes=tuple(json.loads(row["probes"] or "[]")),
        model_answer=row.get("model_answer") or "",
        job=row.get("job") or "",
        custom=True,
    )


# A story's own columns, as written; its id and times are the table's.
STORY_FIELDS = ("title", "situation", "task", "action", "result", "competencies", "topics", "source_answer_id")


def story_row(story: Story) -> dict[str, Any]:
    data = story.model_dump(mode="json", include=set(STORY_FIELDS))
    return {**data, **{k: json.dumps(data[k], ensure_ascii=False) for k in ("competencies", "topics")}}


def story_from_row(row: dict[str, Any]) -> Story:
    return Story(
        id=row["id"],
        title=row["title"],
        **{p: row[p] or "" for p in PARTS},
        competencies=tuple(json.loads(row["competencies"])),
        topics=tuple(json.loads(row["topics"])),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        source_answer_id=row["source_answer_id"],
    )

"""Taking data out: answers with grades as CSV or JSON, and an interview as a Markdown report.

None of these ever holds the API key: they are built from answers and grades only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from coach import spreadsheet
from coach.models import PARTS, Answer, Interview

CSV_COLUMNS = (
    "answer_id",
    "interview_id",
    "answered_at",
    "question_id",
    "question",
    "question_type",
    "answer",
    "overall",
    *(f"{p}_score" for p in PARTS),
    "grader",
    "model",
    "fallback_reason",
    "suggestions",
    "advice_codes",
    "follow_up",
    "follow_up_reply",
    "score_before_follow_up",
)


def answer_record(answer: Answer) -> dict[str, Any]:
    """One answer with its grade, flat, as both exports write it."""
    grade, follow_up = answer.grade, answer.follow_up
    return {
        "answer_id": answer.id,
        "interview_id": answer.interview_id,
        "answered_at": answer.created_at.isoformat(),
        "question_id": answer.question_id,
        "question": answer.question_text,
        "question_type": answer.question_type,
        "answer": answer.text,
        "overall": grade.overall if grade else None,
        **{f"{p}_score": grade.part(p).score if grade else None for p in PARTS},
        "grader": grade.grader if grade else None,
        "model": grade.model if grade else None,
        "fallback_reason": grade.fallback_reason if grade else None,
        "suggestions": grade.to_work_on() if grade else [],
        "advice_codes": [a.code or "" for a in grade.advice] if grade else [],
        "follow_up": follow_up.question if follow_up else None,
        "follow_up_reply": follow_up.reply if follow_up else None,
        "score_before_follow_up": follow_up.score_before if follow_up and follow_up.reply else None,
    }


def answers_csv(answers: Iterable[Answer]) -> str:
    return spreadsheet.write_rows(CSV_COLUMNS, (_csv_row(answer_record(a)) for a in answers))


def _csv_row(record: dict[str, Any]) -> list[Any]:
    record["suggestions"] = " | ".join(record["suggestions"])
    record["advice_codes"] = " | ".join(record["advice_codes"])
    return [record[c] for c in CSV_COLUMNS]


def answers_json(answers: Iterable[Answer]) -> str:
    return json.dumps([answer_record(a) for a in answers], ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    """User text inside Markdown: quoted line by line, with markup characters escaped."""
    escaped = "".join(f"\\{c}" if c in "\\`*_{}[]()<>#+-=.!|~" else c for c in text)
    return "\n".join(f"> {line}" if line else ">" for line in escaped.splitlines() or [""])


def interview_markdown(interview: Interview, answers: Sequence[Answer]) -> str:
    """An interview as a report a candidate can keep or share."""
    started = interview.created_at.astimezone().strftime("%d %B %Y, %H:%M")
    lines = [
        f"# STAR Coach interview, {started}",
        "",
        f"Level: {interview.setup.level}. Status: {interview.status}.",
        "",
    ]
    for answer in answers:
        lines += [f"## Question {answer.position + 1}", "", _md(answer.question_text), ""]
        if answer.skipped:
            lines += ["*Skipped.*", ""]
            continue
        lines += ["**Your answer**", "", _md(answer.original_text), ""]
        if answer.follow_up:
            lines += ["**Follow-up**", "", _md(answer.follow_up.question), ""]
            if answer.follow_up.reply:
                lines += ["**Your reply**", "", _md(answer.follow_up.reply), ""]
        grade = answer.grade
        if grade is None:
            lines += ["*Not graded.*", ""]
            continue
        parts = ", ".join(f"{p.title()} {grade.part(p).score}/5" for p in PARTS)
        graded_by = "LLM " + (grade.model or "") if grade.grader == "llm" else "rules"
        lines += [f"**Score: {grade.overall}/100** ({parts}; graded by {graded_by})", ""]
        if grade.fallback_reason:
            lines += [f"Graded by rules because {_md(grade.fallback_reason)[2:]}", ""]
        lines += [f"- {_md(p.title() + ': ' + grade.part(p).feedback)[2:]}" for p in PARTS]
        lines += ["", "What to work on:", ""] + [f"- {_md(s)[2:]}" for s in grade.to_work_on()] + [""]
    return "\n".join(lines).rstrip() + "\n"

"""Taking data out: answers with grades as CSV or JSON, an interview as a Markdown report, and the story bank
for printing.

None of these ever holds the API key: they are built from answers and grades only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from coach import spreadsheet
from coach.models import COMPETENCY_LABELS, LEVEL_LABELS, PARTS, TOPIC_LABELS, Answer, Interview, Story
from coach.star import graded_by
from coach.summary import summarise

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
    # Spoken answers: their figures, never their audio (recordings stay on this machine).
    "spoken",
    "spoken_seconds",
    "words_per_minute",
    "fillers_per_minute",
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
        "spoken": answer.spoken,
        "spoken_seconds": answer.delivery.speaking_s if answer.delivery else None,
        "words_per_minute": answer.delivery.words_per_minute if answer.delivery else None,
        "fillers_per_minute": answer.delivery.fillers_per_minute if answer.delivery else None,
    }


def answers_csv(answers: Iterable[Answer]) -> str:
    return spreadsheet.write_rows(CSV_COLUMNS, (_csv_row(answer_record(a)) for a in answers))


def _csv_row(record: dict[str, Any]) -> list[Any]:
    record["suggestions"] = " | ".join(record["suggestions"])
    record["advice_codes"] = " | ".join(record["advice_codes"])
    return [record[c] for c in CSV_COLUMNS]


def answers_json(answers: Iterable[Answer]) -> str:
    return json.dumps([answer_record(a) for a in answers], ensure_ascii=False, indent=2) + "\n"


# Characters that make Markdown anywhere in a line: emphasis, code, links and images, HTML, tables,
# strikethrough, and the backslash itself. Everything else ("vendor-managed", "99.2%", "P&L") is left
# as typed, so the report reads as plain text too.
_INLINE = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
# At the start of a line (inside the quote): headings, setext underlines, list and quote markers.
_LINE_START = re.compile(r"^(\s*)([#=+\-])", re.MULTILINE)


def _md(text: str) -> str:
    """User text inside Markdown: quoted line by line, with only what would become markup escaped."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    escaped = _LINE_START.sub(r"\1\\\2", escaped)
    return "\n".join(f"> {line}" if line else ">" for line in escaped.splitlines() or [""])


def _inline(text: str) -> str:
    """User or grader text on one line of the report (a list item, a sentence)."""
    return _md(text)[2:]


def interview_markdown(interview: Interview, answers: Sequence[Answer]) -> str:
    """An interview as a report a candidate can keep or share, ending with a summary."""
    started = interview.created_at.astimezone().strftime("%d %B %Y, %H:%M")
    if interview.kind == "batch":
        about = f"Answers graded in a batch from the command line: {len(answers)}."
        lines = [f"# STAR Coach batch, {started}", "", about, ""]
    else:
        level = LEVEL_LABELS.get(interview.setup.level, interview.setup.level)
        lines = [f"# STAR Coach interview, {started}", "", f"Level: {level}. Status: {interview.status}.", ""]
    for answer in answers:
        lines += [f"## Question {answer.position + 1}", "", _md(answer.question_text), ""]
        lines += _answer_lines(answer)
    return "\n".join(lines + _summary_lines(answers)).rstrip() + "\n"


def _answer_lines(answer: Answer) -> list[str]:
    if answer.skipped:
        return ["*Skipped.*", ""]
    lines = ["**Your answer**", "", _md(answer.text), ""]
    if answer.follow_up:
        lines += ["**Follow-up**", "", _md(answer.follow_up.question), ""]
        if answer.follow_up.reply:
            lines += ["**Your reply**", "", _md(answer.follow_up.reply), ""]
    grade = answer.grade
    if grade is None:
        return [*lines, "*Not graded.*", ""]
    parts = ", ".join(f"{p.title()} {grade.part(p).score}/5" for p in PARTS)
    lines += [f"**Score: {grade.overall}/100** ({parts}; graded by {_inline(graded_by(grade))})", ""]
    if grade.fallback_reason:
        lines += [f"Graded by rules because {_inline(grade.fallback_reason)}", ""]
    lines += [f"- {_inline(p.title() + ': ' + grade.part(p).feedback)}" for p in PARTS]
    return [*lines, "", "What to work on:", "", *(f"- {_inline(s)}" for s in grade.to_work_on()), ""]


def _summary_lines(answers: Sequence[Answer]) -> list[str]:
    summary = summarise(answers)
    lines = ["## Summary", "", f"Answered {summary.answered} of {len(answers)}; skipped {summary.skipped}."]
    if summary.average_overall is not None:
        parts = ", ".join(f"{p.title()} {summary.part_averages[p]:.1f}/5" for p in PARTS)
        lines += ["", f"Average score: {summary.average_overall:.0f}/100 ({parts})."]
    return [*lines, "", summary.advice, ""]


def stories_markdown(stories: Sequence[tuple[Story, int, Sequence[str]]]) -> str:
    """The story bank to print and rehearse from: each story with what it shows, how often it was told, its
    STAR parts and the questions it can answer. `stories` holds (story, uses, question texts)."""
    told = "story" if len(stories) == 1 else "stories"
    lines = ["# My STAR stories", "", f"{len(stories)} {told}.", ""]
    for story, uses, questions in stories:
        lines += [f"## {_inline(story.title)}", ""]
        shows = ", ".join(COMPETENCY_LABELS[c] for c in story.competencies) or "no competency ticked"
        about = ", ".join(TOPIC_LABELS[t] for t in story.topics) or "no topic ticked"
        lines += [f"Shows: {_inline(shows)}. Topics: {_inline(about)}. Told {uses} time{'s' * (uses != 1)}.", ""]
        for part in PARTS:
            if story.part(part):
                lines += [f"**{part.title()}**", "", _md(story.part(part)), ""]
        if questions:
            lines += ["Questions it can answer:", "", *(f"- {_inline(q)}" for q in questions), ""]
    return "\n".join(lines).rstrip() + "\n"

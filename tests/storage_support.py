"""Shortcuts tests use to put rows in place, built on storage's public calls (or plain SQL where the app
itself has no such call), so storage keeps no code that only tests use."""

from __future__ import annotations

from pathlib import Path

import storage
from coach.models import Answer, Grade
from storage.history import AnswerFilter, find_answers


def save_grade(path: Path, answer_id: int, grade: Grade) -> None:
    """Grade an answer (again), as a turn does, without the turn's other changes."""
    storage.save_grade_and_load(path, "", storage.GradeWrite(answer_id, grade))


def ask_follow_up(path: Path, answer_id: int, part: str, question: str, source: str) -> bool:
    """A follow-up asked on an answer's latest grade; False if it already has one (one per answer)."""
    with storage.connect(path) as db:
        existing = db.execute("select 1 from follow_ups where answer_id = ?", [answer_id]).fetchone()
        if existing:
            return False
        # Asked on the answer's latest grade, whose score is the score before the reply.
        (grade_id,) = db.execute("select max(id) from grades where answer_id = ?", [answer_id]).fetchone()
        db["follow_ups"].insert(
            {
                "answer_id": answer_id,
                "created_at": storage.now().isoformat(),
                "part": part,
                "question": question,
                "source": source,
                "status": "asked",
                "grade_id": grade_id,
            }
        )
        db.conn.commit()
    return True


def recent_answers(path: Path) -> list[Answer]:
    """Every answer, skips too, newest first."""
    return find_answers(path, AnswerFilter(include_skipped=True), limit=1000)

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


def ask_follow_up(path: Path, answer_id: int, part: str, question: str, source: str, score_before: int) -> bool:
    """A follow-up asked on an answer; False if it already has one (as the unique index makes it)."""
    with storage.connect(path) as db:
        existing = db.execute("select 1 from follow_ups where answer_id = ?", [answer_id]).fetchone()
        if existing:
            return False
        db["follow_ups"].insert(
            {
                "answer_id": answer_id,
                "created_at": storage.now().isoformat(),
                "part": part,
                "question": question,
                "source": source,
                "status": "asked",
                "score_before": score_before,
            }
        )
        db.conn.commit()
    return True


def set_follow_up_score(path: Path, follow_up_id: int, score_after: int) -> None:
    with storage.connect(path) as db:
        db.execute("update follow_ups set score_after = ? where id = ?", [score_after, follow_up_id])
        db.conn.commit()


def recent_answers(path: Path) -> list[Answer]:
    """Every answer, skips too, newest first."""
    return find_answers(path, AnswerFilter(include_skipped=True), limit=1000)

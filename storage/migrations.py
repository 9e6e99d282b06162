"""The database schema, as numbered migrations applied in order and recorded in the database."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("star_coach")


@migrations()
def m001_initial(db: Database) -> None:
    """Interviews, their answers, the answers' grades, and the user's own questions."""
    db["interviews"].create(
        {
            "id": str,
            "created_at": str,
            "level": str,
            "topics": str,  # JSON list; empty means every topic
            "question_type": str,
            "n_questions": int,
            "question_ids": str,  # JSON list, in the order they are asked
            "status": str,
            "finished_at": str,
        },
        pk="id",
        not_null={"created_at", "level", "question_type", "question_ids", "status"},
        if_not_exists=True,
    )
    db["answers"].create(
        {
            "id": int,
            "interview_id": str,
            "position": int,
            "question_id": str,
            # The question is copied so history survives a deleted custom question.
            "question_text": str,
            "question_type": str,
            "text": str,
            "skipped": int,
            "created_at": str,
            "grade_error": str,
        },
        pk="id",
        foreign_keys=[("interview_id", "interviews", "id")],
        not_null={"interview_id", "position", "question_id", "text", "created_at"},
        if_not_exists=True,
    )
    # One answer per position: a double-submitted form cannot record twice.
    db["answers"].create_index(["interview_id", "position"], unique=True, if_not_exists=True)
    db["answers"].create_index(["question_id"], if_not_exists=True)
    db["grades"].create(
        {
            "id": int,
            "answer_id": int,
            "created_at": str,
            "overall": int,
            "situation_score": int,
            "task_score": int,
            "action_score": int,
            "result_score": int,
            "components": str,  # JSON: the four parts with evidence and feedback
            "suggestions": str,  # JSON list
            "grader": str,
            "model": str,
            "fallback_reason": str,
            "prompt_version": str,
            "latency_ms": float,
        },
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
        not_null={"answer_id", "created_at", "overall", "components", "grader"},
        if_not_exists=True,
    )
    db["grades"].create_index(["answer_id"], if_not_exists=True)
    db["custom_questions"].create(
        {
            "id": str,
            "created_at": str,
            "text": str,
            "type": str,
            "topics": str,
            "levels": str,
            "difficulty": int,
            "strong_answer_shows": str,
            "probes": str,
        },
        pk="id",
        not_null={"created_at", "text", "type", "topics", "levels"},
        if_not_exists=True,
    )


@migrations()
def m002_follow_ups(db: Database) -> None:
    """Follow-up questions on weak answers, the grader's suggested follow-up, and the setup switch."""
    if "follow_up" not in db["grades"].columns_dict:
        db["grades"].add_column("follow_up", str)
    if "follow_ups" not in db["interviews"].columns_dict:
        db["interviews"].add_column("follow_ups", int, not_null_default=1)
    db["follow_ups"].create(
        {
            "id": int,
            "answer_id": int,
            "created_at": str,
            "part": str,  # the STAR part it draws out
            "question": str,
            "source": str,  # llm, probe (the question's own) or rules (a template)
            "status": str,  # asked, answered, skipped
            "reply": str,
            # The answer's length before the reply was appended: the original is text[:offset].
            "answer_offset": int,
            "score_before": int,
            "score_after": int,
            "replied_at": str,
        },
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
        not_null={"answer_id", "created_at", "part", "question", "source", "status"},
        if_not_exists=True,
    )
    # One follow-up per answer: a double click cannot ask twice.
    db["follow_ups"].create_index(["answer_id"], unique=True, if_not_exists=True)


@migrations()
def m003_answer_search(db: Database) -> None:
    """Full-text search over answers and their questions (FTS5, kept in sync by triggers)."""
    if "answers_fts" not in db.table_names():
        db["answers"].enable_fts(
            ["question_text", "text"], create_triggers=True, tokenize="porter unicode61 remove_diacritics 2"
        )
    db["answers"].create_index(["created_at"], if_not_exists=True)
    db["interviews"].create_index(["created_at"], if_not_exists=True)


@migrations()
def m004_grade_advice(db: Database) -> None:
    """Each grade's advice items with their codes (JSON), beside the suggestions shown."""
    if "advice" not in db["grades"].columns_dict:
        db["grades"].add_column("advice", str)


@migrations()
def m005_kinds_and_topics(db: Database) -> None:
    """What each session is (an interview, or a batch from the CLI, whose size is its answers, not its
    planned number of questions), and the topics of each answer's question as they were when it was answered
    (null until the domain fills them in from the bank)."""
    if "kind" not in db["interviews"].columns_dict:
        db["interviews"].add_column("kind", str, not_null_default="interview")
    mark_batches(db)
    if "topics" not in db["answers"].columns_dict:
        db["answers"].add_column("topics", str)


def mark_batches(db: Database) -> None:
    """Sessions whose every answer is a "batch:" line were saved by `grade --save`: mark them batches
    (for databases and backups from before sessions had a kind)."""
    db.execute(
        """
        update interviews set kind = 'batch'
        where exists (select 1 from answers a where a.interview_id = interviews.id)
          and not exists (
            select 1 from answers a where a.interview_id = interviews.id and a.question_id not like 'batch:%'
          )
        """
    )

"""The candidate's stories: added (all or none), edited, deleted, linked to the interviews that practise them,
and read with everything the Stories page shows in one go."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coach.models import Answer, Question, Story
from storage.db import connect, iso, now, write
from storage.rows import ANSWER_SELECT, STORY_FIELDS, answer_from_row, custom_from_row, story_from_row, story_row


@dataclass
class StoryBankRecord:
    """The stories as stored, how often each was used and on which questions, the user's own questions (the
    bank's are in code), and the answer a new story is being drafted from, if any."""

    stories: list[Story]
    # Answers told with each story: the one it was saved from, and each answer in an interview practising it.
    uses: dict[int, int] = field(default_factory=dict)
    # The questions each story has been told on or offered for (its source answer's, and its practice interviews').
    questions_used: dict[int, frozenset[str]] = field(default_factory=dict)
    custom_questions: list[Question] = field(default_factory=list)
    answer: Answer | None = None


_USES = """
select s.id as story_id,
       (s.source_answer_id is not null)
       + (select count(*) from story_practice p join answers a on a.interview_id = p.interview_id
          where p.story_id = s.id and a.skipped = 0) as uses
from stories s
"""
_QUESTIONS_USED = """
select p.story_id, j.value as question_id
from story_practice p join interviews i on i.id = p.interview_id, json_each(i.question_ids) j
union
select s.id, a.question_id from stories s join answers a on a.id = s.source_answer_id
"""


def load_story_bank(path: Path, answer_id: int | None = None) -> StoryBankRecord:
    """Everything the Stories page shows, read through one connection."""
    with connect(path) as db:
        stories = [story_from_row(r) for r in db["stories"].rows_where(order_by="created_at, id")]
        uses = {r["story_id"]: r["uses"] for r in db.query(_USES)}
        used: dict[int, set[str]] = defaultdict(set)
        for row in db.query(_QUESTIONS_USED):
            used[row["story_id"]].add(row["question_id"])
        custom = [custom_from_row(r) for r in db["custom_questions"].rows_where(order_by="created_at, rowid")]
        answer = None
        if answer_id is not None:
            row = next(db.query(ANSWER_SELECT + " where a.id = ?", [answer_id]), None)
            answer = answer_from_row(row) if row else None
    return StoryBankRecord(stories, uses, {k: frozenset(v) for k, v in used.items()}, custom, answer)


def add_stories(path: Path, stories: Sequence[Story]) -> list[int]:
    """Add stories in one transaction, all or none; returns their new ids. A story's times are kept when it
    has them (an import), else stamped now; an answer it names that is not here is not linked."""
    stamp = iso(now())
    ids = []
    with write(path) as db:
        for story in stories:
            row = story_row(story)
            if row["source_answer_id"] is not None:
                known = db.execute("select 1 from answers where id = ?", [row["source_answer_id"]]).fetchone()
                row["source_answer_id"] = row["source_answer_id"] if known else None
            created = iso(story.created_at) or stamp
            row |= {"created_at": created, "updated_at": iso(story.updated_at) or created}
            sql = f"insert into stories ({', '.join(row)}) values ({', '.join('?' * len(row))})"
            cursor = db.execute(sql, list(row.values()))
            ids.append(int(cursor.lastrowid or 0))
    return ids


def update_story(path: Path, story: Story) -> bool:
    """Replace a story's title, parts and tags, keeping when it was made and where from; False if it is gone."""
    fields = [f for f in STORY_FIELDS if f != "source_answer_id"]
    row = story_row(story)
    with write(path) as db:
        cursor = db.execute(
            f"update stories set {', '.join(f'{f} = ?' for f in fields)}, updated_at = ? where id = ?",
            [*(row[f] for f in fields), iso(now()), story.id],
        )
        return cursor.rowcount == 1


def delete_story(path: Path, story_id: int) -> bool:
    """Delete a story; the answers told with it stay, and its practice interviews with them."""
    with write(path) as db:
        return db.execute("delete from stories where id = ?", [story_id]).rowcount == 1


def link_story_practice(path: Path, interview_id: str, story_id: int) -> bool:
    """Mark an interview as practice of a story, so its answers count as the story's uses; False if the story
    or the interview is gone."""
    try:
        with write(path) as db:
            db.execute(
                "insert or replace into story_practice (interview_id, story_id, created_at) values (?, ?, ?)",
                [interview_id, story_id, iso(now())],
            )
    except sqlite3.IntegrityError:
        return False
    return True

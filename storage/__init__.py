"""All reading and writing of the SQLite database; the only package that touches SQL.

One module per concern: `db` (the file, connections, migrations, errors), `rows` (models to rows and
back), `interviews` (interviews, answers, grades, follow-ups), `questions` (the user's own), `batch`
(a CLI batch saved as it is graded), `history` (search, deletes, backup and restore) and `stories` (the
candidate's story bank). What the domain
uses is named here.
"""

from __future__ import annotations

# First, before anything imports sqlite-utils: it then loads without pandas (see the module).
from storage import _quick_import  # noqa: F401  # isort: skip

# isort: split
from storage.batch import BatchWriter
from storage.db import (
    DatabaseRefused,
    StorageUnavailable,
    connect,
    describe,
    file_state,
    migrate,
    now,
)
from storage.interviews import (
    AlreadyAnswered,
    GradeWrite,
    InterviewClosed,
    InterviewGone,
    InterviewRecord,
    answered_question_ids,
    create_interview,
    end_active_interview,
    fill_in_topics,
    get_interview,
    list_answers,
    list_interviews,
    load_interview,
    record_answer,
    record_follow_up_reply,
    save_grade_and_load,
    save_grade_error,
    set_interview_status,
    skip_follow_up,
)
from storage.questions import (
    QuestionIdTaken,
    add_custom_questions,
    custom_questions_and_answered,
    delete_custom_question,
    list_custom_questions,
    update_custom_question,
)
from storage.recordings import (
    KEEP_RECORDINGS,
    Recording,
    RecordingsHeld,
    delete_all_recordings,
    delete_recording,
    drop_unsent,
    get_recording,
    keep_unsent,
    preference,
    recordings_held,
    set_preference,
    unsent,
)
from storage.stories import (
    StoryBankRecord,
    add_stories,
    delete_story,
    link_story_practice,
    load_story_bank,
    update_story,
)

__all__ = [
    "KEEP_RECORDINGS",
    "AlreadyAnswered",
    "BatchWriter",
    "DatabaseRefused",
    "GradeWrite",
    "InterviewClosed",
    "InterviewGone",
    "InterviewRecord",
    "QuestionIdTaken",
    "Recording",
    "RecordingsHeld",
    "StorageUnavailable",
    "StoryBankRecord",
    "add_custom_questions",
    "add_stories",
    "answered_question_ids",
    "connect",
    "create_interview",
    "custom_questions_and_answered",
    "delete_all_recordings",
    "delete_custom_question",
    "delete_recording",
    "delete_story",
    "describe",
    "drop_unsent",
    "end_active_interview",
    "file_state",
    "fill_in_topics",
    "get_interview",
    "get_recording",
    "keep_unsent",
    "link_story_practice",
    "list_answers",
    "list_custom_questions",
    "list_interviews",
    "load_interview",
    "load_story_bank",
    "migrate",
    "now",
    "preference",
    "record_answer",
    "record_follow_up_reply",
    "recordings_held",
    "save_grade_and_load",
    "save_grade_error",
    "set_interview_status",
    "set_preference",
    "skip_follow_up",
    "unsent",
    "update_custom_question",
    "update_story",
]

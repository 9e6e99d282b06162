"""Past answers for the History and Progress pages: find, open, delete, export, back up, restore."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import storage
from coach.export import answers_csv, answers_json, interview_markdown
from coach.guide import Tip, tip_for
from coach.interview import NotSaved, question_asked
from coach.library import QuestionLibrary
from coach.models import Answer, Question
from coach.progress import Progress, compute_progress
from storage import history as store
from storage.history import AnswerFilter, GraderFilter, RestoreError

MAX_EXPORT_ANSWERS = 1_000_000
MAX_BACKUP_BYTES = 200_000_000


@dataclass
class HistoryQuery:
    """The History page's filters as the user set them."""

    search: str = ""
    first_day: date | None = None
    last_day: date | None = None
    topic: str = "all"
    level: str = "all"
    question_type: str = "all"
    grader: GraderFilter = "all"
    min_score: int = 0
    max_score: int = 100


class HistoryService:
    """History over one database, knowing each question's topics through the library."""

    def __init__(self, db_path: Path, library: QuestionLibrary):
        self.db_path = db_path
        self.library = library

    def _filter(self, query: HistoryQuery) -> AnswerFilter:
        self.library.record_topics()
        return AnswerFilter(
            search=query.search,
            since=_start_of(query.first_day),
            until=_start_of(query.last_day + timedelta(days=1)) if query.last_day else None,
            topic=None if query.topic == "all" else query.topic,
            level=None if query.level == "all" else query.level,
            question_type=None if query.question_type == "all" else query.question_type,
            grader=query.grader,
            min_score=query.min_score if query.min_score > 0 else None,
            max_score=query.max_score if query.max_score < 100 else None,
        )

    def find(self, query: HistoryQuery, page: int = 1, per_page: int = 25) -> tuple[list[Answer], int]:
        """One page of matching answers, newest first, and how many match in all."""
        filters = self._filter(query)
        answers = store.find_answers(self.db_path, filters, limit=per_page, offset=(page - 1) * per_page)
        return answers, store.count_answers(self.db_path, filters)

    def answer(self, answer_id: int) -> Answer | None:
        return store.get_answer(self.db_path, answer_id)

    def question_for(self, answer: Answer) -> Question:
        """The question to ask again: the bank's or the user's, else rebuilt from the answer's copy."""
        return self.library.get(answer.question_id) or question_asked(answer)

    def delete_answer(self, answer_id: int) -> bool:
        with _deleting():
            return store.delete_answer(self.db_path, answer_id)

    def delete_interview(self, interview_id: str) -> int:
        with _deleting():
            return store.delete_interview(self.db_path, interview_id)

    def recording(self, answer_id: int) -> storage.Recording | None:
        """A spoken answer's recording, to play it back."""
        return storage.get_recording(self.db_path, answer_id)

    def delete_recording(self, answer_id: int) -> bool:
        """Forget one recording; the answer, its transcript and its grade stay."""
        with _deleting():
            return storage.delete_recording(self.db_path, answer_id)

    def delete_all_recordings(self) -> int:
        with _deleting():
            return storage.delete_all_recordings(self.db_path)

    def recordings_held(self) -> storage.RecordingsHeld:
        return storage.recordings_held(self.db_path)

    def export(self, query: HistoryQuery, fmt: str) -> str:
        """Every answer matching the filters (not just one page) as CSV or JSON."""
        answers = store.find_answers(self.db_path, self._filter(query), limit=MAX_EXPORT_ANSWERS)
        return answers_csv(answers) if fmt == "csv" else answers_json(answers)

    def interview_report(self, interview_id: str) -> str:
        interview = storage.get_interview(self.db_path, interview_id)
        if interview is None:
            return ""
        return interview_markdown(interview, storage.list_answers(self.db_path, interview_id))

    def progress(self) -> Progress:
        self.library.record_topics()
        return compute_progress(store.score_history(self.db_path))

    def tip(self) -> Tip:
        """The Practice page's tip: the candidate's most frequent weakness of late, or a general one."""
        try:
            codes = store.recent_advice_codes(self.db_path)
        except storage.StorageUnavailable:
            codes = []  # a tip is never worth an error on the page
        return tip_for(codes, day=date.today().toordinal())

    def backup_json(self) -> str:
        """Everything the user has, as one JSON file; never a setting or the API key."""
        return json.dumps(store.backup(self.db_path), ensure_ascii=False)

    def restore_json(self, data: bytes, limit: int | None = MAX_BACKUP_BYTES) -> dict[str, int]:
        """Restore a backup file into this (empty) database; raises RestoreError with the reason.

        `limit` is the page's upload limit; the command line passes None and restores any size.
        """
        if limit is not None and len(data) > limit:
            raise RestoreError(
                f"The file is {len(data) / 1e6:,.0f} MB; the page restores backups up to {limit / 1e6:,.0f} MB. "
                "Restore a bigger one with: python -m coach restore FILE"
            )
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise RestoreError("This is not a STAR Coach backup file (it is not JSON).") from exc
        try:
            counts = store.restore(self.db_path, parsed)
        except storage.StorageUnavailable as exc:
            raise RestoreError(f"The database could not take the backup: {exc}.") from exc
        self.library.forget_topics()  # a backup from before answers kept their topics
        return counts


@contextmanager
def _deleting() -> Iterator[None]:
    try:
        yield
    except storage.StorageUnavailable as exc:
        raise NotSaved(f"Nothing was deleted: {str(exc).rstrip('.')}. Try again in a moment.") from exc


def _start_of(day: date | None) -> datetime | None:
    # Days are the user's local days; stored times are UTC, so compare as aware datetimes.
    return None if day is None else datetime.combine(day, time.min).astimezone()

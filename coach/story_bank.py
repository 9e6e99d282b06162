"""The candidate's story bank over one database: what the Stories page shows, saving, practising, files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import storage
from coach.export import stories_markdown
from coach.interview import AnswerRejected, InterviewService, NotSaved
from coach.models import Answer, Interview, Question, Story
from coach.stories import Coverage, QuestionMatch, StoryMatcher, coverage, draft_from_answer, next_question
from coach.story_io import StoryInputError, build_story, export_json, parse_stories, same_story

# Questions listed under each story in the printable export.
PRINTED_MATCHES = 5


@dataclass(frozen=True)
class StoryEntry:
    """A story with how often it was told and the questions it can answer, best first."""

    story: Story
    uses: int
    matches: list[QuestionMatch]


@dataclass(frozen=True)
class StoryBank:
    """Everything the Stories page shows, from one read."""

    entries: list[StoryEntry]
    coverage: Coverage
    # A story drafted from a graded answer, to edit before saving; or why there is none.
    draft: Story | None = None
    draft_problem: str | None = None


@dataclass(frozen=True)
class ImportReport:
    added: int
    duplicates: list[str]

    def summary(self) -> str:
        text = f"Imported {self.added} stor{'y' if self.added == 1 else 'ies'}"
        if self.duplicates:
            text += f"; skipped {len(self.duplicates)} already in your bank"
        return text + "."


@contextmanager
def _saving() -> Iterator[None]:
    # The form keeps what was typed; the message says why it was not saved.
    try:
        yield
    except storage.StorageUnavailable as exc:
        reason = str(exc).rstrip(".")
        raise StoryInputError([f"Not saved: {reason}. What you wrote is kept; try again in a moment."]) from exc


class StoryService:
    """Stories over one database, mapped to the questions of the interviews' library."""

    def __init__(self, db_path: Path, interviews: InterviewService):
        self.db_path = db_path
        self.interviews = interviews

    def bank(self, from_answer: int | None = None) -> StoryBank:
        """The stories with their uses and matches, what they cover, and a draft from an answer if asked."""
        record = storage.load_story_bank(self.db_path, from_answer)
        questions = [*self.interviews.library.bank, *record.custom_questions]
        matcher = StoryMatcher(questions)
        entries = [StoryEntry(s, record.uses.get(s.id or 0, 0), matcher.matches(s)) for s in record.stories]
        covered = coverage(record.stories, (e.matches for e in entries), len(matcher.questions))
        draft, problem = None, None
        if from_answer is not None:
            draft, problem = self._draft(record.answer, questions)
        return StoryBank(entries, covered, draft, problem)

    @staticmethod
    def _draft(answer: Answer | None, questions: list[Question]) -> tuple[Story | None, str | None]:
        if answer is None:
            return None, "That answer is no longer in your history; write the story below instead."
        question = next((q for q in questions if q.id == answer.question_id), None)
        draft = draft_from_answer(answer, question)
        if draft is None:
            return None, "That answer has no grade yet, so its STAR parts are not known; grade it first."
        return draft, None

    def add(self, fields: Mapping[str, Any], source_answer_id: int | None = None) -> Story:
        """Save a new story from the form; raises StoryInputError with every problem."""
        story = build_story(fields, source_answer_id=source_answer_id)
        key = same_story(story)
        twin = next((s for s in storage.load_story_bank(self.db_path).stories if same_story(s) == key), None)
        if twin is not None:  # a second click, or a reload of the form it was saved from
            raise StoryInputError([f"Story: you already have this story (“{twin.title}”)"])
        with _saving():
            [story_id] = storage.add_stories(self.db_path, [story])
        return story.model_copy(update={"id": story_id})

    def update(self, story_id: int, fields: Mapping[str, Any]) -> Story:
        story = build_story(fields, story_id=story_id)
        with _saving():
            if not storage.update_story(self.db_path, story):
                raise StoryInputError(["This story no longer exists (deleted in another tab?)."])
        return story

    def delete(self, story_id: int) -> bool:
        with _saving():
            return storage.delete_story(self.db_path, story_id)

    def practise(self, story_id: int) -> tuple[Interview, Story]:
        """Start a one-question interview on the best-matching question this story has not been told on yet,
        linked to the story so the answer counts as a use; AnswerRejected says why not."""
        record = storage.load_story_bank(self.db_path)
        story = next((s for s in record.stories if s.id == story_id), None)
        if story is None:
            raise AnswerRejected("This story no longer exists.")
        matcher = StoryMatcher([*self.interviews.library.bank, *record.custom_questions])
        question = next_question(matcher.matches(story), record.questions_used.get(story_id, ()))
        if question is None:
            raise AnswerRejected(
                "No behavioural question matches this story yet: tick the competencies it shows (and its topics)."
            )
        interview = self.interviews.start_with_question(question)
        # A second write: if it fails, the interview stands (the setup page offers to resume it), uncounted.
        try:
            storage.link_story_practice(self.db_path, interview.id, story_id)
        except storage.StorageUnavailable as exc:
            raise NotSaved(f"Not saved: {str(exc).rstrip('.')}. Try again in a moment.") from exc
        return interview, story

    def export_json(self) -> str:
        """Every story as JSON, in the form import reads."""
        return export_json(s for s in storage.load_story_bank(self.db_path).stories)

    def export_markdown(self) -> str:
        """Every story to print, with how often it was told and the questions it answers best."""
        entries = self.bank().entries
        return stories_markdown(
            [(e.story, e.uses, [m.question.text for m in e.matches[:PRINTED_MATCHES]]) for e in entries]
        )

    def import_json(self, data: bytes) -> ImportReport:
        """Add the stories of a JSON file: all of them, or none with every reason; copies already here are
        skipped and counted."""
        parsed = parse_stories(data)
        seen = {same_story(s) for s in storage.load_story_bank(self.db_path).stories}
        new, duplicates = [], []
        for where, story in parsed:
            key = same_story(story)
            if key in seen:
                duplicates.append(f"{where}: already in your bank")
                continue
            seen.add(key)
            new.append(story)
        if new:
            with _saving():
                storage.add_stories(self.db_path, new)
        return ImportReport(len(new), duplicates)

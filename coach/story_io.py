"""Stories from a form or a file, and stories written out as JSON in the form an import reads.

An import is all-or-nothing, like a question import: a file with one bad story adds nothing and names every
bad item with its number and title, so the user fixes the file once and imports again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from coach.models import COMPETENCY_LABELS, PARTS, TOPIC_LABELS, Story

MAX_IMPORT_BYTES = 2_000_000  # hundreds of long stories; a bigger file is not a story bank
MAX_IMPORT_STORIES = 500
# What a story file holds for each story: what the candidate wrote and when (not its id, nor the answer it came
# from: both belong to one database).
EXPORT_FIELDS = ("title", *PARTS, "competencies", "topics", "created_at", "updated_at")
_LIST_FIELDS = ("competencies", "topics")
_NAMES = {
    "title": "Title",
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "competencies": "Competencies",
    "topics": "Topics",
    "created_at": "Created",
    "updated_at": "Updated",
}


class StoryInputError(ValueError):
    """Input that cannot become stories; `problems` lists every reason, each on its own."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def build_story(fields: Mapping[str, Any], story_id: int | None = None, source_answer_id: int | None = None) -> Story:
    """A story from form or file fields; raises StoryInputError with every problem.

    Competencies and topics may be keys or names, as a list or as text separated by '|', ',', ';' or lines.
    """
    data: dict[str, Any] = {name: _text(fields.get(name)) for name in ("title", *PARTS)}
    problems = [f"{_NAMES[n]}: contains control characters; paste it as plain text" for n in data if _control(data[n])]
    if not data["title"]:
        problems.append("Title: give the story a short title (it is empty)")
    if not any(data[p] for p in PARTS):
        problems.append("Story: write at least one of situation, task, action and result")
    for name, vocabulary in (("competencies", COMPETENCY_LABELS), ("topics", TOPIC_LABELS)):
        keys = [_vocabulary_key(item, vocabulary) for item in _items(fields.get(name), vocabulary)]
        unknown = [k for k in keys if k not in vocabulary]
        if unknown:
            problems.append(f"{_NAMES[name]}: unknown {', '.join(map(repr, unknown))}; use {', '.join(vocabulary)}")
        data[name] = tuple(keys)
    for name in ("created_at", "updated_at"):
        data[name] = _when(fields.get(name), problems, _NAMES[name])
    try:
        story = Story(id=story_id, source_answer_id=source_answer_id, **data)
    except ValidationError as exc:
        explained = {p.split(":", 1)[0] for p in problems}
        problems += [m for m in _friendly(exc) if m.split(":", 1)[0] not in explained]
    if problems:
        raise StoryInputError(list(dict.fromkeys(problems)))
    return story


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in text)


def _items(value: Any, vocabulary: Mapping[str, str]) -> list[str]:
    """List items from a list or from text; names are read as keys first, as some hold a comma."""
    if value is None:
        return []
    parts = value if isinstance(value, (list, tuple)) else [value]
    texts = [_names_to_keys(str(part), vocabulary) for part in parts if part is not None]
    pieces = (piece.strip() for text in texts for piece in re.split(r"[|\n;,]", text))
    return [p for p in pieces if p]


def _names_to_keys(text: str, vocabulary: Mapping[str, str]) -> str:
    for key, name in sorted(vocabulary.items(), key=lambda kv: -len(kv[1])):
        text = re.sub(re.escape(name), key, text, flags=re.IGNORECASE)
    return text


def _key(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _vocabulary_key(value: str, vocabulary: Mapping[str, str]) -> str:
    """'Supply chain', 'supply-chain' and 'SUPPLY_CHAIN' all name supply_chain; a name with a part in
    brackets ('Process improvement (Lean, Six Sigma)') is matched by the words before it too."""
    key = _key(value)
    by_name = {_key(name): k for k, name in vocabulary.items()}
    by_start = {_key(name.split(" (")[0]): k for k, name in vocabulary.items()}
    return key if key in vocabulary else by_name.get(key, by_start.get(key, key))


def _when(value: Any, problems: list[str], name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{name}: {str(value)[:40]!r} is not a date and time (2025-03-01T09:00:00+00:00)")
        return None


def _friendly(exc: ValidationError) -> list[str]:
    messages = []
    for error in exc.errors():
        name = _NAMES.get(str(error["loc"][0]), "Story") if error["loc"] else "Story"
        ctx = error.get("ctx") or {}
        if error["type"] == "string_too_long":
            text = f"at most {ctx['max_length']:,} characters, please (this has {len(error['input']):,})"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
        messages.append(f"{name}: {text}")
    return messages


# -- files -------------------------------------------------------------------


def export_json(stories: Iterable[Story]) -> str:
    """The stories as a JSON list, one object each, in the form an import reads."""
    items = [s.model_dump(mode="json", include=set(EXPORT_FIELDS)) for s in stories]
    ordered = [{name: item[name] for name in EXPORT_FIELDS} for item in items]
    return json.dumps(ordered, ensure_ascii=False, indent=2) + "\n"


def parse_stories(data: bytes) -> list[tuple[str, Story]]:
    """Every story in a JSON file with where it was ('story 3, “Title”'); raises with every bad item."""
    items = _json_items(data)
    stories, problems = [], []
    for number, item in enumerate(items, start=1):
        where = _where(number, item)
        if not isinstance(item, dict):
            problems.append(f"{where}: each item must be an object with a title and STAR parts, not {item!r:.40}")
            continue
        unknown = sorted(set(item) - set(EXPORT_FIELDS))
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
            continue
        try:
            stories.append((where, build_story(item)))
        except StoryInputError as exc:
            problems.extend(f"{where}: {p}" for p in exc.problems)
    if problems:
        raise StoryInputError(problems)
    return stories


def _json_items(data: bytes) -> list[Any]:
    if len(data) > MAX_IMPORT_BYTES:
        raise StoryInputError([f"The file is {len(data):,} bytes; the limit is {MAX_IMPORT_BYTES:,}."])
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise StoryInputError([f"This is not a UTF-8 text file (byte {exc.start})."]) from exc
    except json.JSONDecodeError as exc:
        raise StoryInputError([f"line {exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"]) from exc
    except RecursionError as exc:
        raise StoryInputError(["The JSON is nested too deeply to be a list of stories."]) from exc
    if not isinstance(value, list):
        raise StoryInputError(["A story file is a JSON list of stories ([{...}, ...]), as the export writes."])
    if not value:
        raise StoryInputError(["The file holds no stories."])
    if len(value) > MAX_IMPORT_STORIES:
        raise StoryInputError([f"The file holds {len(value):,} stories; the limit is {MAX_IMPORT_STORIES:,}."])
    return value


def _where(number: int, item: Any) -> str:
    title = item.get("title") if isinstance(item, dict) else None
    return f"story {number}" + (f" (“{' '.join(title.split())[:50]}”)" if isinstance(title, str) and title else "")


def same_story(story: Story) -> str:
    """What two copies of one story share: the title and the parts, ignoring case, spacing and punctuation."""
    text = f"{story.title} {story.text}"
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))

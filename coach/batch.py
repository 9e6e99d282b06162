"""Batch grading of JSONL answers in the format of shared/specs/batch-grading.md, typed or recorded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

import storage
from coach.grading import Grader
from coach.models import MAX_ANSWER_CHARS, PARTS, Grade, Question, QuestionType
from coach.question_io import normalised_text

if TYPE_CHECKING:
    from coach.speech import Transcriber, Transcript


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt  # true or 1.5 is not an id
    question: str = Field(min_length=1, max_length=2000)
    question_type: QuestionType = "behavioral"


class AudioItem(_Line):
    """An input line whose answer is a recording: `audio` is its path (relative: to the input's folder)."""

    audio: str = Field(min_length=1, max_length=4096)


class BatchItem(_Line):
    """One input line with a typed answer; keys beyond these (labels, quality) are ignored."""

    answer: str = Field(max_length=MAX_ANSWER_CHARS)

    @field_validator("answer")
    @classmethod
    def _not_blank(cls, answer: str) -> str:
        # The app refuses an empty answer; a batch grades and saves only what the app would accept.
        if not answer.strip():
            raise ValueError("the answer is empty")
        return answer


BOTH_ANSWERS = (
    'the line has both "answer" and "audio": keep "answer" to grade the typed text, '
    'or "audio" to grade the recording\'s transcript'
)


class LineProblem(ValueError):
    """One line cannot be graded; the message, fit for its `error` field, says why."""


class Recordings:
    """The recordings that audio lines name, read from one folder and transcribed by one transcriber.

    The transcriber is made at the first audio line (a file of typed answers never loads the speech
    layer) and kept for the run, so the speech model loads once.
    """

    def __init__(self, folder: Path, make: Callable[[], Transcriber] | None = None):
        self.folder = folder
        self._make = make or _configured_transcriber
        self._transcriber: Transcriber | None = None

    def transcribe(self, name: str) -> Transcript:
        """The transcript of the recording at `name`; raises LineProblem saying what is wrong with it."""
        from coach.speech import TranscriptionError
        from coach.speech.audio import MAX_AUDIO_BYTES

        path = self.folder / name  # an absolute `name` stays as it is
        if path.exists() and not path.is_file():  # a folder, or a pipe that would never end
            raise LineProblem(f"audio {name}: {path} is not a file")
        try:
            with path.open("rb") as handle:
                # One byte past the limit: enough for the check to refuse a huge file without reading it all.
                data = handle.read(MAX_AUDIO_BYTES + 1)
        except OSError as exc:
            raise LineProblem(f"audio {name}: cannot read {path}: {exc.strerror or type(exc).__name__}") from exc
        except ValueError as exc:  # a NUL in the path
            raise LineProblem(f"audio {name}: not a usable file path") from exc
        try:
            if self._transcriber is None:
                self._transcriber = self._make()
            transcript = self._transcriber.transcribe(data)
        except TranscriptionError as exc:
            raise LineProblem(f"audio {name}: {exc}") from exc
        except Exception as exc:  # one recording's failure must not stop the file
            raise LineProblem(f"audio {name}: transcription failed ({type(exc).__name__})") from exc
        if not transcript.text.strip():
            raise LineProblem(f"audio {name}: no speech was heard in the recording")
        if len(transcript.text) > MAX_ANSWER_CHARS:
            raise LineProblem(f"audio {name}: the transcript is over {MAX_ANSWER_CHARS:,} characters")
        return transcript


def _configured_transcriber() -> Transcriber:
    from coach.config import load_settings
    from coach.speech import make_transcriber

    return make_transcriber(load_settings())


def grade_to_output(item_id: str | int, grade: Grade) -> dict[str, Any]:
    """The spec's output object for one graded answer."""
    return {
        "id": item_id,
        "grader": grade.grader,
        "model": grade.model,
        "fallback_reason": grade.fallback_reason,
        "overall": grade.overall,
        "components": {
            p: {
                "present": grade.part(p).present,
                "score": grade.part(p).score,
                "evidence": [list(span) for span in grade.part(p).evidence],
                "feedback": grade.part(p).feedback,
            }
            for p in PARTS
        },
        "feedback": grade.suggestions,
        "advice": [a.model_dump(mode="json") for a in grade.advice],
    }


def _error_reason(exc: Exception) -> str:
    if isinstance(exc, LineProblem):
        return str(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        return f"{where}: {first['msg']}"
    return f"{type(exc).__name__}: {exc}"


def spoken_output(item_id: str | int, grade: Grade, transcript: Transcript) -> dict[str, Any]:
    """The output object for a recorded answer: its grade, the transcript graded, and how it was said."""
    from coach.delivery import heard, spoken_grade

    delivery = heard(transcript)
    # As in the app: length and fillers judged in time, the delivery items after what was said.
    output = grade_to_output(item_id, spoken_grade(grade, delivery))
    output["transcript"] = transcript.text
    output["delivery"] = delivery.model_dump(mode="json")
    output["transcriber"] = {
        "name": transcript.transcriber,
        "model": transcript.model,
        "fallback_reason": transcript.fallback_reason,
    }
    return output


def parse_line(line: str) -> BatchItem | AudioItem:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    # A null is no value: a typed file with `"audio": null` on every line stays a typed file.
    if data.get("audio") is not None:
        if data.get("answer") is not None:
            raise LineProblem(BOTH_ANSWERS)
        return AudioItem.model_validate(data)
    return BatchItem.model_validate(data)


def grade_lines(
    lines: Iterable[str],
    grader: Grader,
    saver: storage.BatchWriter | None = None,
    known: Sequence[Question] = (),
    recordings: Recordings | None = None,
) -> Iterator[dict]:
    """Grade each non-blank line; a bad line yields an error object and the run goes on.

    An audio line is transcribed by `recordings` (default: paths from the current folder) and graded on
    its transcript, which is what is saved. A saved answer to one of the `known` questions (same wording)
    records that question's topics. A storage failure (StorageUnavailable) is not a line's fault: it ends
    the run, with what was saved kept.
    """
    topics_of = {normalised_text(q.text): q.topics for q in known}
    recordings = recordings or Recordings(Path.cwd())
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_line(line)
        except (ValueError, ValidationError) as exc:
            yield {"id": _safe_id(line), "line": number, "error": _error_reason(exc)}
            continue
        transcript = None
        if isinstance(item, AudioItem):
            try:
                transcript = recordings.transcribe(item.audio)
            except LineProblem as exc:
                yield {"id": item.id, "line": number, "error": str(exc)}
                continue
            answer = transcript.text
        else:
            answer = item.answer
        try:
            grade = grader.grade(item.question, answer, item.question_type)
        except Exception as exc:  # one line's failure must not stop the file
            yield {"id": item.id, "line": number, "error": f"grading failed: {type(exc).__name__}"}
            continue
        if saver:
            topics = topics_of.get(normalised_text(item.question), ())
            saver.add((f"batch:{item.id}", item.question, item.question_type), answer, grade, topics)
        yield spoken_output(item.id, grade, transcript) if transcript else grade_to_output(item.id, grade)


def _safe_id(line: str) -> str | int | None:
    """The line's id, if it has a usable one, to name the line in its error."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    item_id = raw.get("id") if isinstance(raw, dict) else None
    return item_id if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None

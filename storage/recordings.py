"""Spoken answers' recordings, kept on this machine beside their answers, and the candidate's preferences."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.db import StorageUnavailable, connect, iso, now, writable, write

KEEP_RECORDINGS = "keep_recordings"


@dataclass(frozen=True)
class Recording:
    audio: bytes
    mime: str


@dataclass(frozen=True)
class RecordingsHeld:
    count: int
    size_bytes: int


def get_recording(path: Path, answer_id: int) -> Recording | None:
    """An answer's recording, read only when the candidate asks to play it (recordings are large)."""
    with connect(path) as db:
        row = db.execute("select audio, mime from recordings where answer_id = ?", [answer_id]).fetchone()
    return Recording(bytes(row[0]), row[1]) if row else None


def delete_recording(path: Path, answer_id: int) -> bool:
    """Delete one answer's recording; the answer, its transcript and its delivery figures stay."""
    with write(path) as db:
        return db.execute("delete from recordings where answer_id = ?", [answer_id]).rowcount == 1


def delete_all_recordings(path: Path) -> int:
    """Delete every recording, those not yet sent with an answer too; returns how many there were."""
    with write(path) as db:
        count = db.execute("delete from recordings").rowcount
        count += db.execute("delete from unsent_recordings").rowcount
    # The space goes back to the disk, not only to SQLite's free list: recordings are most of the file.
    # Deleting is done once the rows are gone, so a vacuum that cannot finish (a full disk) loses nothing.
    try:
        with writable(path) as db:
            db.execute("vacuum")
    except StorageUnavailable:
        pass
    return count


def recordings_held(path: Path) -> RecordingsHeld:
    """Every recording on this machine: those kept with answers, and those made and not yet sent."""
    with connect(path) as db:
        count, size = db.execute(
            "select count(*), coalesce(sum(length(audio)), 0) from "
            "(select audio from recordings union all select audio from unsent_recordings)"
        ).fetchone()
    return RecordingsHeld(int(count), int(size))


def preference(path: Path, name: str, default: str) -> str:
    with connect(path) as db:
        row = db.execute("select value from preferences where name = ?", [name]).fetchone()
    return str(row[0]) if row else default


def set_preference(path: Path, name: str, value: str) -> None:
    with write(path) as db:
        db.execute(
            "insert into preferences (name, value) values (?, ?) "
            "on conflict(name) do update set value = excluded.value",
            [name, value],
        )


# -- recordings not yet sent -----------------------------------------------------------


def keep_unsent(path: Path, interview_id: str, position: int, recording: Recording) -> None:
    """Keep a new recording for this question, in place of any earlier one, until its answer is saved."""
    with write(path) as db:
        db.execute(
            "insert or replace into unsent_recordings (interview_id, position, created_at, mime, audio) "
            "values (?, ?, ?, ?, ?)",
            [interview_id, position, iso(now()), recording.mime, recording.audio],
        )


def unsent(path: Path, interview_id: str, position: int) -> Recording | None:
    with connect(path) as db:
        row = db.execute(
            "select audio, mime from unsent_recordings where interview_id = ? and position = ?",
            [interview_id, position],
        ).fetchone()
    return Recording(bytes(row[0]), row[1]) if row else None


def drop_unsent(path: Path, interview_id: str, position: int) -> None:
    with write(path) as db:
        db.execute("delete from unsent_recordings where interview_id = ? and position = ?", [interview_id, position])

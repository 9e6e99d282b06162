"""The database file: checked before first use, opened per use, migrated once, written in transactions,
and its failures put in plain words."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import quote

# First, before anything imports sqlite-utils: it then loads without pandas (see the module).
from storage import _quick_import  # noqa: F401  # isort: skip

# isort: split
from sqlite_utils import Database

from storage.migrations import migrations

# How long a write waits for another program's lock before giving up (SQLite's busy timeout).
BUSY_TIMEOUT_S = 20.0
SQLITE_HEADER = b"SQLite format 3\x00"
# Tables SQLite itself may add to any database.
_SQLITE_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


class StorageUnavailable(Exception):
    """The database cannot be written or read; the message says why in plain words."""


class DatabaseRefused(StorageUnavailable):
    """The file at the database path is not one STAR Coach may use; it was left exactly as it was."""


@dataclass(frozen=True)
class FileState:
    """What the checks found: writable, or read-only and why (said on every page and on a refused save)."""

    read_only_reason: str | None = None
    # Its folder cannot be written either, so SQLite may not create its lock files: read it as it is.
    immutable: bool = False


_checked: dict[str, FileState] = {}
_check_lock = threading.Lock()


def clock() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The time stamped on rows: one clock, which a test may set by replacing `clock`."""
    return clock()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@cache
def _our_schema() -> tuple[frozenset[str], frozenset[str]]:
    """The migrations we know and the tables they make, read off a scratch database in memory."""
    scratch = Database(memory=True)
    names = frozenset(m.name for m in migrations.pending(scratch))
    migrations.apply(scratch)
    return names, frozenset(scratch.table_names())


def file_state(path: Path) -> FileState:
    """The checks' finding for the file, made once per path (again when the file has gone)."""
    state = _checked.get(str(Path(path).resolve()))
    if state is not None and path.exists():
        return state
    return migrate(path)


def migrate(path: Path) -> FileState:
    """Check the file, then bring it to the current schema unless it is read-only (safe to repeat).

    Raises DatabaseRefused, leaving the file untouched, for a folder, a file that is not SQLite, or another
    application's database."""
    path = Path(path)
    with _check_lock:
        state = _inspect(path)
        if state.read_only_reason is None:
            _migrate(path)
        _checked[str(path.resolve())] = state
    return state


def _inspect(path: Path) -> FileState:
    if path.is_dir():
        raise DatabaseRefused(f"{path} is a folder, not a database file. Set STAR_COACH_DB to a file's path.")
    if not path.exists():
        return FileState()
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageUnavailable(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    if head and head != SQLITE_HEADER:
        raise DatabaseRefused(
            f"{path} is not an SQLite database: it may belong to another program, or be damaged. "
            "STAR Coach left it untouched; set STAR_COACH_DB to another file."
        )
    writable = _can_write(path)
    if not head:
        return FileState() if writable else _read_only(path, immutable=True)
    return _check_schema(path, writable)


def _check_schema(path: Path, writable: bool) -> FileState:
    immutable = not os.access(path.parent, os.W_OK)
    try:
        tables, applied = _read_schema(path, immutable)
    except sqlite3.OperationalError:
        # A full disk leaves no room for the lock files a reader needs: read the file as it is.
        try:
            tables, applied = _read_schema(path, immutable=True)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"{path} cannot be read: {describe(exc, path)}") from exc
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path} cannot be read: {describe(exc, path)}") from exc
    known, ours = _our_schema()
    foreign = sorted(tables - ours - _SQLITE_TABLES)
    if foreign and not applied:
        shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
        raise DatabaseRefused(
            f"{path} holds another application's tables ({shown}). STAR Coach left it untouched; "
            "set STAR_COACH_DB to a new file."
        )
    if applied - known:
        return FileState(
            f"{path} was written by a newer version of STAR Coach, so it is open read-only: your history "
            "shows, but nothing new can be saved. Update STAR Coach to practise with it.",
            immutable,
        )
    return FileState() if writable else _read_only(path, immutable)


def _read_schema(path: Path, immutable: bool) -> tuple[set[str], set[str]]:
    db = _connect(path, BUSY_TIMEOUT_S, read_only=True, immutable=immutable)
    try:
        return set(db.table_names()), {m.name for m in migrations.applied(db)}
    finally:
        db.close()


def _read_only(path: Path, immutable: bool) -> FileState:
    return FileState(
        f"{path} is read-only: your history shows, but nothing new can be saved. Make the file and its "
        "folder writable, then press Retry.",
        immutable,
    )


def _create_private_file(path: Path) -> None:
    # Career stories are personal: the file and its folder are the owner's only.
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise StorageUnavailable(f"the database file {path} cannot be created ({exc.strerror or exc})") from exc
    os.close(fd)


def _connect(path: Path, wait_s: float, read_only: bool = False, immutable: bool = False) -> Database:
    if read_only:
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(f"file:{quote(str(path))}?{flags}", uri=True, timeout=wait_s)
    else:
        conn = sqlite3.connect(str(path), timeout=wait_s)
    conn.execute(f"PRAGMA busy_timeout = {int(wait_s * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, execute_plugins=False)


def open_db(path: Path, wait_s: float | None = None) -> Database:
    """A new connection to a checked, migrated database: read-only if the checks said so."""
    state = file_state(path)
    wait_s = BUSY_TIMEOUT_S if wait_s is None else wait_s
    if state.read_only_reason is not None:
        return _connect(path, wait_s, read_only=True, immutable=state.immutable)
    if not path.exists():
        _create_private_file(path)
    # A connection per use: Streamlit reruns on other threads, so none is shared.
    db = _connect(path, wait_s)
    db.conn.execute("PRAGMA synchronous = NORMAL")
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def _can_write(path: Path) -> bool:
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _disk_full(path: Path) -> bool:
    # SQLite reports a full disk as a plain I/O error when it cannot create its lock files.
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def _tighten(path: Path) -> None:
    # A database made before files were created private, or copied in: make it the owner's only.
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o600)


def _migrate(path: Path) -> None:
    """Bring the database at path to the current schema (safe to repeat)."""
    with plainly(sqlite3.Error, path):
        if not path.exists():
            _create_private_file(path)
        db = _connect(path, BUSY_TIMEOUT_S)
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            _tighten(path)
            migrations.apply(db)
        finally:
            db.close()


@contextmanager
def connect(path: Path) -> Iterator[Database]:
    """A fresh connection to a checked, migrated database for reading, closed on exit."""
    path = Path(path)
    try:
        db = open_db(path)
    except sqlite3.OperationalError as exc:
        db = _read_as_it_is(path, exc)
    try:
        yield db
    finally:
        db.close()


def _read_as_it_is(path: Path, exc: sqlite3.OperationalError) -> Database:
    # On a full disk SQLite cannot create the lock files a normal connection needs (the last connection
    # to close removed them), yet the file itself holds everything: read it as it is, so pages still show.
    try:
        db = _connect(path, BUSY_TIMEOUT_S, read_only=True, immutable=True)
        db.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.Error:
        raise StorageUnavailable(describe(exc, path)) from exc
    return db


@contextmanager
def writable(path: Path) -> Iterator[Database]:
    """A connection that may write, closed on exit; the caller opens its transactions. A refused write
    (read-only, locked past the wait, disk full) is StorageUnavailable, in words."""
    path = Path(path)
    reason = file_state(path).read_only_reason
    if reason is not None:
        raise StorageUnavailable(reason)
    with plainly(sqlite3.OperationalError, path):
        db = open_db(path)
        try:
            yield db
        finally:
            db.close()


@contextmanager
def write(path: Path) -> Iterator[Database]:
    """A connection inside one write transaction."""
    with writable(path) as db, transaction(db):
        yield db


@contextmanager
def transaction(db: Database) -> Iterator[None]:
    # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers wait
    # on the busy timeout instead of failing on a lock upgrade.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


@contextmanager
def plainly(errors: type[sqlite3.Error], path: Path | None = None) -> Iterator[None]:
    """Locked past the wait, disk full, read-only: raised as StorageUnavailable, with the reason in plain
    words, so callers can say so and keep the user's text."""
    try:
        yield
    except errors as exc:
        if path is not None and ("readonly" in str(exc).lower() or not _can_write(path)):
            # It became read-only while running: check it again, so every page says so from now on.
            _checked.pop(str(path.resolve()), None)
        raise StorageUnavailable(describe(exc, path)) from exc


def describe(exc: sqlite3.Error, path: Path | None = None) -> str:
    """What a database error means to the user, in a few plain words."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the database is busy: another program is writing to it"
    if "full" in text or (path is not None and _disk_full(path)):
        return "the disk that holds your STAR Coach database is full: free some space"
    if "readonly" in text or "read-only" in text or (path is not None and not _can_write(path)):
        return "the database is read-only: make the file and its folder writable"
    if "not a database" in text or "malformed" in text:
        return "the file is not a STAR Coach database, or it is damaged"
    if "unable to open" in text or "disk i/o" in text:
        return "the database file cannot be opened or written"
    if "no such table" in text:
        return "the database file was replaced or emptied while STAR Coach was running"
    return f"the database failed ({type(exc).__name__})"

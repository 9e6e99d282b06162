"""`python -m coach questions import | export | list`: exit codes, messages, and what reaches the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from coach.cli import main
from coach.models import Question
from coach.question_io import MAX_IMPORT_BYTES, parse_questions

ROOT = Path(__file__).resolve().parent.parent

GOOD_CSV = (
    "text,topics,levels,probes\n"
    "Tell me about a time you cut the cost of a shipping lane.,inventory,mid,Why? | How?\n"
    '"Tell me, briefly, about a supplier you lost",Supply chain,,\n'
    "Walk me through a safety incident you handled,safety,senior,\n"
)
TEXTS = [
    "Tell me about a time you cut the cost of a shipping lane.",
    "Tell me, briefly, about a supplier you lost",
    "Walk me through a safety incident you handled",
]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["questions", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def mine(db_path: Path) -> list[Question]:
    return storage.list_custom_questions(db_path)


def test_import_a_good_csv(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "import", str(write(tmp_path, "mine.csv", GOOD_CSV)))
    assert code == 0, err
    assert out == "Imported 3 questions.\n"
    assert err == ""
    stored = mine(db_path)
    assert [q.text for q in stored] == TEXTS
    assert stored[0].probes == ("Why?", "How?") and stored[0].levels == ("mid",)
    assert stored[1].topics == ("supply_chain",)
    assert all(q.custom for q in stored)


def test_import_again_reports_every_skipped_duplicate(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "mine.csv", GOOD_CSV)
    assert cli(capsys, "import", str(path))[0] == 0
    code, out, _ = cli(capsys, "import", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Imported 0 questions; skipped 3 already there."
    assert [line.split(":", 1)[0] for line in lines[1:]] == ["  skipped line 2", "  skipped line 3", "  skipped line 4"]
    assert len(mine(db_path)) == 3


def test_import_with_a_bad_row_exits_2_lists_it_and_changes_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(write(tmp_path, "first.csv", GOOD_CSV)))[0] == 0
    before = mine(db_path)
    bad = (
        "text,topics,difficulty\n"
        "A brand new question that is fine,risk,2\n"
        "Another question that is fine too,quality,hard\n"
        "short,astrology,1\n"
    )
    path = write(tmp_path, "bad.csv", bad)
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"error: nothing imported from {path}:"
    assert lines[1].startswith("  line 3: Difficulty: ")
    assert any(line.startswith("  line 4: Question: ") for line in lines)
    assert any(line.startswith("  line 4: Topics: unknown 'astrology'") for line in lines)
    assert not any("line 2" in line for line in lines)
    assert mine(db_path) == before


def test_import_a_json_object_exits_2(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "one.json", json.dumps({"text": TEXTS[0], "topics": ["inventory"]}))
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: nothing imported from {path}:",
        "  A JSON import must be a list of questions ([{...}, ...]), not an object.",
    ]
    assert mine(db_path) == []


def test_import_a_missing_file_exits_2_with_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.csv"
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert err == f"error: cannot read {path}: No such file or directory\n"


def test_import_a_directory_exits_2_with_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "import", str(tmp_path))
    assert code == 2
    assert err.startswith(f"error: cannot read {tmp_path}: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", b"PK\x03\x04\x14\x00\x06\x00", "Café".encode("latin-1")],
    ids=["png", "zip", "latin1"],
)
def test_import_a_binary_file_exits_2(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    path = write(tmp_path, "picture.csv", data)
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert err.splitlines()[0] == f"error: nothing imported from {path}:"
    assert "not a text file" in err
    assert mine(db_path) == []


def test_import_a_file_over_the_limit_exits_2(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "text,topics\n"
    row = "Tell me about a time you cut the cost of a shipping lane.,inventory\n"
    content = header + row * (MAX_IMPORT_BYTES // len(row) + 2)
    code, _, err = cli(capsys, "import", str(write(tmp_path, "huge.csv", content)))
    assert code == 2
    assert f"the limit is {MAX_IMPORT_BYTES:,}" in err
    assert mine(db_path) == []


def test_format_option_overrides_the_file_name(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "questions.txt", json.dumps([{"text": TEXTS[0], "topics": ["inventory"]}]))
    code, _, err = cli(capsys, "import", str(path))
    assert code == 2 and "line 1: " in err  # read as CSV by its .txt name
    code, out, err = cli(capsys, "import", "--format", "json", str(path))
    assert code == 0, err
    assert out == "Imported 1 question.\n"
    assert [q.text for q in mine(db_path)] == [TEXTS[0]]


def run_module(*args: str, db: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(db.parent), "STAR_COACH_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "coach", "questions", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_import_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "data" / "coach.db"
    payload = json.dumps([{"text": "A question piped in on stdin 🙂", "topics": ["risk"]}]).encode("utf-16")
    result = run_module("import", "-", db=db, stdin=payload)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == "Imported 1 question.\n"
    result = run_module("import", "--format", "csv", "-", db=db, stdin=GOOD_CSV.encode("utf-8-sig"))
    assert result.returncode == 0, result.stderr
    assert [q.text for q in storage.list_custom_questions(db)] == ["A question piped in on stdin 🙂", *TEXTS]
    bad = run_module("import", "-", db=db, stdin=b"text,topics\nshort,nope\n")
    assert bad.returncode == 2
    assert bad.stderr.decode().splitlines()[0] == "error: nothing imported from -:"
    assert len(storage.list_custom_questions(db)) == 4


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_to_stdout_and_to_a_file_round_trips_into_a_new_database(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    tricky = json.dumps(
        [
            {
                "text": 'He said "cut it, now",\nthen <script>left</script>; why?',
                "topics": ["inventory", "quality"],
                "type": "case",
                "levels": ["senior"],
                "difficulty": 3,
                "strong_answer_shows": ["Uses, commas", 'Has "quotes"'],
                "probes": ["مرحبا café e\u0301 中文 🙂"],
            }
        ]
    )
    assert cli(capsys, "import", str(write(tmp_path, "tricky.json", tricky)))[0] == 0
    assert cli(capsys, "import", str(write(tmp_path, "mine.csv", GOOD_CSV)))[0] == 0
    original = mine(db_path)

    code, stdout_text, err = cli(capsys, "export", "--format", fmt)
    assert code == 0 and err == ""
    assert [q for _, q in parse_questions(stdout_text, fmt)] == original  # type: ignore[arg-type]

    target = tmp_path / f"export.{fmt}"
    code, out, _ = cli(capsys, "export", "--format", fmt, "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_bytes() == stdout_text.encode("utf-8")

    other = tmp_path / "other" / "coach.db"
    monkeypatch.setenv("STAR_COACH_DB", str(other))
    code, out, err = cli(capsys, "import", str(target))
    assert code == 0, err
    assert out == "Imported 4 questions.\n"
    assert mine(other) == original
    assert cli(capsys, "export", "--format", fmt)[1] == stdout_text


def test_export_defaults_to_json(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "import", str(write(tmp_path, "mine.csv", GOOD_CSV)))[0] == 0
    code, out, _ = cli(capsys, "export")
    assert code == 0
    assert [item["text"] for item in json.loads(out)] == TEXTS


def test_export_without_a_database_is_empty_and_creates_none(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "export", "--format", "json") == (0, "[]\n", "")
    assert cli(capsys, "export", "--format", "csv") == (
        0,
        "id,text,type,topics,levels,difficulty,strong_answer_shows,probes,model_answer,job\r\n",
        "",
    )
    assert not db_path.exists()


def test_list_json_prints_every_builtin_and_then_the_custom_ones(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bank: list[Question]
) -> None:
    code, out, _ = cli(capsys, "list", "--json")
    assert code == 0
    before = [json.loads(line) for line in out.splitlines()]
    assert len(before) == 241 == len(bank)
    assert [item["id"] for item in before] == [q.id for q in bank]
    assert all(item["custom"] is False for item in before)
    assert all(len(item["model_answer"].split()) >= 150 for item in before), "each with its strong example answer"
    assert not db_path.exists(), "listing must not create a database"

    assert cli(capsys, "import", str(write(tmp_path, "mine.csv", GOOD_CSV)))[0] == 0
    code, out, _ = cli(capsys, "list", "--json")
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert len(items) == 241 + 3
    assert items[:241] == before
    customs = items[241:]
    assert [item["text"] for item in customs] == TEXTS
    assert all(item["custom"] is True for item in customs)
    assert [Question.model_validate(item) for item in customs] == mine(db_path)


def test_list_plain_shows_id_type_and_text(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "import", str(write(tmp_path, "mine.csv", GOOD_CSV)))[0] == 0
    code, out, _ = cli(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 244
    assert lines[-1] == f"{mine(db_path)[-1].id}\tbehavioral\t{TEXTS[-1]}"


def test_a_reader_that_stops_early_gets_no_traceback(db_path: Path) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "questions", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100).startswith(b'{"id":')
    process.stdout.close()  # as `| head -c 100` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) in (0, 1)
    assert "Traceback" not in stderr, stderr


# -- questions suggest --job-description --------------------------------------------------------------


def test_suggest_prints_the_jobs_questions_as_list_json_does(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_job_reading import BULLETS

    code, out, err = cli(capsys, "suggest", "--job-description", str(write(tmp_path, "jd.md", BULLETS)), "--json")
    assert code == 0, err
    items = [json.loads(line) for line in out.splitlines()]
    listed = json.loads(cli(capsys, "list", "--json")[1].splitlines()[0])
    assert len(items) == 10 and all(set(item) == set(listed) for item in items)
    assert all("mid" in item["levels"] for item in items)
    assert "logistics" in items[0]["topics"]
    assert err.splitlines()[:2] == [
        "Role: Logistics Manager",
        "Level: mid (the title says “Manager”; 7+ years of experience asked)",
    ]
    assert "Topic: Logistics and distribution: " in err and "Tools: " in err
    assert not db_path.exists(), "suggesting never creates a database"


def test_suggest_plain_with_n_and_level_from_a_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bank: list[Question]
) -> None:
    from tests.pdf_support import pdf
    from tests.test_job_reading import BULLETS

    data = pdf([[line for line in BULLETS.splitlines() if line.strip()]])
    code, out, err = cli(
        capsys, "suggest", "--job-description", str(write(tmp_path, "jd.pdf", data)), "--n", "3", "--level", "senior"
    )
    assert code == 0, err
    lines = [line.split("\t") for line in out.splitlines()]
    assert len(lines) == 3 and all(len(parts) == 3 and parts[1] in ("behavioral", "case") for parts in lines)
    by_id = {q.id: q for q in bank}
    assert all("senior" in by_id[parts[0]].levels for parts in lines)


def test_suggest_reads_stdin(tmp_path: Path) -> None:
    from tests.test_job_reading import HTML

    result = run_module("suggest", "--job-description", "-", "--n", "2", db=tmp_path / "coach.db", stdin=HTML.encode())
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.decode().splitlines()) == 2
    assert "Role: Warehouse Supervisor" in result.stderr.decode()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot read"),
        (b"", "There is no text to read"),
        (
            "Responsable logistique. Nous recherchons un responsable pour la gestion des transporteurs et du "
            "budget de l'entrepôt de Lyon, avec une équipe de vingt personnes.".encode(),
            "English only",
        ),
        (b"PK\x03\x04docx", "word-processor file"),
    ],
    ids=["missing", "empty", "french", "docx"],
)
def test_suggest_refuses_with_a_reason_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, says: str
) -> None:
    path = tmp_path / "jd.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = cli(capsys, "suggest", "--job-description", str(path))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and says in err


def test_suggest_wants_a_sensible_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "suggest", "--job-description", str(tmp_path / "x.txt"), "--n", "0")
    assert code == 2 and "from 1 to 100" in err

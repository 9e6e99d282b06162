"""`python -m coach grade`: the spec's format, errors per line, exit codes, --save."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "star-format-example.jsonl"  # copied from shared/specs
PART_KEYS = {"present", "score", "evidence", "feedback"}
TOP_KEYS = ["id", "grader", "model", "fallback_reason", "overall", "components", "feedback", "advice"]

LINES = [
    {
        "id": "a1",
        "question": "Tell me about a time you reduced lead time.",
        "question_type": "behavioral",
        "answer": "At our plant lead time was 10 days. I was asked to cut it to 5. I mapped the value stream. "
        "Lead time fell to 6 days within 3 months.",
    },
    {
        "id": 2,
        "question": "A DC misses OTIF. What would you do?",
        "question_type": "case",
        "answer": "I would first check the data, then fix the biggest cause.",
        "quality": 3,
        "segments": [],
    },
]


def run(*args: str, stdin: str | None = None, env_db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(env_db.parent if env_db else ROOT)}
    if env_db:
        env["STAR_COACH_DB"] = str(env_db)
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_output_matches_the_spec(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in LINES) + "\n")
    result = run("grade", "--grader", "rules", str(source), env_db=tmp_path / "db.sqlite")
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in outputs] == ["a1", 2]
    for item, out in zip(LINES, outputs, strict=True):
        assert list(out) == TOP_KEYS
        assert out["grader"] == "rules" and out["model"] is None and out["fallback_reason"] is None
        assert 0 <= out["overall"] <= 100
        assert list(out["components"]) == ["situation", "task", "action", "result"]
        spans = []
        for part in out["components"].values():
            assert set(part) == PART_KEYS
            assert 0 <= part["score"] <= 5 and (part["present"] or part["score"] == 0)
            for start, end in part["evidence"]:
                assert 0 <= start < end <= len(item["answer"])
                spans.append((start, end))
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "evidence overlaps"
        assert 1 <= len(out["feedback"]) <= 3


def test_labelled_examples_are_valid_input() -> None:
    result = run("grade", "--grader", "rules", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["ex1", "ex2"]


def test_bad_lines_get_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    bad = [
        '{"id": "x1", "question": "Q?"}',
        "not json",
        "[1, 2]",
        json.dumps(LINES[0]),
        '{"id": "x5", "question": "Q?", "answer": "a", "question_type": "poem"}',
    ]
    result = run("grade", "--grader", "rules", "-", stdin="\n".join(bad) + "\n", env_db=tmp_path / "db.sqlite")
    assert result.returncode == 0
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == 5
    assert outputs[0] == {"id": "x1", "line": 1, "error": "answer: Field required"}
    assert outputs[1]["line"] == 2 and "not valid JSON" in outputs[1]["error"]
    assert outputs[2]["line"] == 3 and "object" in outputs[2]["error"]
    assert outputs[3]["id"] == "a1" and "overall" in outputs[3]
    assert outputs[4]["id"] == "x5" and "question_type" in outputs[4]["error"]


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run("grade", "--grader", "rules", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    result = run("grade", "--grader", "rules", str(binary))
    assert result.returncode == 2 and "UTF-8" in result.stderr


def test_bad_arguments_exit_2() -> None:
    assert run("grade", "--grader", "magic", "x.jsonl").returncode == 2
    assert run("grade", "--grader", "llm", str(EXAMPLES)).returncode == 2


def test_bom_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "bom.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps(LINES[0]).encode())
    result = run("grade", "--grader", "rules", str(source))
    assert result.returncode == 0 and json.loads(result.stdout)["id"] == "a1"


def test_save_records_one_session(tmp_path: Path) -> None:
    db_file = tmp_path / "save.db"
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in LINES))
    result = run("grade", "--grader", "rules", "--save", str(source), env_db=db_file)
    assert result.returncode == 0, result.stderr
    db = Database(db_file)
    [interview] = list(db["interviews"].rows)
    assert interview["status"] == "finished"
    answers = list(db["answers"].rows_where(order_by="position"))
    assert [a["text"] for a in answers] == [x["answer"] for x in LINES]
    assert db["grades"].count == 2
    assert json.loads(interview["question_ids"]) == ["batch:a1", "batch:2"]


def test_odd_ids_and_lone_surrogates_do_not_stop_the_run(tmp_path: Path) -> None:
    lines = [
        '{"id": "\\ud800", "question": "Q?", "answer": "At our DC I cut errors by 20% in a month."}',
        '{"id": true, "question": "Q?", "answer": "x"}',
        json.dumps(LINES[0]),
    ]
    result = run("grade", "--grader", "rules", "-", stdin="\n".join(lines), env_db=tmp_path / "db.sqlite")
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == 3
    assert outputs[0]["id"] == "\ud800" and "overall" in outputs[0]
    assert outputs[1]["id"] is None and outputs[1]["line"] == 2 and outputs[1]["error"].startswith("id")
    assert outputs[2]["id"] == "a1"


def _run_with_llm(*args: str, base_url: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(db.parent), "STAR_COACH_DB": str(db)}
    env |= {"OPENAI_BASE_URL": base_url, "STAR_COACH_MODEL": "test-model", "STAR_COACH_LLM_TIMEOUT": "5"}
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def test_grader_llm_and_auto_use_the_configured_server(tmp_path: Path) -> None:
    from tests.llm_server import running_server

    with running_server() as server:
        for kind in ("llm", "auto"):
            result = _run_with_llm("grade", "--grader", kind, str(EXAMPLES), base_url=server.url, db=tmp_path / "c.db")
            assert result.returncode == 0, result.stderr
            lines = [json.loads(line) for line in result.stdout.splitlines()]
            assert [(o["grader"], o["model"], o["fallback_reason"]) for o in lines] == [("llm", "test-model", None)] * 2
            assert list(lines[0]) == TOP_KEYS
        assert len(server.requests) == 4, "one request per answer"


def test_grader_llm_with_a_dead_server_says_it_fell_back(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "c.db"
    result = _run_with_llm(
        "grade", "--grader", "llm", "--save", str(EXAMPLES), base_url=f"http://127.0.0.1:{port}/v1", db=db
    )
    assert result.returncode == 0
    for line in result.stdout.splitlines():
        out = json.loads(line)
        assert out["grader"] == "rules" and out["model"] is None
        assert "could not be reached" in out["fallback_reason"]
    reasons = [r["fallback_reason"] for r in Database(db).query("select fallback_reason from grades")]
    assert len(reasons) == 2 and all("could not be reached" in r for r in reasons)

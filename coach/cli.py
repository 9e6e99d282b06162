"""The `python -m coach` commands: batch grading (and more as they come)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from coach.batch import BatchSaver, grade_lines
from coach.config import load_settings
from coach.evaluation import evaluate, load_labelled
from coach.grading import Grader, make_grader
from coach.grading.rules import RuleBasedGrader
from coach.library import QuestionLibrary
from coach.models import Question
from coach.question_io import MAX_IMPORT_BYTES, QuestionInputError, export_csv, export_json
from coach.questions import coverage_table, load_bank

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m coach", description="STAR Coach from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade a JSONL file of answers; JSONL grades on stdout")
    grade.add_argument("--grader", choices=("rules", "llm", "auto"), default="auto")
    grade.add_argument("--save", action="store_true", help="also record the answers and grades in the database")
    grade.add_argument("input", help="JSONL file, one answer a line ('-' for stdin)")
    questions = commands.add_parser("questions", help="the question bank")
    q_commands = questions.add_subparsers(dest="questions_command", required=True)
    q_list = q_commands.add_parser("list", help="every question, built-in and custom")
    q_list.add_argument("--json", action="store_true", help="one JSON object a line")
    q_import = q_commands.add_parser("import", help="add your own questions from a CSV or JSON file (all or none)")
    q_import.add_argument("file", help="CSV (header: id,text,type,topics,levels,...) or JSON list; '-' for stdin")
    q_import.add_argument("--format", choices=("csv", "json"), help="default: from the file name or content")
    q_export = q_commands.add_parser("export", help="write your own questions as CSV or JSON")
    q_export.add_argument("--format", choices=("csv", "json"), default="json")
    q_export.add_argument("--output", "-o", help="file to write (default: stdout)")
    q_cov = q_commands.add_parser("coverage", help="the topic x level x type table")
    q_cov.add_argument("--write-readme", action="store_true", help="replace the table in README.md")
    bench = commands.add_parser("benchmark", help="score the rule-based grader against labelled answers")
    bench.add_argument("input", help="labelled JSONL file (segments and quality per line)")
    bench.add_argument("--errors", type=int, default=0, metavar="N", help="also list the N worst-labelled answers")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _choose_grader(kind: str) -> Grader | str:
    """The grader to use, or the reason it cannot be had."""
    settings = load_settings()
    if kind == "rules":
        return RuleBasedGrader()
    if kind == "llm" and not settings.llm_configured:
        return "--grader llm needs an LLM: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server"
    return make_grader(settings)  # auto: the LLM (with fallback) when configured, else rules


def _open_input(name: str) -> TextIO:
    if name == "-":
        return sys.stdin
    # utf-8-sig: files saved by spreadsheet tools often start with a BOM.
    return open(name, encoding="utf-8-sig")


def run_grade(args: argparse.Namespace) -> int:
    grader = _choose_grader(args.grader)
    if isinstance(grader, str):
        return _fail(grader)
    try:
        source = _open_input(args.input)
    except OSError as exc:
        return _fail(f"cannot read {args.input}: {exc.strerror or exc}")
    # A lone surrogate in an id or answer must not stop the run: write it as a JSON escape.
    sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    saver = BatchSaver(load_settings().db_path) if args.save else None
    try:
        with source:
            for result in grade_lines(source, grader, saver):
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    except UnicodeDecodeError:
        return _fail(f"{args.input} is not UTF-8 text")
    finally:
        if saver:
            saver.close()
    return 0


def run_benchmark(args: argparse.Namespace) -> int:
    try:
        items = load_labelled(Path(args.input))
    except OSError as exc:
        return _fail(f"cannot read {args.input}: {exc.strerror or exc}")
    except ValueError as exc:
        return _fail(str(exc))
    report = evaluate(RuleBasedGrader(), items)
    print("\n".join(report.lines()))
    if args.errors:
        print(f"worst {args.errors} by character agreement:")
        for item_id, agree in sorted(report.per_item, key=lambda x: x[1])[: args.errors]:
            print(f"  {item_id}: {agree:.2f}")
    return 0


README = Path(__file__).resolve().parent.parent / "README.md"
COVERAGE_START, COVERAGE_END = "<!-- coverage:start -->", "<!-- coverage:end -->"


def _library() -> QuestionLibrary:
    return QuestionLibrary(load_settings().db_path, load_bank())


def _all_questions() -> list[Question]:
    db_path = load_settings().db_path
    # Listing must not create a database where there is none yet.
    return _library().all() if db_path.exists() else load_bank()


def readme_with_coverage(readme: str, table: str) -> str:
    """The README text with the generated coverage table between its markers."""
    start, end = readme.index(COVERAGE_START), readme.index(COVERAGE_END)
    return readme[: start + len(COVERAGE_START)] + "\n" + table + "\n" + readme[end:]


def run_import(args: argparse.Namespace) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else _read_limited(Path(args.file))
        report = _library().import_file(data, args.file, args.format)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    except QuestionInputError as exc:
        print(f"error: nothing imported from {args.file}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(report.summary())
    for line in report.duplicates:
        print(f"  skipped {line}")
    return 0


def _read_limited(path: Path) -> bytes:
    # Read one byte past the limit: enough to refuse a huge file without loading it.
    with path.open("rb") as handle:
        return handle.read(MAX_IMPORT_BYTES + 1)


def run_export(args: argparse.Namespace) -> int:
    mine = _library().mine() if load_settings().db_path.exists() else []
    text = export_csv(mine) if args.format == "csv" else export_json(mine)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


def run_questions(args: argparse.Namespace) -> int:
    if args.questions_command == "import":
        return run_import(args)
    if args.questions_command == "export":
        return run_export(args)
    if args.questions_command == "list":
        for question in _all_questions():
            if args.json:
                sys.stdout.write(question.model_dump_json() + "\n")
            else:
                sys.stdout.write(f"{question.id}\t{question.type}\t{question.text}\n")
        return 0
    table = coverage_table(load_bank())
    if args.write_readme:
        README.write_text(readme_with_coverage(README.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        print(table)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "grade":
        return run_grade(args)
    if args.command == "benchmark":
        return run_benchmark(args)
    if args.command == "questions":
        return run_questions(args)
    return _fail(f"unknown command {args.command}")

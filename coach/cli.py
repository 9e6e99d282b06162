"""The `python -m coach` commands: batch grading (and more as they come)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

# Each command imports what it needs when it runs: `--help` stays instant, and grading without
# --save never loads the storage layer (sqlite-utils pulls in pandas, a third of a second).
if TYPE_CHECKING:
    from datetime import date

    from coach.batch import Recordings
    from coach.grading import Grader
    from coach.library import QuestionLibrary
    from coach.models import Question
    from storage import BatchWriter

EXIT_USAGE = 2

GRADE_DESCRIPTION = """\
Grade a JSONL file of answers, one JSON object a line: "id", "question",
"answer" and optionally "question_type" (behavioral or case). One JSON grade
a line goes to stdout (format: shared/specs/batch-grading.md).

A line may give "audio": "PATH" instead of "answer": a WAV, MP3, M4A or WebM
recording of the answer. A relative PATH is read from the input file's
folder (with '-', from the current folder). The recording is transcribed as
the app would (voice needs `pip install -r requirements-voice.txt`) and
graded on its transcript. Its output line adds "transcript" (the text
graded), "delivery" (duration_s, words, words_per_minute, fillers,
fillers_per_minute, long_pauses...) and "transcriber"; its "advice" adds the
delivery.* items. A missing, unreadable, damaged or silent recording, or a
line with both "answer" and "audio", gets an error line and the run goes on.
With --save, the transcript is saved as the answer.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m coach", description="STAR Coach from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser(
        "grade",
        help="grade a JSONL file of answers, typed or recorded; JSONL grades on stdout",
        description=GRADE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("--grader", choices=("rules", "llm", "auto"), default="auto")
    grade.add_argument("--save", action="store_true", help="also record the answers and grades in the database")
    grade.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with --save: how long to wait for a database another program is writing to (default 30)",
    )
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
    q_suggest = q_commands.add_parser(
        "suggest",
        help="the questions that fit a job description (what was read from it goes to stderr)",
        description="Read a job description offline (its level, topics, tools and KPIs; said on stderr) and print "
        "the questions that fit it best, in the order an interview would ask them.",
    )
    q_suggest.add_argument(
        "--job-description", required=True, metavar="FILE", help="a .txt, .md or .pdf file; '-' for stdin"
    )
    q_suggest.add_argument("--n", type=int, default=10, help="how many questions (1-100, default 10)")
    q_suggest.add_argument("--level", choices=("entry", "mid", "senior"), help="default: the level read")
    q_suggest.add_argument("--json", action="store_true", help="one JSON object a line, as `questions list --json`")
    q_cov = q_commands.add_parser("coverage", help="the topic x level x type table")
    q_cov.add_argument("--write-readme", action="store_true", help="replace the table in README.md")
    export = commands.add_parser("export", help="write your answers with their grades, as on the History page")
    e_commands = export.add_subparsers(dest="export_command", required=True)
    e_answers = e_commands.add_parser("answers", help="answers and grades as CSV or JSON (newest first)")
    e_answers.add_argument("--format", choices=("csv", "json"), default="csv")
    e_answers.add_argument("--output", "-o", help="file to write (default: stdout)")
    e_answers.add_argument("--search", default="", help="words in the answer or question")
    e_answers.add_argument("--since", help="first day, YYYY-MM-DD")
    e_answers.add_argument("--until", help="last day, YYYY-MM-DD")
    e_answers.add_argument("--topic", default="all", help="a topic key, e.g. inventory")
    e_answers.add_argument("--min-score", type=int, default=0)
    e_answers.add_argument("--max-score", type=int, default=100)
    backup = commands.add_parser("backup", help="write everything you have to a JSON backup file")
    backup.add_argument("file", help="the backup file to write ('-' for stdout)")
    restore = commands.add_parser("restore", help="load a backup file into an empty database (any size)")
    restore.add_argument("file", help="a backup written by the app or by `backup`")
    bench = commands.add_parser("benchmark", help="score the rule-based grader against labelled answers")
    bench.add_argument("input", help="labelled JSONL file (segments and quality per line)")
    bench.add_argument("--errors", type=int, default=0, metavar="N", help="also list the N worst-labelled answers")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _report_settings() -> None:
    """Each unusable setting in one line on stderr; the command goes on with that setting's default."""
    from coach.config import load_settings

    for problem in load_settings().problems:
        print(f"warning: {' '.join(problem.split())}", file=sys.stderr)


def _choose_grader(kind: str) -> Grader | str:
    """The grader to use, or the reason it cannot be had."""
    from coach.config import load_settings
    from coach.grading import make_grader
    from coach.grading.rules import RuleBasedGrader

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
    from coach.config import load_settings

    grader = _choose_grader(args.grader)
    if isinstance(grader, str):
        return _fail(grader)
    try:
        source = _open_input(args.input)
    except OSError as exc:
        return _fail(f"cannot read {args.input}: {exc.strerror or exc}")
    # A lone surrogate in an id or answer must not stop the run: write it as a JSON escape.
    sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    if not args.save:
        with source:
            return _grade_to_stdout(args.input, source, grader, None)
    import storage

    db_path = load_settings().db_path
    try:
        saver = storage.BatchWriter(db_path, wait_s=max(args.wait, 0.1))
    except storage.StorageUnavailable as exc:
        return _fail(f"cannot save: {_database_problem(exc)}. Nothing was graded.")
    try:
        with source:
            status = _grade_to_stdout(args.input, source, grader, saver, _library().all())
        saver.close()
    except storage.StorageUnavailable as exc:
        saved = f"the first {saver.count} answers were saved" if saver.count else "no answer was saved"
        return _fail(f"cannot save: {_database_problem(exc)}; {saved}. Run again for the rest.")
    return status


def _grade_to_stdout(
    name: str, source: TextIO, grader: Grader, saver: BatchWriter | None, known: Sequence[Question] = ()
) -> int:
    from coach.batch import grade_lines

    try:
        for result in grade_lines(source, grader, saver, known, _recordings(name)):
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    except UnicodeDecodeError:
        return _fail(f"{name} is not UTF-8 text")
    return 0


def _recordings(name: str) -> Recordings:
    """Where audio lines' relative paths start: the input file's folder, or the current one for stdin."""
    from coach.batch import Recordings

    # absolute(), not resolve(): an input reached through a link reads recordings beside the link.
    return Recordings(Path.cwd() if name == "-" else Path(name).absolute().parent)


def run_benchmark(args: argparse.Namespace) -> int:
    from coach.evaluation import evaluate, load_labelled
    from coach.grading.rules import RuleBasedGrader

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
    from coach.config import load_settings
    from coach.library import QuestionLibrary
    from coach.questions import load_bank

    return QuestionLibrary(load_settings().db_path, load_bank())


def _all_questions() -> list[Question]:
    from coach.config import load_settings
    from coach.questions import load_bank

    db_path = load_settings().db_path
    # Listing must not create a database where there is none yet.
    return _library().all() if db_path.exists() else load_bank()


def readme_with_coverage(readme: str, table: str) -> str:
    """The README text with the generated coverage table between its markers."""
    start, end = readme.index(COVERAGE_START), readme.index(COVERAGE_END)
    return readme[: start + len(COVERAGE_START)] + "\n" + table + "\n" + readme[end:]


def run_import(args: argparse.Namespace) -> int:
    from coach.question_io import QuestionInputError

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


def _read_limited(path: Path, limit: int | None = None) -> bytes:
    from coach.question_io import MAX_IMPORT_BYTES

    # Read one byte past the limit: enough to refuse a huge file without loading it.
    with path.open("rb") as handle:
        return handle.read((limit or MAX_IMPORT_BYTES) + 1)


def run_export(args: argparse.Namespace) -> int:
    from coach.config import load_settings
    from coach.question_io import export_csv, export_json

    mine = _library().mine() if load_settings().db_path.exists() else []
    text = export_csv(mine) if args.format == "csv" else export_json(mine)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    from coach.jobs.matching import best_questions
    from coach.jobs.profile import read_job_description
    from coach.jobs.reading import MAX_JOB_FILE_BYTES, JobDescriptionError, text_from_file
    from coach.questions import load_bank

    if not 1 <= args.n <= 100:
        return _fail(f"--n {args.n}: give a number of questions from 1 to 100")
    name = args.job_description
    try:
        data = (
            sys.stdin.buffer.read(MAX_JOB_FILE_BYTES + 1)
            if name == "-"
            else _read_limited(Path(name), MAX_JOB_FILE_BYTES)
        )
    except OSError as exc:
        return _fail(f"cannot read {name}: {exc.strerror or exc}")
    try:
        profile = read_job_description(text_from_file(data, name), load_bank())
    except JobDescriptionError as exc:
        return _fail(f"{name}: {exc}")
    for line in profile.summary_lines():
        print(line, file=sys.stderr)
    for question in best_questions(profile, _all_questions(), n=args.n, level=args.level):
        sys.stdout.write(
            question.model_dump_json() + "\n" if args.json else f"{question.id}\t{question.type}\t{question.text}\n"
        )
    return 0


def run_questions(args: argparse.Namespace) -> int:
    if args.questions_command == "suggest":
        return run_suggest(args)
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
    from coach.questions import coverage_table, load_bank

    table = coverage_table(load_bank())
    if args.write_readme:
        README.write_text(readme_with_coverage(README.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        print(table)
    return 0


def _write_out(text: str, output: str | None) -> None:
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)


def _day(raw: str | None, name: str) -> date | None:
    from datetime import date

    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SystemExit(_fail(f"--{name} {raw!r} is not a date (YYYY-MM-DD)")) from None


def run_export_answers(args: argparse.Namespace) -> int:
    from coach.config import load_settings
    from coach.history import HistoryQuery, HistoryService

    query = HistoryQuery(
        search=args.search,
        first_day=_day(args.since, "since"),
        last_day=_day(args.until, "until"),
        topic=args.topic,
        min_score=args.min_score,
        max_score=args.max_score,
    )
    if not load_settings().db_path.exists():
        return _fail(f"there is no database at {load_settings().db_path} yet: nothing to export")
    _write_out(HistoryService(load_settings().db_path, _library()).export(query, args.format), args.output)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from coach.config import load_settings
    from coach.history import HistoryService

    db_path = load_settings().db_path
    if not db_path.exists():
        return _fail(f"there is no database at {db_path} yet: nothing to back up")
    try:
        _write_out(HistoryService(db_path, _library()).backup_json(), args.file)
    except OSError as exc:
        return _fail(f"cannot write {args.file}: {exc.strerror or exc}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from coach.config import load_settings
    from coach.history import HistoryService
    from storage.history import RestoreError

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        # The command line has no upload limit: any backup the app wrote restores here.
        counts = HistoryService(load_settings().db_path, _library()).restore_json(data, limit=None)
    except RestoreError as exc:
        return _fail(f"nothing was restored: {exc}")
    print("Restored " + ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items()) + ".")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _report_settings()
    commands = {
        "grade": run_grade,
        "benchmark": run_benchmark,
        "questions": run_questions,
        "backup": run_backup,
        "restore": run_restore,
        "export": run_export_answers,
    }
    try:
        return commands[args.command](args)
    except Exception as exc:
        from storage import StorageUnavailable  # loaded already if the command used the database

        if isinstance(exc, StorageUnavailable):
            return _fail(_database_problem(exc))
        raise


def _database_problem(exc: Exception) -> str:
    """A storage failure in one line, naming the database once."""
    from coach.config import load_settings

    path, reason = str(load_settings().db_path), str(exc).rstrip(".")
    return reason if path in reason else f"the database {path}: {reason}"

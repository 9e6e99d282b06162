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

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m coach", description="STAR Coach from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade a JSONL file of answers; JSONL grades on stdout")
    grade.add_argument("--grader", choices=("rules", "llm", "auto"), default="auto")
    grade.add_argument("--save", action="store_true", help="also record the answers and grades in the database")
    grade.add_argument("input", help="JSONL file, one answer a line ('-' for stdin)")
    bench = commands.add_parser("benchmark", help="score the rule-based grader against labelled answers")
    bench.add_argument("input", help="labelled JSONL file (segments and quality per line)")
    bench.add_argument("--errors", type=int, default=0, metavar="N", help="also list the N worst-labelled answers")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _choose_grader(kind: str) -> Grader | str:
    """The grader to use, or the reason it cannot be had."""
    if kind == "llm":
        # Until the LLM grader lands, say so rather than pass rule grades off as LLM ones.
        return "the LLM grader is not available in this version; use --grader rules"
    return make_grader(load_settings())  # "auto" means rules while no LLM grader exists


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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "grade":
        return run_grade(args)
    if args.command == "benchmark":
        return run_benchmark(args)
    return _fail(f"unknown command {args.command}")

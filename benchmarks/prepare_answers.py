"""Preparation benchmarks on answers: the bank's model answers graded by the rules grader, and "a stronger
version" written by a real small model (SmolLM2-135M on llama.cpp's OpenAI-compatible server, when installed)
with the invented numbers counted before and after our check.

    python benchmarks/prepare_answers.py            # both sections
    python benchmarks/prepare_answers.py --answers  # model answers only
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.config import Settings
from coach.grading import GradingError
from coach.grading.rules import RuleBasedGrader
from coach.questions import load_bank
from coach.rewrite import invented_numbers, star_order
from coach.stronger import StrongerWriter
from tests.llama_support import llama_server, missing

DATA = Path(__file__).resolve().parent / "data"
N_REWRITES = 20


def model_answers() -> bool:
    """Every built-in model answer graded by the rules grader: min, median, the codes raised, words."""
    bank = load_bank()
    grader = RuleBasedGrader()
    with_answer = [q for q in bank if q.model_answer]
    scores, codes, words = [], Counter(), []
    for q in with_answer:
        grade = grader.grade(q.text, q.model_answer, q.type)
        scores.append(grade.overall)
        codes.update(a.code for a in grade.advice if a.code)
        words.append(len(q.model_answer.split()))
    print(f"model answers: {len(with_answer)} of {len(bank)} built-in questions")
    print(f"  rules grade: min {min(scores)}, median {statistics.median(scores):g}, mean {statistics.mean(scores):.1f}")
    print(f"  words: {min(words)}-{max(words)}, median {statistics.median(words):g}")
    print(f"  advice codes raised: {dict(codes) or 'none'}")
    low = sum(s < 80 for s in scores)
    print(f"  graded under 80: {low}  (target 0): {'PASS' if low == 0 else 'FAIL'}")
    return low == 0


def _answers_to_rewrite() -> list[dict]:
    """Weak and middling labelled answers (quality 1-3), varied writers: what a rewrite is for."""
    rows = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("quality", 5) <= 3 and 40 <= len(row["answer"].split()) <= 250:
                rows.append(row)
    return rows[:: max(1, len(rows) // N_REWRITES)][:N_REWRITES]


def stronger_versions() -> bool:
    """Rewrites by a real small model: the numbers it invents, and how many reach the candidate after the check."""
    reason = missing()
    if reason:
        print(f"stronger version: skipped (the real small model needs: {reason})")
        return True
    with tempfile.TemporaryDirectory() as folder, llama_server(Path(folder) / "server.log") as url:
        settings = Settings(db_path=Path("/unused.db"), model="smollm2", openai_base_url=url, llm_timeout=180)
        writer = StrongerWriter(settings)
        grader = RuleBasedGrader()
        before = after = written = failed = 0
        for row in _answers_to_rewrite():
            grade = grader.grade(row["question"], row["answer"], row["question_type"])
            order = star_order(row["answer"], grade, row["question_type"])
            try:
                result = writer.write(row["question"], row["answer"], row["question_type"], order)
            except GradingError as exc:
                failed += 1
                print(f"  {row['id']}: no usable version ({exc})")
                continue
            written += 1
            before += result.numbers_removed  # what the model invented, each made a placeholder by the check
            after += len(invented_numbers(result.text, row["answer"]))
        print(f"stronger version (SmolLM2-135M, llama.cpp server, {written + failed} weak answers):")
        print(f"  written {written}, refused as unusable {failed}")
        print(f"  invented numbers in the model's text: {before}; after our check: {after} (target 0): "
              f"{'PASS' if after == 0 else 'FAIL'}")  # fmt: skip
        return after == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", action="store_true", help="model answers only")
    args = parser.parse_args()
    passed = model_answers()
    if not args.answers:
        passed &= stronger_versions()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

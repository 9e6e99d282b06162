"""`answer.off_question` on a probe set: 120 answers, 35 of them good stories on another subject than asked.

python benchmarks/off_question.py

Written by a separate writer to a brief of its own (on-question answers that talk about the subject in
indirect words, recycled stories on other subjects), in every style the app meets. First look, before
any tuning on it: 11 found, 1 false.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.grading.rules import RuleBasedGrader  # noqa: E402

PROBE = ROOT / "benchmarks" / "data" / "probes" / "off_question.jsonl"


def main() -> None:
    grader = RuleBasedGrader()
    found = false = missed = 0
    for line in PROBE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        grade = grader.grade(item["question"], item["answer"], item["question_type"])
        raised = any(a.code == "answer.off_question" for a in grade.advice)
        found += raised and item["off_question"]
        false += raised and not item["off_question"]
        missed += item["off_question"] and not raised
    raised_n = found + false
    print(
        f"answer.off_question: raised {raised_n}, true {found}, false {false}: precision "
        f"{found / raised_n if raised_n else 1:.2f}; found {found} of {found + missed} off-question stories "
        f"(recall {found / (found + missed):.2f})"
    )


if __name__ == "__main__":
    main()

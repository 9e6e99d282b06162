"""Batch saving: `grade --save` against grading alone, the storage writer on its own, and CLI start-up.

python benchmarks/batch_save.py [N]     (N answers, default 10,000)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage  # noqa: E402
from coach.evaluation import load_labelled  # noqa: E402
from coach.grading.rules import RuleBasedGrader  # noqa: E402

DEV = ROOT / "benchmarks" / "data" / "dev.jsonl"


def write_lines(path: Path, n: int) -> None:
    items = load_labelled(DEV)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            item = items[i % len(items)]
            line = {
                "id": f"b{i}",
                "question": item.question,
                "answer": item.answer,
                "question_type": item.question_type,
            }
            out.write(json.dumps(line) + "\n")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - started


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        source, db = Path(tmp) / "in.jsonl", Path(tmp) / "coach.db"
        write_lines(source, n)
        env = {**os.environ, "STAR_COACH_DB": str(db), "HOME": tmp}
        grade = [sys.executable, "-m", "coach", "grade", "--grader", "rules"]
        alone = timed([*grade, str(source)], env)
        saved = timed([*grade, "--save", str(source)], env)
        (interview,) = storage.list_interviews(db)
        assert len(storage.list_answers(db, interview.id)) == n
        print(
            f"grade {n:,} answers: {alone:.1f} s alone, {saved:.1f} s with --save (target: 10,000 saved in under "
            f"30 s): ratio {saved / alone:.2f} (target <= 1.3)"
        )

        answer = load_labelled(DEV)[0]
        grade_one = RuleBasedGrader().grade(answer.question, answer.answer)
        started = time.perf_counter()
        writer = storage.BatchWriter(Path(tmp) / "writer.db")
        for i in range(n):
            writer.add((f"batch:{i}", answer.question, "behavioral"), answer.answer, grade_one)
        writer.close()
        print(f"storage alone: {n:,} graded answers saved in {time.perf_counter() - started:.1f} s")
    help_s = min(timed([sys.executable, "-m", "coach", "--help"], dict(os.environ)) for _ in range(3))
    print(f"python -m coach --help: {help_s:.2f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()

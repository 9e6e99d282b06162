"""The rule-based grader's figures, in one command:

    python benchmarks/grader.py            # every labelled set, held out in turn, then speed
    python benchmarks/grader.py --quick    # the shipped model on each set, then speed

Held out in turn: for each labelled file, the labeller is refitted on the other files only and
scored on that one, so no figure comes from answers the model was fitted on. The shipped model
(coach/grading/label_model.json) is fitted on all of them; its figures on each file are in-sample.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import train_labeller  # noqa: E402

from coach.evaluation import Report, evaluate, load_labelled  # noqa: E402
from coach.grading.rules import RuleBasedGrader  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def _row(name: str, report: Report) -> str:
    f1 = " ".join(f"{report.f1[p]:.3f}" for p in ("situation", "task", "action", "result"))
    return (
        f"{name:<10} {report.n:>4}  {f1}  {report.macro_f1:.3f}  {report.presence_accuracy:.3f}  "
        f"{report.missing_recall:.3f}  {report.spearman:.3f}  {report.median_ms:6.2f}"
    )


HEADER = (
    "set           n  F1 S  F1 T  F1 A  F1 R   macro  presence missing spearman median ms\n"
    "                                          (>=.85) (>=.95)  (>=.90) (>=.80)"
)


def held_out_in_turn(files: list[Path]) -> list[Report]:
    sets = {f.stem: load_labelled(f) for f in files}
    reports = []
    print("Each set scored by a labeller fitted on the other sets only:")
    print(HEADER)
    for name, items in sets.items():
        model = train_labeller.fit([x for other, xs in sets.items() if other != name for x in xs])
        report = evaluate(RuleBasedGrader(model), items)
        reports.append(report)
        print(_row(name, report))
    _print_mean(reports)
    return reports


def shipped_model(files: list[Path]) -> None:
    print("The shipped model (fitted on all sets) on each set, in-sample:")
    print(HEADER)
    for path in files:
        print(_row(path.stem, evaluate(RuleBasedGrader(), load_labelled(path))))


def _print_mean(reports: list[Report]) -> None:
    total = sum(r.n for r in reports)
    mean = dataclasses.replace(
        reports[0],
        n=total,
        f1={p: sum(r.f1[p] * r.n for r in reports) / total for p in reports[0].f1},
        presence_accuracy=sum(r.presence_accuracy * r.n for r in reports) / total,
        missing_recall=sum(r.missing_recall * r.missing_total for r in reports) / sum(r.missing_total for r in reports),
        spearman=sum(r.spearman * r.n for r in reports) / total,
        median_ms=sorted(r.median_ms for r in reports)[len(reports) // 2],
    )
    print(_row("weighted", mean))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the refitting; shipped model only")
    args = parser.parse_args()
    files = sorted(DATA.glob("*.jsonl"))
    if not args.quick:
        held_out_in_turn(files)
        print()
    shipped_model(files)
    print()
    # A fresh process: numpy's threads from the refitting above would otherwise skew the timing.
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "speed.py")], check=True)


if __name__ == "__main__":
    main()

"""Preparing between interviews, measured: one section per feature, each printing its figures and targets.

python benchmarks/prepare.py                      # every section
python benchmarks/prepare.py --section jobs       # one section
python benchmarks/prepare.py --section jobs --set tuning --show

Section `answers`: every built-in model answer graded by the rules grader (min, median, the codes raised; none
may grade under 80). Section `stronger`: "a stronger version" of 20 weak labelled answers written by a real
small model (SmolLM2-135M behind llama.cpp's OpenAI-compatible server, when installed), with the numbers it
invented counted before and after our check (target: none after). Both live in benchmarks/prepare_answers.py.

Section `jobs`, job-description matching: the descriptions in benchmarks/data/jobs/ (written for this
benchmark, with the level, topics, tools and KPIs a careful reader expects, in labels.toml, before any matcher
existed) are read as the app reads them, and the ten questions the app would ask are drawn from the bank.
Precision is the share of those ten with a topic the labels expect; targets: at least 0.8 on average and 0.6 on
every description, per set. "chance" is what ten questions drawn at random at the labelled level would score: how
much the labels alone give away. `tuning` descriptions were looked at while the matcher was built; `heldout` ones
were written at the same time and only ever scored.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import prepare_answers  # noqa: E402

from coach.jobs.matching import best_questions  # noqa: E402
from coach.jobs.profile import JobProfile, read_job_description  # noqa: E402
from coach.models import Question  # noqa: E402
from coach.questions import load_bank  # noqa: E402

JOBS = ROOT / "benchmarks" / "data" / "jobs"
TOP_N = 10
MEAN_TARGET, EACH_TARGET = 0.8, 0.6


@dataclass
class JobResult:
    file: str
    precision: float
    chance: float  # what ten questions drawn at random at the labelled level would score, on average
    level_right: bool
    tools_found: tuple[int, int]
    kpis_found: tuple[int, int]
    detail: list[str]


def _found(expected: list[str], found: tuple[str, ...]) -> tuple[int, int]:
    """How many expected names were found: "SAP" is found in "SAP IBP", "OTD" in "on-time delivery (OTD)"."""
    words = [f" {name.lower().replace('(', ' ').replace(')', ' ')} " for name in found]
    return sum(any(f" {e.lower()} " in w for w in words) for e in expected), len(expected)


def score_job(label: dict, bank: list[Question]) -> JobResult:
    profile: JobProfile = read_job_description((JOBS / label["file"]).read_text(encoding="utf-8"), bank)
    chosen = best_questions(profile, bank, n=TOP_N)
    expected = set(label["topics"])
    hits = [bool(expected & set(q.topics)) for q in chosen]
    detail = [
        f"  level {profile.level} (expected {label['level']}); topics read: "
        + ", ".join(t if t in expected else f"{t} (not expected)" for t in profile.suggested_topics),
        *(
            f"    {'+' if hit else '-'} {'/'.join(q.topics):38} {q.text[:90]}"
            for q, hit in zip(chosen, hits, strict=True)
        ),
        f"  tools {list(profile.tools)} (expected {label['tools']})",
        f"  KPIs {list(profile.kpis)} (expected {label['kpis']})",
    ]
    at_level = [q for q in bank if label["level"] in q.levels]
    return JobResult(
        file=label["file"],
        precision=sum(hits) / len(chosen) if chosen else 0.0,
        chance=sum(bool(expected & set(q.topics)) for q in at_level) / len(at_level),
        level_right=profile.level == label["level"],
        tools_found=_found(label["tools"], profile.tools),
        kpis_found=_found(label["kpis"], profile.kpis),
        detail=detail,
    )


def jobs_section(args: argparse.Namespace) -> bool:
    """Job-description matching, per set; True when every set meets both targets."""
    labels = tomllib.loads((JOBS / "labels.toml").read_text(encoding="utf-8"))["jobs"]
    bank = load_bank()
    sets = [args.set] if args.set != "all" else list(dict.fromkeys(label["set"] for label in labels))
    ok = True
    print(f"Job-description matching: precision of the top {TOP_N} questions' topics against the labels")
    print(f"{'description':48} {'precision':>9} {'chance':>6}  level")
    for name in sets:
        results = [score_job(label, bank) for label in labels if label["set"] == name]
        for result in results:
            level = "right" if result.level_right else "WRONG"
            print(f"{result.file:48} {result.precision:9.2f} {result.chance:6.2f}  {level}")
            if args.show:
                print("\n".join(result.detail))
        ok &= _summary(name, results)
    return ok


def _summary(name: str, results: list[JobResult]) -> bool:
    precisions = [r.precision for r in results]
    mean, low = statistics.mean(precisions), min(precisions)
    passed = mean >= MEAN_TARGET and low >= EACH_TARGET
    tools = [sum(x) for x in zip(*(r.tools_found for r in results), strict=True)]
    kpis = [sum(x) for x in zip(*(r.kpis_found for r in results), strict=True)]
    chance = statistics.mean(r.chance for r in results)
    print(
        f"{name} ({len(results)} descriptions): mean precision {mean:.2f} (target >= {MEAN_TARGET}), lowest "
        f"{low:.2f} (target >= {EACH_TARGET}): {'PASS' if passed else 'FAIL'}; by chance {chance:.2f}; level right "
        f"{sum(r.level_right for r in results)}/{len(results)}; tools found {tools[0]}/{tools[1]}, "
        f"KPIs found {kpis[0]}/{kpis[1]}"
    )
    return passed


SECTIONS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "answers": lambda args: prepare_answers.model_answers(),
    "jobs": jobs_section,
    "stronger": lambda args: prepare_answers.stronger_versions(),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", choices=[*SECTIONS, "all"], default="all")
    parser.add_argument("--set", default="all", help="jobs: the labels' set to score (tuning, heldout or all)")
    parser.add_argument("--show", action="store_true", help="jobs: each description's findings and questions")
    args = parser.parse_args(argv)
    passed = True
    for name, section in SECTIONS.items():
        if args.section in (name, "all"):
            passed &= section(args)
            print()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

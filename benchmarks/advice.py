"""Is the grader's advice true of the answer? Advice precision, weakness recall and labelling, in one command:

    python benchmarks/advice.py            # each advice set held out in turn (labeller refitted without it)
    python benchmarks/advice.py --quick    # the shipped model on every advice set (in-sample)
    python benchmarks/advice.py --show     # also list every false claim and every missed weakness

The advice sets (benchmarks/data/advice/*.jsonl) hold answers written by several writers to different
briefs, labelled by part and, per advice code, whether the claim is true (shared/specs/advice-codes.md).
Held out in turn: the labeller is refitted on the STAR sets and the other advice sets, never on the set
it scores. The detectors behind the claims are hand-written; they were tuned on sets in turn, and the
figures below say how each set fares when the others were what the tuning saw.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import train_labeller  # noqa: E402
from grader import HEADER, _print_mean, _row  # noqa: E402

from coach.evaluation import AdviceReport, Report, evaluate, evaluate_advice, load_labelled  # noqa: E402
from coach.grading.rules import RuleBasedGrader  # noqa: E402
from coach.models import ADVICE_CODES, MUST_NOT_MISS  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
ADVICE = DATA / "advice"
# Sets written in the styles the README's "published and spoken" figures are about.
PUBLISHED_SPOKEN = ("published", "spoken")
PRECISION_TARGET, CODE_TARGET, RECALL_TARGET = 0.95, 0.90, 0.90


def _advice_row(name: str, report: AdviceReport) -> str:
    return f"{name:<12} {report.n:>4} {report.claims:>6}  {report.precision:.3f}     {report.weakness_recall:.3f}"


def run(held_out: bool) -> tuple[AdviceReport, dict[str, Report]]:
    base = [x for f in sorted(DATA.glob("*.jsonl")) for x in load_labelled(f)]
    sets = {f.stem: load_labelled(f) for f in sorted(ADVICE.glob("*.jsonl"))}
    pooled = AdviceReport()
    labelling: dict[str, Report] = {}
    lines = []
    for name, items in sets.items():
        model = None
        if held_out:
            model = train_labeller.fit(base + [x for other, xs in sets.items() if other != name for x in xs])
        grader = RuleBasedGrader(model)
        report = evaluate_advice(grader, items)
        labelling[name] = evaluate(grader, items)
        pooled.merge(report)
        lines.append(_advice_row(name, report))
    how = "each set held out (labeller fitted without it)" if held_out else "shipped model, in-sample"
    print(f"Advice, {how}:")
    print("set             n claims  precision recall")
    print("                          (>=.95)   (>=.90)")
    print("\n".join(lines))
    print(_advice_row("all", pooled))
    return pooled, labelling


def per_code(report: AdviceReport) -> None:
    print("\nPer code (claims labelled true / false / unclear; precision over true+false):")
    print("code                    raised  true false unclear precision  recall")
    for code in ADVICE_CODES:
        if ADVICE_CODES[code] == "delivery":
            continue
        true, false, unclear = report.raised.get(code, [0, 0, 0])
        hit, total = report.recall.get(code, [0, 0])
        recall = f"{hit}/{total} {hit / total:.2f}" if code in MUST_NOT_MISS and total else ""
        flag = " LOW" if true + false >= 5 and report.code_precision(code) < CODE_TARGET else ""
        print(
            f"{code:<24}{true + false + unclear:>5} {true:>5} {false:>5} {unclear:>7}   "
            f"{report.code_precision(code):.3f}{flag:<4} {recall}"
        )


def show(report: AdviceReport) -> None:
    print("\nFalse claims:")
    for item_id, code, text in report.wrong:
        print(f"  {item_id}: {code}: {text[:110]}")
    print("\nMissed weaknesses:")
    for item_id, code in report.missed:
        print(f"  {item_id}: {code}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shipped model only, no refitting")
    parser.add_argument("--show", action="store_true", help="list every false claim and missed weakness")
    args = parser.parse_args()
    pooled, labelling = run(held_out=not args.quick)
    per_code(pooled)
    print("\nLabelling on the advice sets:")
    print(HEADER)
    for name, report in labelling.items():
        print(_row(name, report))
    _print_mean(list(labelling.values()))
    styled = [labelling[n] for n in PUBLISHED_SPOKEN if n in labelling]
    if styled:
        print(
            "published and spoken styles together (targets: macro >= .90, presence >= .95, missing >= .90, "
            "Spearman >= .85):"
        )
        _print_mean(styled)
    ok = pooled.precision >= PRECISION_TARGET and pooled.weakness_recall >= RECALL_TARGET
    low = [c for c in pooled.raised if sum(pooled.raised[c][:2]) >= 5 and pooled.code_precision(c) < CODE_TARGET]
    print(
        f"\nadvice precision {pooled.precision:.3f} (target >= {PRECISION_TARGET}), "
        f"weakness recall {pooled.weakness_recall:.3f} (target >= {RECALL_TARGET}), "
        f"codes below {CODE_TARGET}: {', '.join(low) or 'none'}: {'PASS' if ok and not low else 'FAIL'}"
    )
    if args.show:
        show(pooled)


if __name__ == "__main__":
    main()

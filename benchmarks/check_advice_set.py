"""Check an advice-facts file (shared/specs/advice-codes.md) before it is used: one line per answer, every
text code labelled true/false/null, the answer equal to its segments joined by single spaces."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.evaluation import LabelledAnswer
from coach.models import ADVICE_CODES

TEXT_CODES = [code for code, part in ADVICE_CODES.items() if part != "delivery"]


def check(path: Path) -> list[str]:
    problems: list[str] = []
    ids: set[str] = set()
    truths: Counter[str] = Counter()
    n = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        n += 1
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
            LabelledAnswer.model_validate(record)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if record["id"] in ids:
            problems.append(f"{where}: duplicate id {record['id']}")
        ids.add(record["id"])
        facts = record.get("facts")
        if not isinstance(facts, dict):
            problems.append(f"{where}: no facts object")
            continue
        missing = [c for c in TEXT_CODES if c not in facts]
        unknown = [c for c in facts if c not in ADVICE_CODES]
        bad = [c for c, v in facts.items() if v not in (True, False, None)]
        for label, codes in (("missing codes", missing), ("unknown codes", unknown), ("non-boolean values", bad)):
            if codes:
                problems.append(f"{where}: {label}: {', '.join(codes)}")
        truths.update(c for c, v in facts.items() if v is True)
    print(f"{path}: {n} answers, {len(problems)} problems")
    print("codes labelled true:", ", ".join(f"{c} {k}" for c, k in truths.most_common()))
    return problems


if __name__ == "__main__":
    all_problems = [p for arg in sys.argv[1:] for p in check(Path(arg))]
    print("\n".join(all_problems[:50]))
    sys.exit(1 if all_problems else 0)

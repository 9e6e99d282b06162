"""Fit the clause labeller's weights (coach/grading/label_model.json) on labelled answers.

    python benchmarks/train_labeller.py benchmarks/data/dev.jsonl [more.jsonl ...] [--cv 5] [--write]

Multinomial logistic regression with L2 over the hand-written cue features, plus label-transition
log-probabilities, both from the labelled files given. --cv reports k-fold figures by answer
(trained without the fold it scores); --write saves the model fitted on everything given.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.evaluation import LabelledAnswer, evaluate, load_labelled
from coach.grading.labeller import (
    LABELS,
    MODEL_PATH,
    LabelModel,
    label_clauses,
    presence_features,
    read_clauses,
)
from coach.grading.rules import RuleBasedGrader

L2 = 3.0
ORDER_WEIGHT = 0.3
PRESENCE_FOLDS = 5
MIN_WORD_COUNT = 3
PRESENCE_MARGIN = 1.0


def gold_clause_labels(item: LabelledAnswer) -> tuple[list, list[str]]:
    """Our clauses of the answer, each with the gold label covering most of its characters."""
    gold = item.gold_chars()
    clauses = read_clauses(item.answer, item.question, item.question_type)
    labels = []
    for clause in clauses:
        counts = Counter(gold[i] for i in range(clause.span.start, clause.span.end) if not item.answer[i].isspace())
        part = counts.most_common(1)[0][0] if counts else None
        labels.append({"situation": "S", "task": "T", "action": "A", "result": "R"}.get(part, "-"))
    return clauses, labels


def fit_clauses(items: list[LabelledAnswer]) -> LabelModel:
    """The clause model alone: label weights and transitions, no presence stage."""
    rows, ys, sequences = [], [], []
    for item in items:
        clauses, labels = gold_clause_labels(item)
        rows += [c.features for c in clauses]
        ys += labels
        sequences.append(labels)
    # Opening-word features seen fewer than MIN_WORD_COUNT times would only memorise one writer.
    seen = Counter(name for row in rows for name in row)
    names = sorted(n for n in seen if not n.startswith(("w1_", "w2_")) or seen[n] >= MIN_WORD_COUNT)
    x = np.array([[row.get(n, 0.0) for n in names] for row in rows])
    y = np.array([LABELS.index(label) for label in ys])
    w = _logistic(x, y, len(LABELS))
    weights = {
        label: {n: round(float(w[k, j]), 4) for j, n in enumerate(names) if abs(w[k, j]) > 1e-4}
        for k, label in enumerate(LABELS)
    }
    transitions, start = _transitions(sequences)
    return LabelModel(weights=weights, transitions=transitions, start=start, order_weight=ORDER_WEIGHT)


def fit(items: list[LabelledAnswer]) -> LabelModel:
    """Clause model on all items, presence model on out-of-fold labellings (honest probabilities)."""
    clause_model = fit_clauses(items)
    rows: dict[str, list[dict[str, float]]] = {label: [] for label in "STAR"}
    gold: dict[str, list[int]] = {label: [] for label in "STAR"}
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    for k in range(PRESENCE_FOLDS):
        fold_model = fit_clauses([x for i, x in enumerate(shuffled) if i % PRESENCE_FOLDS != k])
        for item in shuffled[k::PRESENCE_FOLDS]:
            clauses = label_clauses(item.answer, item.question, item.question_type, fold_model)
            if not clauses:
                continue
            present = item.gold_present()
            for label, part in zip("STAR", ("situation", "task", "action", "result"), strict=True):
                rows[label].append(presence_features(clauses, label))
                gold[label].append(int(present[part]))
    presence = {}
    for label in "STAR":
        names = sorted(rows[label][0])
        x = np.array([[r[n] for n in names] for r in rows[label]])
        w = _logistic(x, np.array(gold[label]), 2)
        # Two-class softmax: the score for "present" is the difference of the two rows.
        presence[label] = {n: round(float(w[1, j] - w[0, j]), 4) for j, n in enumerate(names)}
    return dataclasses.replace(clause_model, presence=presence, presence_margin=PRESENCE_MARGIN)


def _logistic(x: np.ndarray, y: np.ndarray, k: int, steps: int = 3000, rate: float = 0.5) -> np.ndarray:
    n, d = x.shape
    w = np.zeros((k, d))
    onehot = np.eye(k)[y]
    # The clause features are mostly zeros (one column per word): a sparse matrix makes the
    # same full-batch gradient steps about fifty times faster.
    xs = sparse.csr_matrix(x)
    xt = xs.T.tocsr()
    for _ in range(steps):
        scores = xs @ w.T
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        grad = (xt @ (p - onehot)).T / n + L2 * w / n
        w -= rate * grad
    return w


def _transitions(sequences: list[list[str]]) -> tuple[dict, dict]:
    pairs = Counter((a, b) for seq in sequences for a, b in itertools.pairwise(seq))
    firsts = Counter(seq[0] for seq in sequences if seq)
    transitions = {}
    for a in LABELS:
        total = sum(pairs[(a, b)] for b in LABELS) + len(LABELS)
        transitions[a] = {b: round(math.log((pairs[(a, b)] + 1) / total), 4) for b in LABELS}
    total = sum(firsts.values()) + len(LABELS)
    start = {b: round(math.log((firsts[b] + 1) / total), 4) for b in LABELS}
    return transitions, start


def score(model: LabelModel, items: list[LabelledAnswer]) -> dict[str, float]:
    """The benchmark's own figures (coach.evaluation) for the grader with this model."""
    report = evaluate(RuleBasedGrader(model), items)
    return {
        **report.f1,
        "macro": report.macro_f1,
        "presence": report.presence_accuracy,
        "missing": report.missing_recall,
    }


def cross_validate(items: list[LabelledAnswer], folds: int) -> dict[str, float]:
    shuffled = items[:]
    random.Random(0).shuffle(shuffled)
    totals: Counter = Counter()
    for k in range(folds):
        test = shuffled[k::folds]
        train = [x for i, x in enumerate(shuffled) if i % folds != k]
        for key, value in score(fit(train), test).items():
            totals[key] += value / folds
    return dict(totals)


def save(model: LabelModel, sources: list[str]) -> None:
    data = {
        "about": "Clause labeller weights fitted by benchmarks/train_labeller.py; do not edit by hand.",
        "trained_on": sources,
        "order_weight": model.order_weight,
        "presence": model.presence,
        "presence_margin": model.presence_margin,
        "start": model.start,
        "transitions": model.transitions,
        "weights": model.weights,
    }
    MODEL_PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--cv", type=int, default=0)
    parser.add_argument("--test", type=Path, action="append", default=[], help="score on these, not trained on")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    items = [item for path in args.files for item in load_labelled(path)]
    if args.cv:
        print(f"{args.cv}-fold CV:", {k: round(v, 3) for k, v in cross_validate(items, args.cv).items()})
    model = fit(items)
    print("train fit:", {k: round(v, 3) for k, v in score(model, items).items()})
    for path in args.test:
        print(f"test {path.name}:", {k: round(v, 3) for k, v in score(model, load_labelled(path)).items()})
    if args.write:
        save(model, [p.name for p in args.files])
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()

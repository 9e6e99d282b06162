"""Scoring a grader against labelled answers: char-level F1, presence, missing-part recall, Spearman."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from coach.grading import Grader
from coach.models import MUST_NOT_MISS, PARTS, Grade, QuestionType

LABEL_PART = {"S": "situation", "T": "task", "A": "action", "R": "result"}


class Segment(BaseModel):
    label: str
    text: str


class LabelledAnswer(BaseModel):
    """One line of a labelled file (shared/specs/batch-grading.md)."""

    model_config = ConfigDict(extra="ignore")

    id: str | int
    question: str
    question_type: QuestionType = "behavioral"
    quality: int
    answer: str
    segments: list[Segment]
    # Advice-facts files (shared/specs/advice-codes.md): per code, whether the claim is true of the answer.
    facts: dict[str, bool | None] = {}

    @model_validator(mode="after")
    def _answer_is_the_segments(self) -> LabelledAnswer:
        if " ".join(s.text for s in self.segments) != self.answer:
            raise ValueError(f"{self.id}: answer is not the segments joined by single spaces")
        if any(s.label not in ("S", "T", "A", "R", "-") for s in self.segments):
            raise ValueError(f"{self.id}: labels must be S, T, A, R or -")
        return self

    def gold_chars(self) -> list[str | None]:
        """The part each character of the answer belongs to (None for none)."""
        chars: list[str | None] = []
        for i, segment in enumerate(self.segments):
            if i:
                chars.append(None)  # the joining space
            chars.extend([LABEL_PART.get(segment.label)] * len(segment.text))
        return chars

    def gold_present(self) -> dict[str, bool]:
        labels = {s.label for s in self.segments}
        return {part: label in labels for label, part in LABEL_PART.items()}


def load_labelled(path: Path) -> list[LabelledAnswer]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if line.strip():
            try:
                items.append(LabelledAnswer.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return items


def predicted_chars(answer: str, grade: Grade) -> list[str | None]:
    chars: list[str | None] = [None] * len(answer)
    for part in PARTS:
        for start, end in grade.part(part).evidence:
            for i in range(max(0, start), min(end, len(answer))):
                chars[i] = part
    return chars


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho with average ranks for ties."""

    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        result = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                result[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return result

    if len(xs) < 2:
        return 0.0
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


@dataclass
class Report:
    """What a benchmark run measured."""

    n: int
    f1: dict[str, float]
    presence_accuracy: float
    missing_recall: float
    missing_total: int
    spearman: float
    median_ms: float
    p95_ms: float
    # (id, share of characters labelled as the gold labels them) per answer
    per_item: list[tuple[str | int, float]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return statistics.fmean(self.f1.values())

    def lines(self) -> list[str]:
        out = [f"answers: {self.n}"]
        out += [f"char F1 {part:<9} {self.f1[part]:.3f}" for part in PARTS]
        out += [
            f"char macro-F1     {self.macro_f1:.3f}   (target >= 0.85)",
            f"presence accuracy {self.presence_accuracy:.3f}   (target >= 0.95)",
            f"missing-part recall {self.missing_recall:.3f} of {self.missing_total} (target >= 0.90)",
            f"Spearman overall~quality {self.spearman:.3f}   (target >= 0.80)",
            f"grade time: median {self.median_ms:.2f} ms, p95 {self.p95_ms:.2f} ms",
        ]
        return out


def evaluate(grader: Grader, items: Iterable[LabelledAnswer]) -> Report:
    counts = {p: [0, 0, 0] for p in PARTS}  # true positive, false positive, false negative chars
    presence_hits = presence_total = missing_hits = missing_total = 0
    overall: list[float] = []
    quality: list[float] = []
    times: list[float] = []
    per_item: list[tuple[str | int, float]] = []
    items = list(items)
    for item in items:
        started = time.perf_counter()
        grade = grader.grade(item.question, item.answer, item.question_type)
        times.append((time.perf_counter() - started) * 1000)
        gold, pred = item.gold_chars(), predicted_chars(item.answer, grade)
        agree = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))
        per_item.append((item.id, agree))
        for part in PARTS:
            tp = sum(g == part and p == part for g, p in zip(gold, pred, strict=True))
            counts[part][0] += tp
            counts[part][1] += sum(p == part for p in pred) - tp
            counts[part][2] += sum(g == part for g in gold) - tp
        for part, present in item.gold_present().items():
            presence_total += 1
            presence_hits += grade.part(part).present == present
            if not present:
                missing_total += 1
                missing_hits += not grade.part(part).present
        overall.append(grade.overall)
        quality.append(item.quality)
    f1 = {p: _f1(*counts[p]) for p in PARTS}
    times.sort()
    return Report(
        n=len(items),
        f1=f1,
        presence_accuracy=presence_hits / max(1, presence_total),
        missing_recall=missing_hits / max(1, missing_total),
        missing_total=missing_total,
        spearman=spearman(overall, quality),
        median_ms=statistics.median(times) if times else 0.0,
        p95_ms=times[max(0, math.ceil(0.95 * len(times)) - 1)] if times else 0.0,
        per_item=per_item,
    )


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 0.0 if fp or fn else 1.0
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


@dataclass
class AdviceReport:
    """How often the grader's advice claims are true, and how many true weaknesses it raised."""

    n: int = 0
    # per code: [claims labelled true, claims labelled false, claims labelled unclear]
    raised: dict[str, list[int]] = field(default_factory=dict)
    # per must-not-miss code: [true weaknesses raised, true weaknesses in all]
    recall: dict[str, list[int]] = field(default_factory=dict)
    # (id, code) of every claim labelled false, for reading
    wrong: list[tuple[str | int, str, str]] = field(default_factory=list)
    missed: list[tuple[str | int, str]] = field(default_factory=list)

    def add(self, item: LabelledAnswer, grade: Grade) -> None:
        self.n += 1
        given = {a.code for a in grade.advice if a.code}
        for advice in grade.advice:
            if advice.code is None:
                continue
            truth = item.facts.get(advice.code)
            counts = self.raised.setdefault(advice.code, [0, 0, 0])
            counts[0 if truth is True else 1 if truth is False else 2] += 1
            if truth is False:
                self.wrong.append((item.id, advice.code, advice.text))
        for code in MUST_NOT_MISS:
            if item.facts.get(code) is True:
                counts = self.recall.setdefault(code, [0, 0])
                counts[1] += 1
                counts[0] += code in given
                if code not in given:
                    self.missed.append((item.id, code))

    def merge(self, other: AdviceReport) -> None:
        self.n += other.n
        for code, counts in other.raised.items():
            mine = self.raised.setdefault(code, [0, 0, 0])
            for i, v in enumerate(counts):
                mine[i] += v
        for code, counts in other.recall.items():
            mine = self.recall.setdefault(code, [0, 0])
            mine[0] += counts[0]
            mine[1] += counts[1]
        self.wrong += other.wrong
        self.missed += other.missed

    @property
    def precision(self) -> float:
        true = sum(c[0] for c in self.raised.values())
        judged = true + sum(c[1] for c in self.raised.values())
        return true / judged if judged else 1.0

    def code_precision(self, code: str) -> float:
        true, false, _ = self.raised.get(code, [0, 0, 0])
        return true / (true + false) if true + false else 1.0

    @property
    def weakness_recall(self) -> float:
        hit = sum(c[0] for c in self.recall.values())
        total = sum(c[1] for c in self.recall.values())
        return hit / total if total else 1.0

    @property
    def claims(self) -> int:
        return sum(c[0] + c[1] for c in self.raised.values())


def evaluate_advice(grader: Grader, items: Iterable[LabelledAnswer]) -> AdviceReport:
    """Grade each answer and check every advice claim against the labelled facts."""
    report = AdviceReport()
    for item in items:
        report.add(item, grader.grade(item.question, item.answer, item.question_type))
    return report

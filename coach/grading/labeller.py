"""Labelling an answer's clauses S, T, A, R or none: cue features, a linear model, a best path.

The cue families in `cues.py` are hand-written; how much each one counts towards each label is a
small linear model (`label_model.json`) fitted by `benchmarks/train_labeller.py` on labelled answers
we wrote ourselves. The order stories are usually told in is a prior (transition weights), not a rule.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from coach.grading import cues
from coach.grading import text as txt
from coach.models import QuestionType

LABELS = ("S", "T", "A", "R", "-")
MODEL_PATH = Path(__file__).with_name("label_model.json")


@dataclass
class Clause:
    """A clause of the answer, its features, label probabilities and chosen label."""

    span: txt.Span
    features: dict[str, float] = field(default_factory=dict)
    probs: dict[str, float] = field(default_factory=dict)
    label: str = "-"


@dataclass(frozen=True)
class AnswerContext:
    """What is known of the whole answer when a clause is read."""

    is_case: bool
    off_topic: bool
    gibberish: bool


_OPS_WORDS = cues.rx(
    cues.METRICS.pattern,
    cues.METHODS.pattern,
    r"\b(?:team|customer|supplier|warehouse|plant|operations?|shipment|inventory|process|project|production|"
    r"schedule|order|delivery|manager|stakeholder|vendor|site|shift|line|budget|data|system|staff|safety|"
    r"quality|stock|logistics|supply|carrier|forecast|demand|planning|factory|machine)s?\b",
)


def on_topic(answer: str, question: str) -> bool:
    """Shares a content word with the question, or talks about operations at all."""
    q_words = {w.lower() for w in txt.words(question) if w.lower() not in cues.STOPWORDS and len(w) > 3}
    a_words = {w.lower() for w in txt.words(answer)}
    return bool(q_words & a_words) or len(_OPS_WORDS.findall(cues.norm(answer))) >= 2


@lru_cache(maxsize=256)
def answer_context(answer: str, question: str, question_type: QuestionType) -> AnswerContext:
    words = txt.words(answer)
    return AnswerContext(
        is_case=question_type == "case",
        off_topic=len(words) >= 12 and not on_topic(answer, question),
        gibberish=len(words) >= 4 and cues.odd_word_share(words) > 0.3,
    )


_I_START = cues.rx(cues.LEAD + r"i\b")
_WE_START = cues.rx(cues.LEAD + r"we\b")


def clause_features(text: str, pos: float, explicit: str | None, ctx: AnswerContext) -> dict[str, float]:
    """Binary and bounded features of one clause; names match the model's."""
    f: dict[str, float] = {"bias": 1.0}
    low = cues.norm(text)
    for name, pattern in cues.CUE_FAMILIES.items():
        if pattern.search(low):
            f[name] = 1.0
    words = txt.words(text)
    n_words = len(words)
    f["pos"] = pos
    f["pos2"] = pos * pos
    f["short"] = float(n_words < 6)
    f["long"] = float(n_words > 30)
    f["i_start"] = float(bool(_I_START.match(low)))
    f["we_start"] = float(bool(_WE_START.match(low)))
    if explicit:
        f[f"explicit_{explicit}"] = 1.0
    if cues.is_filler_only(low):
        f["filler_only"] = 1.0
    if n_words and cues.odd_word_share(words) > 0.3:
        f["odd_words"] = 1.0
    if ctx.off_topic:
        f["answer_off_topic"] = 1.0
    if ctx.gibberish:
        f["answer_gibberish"] = 1.0
    if ctx.is_case:
        f["case"] = 1.0
        for name in ("a_would", "r_expect", "s_case", "t_goal", "hypothetical"):
            if name in f:
                f[f"case_{name}"] = 1.0
    return f


@dataclass(frozen=True)
class LabelModel:
    """Weights per label and feature, transition log-weights, and how much order counts."""

    weights: dict[str, dict[str, float]]
    transitions: dict[str, dict[str, float]]
    start: dict[str, float]
    order_weight: float
    recover_threshold: float = 1.1  # above 1: never
    drop_threshold: float = 0.0  # 0: never

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        scores = {
            label: sum(self.weights[label].get(name, 0.0) * value for name, value in features.items())
            for label in LABELS
        }
        top = max(scores.values())
        exp = {label: math.exp(s - top) for label, s in scores.items()}
        total = sum(exp.values())
        return {label: v / total for label, v in exp.items()}


@cache
def load_model(path: Path = MODEL_PATH) -> LabelModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return LabelModel(
        weights=data["weights"],
        transitions=data["transitions"],
        start=data["start"],
        order_weight=data["order_weight"],
        recover_threshold=data.get("recover_threshold", 1.1),
        drop_threshold=data.get("drop_threshold", 0.0),
    )


def read_clauses(answer: str, question: str, question_type: QuestionType) -> list[Clause]:
    """Clauses with features; labels still unset."""
    spans = txt.clauses(answer)
    ctx = answer_context(answer, question, question_type)
    total = max(len(answer), 1)
    clauses: list[Clause] = []
    governing: str | None = None
    for span in spans:
        # An explicit "Result:" label governs what follows it, until the next label.
        governing = cues.explicit_label(span.text) or governing
        pos = (span.start + span.end) / 2 / total
        clauses.append(Clause(span=span, features=clause_features(span.text, pos, governing, ctx)))
    return clauses


def label_clauses(
    answer: str, question: str = "", question_type: QuestionType = "behavioral", model: LabelModel | None = None
) -> list[Clause]:
    """Label each clause with the most probable sequence of labels."""
    model = model or load_model()
    clauses = read_clauses(answer, question, question_type)
    for clause in clauses:
        clause.probs = model.probabilities(clause.features)
    _best_path(clauses, model)
    _drop_weak_parts(clauses, model.drop_threshold)
    _recover_missing_parts(clauses, model.recover_threshold)
    return clauses


def _drop_weak_parts(clauses: list[Clause], threshold: float) -> None:
    """Unlabel a part whose every clause is only weakly that part: no evidence beats thin evidence."""
    for label in ("S", "T", "A", "R"):
        mine = [c for c in clauses if c.label == label]
        if mine and max(c.probs[label] for c in mine) < threshold:
            for clause in mine:
                clause.label = "-"


def _recover_missing_parts(clauses: list[Clause], threshold: float) -> None:
    """Give a part the path left out its most likely clause, when the evidence for it is strong.

    The best path favours the usual order, so a short task sentence squeezed between context
    and actions can lose to its neighbours; this restores it without stealing a part's only clause.
    """
    for label in ("T", "S", "R", "A"):
        if any(c.label == label for c in clauses):
            continue
        counts = {lab: sum(c.label == lab for c in clauses) for lab in LABELS}
        candidates = [
            c for c in clauses if c.probs.get(label, 0) >= threshold and (c.label == "-" or counts[c.label] > 1)
        ]
        if candidates:
            max(candidates, key=lambda c: c.probs[label]).label = label


def _best_path(clauses: list[Clause], model: LabelModel) -> None:
    if not clauses:
        return
    w = model.order_weight

    def emit(clause: Clause, label: str) -> float:
        return math.log(max(clause.probs[label], 1e-9))

    best = {label: (emit(clauses[0], label) + w * model.start[label], [label]) for label in LABELS}
    for clause in clauses[1:]:
        step = {}
        for cur in LABELS:
            prev, (score, path) = max(best.items(), key=lambda kv: kv[1][0] + w * model.transitions[kv[0]][cur])
            step[cur] = (score + w * model.transitions[prev][cur] + emit(clause, cur), [*path, cur])
        best = step
    _, path = max(best.values(), key=lambda item: item[0])
    for clause, label in zip(clauses, path, strict=True):
        clause.label = label

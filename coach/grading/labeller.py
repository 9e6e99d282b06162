"""Labelling an answer's clauses S, T, A, R or none: cue features, a linear model, a best path.

The cue families in `cues.py` are hand-written; how much each one counts towards each label is a
small linear model (`label_model.json`) fitted by `benchmarks/train_labeller.py` on labelled answers
we wrote ourselves. The order stories are usually told in is a prior (transition weights), not a rule.
"""

from __future__ import annotations

import json
import math
import re
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
    r"\b(?:team|customer|client|supplier|warehouse|plant|operations?|shipment|inventory|process|project|production|"
    r"schedule|order|delivery|manager|stakeholder|vendor|site|shift|line|budget|data|system|staff|safety|"
    r"quality|stock|logistics|supply|carrier|forecast|demand|planning|planner|factory|machine|packaging|"
    r"fulfil+ment|distribution|product|launch|company|business|job|work|colleague|boss|director|supervisor|"
    r"truck|driver|dock|store|retail|hospital|freight|procurement|purchasing|contract|kpi|target|goal|"
    r"bottleneck|queue|flow|centre|center|patient|service|volunteer|shipping|sales)s?\b",
)


def _stems(text: str) -> set[str]:
    # Five-letter stems, so "failed" meets "failure" and "delivery" meets "deliveries".
    return {w.lower()[:5] for w in txt.words(text) if w.lower() not in cues.STOPWORDS and len(w) > 3}


def on_topic(answer: str, question: str) -> bool:
    """Shares a word stem with the question, talks about work and operations, or tells a work story."""
    # The cheap test first: an operations answer names an operations word early on.
    low = cues.norm(answer)
    if _OPS_WORDS.search(low) is not None or _stems(question) & _stems(answer):
        return True
    story = (cues.T_OWN, cues.A_I_DID, cues.R_FROM_TO, cues.METRICS)
    return sum(p.search(low) is not None for p in story) >= 2


@lru_cache(maxsize=256)
def answer_context(answer: str, question: str, question_type: QuestionType) -> AnswerContext:
    words = txt.words(answer)
    return AnswerContext(
        is_case=question_type == "case",
        off_topic=len(words) >= 12 and not on_topic(answer, question),
        gibberish=len(words) >= 4 and cues.odd_word_share(words) > 0.3,
    )


EXPLICIT_STRENGTH = 3.0
_LEAD_ONLY = re.compile(cues.LEAD)
_I_START = cues.rx(cues.LEAD + r"i\b")
_WE_START = cues.rx(cues.LEAD + r"we\b")


# Bound methods looked up once: this loop runs 40 times for every clause.
_FAMILY_SEARCHES = tuple((name, pattern.search) for name, pattern in cues.CUE_FAMILIES.items())


def clause_features(
    text: str, pos: float, explicit: str | None, ctx: AnswerContext, labelled_here: bool = False
) -> dict[str, float]:
    """Binary and bounded features of one clause; names match the model's."""
    f: dict[str, float] = {"bias": 1.0}
    low = cues.norm(text)
    for name, search in _FAMILY_SEARCHES:
        if search(low):
            f[name] = 1.0
    recognised = len(f) > 1
    words = txt.words(text)
    n_words = len(words)
    # The opening words say much about a clause's role ("i was", "we loaded", "within six").
    opening = [w.lower() for w in txt.words(_LEAD_ONLY.sub("", low))[:2]]
    if opening:
        f[f"w1_{opening[0]}"] = 1.0
    if len(opening) == 2:
        f[f"w2_{opening[0]}_{opening[1]}"] = 1.0
    # Every word of the clause, at half weight ("w1_any_" shares the w1_ prefix so training
    # drops the rare ones, as it does for opening words).
    for word in {w.lower() for w in words}:
        f[f"w1_any_{word}"] = 0.5
    f["pos"] = pos
    f["pos2"] = pos * pos
    f["short"] = float(n_words < 6)
    f["long"] = float(n_words > 30)
    f["i_start"] = float(bool(_I_START.search(low)))
    f["we_start"] = float(bool(_WE_START.search(low)))
    # A label the candidate wrote is rare in the data but telling: the larger value lets it
    # carry weight despite the regularisation that keeps rare features small.
    if explicit:
        f[f"explicit_{explicit}"] = EXPLICIT_STRENGTH
        if labelled_here:  # the label opens this very clause, not an earlier one
            f[f"explicit_here_{explicit}"] = EXPLICIT_STRENGTH
    if n_words <= 12 and cues.is_filler_only(low):
        f["filler_only"] = 1.0
    # Only a clause no cue recognised can be keyboard mash; the check is skipped for the rest.
    if n_words and not recognised and cues.odd_word_share(words) > 0.3:
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
    # Per part, weights of a logistic model of "this part is in the answer"; empty: trust the path.
    presence: dict[str, dict[str, float]] = field(default_factory=dict)
    # Log-odds a part needs to count as present: above 0 leans to "missing", as a missing part
    # wrongly reported present would hide the advice the candidate most needs.
    presence_margin: float = 0.0

    @property
    def by_feature(self) -> dict[str, tuple[float, ...]]:
        """Each feature's weights for all labels at once: one lookup a feature, not five."""
        cached = self.__dict__.get("_by_feature")
        if cached is None:
            names = {n for w in self.weights.values() for n in w}
            cached = {n: tuple(self.weights[label].get(n, 0.0) for label in LABELS) for n in names}
            object.__setattr__(self, "_by_feature", cached)
        return cached

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        s0 = s1 = s2 = s3 = s4 = 0.0  # one local per label: this loop runs for every feature of every clause
        table = self.by_feature
        for name, value in features.items():
            weights = table.get(name)
            if weights:
                w0, w1, w2, w3, w4 = weights
                s0 += w0 * value
                s1 += w1 * value
                s2 += w2 * value
                s3 += w3 * value
                s4 += w4 * value
        scores = [s0, s1, s2, s3, s4]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {label: v / total for label, v in zip(LABELS, exp, strict=True)}


@cache
def load_model(path: Path = MODEL_PATH) -> LabelModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return LabelModel(
        weights=data["weights"],
        transitions=data["transitions"],
        start=data["start"],
        order_weight=data["order_weight"],
        presence=data.get("presence", {}),
        presence_margin=data.get("presence_margin", 0.0),
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
        here = cues.explicit_label(span.text)
        governing = here or governing
        pos = (span.start + span.end) / 2 / total
        clauses.append(Clause(span=span, features=clause_features(span.text, pos, governing, ctx, bool(here))))
    _add_neighbour_features(clauses)
    return clauses


# Cues whose presence next door says something about this clause ("..., so it was my responsibility").
# Kept to a few: with more, the model fits one writer's habits (checked across our two labelled sets).
NEIGHBOUR_CUES = ("t_own", "t_goal", "r_change", "r_from_to")


def _add_neighbour_features(clauses: list[Clause]) -> None:
    own = [{name for name in NEIGHBOUR_CUES if name in c.features} for c in clauses]
    for i, clause in enumerate(clauses):
        for name in own[i - 1] if i else ():
            clause.features[f"prev_{name}"] = 1.0
        for name in own[i + 1] if i + 1 < len(clauses) else ():
            clause.features[f"next_{name}"] = 1.0
        if i == 0:
            clause.features["first"] = 1.0
        if i == len(clauses) - 1:
            clause.features["last"] = 1.0


def label_clauses(
    answer: str, question: str = "", question_type: QuestionType = "behavioral", model: LabelModel | None = None
) -> list[Clause]:
    """Label each clause with the most probable sequence of labels."""
    model = model or load_model()
    clauses = read_clauses(answer, question, question_type)
    for clause in clauses:
        clause.probs = model.probabilities(clause.features)
    _best_path(clauses, model)
    _decide_presence(clauses, model)
    return clauses


# Cues that speak for a part being in the answer at all, wherever the path put them.
PRESENCE_CUES = {
    "S": ("s_place", "s_role", "s_state", "s_when", "s_case", "s_scale"),
    "T": ("t_own", "t_goal", "t_purpose", "t_as_role", "t_need", "t_target"),
    "A": ("a_i_did", "a_we_did", "a_would", "a_sequence", "method"),
    "R": ("r_change", "r_from_to", "r_phrase", "r_lesson", "r_recognition", "r_expect"),
}


def presence_features(clauses: list[Clause], label: str) -> dict[str, float]:
    """What the labelled answer says about whether one part is in it at all."""
    probs = [c.probs[label] for c in clauses]
    mine = [c.probs[label] for c in clauses if c.label == label]
    first = clauses[0].features
    cues_of = PRESENCE_CUES[label]
    explicit = f"explicit_{label}"
    with_cue = [c for c in clauses if not c.features.keys().isdisjoint(cues_of)]
    return {
        "bias": 1.0,
        "labelled": float(bool(mine)),
        "max_prob": max(probs),
        "sum_prob": min(sum(probs), 3.0) / 3,
        "max_prob_labelled": max(mine, default=0.0),
        "share": len(mine) / len(clauses),
        "cue": float(bool(with_cue)),
        "cue_count": min(len(with_cue), 3) / 3,
        "cue_in_labelled": float(any(c.label == label for c in with_cue)),
        "explicit": float(any(explicit in c.features for c in clauses)),
        "junk": float("answer_off_topic" in first or "answer_gibberish" in first),
        "case": float("case" in first),
        "one_clause": float(len(clauses) == 1),
    }


def _decide_presence(clauses: list[Clause], model: LabelModel) -> None:
    """Make each part present or absent as the presence model judges, moving as few labels as possible."""
    if not clauses or not model.presence:
        return
    for label in ("T", "S", "R", "A"):
        weights = model.presence[label]
        features = presence_features(clauses, label)
        present = sum(weights.get(k, 0.0) * v for k, v in features.items()) > model.presence_margin
        mine = [c for c in clauses if c.label == label]
        if present and not mine:
            counts = {lab: sum(c.label == lab for c in clauses) for lab in LABELS}
            # Never take the only clause another part has.
            free = [c for c in clauses if c.label == "-" or counts[c.label] > 1]
            if free:
                max(free, key=lambda c: c.probs[label]).label = label
        elif not present and mine:
            for clause in mine:
                clause.label = max((lab for lab in LABELS if lab != label), key=lambda lab: clause.probs[lab])


def _best_path(clauses: list[Clause], model: LabelModel) -> None:
    if not clauses:
        return
    w = model.order_weight

    def emit(clause: Clause, label: str) -> float:
        return math.log(max(clause.probs[label], 1e-9))

    # Viterbi with back-pointers: copying each best path at every clause is quadratic in the number of clauses.
    # The sums are formed as before, and list.index() keeps the first of equal scores, as max() did.
    into = [[w * model.transitions[prev][cur] for prev in LABELS] for cur in LABELS]
    best = [emit(clauses[0], label) + w * model.start[label] for label in LABELS]
    came_from: list[list[int]] = []
    for clause in clauses[1:]:
        step: list[float] = []
        links: list[int] = []
        for label, column in zip(LABELS, into, strict=True):
            scores = [score + move for score, move in zip(best, column, strict=True)]
            top = max(scores)
            step.append(top + emit(clause, label))
            links.append(scores.index(top))
        best = step
        came_from.append(links)
    last = best.index(max(best))
    path = [last]
    for links in reversed(came_from):
        last = links[last]
        path.append(last)
    for clause, index in zip(clauses, reversed(path), strict=True):
        clause.label = LABELS[index]

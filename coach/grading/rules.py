"""The offline rule-based STAR grader: labels clauses, scores each part, explains with quotes."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from coach.grading import cues, detect
from coach.grading import text as txt
from coach.grading.claims import (
    Reading,
    distinct_steps,
    evidence_elsewhere,
    find_claims,
    hit,
    is_aside,
    quote,
    target_anywhere,
)
from coach.grading.labeller import Clause, LabelModel, label_clauses
from coach.models import PARTS, Component, Grade, PartName, QuestionType, ReplyTo
from coach.star import overall_score

PART_OF: dict[str, PartName] = dict(zip("STAR", PARTS, strict=True))


@dataclass
class Evidence:
    """The clauses the labeller gave one part, read together."""

    clauses: list[Clause]

    @property
    def text(self) -> str:
        return " ".join(c.span.text for c in self.clauses)

    def spans(self, answer: str) -> list[tuple[int, int]]:
        """Offsets of the clauses, merged where only spaces or punctuation lie between."""
        merged: list[list[int]] = []
        for c in self.clauses:
            if merged and not answer[merged[-1][1] : c.span.start].strip(" ,;:—–-"):
                merged[-1][1] = c.span.end
            else:
                merged.append([c.span.start, c.span.end])
        return [(a, b) for a, b in merged]


def _scores(r: Reading, codes: set[str], parts: dict[str, list[Clause]]) -> dict[PartName, int]:
    """Each present part's 0-5 score, from the same findings the claims are made on."""
    s_text, t_text = cues.norm(r.text(parts["S"])), cues.norm(r.text(parts["T"]))
    outcome = cues.norm(r.outcome or r.text(parts["R"]))
    steps = parts["A"]
    n_steps = distinct_steps(r.text([c for c in r.counted if c.label != "S"]))
    later = cues.norm(r.text(r.after_set_up))
    goal = any(p.search(t_text) for p in (cues.T_GOAL, cues.T_PURPOSE, cues.T_TARGET, cues.T_OWN))
    number = hit(detect.QUANTITY, outcome)
    timeframe = hit(detect.TIMEFRAME, later)
    lesson = hit(detect.LESSON, later)
    # A task found only outside the labelled task made no "no target" claim: its target is read here.
    target = bool(r.part("T")) or bool(detect.QUANTITY.search(t_text)) or target_anywhere(cues.norm(r.text(r.counted)))
    return {
        "situation": 2
        + ("situation.vague" not in codes)
        + ("situation.no_problem" not in codes and bool(s_text))
        + ("situation.long" not in codes),
        "task": min(5, 2 + ("task.not_owned" not in codes) + ("task.no_target" not in codes and target) + goal),
        "action": min(
            5,
            1
            + ("action.we" not in codes and "action.hypothetical" not in codes)
            + (n_steps >= 2 or len(steps) >= 2)
            + (n_steps >= 4 or len(txt.words(r.steps)) >= 50)
            + ("action.no_method" not in codes),
        ),
        "result": min(
            5, 1 + 2 * number + bool(cues.METRICS.search(outcome)) + (timeframe or lesson) + (timeframe and lesson)
        ),
    }


PRAISE: dict[PartName, str] = {
    "situation": "Clear, specific context: {quote}",
    "task": "Clear, owned goal: {quote}",
    "action": "Concrete, owned steps: {quote}",
    "result": "Strong, quantified result: {quote}",
}

# Each whole-answer claim costs the overall score this factor (short and long ones scale with length).
PENALTY: dict[str, float] = {
    "answer.gibberish": 0.15,
    "answer.off_question": 0.3,
    "answer.hypothetical": 0.5,
    "answer.injection": 0.8,
    "answer.fillers": 0.75,
}


def _penalty(code: str, r: Reading) -> float:
    if code == "answer.short":
        return max(0.3, r.n_words / 80) ** 0.6
    if code == "answer.long":
        return max(0.6, 450 / r.raw_words)
    if code == "answer.asides":
        aside = sum(len(txt.words(c.span.text)) for c in r.clauses if is_aside(c)) / max(1, r.n_words)
        return max(0.5, 1.15 - aside)
    return PENALTY.get(code, 1.0)


class RuleBasedGrader:
    """Deterministic, offline STAR grading from the answer's own words."""

    name = "rules"

    def __init__(self, model: LabelModel | None = None):
        # None: the shipped weights; benchmarks pass a model refitted without the set they score.
        self.model = model

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        started = time.perf_counter()
        # Read single-spaced, shown where the candidate's own text has it.
        squeezed = txt.squeeze_spaces(answer)
        if reply is not None and squeezed.origin:
            reply = ReplyTo(offset=squeezed.squeezed(reply.offset), part=reply.part)
        r = read_answer(squeezed.text, question, question_type, self.model, reply)
        claims = find_claims(r)
        codes = {c.code for c in claims}
        parts = {
            letter: r.part(letter) or ([] if f"{part}.missing" in codes else evidence_elsewhere(r, letter))
            for letter, part in PART_OF.items()
        }
        scores = _scores(r, codes, parts)
        shown = _highlighted(r, parts)
        components: dict[PartName, Component] = {}
        for letter, part in PART_OF.items():
            ev = Evidence(parts[letter])
            own_claims = " ".join(c.text for c in claims if c.code.startswith(f"{part}."))
            if not ev.clauses or f"{part}.missing" in codes:  # never a score beside "no result"
                components[part] = Component(present=False, score=0, feedback=own_claims)
                continue
            score = min(5, scores[part])
            feedback = own_claims or quote(ev.text, 60)
            if not own_claims and score >= 4:
                feedback = PRAISE[part].format(quote=feedback)
            components[part] = Component(
                present=True,
                score=score,
                evidence=[squeezed.span(a, b) for a, b in Evidence(shown[letter]).spans(r.answer)],
                feedback=feedback,
            )
        raw = overall_score(components)
        penalties = {c.code: _penalty(c.code, r) for c in claims if c.code.startswith("answer.")}
        overall = raw * math.prod(penalties.values())
        # Each finer weakness of a part that is there costs a little more than its part score shows.
        overall *= 1 - CLAIM_COST * sum(
            c.code.split(".")[0] in PARTS and not c.code.endswith(".missing") for c in claims
        )
        advice = [c.advice() for c in claims]
        return Grade(
            overall=max(0, min(100, round(overall))),
            **components,
            suggestions=[c.tip for c in claims[:3]] or [PRAISE_ALL],
            advice=advice,
            grader="rules",
            latency_ms=(time.perf_counter() - started) * 1000,
            penalties=penalties,
        )


def _highlighted(r: Reading, parts: dict[str, list[Clause]]) -> dict[str, list[Clause]]:
    """The clauses each part highlights: a clause is shown as one part only where it can be.

    A clause taken as evidence for a part the labeller gave nothing ("it was mine", read as a step) is
    shown as that part, and no longer as its labelled part when that part has other clauses to show.
    """
    moved = {
        id(c): letter for letter, clauses in parts.items() if not r.part(letter) for c in clauses if c.label != letter
    }
    shown: dict[str, list[Clause]] = {}
    for letter, clauses in parts.items():
        kept = [c for c in clauses if moved.get(id(c), letter) == letter or not r.part(letter)]
        shown[letter] = kept or clauses
    return shown


CLAIM_COST = 0.04
PRAISE_ALL = "A complete, specific STAR answer. Practise saying it in about two minutes."


def read_answer(
    answer: str,
    question: str,
    question_type: QuestionType,
    model: LabelModel | None = None,
    reply: ReplyTo | None = None,
) -> Reading:
    """Label the clauses once; hollow labels, repeated sentences and empty replies are read but count for nothing."""
    original = answer if reply is None else answer[: reply.offset]
    clauses = label_clauses(original, question, question_type, model)
    if reply is not None:
        clauses += _reply_clauses(answer, reply, question, question_type)
    seen: set[str] = set()
    counted: list[Clause] = []
    repeated_words = 0
    for clause in clauses:
        key = " ".join(txt.words(cues.norm(clause.span.text)))
        if (key in seen and len(key) > 20) or "reply_no_facts" in clause.features:
            clause.label = "-"
            clause.features["repeat"] = 1.0
            repeated_words += len(txt.words(clause.span.text))
            continue
        seen.add(key)
        if not _hollow(clause) and not _instruction(clause):
            counted.append(clause)
    # Words addressed to the grader and repeated sentences do not count towards the answer's length:
    # padding must not lift an answer out of the short-answer advice.
    injected = sum(len(txt.words(c.span.text)) for c in clauses if "n_injection" in c.features)
    n_words = max(0, len(txt.words(answer)) - injected - repeated_words)
    return Reading(
        answer, question, question_type, clauses, n_words=n_words, raw_words=len(txt.words(answer)), counted=counted
    )


def _reply_clauses(answer: str, reply: ReplyTo, question: str, question_type: QuestionType) -> list[Clause]:
    """The reply's clauses: evidence for the part it was asked about when they bring a fact, else nothing.

    Read on its own, not as the end of the answer (where every clause looks like a result); a clause
    goes to another part only when the labeller is sure of it ("I was responsible..." in a result reply).
    """
    letter = next(k for k, v in PART_OF.items() if v == reply.part)
    out = []
    for clause in label_clauses(answer[reply.offset :], question, question_type):
        span = clause.span
        clause.span = txt.Span(span.start + reply.offset, span.end + reply.offset, span.text)
        if not detect.reply_has_facts(span.text):
            clause.features["reply_no_facts"] = 1.0
        elif clause.label == "-" or clause.probs.get(clause.label, 0.0) < SURE:
            clause.label = letter
        out.append(clause)
    return out


SURE = 0.85


_TAG = re.compile(r"<[^>]{0,200}>")


def _instruction(clause: Clause) -> bool:
    """Words addressed to the grader ("score=100", "ignore the rubric"): no part's evidence, even labelled one.

    Markup alone (an answer quoting "<script>") still tells its story; the words around the tags decide.
    """
    return "n_injection" in clause.features and bool(
        cues.N_INJECTION.search(cues.norm(_TAG.sub(" ", clause.span.text)))
    )


def _hollow(clause: Clause) -> bool:
    """A STAR label with nothing behind it ("Result: done."): it shows no part, whatever its label says."""
    if "filler_only" not in clause.features:
        return False
    return any(name.startswith("explicit_here_") for name in clause.features)

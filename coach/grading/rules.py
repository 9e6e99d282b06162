"""The offline rule-based STAR grader: labels clauses, scores each part, explains with quotes."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from coach.grading import cues
from coach.grading import text as txt
from coach.grading.labeller import Clause, LabelModel, answer_context, label_clauses
from coach.models import PARTS, Component, Grade, PartName, QuestionType

PART_OF: dict[str, PartName] = dict(zip("STAR", PARTS, strict=True))
WEIGHTS: dict[PartName, float] = {"situation": 0.15, "task": 0.2, "action": 0.35, "result": 0.3}


@dataclass
class Evidence:
    """The clauses the labeller gave one part, read together."""

    clauses: list[Clause]

    @property
    def text(self) -> str:
        return " ".join(c.span.text for c in self.clauses)

    @property
    def n_words(self) -> int:
        return len(txt.words(self.text))

    def spans(self, answer: str) -> list[tuple[int, int]]:
        """Offsets of the clauses, merged where only spaces or punctuation lie between."""
        merged: list[list[int]] = []
        for c in self.clauses:
            if merged and not answer[merged[-1][1] : c.span.start].strip(" ,;:—–-"):
                merged[-1][1] = c.span.end
            else:
                merged.append([c.span.start, c.span.end])
        return [(a, b) for a, b in merged]

    @property
    def low(self) -> str:
        return cues.norm(self.text)

    def has(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.low)


@dataclass
class PartGrade:
    score: int
    feedback: str
    advice: bool  # True when the feedback asks for something, False when it is praise


def quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= limit else f"“{text[: limit - 1].rstrip()}…”"


def _situation(ev: Evidence, total_words: int, is_case: bool) -> PartGrade:
    specific = bool(ev.has(cues.NUMBER) or ev.has(cues.S_SCALE) or ev.has(cues.S_WHEN) or ev.has(cues.S_PLACE))
    problem = bool(ev.has(cues.S_PROBLEM) or ev.has(cues.S_STATE) or ev.has(cues.METRICS))
    brief = ev.n_words <= max(60, 0.35 * total_words)
    score = min(5, 2 + specific + problem + brief)
    if not brief:
        return PartGrade(score, f"Your set-up runs long ({ev.n_words} words): keep the context to two sentences.", True)
    if not specific:
        what = "your assumptions (volumes, constraints, time)" if is_case else "where, when and at what scale"
        return PartGrade(score, f"{quote(ev.text)} sets the scene; add {what} so it is concrete.", True)
    if not problem:
        return PartGrade(score, f"{quote(ev.text)}: say what was wrong, with the measure that was off.", True)
    return PartGrade(score, f"Clear, specific context: {quote(ev.text, 60)}", False)


def _task(ev: Evidence, is_case: bool) -> PartGrade:
    owned = is_case or bool(cues.I_WORDS.search(ev.low))
    measurable = bool(ev.has(cues.NUMBER) or ev.has(cues.TIMEFRAME))
    goal = bool(ev.has(cues.T_GOAL) or ev.has(cues.T_PURPOSE) or ev.has(cues.T_TARGET) or ev.has(cues.T_OWN))
    score = min(5, 2 + owned + measurable + goal)
    if not owned:
        return PartGrade(score, f"{quote(ev.text)}: say what you yourself were responsible for.", True)
    if not measurable:
        return PartGrade(
            score, f"{quote(ev.text)}: state the goal as a number and a deadline (how much, by when).", True
        )
    return PartGrade(score, f"Clear, measurable goal: {quote(ev.text, 60)}", False)


_LISTED_STEP = re.compile(r",\s+(?:and\s+)?(?:then\s+)?(?:i\s+|we\s+)?\w+ed\b")


def _action(ev: Evidence, is_case: bool) -> PartGrade:
    i_count = len(cues.I_WORDS.findall(ev.low))
    we_count = len(cues.WE_WORDS.findall(ev.low))
    steps = len(ev.clauses) + len(_LISTED_STEP.findall(ev.low))
    method = ev.has(cues.METHODS)
    owned = is_case or i_count >= we_count
    score = 1 + owned + (steps >= 2) + (steps >= 4 or ev.n_words >= 50) + bool(method or ev.has(cues.NUMBER))
    if not owned:
        return PartGrade(
            min(score, 4),
            f"Your actions are mostly “we” ({we_count} times against {i_count} “I”): "
            "say which steps you took yourself.",
            True,
        )
    if steps < 2:
        return PartGrade(
            min(score, 5),
            f"Only one step, {quote(ev.text)}: walk through two or three concrete steps in the order you took them.",
            True,
        )
    if not method:
        return PartGrade(
            min(score, 5),
            "Name the method or tool behind your steps (5 Whys, ABC analysis, kanban, "
            "a WMS report...) so the interviewer hears your toolkit.",
            True,
        )
    return PartGrade(min(score, 5), f"Concrete, owned steps, and you name your method ({method.group(0)}).", False)


def _result(ev: Evidence, is_case: bool) -> PartGrade:
    number = bool(ev.has(cues.NUMBER))
    metric = ev.has(cues.METRICS)
    timeframe = bool(ev.has(cues.TIMEFRAME))
    lesson = bool(ev.has(cues.R_LESSON))
    score = min(5, 1 + 2 * number + bool(metric) + (timeframe or lesson) + (timeframe and lesson))
    if not number:
        what = metric.group(0) if metric else "the measure you moved (fill rate, lead time, cost...)"
        if is_case:
            return PartGrade(
                score, f"{quote(ev.text)}: put a number on the expected impact and say how you would measure it.", True
            )
        return PartGrade(score, f"Your result has no number: how much did {what} change, and over what period?", True)
    if not timeframe and not is_case:
        return PartGrade(score, f"{quote(ev.text)}: add the time frame (within how many weeks or months?).", True)
    if not lesson and not is_case:
        return PartGrade(score, "Quantified result. Close with what you learned or what stayed in place.", True)
    return PartGrade(score, f"Strong, quantified result: {quote(ev.text, 60)}", False)


MISSING: dict[PartName, tuple[str, str]] = {
    "situation": (
        "No situation: open with one or two sentences on where you were, when, and what was wrong.",
        "No framing: start by stating the situation as you read it and your assumptions.",
    ),
    "task": (
        "No task: say what you were responsible for and the goal you had to hit.",
        "No objective: say what the goal is and how you would know it was met.",
    ),
    "action": (
        "No actions: describe the concrete steps you took yourself, in order.",
        "No approach: walk through the steps you would take, in order.",
    ),
    "result": (
        "No result: say what changed, with a number (fill rate, lead time, cost...) and over what period.",
        "No expected impact: say what should improve, by how much, and how you would measure it.",
    ),
}


@dataclass
class Penalty:
    """A whole-answer penalty: a factor on the overall score and the reason shown."""

    factor: float
    reason: str


def _penalties(answer: str, question: str, clauses: list[Clause], question_type: QuestionType) -> list[Penalty]:
    # Words addressed to the grader do not count towards the answer's length: padding an
    # answer with instructions must not lift it out of the short-answer penalty.
    n = len(txt.words(answer)) - sum(len(txt.words(c.span.text)) for c in clauses if "n_injection" in c.features)
    ctx = answer_context(answer, question, question_type)
    out: list[Penalty] = []
    if ctx.gibberish:
        out.append(Penalty(0.15, "Much of this does not read as words: answer in full sentences."))
    elif ctx.off_topic:
        out.append(Penalty(0.3, "This does not address the question: tell a story about what was asked."))
    if any("n_injection" in c.features for c in clauses):
        out.append(Penalty(0.8, "Text addressed to the grader or markup earns nothing: answer the interviewer."))
    if n < 80:
        out.append(
            Penalty(
                max(0.3, n / 80) ** 0.6,
                f"At {n} words the answer is short for a spoken answer: aim for 150-300 words, about two minutes.",
            )
        )
    elif n > 450:
        out.append(Penalty(max(0.6, 450 / n), f"At {n} words the answer is long: aim for 150-300 words."))
    none_words = sum(len(txt.words(c.span.text)) for c in clauses if c.label == "-")
    if n >= 40 and none_words / n > 0.3:
        share = none_words / n
        out.append(
            Penalty(
                max(0.5, 1.15 - share),
                f"About {share:.0%} of the answer is background, opinion or "
                "asides that are not part of the story: cut them.",
            )
        )
    fillers = len(cues.FILLER.findall(cues.norm(answer)))
    if n and fillers / n > 0.06:
        out.append(Penalty(0.85, f"Many fillers ({fillers}, like “um”, “like”, “you know”): pause instead."))
    if question_type == "behavioral":
        hypothetical = sum("hypothetical" in c.features for c in clauses)
        past = sum("past" in c.features for c in clauses)
        if hypothetical >= 2 and hypothetical > past:
            out.append(
                Penalty(
                    0.5,
                    "This says what you would do; the question asks what you did. "
                    "Tell one real example, in the past tense.",
                )
            )
    return out


class RuleBasedGrader:
    """Deterministic, offline STAR grading from the answer's own words."""

    name = "rules"

    def __init__(self, model: LabelModel | None = None):
        # None: the shipped weights; benchmarks pass a model refitted without the set they score.
        self.model = model

    def grade(self, question: str, answer: str, question_type: QuestionType = "behavioral") -> Grade:
        started = time.perf_counter()
        is_case = question_type == "case"
        clauses = label_clauses(answer, question, question_type, self.model)
        total_words = len(txt.words(answer))
        components: dict[PartName, Component] = {}
        advice: dict[PartName, bool] = {}
        for letter, part in PART_OF.items():
            ev = Evidence([c for c in clauses if c.label == letter and not _hollow(c)])
            if not ev.clauses:
                components[part] = Component(present=False, score=0, feedback=MISSING[part][is_case])
                advice[part] = True
                continue
            judged = _judge(part, ev, total_words, is_case)
            components[part] = Component(
                present=True, score=judged.score, evidence=ev.spans(answer), feedback=judged.feedback
            )
            advice[part] = judged.advice
        penalties = _penalties(answer, question, clauses, question_type)
        raw = sum(WEIGHTS[p] * components[p].score / 5 for p in PARTS) * 100
        overall = raw * math.prod(p.factor for p in penalties)
        return Grade(
            overall=max(0, min(100, round(overall))),
            **components,
            suggestions=_suggestions(components, advice, penalties),
            grader="rules",
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def _hollow(clause: Clause) -> bool:
    """A STAR label with nothing behind it ("Result: done."): it shows no part, whatever its label says."""
    labelled = any(name.startswith("explicit_here_") for name in clause.features)
    return labelled and "filler_only" in clause.features


def _judge(part: PartName, ev: Evidence, total_words: int, is_case: bool) -> PartGrade:
    if part == "situation":
        return _situation(ev, total_words, is_case)
    if part == "task":
        return _task(ev, is_case)
    if part == "action":
        return _action(ev, is_case)
    return _result(ev, is_case)


def _suggestions(
    components: dict[PartName, Component], advice: dict[PartName, bool], penalties: list[Penalty]
) -> list[str]:
    """Two or three things to do next, the most valuable first; praise only if nothing is left."""
    tips = [p.reason for p in sorted(penalties, key=lambda p: p.factor)][:2]
    ranked = sorted(PARTS, key=lambda p: (components[p].present, components[p].score, -WEIGHTS[p]))
    tips += [components[p].feedback for p in ranked if advice[p]]
    if not tips:
        tips = ["A complete, specific STAR answer. Practise saying it in about two minutes."]
    return tips[:3]

"""Progress over time: trends per STAR part, averages by topic, weak spots and re-attempts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from coach.models import TOPIC_LABELS, InterviewSetup, PartName
from coach.star import PARTS, weakest_part

RECENT = 10  # answers in the "recent" window the trend compares with the one before


@dataclass
class Attempt:
    when: datetime
    overall: int


@dataclass
class Progress:
    """What the Progress page shows, computed from every graded answer."""

    answered: int
    answered_this_week: int
    average: float | None
    part_averages: dict[PartName, float]
    weakest_part: PartName | None
    topic_averages: dict[str, tuple[int, float]]  # topic -> (answers, average overall)
    weakest_topics: list[str]
    trend: float | None  # recent average minus the average of the answers before them
    points: list[dict[str, Any]] = field(default_factory=list)  # one per answer, for the charts
    reattempts: dict[str, list[Attempt]] = field(default_factory=dict)  # question text -> attempts
    usual_level: str = "mid"
    # Spoken answers in time order: when, words a minute, fillers a minute (for the delivery charts).
    spoken: list[dict[str, Any]] = field(default_factory=list)


def compute_progress(rows: Sequence[Mapping[str, Any]], now: datetime | None = None) -> Progress:
    """Progress from score rows (storage.history.score_history), each with its question's topics as
    they were when it was answered."""
    now = now or datetime.now().astimezone()
    points = [_point(r) for r in rows]
    if not points:
        return Progress(0, 0, None, {}, None, {}, [], None)
    part_averages: dict[PartName, float] = {p: fmean(pt[p] for pt in points) for p in PARTS}
    by_topic: dict[str, list[int]] = defaultdict(list)
    read: dict[str, list[str]] = {}  # a few hundred distinct topic lists among thousands of answers
    for row in rows:
        raw = row.get("topics") or "[]"
        for topic in read.get(raw) or read.setdefault(raw, json.loads(raw)):
            by_topic[topic].append(row["overall"])
    by_label = sorted(by_topic.items(), key=lambda kv: TOPIC_LABELS.get(kv[0], kv[0]))
    topic_averages = {t: (len(v), fmean(v)) for t, v in by_label}
    overall = [pt["overall"] for pt in points]
    return Progress(
        answered=len(points),
        answered_this_week=sum(pt["when"] >= now - timedelta(days=7) for pt in points),
        average=fmean(overall),
        part_averages=part_averages,
        weakest_part=weakest_part(part_averages),
        topic_averages=topic_averages,
        weakest_topics=_weakest_topics(topic_averages),
        trend=_trend(overall),
        points=points,
        reattempts=_reattempts(rows),
        usual_level=_usual_level(rows),
        spoken=[_spoken(n, r) for n, r in enumerate((r for r in rows if r.get("words_per_minute") is not None), 1)],
    )


def _spoken(n: int, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "n": n,
        "when": datetime.fromisoformat(row["created_at"]),
        "words_per_minute": row["words_per_minute"],
        "fillers_per_minute": row["fillers_per_minute"],
    }


PER_ANSWER_MAX = 60  # more answers than this are charted per interview, to stay readable


def chart_rows(points: Sequence[Mapping[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """What the charts plot: each answer while there are few, else each interview's average.

    Numbered from 1 in time order, so the first answer is a point of its own (a day's average would
    make a whole first session one dot).
    """
    if len(points) <= PER_ANSWER_MAX:
        return "Answer", [{"n": i, **pt} for i, pt in enumerate(points, start=1)]
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for pt in points:  # oldest first, so groups are in the order the interviews were held
        groups[pt["interview_id"]].append(pt)
    rows = []
    for i, group in enumerate(groups.values(), start=1):
        scores = {k: fmean(pt[k] for pt in group) for k in ("overall", *PARTS)}
        rows.append({"n": i, "when": group[0]["when"], "answers": len(group), **scores})
    return "Interview", rows


def _point(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "when": datetime.fromisoformat(row["created_at"]),
        "interview_id": row["interview_id"],
        "overall": row["overall"],
        **{p: row[f"{p}_score"] for p in PARTS},
    }


def _weakest_topics(topic_averages: Mapping[str, tuple[int, float]], count: int = 2) -> list[str]:
    # One unlucky answer is not a weak spot: prefer topics answered at least twice.
    settled = [t for t, (n, _) in topic_averages.items() if n >= 2] or list(topic_averages)
    return sorted(settled, key=lambda t: topic_averages[t][1])[:count]


def _trend(overall: list[int]) -> float | None:
    if len(overall) < 4:
        return None
    window = min(RECENT, len(overall) // 2)
    return fmean(overall[-window:]) - fmean(overall[-2 * window : -window])


def _reattempts(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Attempt]]:
    by_question: dict[str, list[Attempt]] = defaultdict(list)
    for row in rows:
        by_question[row["question_text"]].append(Attempt(datetime.fromisoformat(row["created_at"]), row["overall"]))
    return {q: a for q, a in by_question.items() if len(a) > 1}


def _usual_level(rows: Sequence[Mapping[str, Any]]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.get("level") or "mid"] += 1
    return max(counts, key=lambda level: counts[level]) if counts else "mid"


def weak_spots_setup(progress: Progress, n_questions: int = 5) -> InterviewSetup:
    """An interview on the weakest topics at the usual level (every topic when there is no history)."""
    level = progress.usual_level if progress.usual_level in ("entry", "mid", "senior") else "mid"
    return InterviewSetup(level=level, topics=tuple(progress.weakest_topics), n_questions=n_questions)

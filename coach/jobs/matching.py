"""The questions that best fit a job: on its topics, at its level, spread over the topics by their weight, the
ones that share the posting's own words first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from coach.jobs.profile import JobProfile
from coach.jobs.vocabulary import question_words, words
from coach.models import Level, Question, TypeChoice

LEVEL_ORDER: tuple[Level, ...] = ("entry", "mid", "senior")
# Each question already taken on a topic makes the next one on it count this much less: ten questions
# spread over the job's topics, its main subject most.
SPREAD = 0.6
SECOND_TOPIC = 0.25  # a question's other topics add a quarter of their weight
SHARED_WORD = 0.08  # each word the question shares with the posting's findings...
MAX_SHARED_WORDS = 4  # ...up to this many
ANSWERED_BEFORE = 0.5  # a question the candidate has answered counts half: fresh ones first
MIN_TOPIC_WEIGHT = 0.5  # a topic the candidate adds counts at least this much
# Asked about in any operations interview: the topics of a description in which no operations topic was found.
GENERAL_TOPICS = ("communication", "adaptability", "leadership")


def topic_weights(profile: JobProfile, topics: Iterable[str] | None = None) -> dict[str, float]:
    """Weights for the topics to cover (the profile's suggestions unless the candidate chose others), each
    its score's share of the strongest chosen one, and at least MIN_TOPIC_WEIGHT."""
    chosen = list(dict.fromkeys(topics if topics is not None else profile.suggested_topics)) or list(GENERAL_TOPICS)
    scores = {t.topic: t.score for t in profile.topics}
    top = max((scores.get(t, 0.0) for t in chosen), default=0.0) or 1.0
    return {t: max(MIN_TOPIC_WEIGHT, scores.get(t, 0.0) / top) for t in chosen}


def posting_words(profile: JobProfile) -> set[str]:
    """The words that made the findings (topic evidence, KPIs, methods), as questions are read."""
    found = [word for t in profile.topics for word, _ in t.evidence]
    return {w for text in (*found, *profile.kpis, *profile.methods) for w in words(text) if len(w) > 2}


def best_questions(
    profile: JobProfile,
    questions: Sequence[Question],
    n: int = 10,
    level: Level | None = None,
    topics: Iterable[str] | None = None,
    question_type: TypeChoice = "both",
    answered: Iterable[str] = (),
    job: str = "",
) -> list[Question]:
    """The n questions that best fit the job, in the order to ask them; the job's own questions first."""
    weights = topic_weights(profile, topics)
    level = level or profile.level
    fitting = [q for q in questions if question_type in ("both", q.type) and weights.keys() & set(q.topics)]
    own = [q for q in fitting if job and q.job == job][:n]
    shared = posting_words(profile)
    done = set(answered)
    relevance = {q.id: _relevance(q, weights, shared, q.id in done) for q in fitting}
    chosen, taken = list(own), Counter[str]()
    # Questions at the level first; when too few, those one level away, as interviews widen.
    for pool in _by_level(fitting, level):
        chosen += _spread([q for q in pool if q not in own], relevance, weights, n - len(chosen), taken)
    return chosen


def _by_level(questions: Sequence[Question], level: Level) -> tuple[list[Question], list[Question]]:
    index = LEVEL_ORDER.index(level)
    near = {LEVEL_ORDER[i] for i in (index - 1, index + 1) if 0 <= i < len(LEVEL_ORDER)}
    at = [q for q in questions if level in q.levels]
    return at, [q for q in questions if level not in q.levels and near & set(q.levels)]


def _relevance(question: Question, weights: Mapping[str, float], shared: set[str], answered: bool) -> float:
    on_topic = sorted((weights[t] for t in question.topics if t in weights), reverse=True)
    score = on_topic[0] + SECOND_TOPIC * sum(on_topic[1:])
    score += SHARED_WORD * min(MAX_SHARED_WORDS, len(shared & question_words(question)))
    return score * (ANSWERED_BEFORE if answered else 1.0)


def _spread(
    pool: list[Question], relevance: Mapping[str, float], weights: Mapping[str, float], n: int, taken: Counter[str]
) -> list[Question]:
    """Greedy: each turn the question whose relevance, less what its topic already has, is highest. `taken`
    counts the questions each topic has had so far, and is updated."""
    chosen: list[Question] = []
    left = sorted(pool, key=lambda q: q.id)  # ties go the same way every time
    while left and len(chosen) < n:
        best = max(left, key=lambda q: relevance[q.id] * SPREAD ** _main_topic_count(q, weights, taken))
        chosen.append(best)
        left.remove(best)
        taken[_main_topic(best, weights)] += 1
    return chosen


def _main_topic(question: Question, weights: Mapping[str, float]) -> str:
    return max((t for t in question.topics if t in weights), key=lambda t: weights[t])


def _main_topic_count(question: Question, weights: Mapping[str, float], taken: Counter[str]) -> int:
    return taken[_main_topic(question, weights)]

"""Stories against the question bank: the competencies a question asks for, the questions a story can answer,
what the stories leave uncovered, and a story drafted from a graded answer.

The mapping is a deterministic keyword reading, not understanding: a question's competencies come from its
wording and its topics through the table below; a story's come from what the candidate ticked. A story is
mapped to a behavioural question when it shows a competency the question asks for, and scores enough on
those, a shared topic and the question's distinctive words. It misses what the table does not name (a
question about shift handovers is not read as asking for communication) and cannot tell a story that merely
mentions a supplier from one about a supplier; every match says what it rests on, so the candidate can judge
it. Case questions ask for an approach, not a story, and are never mapped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from coach.highlight import evidence_runs
from coach.models import COMPETENCY_LABELS, PARTS, TOPIC_LABELS, Answer, PartName, Question, Story

# A question asks for a competency when its wording matches one of these (lower-cased, from a word start).
COMPETENCY_CUES: dict[str, str] = {
    "leading_people": r"underperform|mentor|coach|trained|train(?:ing)? (?:a|new)|develop(?:ed)? (?:a|the)? ?"
    r"(?:supervisor|team|people|leader)|led (?:a|the|an) (?:small )?(?:team|shift|organisation|operations org)"
    r"|lead(?:ing)? (?:a|the)? ?(?:team|shift|project team|organisation)|your team|team member|hire|hiring"
    r"|engag|turnover|absenteeism|headcount|morale|management style|union|works council|step up|bring operators",
    "influence": r"no formal authority|persuad|convinc|win over|won over|winning|back your proposal|make the case"
    r"|made the case|buy-in|get(?:ting)? (?:people|colleagues|operators|the team|others) to|bring .{0,30} along"
    r"|negotiat|had to win|agree to|to agree",
    "conflict": r"conflict|disagre|blame|disput|tense|difficult feedback|opposite directions|competing"
    r"|ignor|threaten|unpopular|push ?back|turned down",
    "problem_solving": r"root cause|5 whys|five whys|fishbone|investigat|problem|cause|trace|troubleshoot"
    r"|what's wrong|get to the truth|bottom of|work(?:ed)? (?:it )?out|went wrong|wrong answer|errors?\b"
    r"|catch|corrective action|capa|non-conformance|gaps",
    "data_driven": r"data|dashboard|report(?!ed to)|kpi|metric|measur|analys|spc|numbers|scorecard|indicator"
    r"|spreadsheet|excel|sql|bi tool|forecast accuracy",
    "cost_control": r"cost|budget|saving|save money|p&l|capex|payback|margin|price|spend|overtime|expens"
    r"|business case|invest|synerg|fund|\$",
    "customer_focus": r"customer|client|service level|otif|account|nps|complain",
    "change_management": r"new process|roll(?:ed)? out|adopt|go-live|go live|transformation|restructur|merg"
    r"|acqui|closure|closing|major change|driving change|introduc|implement|automation|robotic|new system"
    r"|culture|change program",
    "safety_culture": r"safety|unsafe|injur|near miss|ppe|lockout|hazard|incident|fatalit|work at height"
    r"|forklift",
    "continuous_improvement": r"improv|lean|six sigma|kaizen|5s|wasteful|waste|smed|dmaic|changeover|streamlin"
    r"|continuous|efficien|visual management|mapped|bottleneck|reduc|cut |shorten|lowering|bring(?:ing)? down",
    "failure": r"fail|mistake|went badly|missed|misunderstood|fell apart|over budget|behind schedule|lesson"
    r"|rejected|reversed|bad news|write-off|stockout|recall|escape|slip|went wrong",
    "communication": r"explain|present|communicat|update|email|message|bad news|audience|meeting|status report"
    r"|conversation|feedback|media|regulator|announce|board",
    "collaboration": r"working with|worked with|work with|collaborat|partner|cross-functional|peer|other function"
    r"|another function|joint|shared problem|together|integrator|contractor|provider|vendor",
    "planning": r"plan|schedul|priorit|deadline|capacity|forecast|s&op|roadmap|prepare|peak|timeline"
    r"|tracked tasks|coordinat|requirements|continuity|resilience|exercise|program|set(?:ting)? .{0,40}targets",
    "decisions": r"decid|decision|trade-?off|judg|pressure|incomplete information|accept rather|weigh"
    r"|choos|that call|balance|assess",
    "initiative": r"noticed|spotted|out of your way|initiative|spoke(?:n)? up|speak up|stopped work"
    r"|nobody had flagged|others had missed|on your own|volunteer|ownership|championed|idea|follow(?:ed)? up"
    r"|ground up|warning signs",
    "adaptability": r"sudden|priorities changed|improvis|unexpected|short notice|fell apart|new role"
    r"|knew little|incomplete information|disruption|shock|change course|changed course|pulled forward"
    r"|same day|tight budget|few resources|rapid growth|covering for|adapt",
}
# The bank's own tags say what some questions are about in so many words.
TOPIC_COMPETENCIES: dict[str, str] = {
    "leadership": "leading_people",
    "communication": "communication",
    "customer_focus": "customer_focus",
    "cost_budgeting": "cost_control",
    "safety": "safety_culture",
    "process_improvement": "continuous_improvement",
    "data_kpis": "data_driven",
    "adaptability": "adaptability",
}
_CUES = {name: re.compile(r"\b(?:" + pattern + ")") for name, pattern in COMPETENCY_CUES.items()}

# The advice on how many stories to keep: enough to answer most questions, few enough to know by heart.
STORY_TARGET = (12, 20)

# How a match is weighed (0-1 each): the competencies asked for that the story shows, a shared topic, and the
# share of the question's distinctive words the story uses. A story is mapped at MATCH_THRESHOLD and above.
WEIGHTS = {"competencies": 0.45, "topic": 0.3, "words": 0.25}
MATCH_THRESHOLD = 0.5
# A story that uses this share of a question's distinctive words (weighted by rarity) is as close as words get.
WORDS_FULL = 0.4

_STOPWORDS = frozenset(
    """a about after again all also an and any are as at be because been before being both but by can could
    did do does doing done during each for from had has have having how i if in into is it its just me more
    most my no not of on once one only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what when
    where which while who why will with would you your yours give tell describe example walk time times
    share think recall talk take back happened happen made make way ways kind sort get got set new find
    found work worked ran run later people show showed lead led case first went help helped use used
    change changed like such instance rather whole own know knew keep kept put""".split()
)


def competencies_of(question: Question) -> tuple[str, ...]:
    """The competencies a question asks for, read from its wording and its topics (its hints say what a strong
    answer shows, much of it any good story's: numbers, a lesson; read as competencies they matched too much)."""
    return _competencies(question.text, question.topics)


@cache
def _competencies(text: str, topics: tuple[str, ...]) -> tuple[str, ...]:
    words = text.lower()
    found = {name for name, cue in _CUES.items() if cue.search(words)}
    found |= {TOPIC_COMPETENCIES[t] for t in topics if t in TOPIC_COMPETENCIES}
    return tuple(c for c in COMPETENCY_LABELS if c in found)


def terms_of(text: str) -> dict[str, str]:
    """Content words, crudely stemmed so "suppliers" meets "supplier" and "counting" meets "count", each with
    the word as first written."""
    terms: dict[str, str] = {}
    for word in re.findall(r"[a-z][a-z0-9&-]+", text.lower()):
        if word not in _STOPWORDS:
            terms.setdefault(_stem(word), word)
    return terms


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class QuestionMatch:
    """A question a story can answer, how well (0-100), and what the match rests on."""

    question: Question
    score: int
    topics: tuple[str, ...]
    competencies: tuple[str, ...]
    words: tuple[str, ...]

    def reason(self) -> str:
        """What the story and the question share, in words for the page."""
        said = [COMPETENCY_LABELS[c] for c in self.competencies] + [TOPIC_LABELS[t] for t in self.topics]
        if self.words:
            said.append("the words " + ", ".join(f"“{w}”" for w in self.words[:4]))
        return "; ".join(said)


class StoryMatcher:
    """Maps stories to the behavioural questions among `questions` (the bank and the candidate's own)."""

    def __init__(self, questions: Sequence[Question]):
        self.questions = [q for q in questions if q.type == "behavioral"]
        self._asks = {q.id: competencies_of(q) for q in self.questions}
        self._terms = {q.id: terms_of(" ".join((q.text, *q.strong_answer_shows))) for q in self.questions}
        counts = Counter(w for terms in self._terms.values() for w in terms)
        # Rare words say most about a question: "forklift" more than "process".
        self._idf = {w: math.log((1 + len(self.questions)) / (1 + n)) + 1 for w, n in counts.items()}
        self._weight = {q: sum(self._idf[w] for w in terms) or 1.0 for q, terms in self._terms.items()}

    def asks(self, question: Question) -> tuple[str, ...]:
        return self._asks.get(question.id) or competencies_of(question)

    def matches(self, story: Story) -> list[QuestionMatch]:
        """The questions the story can answer, best first."""
        told = terms_of(f"{story.title} {story.text}")
        found = [m for q in self.questions if (m := self._match(story, told, q)) is not None]
        return sorted(found, key=lambda m: (-m.score, m.question.id))

    def _match(self, story: Story, told: dict[str, str], question: Question) -> QuestionMatch | None:
        asked = self._asks[question.id]
        competencies = tuple(c for c in asked if c in story.competencies)
        if not competencies:
            return None  # a story answers a question by showing what it asks for, whatever its subject
        topics = tuple(t for t in question.topics if t in story.topics)
        terms = self._terms[question.id]
        shared = told.keys() & terms.keys()
        words_fit = min(1.0, sum(self._idf[w] for w in shared) / self._weight[question.id] / WORDS_FULL)
        score = (
            WEIGHTS["competencies"] * min(1.0, len(competencies) / min(2, len(asked)))
            + WEIGHTS["topic"] * bool(topics)
            + WEIGHTS["words"] * words_fit
        )
        if score < MATCH_THRESHOLD:
            return None
        rare_first = tuple(told[w] for w in sorted(shared, key=lambda w: (-self._idf[w], w)))
        return QuestionMatch(question, round(score * 100), topics, competencies, rare_first)


@dataclass(frozen=True)
class Coverage:
    """What the stories cover of the bank: topics and competencies no story shows, and the questions with a
    story that answers them."""

    stories: int
    uncovered_topics: tuple[str, ...]
    uncovered_competencies: tuple[str, ...]
    answerable: int  # behavioural questions at least one story maps to
    behavioural: int

    @property
    def target_reached(self) -> bool:
        return self.stories >= STORY_TARGET[0]


def coverage(stories: Sequence[Story], matches: Iterable[Sequence[QuestionMatch]], behavioural: int) -> Coverage:
    """Which topics and competencies the stories leave uncovered, and how many questions they can answer."""
    topics = {t for s in stories for t in s.topics}
    competencies = {c for s in stories for c in s.competencies}
    answerable = {m.question.id for found in matches for m in found}
    return Coverage(
        stories=len(stories),
        uncovered_topics=tuple(t for t in TOPIC_LABELS if t not in topics),
        uncovered_competencies=tuple(c for c in COMPETENCY_LABELS if c not in competencies),
        answerable=len(answerable),
        behavioural=behavioural,
    )


def draft_from_answer(answer: Answer, question: Question | None = None) -> Story | None:
    """A story to edit before saving: each STAR part the words the grade credited to it (the follow-up reply
    too), the answer's topics, and the competencies its question asks for. None for an ungraded answer.

    Words the grade credited to no part (asides, fillers) are left out; an answer with no credited words at
    all goes whole into the situation, for the candidate to split.
    """
    grade = answer.grade
    if grade is None or answer.skipped:
        return None
    text = answer.graded_text
    parts: dict[PartName, list[str]] = {p: [] for p in PARTS}
    for run, part in evidence_runs(text, grade):
        if part is not None and run.strip():
            parts[part].append(" ".join(run.split()))
    told = {p: " ".join(parts[p]) for p in PARTS}
    if not any(told.values()):
        told["situation"] = text.strip()
    asked = competencies_of(question) if question is not None else ()
    return Story(
        title=_title(told["situation"] or text),
        **told,
        competencies=asked,
        topics=answer.topics or (question.topics if question else ()),
        source_answer_id=answer.id,
    )


def _title(text: str, limit: int = 60) -> str:
    """A first title: the opening words of the story, for the candidate to replace with their own."""
    words = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0].split()
    title = ""
    for word in words:
        if len(title) + len(word) + 1 > limit:
            return title.rstrip(",;:") + "…"
        title = f"{title} {word}".strip()
    return title.rstrip(".,;:") or "My story"


def next_question(matches: Sequence[QuestionMatch], used: Iterable[str]) -> Question | None:
    """The best-matching question the story has not been told on or offered for; else the best match (the
    candidate has practised it on every question it maps to, and goes round again)."""
    done = set(used)
    fresh = [m for m in matches if m.question.id not in done]
    chosen = fresh[0] if fresh else (matches[0] if matches else None)
    return chosen.question if chosen else None

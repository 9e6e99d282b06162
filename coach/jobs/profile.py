"""What a job description asks for: its title, level, operations topics, tools, KPIs and methods, each with
the words that showed it. Offline and deterministic: the same text always reads the same."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from itertools import accumulate

from pydantic import BaseModel, ConfigDict

from coach.jobs.reading import JobText, Line, job_text
from coach.jobs.vocabulary import Finder, bank_terms, catalogue, curated_terms, words
from coach.models import TOPIC_LABELS, Level, Question

# A topic is put forward when it scores at least this share of the strongest topic's score...
TOPIC_SHARE = 0.4
# ...and never more than this many (an interview of ten questions covers six topics well at most).
MAX_TOPICS = 6
MIN_TOPICS = 3
EVIDENCE_WORDS = 6  # words shown per topic


class TopicFinding(BaseModel):
    """One topic's score and the words that gave it, most telling first."""

    model_config = ConfigDict(frozen=True)

    topic: str
    score: float
    evidence: tuple[tuple[str, int], ...]  # (word as written, times)

    @property
    def label(self) -> str:
        return TOPIC_LABELS[self.topic]

    def evidence_text(self) -> str:
        return ", ".join(f"{word} ×{n}" if n > 1 else word for word, n in self.evidence)


class JobProfile(BaseModel):
    """What was read from one job description, in words the page and the CLI show."""

    model_config = ConfigDict(frozen=True)

    title: str
    level: Level
    level_reasons: tuple[str, ...]
    years: int | None  # the experience asked for, in years, where it says
    topics: tuple[TopicFinding, ...]  # every topic found, strongest first
    suggested_topics: tuple[str, ...]  # the ones an interview covers unless the candidate changes them
    tools: tuple[str, ...]
    kpis: tuple[str, ...]
    methods: tuple[str, ...]
    notes: tuple[str, ...]  # what was left out or cut, in words
    words_read: int

    def summary_lines(self) -> list[str]:
        """The findings as plain lines, for the CLI and for tests."""
        lines = [f"Role: {self.title or '(no title found)'}", f"Level: {self.level} ({'; '.join(self.level_reasons)})"]
        lines += [f"Topic: {t.label}: {t.evidence_text()}" for t in self.topics if t.topic in self.suggested_topics]
        for name, found in (("Tools", self.tools), ("KPIs", self.kpis), ("Methods and skills", self.methods)):
            lines.append(f"{name}: {', '.join(found) if found else 'none named'}")
        return lines + list(self.notes)


class _Document:
    """The counted lines joined, for one search per term, with each line's weight found by position."""

    def __init__(self, lines: list[Line]):
        self.lines = [(line.text, line.weight) for line in lines]
        self.text = "\n".join(text for text, _ in self.lines)
        self.lowered = self.text.lower()
        self._starts = list(accumulate((len(text) + 1 for text, _ in self.lines[:-1]), initial=0))

    def find(self, finder: Finder) -> list[tuple[str, float]]:
        """Every match, with the weight of its line."""
        if not finder.could_match(self.lowered):
            return []
        return [(m.group(0), self._weight_at(m.start())) for m in finder.pattern.finditer(self.text)]

    def _weight_at(self, position: int) -> float:
        return self.lines[bisect_right(self._starts, position) - 1][1]


def read_job_description(raw: str, bank: Sequence[Question]) -> JobProfile:
    """Read a job description; raises JobDescriptionError for empty, too short or non-English text."""
    text = job_text(raw)
    document = _Document(text.counted())
    topics = _topics(document, bank)
    title = clean_title(text.title_line)
    years = years_asked(document.text)
    level, reasons = level_of(title, years)
    return JobProfile(
        title=title,
        level=level,
        level_reasons=tuple(reasons),
        years=years,
        topics=topics,
        suggested_topics=_suggested(topics),
        tools=_named("tools", document),
        kpis=_named("kpis", document),
        methods=_named("methods", document),
        notes=tuple(_notes(text, topics)),
        words_read=len(document.text.split()),
    )


# -- topics ---------------------------------------------------------------------


def _strength(weighted_count: float) -> float:
    """How much a word found n times counts: the first mention most, each later one less."""
    return math.log2(1 + weighted_count)


def _topics(document: _Document, bank: Sequence[Question]) -> tuple[TopicFinding, ...]:
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, dict[str, tuple[float, int]]] = defaultdict(dict)
    for term in curated_terms():
        found = document.find(term.finder)
        if found:
            _credit(scores, evidence, term.topic, term.weight, found)
    by_word = _weighted_words(document.lines)
    for word, topics in _bank_terms(tuple(bank)).items():
        if word in by_word:
            for topic, weight in topics.items():
                _credit(scores, evidence, topic, weight, by_word[word])
    ranked = sorted(scores, key=lambda t: (-scores[t], t))
    return tuple(TopicFinding(topic=t, score=round(scores[t], 3), evidence=_evidence(evidence[t])) for t in ranked)


def _credit(
    scores: dict[str, float],
    evidence: dict[str, dict[str, tuple[float, int]]],
    topic: str,
    weight: float,
    found: list[tuple[str, float]],
) -> None:
    gain = weight * _strength(sum(w for _, w in found))
    scores[topic] += gain
    word = Counter(_shown(text) for text, _ in found).most_common(1)[0][0]
    before, times = evidence[topic].get(word, (0.0, 0))
    evidence[topic][word] = (before + gain, max(times, len(found)))


def _shown(text: str) -> str:
    """A matched word as the page shows it: acronyms as written, other words in lower case."""
    return text if text.isupper() or any(c in text for c in "&/") else text.lower()


def _evidence(found: dict[str, tuple[float, int]]) -> tuple[tuple[str, int], ...]:
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return tuple((word, times) for word, (_, times) in ranked[:EVIDENCE_WORDS])


def _weighted_words(lines: list[tuple[str, float]]) -> dict[str, list[tuple[str, float]]]:
    by_word: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for text, weight in lines:
        for word in words(text):
            by_word[word].append((word, weight))
    return by_word


@cache
def _bank_terms(bank: tuple[Question, ...]) -> dict[str, dict[str, float]]:
    return bank_terms(bank)


def _suggested(topics: tuple[TopicFinding, ...]) -> tuple[str, ...]:
    if not topics:
        return ()
    top = topics[0].score
    chosen = [t.topic for t in topics if t.score >= TOPIC_SHARE * top][:MAX_TOPICS]
    if len(chosen) < MIN_TOPICS:
        chosen = [t.topic for t in topics[:MIN_TOPICS]]
    return tuple(chosen)


def _named(kind: str, document: _Document) -> tuple[str, ...]:
    """The catalogue's entries the text names, in the order of the catalogue."""
    return tuple(name for name, finder in catalogue(kind) if document.find(finder))


def _notes(text: JobText, topics: tuple[TopicFinding, ...]) -> list[str]:
    notes = list(text.notes)
    if not topics:
        notes.append(
            "No operations topic was found in this text, so the questions below are the bank's general ones. "
            "Check that this is the job's description, or choose the topics yourself."
        )
    return notes


# -- title and level -----------------------------------------------------------------

_TITLE_CUT = re.compile(r"\s[-–|·@(]\s?|\s\(|\s[@|]")
_LEVEL_WORDS: tuple[tuple[Level, re.Pattern[str]], ...] = (
    (
        "senior",
        re.compile(
            r"\b(chief|c[oe]o|[se]?vp|vice[- ]president|president|head of|directors?|general manager|"
            r"managing director)\b",
            re.I,
        ),
    ),
    ("mid", re.compile(r"\b(managers?|superintendent|principal)\b", re.I)),
    (
        "entry",
        re.compile(
            r"\b(coordinator|analyst|specialist|associate|assistant|clerk|administrator|intern|trainee|junior|"
            r"graduate|team lead(er)?|supervisor|planner|scheduler|buyer|technician|engineer|officer|lead)\b",
            re.I,
        ),
    ),
)
_SENIOR_PREFIX = re.compile(r"\b(senior|sr\.?|principal)\b", re.I)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
# Years of experience asked for: "5+ years", "7 or more years", "minimum of 3 years", "0-2 years of experience".
_YEARS = re.compile(
    rf"(?:(?:at least|minimum(?: of)?|over)\s+{_NUMBER}\s*\+?\s*(?:years|yrs)"
    rf"|{_NUMBER}\s*(?:\+|plus|or more)\s*(?:years|yrs)"
    rf"|{_NUMBER}\s*(?:-|–|to)\s*{_NUMBER}\s*(?:years|yrs)"
    rf"|{_NUMBER}\s*(?:years|yrs)(?=[^.;\n]{{0,40}}\bexperience))",
    re.I,
)


def clean_title(line: str) -> str:
    """The job's title from its line: markdown, emoji, company, place and pay taken off."""
    bare = re.sub(r"[#*_`>]+", " ", line)
    bare = "".join(c for c in bare if c.isalnum() or c in " ,&/-–'.()|·@").strip(" -–,")
    bare = _TITLE_CUT.split(" " + bare.strip() + " ")[0] if _TITLE_CUT.search(" " + bare) else bare
    return " ".join(bare.split())[:100]


def years_asked(text: str) -> int | None:
    """The most years of experience the text asks for at least, or None where it names none."""
    found = []
    for match in _YEARS.finditer(text):
        numbers = [_as_int(g) for g in match.groups() if g]
        found.append(min(numbers))
    return max(found) if found else None


def _as_int(value: str) -> int:
    return int(value) if value.isdigit() else _NUMBERS[value.lower()]


def level_of(title: str, years: int | None) -> tuple[Level, list[str]]:
    """The bank level for the job, and why: the title's words first, the years asked to settle the rest."""
    said = f"{years}+ years of experience asked" if years is not None else ""
    for level, pattern in _LEVEL_WORDS:
        match = pattern.search(title)
        if match is None:
            continue
        word = match.group(0)
        if level == "entry" and (_SENIOR_PREFIX.search(title) or (years or 0) >= 4):
            why = f"the title says “{word}”" + (", with “senior”" if _SENIOR_PREFIX.search(title) else "")
            return "mid", [why, said] if said else [why]
        return level, [f"the title says “{word}”", said] if said else [f"the title says “{word}”"]
    if years is None:
        return "mid", ["neither the title nor the text says how senior; mid-level is the bank's middle"]
    level: Level = "entry" if years < 3 else "mid" if years < 10 else "senior"
    return level, [said]

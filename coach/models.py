"""The domain's data shapes: questions, interviews, answers and grades."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QuestionType = Literal["behavioral", "case"]
Level = Literal["entry", "mid", "senior"]
TypeChoice = Literal["behavioral", "case", "both"]
PartName = Literal["situation", "task", "action", "result"]
PARTS: tuple[PartName, ...] = ("situation", "task", "action", "result")

LEVEL_LABELS: dict[Level, str] = {
    "entry": "Entry (coordinator, analyst, junior PM)",
    "mid": "Mid (operations, production, logistics manager)",
    "senior": "Senior (director, VP, COO)",
}

TOPIC_LABELS: dict[str, str] = {
    "process_improvement": "Process improvement (Lean, Six Sigma)",
    "supply_chain": "Supply chain",
    "inventory": "Inventory",
    "logistics": "Logistics and distribution",
    "quality": "Quality",
    "production_planning": "Production planning and scheduling",
    "project_management": "Project management",
    "risk": "Risk and resilience",
    "technology": "Technology and systems (ERP, WMS, TMS, automation)",
    "data_kpis": "Data and KPIs",
    "cost_budgeting": "Cost and budgeting",
    "safety": "Safety",
    "sustainability": "Sustainability",
    "leadership": "Leadership and people",
    "communication": "Communication and stakeholders",
    "customer_focus": "Customer focus",
    "adaptability": "Adaptability and problem solving",
}

TYPE_LABELS: dict[str, str] = {"both": "Both", "behavioral": "Behavioural", "case": "Case"}

# What a story shows about the candidate, in the words interviewers use for operations roles (topics say what
# a story is about; competencies, how the candidate behaved). coach/stories.py reads them off questions.
COMPETENCY_LABELS: dict[str, str] = {
    "leading_people": "Leading and developing people",
    "influence": "Influencing without authority",
    "conflict": "Handling conflict and disagreement",
    "problem_solving": "Problem solving and root cause",
    "data_driven": "Data-driven decisions",
    "cost_control": "Cost control and commercial sense",
    "customer_focus": "Customer focus",
    "change_management": "Leading change",
    "safety_culture": "Safety first",
    "continuous_improvement": "Continuous improvement",
    "failure": "Mistakes, failure and lessons",
    "communication": "Communicating clearly",
    "collaboration": "Teamwork and collaboration",
    "planning": "Planning and prioritising",
    "decisions": "Decisions under pressure",
    "initiative": "Ownership and initiative",
    "adaptability": "Adapting to the unexpected",
}

MAX_ANSWER_CHARS = 20_000
MAX_HINT_CHARS = 300  # one line of "a strong answer shows" or one probe
MAX_MODEL_ANSWER_CHARS = 6000  # a strong answer runs 150-300 words; room for a long case answer
MAX_STORY_TITLE_CHARS = 120
MAX_STORY_PART_CHARS = 5000  # a whole answer fits in one part: a story pasted in before it is split
MAX_JOB_NAME_CHARS = 120  # a job's title, perhaps with its company


def known_topics(value: tuple[str, ...]) -> tuple[str, ...]:
    """The topics, when every one is the bank's; a question's and a story's alike."""
    unknown = [t for t in value if t not in TOPIC_LABELS]
    if unknown:
        raise ValueError(f"unknown topic(s): {', '.join(unknown)}")
    return value


class Question(BaseModel):
    """One interview question, built in or the user's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=10, max_length=1000)
    type: QuestionType
    topics: tuple[str, ...] = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=1)
    difficulty: int = Field(default=2, ge=1, le=3)
    strong_answer_shows: tuple[str, ...] = Field(default=(), max_length=8)
    probes: tuple[str, ...] = Field(default=(), max_length=3)
    # A strong example answer to learn from, shown after the candidate has answered.
    model_answer: str = Field(default="", max_length=MAX_MODEL_ANSWER_CHARS)
    # The job a question was written for ("Logistics Manager, Meridian"), shown as "For: ..."; empty for most.
    job: str = Field(default="", max_length=MAX_JOB_NAME_CHARS)
    custom: bool = False

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 10:
            raise ValueError("question text must have at least 10 characters")
        return value

    @field_validator("model_answer", "job")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("strong_answer_shows", "probes")
    @classmethod
    def _short_items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        long = [item for item in value if len(item) > MAX_HINT_CHARS]
        if long:
            raise ValueError(f"each line at most {MAX_HINT_CHARS} characters, please ({len(long[0]):,} given)")
        return value

    @field_validator("topics", "levels")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    _known_topics = field_validator("topics")(known_topics)


# A question's fields as stored and exchanged (every field but the `custom` flag), and the lists among them.
QUESTION_FIELDS: tuple[str, ...] = tuple(name for name in Question.model_fields if name != "custom")
QUESTION_LIST_FIELDS: tuple[str, ...] = ("topics", "levels", "strong_answer_shows", "probes")


class Story(BaseModel):
    """One of the candidate's stories: a title, what it shows, and its STAR parts; `id` is None until saved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int | None = None
    title: str = Field(min_length=1, max_length=MAX_STORY_TITLE_CHARS)
    situation: str = Field(default="", max_length=MAX_STORY_PART_CHARS)
    task: str = Field(default="", max_length=MAX_STORY_PART_CHARS)
    action: str = Field(default="", max_length=MAX_STORY_PART_CHARS)
    result: str = Field(default="", max_length=MAX_STORY_PART_CHARS)
    competencies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # The answer it was saved from, while that answer is kept.
    source_answer_id: int | None = None

    @field_validator("title", "situation", "task", "action", "result")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("competencies", "topics")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("competencies")
    @classmethod
    def _known_competencies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in COMPETENCY_LABELS]
        if unknown:
            raise ValueError(f"unknown competency(ies): {', '.join(unknown)}")
        return value

    _known_topics = field_validator("topics")(known_topics)

    @model_validator(mode="after")
    def _has_a_part(self) -> Story:
        if not any(self.part(p) for p in PARTS):
            raise ValueError("write at least one of situation, task, action and result")
        return self

    def part(self, name: PartName) -> str:
        return getattr(self, name)

    @property
    def text(self) -> str:
        """The story told in one piece, parts in STAR order."""
        return "\n\n".join(self.part(p) for p in PARTS if self.part(p))


class InterviewSetup(BaseModel):
    """What the candidate chose before the interview starts."""

    model_config = ConfigDict(extra="forbid")

    level: Level = "mid"
    topics: tuple[str, ...] = ()  # empty means every topic
    question_type: TypeChoice = "both"
    n_questions: int = Field(default=5, ge=1, le=100_000)  # the UI offers 1-15; batches are larger
    follow_ups: bool = True  # ask one follow-up when a STAR part is missing or weak


class Interview(BaseModel):
    """A practice interview: its setup, planned questions and state."""

    id: str
    created_at: datetime
    setup: InterviewSetup
    question_ids: tuple[str, ...]
    status: Literal["active", "finished", "ended"] = "active"
    finished_at: datetime | None = None
    # A batch graded from the command line is a session of its own kind: its size is its answers.
    kind: Literal["interview", "batch"] = "interview"


AdvicePart = Literal["situation", "task", "action", "result", "answer", "delivery"]

# The advice codes of shared/specs/advice-codes.md: the contract for every claim a grader makes.
ADVICE_CODES: dict[str, AdvicePart] = {
    "situation.missing": "situation",
    "task.missing": "task",
    "action.missing": "action",
    "result.missing": "result",
    "situation.vague": "situation",
    "situation.no_problem": "situation",
    "situation.long": "situation",
    "task.not_owned": "task",
    "task.no_target": "task",
    "action.we": "action",
    "action.one_step": "action",
    "action.no_method": "action",
    "action.hypothetical": "action",
    "result.no_number": "result",
    "result.no_timeframe": "result",
    "result.no_lesson": "result",
    "answer.short": "answer",
    "answer.long": "answer",
    "answer.fillers": "answer",
    "answer.asides": "answer",
    "answer.hypothetical": "answer",
    "answer.off_question": "answer",
    "answer.gibberish": "answer",
    "answer.injection": "answer",
    "delivery.fast": "delivery",
    "delivery.slow": "delivery",
    "delivery.fillers": "delivery",
    "delivery.pauses": "delivery",
    "delivery.long": "delivery",
    "delivery.short": "delivery",
}
# The weaknesses a coach must not miss: weakness recall is counted over these.
MUST_NOT_MISS: tuple[str, ...] = (
    "situation.missing",
    "task.missing",
    "action.missing",
    "result.missing",
    "result.no_number",
    "action.we",
    "answer.hypothetical",
    "answer.off_question",
)


class Advice(BaseModel):
    """One claim about the answer and what to do about it; `code` is None only for an LLM item with no code."""

    code: str | None = None
    part: AdvicePart
    text: str

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str | None) -> str | None:
        if value is not None and value not in ADVICE_CODES:
            raise ValueError(f"unknown advice code {value!r}")
        return value


class Component(BaseModel):
    """The grade of one STAR part."""

    present: bool
    score: int = Field(ge=0, le=5)
    evidence: list[tuple[int, int]] = []
    feedback: str = ""

    @model_validator(mode="after")
    def _absent_scores_zero(self) -> Component:
        if not self.present and self.score != 0:
            raise ValueError("an absent part scores 0")
        return self


class ReplyTo(BaseModel):
    """Where a follow-up reply starts in the answer text, and the STAR part it was asked to draw out."""

    model_config = ConfigDict(frozen=True)

    offset: int = Field(ge=0)
    part: PartName


class Grade(BaseModel):
    """A grade of one answer, whichever grader produced it."""

    overall: int = Field(ge=0, le=100)
    situation: Component
    task: Component
    action: Component
    result: Component
    suggestions: list[str] = []
    # Every advice sentence shown (in a part's feedback or the suggestions), once, with its code.
    advice: list[Advice] = []
    # A question the interviewer could ask to draw out the weakest part (the LLM's; rules leave it).
    follow_up: str | None = None
    grader: Literal["rules", "llm"]
    model: str | None = None
    fallback_reason: str | None = None
    prompt_version: str | None = None
    latency_ms: float | None = None
    # What each answer-wide claim took off the overall (a factor), so a spoken answer's grade can set aside
    # the typed-text claims its recording judges instead. Known only as the grade is made; never stored.
    penalties: dict[str, float] = Field(default={}, exclude=True)

    def __eq__(self, other: object) -> bool:
        # Two grades are the same when what is stored and shown is: the transient penalties do not count.
        if not isinstance(other, Grade):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic models are

    def part(self, name: PartName) -> Component:
        return getattr(self, name)

    def to_work_on(self) -> list[str]:
        """What the page lists under "What to work on": every advice item, or the praise when there is none.

        Grades stored before advice had codes have only their suggestions.
        """
        return [a.text for a in self.advice] or self.suggestions


class FollowUp(BaseModel):
    """The interviewer's follow-up on a weak answer, and the candidate's reply if any."""

    id: int
    answer_id: int
    part: PartName
    question: str
    source: Literal["llm", "probe", "rules"]
    status: Literal["asked", "answered", "skipped"] = "asked"
    reply: str | None = None
    # Read from the grades, never stored here: the grade it was asked on, and the grade since the reply.
    score_before: int | None = None
    score_after: int | None = None


class Answer(BaseModel):
    """A candidate's answer (or skip) to one question of an interview."""

    id: int
    interview_id: str
    position: int
    question_id: str
    question_text: str
    question_type: QuestionType
    text: str  # as the candidate gave it; a follow-up reply is kept with the follow-up
    skipped: bool = False
    created_at: datetime
    grade: Grade | None = None
    grade_error: str | None = None
    follow_up: FollowUp | None = None
    # The question's topics when it was answered: filters and averages outlive changes to the bank.
    topics: tuple[str, ...] = ()
    # How a spoken answer was said (None: it was typed); `text` is its transcript as the candidate corrected it.
    delivery: Delivery | None = None
    # Its recording is kept (the candidate may delete it, or choose never to keep them).
    has_recording: bool = False

    @property
    def spoken(self) -> bool:
        return self.delivery is not None

    @property
    def replied(self) -> bool:
        """The candidate replied to the follow-up: the reply is graded as part of the answer."""
        return self.follow_up is not None and self.follow_up.status == "answered" and bool(self.follow_up.reply)

    @property
    def graded_text(self) -> str:
        """What is graded, and what a grade's evidence spans point into: the answer, then any reply."""
        if not self.replied:
            return self.text
        assert self.follow_up is not None and self.follow_up.reply is not None
        return f"{self.text}{REPLY_SEPARATOR}{self.follow_up.reply}"


# Between an answer and the reply to its follow-up, in the text that is graded.
REPLY_SEPARATOR = "\n\n"


# -- spoken answers ---------------------------------------------------------------

TranscriberName = Literal["local", "server"]


class Word(BaseModel):
    """One transcribed word and when it was said, in seconds from the start of the recording."""

    model_config = ConfigDict(frozen=True)

    text: str
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    # The model's confidence, 0-1, where the transcriber gives one (faster-whisper does, servers mostly not).
    probability: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Word:
        if self.end_s < self.start_s:
            raise ValueError("a word cannot end before it starts")
        return self


class Transcript(BaseModel):
    """What a transcriber heard in one recording, and which transcriber heard it."""

    text: str
    language: str | None = None
    duration_s: float = Field(ge=0)  # the whole recording, silences included
    # In order of time; empty when the transcriber gave no word timings (a server answering plain `json`).
    words: list[Word] = []
    transcriber: TranscriberName
    model: str | None = None
    # Why the transcriber that was configured first did not make this transcript (as on a Grade).
    fallback_reason: str | None = None
    latency_ms: float | None = None

    @property
    def timed(self) -> bool:
        """Word timings are known, so pace, pauses and speaking time can be measured, not estimated."""
        return bool(self.words)


class Pause(BaseModel):
    """A silence between two words inside the answer."""

    model_config = ConfigDict(frozen=True)

    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


class Delivery(BaseModel):
    """How a spoken answer was said, measured on its transcript (see coach/delivery.py for each figure)."""

    duration_s: float  # the recording
    # First word to last word when words are timed (leading and trailing silence is not the answer),
    # else the whole recording.
    speaking_s: float
    timed: bool
    words: int
    words_per_minute: float
    fillers: int
    fillers_per_minute: float
    filler_counts: dict[str, int] = {}  # per filler as found ("um", "you know", "like"), most frequent first
    long_pauses: list[Pause] = []
    # The answer-time target the candidate had set when they spoke (None: the default, see coach/delivery.py).
    target_s: float | None = None


Answer.model_rebuild()  # its delivery is defined above it only now

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

MAX_ANSWER_CHARS = 20_000
MAX_HINT_CHARS = 300  # one line of "a strong answer shows" or one probe


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
    custom: bool = False

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 10:
            raise ValueError("question text must have at least 10 characters")
        return value

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

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in TOPIC_LABELS]
        if unknown:
            raise ValueError(f"unknown topic(s): {', '.join(unknown)}")
        return value


# A question's fields as stored and exchanged (every field but the `custom` flag), and the lists among them.
QUESTION_FIELDS: tuple[str, ...] = tuple(name for name in Question.model_fields if name != "custom")
QUESTION_LIST_FIELDS: tuple[str, ...] = ("topics", "levels", "strong_answer_shows", "probes")


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


class Grade(BaseModel):
    """A grade of one answer, whichever grader produced it."""

    overall: int = Field(ge=0, le=100)
    situation: Component
    task: Component
    action: Component
    result: Component
    suggestions: list[str] = []
    # A question the interviewer could ask to draw out the weakest part (the LLM's; rules leave it).
    follow_up: str | None = None
    grader: Literal["rules", "llm"]
    model: str | None = None
    fallback_reason: str | None = None
    prompt_version: str | None = None
    latency_ms: float | None = None

    def part(self, name: PartName) -> Component:
        return getattr(self, name)

    def weakest_part(self) -> PartName:
        # Ties go to the earlier part: a story is built from its start.
        return min(PARTS, key=lambda p: self.part(p).score)


class FollowUp(BaseModel):
    """The interviewer's follow-up on a weak answer, and the candidate's reply if any."""

    id: int
    answer_id: int
    part: PartName
    question: str
    source: Literal["llm", "probe", "rules"]
    status: Literal["asked", "answered", "skipped"] = "asked"
    reply: str | None = None
    answer_offset: int | None = None
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
    text: str
    skipped: bool = False
    created_at: datetime
    grade: Grade | None = None
    grade_error: str | None = None
    follow_up: FollowUp | None = None

    @property
    def original_text(self) -> str:
        """The answer as first given, without a follow-up reply appended."""
        offset = self.follow_up.answer_offset if self.follow_up else None
        return self.text if offset is None else self.text[:offset]

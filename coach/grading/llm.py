"""The LLM grader: one chat-completions request to OpenAI or any OpenAI-compatible server.

The only module that imports `openai`. Every failure becomes a GradingError whose message
says why in words fit for the page ("the LLM server could not be reached"); the caller
falls back to the rule-based grader with that reason. Messages never quote the server's
error text, which can echo parts of the API key, and the key itself is removed from every reply
before any of it becomes a grade.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.config import Settings
from coach.grading import GradingError
from coach.grading.prompt import PromptTemplate, load_prompt
from coach.model_server import Failures, FormatMemory, request_until_done, status_reason
from coach.models import ADVICE_CODES, PARTS, Advice, Component, Grade, PartName, QuestionType, ReplyTo
from coach.star import overall_score

log = logging.getLogger(__name__)

PROMPT_NAME = "grade_answer_v2"
Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
MAX_FEEDBACK_CHARS = 600
MAX_FOLLOW_UP_CHARS = 300
MIN_QUOTE_CHARS = 8  # shorter "quotes" ("error", "I did") match anywhere and prove nothing
MIN_QUOTE_WORDS = 2
LOCAL_MAX_TOKENS = 1500  # local servers may otherwise generate until the timeout
OPENAI_URL = "https://api.openai.com/v1"
KEY_REMOVED = "[API key removed]"
# Shorter "keys" are placeholders local servers ignore ("EMPTY", "none"); replacing them would
# mangle ordinary words in the feedback.
MIN_SCRUBBED_KEY_CHARS = 6


# -- the reply we ask for ----------------------------------------------------


class PartReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    score: int = Field(ge=0, le=5)
    evidence: list[str] = []
    feedback: str = ""

    @field_validator("score", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("score must be a whole number")
        return value


class SuggestionReply(BaseModel):
    """One improvement and the advice code it claims; a code outside the spec's list is read as none."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = None
    text: str = ""

    @field_validator("code", mode="before")
    @classmethod
    def _known_or_none(cls, value: Any) -> Any:
        return value if isinstance(value, str) and value in ADVICE_CODES else None


class LLMReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    situation: PartReply
    task: PartReply
    action: PartReply
    result: PartReply
    # Plain strings are what a model following the first prompt (or a loose one) sends.
    suggestions: list[SuggestionReply | str] = []
    follow_up: str | None = None


def reply_schema() -> dict[str, Any]:
    """The JSON Schema of the reply, in the subset strict structured output accepts."""
    part = {
        "type": "object",
        "properties": {
            "score": {"type": "integer"},
            "evidence": {"type": "array", "items": {"type": "string"}},
            "feedback": {"type": "string"},
        },
        "required": ["score", "evidence", "feedback"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            **dict.fromkeys(PARTS, part),
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": ["string", "null"]}, "text": {"type": "string"}},
                    "required": ["code", "text"],
                    "additionalProperties": False,
                },
            },
            "follow_up": {"type": ["string", "null"]},
        },
        "required": [*PARTS, "suggestions", "follow_up"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Schema:
    """The JSON shape a reply must have, and the name structured output gives it."""

    name: str
    json: dict[str, Any]


def _response_format(schema: Schema, mode: Mode) -> dict[str, Any] | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": schema.name, "schema": schema.json, "strict": True}}
    if mode == "json_object":
        # llama.cpp's server refuses json_schema but constrains json_object to a given schema.
        return {"type": "json_object", "schema": schema.json}
    return None


GRADE_SCHEMA = Schema("star_grade", reply_schema())


# -- mapping quotes to offsets -----------------------------------------------

_QUOTE_MARKS = "\"'“”‘’"
_SAME = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _normalised(text: str) -> tuple[str, list[int]]:
    """Text folded for matching (case, quotes, dashes, runs of spaces) and each char's source index."""
    chars: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).translate(_SAME).casefold()
        for piece in folded:
            if piece.isspace():
                if chars and chars[-1] == " ":
                    continue
                piece = " "
            chars.append(piece)
            index.append(i)
    return "".join(chars), index


def locate_quote(quote: str, answer: str, folded: tuple[str, list[int]] | None = None) -> tuple[int, int] | None:
    """Where a quote stands in the answer, as [start, end) offsets, or None if it is not there."""
    quote = quote.strip()
    if len(quote) > 1 and quote[0] in _QUOTE_MARKS and quote[-1] in _QUOTE_MARKS:
        quote = quote[1:-1].strip()  # the model wrapped its quote in quote marks
    if quote.endswith(("...", "…")):
        quote = quote.rstrip(".…").rstrip()
    if len(quote) < MIN_QUOTE_CHARS or len(re.findall(r"\w+", quote)) < MIN_QUOTE_WORDS:
        return None
    start = answer.find(quote)
    if start >= 0:
        return start, start + len(quote)
    text, index = folded or _normalised(answer)
    needle, _ = _normalised(quote)
    found = text.find(needle.strip())
    if found < 0:
        return None
    return index[found], index[found + len(needle.strip()) - 1] + 1


def evidence_spans(reply: LLMReply, answer: str) -> dict[PartName, list[tuple[int, int]]]:
    """Each part's verifiable quotes as spans; unfound quotes dropped, overlaps given to the first part."""
    folded = _normalised(answer)
    taken: list[tuple[int, int]] = []
    spans: dict[PartName, list[tuple[int, int]]] = {}
    for part in PARTS:
        found = []
        for quote in getattr(reply, part).evidence:
            span = locate_quote(quote, answer, folded)
            if span is None:
                continue
            span = _trim_overlap(span, taken)
            if span is not None:
                found.append(span)
                taken.append(span)
        spans[part] = sorted(found)
    return spans


def _trim_overlap(span: tuple[int, int], taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    start, end = span
    for t_start, t_end in sorted(taken):
        if t_start <= start < t_end:
            start = t_end
        elif start < t_start < end:
            end = t_start
    return (start, end) if end - start >= MIN_QUOTE_CHARS else None


# -- from reply to grade -----------------------------------------------------


def grade_from_reply(reply: LLMReply, answer: str) -> Grade:
    """The grade a reply stands for; a part with no verifiable evidence scores at most 1."""
    spans = evidence_spans(reply, answer)
    components = {}
    for part in PARTS:
        part_reply: PartReply = getattr(reply, part)
        score = part_reply.score if spans[part] else min(part_reply.score, 1)
        components[part] = Component(
            present=score > 0,
            score=score,
            evidence=spans[part] if score > 0 else [],
            feedback=_clip(part_reply.feedback, MAX_FEEDBACK_CHARS) or _default_feedback(part, score),
        )
    overall = round(overall_score(components))
    advice = _advice(reply)
    follow_up = _clip(reply.follow_up or "", MAX_FOLLOW_UP_CHARS) or None
    return Grade(
        overall=overall,
        **components,
        suggestions=[a.text for a in advice],
        advice=advice,
        grader="llm",
        follow_up=follow_up,
    )


def _advice(reply: LLMReply) -> list[Advice]:
    """The reply's improvements as advice items: its code where it gave a known one, else None."""
    items = [s if isinstance(s, SuggestionReply) else SuggestionReply(text=s) for s in reply.suggestions]
    out = []
    for item in items:
        text = _clip(item.text, MAX_FEEDBACK_CHARS)
        if text:
            part = ADVICE_CODES[item.code] if item.code else "answer"
            out.append(Advice(code=item.code, part=part, text=text))
    return out[:3]


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _default_feedback(part: PartName, score: int) -> str:
    return f"No {part} found in your answer." if score == 0 else f"Your {part} could be more specific."


def scrub_key(text: str, key: str | None) -> str:
    """The text with every copy of the API key replaced: a server can echo what it was sent."""
    if not key or len(key) < MIN_SCRUBBED_KEY_CHARS:
        return text
    return text.replace(key, KEY_REMOVED)


def scrub_reply(reply: LLMReply, key: str | None) -> LLMReply:
    """The reply with the API key removed from every string in it, before it is clipped or kept."""
    if not key:
        return reply
    return LLMReply.model_validate(_scrub_strings(reply.model_dump(), key))


def _scrub_strings(value: Any, key: str) -> Any:
    if isinstance(value, str):
        return scrub_key(value, key)
    if isinstance(value, list):
        return [_scrub_strings(item, key) for item in value]
    if isinstance(value, dict):
        return {name: _scrub_strings(item, key) for name, item in value.items()}
    return value


def parse_reply(content: str) -> LLMReply:
    """The reply's JSON as an LLMReply; raises GradingError saying what was wrong with it."""
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.S)
    if fenced:
        text = fenced.group(1)
    if not text.startswith("{"):
        # Plain-JSON-by-instruction replies sometimes wrap the object in a sentence.
        first, last = text.find("{"), text.rfind("}")
        text = text[first : last + 1] if 0 <= first < last else text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        kind = "HTML" if text.lstrip().startswith("<") else "not JSON"
        raise GradingError(f"the LLM's reply was {kind}") from exc
    try:
        return LLMReply.model_validate(data)
    except ValidationError as exc:
        out_of_range = ("less_than_equal", "greater_than_equal")
        if any(e["loc"][-1:] == ("score",) and e["type"] in out_of_range for e in exc.errors()):
            raise GradingError("the LLM's reply had a score outside 0-5") from exc
        raise GradingError("the LLM's reply did not have the expected shape") from exc


# -- talking to the server ---------------------------------------------------


def _status_reason(status: int) -> str:
    return status_reason(status, "the LLM server")


def _refuses_mode(status: int, mode: Mode) -> bool:
    # llama.cpp's server answers json_schema with a 500; others say 400 or 422.
    return status in (400, 422) or (status == 500 and mode == "json_schema")


LLM_FAILURES = Failures(
    error=GradingError,
    timed_out="the LLM did not answer within {timeout} s",
    unreachable="the LLM server could not be reached",
    not_a_reply="the LLM server's reply was not a chat completion",
    status=_status_reason,
)


class ChatClient:
    """Chat completions with the configured server: structured output in the best mode it accepts, one
    deadline, one retry on a busy server, and every failure a GradingError in our own words."""

    def __init__(self, settings: Settings):
        if settings.llm_problem:
            # Without its server the client would send the answer to api.openai.com instead.
            raise GradingError(settings.llm_problem)
        self.model = settings.model
        self.timeout = settings.llm_timeout
        self.base_url = settings.openai_base_url
        self.key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        # Both given, so the client never reads OPENAI_* from the environment past the checks in
        # coach.config. A local server needs no key, but the client insists on one.
        self.client = openai.OpenAI(
            api_key=self.key or "no-key", base_url=self.base_url or OPENAI_URL, timeout=self.timeout, max_retries=0
        )
        # The structured-output mode this server and model accepted, once one has worked.
        self._modes: FormatMemory[Mode] = FormatMemory(MODES)

    @property
    def mode(self) -> Mode | None:
        """The structured-output mode this server is known to accept, once one has worked."""
        return self._modes.known

    def complete(self, messages: list[dict[str, str]], schema: Schema, deadline: float) -> str:
        """The reply's text, asked for in the shape `schema` names; raises GradingError."""
        response, mode = request_until_done(
            lambda mode, remaining: self._request(messages, schema, mode, remaining),
            self._modes,
            _refuses_mode,
            deadline,
            self.timeout,
            LLM_FAILURES,
        )
        content = self._content(response)
        self._modes.remember(mode)
        return content

    def _request(self, messages: list[dict[str, str]], schema: Schema, mode: Mode, timeout: float) -> Any:
        extra: dict[str, Any] = {}
        response_format = _response_format(schema, mode)
        if response_format is not None:
            extra["response_format"] = response_format
        if self.base_url:
            extra["max_tokens"] = LOCAL_MAX_TOKENS
        return self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=0, timeout=timeout, **extra
        )

    @staticmethod
    def _content(response: Any) -> str:
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            raise GradingError("the LLM server's reply was not a chat completion")
        if not choices:
            raise GradingError("the LLM's reply had no choices")
        choice = choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise GradingError("the model refused to grade this answer")
        if choice.finish_reason == "length":
            raise GradingError("the LLM's reply was cut off before it finished")
        if choice.finish_reason == "content_filter":
            raise GradingError("the LLM server's content filter stopped the reply")
        if not message.content or not message.content.strip():
            raise GradingError("the LLM's reply was empty")
        return message.content

    def list_models(self) -> list[str]:
        """The model ids the server offers, for the Settings page's connection test."""
        models = self.client.with_options(timeout=min(self.timeout, 10)).models.list()
        return [m.id for m in models.data]


class LLMGrader:
    """Grades through chat completions, with structured output where the server supports it."""

    name = "llm"

    def __init__(self, settings: Settings, prompt: PromptTemplate | None = None):
        self.chat = ChatClient(settings)
        self.model = settings.model
        self.timeout = settings.llm_timeout
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self._key = self.chat.key

    @property
    def _client(self) -> openai.OpenAI:
        return self.chat.client

    @property
    def mode(self) -> Mode | None:
        return self.chat.mode

    def grade(
        self, question: str, answer: str, question_type: QuestionType = "behavioral", reply: ReplyTo | None = None
    ) -> Grade:
        # The model reads a follow-up reply in place, after the answer; `reply` is for graders that label clauses.
        del reply
        started = time.monotonic()
        nonce = secrets.token_hex(8)
        system, user = self.prompt.render(question=question, answer=answer, question_type=question_type, nonce=nonce)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        try:
            reply = parse_reply(self.chat.complete(messages, GRADE_SCHEMA, deadline=started + self.timeout))
        except GradingError as exc:
            # The reasons are our own words; scrubbed all the same, as they are stored with the grade.
            raise GradingError(scrub_key(str(exc), self._key)) from exc
        grade = grade_from_reply(scrub_reply(reply, self._key), answer)
        return grade.model_copy(
            update={
                "model": self.model,
                "prompt_version": self.prompt.version,
                "latency_ms": (time.monotonic() - started) * 1000,
            }
        )

    def list_models(self) -> list[str]:
        return self.chat.list_models()


# -- the Settings page's connection test ----------------------------------------

SAMPLE_QUESTION = "Tell me about a time you reduced picking errors."
SAMPLE_ANSWER = (
    "At our regional DC in 2023, 3% of orders shipped with a wrong item. I was asked to halve that within a "
    "quarter. I ran a Pareto of errors by zone and re-slotted look-alike SKUs. Errors fell to 1.1% in ten weeks."
)
_MODE_WORDS: dict[Mode, str] = {
    "json_schema": "structured output with a JSON schema (json_schema)",
    "json_object": "JSON mode with a schema (json_object); json_schema was refused",
    "prompt": "plain JSON by instruction; the server refused response_format",
}


@dataclass
class ConnectionReport:
    """What a connection test found, in lines fit to show."""

    ok: bool
    lines: list[str]


def check_connection(settings: Settings) -> ConnectionReport:
    """Ask the server for its models, then grade a built-in sample answer (never the user's)."""
    try:
        grader = LLMGrader(settings)
    except GradingError as exc:
        return ConnectionReport(False, [f"No request was sent: {exc}."])
    lines = []
    try:
        models = grader.list_models()
    except openai.OpenAIError as exc:
        lines.append(f"Listing models failed ({type(exc).__name__}); trying a grade anyway.")
    else:
        listed = "is" if settings.model in models else "is not"
        lines.append(f"The server offers {len(models)} model(s); {settings.model} {listed} among them.")
    try:
        grade = grader.grade(SAMPLE_QUESTION, SAMPLE_ANSWER)
    except GradingError as exc:
        return ConnectionReport(False, [*lines, f"Grading a sample answer failed: {exc}."])
    except Exception as exc:  # the test must report, never take the Settings page down
        return ConnectionReport(False, [*lines, f"Grading a sample answer failed unexpectedly ({type(exc).__name__})."])
    mode = grader.mode or "json_schema"
    lines.append(f"Graded a sample answer in {grade.latency_ms or 0:.0f} ms: {grade.overall}/100.")
    lines.append(f"The server supports {_MODE_WORDS[mode]}.")
    return ConnectionReport(True, lines)

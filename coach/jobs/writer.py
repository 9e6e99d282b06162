"""Questions written for one job by the configured LLM: one chat-completions request, its reply checked item by
item into custom questions marked with the job. The second module (after the grader) that imports `openai`.

Every failure is a QuestionWritingError whose message says why in words fit for the page; the server's own
error text never reaches it, and the API key is removed from every reply before any of it is kept.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Sequence
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict

from coach.config import Settings
from coach.grading.llm import LOCAL_MAX_TOKENS, OPENAI_URL, scrub_key
from coach.grading.llm import _status_reason as status_reason  # the grader's words for a status: both say the same
from coach.grading.prompt import PromptTemplate, load_prompt
from coach.jobs.practice import MAX_WRITTEN, MIN_WRITTEN, QuestionWritingError
from coach.jobs.profile import JobProfile
from coach.models import TOPIC_LABELS, Question
from coach.question_io import QuestionInputError, build_question, normalised_text

PROMPT_NAME = "write_job_questions_v1"
MAX_DESCRIPTION_CHARS = 12_000  # the description as read (boilerplate out); enough for any real posting
_FIELDS = ("text", "type", "topics", "levels", "strong_answer_shows", "probes")


class WrittenBatch(BaseModel):
    """What one request gave: the usable questions (not yet saved) and how many items were not usable."""

    model_config = ConfigDict(frozen=True)

    questions: tuple[Question, ...]
    unusable: int
    model: str
    prompt_version: str


def reply_schema() -> dict[str, Any]:
    """The reply's JSON Schema, in the subset strict structured output accepts."""
    text_list = {"type": "array", "items": {"type": "string"}}
    item = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "type": {"type": "string", "enum": ["behavioral", "case"]},
            "topics": {"type": "array", "items": {"type": "string", "enum": list(TOPIC_LABELS)}},
            "levels": {"type": "array", "items": {"type": "string", "enum": ["entry", "mid", "senior"]}},
            "strong_answer_shows": text_list,
            "probes": text_list,
        },
        "required": list(_FIELDS),
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"questions": {"type": "array", "items": item}},
        "required": ["questions"],
        "additionalProperties": False,
    }


_FORMATS: tuple[dict[str, Any] | None, ...] = (
    {"type": "json_schema", "json_schema": {"name": "job_questions", "schema": reply_schema(), "strict": True}},
    {"type": "json_object"},
    None,  # plain JSON by instruction, for servers that refuse response_format
)


class QuestionWriter:
    """Writes questions for a job through chat completions; one per configured server, like the grader."""

    def __init__(self, settings: Settings, prompt: PromptTemplate | None = None):
        if settings.llm_problem:
            raise QuestionWritingError(settings.llm_problem)
        if not settings.llm_configured:
            raise QuestionWritingError("no LLM is configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a server)")
        self.model = settings.model
        self.timeout = settings.llm_timeout
        self.base_url = settings.openai_base_url
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self._key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        self._client = openai.OpenAI(
            api_key=self._key or "no-key", base_url=self.base_url or OPENAI_URL, timeout=self.timeout, max_retries=0
        )

    def write(
        self, description: str, profile: JobProfile, job: str, count: int, existing: Sequence[Question] = ()
    ) -> WrittenBatch:
        """`count` (3-5) questions for the job, checked and marked with it; raises QuestionWritingError."""
        count = max(MIN_WRITTEN, min(MAX_WRITTEN, count))
        system, user = self.prompt.render(
            title=profile.title or "(not stated)",
            level=profile.level,
            topics=", ".join(profile.suggested_topics) or "(none found)",
            tools=", ".join(profile.tools) or "(none named)",
            kpis=", ".join(profile.kpis) or "(none named)",
            count=str(count),
            nonce=secrets.token_hex(8),
            description=description[:MAX_DESCRIPTION_CHARS],
        )
        try:
            content = self._complete([{"role": "system", "content": system}, {"role": "user", "content": user}])
            items = _items(scrub_key(content, self._key))
        except QuestionWritingError as exc:
            raise QuestionWritingError(scrub_key(str(exc), self._key)) from exc
        questions, unusable = usable_questions(items, job, existing)
        if not questions:
            raise QuestionWritingError("the LLM's reply held no usable question")
        return WrittenBatch(
            questions=tuple(questions[:count]),
            unusable=unusable + max(0, len(questions) - count),
            model=self.model,
            prompt_version=self.prompt.version,
        )

    def _complete(self, messages: list[dict[str, str]]) -> str:
        deadline = time.monotonic() + self.timeout
        formats = list(_FORMATS)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                raise QuestionWritingError(f"the LLM did not answer within {self.timeout:g} s")
            try:
                response = self._request(messages, formats[0], remaining)
            except openai.APITimeoutError as exc:
                raise QuestionWritingError(f"the LLM did not answer within {self.timeout:g} s") from exc
            except openai.APIConnectionError as exc:
                raise QuestionWritingError("the LLM server could not be reached") from exc
            except openai.APIStatusError as exc:
                # A server that refuses a response_format is asked again with the next, plainer one.
                refuses_format = exc.status_code in (400, 422) or (exc.status_code == 500 and formats[0] is not None)
                if refuses_format and len(formats) > 1:
                    formats.pop(0)
                    continue
                raise QuestionWritingError(status_reason(exc.status_code)) from exc
            except (openai.APIResponseValidationError, ValueError) as exc:
                raise QuestionWritingError("the LLM server's reply was not a chat completion") from exc
            return _content(response)

    def _request(self, messages: list[dict[str, str]], response_format: dict[str, Any] | None, timeout: float) -> Any:
        extra: dict[str, Any] = {}
        if response_format is not None:
            extra["response_format"] = response_format
        if self.base_url:
            extra["max_tokens"] = LOCAL_MAX_TOKENS
        return self._client.chat.completions.create(
            model=self.model, messages=messages, temperature=0.7, timeout=timeout, **extra
        )


def _content(response: Any) -> str:
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list):
        raise QuestionWritingError("the LLM server's reply was not a chat completion")
    if not choices:
        raise QuestionWritingError("the LLM's reply had no choices")
    choice = choices[0]
    if getattr(choice.message, "refusal", None):
        raise QuestionWritingError("the model refused to write questions for this job")
    if choice.finish_reason == "length":
        raise QuestionWritingError("the LLM's reply was cut off before it finished")
    if not choice.message.content or not choice.message.content.strip():
        raise QuestionWritingError("the LLM's reply was empty")
    return choice.message.content


def _items(content: str) -> list[Any]:
    """The reply's list of questions; raises QuestionWritingError saying what was wrong with the reply."""
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.S)
    text = fenced.group(1) if fenced else text
    first, last = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[first : last + 1] if 0 <= first < last else text)
    except (json.JSONDecodeError, RecursionError) as exc:
        kind = "HTML" if text.lstrip().startswith("<") else "not JSON"
        raise QuestionWritingError(f"the LLM's reply was {kind}") from exc
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise QuestionWritingError("the LLM's reply did not have the expected shape")
    return items


def usable_questions(items: list[Any], job: str, existing: Sequence[Question]) -> tuple[list[Question], int]:
    """Each item that makes a valid question unlike any we have, marked with the job; and how many did not."""
    taken = {q.id for q in existing}
    wordings = {normalised_text(q.text) for q in existing}
    usable: list[Question] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            question = build_question({**{k: item.get(k) for k in _FIELDS}, "job": job}, taken)
        except QuestionInputError:
            continue
        if normalised_text(question.text) in wordings:
            continue
        usable.append(question)
        taken.add(question.id)
        wordings.add(normalised_text(question.text))
    return usable, len(items) - len(usable)

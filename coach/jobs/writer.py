"""Questions written for one job by the configured LLM: one chat-completions request through the LLM's
`ChatClient` (its deadline, plainer formats for servers that refuse structured output, one retry when busy),
its reply checked item by item into custom questions marked with the job.

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

from pydantic import BaseModel, ConfigDict

from coach.config import Settings
from coach.grading import GradingError
from coach.grading.llm import ChatClient, Schema, scrub_key
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


JOB_QUESTIONS_SCHEMA = Schema("job_questions", reply_schema())


class _WritingChat(ChatClient):
    """The LLM's client, with a refusal said as a refusal to write (the grader's says "to grade")."""

    @staticmethod
    def _content(response: Any) -> str:
        choices = getattr(response, "choices", None)
        if isinstance(choices, list) and choices and getattr(choices[0].message, "refusal", None):
            raise GradingError("the model refused to write questions for this job")
        return ChatClient._content(response)


class QuestionWriter:
    """Writes questions for a job through the configured LLM."""

    def __init__(self, settings: Settings, prompt: PromptTemplate | None = None):
        if not settings.llm_configured:
            raise QuestionWritingError("no LLM is configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a server)")
        try:
            self.chat = _WritingChat(settings)
        except GradingError as exc:  # an unusable server address: nothing is sent anywhere
            raise QuestionWritingError(str(exc)) from exc
        self.prompt = prompt or load_prompt(PROMPT_NAME)

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
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        key = self.chat.key
        try:
            content = self.chat.complete(messages, JOB_QUESTIONS_SCHEMA, time.monotonic() + self.chat.timeout)
            items = _items(scrub_key(content, key))
        except (GradingError, QuestionWritingError) as exc:
            raise QuestionWritingError(scrub_key(str(exc), key)) from exc
        questions, unusable = usable_questions(items, job, existing)
        if not questions:
            raise QuestionWritingError("the LLM's reply held no usable question")
        return WrittenBatch(
            questions=tuple(questions[:count]),
            unusable=unusable + max(0, len(questions) - count),
            model=self.chat.model,
            prompt_version=self.prompt.version,
        )


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

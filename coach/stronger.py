"""A stronger version of an answer, written by the configured LLM and let through only when it invents no
number: each number the answer never said becomes a placeholder for the candidate to fill."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from coach.config import Settings
from coach.grading import GradingError
from coach.grading.llm import ChatClient, Schema, scrub_key
from coach.grading.prompt import PromptTemplate, load_prompt
from coach.models import QuestionType
from coach.rewrite import StarOrder, without_invented_numbers

STRONGER_PROMPT = "stronger_answer_v1"
MAX_REWRITE_CHARS = 6000


class _StrongerReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rewrite: str


STRONGER_SCHEMA = Schema(
    "stronger_answer",
    {
        "type": "object",
        "properties": {"rewrite": {"type": "string"}},
        "required": ["rewrite"],
        "additionalProperties": False,
    },
)


@dataclass(frozen=True)
class Stronger:
    """A stronger version of an answer; `numbers_removed` counts the invented numbers made placeholders."""

    text: str
    numbers_removed: int
    model: str
    prompt_version: str


class StrongerWriter:
    """Asks the configured LLM for a stronger version of an answer, and lets no invented number through."""

    def __init__(self, settings: Settings, prompt: PromptTemplate | None = None):
        self.chat = ChatClient(settings)
        self.prompt = prompt or load_prompt(STRONGER_PROMPT)

    def write(self, question: str, answer: str, question_type: QuestionType, order: StarOrder) -> Stronger:
        """Raises GradingError, in words fit for the page, when no usable version comes back."""
        lacks = "\n".join(f"- {p.heading}: {ask}" for p in order.parts for ask in p.asks) or "- nothing named"
        system, user = self.prompt.render(
            question=question, answer=answer, question_type=question_type, lacks=lacks, nonce=secrets.token_hex(8)
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        deadline = time.monotonic() + self.chat.timeout
        try:
            content = self.chat.complete(messages, STRONGER_SCHEMA, deadline)
            text = scrub_key(_rewrite_text(content), self.chat.key)
        except GradingError as exc:
            raise GradingError(scrub_key(str(exc), self.chat.key)) from exc
        checked, removed = without_invented_numbers(text, answer)
        return Stronger(checked, removed, self.chat.model, self.prompt.version)


def _rewrite_text(content: str) -> str:
    """The rewrite from a reply: the JSON asked for, or plain text from a model that ignored the format."""
    stripped = content.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    if stripped.startswith("{"):
        try:
            text = _StrongerReply.model_validate(json.loads(stripped)).rewrite
        except (ValueError, ValidationError) as exc:
            raise GradingError("the LLM's reply did not have the expected shape") from exc
    else:
        text = stripped
    text = "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())
    if len(text.split()) < 20:
        raise GradingError("the LLM's rewrite was too short to use")
    return text[:MAX_REWRITE_CHARS]

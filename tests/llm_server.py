"""A small OpenAI-compatible chat-completions server on 127.0.0.1, scripted by tests.

The real `openai` client talks to it over real HTTP, so every failure the grader must survive
(refused connections aside) is produced on the wire: status codes, hangs, HTML, bad JSON,
truncated replies, refusals, and servers that refuse `json_schema` like llama.cpp's.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.loopback_server import NOT_FOUND, Reply, ScriptedServer

__all__ = ["FakeOpenAIServer", "Reply", "answer_in", "completion", "grade_json", "running_server"]

PARTS = ("situation", "task", "action", "result")


def completion(
    content: str | None, finish_reason: str = "stop", refusal: str | None = None, model: str = "test-model"
) -> Reply:
    """A chat completion whose message holds `content`."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    return Reply(body=json.dumps(body).encode())


def grade_json(answer: str, scores: dict[str, int] | None = None, follow_up: str | None = None, **extra: Any) -> str:
    """A well-formed grade whose evidence quotes the answer's sentences in order."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.strip()) if s]
    scores = scores or dict.fromkeys(PARTS, 4)
    reply: dict[str, Any] = {}
    for i, part in enumerate(PARTS):
        quote = [sentences[i]] if i < len(sentences) and scores[part] > 0 else []
        reply[part] = {"score": scores[part], "evidence": quote, "feedback": f"{part} feedback"}
    reply["suggestions"] = ["Quantify the result.", "Say what you did yourself."]
    reply["follow_up"] = follow_up
    reply.update(extra)
    return json.dumps(reply)


def answer_in(request: dict[str, Any]) -> str:
    """The candidate's answer as the grader sent it, between its delimiters."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    match = re.search(r"<<<ANSWER (\w+)>>>\n(.*)\n<<<END ANSWER \1>>>", user, re.S)
    assert match, "the answer must be sent between delimiters"
    return match.group(2)


def default_responder(request: dict[str, Any]) -> Reply:
    return completion(grade_json(answer_in(request)))


class FakeOpenAIServer(ScriptedServer[dict[str, Any]]):
    """Serves /v1/chat/completions and /v1/models; records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.reject_json_schema = False  # llama.cpp's llama_cpp.server answers 500 to it
        self.reject_response_format = False  # some servers refuse any response_format
        self.models = ["test-model"]
        super().__init__(default_responder)

    def on_get(self, path: str) -> Reply:
        if path.rstrip("/").endswith("/models"):
            data = {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}
            return Reply(body=json.dumps(data).encode())
        return NOT_FOUND

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        request = json.loads(body or b"{}")
        self.requests.append(request)
        self.headers.append(headers)
        fmt = (request.get("response_format") or {}).get("type")
        if fmt and self.reject_response_format:
            return Reply(400, json.dumps({"error": {"message": "response_format is not supported"}}).encode())
        if fmt == "json_schema" and self.reject_json_schema:
            return Reply(500, json.dumps({"error": {"message": "Internal Server Error"}}).encode())
        return self.scripted(request)


@contextmanager
def running_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""A small OpenAI-compatible chat-completions server on 127.0.0.1, scripted by tests.

The real `openai` client talks to it over real HTTP, so every failure the grader must survive
(refused connections aside) is produced on the wire: status codes, hangs, HTML, bad JSON,
truncated replies, refusals, and servers that refuse `json_schema` like llama.cpp's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PARTS = ("situation", "task", "action", "result")


@dataclass
class Reply:
    """One scripted response: a status, a body, and optionally a delay before it."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


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


class FakeOpenAIServer:
    """Serves /v1/chat/completions and /v1/models; records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Reply | Callable[[dict[str, Any]], Reply]] = deque()
        self.responder: Callable[[dict[str, Any]], Reply] = default_responder
        self.reject_json_schema = False  # llama.cpp's llama_cpp.server answers 500 to it
        self.reject_response_format = False  # some servers refuse any response_format
        self.models = ["test-model"]
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Replies for the next requests, in order; after them the responder answers."""
        self.script.extend(replies)

    def _next_reply(self, request: dict[str, Any]) -> Reply:
        fmt = (request.get("response_format") or {}).get("type")
        if fmt and self.reject_response_format:
            return Reply(400, json.dumps({"error": {"message": "response_format is not supported"}}).encode())
        if fmt == "json_schema" and self.reject_json_schema:
            return Reply(500, json.dumps({"error": {"message": "Internal Server Error"}}).encode())
        item = self.script.popleft() if self.script else self.responder
        return item(request) if callable(item) else item

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the body waits ~40 ms for
            # the client's delayed ACK in every reply, a cost no real server has.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    data = {"object": "list", "data": [{"id": m, "object": "model"} for m in server.models]}
                    self._send(Reply(body=json.dumps(data).encode()))
                else:
                    self._send(Reply(404, b'{"error": {"message": "not found"}}'))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(request)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                self._send(server._next_reply(request))

            def _send(self, reply: Reply) -> None:
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to tell it

        return Handler

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""A scripted HTTP server on 127.0.0.1 for the OpenAI-protocol test servers (chat and transcription).

Each request gets the next scripted Reply, else the server's responder; a Reply may wait before it is
sent, so a hung server is tested against the client's own timeout. One port per server, chosen by the
system, so tests running side by side never share one.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Generic, TypeVar

Request = TypeVar("Request")


@dataclass
class Reply:
    """One scripted response: a status, a body, and optionally a delay before it."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


NOT_FOUND = Reply(404, b'{"error": {"message": "not found"}}')


class ScriptedServer(Generic[Request]):
    """Answers requests from a script of replies, then from `responder`; subclasses read the requests."""

    def __init__(self, responder: Callable[[Request], Reply]) -> None:
        self.script: deque[Reply | Callable[[Request], Reply]] = deque()
        self.responder = responder
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply | Callable[[Request], Reply]) -> None:
        """Replies for the next requests, in order; after them the responder answers."""
        self.script.extend(replies)

    def scripted(self, request: Request) -> Reply:
        item = self.script.popleft() if self.script else self.responder
        return item(request) if callable(item) else item

    def on_get(self, path: str) -> Reply:
        return NOT_FOUND

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return NOT_FOUND

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
                self._send(server.on_get(self.path))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._send(server.on_post(self.path, {k.lower(): v for k, v in self.headers.items()}, body))

            def _send(self, reply: Reply) -> None:
                if reply.delay_s:
                    time.sleep(reply.delay_s)  # a hung server: the client's timeout is what is tested
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

"""A small OpenAI-compatible /v1/audio/transcriptions server on 127.0.0.1, scripted by tests.

The real `openai` client uploads real audio to it as multipart form data, so every failure the
transcriber must survive is produced on the wire: status codes, hangs, HTML, bad JSON, empty text,
and servers that accept only `json` like OpenAI's gpt-4o-transcribe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.loopback_server import NOT_FOUND, Reply, ScriptedServer

SAID = "I cut picking errors by half in ten weeks."


@dataclass
class Upload:
    """One request as the server read it: the form fields, the file and the headers."""

    fields: dict[str, list[str]]
    filename: str | None
    content_type: str | None
    audio: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def verbose(text: str = SAID, words: list[dict[str, Any]] | None = None, duration: float = 3.0) -> Reply:
    """A verbose_json transcription; by default its words evenly spaced over the first seconds."""
    if words is None:
        words = [{"word": w, "start": i * 0.3, "end": i * 0.3 + 0.25} for i, w in enumerate(text.split())]
    body = {"task": "transcribe", "language": "english", "duration": duration, "text": text, "words": words}
    return Reply(body=json.dumps(body).encode())


def plain(text: str = SAID) -> Reply:
    """A `json` transcription: the text alone."""
    return Reply(body=json.dumps({"text": text}).encode())


def default_responder(upload: Upload) -> Reply:
    return verbose() if upload.field("response_format") == "verbose_json" else plain()


class FakeTranscriptionServer(ScriptedServer[Upload]):
    """Serves /v1/audio/transcriptions; records every upload it gets."""

    def __init__(self) -> None:
        self.uploads: list[Upload] = []
        self.json_only = False  # like gpt-4o-transcribe: verbose_json is refused with HTTP 400
        super().__init__(default_responder)

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if not path.rstrip("/").endswith("/audio/transcriptions"):
            return NOT_FOUND
        upload = read_form(headers.get("content-type", ""), body)
        upload.headers = headers
        self.uploads.append(upload)
        if self.json_only and upload.field("response_format") != "json":
            message = {"error": {"message": "response_format 'verbose_json' is not compatible with this model"}}
            return Reply(400, json.dumps(message).encode())
        return self.scripted(upload)


def read_form(content_type: str, body: bytes) -> Upload:
    """A multipart/form-data body as its fields and its one file."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, list[str]] = {}
    upload = Upload(fields=fields, filename=None, content_type=None, audio=b"")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            upload.filename, upload.content_type, upload.audio = part.get_filename(), part.get_content_type(), payload
        else:
            fields.setdefault(str(name), []).append(payload.decode())
    return upload


@contextmanager
def running_server() -> Iterator[FakeTranscriptionServer]:
    server = FakeTranscriptionServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

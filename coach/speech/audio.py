"""Reading a recording before it is transcribed: its format, its length, and its samples at 16 kHz mono.

Every check here raises AudioProblem with words fit to show, before any transcriber spends time on
the file. PyAV (installed with faster-whisper by requirements-voice.txt) is imported only when a
recording is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.speech import NOT_INSTALLED, AudioProblem, TranscriptionError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000  # what Whisper models take
# An interview answer runs one to three minutes. Ten minutes leaves room for a slow, paused answer and
# still transcribes in about two minutes with tiny.en on two busy cores; a longer file is rarely one answer.
MAX_RECORDING_S = 600.0
# Checked before anything parses the file: ten minutes of 48 kHz stereo WAV is 110 MB.
MAX_AUDIO_BYTES = 150 * 1024 * 1024
FORMAT_NAMES = "WAV, MP3, M4A, OGG, FLAC or WebM"

# Format -> (file name suffix, MIME type): a server needs both to know what it was sent.
UPLOAD_TYPES: dict[str, tuple[str, str]] = {
    "wav": ("wav", "audio/wav"),
    "mp3": ("mp3", "audio/mpeg"),
    "m4a": ("m4a", "audio/mp4"),
    "ogg": ("ogg", "audio/ogg"),
    "flac": ("flac", "audio/flac"),
    "webm": ("webm", "audio/webm"),
}


def sniff_format(data: bytes) -> str | None:
    """The container a recording is in, from its first bytes (a file's name can lie), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM and Matroska, what browsers record
        return "webm"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"  # an ID3 tag or an MPEG audio frame's sync bits
    return None


@dataclass
class Recording:
    """A recording that passed the checks: its bytes, format and length in seconds."""

    data: bytes
    format: str
    duration_s: float
    _samples: np.ndarray | None = field(default=None, repr=False)

    @property
    def upload_name(self) -> str:
        return f"answer.{UPLOAD_TYPES[self.format][0]}"

    @property
    def mime_type(self) -> str:
        return UPLOAD_TYPES[self.format][1]

    def samples(self) -> np.ndarray:
        """The sound as float32 at 16 kHz mono, decoded once."""
        if self._samples is None:
            self._samples = decode(self.data)
        return self._samples


def read_recording(data: bytes) -> Recording:
    """Check a recording and measure it; raises AudioProblem saying what is wrong with it."""
    if not data:
        raise AudioProblem("The recording is empty: nothing was recorded.")
    if len(data) > MAX_AUDIO_BYTES:
        raise AudioProblem(f"The recording is too large ({len(data) / 2**20:.0f} MB; at most {_limit_words()}).")
    fmt = sniff_format(data)
    if fmt is None:
        raise AudioProblem(f"This file is not a recording STAR Coach can read: use {FORMAT_NAMES}.")
    declared = _declared_duration(data)
    if declared is not None:
        _check_length(declared)
        return Recording(data, fmt, declared)
    # Browsers' WebM carries no duration: decode it, which also stops at the limit.
    samples = decode(data)
    return Recording(data, fmt, len(samples) / SAMPLE_RATE, samples)


def _declared_duration(data: bytes) -> float | None:
    """The length the container states, without decoding; None when it states none."""
    av = _av()
    try:
        with av.open(io.BytesIO(data), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioProblem("The file has no sound in it: record your answer again.")
            if container.duration is None or container.duration <= 0:
                return None
            return container.duration / 1_000_000  # av.time_base
    except av.error.FFmpegError as exc:
        raise _damaged() from exc


def decode(data: bytes) -> np.ndarray:
    """The sound as float32 at 16 kHz mono; stops, and says so, once past the length limit."""
    import numpy as np

    av = _av()
    chunks: list[np.ndarray] = []
    total = 0
    limit = int(MAX_RECORDING_S * SAMPLE_RATE)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    try:
        with av.open(io.BytesIO(data), metadata_errors="ignore") as container:
            for frame in _frames(container, av):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += chunks[-1].size
                if total > limit:
                    _check_length(total / SAMPLE_RATE)
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except av.error.FFmpegError as exc:
        raise _damaged() from exc
    if not chunks or not sum(c.size for c in chunks):
        raise AudioProblem("The recording holds no sound: it may be damaged. Record your answer again.")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _frames(container: Any, av: Any) -> Any:
    """The audio frames; a damaged tail (an upload cut short) ends the sound rather than losing all of it."""
    frames = container.decode(audio=0)
    got_one = False
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            if got_one:
                return
            raise
        got_one = True
        yield frame


def _check_length(seconds: float) -> None:
    if seconds > MAX_RECORDING_S:
        raise AudioProblem(
            f"The recording is {_minutes(seconds)} long; answers can be at most {_limit_words()}. "
            "Record a shorter answer: most interview answers take one to three minutes."
        )


def _limit_words() -> str:
    return f"{MAX_RECORDING_S / 60:g} minutes"


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} minutes"


def _damaged() -> AudioProblem:
    # Never the decoder's text: it says nothing a user can act on.
    return AudioProblem("The recording could not be read: the file is damaged or incomplete. Record it again.")


def _av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise TranscriptionError(NOT_INSTALLED) from exc
    return av

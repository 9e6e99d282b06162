"""The shapes of a spoken answer: its transcript with word timings, and the delivery figures read from it.

Like coach/models.py, this module imports nothing of ours, so storage can keep these without depending
on the speech layer (and they can move into coach/models.py unchanged).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TranscriberName = Literal["local", "server"]


class Word(BaseModel):
    """One transcribed word and when it was said, in seconds from the start of the recording."""

    model_config = ConfigDict(frozen=True)

    text: str
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    # The model's confidence, 0-1, where the transcriber gives one (faster-whisper does, servers mostly not).
    probability: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Word:
        if self.end_s < self.start_s:
            raise ValueError("a word cannot end before it starts")
        return self


class Transcript(BaseModel):
    """What a transcriber heard in one recording, and which transcriber heard it."""

    text: str
    language: str | None = None
    duration_s: float = Field(ge=0)  # the whole recording, silences included
    # In order of time; empty when the transcriber gave no word timings (a server answering plain `json`).
    words: list[Word] = []
    transcriber: TranscriberName
    model: str | None = None
    # Why the transcriber that was configured first did not make this transcript (as on a Grade).
    fallback_reason: str | None = None
    latency_ms: float | None = None

    @property
    def timed(self) -> bool:
        """Word timings are known, so pace, pauses and speaking time can be measured, not estimated."""
        return bool(self.words)


class Pause(BaseModel):
    """A silence between two words inside the answer."""

    model_config = ConfigDict(frozen=True)

    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


class Delivery(BaseModel):
    """How a spoken answer was said, measured on its transcript (see coach/delivery.py for each figure)."""

    duration_s: float  # the recording
    # First word to last word when words are timed (leading and trailing silence is not the answer),
    # else the whole recording.
    speaking_s: float
    timed: bool
    words: int
    words_per_minute: float
    fillers: int
    fillers_per_minute: float
    filler_counts: dict[str, int] = {}  # per filler as found ("um", "you know", "like"), most frequent first
    long_pauses: list[Pause] = []

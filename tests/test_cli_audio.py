"""`python -m coach grade` with recorded answers: espeak-ng speech in WAV files, transcribed by the real
tiny.en model in the command's own process, graded on the transcript, with delivery figures and errors."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.speech_support import BLOCK_VOICE, convert, normalised_words, require_voice, silence, speak, wav_seconds
from tests.test_cli import ROOT, TOP_KEYS
from tests.transcription_server import SAID, running_server

SPOKEN = (
    "At our warehouse, three percent of the orders shipped with the wrong item. "
    "I was asked to cut that in half, so I checked every order twice. The errors fell by half in a month."
)
QUESTION = "Tell me about a time you reduced errors."
TYPED = "At our plant lead time was 10 days. I was asked to cut it to 5. I mapped the value stream. It fell to 6."
DELIVERY_KEYS = {"duration_s", "words", "words_per_minute", "fillers", "fillers_per_minute", "long_pauses"}
# The CLI's own main, with the speech model's loads counted: the model is real, only counted.
COUNT_LOADS = """
import sys
import coach.speech.local as local
real_load, loads = local._load, []
local._load = lambda choice: loads.append(choice) or real_load(choice)
from coach.cli import main
status = main(sys.argv[1:])
print(f"speech model loads: {len(loads)}", file=sys.stderr)
sys.exit(status)
"""


def grade(
    *args: str, cwd: Path = ROOT, stdin: str | None = None, env: dict[str, str] | None = None, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m coach grade ARGS` with a clean environment, or the same main after `prelude`."""
    base = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT), "STAR_COACH_DB": str(cwd / "c.db")}
    command = [sys.executable, "-c", prelude] if prelude else [sys.executable, "-m", "coach"]
    return subprocess.run(
        [*command, "grade", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=180,
    )


def line(item_id: str, **fields: str) -> str:
    return json.dumps({"id": item_id, "question": QUESTION, **fields}) + "\n"


@dataclass
class Run:
    """One --save run over a file of good and bad recordings, shared by the tests that read it."""

    result: subprocess.CompletedProcess[str]
    outputs: list[dict]
    wav: bytes
    db: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    require_voice()
    folder = tmp_path_factory.mktemp("batch-audio")
    (folder / "recordings").mkdir()
    wav = speak(SPOKEN, folder / "recordings" / "answer.wav")
    # Named .wav but MP3 inside, as a phone might save it: the format is read from the bytes.
    (folder / "recordings" / "phone.wav").write_bytes(convert(wav, "mp3", "libmp3lame"))
    (folder / "recordings" / "noise.wav").write_bytes(random.Random(14).randbytes(4000))
    (folder / "recordings" / "quiet.wav").write_bytes(silence(4))
    source = folder / "in.jsonl"
    source.write_text(
        line("spoken", audio="recordings/answer.wav")
        + line("typed", answer=TYPED)
        + line("missing", audio="recordings/nowhere.wav")
        + line("noise", audio="recordings/noise.wav")
        + line("silent", audio="recordings/quiet.wav")
        + line("both", audio="recordings/answer.wav", answer=TYPED)
        + line("again", audio=str(folder / "recordings" / "answer.wav"))
        + line("mp3", audio="recordings/phone.wav")
    )
    # Run from elsewhere: relative paths are the input file's folder's, not the current one's.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    db = folder / "coach.db"
    result = grade(
        "--grader", "rules", "--save", str(source), cwd=elsewhere, env={"STAR_COACH_DB": str(db)}, prelude=COUNT_LOADS
    )
    return Run(result, [json.loads(x) for x in result.stdout.splitlines()], wav, db)


def test_a_recording_is_transcribed_and_graded_with_its_delivery(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr
    assert [o["id"] for o in run.outputs] == ["spoken", "typed", "missing", "noise", "silent", "both", "again", "mp3"]
    spoken = run.outputs[0]
    assert list(spoken) == [*TOP_KEYS, "transcript", "delivery", "transcriber"]
    for out in (spoken, run.outputs[7]):
        said, heard = set(normalised_words(SPOKEN)), set(normalised_words(out["transcript"]))
        assert len(said & heard) >= 0.7 * len(said), out["transcript"]
    assert spoken["grader"] == "rules" and 0 <= spoken["overall"] <= 100
    for part in spoken["components"].values():
        assert all(0 <= start < end <= len(spoken["transcript"]) for start, end in part["evidence"])
    assert spoken["transcriber"] == {"name": "local", "model": "tiny.en", "fallback_reason": None}


def test_delivery_figures_are_plausible_and_its_advice_joins_the_grades(run: Run) -> None:
    spoken = run.outputs[0]
    delivery = spoken["delivery"]
    assert set(delivery) >= DELIVERY_KEYS
    assert delivery["duration_s"] == pytest.approx(wav_seconds(run.wav), rel=0.2)
    assert abs(delivery["words"] - len(normalised_words(SPOKEN))) <= 8
    assert 100 <= delivery["words_per_minute"] <= 260 and delivery["fillers"] == 0
    assert delivery["fillers_per_minute"] == 0 and delivery["long_pauses"] == []
    codes = [a["code"] for a in spoken["advice"]]
    # A 10-second answer is short: said once, in time (the app's rule), and after what was said.
    assert "delivery.short" in codes and "answer.short" not in codes
    assert codes[-1] == "delivery.short"
    assert all(a["part"] == "delivery" for a in spoken["advice"] if a["code"].startswith("delivery."))


def test_typed_answers_in_the_same_file_are_graded_as_before(run: Run) -> None:
    typed = run.outputs[1]
    assert list(typed) == TOP_KEYS and not any(a["part"] == "delivery" for a in typed["advice"])


def test_bad_recordings_and_both_answers_are_error_lines(run: Run) -> None:
    errors = {o["id"]: (o["line"], o["error"]) for o in run.outputs if "error" in o}
    assert set(errors) == {"missing", "noise", "silent", "both"}
    nowhere = run.db.parent.resolve() / "recordings" / "nowhere.wav"
    assert errors["missing"] == (3, f"audio recordings/nowhere.wav: cannot read {nowhere}: No such file or directory")
    assert errors["noise"][0] == 4 and "not a recording STAR Coach can read" in errors["noise"][1]
    assert errors["silent"][0] == 5 and "No speech was heard" in errors["silent"][1]
    assert errors["both"][0] == 6 and 'both "answer" and "audio": keep "answer"' in errors["both"][1]


def test_the_model_loads_once_for_the_run(run: Run) -> None:
    assert "speech model loads: 1" in run.result.stderr
    assert run.outputs[6]["transcript"] == run.outputs[0]["transcript"], "an absolute path, the same recording"


def test_save_keeps_the_transcript_as_the_answer(run: Run) -> None:
    texts = [a["text"] for a in Database(run.db)["answers"].rows_where(order_by="position")]
    assert texts == [run.outputs[0]["transcript"], TYPED, *(o["transcript"] for o in run.outputs[6:])]


def test_from_stdin_relative_paths_are_the_current_folders(tmp_path: Path) -> None:
    require_voice()
    (tmp_path / "noise.wav").write_bytes(random.Random(14).randbytes(4000))
    (tmp_path / "folder").mkdir()
    stdin = (
        line("n", audio="noise.wav")
        + line("m", audio="nowhere.wav")
        + line("d", audio="folder")
        + line("nul", audio="a\0b.wav")
        + json.dumps({"id": "typed", "question": QUESTION, "answer": TYPED, "audio": None})  # null: no audio
    )
    result = grade("--grader", "rules", "-", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    noise, missing, folder, nul, typed = (json.loads(x) for x in result.stdout.splitlines())
    assert "not a recording STAR Coach can read" in noise["error"], "read from the current folder"
    here = tmp_path.resolve()
    assert missing["error"] == f"audio nowhere.wav: cannot read {here / 'nowhere.wav'}: No such file or directory"
    assert folder["error"] == f"audio folder: {here / 'folder'} is not a file"
    assert nul["error"] == "audio a\0b.wav: not a usable file path"
    assert list(typed) == TOP_KEYS


def test_without_voice_installed_audio_lines_say_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "answer.wav").write_bytes(silence(2))
    source = tmp_path / "in.jsonl"
    source.write_text(line("a", audio="answer.wav") + line("t", answer=TYPED) + line("b", audio="answer.wav"))
    result = grade("--grader", "rules", str(source), cwd=tmp_path, prelude=BLOCK_VOICE + COUNT_LOADS)
    assert result.returncode == 0, result.stderr
    first, typed, second = (json.loads(x) for x in result.stdout.splitlines())
    for out in (first, second):
        assert "pip install -r requirements-voice.txt" in out["error"] and "overall" not in out
    assert "overall" in typed


def test_a_configured_transcription_server_transcribes_as_in_the_app(tmp_path: Path) -> None:
    require_voice()
    (tmp_path / "answer.wav").write_bytes(silence(3))  # the loopback server hears what it is told to
    source = tmp_path / "in.jsonl"
    source.write_text(line("a", audio="answer.wav"))
    settings = {"OPENAI_BASE_URL": "", "STAR_COACH_TRANSCRIBE_MODEL": "whisper-1", "STAR_COACH_LLM_TIMEOUT": "10"}
    with running_server() as server:
        settings["OPENAI_BASE_URL"] = server.url
        result = grade("--grader", "rules", str(source), cwd=tmp_path, env=settings, prelude=COUNT_LOADS)
    assert result.returncode == 0, result.stderr
    (out,) = (json.loads(x) for x in result.stdout.splitlines())
    assert out["transcript"] == SAID and out["transcriber"] == {
        "name": "server",
        "model": "whisper-1",
        "fallback_reason": None,
    }
    assert len(server.uploads) == 1 and "speech model loads: 0" in result.stderr

"""Spoken answers in the domain and the database: what is kept, what is graded, what can be deleted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import storage
from coach.delivery import TYPED_ONLY, spoken_grade
from coach.grading.labeller import label_clauses
from coach.grading.rules import RuleBasedGrader
from coach.history import HistoryQuery, HistoryService
from coach.interview import InterviewService, Spoken, reply_slot
from coach.library import QuestionLibrary
from coach.models import PARTS, Advice, Delivery, InterviewSetup, Pause, Question
from tests.speech_support import american, silence

STORY = (
    "At our regional distribution centre, on-time shipping had fallen to 81% over one quarter. As shift lead I "
    "was asked to get it back above 95% before peak. I mapped the pick path, moved the fastest 200 items next to "
    "the dock and cross-trained four packers. Within six weeks on-time shipping rose to 97% and overtime fell by 30%."
)
AUDIO = silence(0.5)  # the bytes only have to come back as they went in


def _delivery(**changes: object) -> Delivery:
    fields: dict[str, object] = {
        "duration_s": 20.0,
        "speaking_s": 19.0,
        "timed": True,
        "words": 60,
        "words_per_minute": 190.0,
        "fillers": 6,
        "fillers_per_minute": 19.0,
        "filler_counts": {"um": 6},
        "long_pauses": [Pause(start_s=2, end_s=6), Pause(start_s=9, end_s=14)],
    }
    return Delivery.model_validate({**fields, **changes})


@pytest.fixture
def service(db_path: Path, bank: list[Question]) -> InterviewService:
    return InterviewService(db_path, bank, RuleBasedGrader())


def _answer_aloud(service: InterviewService, delivery: Delivery) -> int:
    interview = service.start(InterviewSetup(n_questions=2, follow_ups=False), seed=3)
    answer_id = service.submit(interview.id, STORY, 0, spoken=Spoken(delivery, AUDIO, "audio/wav"))
    service.grade_stored(interview.id, answer_id)
    return answer_id


def test_a_spoken_answer_keeps_its_delivery_and_recording_and_gets_delivery_advice(
    service: InterviewService, db_path: Path
) -> None:
    answer_id = _answer_aloud(service, _delivery())
    history = HistoryService(db_path, service.library)
    answer = history.answer(answer_id)
    assert answer is not None and answer.spoken and answer.has_recording
    assert answer.delivery == _delivery()
    recording = history.recording(answer_id)
    assert recording is not None and recording.audio == AUDIO and recording.mime == "audio/wav"
    assert answer.grade is not None
    codes = [a.code for a in answer.grade.advice]
    for code in ("delivery.short", "delivery.fast", "delivery.fillers", "delivery.pauses"):
        assert code in codes
    assert not TYPED_ONLY.intersection(codes)
    assert answer.grade.advice[-1].part == "delivery"
    assert history.recordings_held() == storage.RecordingsHeld(1, len(AUDIO))


def test_a_typed_answer_has_no_delivery_and_no_recording(service: InterviewService, db_path: Path) -> None:
    interview = service.start(InterviewSetup(n_questions=1, follow_ups=False), seed=3)
    answer_id = service.submit(interview.id, STORY, 0)
    answer = HistoryService(db_path, service.library).answer(answer_id)
    assert answer is not None and not answer.spoken and not answer.has_recording


def test_with_recordings_not_kept_only_the_transcript_and_figures_are_stored(
    service: InterviewService, db_path: Path
) -> None:
    assert service.keeps_recordings()
    service.set_keeps_recordings(False)
    assert not service.keeps_recordings()
    answer_id = _answer_aloud(service, _delivery())
    history = HistoryService(db_path, service.library)
    answer = history.answer(answer_id)
    assert answer is not None and answer.spoken and not answer.has_recording
    assert history.recording(answer_id) is None
    assert history.recordings_held().count == 0


def test_recordings_are_deleted_one_by_one_all_at_once_and_with_their_answer(
    service: InterviewService, db_path: Path
) -> None:
    history = HistoryService(db_path, service.library)
    first, second, third = (_answer_aloud(service, _delivery()) for _ in range(3))
    assert history.delete_recording(first) is True
    assert history.delete_recording(first) is False
    kept = history.answer(first)
    assert kept is not None and kept.spoken and not kept.has_recording and kept.text == STORY
    assert history.delete_answer(second)
    assert history.recording(second) is None
    assert history.recordings_held().count == 1
    assert history.delete_all_recordings() == 1
    assert history.recording(third) is None
    with storage.connect(db_path) as db:
        assert db["recordings"].count == 0


def test_a_backup_holds_spoken_answers_figures_but_says_it_holds_no_recording(
    service: InterviewService, db_path: Path, tmp_path: Path
) -> None:
    answer_id = _answer_aloud(service, _delivery())
    history = HistoryService(db_path, service.library)
    data = json.loads(history.backup_json())
    assert data["recordings_included"] is False
    assert "recordings" not in data["tables"]
    restored = tmp_path / "restored" / "coach.db"
    again = HistoryService(restored, QuestionLibrary(restored, service.all_questions()))
    again.restore_json(json.dumps(data).encode())
    answer = again.answer(answer_id)
    assert answer is not None and answer.delivery == _delivery() and not answer.has_recording


def test_spoken_grade_replaces_typed_length_and_filler_claims_with_delivery_ones() -> None:
    question = "Tell me about a time you improved a process."
    grade = RuleBasedGrader().grade(question, "Um so I um fixed it.", "behavioral")
    grade = grade.model_copy(
        update={"advice": [*grade.advice, Advice(code="answer.fillers", part="answer", text="Fewer fillers.")]}
    )
    assert {"answer.short", "answer.fillers"} <= {a.code for a in grade.advice}
    spoken = spoken_grade(grade, _delivery(words=6, words_per_minute=40.0, fillers=2, fillers_per_minute=6.3))
    codes = [a.code for a in spoken.advice]
    assert not TYPED_ONLY.intersection(codes)
    assert "delivery.short" in codes and "delivery.fillers" not in codes  # two fillers are not enough to claim
    assert "Fewer fillers." not in spoken.suggestions
    # The score sets aside what the advice does: no typed-length cost on a spoken answer.
    assert grade.penalties["answer.short"] < 1
    assert spoken.overall == round(grade.overall / grade.penalties["answer.short"])


def test_a_spoken_answer_scores_the_same_with_the_hesitations_a_transcript_leaves_out() -> None:
    question = "Tell me about a time you improved on-time dispatch."
    said = (
        "Um, at our, er, Leeds warehouse in 2023, uh, on-time dispatch had, um, slipped to 88%. "
        "I was, er, asked to get it, um, back above 95% within ten weeks. "
        "I, uh, ran a Pareto of late loads, um, moved the wave release to the morning and, er, piloted it on "
        "one shift. Within, um, eight weeks dispatch reached 96.5%, and the morning release became the standard."
    )
    heard = " ".join(re.sub(r"\b(?:um|uh|er),?", "", said).split())
    typed = RuleBasedGrader().grade(question, said, "behavioral")
    assert "answer.fillers" in {a.code for a in typed.advice}  # typed, the hesitations cost points
    delivery = _delivery()
    as_said = spoken_grade(typed, delivery)
    as_heard = spoken_grade(RuleBasedGrader().grade(question, heard, "behavioral"), delivery)
    assert abs(as_said.overall - as_heard.overall) <= 2 and as_said.overall > typed.overall


def test_a_transcript_in_american_spelling_grades_as_the_typed_answer_in_british() -> None:
    # A speech model writes American spelling: the grade must not move because "labour" was heard as "labor".
    question = "Tell me about a time you organised a team through a difficult change."
    typed = (
        "At our Midlands distribution centre in 2022, labour turnover had reached 40% and behaviour on the night "
        "shift was poor. I was asked to stabilise the team before peak. I organised a skills matrix, prioritised "
        "cross-training on the two busiest zones and standardised the handover. I also ran a short programme "
        "of one-to-ones. By December turnover fell to 22%, and the centre hit its optimisation targets."
    )
    heard = "".join(american(w) if w.isalpha() else w for w in re.split(r"(\W+)", typed))
    assert heard != typed and "labor" in heard and "organized" in heard
    grader = RuleBasedGrader()
    said, got = grader.grade(question, typed, "behavioral"), grader.grade(question, heard, "behavioral")
    assert (got.overall, [got.part(p).score for p in PARTS]) == (said.overall, [said.part(p).score for p in PARTS])


def test_a_hesitation_before_the_first_word_does_not_change_how_a_clause_is_read() -> None:
    question = "Tell me about a time you had to learn a new area quickly."
    answer = (
        "{}I got moved onto the returns team with two days' notice because their lead went on sick leave. "
        "I needed to be running it by the end of that week. I spent the first day shadowing each station and "
        "wrote down every step. By Friday I was running the morning meeting, and the backlog went from about "
        "nine hundred returns to three hundred in two weeks."
    )
    labels = {
        opener: [c.label for c in label_clauses(answer.format(opener), question, "behavioral")]
        for opener in ("", "Er, ", "Yeah so, er, ", "Erm, you know, ", "Yeah, so ")
    }
    assert len(set(map(tuple, labels.values()))) == 1, labels
    assert labels[""][0] == "S"  # moved there by someone else: where the story starts


def test_progress_charts_pace_and_fillers_of_spoken_answers_only(service: InterviewService, db_path: Path) -> None:
    interview = service.start(InterviewSetup(n_questions=3, follow_ups=False), seed=3)
    service.grade_stored(interview.id, service.submit(interview.id, STORY, 0))
    for position, pace in ((1, 150.0), (2, 130.0)):
        delivery = _delivery(words_per_minute=pace, fillers_per_minute=pace / 50)
        answer_id = service.submit(interview.id, STORY, position, spoken=Spoken(delivery, AUDIO, "audio/wav"))
        service.grade_stored(interview.id, answer_id)
    progress = HistoryService(db_path, service.library).progress()
    assert progress.answered == 3
    assert [(p["n"], p["words_per_minute"], p["fillers_per_minute"]) for p in progress.spoken] == [
        (1, 150.0, 3.0),
        (2, 130.0, 2.6),
    ]


def test_exports_carry_a_spoken_answers_figures_and_no_audio(service: InterviewService, db_path: Path) -> None:
    answer_id = _answer_aloud(service, _delivery())
    history = HistoryService(db_path, service.library)
    exported = json.loads(history.export(HistoryQuery(), "json"))
    record = next(r for r in exported if r["answer_id"] == answer_id)
    assert record["spoken"] is True and record["words_per_minute"] == 190.0 and record["spoken_seconds"] == 19.0
    assert "RIFF" not in history.export(HistoryQuery(), "csv")  # the WAV's bytes are nowhere in it


def test_a_recording_is_kept_from_the_moment_it_is_made_until_its_answer_is_saved(
    service: InterviewService, db_path: Path
) -> None:
    interview = service.start(InterviewSetup(n_questions=2, follow_ups=False), seed=3)
    service.keep_unsent(interview.id, 0, AUDIO, "audio/webm")
    state = service.turn(interview.id)
    assert state is not None and state.unsent_recording
    kept = service.unsent(interview.id, 0)
    assert kept is not None and kept.audio == AUDIO and kept.mime == "audio/webm"
    service.keep_unsent(interview.id, 0, b"again", "audio/wav")  # recorded again: the new one replaces it
    assert service.unsent(interview.id, 0) == storage.Recording(b"again", "audio/wav")
    service.submit(interview.id, STORY, 0, spoken=Spoken(_delivery(), b"again", "audio/wav"))
    state = service.turn(interview.id)
    assert state is not None and not state.unsent_recording and service.unsent(interview.id, 0) is None
    service.keep_unsent(interview.id, 1, AUDIO, "audio/wav")
    service.drop_unsent(interview.id, 1)
    assert service.unsent(interview.id, 1) is None
    service.keep_unsent(interview.id, 1, AUDIO, "audio/wav")
    HistoryService(db_path, service.library).delete_interview(interview.id)
    with storage.connect(db_path) as db:
        assert db["unsent_recordings"].count == 0 and db["recordings"].count == 0


WEAK = "At our depot deliveries were late. I was asked to fix it. I re-planned the routes with the drivers."


def _follow_up_asked(service: InterviewService) -> tuple[str, int]:
    interview = service.start(InterviewSetup(n_questions=2, follow_ups=True), seed=3)
    answer_id = service.submit(interview.id, WEAK, 0)
    state = service.turn(interview.id, answer_id)
    assert state is not None and state.pending_follow_up is not None
    return interview.id, state.pending_follow_up.id


def test_a_spoken_reply_to_a_follow_up_is_kept_apart_from_the_next_questions_recording(
    service: InterviewService,
) -> None:
    iid, fid = _follow_up_asked(service)
    service.keep_unsent(iid, reply_slot(fid), AUDIO, "audio/wav")
    state = service.turn(iid)
    assert state is not None and reply_slot(fid) in state.unsent_positions
    assert not state.unsent_recording  # never offered as a recording of the next question
    assert service.unsent(iid, reply_slot(fid)) == storage.Recording(AUDIO, "audio/wav")


def test_skipping_a_follow_up_drops_the_reply_recorded_for_it_and_nothing_else(
    service: InterviewService, db_path: Path
) -> None:
    iid, fid = _follow_up_asked(service)
    service.keep_unsent(iid, reply_slot(fid), AUDIO, "audio/wav")
    service.keep_unsent(iid, 1, b"next", "audio/wav")  # already recorded for the next question: kept
    service.skip_follow_up(iid, fid)
    assert service.unsent(iid, reply_slot(fid)) is None
    assert service.unsent(iid, 1) == storage.Recording(b"next", "audio/wav")


def test_deleting_all_recordings_deletes_those_not_yet_sent_too(service: InterviewService, db_path: Path) -> None:
    _answer_aloud(service, _delivery())
    iid, fid = _follow_up_asked(service)
    service.keep_unsent(iid, reply_slot(fid), AUDIO, "audio/wav")
    history = HistoryService(db_path, service.library)
    held = history.recordings_held()
    assert held.count == 2 and held.size_bytes == 2 * len(AUDIO)
    assert history.delete_all_recordings() == 2
    with storage.connect(db_path) as db:
        assert db["unsent_recordings"].count == 0 and db["recordings"].count == 0

"""Answering aloud on the Practice page: the recorder, the transcript to correct, and sending it.

A module, not a page: what the session keeps between runs (a Draft) must be of a class that stays the same
from run to run, and a page's script defines its classes anew each time it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from app_pages import ui
from coach.delivery import heard
from coach.interview import AnswerRejected, InterviewService, InterviewState, Spoken, reply_slot
from coach.models import Delivery, FollowUp
from coach.speech import TranscriptionError

# Practice's send_text: saves through `send`, then asks the next run to grade, or keeps the refusal to show.
SendText = Callable[[Callable[[str], int], str], None]

# A recording is kept in the database from the moment it arrives until its answer is saved or the candidate
# discards it, whatever the transcriber does: a failed transcription keeps it with Transcribe again, a reload
# or a crash finds it again, and the answer can still be typed. The session holds what was heard in it.

DRAFT = "spoken_draft"


@dataclass(frozen=True)
class Turn:
    """What a recording answers: the current question, or the follow-up asked on the latest answer."""

    interview_id: str
    # Where the unsent recording is kept: the question's position, or the follow-up's reply slot.
    slot: int
    follow_up_id: int | None = None

    @property
    def words(self) -> tuple[str, str, str]:
        """The recorder's label, the send button's, and what the recording is of."""
        if self.follow_up_id is None:
            return "Answer aloud", "Grade this answer", "an answer to this question"
        return "Reply aloud", "Send this reply", "a reply to this follow-up"


@dataclass
class Draft:
    """A recording for one turn, and what was heard in it (or why nothing was yet)."""

    turn: Turn
    audio: bytes
    mime: str
    text: str | None = None
    delivery: Delivery | None = None
    problem: str | None = None
    note: str | None = None
    target_s: int | None = None


def speak(state: InterviewState, service: InterviewService, send_text: SendText, target_s: int | None) -> None:
    """The recorder for the current question, or the recording it holds with what was heard in it; the
    answer-time target the candidate set is kept with what is heard, for the delivery advice."""
    _speak(Turn(state.interview.id, state.position), state, service, send_text, target_s)


def speak_reply(state: InterviewState, follow_up: FollowUp, service: InterviewService, send_text: SendText) -> None:
    """The recorder for a reply to the follow-up: heard, corrected, then sent as the typed reply is."""
    turn = Turn(state.interview.id, reply_slot(follow_up.id), follow_up.id)
    _speak(turn, state, service, send_text, None)


def _speak(
    turn: Turn, state: InterviewState, service: InterviewService, send_text: SendText, target_s: int | None
) -> None:
    status, _transcriber = ui.voice()
    draft = st.session_state.get(DRAFT)
    if not (isinstance(draft, Draft) and draft.turn == turn):
        draft = _kept_from_before(turn, state, service, target_s)
    if draft is None:
        if not status.available:
            return
        key = f"voice-{turn.interview_id}-{turn.slot}-{st.session_state.get('voice_round', 0)}"
        args = (key, turn, service, target_s)
        st.audio_input(turn.words[0], key=key, sample_rate=16000, on_change=on_recording, args=args)
        return
    show_draft(state, draft, service, send_text)


def _kept_from_before(
    turn: Turn, state: InterviewState, service: InterviewService, target_s: int | None
) -> Draft | None:
    """The recording made for this turn in an earlier session (a reload, a crash), if one waits."""
    if turn.slot not in state.unsent_positions:
        return None
    kept = service.unsent(turn.interview_id, turn.slot)
    if kept is None:
        return None
    draft = Draft(turn, kept.audio, kept.mime, target_s=target_s)
    draft.problem = f"You recorded {turn.words[2]} earlier; it has not been transcribed yet."
    st.session_state[DRAFT] = draft
    return draft


def on_recording(key: str, turn: Turn, service: InterviewService, target_s: int | None) -> None:
    recorded = st.session_state.get(key)
    if recorded is None:
        return
    draft = Draft(turn, recorded.getvalue(), recorded.type or "audio/wav", target_s=target_s)
    st.session_state[DRAFT] = draft
    try:
        service.keep_unsent(turn.interview_id, turn.slot, draft.audio, draft.mime)
    except AnswerRejected as exc:  # the session still holds it: said, and nothing else changes
        draft.note = f"{exc} Your recording is held in this browser tab until you send or discard it."
    transcribe(draft)


def transcribe(draft: Draft) -> None:
    _status, transcriber = ui.voice()
    with st.spinner("Transcribing your answer..."):
        try:
            transcript = transcriber.transcribe(draft.audio)
        except TranscriptionError as exc:
            draft.problem = str(exc)
            return
    draft.problem = None
    draft.text = transcript.text.strip()
    draft.delivery = heard(transcript, draft.target_s)
    if transcript.fallback_reason:
        draft.note = f"Transcribed on this computer because {transcript.fallback_reason}."


def show_draft(state: InterviewState, draft: Draft, service: InterviewService, send_text: SendText) -> None:
    with st.chat_message("user"):
        st.audio(draft.audio, format=draft.mime)
        if draft.problem is not None or draft.text is None or draft.delivery is None:
            st.warning(
                ui.plain(f"{draft.problem} Your recording is kept: transcribe it again, or type your answer below.")
            )
            left, right = st.columns(2)
            left.button("Transcribe again", key="voice-retry", on_click=transcribe, args=(draft,))
            right.button("Discard the recording", key="voice-discard", on_click=discard, args=(service,))
            return
        if draft.note:
            st.caption(ui.plain(draft.note))
        key = f"transcript-{draft.turn.interview_id}-{draft.turn.slot}"
        st.text_area(
            "What was heard: correct any word before it is graded",
            value=draft.text,
            key=key,
            height=200,
        )
        st.caption(ui.spoken_caption(draft.delivery))
        left, right = st.columns(2)
        left.button(
            draft.turn.words[1],
            key="voice-send",
            type="primary",
            on_click=send_spoken,
            args=(state, key, service, send_text),
        )
        right.button("Discard the recording", key="voice-discard", on_click=discard, args=(service,))


def send_spoken(state: InterviewState, key: str, service: InterviewService, send_text: SendText) -> None:
    draft = st.session_state.get(DRAFT)
    if not isinstance(draft, Draft) or draft.delivery is None:
        return
    turn = draft.turn
    spoken = Spoken(draft.delivery, draft.audio, draft.mime)

    def send(text: str) -> int:
        if turn.follow_up_id is not None:
            return service.reply_to_follow_up(turn.interview_id, turn.follow_up_id, text)
        return service.submit(turn.interview_id, text, turn.slot, seen=state, spoken=spoken)

    send_text(send, st.session_state.get(key) or "")
    if "to_grade" not in st.session_state:  # refused: the recording stays, with the refusal shown
        return
    # Saved. An answer's recording is with its answer now; a reply's transcript is its text, and its
    # recording is not kept past it (only an answer's recording is replayed on History).
    discard(service if turn.follow_up_id is not None else None)


def discard(service: InterviewService | None = None) -> None:
    """Forget the recording (from the database too, given the service), and show an empty recorder."""
    draft = st.session_state.pop(DRAFT, None)
    if service is not None and isinstance(draft, Draft):
        try:
            service.drop_unsent(draft.turn.interview_id, draft.turn.slot)
        except AnswerRejected as exc:
            st.session_state["rejected"] = (str(exc), "", False)
    # A new recorder, empty: the old one would still hold the discarded recording.
    st.session_state["voice_round"] = st.session_state.get("voice_round", 0) + 1


def recordings_settings() -> None:
    """Whether recordings are kept, how much they hold, and deleting them all (the Settings page)."""
    service = ui.service()
    history = ui.history()
    database = service.database_problem()
    if database is not None and not database.usable:
        st.caption("Your recordings are in the database, which cannot be opened (see the message above).")
        return
    if problem := st.session_state.pop("recordings_problem", None):
        st.warning(ui.plain(problem))
    st.toggle(
        "Keep my recordings with my answers",
        value=service.keeps_recordings(),
        key="keep-recordings",
        on_change=_keep_recordings,
        help="Off: a recording is transcribed, then dropped; the transcript and the delivery figures are kept.",
    )
    try:
        held = history.recordings_held()
        if held.count:
            st.caption(f"{held.count} recording{'s' * (held.count != 1)} kept, {held.size_bytes / 1e6:.1f} MB.")
            if st.button("Delete all recordings", icon=":material/mic_off:"):
                deleted = history.delete_all_recordings()
                st.success(f"Deleted {deleted} recording{'s' * (deleted != 1)}. Transcripts and grades are kept.")
    except AnswerRejected as exc:  # the database cannot take it: said, and nothing is lost
        st.warning(ui.plain(str(exc)))


def _keep_recordings() -> None:
    try:
        ui.service().set_keeps_recordings(bool(st.session_state.get("keep-recordings")))
    except AnswerRejected as exc:
        st.session_state["recordings_problem"] = str(exc)

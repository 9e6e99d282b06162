"""Practice: the mock interview as a chat."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from app_pages import improve, stories_ui, timer, ui, voice
from coach.interview import AnswerRejected, InterviewState, NotSaved, needs_grade
from coach.models import (
    LEVEL_LABELS,
    PARTS,
    TOPIC_LABELS,
    TYPE_LABELS,
    Answer,
    FollowUp,
    InterviewSetup,
    Question,
)
from coach.summary import summarise

service = ui.service()
INTERVIEWER = ":material/badge:"


def current_interview_id() -> str | None:
    # The id rides in the URL too, so a reload or a server restart resumes this interview.
    return st.session_state.get("interview_id") or st.query_params.get("interview")


def set_current(interview_id: str | None) -> None:
    if interview_id:
        st.session_state["interview_id"] = interview_id
        st.query_params["interview"] = interview_id
    else:
        st.session_state.pop("interview_id", None)
        st.query_params.pop("interview", None)


def setup_form() -> None:
    st.title("Practice interview")
    st.write(
        "Choose your level and topics. The interviewer asks one question at a time and grades each "
        "answer against STAR: Situation, Task, Action, Result."
    )
    resumable = service.unfinished()
    if resumable:
        st.subheader("Pick up where you left off")
        for state in resumable[:3]:
            started = state.interview.created_at.astimezone().strftime("%d %b %H:%M")
            label = f"Resume the interview of {started} ({state.position} of {len(state.questions)} done)"
            if st.button(label, key=f"resume-{state.interview.id}"):
                set_current(state.interview.id)
                st.rerun()
    show_tip()
    if show_preview():
        return
    with st.form("setup"):
        level = st.radio("Role level", list(LEVEL_LABELS), format_func=LEVEL_LABELS.get, index=1)
        topics = st.multiselect("Topics (leave empty for all)", list(TOPIC_LABELS), format_func=TOPIC_LABELS.get)
        kind = st.radio("Questions", list(TYPE_LABELS), format_func=TYPE_LABELS.get, horizontal=True)
        count = st.number_input("Number of questions", min_value=1, max_value=15, value=5)
        follow_ups = st.toggle(
            "Ask a follow-up question when a STAR part is missing or weak",
            value=True,
            help="The interviewer asks for your own facts on the weakest part; your reply is added and re-graded.",
        )
        start = st.form_submit_button("Start interview", type="primary")
        look = st.form_submit_button("Preview the questions first")
    if not (start or look):
        return
    setup = InterviewSetup(
        level=level, topics=tuple(topics), question_type=kind, n_questions=int(count), follow_ups=follow_ups
    )
    try:
        if start:
            set_current(service.start(setup).id)
        else:
            st.session_state["preview"] = (setup, [q.id for q in service.preview(setup)])
    except AnswerRejected as exc:
        st.warning(ui.plain(str(exc)))
        return
    st.rerun()


def show_tip() -> None:
    """A tip from the candidate's own most frequent weakness of late, or the STAR guide's for a new user."""
    tip = ui.history().tip()
    seen = f" (in {tip.times} of your recent answers)" if tip.code else ""
    st.info(f"**{ui.plain(tip.title)}**{seen}: {ui.plain(tip.text)}", icon=":material/lightbulb:")
    st.page_link("app_pages/guide.py", label="The STAR guide", icon=":material/menu_book:")


def _previewed() -> tuple[InterviewSetup, list[Question]]:
    """The previewed interview's setup and its questions (one deleted since is left out)."""
    setup, ids = st.session_state["preview"]
    return setup, [q for q in (service.library.get(i) for i in ids) if q is not None]


def _swap(index: int) -> None:
    setup, chosen = _previewed()
    st.session_state["preview"] = (setup, [q.id for q in service.swap(setup, chosen, index)])


def show_preview() -> bool:
    """The previewed questions, each swappable, and a start; False when there is no preview."""
    if "preview" not in st.session_state:
        return False
    setup, chosen = _previewed()
    st.subheader("Your interview's questions")
    for index, question in enumerate(chosen):
        text, button = st.columns([6, 1])
        with text:
            ui.show_text(f"{index + 1}. {question.text}")
            st.caption(f"{TYPE_LABELS[question.type]} · {', '.join(TOPIC_LABELS[t] for t in question.topics)}")
        button.button("Swap", key=f"swap-{index}-{question.id}", on_click=_swap, args=(index,))
    start, cancel = st.columns(2)
    if start.button("Start with these questions", type="primary"):
        try:
            interview = service.start_with_questions(setup, chosen)
        except AnswerRejected as exc:
            st.warning(ui.plain(str(exc)))
            return True
        st.session_state.pop("preview", None)
        set_current(interview.id)
        st.rerun()
    if cancel.button("Choose again"):
        st.session_state.pop("preview", None)
        st.rerun()
    return True


def show_transcript(state: InterviewState) -> None:
    for answer in state.answers:
        with st.chat_message("assistant", avatar=INTERVIEWER):
            ui.show_text(f"Question {answer.position + 1}: {answer.question_text}")
        with st.chat_message("user"):
            if answer.skipped:
                st.caption("Skipped")
            else:
                if answer.spoken:
                    st.caption(":material/mic: Spoken (the transcript as you corrected it)")
                ui.show_text(answer.text)
                if not answer.spoken:
                    st.caption(timer.estimated_time_caption(answer.text))
        if answer.skipped:
            continue
        follow_up = answer.follow_up
        replied = follow_up is not None and follow_up.status == "answered"
        if not replied:
            with st.chat_message("assistant", avatar=INTERVIEWER):
                show_feedback(state, answer)
        if follow_up is not None:
            show_follow_up(state, answer, follow_up)


def show_follow_up(state: InterviewState, answer: Answer, follow_up: FollowUp) -> None:
    with st.chat_message("assistant", avatar=INTERVIEWER):
        st.caption(f"Follow-up on your {follow_up.part}")
        ui.show_text(follow_up.question)
    if follow_up.status == "skipped":
        st.caption("Follow-up skipped")
        return
    if follow_up.status != "answered":
        return
    with st.chat_message("user"):
        ui.show_text(follow_up.reply or "")
    with st.chat_message("assistant", avatar=INTERVIEWER):
        if follow_up.score_before is not None and follow_up.score_after is not None:
            change = follow_up.score_after - follow_up.score_before
            st.markdown(
                f"**With your reply: {follow_up.score_before} → {follow_up.score_after} ({change:+d})**",
            )
        show_feedback(state, answer)


def show_feedback(state: InterviewState, answer: Answer) -> None:
    # Ungraded, or a follow-up reply added since: the grade shown must be of the answer with the reply.
    if not needs_grade(answer):
        # Earlier answers are one line, their detail on demand: a turn costs the same at question 10 as at 1.
        latest = answer.id == state.answers[-1].id
        if latest or st.toggle(compact_score(answer), key=f"detail-{answer.id}"):
            ui.show_grade(answer)
            improve.after_grade(answer, state.questions[answer.position])
            stories_ui.save_story_button(answer)
        return
    reason = answer.grade_error or "This answer has not been graded yet."
    st.warning(ui.plain(f"{reason} Your answer is saved."))
    # Rendering never writes: the button asks the next turn to grade it.
    st.button("Grade it now", key=f"regrade-{answer.id}", on_click=grade_next, args=(answer.id,))


def compact_score(answer: Answer) -> str:
    grade = answer.grade
    assert grade is not None
    parts = " · ".join(f"{p[0].upper()} {grade.part(p).score}" for p in PARTS)
    return f"Score: {grade.overall}/100 ({parts}): show the feedback"


def grade_next(answer_id: int) -> None:
    st.session_state["to_grade"] = answer_id


def show_summary(state: InterviewState) -> None:
    summary = summarise(state.answers)
    with st.chat_message("assistant", avatar=INTERVIEWER):
        st.subheader("Interview summary")
        st.write(f"Answered {summary.answered}, skipped {summary.skipped}.")
        if summary.average_overall is not None:
            st.markdown(f"**Average score: {summary.average_overall:.0f}/100**")
            columns = st.columns(4)
            for column, part in zip(columns, PARTS, strict=True):
                column.metric(f"{part.title()} (avg)", f"{summary.part_averages[part]:.1f}/5")
            if summary.weakest:
                st.markdown(f"**Weakest part:** {summary.weakest}")
        st.info(summary.advice)
    if st.button("Start a new interview", type="primary"):
        set_current(None)
        st.rerun()


# Callbacks carry what the user saw (the position, the follow-up), so a stale tab or a double
# click cannot file an answer or a skip against a question the user never saw.
def on_text(send: Callable[[str], int], key: str) -> None:
    """Send what was typed under `key`; the answer's id is graded on the rerun, a refusal shown."""
    send_text(send, st.session_state.get(key) or "")


def send_text(send: Callable[[str], int], text: str) -> None:
    # Shown only if the save takes a while: another program holding the database makes it wait.
    with st.spinner("Saving your answer (waiting for the database)..."):
        try:
            st.session_state["to_grade"] = send(text)
        except AnswerRejected as exc:
            st.session_state["rejected"] = (str(exc), text, isinstance(exc, NotSaved))


def on_action(action: Callable[[], object]) -> None:
    try:
        action()
    except AnswerRejected as exc:
        st.session_state["rejected"] = (str(exc), "", False)


def controls(skip_label: str, skip_key: str, skip: Callable[[], object], iid: str) -> None:
    """Skip (the question or the follow-up) and End interview, side by side."""
    left, right = st.columns(2)
    left.button(skip_label, key=skip_key, on_click=on_action, args=(skip,))
    right.button("End interview", key=f"end-{iid}", on_click=on_action, args=(partial(service.end, iid),))


def text_box(placeholder: str, key: str, send: Callable[[str], int]) -> None:
    # A stable key keeps text typed while the page reruns. No max_chars: the browser would drop a
    # longer paste without a word; sent whole, it is refused with the limit and shown back to copy.
    st.chat_input(placeholder, key=key, submit_mode="disable", on_submit=on_text, args=(send, key))


def ask_follow_up(state: InterviewState, follow_up: FollowUp) -> None:
    iid, fid = state.interview.id, follow_up.id

    def send(text: str) -> int:
        return service.reply_to_follow_up(iid, fid, text)

    show_rejection(send)
    controls("Skip the follow-up", f"skip-follow-up-{fid}", partial(service.skip_follow_up, iid, fid), iid)
    voice.speak_reply(state, follow_up, service, send_text)
    aloud = ui.voice()[0].available
    text_box(
        "Your reply to the follow-up (or reply aloud above)" if aloud else "Your reply to the follow-up",
        f"reply-{fid}",
        send,
    )


def show_rejection(send: Callable[[str], int] | None = None) -> None:
    """Why the last action was refused, the text it carried to copy, and Retry when only saving failed."""
    rejected = st.session_state.pop("rejected", None)
    if rejected:
        message, text, retry = rejected
        st.warning(ui.plain(message))  # it may name the database path
        if text.strip():
            st.code(text, language=None, wrap_lines=True)
            if retry and send is not None:
                st.button("Retry", key="retry-save", icon=":material/refresh:", on_click=send_text, args=(send, text))


def ask(state: InterviewState) -> None:
    question = state.current_question
    assert question is not None
    iid, position = state.interview.id, state.position
    with st.chat_message("assistant", avatar=INTERVIEWER):
        kind = TYPE_LABELS[question.type]
        st.caption(f"Question {position + 1} of {len(state.questions)} · {kind}")
        ui.show_text(question.text)
        improve.hints(question)
        stories_ui.story_beside(iid)
        target_s = timer.target_choice("answer_target")
        timer.answer_clock(target_s, started_key=f"{iid}-{position}")

    def send(text: str) -> int:
        return service.submit(iid, text, position, seen=state)

    show_rejection(send)
    controls("Skip this question", f"skip-{iid}-{position}", partial(service.skip, iid, position), iid)
    voice.speak(state, service, send_text, target_s)
    text_box("Your answer (or answer aloud above)" if ui.voice()[0].available else "Your answer", f"answer-{iid}", send)


def main() -> None:
    interview_id = current_interview_id()
    to_grade = st.session_state.pop("to_grade", None)
    if interview_id and to_grade is not None:
        with st.spinner("Grading your answer..."):
            state = service.turn(interview_id, to_grade)
    else:
        state = service.turn(interview_id) if interview_id else None
    if state is None:
        set_current(None)
        show_rejection()
        setup_form()
        return
    set_current(state.interview.id)
    st.title("Practice interview")
    show_transcript(state)
    if state.pending_follow_up is not None:
        ask_follow_up(state, state.pending_follow_up)
    elif state.done:
        show_rejection()
        show_summary(state)
    else:
        ask(state)


main()

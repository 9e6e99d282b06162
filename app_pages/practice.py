"""Practice: the mock interview as a chat."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from coach.interview import AnswerRejected, InterviewState, summarise
from coach.models import LEVEL_LABELS, MAX_ANSWER_CHARS, PARTS, TOPIC_LABELS, InterviewSetup

TYPE_LABELS = {"both": "Both", "behavioral": "Behavioural", "case": "Case"}

service = ui.service()


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
    with st.form("setup"):
        level = st.radio("Role level", list(LEVEL_LABELS), format_func=LEVEL_LABELS.get, index=1)
        topics = st.multiselect("Topics (leave empty for all)", list(TOPIC_LABELS), format_func=TOPIC_LABELS.get)
        kind = st.radio("Questions", list(TYPE_LABELS), format_func=TYPE_LABELS.get, horizontal=True)
        count = st.number_input("Number of questions", min_value=1, max_value=15, value=5)
        if st.form_submit_button("Start interview", type="primary"):
            setup = InterviewSetup(level=level, topics=tuple(topics), question_type=kind, n_questions=int(count))
            try:
                set_current(service.start(setup).id)
            except AnswerRejected as exc:
                st.warning(str(exc))
                return
            st.rerun()


def show_transcript(state: InterviewState) -> None:
    for answer in state.answers:
        with st.chat_message("assistant", avatar=":material/badge:"):
            ui.show_text(f"Question {answer.position + 1}: {answer.question_text}")
        with st.chat_message("user"):
            if answer.skipped:
                st.caption("Skipped")
            else:
                ui.show_text(answer.text)
        if answer.skipped:
            continue
        with st.chat_message("assistant", avatar=":material/badge:"):
            if answer.grade:
                ui.show_grade(answer)
            else:
                st.warning(f"{answer.grade_error or 'Not graded yet.'} Your answer is saved.")
                if st.button("Grade it again", key=f"regrade-{answer.id}"):
                    with st.spinner("Grading..."):
                        service.regrade(state.interview.id, answer.id)
                    st.rerun()


def show_summary(state: InterviewState) -> None:
    summary = summarise(state.answers)
    with st.chat_message("assistant", avatar=":material/badge:"):
        st.subheader("Interview summary")
        st.write(f"Answered {summary.answered}, skipped {summary.skipped}.")
        if summary.average_overall is not None:
            st.markdown(f"**Average score: {summary.average_overall:.0f}/100**")
            columns = st.columns(4)
            for column, part in zip(columns, PARTS, strict=True):
                column.metric(f"{part.title()} (avg)", f"{summary.part_averages[part]:.1f}/5")
            st.markdown(f"**Weakest part:** {summary.weakest}")
        st.info(summary.advice)
    if st.button("Start a new interview", type="primary"):
        set_current(None)
        st.rerun()


def ask(state: InterviewState) -> None:
    question = state.current_question
    assert question is not None
    with st.chat_message("assistant", avatar=":material/badge:"):
        kind = "Case" if question.type == "case" else "Behavioural"
        st.caption(f"Question {state.position + 1} of {len(state.questions)} · {kind}")
        ui.show_text(question.text)
    left, right = st.columns(2)
    if left.button("Skip this question"):
        service.skip(state.interview.id)
        st.rerun()
    if right.button("End interview"):
        service.end(state.interview.id)
        st.rerun()
    text = st.chat_input("Your answer", max_chars=MAX_ANSWER_CHARS, submit_mode="disable")
    if text is None:
        return
    try:
        with st.chat_message("user"):
            ui.show_text(text)
        with st.chat_message("assistant", avatar=":material/badge:"), st.spinner("Grading your answer..."):
            service.answer(state.interview.id, text)
    except AnswerRejected as exc:
        st.warning(str(exc))
        return
    st.rerun()


def main() -> None:
    interview_id = current_interview_id()
    state = service.state(interview_id) if interview_id else None
    if state is None:
        set_current(None)
        setup_form()
        return
    set_current(state.interview.id)
    st.title("Practice interview")
    show_transcript(state)
    if state.done:
        show_summary(state)
    else:
        ask(state)


main()

"""Practise for a job: paste or upload a job description, see what was read from it, start a tailored interview
and, with an LLM, have questions written for the job."""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages import ui
from coach.interview import AnswerRejected
from coach.jobs.practice import (
    DEFAULT_QUESTIONS,
    MAX_QUESTIONS,
    MAX_WRITTEN,
    MIN_WRITTEN,
    JobChoice,
    JobPractice,
    QuestionWritingError,
    job_name,
)
from coach.jobs.profile import JobProfile
from coach.jobs.reading import FILE_TYPES, MAX_JOB_FILE_BYTES, JobDescriptionError
from coach.models import LEVEL_LABELS, TOPIC_LABELS, TYPE_LABELS
from coach.question_io import QuestionInputError

READ_KEY = "job-read"  # (the text, what was read from it, where it came from): UI state, derived from the text
WRITTEN_KEY = "job-written"  # what the last "write questions" did, said once after the rerun that shows them
practice: JobPractice = ui.job_practice()


def description_form() -> None:
    """The paste box and the file; reading happens on the button only."""
    with st.form("job-description"):
        # No max_chars: a long page is read in part and the findings say so.
        text = st.text_area(
            "Job description",
            height=240,
            placeholder="Paste the whole posting: the title, what you will do, what they are looking for.",
        )
        upload = st.file_uploader(
            "…or upload it as a .txt, .md or .pdf file",
            type=list(FILE_TYPES),
            max_upload_size=max(1, MAX_JOB_FILE_BYTES // 1_000_000),
        )
        if not st.form_submit_button("Read this job description", type="primary", icon=":material/search:"):
            return
    # An uploaded file is read rather than the box; the findings say which was read.
    source = f"the file {upload.name}" if upload is not None else "the pasted text"
    try:
        if upload is not None:
            text = practice.text_of_file(upload.getvalue(), upload.name)
        profile = practice.read(text)
    except JobDescriptionError as exc:
        st.session_state.pop(READ_KEY, None)
        st.warning(ui.plain(f"{source[0].upper()}{source[1:]} could not be read. {exc}"))
        return
    st.session_state[READ_KEY] = (text, profile, source)


def show_findings(profile: JobProfile, source: str) -> None:
    st.subheader("What this job asks for")
    st.caption(ui.plain(f"Read from {source} ({profile.words_read:,} words counted)."))
    st.markdown(f"**Role:** {ui.plain(profile.title or '(no title found)')}")
    st.markdown(f"**Level:** {LEVEL_LABELS[profile.level]}")
    st.caption(ui.plain("Why: " + "; ".join(profile.level_reasons)))
    st.markdown("**Operations topics**, with the words that showed each")
    suggested = [t for t in profile.topics if t.topic in profile.suggested_topics]
    ui.show_list([f"{t.label}: {t.evidence_text()}" for t in suggested] or ["No operations topic was found."])
    others = [t for t in profile.topics if t.topic not in profile.suggested_topics]
    if others:
        with st.expander(f"Mentioned less ({len(others)} more topics)"):
            ui.show_list([f"{t.label}: {t.evidence_text()}" for t in others])
    for name, found in (("Tools", profile.tools), ("KPIs", profile.kpis), ("Methods and skills", profile.methods)):
        st.markdown(f"**{name}:** {ui.plain(', '.join(found)) if found else 'none named'}")
    for note in profile.notes:
        st.caption(ui.plain(note))


def choices(profile: JobProfile, key: str) -> JobChoice:
    """The candidate's adjustments to the findings; widgets start from the findings of this description."""
    st.subheader("Your tailored interview")
    left, right = st.columns(2)
    levels = list(LEVEL_LABELS)
    level = left.radio(
        "Level", levels, index=levels.index(profile.level), format_func=LEVEL_LABELS.get, key=f"lv-{key}"
    )
    kind = right.radio("Questions", list(TYPE_LABELS), format_func=TYPE_LABELS.get, key=f"kind-{key}")
    count = right.number_input(
        "Number of questions", min_value=1, max_value=MAX_QUESTIONS, value=DEFAULT_QUESTIONS, key=f"n-{key}"
    )
    default = JobChoice.from_profile(profile)
    topics = st.multiselect(
        "Topics", list(TOPIC_LABELS), default=list(default.topics), format_func=TOPIC_LABELS.get, key=f"tp-{key}"
    )
    job = st.text_input("The job's name (marks questions written for it)", value=default.job, key=f"job-{key}")
    if not topics:
        st.caption("No topic chosen: the job's own topics are used.")
    return JobChoice(
        level=level,
        topics=tuple(topics) or default.topics,
        n_questions=int(count),
        question_type=kind,
        job=job_name(job),
    )


def write_for_job(text: str, profile: JobProfile, choice: JobChoice, key: str) -> None:
    st.subheader("Questions written for this job")
    if done := st.session_state.pop(WRITTEN_KEY, None):
        st.success(ui.plain(done))
    if not practice.can_write:
        st.caption("With an LLM set up (see Settings), the app can also write three to five questions for this job.")
        return
    count = st.slider("How many to write", MIN_WRITTEN, MAX_WRITTEN, MIN_WRITTEN, key=f"write-n-{key}")
    if not st.button(f"Also write {count} questions for this job", icon=":material/edit_note:"):
        return
    if not choice.job:
        st.warning("Give the job a name first: the questions are marked with it.")
        return
    try:
        with st.spinner("The LLM is writing questions for this job…"):
            report = practice.write_questions(text, profile, choice.job, count)
    except (QuestionWritingError, QuestionInputError) as exc:
        st.warning(
            f"No questions were written: {ui.plain(str(exc))}. The questions above come from the built-in bank, "
            "which works offline."
        )
        return
    # Run again so the interview above lists them (its questions were chosen before they existed).
    st.session_state[WRITTEN_KEY] = report.summary()
    st.rerun()


def preview_and_start(profile: JobProfile, choice: JobChoice) -> None:
    chosen = practice.questions(profile, choice)
    st.markdown(f"**The {len(chosen)} questions it will ask**")
    mark = {True: "★ ", False: ""}
    ui.show_list([f"{mark[q.custom]}{q.text}" + (f" (for: {q.job})" if q.job else "") for q in chosen])
    if not chosen:
        st.info("No question fits these choices: add a topic, or choose both question types.")
        return
    if st.button("Start a tailored interview", type="primary", icon=":material/play_arrow:"):
        try:
            interview = practice.start(profile, choice)
        except AnswerRejected as exc:
            st.warning(ui.plain(str(exc)))
            return
        ui.go_to_interview(interview.id)


st.title("Practise for a job")
st.write(
    "Paste a job posting, or upload it. STAR Coach reads the role's level, operations topics, tools and KPIs from "
    "it on this computer, shows what it found, and builds an interview from the question bank for that job."
)
description_form()
if READ_KEY in st.session_state:
    read_text, read_profile, read_source = st.session_state[READ_KEY]
    # Widgets are keyed by the description, so a new one starts from its own findings.
    description_key = hashlib.sha256(read_text.encode("utf-8", "replace")).hexdigest()[:12]
    show_findings(read_profile, read_source)
    choice = choices(read_profile, description_key)
    preview_and_start(read_profile, choice)
    write_for_job(read_text, read_profile, choice, description_key)

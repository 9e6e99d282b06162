"""History: every answer, newest first, with filters, search, detail, delete and export."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import stories_ui, ui
from coach.history import HistoryQuery
from coach.interview import NotSaved
from coach.models import LEVEL_LABELS, TOPIC_LABELS, TYPE_LABELS, Answer

PER_PAGE = 25
GRADERS = {"all": "Any grader", "llm": "LLM", "rules": "Rules", "fallback": "Rules (LLM failed)"}
history = ui.history()


def filters() -> HistoryQuery:
    search = st.text_input("Search your answers and questions", placeholder="e.g. cycle count, supplier, OTIF")
    with st.expander("Filters"):
        left, middle, right = st.columns(3)
        topic = left.selectbox("Topic", ["all", *TOPIC_LABELS], format_func=lambda t: TOPIC_LABELS.get(t, "All topics"))
        level = middle.selectbox(
            "Level", ["all", *LEVEL_LABELS], format_func=lambda v: "All levels" if v == "all" else v
        )
        kind = right.selectbox(
            "Type", ["all", "behavioral", "case"], format_func=lambda t: TYPE_LABELS.get(t, "All types")
        )
        left, middle, right = st.columns(3)
        grader = left.selectbox("Graded by", list(GRADERS), format_func=GRADERS.get)
        low, high = middle.slider("Score", 0, 100, (0, 100))
        days = right.date_input("Dates", value=(), max_value=date.today())
    # A range picker gives (), (start,) or (start, end) while the user is still choosing.
    first, last = (*days, None, None)[:2] if isinstance(days, (tuple, list)) else (days, days)
    return HistoryQuery(search, first, last or first, topic, level, kind, grader, low, high)


def label(answer: Answer) -> str:
    grade = answer.grade
    score = f"{grade.overall}/100 · {ui.grader_label(grade)}" if grade else "not graded"
    when = answer.created_at.astimezone().strftime("%d %b %Y %H:%M")
    spoken = " · spoken" if answer.spoken else ""
    return f"{score}{spoken} · {when} · {ui.plain(ui.short(answer.question_text))}"


def detail(answer: Answer) -> None:
    ui.show_text(answer.question_text, tag="b")
    follow_up = answer.follow_up
    if follow_up is not None:
        st.caption(f"Follow-up on the {follow_up.part}")
        ui.show_text(follow_up.question, tag="i")
        if follow_up.reply is not None and follow_up.score_before is not None and follow_up.score_after is not None:
            st.caption(f"Your reply is part of the answer below: {follow_up.score_before} → {follow_up.score_after}")
        elif follow_up.status == "skipped":
            st.caption("Follow-up skipped")
    if answer.grade:
        ui.show_grade(answer, in_expander=True)
        if answer.grade.latency_ms is not None:
            st.caption(f"Graded in {answer.grade.latency_ms:.0f} ms" + _model_note(answer))
    else:
        ui.show_text(answer.graded_text)
        st.warning(ui.plain(answer.grade_error or "This answer has not been graded."))
    if answer.has_recording:
        recording(answer)
    actions(answer)
    stories_ui.save_story_button(answer)


def recording(answer: Answer) -> None:
    # Read only now, with the entry open: recordings are large, and most entries are never opened.
    kept = history.recording(answer.id)
    if kept is None:
        return
    st.audio(kept.audio, format=kept.mime)
    if st.button("Delete the recording", key=f"delete-recording-{answer.id}", icon=":material/mic_off:"):
        try:
            history.delete_recording(answer.id)
        except NotSaved as exc:
            st.warning(ui.plain(str(exc)))
            return
        st.session_state["flash"] = "Deleted the recording. The answer, its transcript and its grade are kept."
        st.rerun()


def _model_note(answer: Answer) -> str:
    grade = answer.grade
    if grade is None or grade.grader != "llm":
        return ""
    return f" by {ui.plain(grade.model or 'an LLM')}, prompt {ui.plain(grade.prompt_version or '?')}"


def actions(answer: Answer) -> None:
    left, middle, right = st.columns(3)
    if left.button("Try this question again", key=f"again-{answer.id}", icon=":material/replay:"):
        ui.practise_now(history.question_for(answer))
    middle.download_button(
        "Interview report (Markdown)",
        data=lambda: history.interview_report(answer.interview_id),
        file_name=f"star-coach-interview-{answer.interview_id[:8]}.md",
        mime="text/markdown",
        key=f"report-{answer.id}",
        on_click="ignore",
    )
    confirm_key = f"confirm-delete-{answer.id}"
    if not st.session_state.get(confirm_key):
        if right.button("Delete…", key=f"delete-{answer.id}", icon=":material/delete:"):
            st.session_state[confirm_key] = True
            st.rerun()
        return
    st.warning("Delete this answer, or the whole interview it belongs to? This cannot be undone.")
    one, whole, keep = st.columns(3)
    try:
        if one.button("Delete this answer", key=f"delete-answer-{answer.id}", type="primary"):
            history.delete_answer(answer.id)
            st.session_state["flash"] = "Deleted the answer."
            st.rerun()
        if whole.button("Delete the whole interview", key=f"delete-interview-{answer.id}"):
            count = history.delete_interview(answer.interview_id)
            st.session_state["flash"] = f"Deleted the interview and its {count} answer(s)."
            st.rerun()
    except NotSaved as exc:  # the database could not take it: said, and the answer is still there
        st.warning(ui.plain(str(exc)))
    if keep.button("Keep it", key=f"keep-{answer.id}"):
        st.session_state.pop(confirm_key, None)
        st.rerun()


def export_and_backup(query: HistoryQuery) -> None:
    st.subheader("Export and backup")
    left, middle, right = st.columns(3)
    left.download_button(
        "Answers (CSV)", data=lambda: history.export(query, "csv"), file_name="star-coach-answers.csv",
        mime="text/csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    middle.download_button(
        "Answers (JSON)", data=lambda: history.export(query, "json"), file_name="star-coach-answers.json",
        mime="application/json", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Full backup (JSON)", data=history.backup_json, file_name="star-coach-backup.json",
        mime="application/json", on_click="ignore", icon=":material/backup:",
    )  # fmt: skip
    st.caption(
        "The answer exports follow the filters above. The backup holds everything, and never the API key. "
        "Recordings stay on this computer: exports and the backup hold spoken answers' transcripts and delivery "
        "figures, not their audio."
    )


st.title("History")
if flash := st.session_state.pop("flash", None):
    st.success(flash)
query = filters()
page_key = f"page-{hash(repr(query))}"  # a new filter starts at page 1
first_page, total = history.find(query, 1, PER_PAGE)
if total == 0:
    st.info(
        "No answers match these filters." if query != HistoryQuery() else
        "No answers yet. Your answers and their grades appear here after your first interview."
    )  # fmt: skip
else:
    pages = (total + PER_PAGE - 1) // PER_PAGE
    page = st.pagination(pages, key=page_key) if pages > 1 else 1
    answers = first_page if page == 1 else history.find(query, page, PER_PAGE)[0]
    st.caption(f"{total:,} answer{'s' * (total != 1)} · page {page} of {pages}")
    for answer in answers:
        # Tracked, so an entry's detail (the highlighted answer, the grade) is built only when it is open.
        entry = st.expander(label(answer), key=f"entry-{answer.id}", on_change="rerun")
        if entry.open:
            with entry:
                detail(answer)
export_and_backup(query)

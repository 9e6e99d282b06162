"""History: past answers with their scores, newest first."""

from __future__ import annotations

import streamlit as st

import storage
from app_pages import ui

st.title("History")
answers = storage.list_recent_answers(ui.settings().db_path, limit=200, include_skipped=False)
if not answers:
    st.info("No answers yet. Your answers and their grades appear here after your first interview.")
for answer in answers:
    grade = answer.grade
    score = f"{grade.overall}/100" if grade else "not graded"
    grader = "" if grade is None else f" · {ui.grader_label(grade)}"
    when = answer.created_at.astimezone().strftime("%d %b %Y %H:%M")
    with st.expander(f"{score}{grader} · {when} · {ui.plain(ui.short(answer.question_text))}"):
        ui.show_text(answer.question_text, tag="b")
        if grade:
            ui.show_grade(answer, in_expander=True)
        else:
            ui.show_text(answer.text)
            st.warning(answer.grade_error or "This answer has not been graded.")

"""Question bank: browse the questions an interview draws from."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from coach.models import LEVEL_LABELS, TOPIC_LABELS, TYPE_LABELS
from coach.questions import filter_questions

st.title("Question bank")
questions = ui.service().all_questions()
left, middle, right = st.columns(3)
topic = left.selectbox("Topic", ["all", *TOPIC_LABELS], format_func=lambda t: TOPIC_LABELS.get(t, "All topics"))
level = middle.selectbox("Level", ["all", *LEVEL_LABELS], format_func=lambda v: "All levels" if v == "all" else v)
kind = right.selectbox("Type", ["all", "behavioral", "case"], format_func=lambda t: TYPE_LABELS.get(t, "All types"))
search = st.text_input("Search", placeholder="a word in the question")

shown = filter_questions(questions, topic=topic, level=level, kind=kind, search=search)
st.caption(f"{len(shown)} of {len(questions)} questions")
for question in shown:
    with st.expander(ui.plain(question.text[:120])):
        ui.show_text(question.text)
        st.caption(
            f"{TYPE_LABELS[question.type]} · levels: {', '.join(question.levels)} · "
            f"topics: {', '.join(TOPIC_LABELS[t] for t in question.topics)} · difficulty {question.difficulty}"
        )
        if question.strong_answer_shows:
            st.markdown("**A strong answer shows**")
            ui.show_list(list(question.strong_answer_shows))
        if question.probes:
            st.markdown("**Follow-up probes**")
            ui.show_list(list(question.probes))

"""Question bank: browse every question, practise one now, and manage the user's own."""

from __future__ import annotations

import streamlit as st

from app_pages import improve, ui
from coach.models import LEVEL_LABELS, TOPIC_LABELS, TYPE_LABELS, Question
from coach.question_io import MAX_IMPORT_BYTES, QuestionInputError
from coach.questions import filter_questions

PAGE_SIZE = 20
SOURCES = {"all": "Built-in and mine", "builtin": "Built-in", "mine": "Mine"}
library = ui.service().library


def show_question(question: Question, tab: str) -> None:
    """A question's details, hints and probes, and a button to practise it."""
    ui.show_text(question.text)
    origin = "Your question" if question.custom else "Built-in"
    st.caption(
        f"{origin} · {TYPE_LABELS[question.type]} · levels: {', '.join(question.levels)} · "
        f"topics: {', '.join(TOPIC_LABELS[t] for t in question.topics)} · difficulty {question.difficulty}"
    )
    if question.job:
        st.markdown(f"**For:** {ui.plain(question.job)}")
    if question.strong_answer_shows:
        st.markdown("**A strong answer shows**")
        ui.show_list(list(question.strong_answer_shows))
    if question.probes:
        st.markdown("**Follow-up probes**")
        ui.show_list(list(question.probes))
    if question.model_answer and st.toggle("Show a strong answer", key=f"model-{tab}-{question.id}"):
        improve.model_answer(question)
    if st.button("Practise this question now", key=f"practise-{tab}-{question.id}", icon=":material/play_arrow:"):
        ui.practise_now(question)


def browse() -> None:
    questions = library.all()
    left, middle, right = st.columns(3)
    topic = left.selectbox("Topic", ["all", *TOPIC_LABELS], format_func=lambda t: TOPIC_LABELS.get(t, "All topics"))
    level = middle.selectbox("Level", ["all", *LEVEL_LABELS], format_func=lambda v: LEVEL_LABELS.get(v, "All levels"))
    kind = right.selectbox("Type", ["all", "behavioral", "case"], format_func=lambda t: TYPE_LABELS.get(t, "All types"))
    left, right = st.columns([2, 1])
    search = left.text_input("Search", placeholder="words in the question, its hints or probes")
    source = right.selectbox("Source", list(SOURCES), format_func=SOURCES.get)
    shown = filter_questions(questions, topic=topic, level=level, kind=kind, search=search, source=source)
    st.caption(f"{len(shown)} of {len(questions)} questions")
    if not shown:
        st.info("No question matches these filters. Clear the search or choose 'All'.")
        return
    pages = (len(shown) + PAGE_SIZE - 1) // PAGE_SIZE
    page = st.pagination(pages, key=f"page-{topic}-{level}-{kind}-{source}-{search}") if pages > 1 else 1
    for question in shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        mark = "★ " if question.custom else ""
        # A search or filter that leaves one question shows it open, ready to practise.
        with st.expander(mark + ui.plain(ui.short(question.text, 120)), expanded=len(shown) == 1):
            show_question(question, "browse")


def question_form(key: str, initial: Question | None = None) -> dict | None:
    """The fields of a question as the user typed them, when the form is submitted."""
    with st.form(key):
        # No max_chars: a long paste is kept and explained, not silently cut.
        text = st.text_area("Question", value=initial.text if initial else "", help="10 to 1,000 characters")
        kind = st.radio(
            "Type",
            ["behavioral", "case"],
            index=int(initial is not None and initial.type == "case"),
            format_func=TYPE_LABELS.get,
            horizontal=True,
        )
        topics = st.multiselect(
            "Topics", list(TOPIC_LABELS), default=initial.topics if initial else [], format_func=TOPIC_LABELS.get
        )
        levels = st.multiselect(
            "Levels",
            list(LEVEL_LABELS),
            default=initial.levels if initial else list(LEVEL_LABELS),
            format_func=LEVEL_LABELS.get,
        )
        difficulty = st.select_slider("Difficulty", [1, 2, 3], value=initial.difficulty if initial else 2)
        shows = st.text_area(
            "What a strong answer shows (one a line, optional)",
            value="\n".join(initial.strong_answer_shows) if initial else "",
        )
        probes = st.text_area(
            "Follow-up probes (one a line, up to 3, optional)", value="\n".join(initial.probes) if initial else ""
        )
        model_answer = st.text_area(
            "A strong example answer (optional; shown after you have answered)",
            value=initial.model_answer if initial else "",
        )
        job = st.text_input(
            "For the job (optional; questions written for a job description carry its name)",
            value=initial.job if initial else "",
        )
        label = "Save changes" if initial else "Add question"
        if not st.form_submit_button(label, type="primary"):
            return None
    return {
        "text": text,
        "type": kind,
        "topics": topics,
        "levels": levels,
        "difficulty": difficulty,
        "strong_answer_shows": shows,
        "probes": probes,
        "model_answer": model_answer,
        "job": job,
    }


def show_problems(problems: list[str]) -> None:
    st.error("Please fix the following, then try again.")
    ui.show_list(problems)


def add_question() -> None:
    st.subheader("Add a question")
    # A new key after each success gives an empty form; after an error the typed text stays.
    generation = st.session_state.setdefault("add-form", 0)
    fields = question_form(f"add-{generation}")
    if fields is None:
        return
    try:
        question = library.add(fields)
    except QuestionInputError as exc:
        show_problems(exc.problems)
        return
    st.session_state["add-form"] = generation + 1
    # The question as the user wrote it: its id is ours, not theirs.
    added = ui.plain(ui.short(question.text, 80))
    st.session_state["flash"] = f"Added your question “{added}”. It can now come up in interviews."
    st.rerun()


def edit_or_delete(question: Question) -> None:
    show_question(question, "mine")
    toggle_key = f"editing-{question.id}"
    if st.session_state.pop("saved", None) == question.id:
        st.session_state[toggle_key] = False  # close the editor; only possible before the toggle exists
    if st.toggle("Edit", key=toggle_key):
        fields = question_form(f"edit-{question.id}", question)
        if fields is not None:
            try:
                library.update(question.id, fields)
            except QuestionInputError as exc:
                show_problems(exc.problems)
            else:
                st.session_state["flash"] = "Saved your changes."
                st.session_state["saved"] = question.id
                st.rerun()
    if st.session_state.get("confirm-delete") != question.id:
        if st.button("Delete", key=f"delete-{question.id}", icon=":material/delete:"):
            st.session_state["confirm-delete"] = question.id
            st.rerun()
        return
    st.warning("Delete this question? Past answers to it stay in your history.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", key=f"confirm-{question.id}", type="primary"):
        try:
            library.delete(question.id)
        except QuestionInputError as exc:  # the database could not take it: said, nothing lost
            st.warning(ui.plain(" ".join(exc.problems)))
            return
        st.session_state.pop("confirm-delete", None)
        st.session_state["flash"] = "Deleted the question."
        st.rerun()
    if no.button("Keep it", key=f"keep-{question.id}"):
        st.session_state.pop("confirm-delete", None)
        st.rerun()


def my_questions() -> None:
    add_question()
    mine = library.mine()
    st.subheader(f"Your questions ({len(mine)})")
    if not mine:
        st.info("You have not added any questions yet. Add the ones your target company asks, or import a file.")
    for question in mine:
        with st.expander(ui.plain(ui.short(question.text, 120))):
            edit_or_delete(question)


def import_export() -> None:
    st.subheader("Import")
    st.write(
        "A CSV file with the header "
        "`id,text,type,topics,levels,difficulty,strong_answer_shows,probes,model_answer,job` "
        "(`text` and `topics` required, the rest optional; separate list items with `|`), or a JSON list of "
        "objects with those fields. Nothing is imported unless every row is valid; questions you already have "
        "are skipped."
    )
    upload = st.file_uploader(
        "CSV or JSON file", type=["csv", "json", "txt"], max_upload_size=max(1, MAX_IMPORT_BYTES // 1_000_000)
    )
    if upload is not None and st.button("Import questions", type="primary"):
        try:
            report = library.import_file(upload.getvalue(), upload.name)
        except QuestionInputError as exc:
            st.error(f"Nothing was imported from {ui.plain(upload.name)}:")
            ui.show_list(exc.problems)
        else:
            st.success(report.summary())
            ui.show_list(report.duplicates)
    st.subheader("Export your questions")
    left, right = st.columns(2)
    left.download_button("Download CSV", library.export("csv"), "star-coach-questions.csv", "text/csv")
    right.download_button("Download JSON", library.export("json"), "star-coach-questions.json", "application/json")


st.title("Question bank")
if flash := st.session_state.pop("flash", None):
    st.success(flash)
browse_tab, mine_tab, files_tab = st.tabs(["Browse", "My questions", "Import and export"], key="bank-tab")
with browse_tab:
    browse()
with mine_tab:
    my_questions()
with files_tab:
    import_export()

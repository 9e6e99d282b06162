"""After a grade, and while answering: hints, a strong example answer, the answer in STAR order, a stronger
version from the LLM, and "try again now". Renders only; the buttons ask for work in callbacks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import streamlit as st

from app_pages import ui
from coach.grading import GradingError
from coach.highlight import COLOURS, highlighted_html, legend_html
from coach.models import Answer, Grade, Question

if TYPE_CHECKING:
    from coach.rewrite import StarOrder

ASK_STYLE = "background:#f3f4f6;border:1px dashed #9ca3af;border-radius:4px;padding:0 0.3em;font-style:italic"


def hints(question: Question) -> None:
    """The question's "a strong answer shows" hints, hidden until asked for."""
    if question.strong_answer_shows:
        with st.expander("Hints: what a strong answer shows"):
            ui.show_list(list(question.strong_answer_shows))


@st.cache_data(max_entries=500, show_spinner=False)
def _model_grade(question_id: str, text: str, model_answer: str, question_type: str) -> Grade:
    # Keyed by the texts too: an edited custom question's answer is graded afresh.
    del question_id
    # Imported here: the grader's patterns load with the first grade, not with the first page.
    from coach.grading.rules import RuleBasedGrader

    return RuleBasedGrader().grade(text, model_answer, question_type)  # type: ignore[arg-type]


def model_answer(question: Question) -> None:
    """The strong example answer with its STAR parts highlighted by our own grader."""
    grade = _model_grade(question.id, question.text, question.model_answer, question.type)
    st.html(legend_html())
    st.html(highlighted_html(question.model_answer, grade))
    st.caption(f"Our grader gives this answer {grade.overall}/100. Tell your own story; borrow its shape.")


def show_star_order(order: StarOrder) -> None:
    blocks = []
    for part in order.parts:
        asks = " ".join(f"<span style='{ASK_STYLE}'>[{html.escape(a)}]</span>" for a in part.asks)
        said = html.escape(part.text) if part.text else ""
        blocks.append(
            f"<p><b style='background:{COLOURS[part.part]};padding:0 0.3em'>{html.escape(part.heading)}</b> "
            f"{said} {asks}</p>"
        )
    st.html("".join(blocks))
    if order.left_out:
        st.caption("Not in any part (asides to cut, or to place yourself): " + ui.plain(ui.short(order.left_out, 400)))


def _write_stronger(answer: Answer, question: Question, order: StarOrder) -> None:
    writer = ui.stronger_writer()
    if writer is None:
        return
    try:
        result = writer.write(question.text, answer.graded_text, question.type, order)
    except GradingError as exc:
        st.session_state[f"stronger-{answer.id}"] = str(exc)
        return
    st.session_state[f"stronger-{answer.id}"] = result


def stronger(answer: Answer, question: Question, order: StarOrder) -> None:
    """The LLM's stronger version, written on request; numbers the answer never said are placeholders."""
    result = st.session_state.get(f"stronger-{answer.id}")
    if isinstance(result, str):
        st.warning(ui.plain(f"A stronger version could not be written: {result}. Your answer in STAR order is above."))
    elif result is not None:
        ui.show_text(result.text)
        caption = "Written by the LLM from your answer; fill each [bracket] with your own facts."
        if result.numbers_removed:
            caption += f" {result.numbers_removed} number(s) you never said were turned into [your figure]."
        st.caption(ui.plain(caption))
    label = "Write it again" if result is not None else "Write a stronger version"
    st.button(
        label,
        key=f"write-stronger-{answer.id}",
        on_click=_write_stronger,
        args=(answer, question, order),
        help="The LLM rewrites your answer in STAR order, keeping your facts; it never adds a number.",
    )


def after_grade(answer: Answer, question: Question) -> None:
    """What to learn from a graded answer: a strong example, this answer in STAR order, and a retry."""
    grade = answer.grade
    if grade is None:
        return
    if question.model_answer:
        with st.expander("See a strong answer"):
            model_answer(question)
    from coach.rewrite import star_order  # with the grader's patterns, already loaded by a grade

    order = star_order(answer.graded_text, grade, question.type)
    with st.expander("Your answer, stronger"):
        st.markdown("**Your answer in STAR order**: your own words, with what to add in [brackets].")
        show_star_order(order)
        if ui.stronger_writer() is not None:
            st.markdown("**A stronger version**")
            stronger(answer, question, order)
    if st.button(
        "Try again now", key=f"again-{answer.id}", icon=":material/replay:", help="A new attempt; this one is kept."
    ):
        ui.practise_now(question)

"""What the pages share: the cached bank and service, and safe rendering of user text."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from coach.config import Settings, load_settings
from coach.delivery import clock
from coach.grading import Deferred, make_grader
from coach.highlight import escape_markdown as plain
from coach.highlight import highlighted_html, legend_html
from coach.history import HistoryService
from coach.interview import AnswerRejected, InterviewService
from coach.models import PARTS, Answer, Delivery, Grade, Question
from coach.questions import load_bank
from coach.speech import Transcriber, VoiceStatus, make_transcriber, voice_status
from coach.star import graded_by

if TYPE_CHECKING:
    from coach.jobs.practice import JobPractice
    from coach.stronger import StrongerWriter


def settings() -> Settings:
    return load_settings()


@st.cache_resource
def bank() -> list[Question]:
    """The built-in questions, validated once per process."""
    return load_bank()


@st.cache_resource
def _service(db_path: str, grader_config: str) -> InterviewService:
    current = settings()
    return InterviewService(Path(db_path), bank(), Deferred(lambda: make_grader(current)))


def _cache_key(current: Settings, include: set[str]) -> str:
    """Settings as a cache key, so an edited secrets.toml takes effect without a restart; the API key
    enters it only as a digest."""
    key = current.openai_api_key.get_secret_value() if current.openai_api_key else ""
    return current.model_dump_json(include=include) + hashlib.sha256(key.encode()).hexdigest()


def service() -> InterviewService:
    # Keyed by the database and the grader's settings.
    current = settings()
    return _service(
        str(current.db_path), _cache_key(current, {"model", "llm_timeout", "openai_base_url", "llm_problem"})
    )


@st.cache_resource
def _voice(config: str) -> tuple[VoiceStatus, Transcriber]:
    # One transcriber per process and settings: its model loads at the first recording and is shared.
    current = settings()
    return voice_status(current), make_transcriber(current)


def voice() -> tuple[VoiceStatus, Transcriber]:
    """Whether answers can be spoken (and why not), and the transcriber that hears them."""
    include = {"openai_base_url", "llm_problem", "llm_timeout", "whisper_model", "transcribe_model"}
    return _voice(_cache_key(settings(), include))


@st.cache_resource
def _stronger_writer(config: str) -> StrongerWriter | None:
    current = settings()
    if not current.llm_configured or current.llm_problem:
        return None
    from coach.stronger import StrongerWriter  # the openai client loads only when an LLM is set up

    return StrongerWriter(current)


def stronger_writer() -> StrongerWriter | None:
    """The LLM that writes "a stronger version" of an answer, when one is configured."""
    include = {"model", "llm_timeout", "openai_base_url", "llm_problem"}
    return _stronger_writer(_cache_key(settings(), include))


def job_practice() -> JobPractice:
    """Practise for a job over this session's service and the current settings."""
    from coach.jobs.practice import JobPractice  # only the job page loads it: every other page's first load is lighter

    return JobPractice(service(), settings())


def history() -> HistoryService:
    return HistoryService(settings().db_path, service().library)


def short(text: str, limit: int = 90) -> str:
    """One line of a long text, for labels."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def practise_now(question: Question) -> None:
    """Start a one-question interview and go to it; if it cannot be saved, say why where the button was."""
    try:
        interview = service().start_with_question(question)
    except AnswerRejected as exc:
        st.warning(plain(str(exc)))
        return
    go_to_interview(interview.id)


def go_to_interview(interview_id: str) -> None:
    """Open the Practice page on this interview (its id rides in the URL, as Practice expects)."""
    st.session_state["interview_id"] = interview_id
    st.switch_page("app_pages/practice.py", query_params={"interview": interview_id})


def show_text(text: str, tag: str = "div") -> None:
    """Show user-supplied text exactly as written: escaped, never markdown or HTML."""
    st.html(f"<{tag} style='white-space:pre-wrap'>{html.escape(text)}</{tag}>")


def show_list(items: list[str]) -> None:
    if items:
        st.html("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")


def grader_label(grade: Grade) -> str:
    """A short tag for lists: LLM, rules, or rules standing in for a failed LLM."""
    return graded_by(grade, short=True)


def grader_caption(grade: Grade) -> str:
    """Which grader graded, as a caption; the model name and reason are escaped."""
    if grade.fallback_reason:
        return f"Graded by rules because {plain(grade.fallback_reason)}"
    if grade.grader == "rules":
        return "Graded by the rule-based grader (offline)"
    return f"Graded by the LLM ({plain(grade.model or 'unknown model')})"


def show_grade(answer: Answer, in_expander: bool = False) -> None:
    """The grade as the interviewer's message: score, parts, highlighted answer, suggestions."""
    grade = answer.grade
    if grade is None:
        return
    st.markdown(f"**Score: {grade.overall}/100**")
    if answer.delivery is not None:
        st.caption(f":material/mic: Spoken: {spoken_caption(answer.delivery)}")
    columns = st.columns(4)
    for column, part in zip(columns, PARTS, strict=True):
        component = grade.part(part)
        column.metric(part.title(), f"{component.score}/5" if component.present else "missing")
    st.html(legend_html())
    st.html(highlighted_html(answer.graded_text, grade))
    st.markdown("**What to work on**")
    show_list(grade.to_work_on())
    per_part = [
        f"{p.title()}: {grade.part(p).feedback or '(nothing in the answer was read as this part)'}" for p in PARTS
    ]
    if in_expander:  # Streamlit expanders do not nest
        st.markdown("**Feedback on each part**")
        show_list(per_part)
    else:
        with st.expander("Feedback on each part"):
            show_list(per_part)
    st.caption(grader_caption(grade))


def spoken_caption(delivery: Delivery) -> str:
    """The delivery figures in one line: length, pace, fillers, long pauses."""
    parts = [f"{clock(delivery.speaking_s)} spoken", f"{delivery.words} words"]
    if delivery.words_per_minute:
        parts.append(f"{delivery.words_per_minute:.0f} words a minute")
    parts.append(f"{delivery.fillers} filler{'s' if delivery.fillers != 1 else ''}")
    if delivery.timed:
        parts.append(f"{len(delivery.long_pauses)} long pause{'s' if len(delivery.long_pauses) != 1 else ''}")
    return " · ".join(parts)

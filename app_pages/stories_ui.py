"""The story bank beside other pages: "Save as a story" under a graded answer, practising a story, and the
story being practised shown beside its question."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from coach.interview import AnswerRejected
from coach.models import PARTS, Answer, Story
from coach.story_bank import StoryService

STORIES_PAGE = "app_pages/stories.py"
# (interview id, story): the story a practice interview was started for, shown beside its question. UI state
# only: the link itself is in the database, where the story's uses are counted.
PRACTISING = "practising_story"


def stories() -> StoryService:
    return StoryService(ui.settings().db_path, ui.service())


def save_story_button(answer: Answer) -> None:
    """Under a graded answer: open the Stories page with a story drafted from it, to edit and save."""
    if answer.grade is None or answer.skipped:
        return
    if st.button("Save as a story", key=f"save-story-{answer.id}", icon=":material/bookmark_add:"):
        st.switch_page(STORIES_PAGE, query_params={"from_answer": str(answer.id)})


def practise_story(story_id: int) -> None:
    """Start a one-question interview for the story and go to it; if it cannot start, say why here."""
    try:
        interview, story = stories().practise(story_id)
    except AnswerRejected as exc:
        st.warning(ui.plain(str(exc)))
        return
    st.session_state[PRACTISING] = (interview.id, story)
    ui.go_to_interview(interview.id)


def story_beside(interview_id: str) -> None:
    """The story being practised, beside the question it is practised on (closed, so it prompts, not scripts)."""
    practising = st.session_state.get(PRACTISING)
    if not practising or practising[0] != interview_id:
        return
    story: Story = practising[1]
    with st.expander(f"Your story: {ui.plain(ui.short(story.title, 80))}", icon=":material/bookmark:"):
        show_parts(story)


def show_parts(story: Story) -> None:
    for part in PARTS:
        if story.part(part):
            st.markdown(f"**{part.title()}**")
            ui.show_text(story.part(part))

"""Stories: the candidate's story bank, the questions each story answers, what the bank leaves uncovered."""

from __future__ import annotations

import streamlit as st

from app_pages import stories_ui, ui
from coach.models import COMPETENCY_LABELS, PARTS, TOPIC_LABELS, Story
from coach.stories import STORY_TARGET, Coverage
from coach.story_bank import StoryBank, StoryEntry
from coach.story_io import MAX_IMPORT_BYTES, StoryInputError

SHOWN_MATCHES = 5
PART_HELP = {
    "situation": "Where and when, the scale, and the problem (two or three sentences).",
    "task": "What you owned: your goal or target, in numbers if you can.",
    "action": "What you did, step by step, in 'I'; name the method or tool.",
    "result": "What changed, by how much and by when; what you learned.",
}
service = stories_ui.stories()


def from_answer() -> int | None:
    """The answer a story is being drafted from: its id rides in the URL, so a reload keeps the draft."""
    raw = st.query_params.get("from_answer")
    return int(raw) if raw and raw.isdigit() else None


def story_form(key: str, initial: Story | None, label: str, missing_hint: bool = False) -> dict | None:
    """The story's fields as typed, when the form is submitted."""
    with st.form(key):
        title = st.text_input("Title", value=initial.title if initial else "", help="A few words to remember it by")
        parts = {}
        for part in PARTS:
            value = initial.part(part) if initial else ""
            hint = PART_HELP[part]
            if missing_hint and not value:
                hint = f"Nothing in your answer was read as the {part}: add it. {hint}"
            parts[part] = st.text_area(part.title(), value=value, placeholder=hint)
        competencies = st.multiselect(
            "Competencies it shows",
            list(COMPETENCY_LABELS),
            default=initial.competencies if initial else [],
            format_func=COMPETENCY_LABELS.get,
        )
        topics = st.multiselect(
            "Topics it is about",
            list(TOPIC_LABELS),
            default=initial.topics if initial else [],
            format_func=TOPIC_LABELS.get,
        )
        if not st.form_submit_button(label, type="primary"):
            return None
    return {"title": title, **parts, "competencies": competencies, "topics": topics}


def show_problems(problems: list[str]) -> None:
    st.error("Please fix the following, then save again.")
    ui.show_list(problems)


def saved(story: Story) -> None:
    st.session_state["flash"] = f"Saved your story “{ui.plain(ui.short(story.title, 60))}”."
    st.rerun()


def draft_from_answer(bank: StoryBank, answer_id: int) -> None:
    st.subheader("Save your answer as a story")
    if bank.draft is None:
        st.warning(ui.plain(bank.draft_problem or "That answer cannot be made into a story."))
        if st.button("Write a story instead"):
            st.query_params.pop("from_answer", None)
            st.rerun()
        return
    st.caption(
        "Each part holds the words the grader read as that part of your answer. Edit them into the story you "
        "will tell: fill a missing part, cut what does not belong, and give it a title."
    )
    fields = story_form(f"story-from-{answer_id}", bank.draft, "Save story", missing_hint=True)
    if fields is not None:
        try:
            story = service.add(fields, source_answer_id=answer_id)
        except StoryInputError as exc:
            show_problems(exc.problems)
            return
        st.query_params.pop("from_answer", None)
        saved(story)
    if st.button("Cancel"):
        st.query_params.pop("from_answer", None)
        st.rerun()


def new_story(expanded: bool) -> None:
    # A new key after each save gives an empty form; after an error the typed text stays.
    generation = st.session_state.setdefault("story-form", 0)
    with st.expander("Write a new story", expanded=expanded, icon=":material/edit_note:"):
        fields = story_form(f"story-new-{generation}", None, "Save story")
        if fields is None:
            return
        try:
            story = service.add(fields)
        except StoryInputError as exc:
            show_problems(exc.problems)
            return
    st.session_state["story-form"] = generation + 1
    saved(story)


def show_coverage(covered: Coverage) -> None:
    low, high = STORY_TARGET
    count = f"{covered.stories} stor{'y' if covered.stories == 1 else 'ies'}"
    st.progress(min(1.0, covered.stories / low), text=f"{count}: aim for {low}-{high}")
    st.caption(
        f"Your stories can answer {covered.answerable} of the {covered.behavioural} behavioural questions in your "
        "bank. Case questions ask for an approach, not a story, and are not counted."
    )
    topics, competencies = covered.uncovered_topics, covered.uncovered_competencies
    label = (
        f"Not yet covered: {len(topics)} of {len(TOPIC_LABELS)} topics, "
        f"{len(competencies)} of {len(COMPETENCY_LABELS)} competencies"
    )
    with st.expander(label, icon=":material/checklist:"):
        left, right = st.columns(2)
        with left:
            uncovered("Topics no story covers", [TOPIC_LABELS[t] for t in topics], "topic")
        with right:
            uncovered("Competencies no story shows", [COMPETENCY_LABELS[c] for c in competencies], "competency")


def uncovered(heading: str, names: list[str], kind: str) -> None:
    st.markdown(f"**{heading}**")
    if names:
        ui.show_list(names)
    else:
        st.caption(f"None: every {kind} has a story.")


def entry_label(entry: StoryEntry) -> str:
    uses = f"told {entry.uses} time{'s' * (entry.uses != 1)}"
    answers = f"answers {len(entry.matches)} question{'s' * (len(entry.matches) != 1)}"
    return f"{ui.plain(ui.short(entry.story.title, 90))} · {uses} · {answers}"


def show_entry(entry: StoryEntry) -> None:
    story = entry.story
    shows = ", ".join(COMPETENCY_LABELS[c] for c in story.competencies) or "no competency ticked"
    about = ", ".join(TOPIC_LABELS[t] for t in story.topics) or "no topic ticked"
    st.caption(f"Shows: {shows} · Topics: {about}")
    stories_ui.show_parts(story)
    show_matches(entry)
    practise = st.button(
        "Practise this story on a new question", key=f"practise-story-{story.id}", icon=":material/play_arrow:"
    )
    if practise:
        stories_ui.practise_story(story.id or 0)
    edit(story)
    delete(story)


def show_matches(entry: StoryEntry) -> None:
    st.markdown("**Questions it can answer**")
    if not entry.matches:
        st.caption("None yet: tick the competencies this story shows, and its topics.")
        return
    shown = entry.matches[:SHOWN_MATCHES]
    if len(entry.matches) > SHOWN_MATCHES and st.toggle(
        f"Show all {len(entry.matches)}", key=f"all-matches-{entry.story.id}"
    ):
        shown = entry.matches
    for match in shown:
        ui.show_text(match.question.text)
        st.caption(f"Fit {match.score}/100: {ui.plain(match.reason())}")


def edit(story: Story) -> None:
    toggle_key = f"editing-story-{story.id}"
    if st.session_state.pop("story-saved", None) == story.id:
        st.session_state[toggle_key] = False  # close the editor; only possible before the toggle exists
    if not st.toggle("Edit", key=toggle_key):
        return
    fields = story_form(f"story-edit-{story.id}", story, "Save changes")
    if fields is None:
        return
    try:
        changed = service.update(story.id or 0, fields)
    except StoryInputError as exc:
        show_problems(exc.problems)
        return
    st.session_state["story-saved"] = story.id
    saved(changed)


def delete(story: Story) -> None:
    if st.session_state.get("confirm-delete-story") != story.id:
        if st.button("Delete", key=f"delete-story-{story.id}", icon=":material/delete:"):
            st.session_state["confirm-delete-story"] = story.id
            st.rerun()
        return
    st.warning("Delete this story? The answers you told with it stay in your history.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", key=f"confirm-delete-story-{story.id}", type="primary"):
        try:
            service.delete(story.id or 0)
        except StoryInputError as exc:  # the database could not take it: said, nothing lost
            st.warning(ui.plain(" ".join(exc.problems)))
            return
        st.session_state.pop("confirm-delete-story", None)
        st.session_state["flash"] = "Deleted the story."
        st.rerun()
    if no.button("Keep it", key=f"keep-story-{story.id}"):
        st.session_state.pop("confirm-delete-story", None)
        st.rerun()


def files() -> None:
    st.subheader("Export and import")
    left, right = st.columns(2)
    left.download_button(
        "Stories (JSON)", data=service.export_json, file_name="star-coach-stories.json",
        mime="application/json", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Stories to print (Markdown)", data=service.export_markdown, file_name="star-coach-stories.md",
        mime="text/markdown", on_click="ignore", icon=":material/print:",
    )  # fmt: skip
    st.caption("Your stories are also in the full backup on the History page.")
    upload = st.file_uploader(
        "Import stories (JSON, as exported here)", type=["json"], max_upload_size=max(1, MAX_IMPORT_BYTES // 1_000_000)
    )
    if upload is not None and st.button("Import stories", type="primary"):
        try:
            report = service.import_json(upload.getvalue())
        except StoryInputError as exc:
            st.error(f"Nothing was imported from {ui.plain(upload.name)}:")
            ui.show_list(exc.problems)
        else:
            st.session_state["flash"] = report.summary()
            st.session_state["flash-list"] = report.duplicates
            st.rerun()


st.title("Stories")
if flash := st.session_state.pop("flash", None):
    st.success(flash)
    ui.show_list(st.session_state.pop("flash-list", []))
st.write(
    "Keep the stories you tell in interviews: each with a title, its STAR parts, and the competencies and topics "
    "it shows. Each story is matched to the bank's questions it can answer."
)
answer_id = from_answer()
bank = service.bank(answer_id)
show_coverage(bank.coverage)
if answer_id is not None:
    draft_from_answer(bank, answer_id)
new_story(expanded=not bank.entries and answer_id is None)
st.subheader(f"Your stories ({len(bank.entries)})")
if not bank.entries:
    st.info("No stories yet. Write one above, or press “Save as a story” under a graded answer on Practice or History.")
for entry in bank.entries:
    with st.expander(entry_label(entry)):
        show_entry(entry)
files()

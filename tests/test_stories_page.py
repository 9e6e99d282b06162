"""The Stories page headless through AppTest, on a real database: write, save from an answer, practise, edit,
delete; and the "Save as a story" button on Practice and History."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

import storage
from coach.grading.rules import RuleBasedGrader
from coach.interview import InterviewService
from coach.questions import load_bank
from tests.app_support import APP, button, captions, html_text, new_app
from tests.storage_support import recent_answers
from tests.test_stories import ANSWER, CYCLE_COUNT

STORIES = "app_pages/stories.py"


def open_stories(at: AppTest | None = None) -> AppTest:
    return (at or new_app()).switch_page(STORIES).run()


def story_expanders(at: AppTest) -> list:
    return [e for e in at.expander if " · told " in e.label]


def fill_form(at: AppTest, fields: dict) -> None:
    next(t for t in at.text_input if t.label == "Title").set_value(fields["title"])
    for part in ("situation", "task", "action", "result"):
        next(t for t in at.text_area if t.label == part.title()).set_value(fields.get(part, ""))
    next(m for m in at.multiselect if m.label == "Competencies it shows").set_value(fields["competencies"])
    next(m for m in at.multiselect if m.label == "Topics it is about").set_value(fields["topics"])


def test_an_empty_bank_says_how_to_start(db_path: Path) -> None:
    at = open_stories()
    assert not at.exception
    assert at.title[0].value == "Stories"
    assert any("No stories yet" in i.value for i in at.info)
    assert "Your stories can answer 0 of the" in captions(at)
    assert "Write a new story" in [e.label for e in at.expander]
    assert "Inventory" in html_text(at) and "Influencing without authority" in html_text(at), "all uncovered"


def test_a_story_written_on_the_page_is_mapped_and_covers_its_topic(db_path: Path) -> None:
    at = open_stories()
    fill_form(at, CYCLE_COUNT)
    button(at, "Save story").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Saved your story “Cycle counting at the Leeds DC”."]
    [entry] = story_expanders(at)
    assert entry.label.startswith("Cycle counting at the Leeds DC · told 0 times · answers ")
    assert "Fit " in captions(at) and "“accuracy”" in captions(at)
    assert "Tell me about a time you helped improve inventory record accuracy" in html_text(at)
    [progress] = at.get("progress")
    assert progress.proto.text == "1 story: aim for 12-20"
    assert "Not yet covered: 16 of 17 topics, 14 of 17 competencies" in [e.label for e in at.expander]
    [saved] = storage.load_story_bank(db_path).stories
    assert saved.topics == ("inventory",)


def test_the_form_names_what_to_fix_and_keeps_what_was_typed(db_path: Path) -> None:
    at = open_stories()
    next(t for t in at.text_area if t.label == "Action").set_value("I recounted the cage.")
    button(at, "Save story").click()
    at.run()
    assert any("Please fix" in e.value for e in at.error)
    assert "Title: give the story a short title" in html_text(at)
    assert next(t for t in at.text_area if t.label == "Action").value == "I recounted the cage."
    assert storage.load_story_bank(db_path).stories == []


def test_user_text_is_shown_as_text(db_path: Path) -> None:
    at = open_stories()
    fill_form(at, {**CYCLE_COUNT, "title": "**Bold** <b>x</b>", "action": "<script>alert(1)</script> I did it."})
    button(at, "Save story").click()
    at.run()
    [entry] = story_expanders(at)
    assert entry.label.startswith("\\*\\*Bold\\*\\* \\<b\\>x\\</b\\>")
    body = html_text(at)
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; I did it." in body


def test_save_an_answer_as_a_story_then_practise_it_on_another_question(db_path: Path) -> None:
    bank = load_bank()
    question = next(q for q in bank if q.id == "inventory-b01")
    interviews = InterviewService(db_path, bank, RuleBasedGrader())
    interview = interviews.start_with_question(question)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["interview"] = interview.id
    at.run()
    at.chat_input[0].set_value(ANSWER).run()
    assert "Score:" in "".join(m.value for m in at.markdown)

    button(at, "Save as a story").click()
    at.run()
    assert not at.exception
    assert "Save your answer as a story" in [h.value for h in at.subheader]
    action = next(t for t in at.text_area if t.label == "Action").value
    assert action.startswith("I set up daily ABC cycle counts")
    button(at, "Save story").click()
    at.run()
    assert not at.exception and at.success
    [entry] = story_expanders(at)
    assert " · told 1 time · " in entry.label
    assert "Give me an example of reducing excess or obsolete stock" in html_text(at), "mapped to another question"
    [answer] = recent_answers(db_path)
    assert storage.load_story_bank(db_path).stories[0].source_answer_id == answer.id

    button(at, "Practise this story on a new question").click()
    at.run()
    assert not at.exception
    assert "Question 1 of 1 · Behavioural" in captions(at)
    assert any(e.label.startswith("Your story: ") for e in at.expander)
    assert "Give me an example of reducing excess or obsolete stock" in html_text(at)
    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    at.switch_page(STORIES).run()
    [entry] = story_expanders(at)
    assert " · told 2 times · " in entry.label


def test_edit_and_delete_a_story(db_path: Path) -> None:
    at = open_stories()
    fill_form(at, CYCLE_COUNT)
    button(at, "Save story").click()
    at.run()
    next(t for t in at.toggle if t.label == "Edit").set_value(True).run()
    edit_title = [t for t in at.text_input if t.label == "Title"][-1]
    assert edit_title.value == CYCLE_COUNT["title"]
    edit_title.set_value("Cycle counts, Leeds")
    button(at, "Save changes").click()
    at.run()
    assert not at.exception
    assert [e.label.split(" · ")[0] for e in story_expanders(at)] == ["Cycle counts, Leeds"]
    assert not any(t.label == "Edit" and t.value for t in at.toggle), "the editor closes once saved"

    button(at, "Delete").click()
    at.run()
    assert any("Delete this story?" in w.value for w in at.warning)
    button(at, "Yes, delete it").click()
    at.run()
    assert story_expanders(at) == [] and storage.load_story_bank(db_path).stories == []
    assert "Deleted the story." in [s.value for s in at.success]


def test_history_offers_to_save_a_graded_answer(db_path: Path) -> None:
    bank = load_bank()
    interviews = InterviewService(db_path, bank, RuleBasedGrader())
    interview = interviews.start_with_question(next(q for q in bank if q.id == "inventory-b01"))
    answered = interviews.answer(interview.id, ANSWER)
    at = new_app().switch_page("app_pages/history.py").run()
    at.session_state[f"entry-{answered.id}"] = True
    at.run()
    button(at, "Save as a story").click()
    at.run()
    assert not at.exception
    assert "Save your answer as a story" in [h.value for h in at.subheader]


def test_a_missing_answer_says_so_and_offers_a_fresh_story(db_path: Path) -> None:
    at = new_app()
    at.query_params["from_answer"] = "424242"
    at = open_stories(at)
    assert not at.exception
    assert any("no longer in your history" in w.value for w in at.warning)
    button(at, "Write a story instead").click()
    at.run()
    assert not at.warning and "Save your answer as a story" not in [h.value for h in at.subheader]

"""The Question bank page through AppTest: browse, practise now, add, edit, delete, import, export."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

import storage
from coach.questions import load_bank

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MY_QUESTION = "Tell me about a time you rebuilt the dock schedule at the Zaragoza cross-dock."


def bank_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    return at.switch_page("app_pages/question_bank.py").run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def add_form(at: AppTest, text: str, topics: list[str], levels: list[str] | None = None) -> AppTest:
    form_areas = [t for t in at.text_area if t.label == "Question"]
    form_areas[0].set_value(text)
    topic_box = next(m for m in at.multiselect if m.label == "Topics")
    topic_box.set_value(topics)
    if levels is not None:
        next(m for m in at.multiselect if m.label == "Levels").set_value(levels)
    next(b for b in at.button if b.label == "Add question").click()
    return at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error) + "\n".join(str(h.proto.body) for h in at.get("html"))


def expander_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def test_browse_filters_and_search(db_path: Path) -> None:
    at = bank_page()
    assert not at.exception
    total = next(c.value for c in at.caption if " of " in c.value and "questions" in c.value)
    assert total.startswith("241 of 241")
    next(s for s in at.selectbox if s.label == "Type").set_value("case").run()
    caption = next(c.value for c in at.caption if "questions" in c.value)
    shown = int(caption.split()[0])
    assert 60 <= shown < 241
    next(t for t in at.text_input if t.label == "Search").set_value("cycle count").run()
    caption = next(c.value for c in at.caption if "questions" in c.value)
    assert int(caption.split()[0]) < shown
    next(t for t in at.text_input if t.label == "Search").set_value("zzzz-no-such-words").run()
    assert any("No question matches" in i.value for i in at.info)


def test_probes_and_hints_are_shown_and_paging_limits_the_list(db_path: Path) -> None:
    at = bank_page()
    browse_expanders = [e for e in at.tabs[0].get("expander")]
    assert len(browse_expanders) == 20, "one page of 20, not all 241"
    html = "\n".join(str(h.proto.body) for h in at.tabs[0].get("html"))
    assert "<li>" in html
    assert any(m.value == "**Follow-up probes**" for m in at.tabs[0].get("markdown"))


def test_practise_this_question_now_starts_a_one_question_interview(db_path: Path) -> None:
    at = bank_page()
    first = at.tabs[0].get("expander")[0]
    button(at, "Practise this question now").click().run()
    assert not at.exception
    (interview,) = storage.list_interviews(db_path)
    assert len(interview.question_ids) == 1
    assert at.query_params.get("interview") in (interview.id, [interview.id])
    assert any("Question 1 of 1" in c.value for c in at.caption)
    assert first.label.rstrip("…")[:40] in "\n".join(str(h.proto.body) for h in at.get("html"))


def test_add_a_question_then_it_is_listed_and_searchable(db_path: Path) -> None:
    at = add_form(bank_page(), MY_QUESTION, ["logistics"])
    assert not at.exception
    (added,) = [s.value for s in at.success if "Added your question" in s.value]
    assert MY_QUESTION[:40] in added.replace("\\", "")
    assert storage.list_custom_questions(db_path)[0].id not in added, "no internal id in a message"
    (mine,) = storage.list_custom_questions(db_path)
    assert mine.text == MY_QUESTION and mine.topics == ("logistics",) and mine.levels == ("entry", "mid", "senior")
    assert next(t.value for t in at.text_area if t.label == "Question") == "", "the add form is emptied"
    next(s for s in at.selectbox if s.label == "Source").set_value("mine").run()
    # Listed on Browse and on My questions at once: each tab's button has its own key.
    assert not at.exception, at.exception
    assert len([b for b in at.button if b.label == "Practise this question now"]) == 2
    caption = next(c.value for c in at.caption if "questions" in c.value)
    assert caption.startswith("1 of 242")


def test_add_with_bad_input_lists_every_problem_and_keeps_the_text(db_path: Path) -> None:
    at = add_form(bank_page(), "   ", [])
    text = errors(at)
    assert "Question: write the question" in text and "Topics: choose at least one" in text
    assert storage.list_custom_questions(db_path) == []
    # A 10,000-character paste is refused with the limit, and the text stays to be trimmed.
    at = add_form(bank_page(), "Describe " + "x" * 9_991, ["risk"])
    assert "at most 1,000 characters" in errors(at)
    assert next(t.value for t in at.text_area if t.label == "Question").startswith("Describe"), "text kept"
    assert storage.list_custom_questions(db_path) == []


def test_a_duplicate_of_a_built_in_question_is_refused(db_path: Path) -> None:
    text = load_bank()[0].text
    at = add_form(bank_page(), "  " + text.upper().rstrip("?.") + "  ", ["risk"])
    assert "already a built-in question" in errors(at)
    assert storage.list_custom_questions(db_path) == []


def test_script_text_in_a_custom_question_is_shown_as_text(db_path: Path) -> None:
    hostile = "Tell me about <script>alert('x')</script> and <img src=x onerror=alert(1)> [go](javascript:alert(1))"
    at = add_form(bank_page(), hostile, ["quality"])
    assert not at.exception
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html


def test_edit_and_delete_my_question(db_path: Path) -> None:
    at = add_form(bank_page(), MY_QUESTION, ["logistics"])
    next(t for t in at.toggle if t.label == "Edit").set_value(True).run()
    edit_area = [t for t in at.text_area if t.label == "Question"][-1]
    assert edit_area.value == MY_QUESTION
    edit_area.set_value(MY_QUESTION + " What did it save?")
    button(at, "Save changes").click().run()
    assert not at.exception
    (mine,) = storage.list_custom_questions(db_path)
    assert mine.text.endswith("What did it save?")
    button(at, "Delete").click().run()
    assert any("Delete this question?" in w.value for w in at.warning)
    assert len(storage.list_custom_questions(db_path)) == 1, "not before the confirmation"
    button(at, "Keep it").click().run()
    assert len(storage.list_custom_questions(db_path)) == 1
    button(at, "Delete").click().run()
    button(at, "Yes, delete it").click().run()
    assert storage.list_custom_questions(db_path) == []
    assert any("Deleted" in s.value for s in at.success)


def test_import_all_or_nothing_then_export(db_path: Path) -> None:
    at = bank_page()
    bad = b"text,topics\nTell me about a time you cut lead time,supply_chain\nTell me about a bad one,warehousing\n"
    at.file_uploader[0].set_value(("mine.csv", bad, "text/csv")).run()
    button(at, "Import questions").click().run()
    assert not at.exception
    assert any("Nothing was imported" in e.value for e in at.error)
    assert "line 3" in errors(at) and "warehousing" in errors(at)
    assert storage.list_custom_questions(db_path) == []

    good = "\ufefftext,topics,probes\nTell me about a time you cut lead time,Supply chain,By how much? | How?\n"
    at.file_uploader[0].set_value(("mine.csv", good.encode("utf-8"), "text/csv")).run()
    button(at, "Import questions").click().run()
    assert any("Imported 1 question" in s.value for s in at.success)
    (mine,) = storage.list_custom_questions(db_path)
    assert mine.probes == ("By how much?", "How?")

    downloads = {d.proto.label: d for d in at.get("download_button")}
    assert set(downloads) == {"Download CSV", "Download JSON"}


def test_json_import_that_is_not_a_list_is_refused(db_path: Path) -> None:
    at = bank_page()
    at.file_uploader[0].set_value(("mine.json", json.dumps({"text": "x"}).encode(), "application/json")).run()
    button(at, "Import questions").click().run()
    assert "must be a list" in errors(at)
    at.file_uploader[0].set_value(("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")).run()
    button(at, "Import questions").click().run()
    assert "not a text file" in errors(at)
    assert storage.list_custom_questions(db_path) == []

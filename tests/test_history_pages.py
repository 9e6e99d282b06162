"""History, Progress and restore through AppTest, on a real database filled by the real service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage
from coach.grading.rules import RuleBasedGrader
from coach.highlight import escape_markdown
from coach.history import HistoryService
from coach.interview import InterviewService, Spoken
from coach.models import Delivery, InterviewSetup
from coach.questions import load_bank
from tests.storage_support import recent_answers

APP = str(Path(__file__).resolve().parent.parent / "app.py")
GOOD = (
    "At our Leeds DC in 2023 late orders were 4%. I owned the fix. I re-sequenced the pick waves with a "
    "Pareto of late orders. On-time shipping rose to 99% in six weeks."
)
OTHER = (
    "In 2022 at our stamping plant scrap was 6%. My goal was 3%. I ran a DMAIC project and fixed the die "
    "settings. Scrap fell to 2.5% in a quarter, saving $200k."
)


@pytest.fixture
def filled(db_path: Path) -> InterviewService:
    service = InterviewService(db_path, load_bank(), RuleBasedGrader())
    for k, texts in enumerate([(GOOD, OTHER), (OTHER, GOOD)]):
        interview = service.start(InterviewSetup(level="mid", n_questions=2, follow_ups=False), seed=k)
        for text in texts:
            service.answer(interview.id, text)
    return service


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    return at.switch_page(page).run()


def open_entries(at: AppTest, db_path: Path) -> AppTest:
    """Open every History entry, as clicking each would: their detail is built only when open."""
    for answer in recent_answers(db_path):
        at.session_state[f"entry-{answer.id}"] = True
    return at.run()


def answer_expanders(at: AppTest) -> list:
    return [e for e in at.expander if "/100" in e.label or "not graded" in e.label]


def caption_text(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_history_lists_newest_first_and_searches(filled: InterviewService) -> None:
    at = open_page("app_pages/history.py")
    assert not at.exception
    assert len(answer_expanders(at)) == 4 and "4 answers" in caption_text(at)
    at.text_input[0].set_value("DMAIC").run()
    assert "2 answers" in caption_text(at)
    at.text_input[0].set_value('"NEAR( AND *').run()  # FTS syntax is searched as text, never an error
    assert not at.exception and any("No answers match" in i.value for i in at.info)


def test_history_filters_by_score_and_grader(filled: InterviewService) -> None:
    at = open_page("app_pages/history.py")
    next(s for s in at.selectbox if s.label == "Graded by").set_value("llm").run()
    assert any("No answers match" in i.value for i in at.info)
    next(s for s in at.selectbox if s.label == "Graded by").set_value("rules").run()
    assert "4 answers" in caption_text(at)
    scores = sorted(int(e.label.split("/")[0]) for e in answer_expanders(at))
    cut = scores[1] + 1
    next(s for s in at.slider if s.label == "Score").set_value((cut, 100)).run()
    shown = [int(e.label.split("/")[0]) for e in answer_expanders(at)]
    assert shown and all(s >= cut for s in shown) and len(shown) < 4


def test_detail_shows_highlights_and_try_again_starts_an_interview(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/history.py")
    assert "data-part=" not in "\n".join(str(h.proto.body) for h in at.get("html")), "closed entries build nothing"
    open_entries(at, db_path)
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "data-part=" in html, "each answer's evidence is highlighted"
    before = len(storage.list_interviews(db_path))
    next(b for b in at.button if b.label == "Try this question again").click().run()
    assert not at.exception
    assert len(storage.list_interviews(db_path)) == before + 1
    assert any("Question 1 of 1" in c.value for c in at.caption)


def test_delete_asks_first_then_deletes_one_answer(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/history.py")
    open_entries(at, db_path)
    next(b for b in at.button if b.label == "Delete…").click().run()
    assert any("cannot be undone" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Keep it").click().run()
    assert HistoryService(db_path, filled.library).find(_all())[1] == 4
    next(b for b in at.button if b.label == "Delete…").click().run()
    next(b for b in at.button if b.label == "Delete this answer").click().run()
    assert any("Deleted the answer" in s.value for s in at.success)
    assert len(answer_expanders(at)) == 3


def test_delete_a_whole_interview(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/history.py")
    open_entries(at, db_path)
    next(b for b in at.button if b.label == "Delete…").click().run()
    next(b for b in at.button if b.label == "Delete the whole interview").click().run()
    assert any("its 2 answer(s)" in s.value for s in at.success)
    assert len(answer_expanders(at)) == 2
    assert len(storage.list_interviews(db_path)) == 1


def test_export_buttons_are_there(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/history.py")
    open_entries(at, db_path)
    labels = {d.proto.label for d in at.get("download_button")}
    assert {"Answers (CSV)", "Answers (JSON)", "Full backup (JSON)"} <= labels
    assert "Interview report (Markdown)" in labels


def test_progress_page_shows_weak_spots_and_starts_practice(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/progress.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Answers graded"] == "4"
    assert "weakest STAR part" in at.info[0].value
    assert len(at.get("arrow_vega_lite_chart")) >= 2 or len(at.get("vega_lite_chart")) >= 2
    before = len(storage.list_interviews(db_path))
    next(b for b in at.button if b.label == "Practise my weak spots").click().run()
    assert not at.exception
    assert len(storage.list_interviews(db_path)) == before + 1


def test_progress_page_when_empty(db_path: Path) -> None:
    at = open_page("app_pages/progress.py")
    assert not at.exception and "Answer a few questions first" in at.info[0].value


def test_restore_a_backup_into_an_empty_database(filled: InterviewService, db_path: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    backup = HistoryService(db_path, filled.library).backup_json().encode()
    monkeypatch.setenv("STAR_COACH_DB", str(tmp_path / "new" / "coach.db"))
    at = open_page("app_pages/settings.py")
    at.file_uploader[0].set_value(("backup.json", backup, "application/json")).run()
    next(b for b in at.button if b.label == "Restore").click().run()
    assert not at.exception
    assert any("Restored 2 interviews, 4 answers" in s.value for s in at.success)
    next(b for b in at.button if b.label == "Restore").click().run()
    assert any("needs an empty database" in e.value for e in at.error), "a second restore is refused"
    at.file_uploader[0].set_value(("x.json", json.dumps({"a": 1}).encode(), "application/json")).run()
    next(b for b in at.button if b.label == "Restore").click().run()
    assert any("not a STAR Coach backup" in e.value for e in at.error)


def _all():
    from coach.history import HistoryQuery

    return HistoryQuery()


def test_a_restore_error_quoting_the_file_shows_it_as_text(db_path: Path) -> None:
    hostile = "[click](http://e.vil) ![x](http://e.vil/x.png) :red[red]"
    backup = {"format": "star-coach-backup", "migrations": [hostile], "tables": {}}
    at = open_page("app_pages/settings.py")
    at.file_uploader[0].set_value(("b.json", json.dumps(backup).encode(), "application/json")).run()
    next(b for b in at.button if b.label == "Restore").click().run()
    (error,) = [e.value for e in at.error]
    assert error.startswith("Nothing was restored: The backup comes from a newer STAR Coach")
    # Every Markdown character of the file's text is escaped: no link, image or colour is made of it.
    assert escape_markdown(hostile) in error
    assert "](" not in error and ":red[" not in error


def test_progress_charts_pace_and_fillers_once_answers_are_spoken(filled: InterviewService, db_path: Path) -> None:
    at = open_page("app_pages/progress.py")
    assert not any(s.value.startswith("Spoken answers") for s in at.subheader)
    interview = filled.start(InterviewSetup(level="mid", n_questions=1, follow_ups=False), seed=9)
    delivery = Delivery(
        duration_s=80, speaking_s=78, timed=True, words=190, words_per_minute=146, fillers=2, fillers_per_minute=1.5
    )
    answer_id = filled.submit(interview.id, GOOD, 0, spoken=Spoken(delivery, b"RIFF", "audio/wav"))
    filled.grade_stored(interview.id, answer_id)
    at = open_page("app_pages/progress.py")
    assert not at.exception
    assert any(s.value == "Spoken answers: pace and fillers" for s in at.subheader)
    assert "120-160 words a minute" in caption_text(at)

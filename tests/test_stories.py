"""The story bank: saving, editing and deleting stories, mapping them to questions, coverage, practice and
uses, and export and import, over a real database file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import storage
from coach.export import stories_markdown
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, InterviewService
from coach.models import COMPETENCY_LABELS, TOPIC_LABELS, Question, Story
from coach.stories import StoryMatcher, competencies_of, coverage, draft_from_answer, next_question
from coach.story_bank import StoryService
from coach.story_io import StoryInputError, build_story, export_json, parse_stories
from storage.history import delete_answer, delete_interview

CYCLE_COUNT = {
    "title": "Cycle counting at the Leeds DC",
    "situation": "At our Leeds DC location accuracy was 94% and pickers kept finding empty pick faces.",
    "task": "I was asked to lift inventory record accuracy to 99% within a quarter.",
    "action": "I set up daily ABC cycle counts of the fast movers, traced errors to putaway scans and retrained "
    "the team.",
    "result": "Accuracy reached 99.3% in ten weeks and write-offs fell by $40k a year.",
    "competencies": ["continuous_improvement", "data_driven", "problem_solving"],
    "topics": ["inventory"],
}
NO_AUTHORITY = {
    "title": "New pick process without authority",
    "situation": "As a shift coordinator I had to roll out zone picking to experienced pickers who did not report "
    "to me.",
    "task": "Get both shifts on the new process within a month.",
    "action": "I asked the two most sceptical pickers to trial it with me, showed them the walking data, and let them "
    "coach the others.",
    "result": "Every picker used it within three weeks and lines per hour rose 15%.",
    "competencies": ["influence", "change_management"],
    "topics": ["leadership", "logistics"],
}
GUARD = {
    "title": "Stopped the press over a bypassed guard",
    "situation": "On night shift I saw that a machine guard on the press line had been bypassed.",
    "action": "I stopped the line, locked out the press, called maintenance and reported the near miss.",
    "result": "The guard was fixed in two hours, and near-miss reports rose 40% once the case was shared.",
    "competencies": ["safety_culture", "initiative"],
    "topics": ["safety"],
}
FAILED_KANBAN = {
    "title": "The kanban trial that failed",
    "situation": "I proposed kanban for packaging material at our plant.",
    "action": "I launched it without asking the buyers; cards went missing and we ran out of cartons twice.",
    "result": "We stopped the trial after a month. I learned to pilot with the people who run the process, and the "
    "second attempt a year later worked.",
    "competencies": ["failure", "continuous_improvement"],
    "topics": ["process_improvement"],
}
ANSWER = (
    "At our regional DC in 2023 location accuracy was 94% and pickers kept finding empty pick faces. I was asked "
    "to lift inventory record accuracy to 99% within a quarter. I set up daily ABC cycle counts of the fast movers, "
    "traced most errors to missed putaway scans with a Pareto chart and retrained the night shift. Within ten weeks "
    "accuracy reached 99.3% and write-offs fell by $40,000 a year."
)


@pytest.fixture
def interviews(db_path: Path, bank: list[Question]) -> InterviewService:
    return InterviewService(db_path, bank, RuleBasedGrader())


@pytest.fixture
def stories(db_path: Path, interviews: InterviewService) -> StoryService:
    return StoryService(db_path, interviews)


def by_id(bank: list[Question]) -> dict[str, Question]:
    return {q.id: q for q in bank}


def answer_question(interviews: InterviewService, question: Question, text: str = ANSWER) -> int:
    interview = interviews.start_with_question(question)
    return interviews.answer(interview.id, text).id


def _count(db_path: Path, sql: str) -> int:
    with sqlite3.connect(db_path) as con:
        return con.execute(sql).fetchone()[0]


# -- saving, editing, deleting ----------------------------------------------------------


def test_a_story_is_saved_edited_and_deleted(stories: StoryService, db_path: Path) -> None:
    saved = stories.add(CYCLE_COUNT)
    [entry] = stories.bank().entries
    assert entry.story == saved.model_copy(
        update={"created_at": entry.story.created_at, "updated_at": entry.story.updated_at}
    )
    assert entry.story.competencies == ("continuous_improvement", "data_driven", "problem_solving")
    assert entry.uses == 0

    changed = stories.update(saved.id or 0, {**CYCLE_COUNT, "title": "Cycle counts", "topics": "Inventory | Quality"})
    [entry] = stories.bank().entries
    assert entry.story.title == "Cycle counts" and entry.story.topics == ("inventory", "quality")
    assert entry.story.action == changed.action == CYCLE_COUNT["action"]
    assert entry.story.updated_at is not None and entry.story.created_at is not None
    assert entry.story.updated_at >= entry.story.created_at

    assert stories.delete(saved.id or 0) is True
    assert stories.bank().entries == []
    assert stories.delete(saved.id or 0) is False
    with pytest.raises(StoryInputError, match="no longer exists"):
        stories.update(saved.id or 0, CYCLE_COUNT)


def test_the_form_names_every_problem(stories: StoryService) -> None:
    with pytest.raises(StoryInputError) as caught:
        stories.add({"title": " ", "competencies": "bravery, Influencing without authority", "topics": ["space"]})
    problems = caught.value.problems
    assert any(p.startswith("Title:") for p in problems)
    assert any(p.startswith("Competencies: unknown 'bravery'") for p in problems)
    assert any(p.startswith("Topics: unknown 'space'") for p in problems)
    assert any("at least one of situation, task, action and result" in p for p in problems)
    with pytest.raises(StoryInputError, match="Situation: at most 5,000 characters"):
        build_story({"title": "Long", "situation": "x" * 5001})
    with pytest.raises(StoryInputError, match="control characters"):
        build_story({"title": "Bell\x07", "action": "I did it."})
    assert stories.bank().entries == []


def test_names_or_keys_name_competencies_and_topics() -> None:
    story = build_story(
        {
            "title": "Names",
            "action": "I did it.",
            "competencies": "Influencing without authority; leading-people\nSafety first",
            "topics": ["Process improvement", "Process improvement (Lean, Six Sigma)", "supply chain"],
        }
    )
    assert story.competencies == ("influence", "leading_people", "safety_culture")
    assert story.topics == ("process_improvement", "supply_chain")


def test_deleting_answers_interviews_and_stories_keeps_the_rest_consistent(
    stories: StoryService, interviews: InterviewService, db_path: Path, bank: list[Question]
) -> None:
    question = by_id(bank)["inventory-b01"]
    answer_id = answer_question(interviews, question)
    from_answer = stories.add(CYCLE_COUNT, source_answer_id=answer_id)
    practice, _ = stories.practise(from_answer.id or 0)
    interviews.answer(practice.id, ANSWER)
    [entry] = stories.bank().entries
    assert entry.uses == 2, "told in the answer it came from and in one practice"

    assert delete_answer(db_path, answer_id)
    [entry] = stories.bank().entries
    assert entry.story.source_answer_id is None and entry.uses == 1
    assert delete_interview(db_path, practice.id) == 1
    assert stories.bank().entries[0].uses == 0
    assert _count(db_path, "select count(*) from story_practice") == 0

    again, _ = stories.practise(from_answer.id or 0)
    assert stories.delete(from_answer.id or 0)
    assert _count(db_path, "select count(*) from story_practice") == 0
    assert storage.get_interview(db_path, again.id) is not None, "the practice interview stays in the history"
    with sqlite3.connect(db_path) as con:
        assert con.execute("pragma foreign_key_check").fetchall() == []


# -- mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "best", "also"),
    [
        (CYCLE_COUNT, "inventory-b01", "inventory-b06"),
        (NO_AUTHORITY, "leadership-b01", "technology-b07"),
        (GUARD, "safety-b01", "safety-b02"),
        (FAILED_KANBAN, "process_improvement-b08", "process_improvement-b06"),
    ],
    ids=["cycle-count", "no-authority", "guard", "failed-kanban"],
)
def test_a_story_maps_first_to_the_question_it_plainly_answers(
    bank: list[Question], fields: dict, best: str, also: str
) -> None:
    matches = StoryMatcher(bank).matches(build_story(fields))
    assert matches[0].question.id == best
    assert also in [m.question.id for m in matches]
    assert all(m.question.type == "behavioral" for m in matches), "case questions ask for an approach"
    assert all(m.competencies for m in matches), "every match shows something the question asks for"
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert 3 <= len(matches) <= 25, "a story answers several questions, not the whole bank"


def test_a_match_says_what_it_rests_on(bank: list[Question]) -> None:
    [best, *_] = StoryMatcher(bank).matches(build_story(CYCLE_COUNT))
    assert best.topics == ("inventory",)
    assert "continuous_improvement" in best.competencies
    assert {"accuracy", "cycle"} <= set(best.words)
    assert best.reason().startswith("Continuous improvement")
    assert "“accuracy”" in best.reason()


def test_a_story_maps_only_where_it_shows_what_is_asked(bank: list[Question]) -> None:
    matcher = StoryMatcher(bank)
    guard = {m.question.id for m in matcher.matches(build_story(GUARD))}
    assert not any(q.startswith(("cost_budgeting", "inventory", "data_kpis")) for q in guard)
    # The same words and topic, but no competency ticked: nothing is claimed.
    assert matcher.matches(build_story({**CYCLE_COUNT, "competencies": []})) == []


def test_question_competencies_read_from_their_wording(bank: list[Question]) -> None:
    questions = by_id(bank)
    expected = {
        "leadership-b01": {"influence", "change_management", "leading_people"},
        "safety-b01": {"safety_culture", "initiative"},
        "process_improvement-b08": {"failure", "continuous_improvement"},
        "communication-b03": {"communication", "failure"},
        "leadership-b06": {"conflict", "leading_people"},
        "quality-b08": {"collaboration", "problem_solving"},
    }
    for question_id, wanted in expected.items():
        assert wanted <= set(competencies_of(questions[question_id])), question_id
    assert all(competencies_of(q) for q in bank if q.type == "behavioral"), "every behavioural question asks for one"


def test_coverage_names_what_no_story_covers(bank: list[Question]) -> None:
    matcher = StoryMatcher(bank)
    written = [build_story(f) for f in (CYCLE_COUNT, NO_AUTHORITY)]
    covered = coverage(written, [matcher.matches(s) for s in written], len(matcher.questions))
    assert covered.stories == 2 and not covered.target_reached
    assert "inventory" not in covered.uncovered_topics and "safety" in covered.uncovered_topics
    assert len(covered.uncovered_topics) == len(TOPIC_LABELS) - 3
    assert "influence" not in covered.uncovered_competencies and "conflict" in covered.uncovered_competencies
    assert len(covered.uncovered_competencies) == len(COMPETENCY_LABELS) - 5
    answerable = {m.question.id for s in written for m in matcher.matches(s)}
    assert covered.answerable == len(answerable) and 0 < covered.answerable < covered.behavioural
    assert covered.behavioural == sum(q.type == "behavioral" for q in bank)


# -- from an answer -------------------------------------------------------------------


def test_a_story_drafted_from_a_graded_answer(
    stories: StoryService, interviews: InterviewService, bank: list[Question]
) -> None:
    question = by_id(bank)["inventory-b01"]
    answer_id = answer_question(interviews, question)
    draft = stories.bank(from_answer=answer_id).draft
    assert draft is not None and draft.id is None and draft.source_answer_id == answer_id
    # Each part is the words the grade credited to it, in order; nothing is invented.
    assert draft.situation.startswith("At our regional DC in 2023")
    assert "I set up daily ABC cycle counts" in draft.action
    assert "accuracy reached 99.3%" in draft.result
    for part in ("situation", "task", "action", "result"):
        assert all(sentence in ANSWER for sentence in draft.part(part).split(". ") if sentence), part
    assert draft.topics == question.topics and draft.competencies == competencies_of(question)
    assert draft.title and len(draft.title) <= 61
    saved = stories.add(draft.model_dump(), source_answer_id=answer_id)
    [entry] = stories.bank().entries
    assert entry.story.id == saved.id and entry.uses == 1
    assert "inventory-b02" in [m.question.id for m in entry.matches], "mapped to another question"


def test_no_draft_from_an_ungraded_skipped_or_missing_answer(
    stories: StoryService, interviews: InterviewService, bank: list[Question], db_path: Path
) -> None:
    question = by_id(bank)["inventory-b01"]
    interview = interviews.start_with_question(question)
    ungraded = interviews.submit(interview.id, ANSWER)
    assert stories.bank(from_answer=ungraded).draft_problem == (
        "That answer has no grade yet, so its STAR parts are not known; grade it first."
    )
    assert "no longer in your history" in (stories.bank(from_answer=987_654).draft_problem or "")
    skipped_in = interviews.start_with_question(question)
    interviews.skip(skipped_in.id)
    [skipped] = storage.list_answers(db_path, skipped_in.id)
    assert draft_from_answer(skipped, question) is None


def test_an_answer_with_no_credited_words_goes_whole_into_the_situation(
    interviews: InterviewService, db_path: Path, bank: list[Question]
) -> None:
    question = by_id(bank)["inventory-b01"]
    answer_id = answer_question(interviews, question, "Honestly, well, um, you know.")
    [answer] = [a for i in storage.list_interviews(db_path) for a in storage.list_answers(db_path, i.id)]
    assert answer.id == answer_id and answer.grade is not None
    bare = answer.model_copy(
        update={
            "grade": answer.grade.model_copy(
                update={
                    p: answer.grade.part(p).model_copy(update={"evidence": []})
                    for p in ("situation", "task", "action", "result")
                }
            )
        }
    )
    draft = draft_from_answer(bare, question)
    assert draft is not None and draft.situation == "Honestly, well, um, you know." and not draft.action


# -- practising ---------------------------------------------------------------------------


def test_practising_a_story_picks_a_new_question_each_time_and_counts_its_uses(
    stories: StoryService, interviews: InterviewService, bank: list[Question], db_path: Path
) -> None:
    question = by_id(bank)["inventory-b01"]
    source = answer_question(interviews, question)
    story = stories.add(CYCLE_COUNT, source_answer_id=source)
    matches = stories.bank().entries[0].matches
    assert matches[0].question.id == "inventory-b01"

    first, shown = stories.practise(story.id or 0)
    assert shown.id == story.id
    assert first.question_ids == (matches[1].question.id,), "the best match not yet told with this story"
    interviews.answer(first.id, ANSWER)
    second, _ = stories.practise(story.id or 0)
    assert second.question_ids == (matches[2].question.id,)
    interviews.skip(second.id)  # a skipped question is offered, not told: it is not a use
    [entry] = stories.bank().entries
    assert entry.uses == 2
    record = storage.load_story_bank(db_path)
    assert record.questions_used[story.id or 0] == {"inventory-b01", matches[1].question.id, matches[2].question.id}


def test_once_every_match_is_used_practice_goes_round_again(bank: list[Question]) -> None:
    matches = StoryMatcher(bank).matches(build_story(GUARD))
    assert next_question(matches, [m.question.id for m in matches]) == matches[0].question
    assert next_question([], []) is None


def test_a_story_that_matches_nothing_or_is_gone_cannot_be_practised(stories: StoryService) -> None:
    lonely = stories.add({"title": "Untagged", "action": "I did a thing."})
    with pytest.raises(AnswerRejected, match="tick the competencies"):
        stories.practise(lonely.id or 0)
    with pytest.raises(AnswerRejected, match="no longer exists"):
        stories.practise(424242)


def test_a_story_can_be_practised_on_the_candidates_own_question(
    stories: StoryService, interviews: InterviewService
) -> None:
    interviews.library.add(
        {"text": "Tell me how you handled a forklift near miss at the Zaragoza cross-dock.", "topics": ["safety"]}
    )
    story = stories.add({**GUARD, "action": GUARD["action"] + " It was a forklift near miss at Zaragoza."})
    [entry] = stories.bank().entries
    mine = [m for m in entry.matches if m.question.custom]
    assert mine and "zaragoza" in mine[0].words
    interview, _ = stories.practise(story.id or 0)
    assert interview.question_ids == (entry.matches[0].question.id,)


# -- export and import ----------------------------------------------------------------------


def test_export_and_import_round_trip(stories: StoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = {
        **NO_AUTHORITY,
        "title": "<script>alert(1)</script> **Zürich** 🚚",
        "action": "# Not a heading\n- not a list\nI said “yes” & [clicked](http://x).",
    }
    for fields in (CYCLE_COUNT, hostile, GUARD):
        stories.add(fields)
    exported = stories.export_json()
    items = json.loads(exported)
    assert [i["title"] for i in items] == [CYCLE_COUNT["title"], hostile["title"], GUARD["title"]]
    assert set(items[0]) == {
        "title",
        "situation",
        "task",
        "action",
        "result",
        "competencies",
        "topics",
        "created_at",
        "updated_at",
    }

    other = tmp_path / "other" / "coach.db"
    monkeypatch.setenv("STAR_COACH_DB", str(other))
    elsewhere = StoryService(other, InterviewService(other, stories.interviews.library.bank, RuleBasedGrader()))
    report = elsewhere.import_json(exported.encode("utf-8"))
    assert report.added == 3 and report.duplicates == []
    assert elsewhere.export_json() == exported, "what goes out comes back in, times and all"
    again = elsewhere.import_json(exported.encode("utf-8"))
    assert again.added == 0 and len(again.duplicates) == 3
    assert again.summary() == "Imported 0 stories; skipped 3 already in your bank."


def test_an_import_is_all_or_nothing_and_names_each_bad_story(stories: StoryService) -> None:
    good = json.loads(export_json([build_story(CYCLE_COUNT)]))[0]
    items = [
        good,
        {**good, "title": ""},
        {**good, "title": "Tagged wrongly", "competencies": ["bravery"]},
        {**good, "title": "Extra", "colour": "blue"},
        "just text",
        {**good, "title": "Bad time", "created_at": "yesterday"},
    ]
    with pytest.raises(StoryInputError) as caught:
        stories.import_json(json.dumps(items).encode())
    problems = caught.value.problems
    assert problems[0].startswith("story 2: Title:")
    assert problems[1].startswith("story 3 (“Tagged wrongly”): Competencies: unknown 'bravery'")
    assert problems[2] == "story 4 (“Extra”): unknown field(s) 'colour'"
    assert problems[3].startswith("story 5: each item must be an object")
    assert problems[4].startswith("story 6 (“Bad time”): Created: 'yesterday' is not a date")
    assert stories.bank().entries == [], "nothing was added"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON"),
        (b'{"title": "x"}', "a JSON list of stories"),
        (b"[]", "holds no stories"),
        (b"[1, 2,", "line 1: not valid JSON"),
        (b"\xff\xfe\x00", "not a UTF-8 text file"),
        (b"[" + b"{}," * 500 + b"{}]", "the limit is 500"),
    ],
)
def test_an_import_refuses_what_is_not_a_story_file(stories: StoryService, data: bytes, message: str) -> None:
    with pytest.raises(StoryInputError, match=message):
        parse_stories(data)


def test_the_printable_export_quotes_user_text(stories: StoryService) -> None:
    stories.add({**CYCLE_COUNT, "title": "# Heading <b>bold</b> *x*", "result": "- 20% fewer [errors](http://x)"})
    text = stories.export_markdown()
    assert text.startswith("# My STAR stories\n\n1 story.\n")
    assert "## \\# Heading \\<b\\>bold\\</b\\> \\*x\\*" in text
    assert "> \\- 20% fewer \\[errors\\](http://x)" in text
    assert "Shows: Continuous improvement, Data-driven decisions, Problem solving and root cause." in text
    assert "Told 0 times." in text
    assert "Questions it can answer:\n\n- Tell me about a time you helped improve inventory record accuracy" in text
    assert stories_markdown([]) == "# My STAR stories\n\n0 stories.\n"


def test_stories_survive_a_backup_and_restore(
    stories: StoryService, interviews: InterviewService, bank: list[Question], db_path: Path, tmp_path: Path
) -> None:
    from coach.history import HistoryService

    source = answer_question(interviews, by_id(bank)["inventory-b01"])
    story = stories.add(CYCLE_COUNT, source_answer_id=source)
    practice, _ = stories.practise(story.id or 0)
    interviews.answer(practice.id, ANSWER)
    data = HistoryService(db_path, interviews.library).backup_json().encode()
    target = tmp_path / "restored" / "coach.db"
    counts = HistoryService(target, interviews.library).restore_json(data)
    assert counts["stories"] == 1 and counts["story_practice"] == 1
    restored = StoryService(target, InterviewService(target, bank, RuleBasedGrader())).bank()
    assert [(e.story, e.uses) for e in restored.entries] == [(e.story, e.uses) for e in stories.bank().entries]
    assert restored.entries[0].uses == 2


def test_a_story_read_back_from_the_database_is_the_one_saved(db_path: Path) -> None:
    story = Story(
        title="Read back", action="I did it.", competencies=("influence",), topics=("safety",), source_answer_id=7
    )
    [story_id] = storage.add_stories(db_path, [story])
    [back] = storage.load_story_bank(db_path).stories
    assert back.id == story_id and back.source_answer_id is None, "an answer not in this database is not linked"
    assert back.model_dump(exclude={"id", "created_at", "updated_at", "source_answer_id"}) == story.model_dump(
        exclude={"id", "created_at", "updated_at", "source_answer_id"}
    )


def test_the_readme_states_the_matching_as_the_code_does() -> None:
    from coach.stories import MATCH_THRESHOLD, STORY_TARGET, WEIGHTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your stories") : readme.index("## History, progress and your data")]
    assert len(COMPETENCY_LABELS) == 17 and "a fixed list of seventeen" in section
    stated = (WEIGHTS["competencies"], WEIGHTS["topic"], WEIGHTS["words"], MATCH_THRESHOLD)
    assert stated == (0.45, 0.3, 0.25, 0.5)
    assert "(45%), a shared topic (30%)" in section and "(25%); 50 and above is a match" in section
    assert f"{STORY_TARGET[0]}-{STORY_TARGET[1]} stories" in section


def test_the_same_story_is_not_saved_twice(stories: StoryService) -> None:
    stories.add(CYCLE_COUNT)
    with pytest.raises(StoryInputError, match="you already have this story"):
        stories.add({**CYCLE_COUNT, "title": "cycle counting at the LEEDS DC!", "competencies": []})
    assert len(stories.bank().entries) == 1

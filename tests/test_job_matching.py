"""Choosing the bank's questions for a job, and starting the tailored interview."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import storage
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, InterviewService
from coach.jobs.matching import best_questions, topic_weights
from coach.jobs.practice import JobChoice, JobPractice
from coach.jobs.profile import JobProfile, read_job_description
from coach.library import QuestionLibrary
from coach.models import Question
from tests.test_job_reading import BULLETS, HTML

LEVELS = ("entry", "mid", "senior")


@pytest.fixture(scope="module")
def logistics(bank: list[Question]) -> JobProfile:
    return read_job_description(BULLETS, bank)


def settings_for(db_path: Path):
    from coach.config import Settings

    return Settings(db_path=db_path)


@pytest.fixture
def practice(db_path: Path, bank: list[Question]) -> JobPractice:
    return JobPractice(InterviewService(db_path, bank, RuleBasedGrader()), settings_for(db_path))


def test_ten_distinct_questions_at_the_level_on_the_jobs_topics(logistics: JobProfile, bank: list[Question]) -> None:
    chosen = best_questions(logistics, bank, n=10)
    assert len(chosen) == len({q.id for q in chosen}) == 10
    assert all(logistics.level in q.levels for q in chosen)
    assert all(set(q.topics) & set(logistics.suggested_topics) for q in chosen)


def test_questions_spread_over_the_topics_main_one_most(logistics: JobProfile, bank: list[Question]) -> None:
    chosen = best_questions(logistics, bank, n=10)
    weights = topic_weights(logistics)
    main = Counter(max((t for t in q.topics if t in weights), key=weights.__getitem__) for q in chosen)
    assert len(main) >= 3, "ten questions cover several of the job's topics"
    assert main.most_common(1)[0][0] == "logistics"
    assert main["logistics"] <= 5


def test_the_candidates_choices_win(logistics: JobProfile, bank: list[Question]) -> None:
    chosen = best_questions(logistics, bank, n=4, level="senior", topics=["safety"], question_type="case")
    assert chosen and all(q.type == "case" and "safety" in q.topics for q in chosen)
    assert all({"senior", "mid"} & set(q.levels) for q in chosen)


def test_too_few_at_the_level_widens_to_the_next_level(logistics: JobProfile, bank: list[Question]) -> None:
    at_level = [q for q in bank if "safety" in q.topics and "entry" in q.levels]
    chosen = best_questions(logistics, bank, n=len(at_level) + 3, level="entry", topics=["safety"])
    assert len(chosen) == len(at_level) + 3
    assert {q.id for q in at_level} <= {q.id for q in chosen}, "those at the level come first"
    assert all(set(q.levels) & {"entry", "mid"} for q in chosen), "then the next level up, never two away"


def test_answered_questions_give_way_to_fresh_ones(logistics: JobProfile, bank: list[Question]) -> None:
    first = best_questions(logistics, bank, n=5)
    again = best_questions(logistics, bank, n=5, answered=[q.id for q in first])
    assert not {q.id for q in first} & {q.id for q in again}


def test_the_jobs_own_questions_come_first(logistics: JobProfile, bank: list[Question]) -> None:
    own = Question(
        id="my-freight-tender",
        text="Walk me through the freight tender you would run for our 40 LTL lanes in your first quarter.",
        type="case",
        topics=("logistics",),
        levels=("senior",),
        job="Logistics Manager",
        custom=True,
    )
    other_job = own.model_copy(update={"id": "my-other", "text": "Another job's question on freight.", "job": "X"})
    chosen = best_questions(logistics, [*bank, other_job, own], n=10, job="Logistics Manager")
    assert chosen[0] == own, "its own question, though written for another level"
    assert other_job not in chosen[:1]
    assert len(chosen) == 10


def test_an_unknown_topic_set_by_hand_still_counts(logistics: JobProfile) -> None:
    weights = topic_weights(logistics, ["sustainability", "logistics"])
    assert weights["logistics"] == 1.0 and weights["sustainability"] == 0.5


# -- the flow the page uses ---------------------------------------------------------------


def test_start_asks_the_previewed_questions_in_order(practice: JobPractice, db_path: Path) -> None:
    profile = practice.read(HTML)
    choice = JobChoice.from_profile(profile, n_questions=6)
    assert choice.job == "Warehouse Supervisor" and choice.level == "entry"
    preview = practice.questions(profile, choice)
    interview = practice.start(profile, choice)
    assert interview.question_ids == tuple(q.id for q in preview)
    assert interview.setup.level == "entry" and interview.setup.topics == choice.topics
    assert interview.setup.n_questions == 6
    state = practice.service.state(interview.id)
    assert state is not None and state.current_question == preview[0]


def test_nothing_to_ask_is_said(practice: JobPractice) -> None:
    profile = practice.read(HTML)
    empty = QuestionLibrary(practice.service.db_path, [])
    practice.service.library = empty
    with pytest.raises(AnswerRejected, match="No question fits"):
        practice.start(profile, JobChoice.from_profile(profile))


def test_choosing_works_from_the_bank_when_the_database_cannot_be_read(bank: list[Question], tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-not-a-database"
    folder.mkdir()
    practice = JobPractice(InterviewService(folder, bank, RuleBasedGrader()), settings_for(folder))
    profile = practice.read(BULLETS)
    with pytest.raises(storage.StorageUnavailable):
        storage.custom_questions_and_answered(folder)
    assert len(practice.questions(profile, JobChoice.from_profile(profile))) == 10


def test_one_read_gives_the_candidates_questions_and_what_they_answered(practice: JobPractice, db_path: Path) -> None:
    profile = practice.read(BULLETS)
    first = practice.start(profile, JobChoice.from_profile(profile, n_questions=2))
    state = practice.service.state(first.id)
    assert state is not None
    question = state.current_question
    assert question is not None
    practice.service.library.add({"text": "Tell me about your best day in transport.", "topics": "logistics"})
    practice.service.answer(first.id, "At our DC in 2023 I re-planned the carriers' pickups. " * 3, 0)
    mine, answered = storage.custom_questions_and_answered(db_path)
    assert [q.text for q in mine] == ["Tell me about your best day in transport."]
    assert answered == {question.id}

"""Follow-up questions: chosen for a weakness the grade claims, asked once, replied to and re-graded."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage
from coach.config import Settings
from coach.follow_up import choose_follow_up, weakest_part
from coach.grading import FallbackGrader
from coach.grading.llm import LLMGrader
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, InterviewService
from coach.models import PARTS, InterviewSetup, Question
from tests.llm_server import FakeOpenAIServer, completion, grade_json, running_server

APP = str(Path(__file__).resolve().parent.parent / "app.py")
WEAK = "I think communication is really important and I always try to keep everyone informed about things."
RESULT_REPLY = (
    "At our Leeds DC in 2023 late orders hit 4%. I owned the fix. I re-sequenced the pick waves. "
    "Within six weeks on-time shipping rose from 96% to 99.2% and overtime fell 20%."
)
STRONG = (
    "At our 120-person distribution centre in 2023, 4% of orders shipped late. I was responsible for getting "
    "on-time shipping back above 98% before peak. I ran a Pareto of late orders, moved the pick waves and "
    "cross-trained six packers. Within eight weeks on-time shipping reached 98.6% and overtime fell by 20%."
)


def question(probes: tuple[str, ...] = ("What was the result?",)) -> Question:
    return Question(
        id="q1",
        text="Tell me about a time you improved on-time shipping.",
        type="behavioral",
        topics=("logistics",),
        levels=("mid",),
        probes=probes,
    )


@pytest.fixture
def service(db_path: Path) -> InterviewService:
    return InterviewService(db_path, [question()], RuleBasedGrader())


def test_the_follow_up_asks_about_the_first_claimed_weakness() -> None:
    grade = RuleBasedGrader().grade(question().text, WEAK)
    assert weakest_part(grade) is not None
    claimed = next(a for a in grade.advice if a.part in PARTS)
    choice = choose_follow_up(grade, question(("What did you do first?", "What was the result?")))
    assert choice is not None and choice.part == claimed.part
    strong = RuleBasedGrader().grade(question().text, STRONG)
    assert weakest_part(strong) is None and choose_follow_up(strong, question()) is None


def test_a_template_asks_for_facts_when_no_probe_fits() -> None:
    grade = RuleBasedGrader().grade(question().text, WEAK)
    choice = choose_follow_up(grade, question(probes=()))
    assert choice is not None and choice.source == "rules" and choice.question.endswith("?")


def test_the_llm_follow_up_is_used_when_the_llm_graded() -> None:
    grade = (
        RuleBasedGrader()
        .grade(question().text, WEAK)
        .model_copy(update={"grader": "llm", "follow_up": "What changed in numbers after your change?"})
    )
    choice = choose_follow_up(grade, question())
    assert choice is not None and choice.source == "llm" and choice.question.startswith("What changed")


def test_weak_answer_gets_one_follow_up_then_regrade(service: InterviewService, db_path: Path) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    first = service.answer(interview.id, WEAK)
    assert first.grade is not None and first.follow_up is not None
    state = service.state(interview.id)
    assert state is not None and not state.done and state.pending_follow_up == first.follow_up
    with pytest.raises(AnswerRejected, match="follow-up"):
        service.skip(interview.id, 1)

    answer_id = service.reply_to_follow_up(interview.id, first.follow_up.id, RESULT_REPLY)
    regraded = service.grade_stored(interview.id, answer_id)
    assert regraded.graded_text == WEAK + "\n\n" + RESULT_REPLY and regraded.text == WEAK, "the reply kept apart"
    follow_up = regraded.follow_up
    assert follow_up is not None and follow_up.status == "answered" and follow_up.reply == RESULT_REPLY
    assert follow_up.score_before == first.grade.overall
    assert follow_up.score_after == regraded.grade.overall > first.grade.overall
    assert service.state(interview.id).done, "one follow-up only, then the interview moves on"
    with pytest.raises(AnswerRejected):
        service.reply_to_follow_up(interview.id, follow_up.id, "again")


def test_follow_ups_switched_off(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1, follow_ups=False))
    answer = service.answer(interview.id, WEAK)
    assert answer.follow_up is None
    assert service.state(interview.id).done


def test_strong_answer_gets_no_follow_up(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    assert service.answer(interview.id, STRONG).follow_up is None


def test_skip_follow_up_moves_on(service: InterviewService, db_path: Path) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    answer = service.answer(interview.id, WEAK)
    service.skip_follow_up(interview.id, answer.follow_up.id)
    state = service.state(interview.id)
    assert state.done and state.answers[0].follow_up.status == "skipped"
    assert state.answers[0].text == WEAK
    with pytest.raises(AnswerRejected):
        service.skip_follow_up(interview.id, answer.follow_up.id)


def test_empty_or_too_long_reply_is_refused(service: InterviewService) -> None:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    answer = service.answer(interview.id, WEAK)
    with pytest.raises(AnswerRejected, match="empty"):
        service.reply_to_follow_up(interview.id, answer.follow_up.id, "  ")
    with pytest.raises(AnswerRejected, match="too long"):
        service.reply_to_follow_up(interview.id, answer.follow_up.id, "x" * 19_990)
    assert service.state(interview.id).pending_follow_up is not None, "still awaiting a reply"


def test_the_llm_follow_up_comes_through_the_real_client(db_path: Path) -> None:
    with running_server() as server:
        server.responder = lambda r: completion(
            grade_json(
                WEAK,
                scores={"situation": 0, "task": 1, "action": 2, "result": 0},
                follow_up="What was the measurable result, and over what period?",
            )
        )
        settings = Settings(db_path=db_path, model="test-model", openai_base_url=server.url)
        grader = FallbackGrader(LLMGrader(settings), RuleBasedGrader())
        service = InterviewService(db_path, [question()], grader)
        interview = service.start(InterviewSetup(level="mid", n_questions=1))
        answer = service.answer(interview.id, WEAK)
    assert answer.grade.grader == "llm"
    assert answer.follow_up.source == "llm" and answer.follow_up.question.startswith("What was the measurable")
    assert len(server.requests) == 1, "the follow-up rides in the grade's one request"


# -- in the app ----------------------------------------------------------------


def start_one_question(at: AppTest, follow_ups: bool = True) -> AppTest:
    at.number_input[0].set_value(1)
    if not follow_ups:
        next(t for t in at.toggle if t.label.startswith("Ask a follow-up")).set_value(False)
    next(b for b in at.button if b.label == "Start interview").click()
    return at.run()


def test_follow_up_turn_in_the_app(db_path: Path) -> None:
    at = start_one_question(AppTest.from_file(APP, default_timeout=30).run())
    at.chat_input[0].set_value(WEAK).run()
    assert not at.exception
    assert any(c.value.startswith("Follow-up on your") for c in at.caption)
    assert at.chat_input[0].placeholder.startswith("Your reply to the follow-up")
    at.chat_input[0].set_value(RESULT_REPLY).run()
    assert not at.exception
    change = [m.value for m in at.markdown if m.value.startswith("**With your reply:")]
    assert change and "→" in change[0]
    assert "Interview summary" in [h.value for h in at.subheader]
    (interview,) = storage.list_interviews(db_path)
    (answer,) = storage.list_answers(db_path, interview.id)
    assert answer.follow_up.score_after is not None


def test_follow_ups_off_in_the_app(db_path: Path) -> None:
    at = start_one_question(AppTest.from_file(APP, default_timeout=30).run(), follow_ups=False)
    at.chat_input[0].set_value(WEAK).run()
    assert not any(c.value.startswith("Follow-up on your") for c in at.caption)
    assert "Interview summary" in [h.value for h in at.subheader]


@pytest.fixture
def dead_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    yield f"http://127.0.0.1:{port}/v1"


def test_graded_by_rules_because_notice_in_the_app(db_path: Path, dead_llm: str) -> None:
    at = start_one_question(AppTest.from_file(APP, default_timeout=30).run(), follow_ups=False)
    at.chat_input[0].set_value(STRONG).run()
    assert not at.exception
    assert any("Graded by rules because the LLM server could not be reached" in c.value for c in at.caption)
    (interview,) = storage.list_interviews(db_path)
    (answer,) = storage.list_answers(db_path, interview.id)
    assert answer.grade.grader == "rules" and "could not be reached" in answer.grade.fallback_reason


def test_llm_grade_in_the_app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server: FakeOpenAIServer
    with running_server() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("STAR_COACH_MODEL", "test-model")
        at = start_one_question(AppTest.from_file(APP, default_timeout=30).run(), follow_ups=False)
        at.chat_input[0].set_value(STRONG).run()
    assert any("Graded by the LLM (test\\-model)" in c.value for c in at.caption)  # markdown-escaped
    assert len(server.requests) == 1


NO_TARGET = (
    "At our 120-person distribution centre in 2023, 4% of orders shipped late and two customers complained. "
    "My job was to fix on-time shipping before peak. I ran a Pareto of late orders, moved the pick waves "
    "earlier and cross-trained six packers on the late shift. Within eight weeks on-time shipping reached 98.6% "
    "and overtime fell by 20%, and the wave rule is still in place."
)


def _follow_up_for(service: InterviewService, text: str) -> tuple[str, object]:
    interview = service.start(InterviewSetup(level="mid", n_questions=1))
    first = service.answer(interview.id, text)
    return interview.id, first


def test_a_reply_with_the_target_is_credited_to_task(service: InterviewService) -> None:
    interview_id, first = _follow_up_for(service, NO_TARGET)
    assert first.follow_up is not None and first.follow_up.part == "task", first.grade.advice
    assert "target" in first.follow_up.question.lower()
    answer_id = service.reply_to_follow_up(interview_id, first.follow_up.id, "The target was 98% on time by November.")
    regraded = service.grade_stored(interview_id, answer_id)
    reply_start = len(first.text) + 2
    assert any(start >= reply_start for start, _ in regraded.grade.task.evidence), "the reply is task evidence"
    assert regraded.grade.task.score > first.grade.task.score
    assert "task.no_target" not in {a.code for a in regraded.grade.advice}
    assert regraded.grade.overall > first.grade.overall


@pytest.mark.parametrize("reply", ["I don't remember exactly, it went fine.", "Um, yeah, like I said, it was good."])
def test_a_reply_with_no_facts_does_not_raise_the_score(service: InterviewService, reply: str) -> None:
    interview_id, first = _follow_up_for(service, WEAK)
    assert first.follow_up is not None
    regraded = service.grade_stored(interview_id, service.reply_to_follow_up(interview_id, first.follow_up.id, reply))
    assert regraded.grade.overall <= first.grade.overall
    for part in PARTS:
        assert regraded.grade.part(part).score <= first.grade.part(part).score


@pytest.mark.parametrize(
    "reply",
    [
        "It was at our Leeds DC in March 2023, during the peak, with 4% of 9,000 daily orders late.",
        "Overtime went down by 20% within six weeks.",
        "I was the shift manager, so it was my call.",
    ],
)
def test_a_reply_never_takes_away_a_part(service: InterviewService, reply: str) -> None:
    interview_id, first = _follow_up_for(service, NO_TARGET)
    assert first.follow_up is not None
    regraded = service.grade_stored(interview_id, service.reply_to_follow_up(interview_id, first.follow_up.id, reply))
    for part in PARTS:
        if first.grade.part(part).present:
            assert regraded.grade.part(part).present, part
            assert regraded.grade.part(part).score >= first.grade.part(part).score, part
            original = [s for s in first.grade.part(part).evidence]
            assert all(span in regraded.grade.part(part).evidence for span in original), part


CASE_ANSWERS = [
    "I would check the data.",
    "First I'd split late loads by carrier, then rebalance the worst lanes and add a daily review.",
    "The goal is 95% on time. I would talk to the carriers.",
    "Assuming volume grew 20%, I'd look at capacity. I expect on-time delivery back to 95% in two months.",
]


@pytest.mark.parametrize("text", CASE_ANSWERS)
def test_case_follow_ups_never_ask_where_or_when(db_path: Path, text: str) -> None:
    case = Question(
        id="c1",
        text="Our 3PL's on-time delivery fell from 96% to 89% while volume rose 20%. What would you do?",
        type="case",
        topics=("logistics",),
        levels=("mid",),
        probes=("Where was this, and when?", "What would you measure?"),
    )
    service = InterviewService(db_path, [case], RuleBasedGrader())
    interview = service.start(InterviewSetup(level="mid", n_questions=1, question_type="case"))
    follow_up = service.answer(interview.id, text).follow_up
    assert follow_up is not None, "each of these case answers has a weakness worth a follow-up"
    asked = follow_up.question.lower()
    assert "where" not in asked and "when" not in asked, asked


def test_no_follow_up_asks_for_what_the_answer_gave(service: InterviewService) -> None:
    given = NO_TARGET.replace("My job was to fix on-time shipping before peak.", "I set a target of 99.7% in 90 days.")
    _, first = _follow_up_for(service, given)
    assert "task.no_target" not in {a.code for a in first.grade.advice}
    if first.follow_up is not None:
        assert "target" not in first.follow_up.question.lower()


def test_the_page_lists_the_advice_and_an_empty_reply_earns_nothing(db_path: Path) -> None:
    at = start_one_question(AppTest.from_file(APP, default_timeout=30).run())
    at.chat_input[0].set_value(NO_TARGET).run()
    assert not at.exception
    (interview,) = storage.list_interviews(db_path)
    (answer,) = storage.list_answers(db_path, interview.id)
    shown = html.unescape(" ".join(str(h.proto.body) for h in at.get("html")))
    assert answer.grade.advice and all(f"<li>{a.text}</li>" in shown for a in answer.grade.advice)
    assert answer.follow_up is not None
    at.chat_input[0].set_value("I don't remember exactly, it went fine.").run()
    assert not at.exception
    (answer,) = storage.list_answers(db_path, interview.id)
    assert answer.follow_up.score_after is not None
    assert answer.follow_up.score_after <= answer.follow_up.score_before

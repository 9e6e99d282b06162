"""Advice that is true of the answer: codes from the spec, and no claim that the answer itself refutes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.grading.rules import RuleBasedGrader
from coach.models import ADVICE_CODES, PARTS, Grade

GRADER = RuleBasedGrader()
Q = "Tell me about a time you improved a process in your operation."

_OPEN = "At our 140-person cold-chain warehouse near Rotterdam, pallets were waiting four hours at the dock. "
_TASK = "I was asked to cut the dock wait by half before the summer peak. "
_ACT = (
    "I ran a time study on every inbound door, built an appointment schedule in our TMS with the carriers and "
    "moved two forklift drivers from the night shift to the morning wave. I also put a daily dock dashboard on "
    "the wall. "
)


def grade(answer: str, question: str = Q, kind: str = "behavioral") -> Grade:
    return GRADER.grade(question, answer, kind)  # type: ignore[arg-type]


def codes(answer: str, question: str = Q, kind: str = "behavioral") -> set[str]:
    return {a.code for a in grade(answer, question, kind).advice if a.code}


# Each row: an answer that shows something, and the claims that would be false of it.
MUST_NOT_RAISE = [
    pytest.param(
        _OPEN + _TASK + _ACT + "Two months later the average wait was 1.5 hours, and we kept the schedule.",
        {"result.no_timeframe", "result.no_number", "result.no_lesson"},
        id="two-months-later",
    ),
    pytest.param(
        _OPEN + _TASK + _ACT + "By the customer audit in May the wait was under two hours.",
        {"result.no_timeframe", "result.no_number"},
        id="by-the-audit-in-may",
    ),
    pytest.param(
        _OPEN + _TASK + _ACT + "The following spring the dock wait was down to roughly ninety minutes.",
        {"result.no_timeframe", "result.no_number"},
        id="the-following-spring",
    ),
    pytest.param(
        "We had $1.2M of spare parts on the shelves and still stopped the line twice a month. "
        + _TASK
        + _ACT
        + "Within a quarter line stops fell to one a month.",
        {"situation.no_problem", "situation.vague", "result.no_number", "result.no_timeframe"},
        id="problem-as-money-and-stops",
    ),
    pytest.param(
        _OPEN
        + _TASK
        + "I applied lockout-tagout on the dock levellers, wrote the UAT scripts for the new yard module and ran "
        "a critical path for the cut-over. Within six weeks the wait halved.",
        {"action.no_method", "action.one_step", "result.no_number"},
        id="loto-uat-critical-path",
    ),
    pytest.param(
        _OPEN
        + _TASK
        + "I did an 80/20 analysis of late trucks and rebooked the worst carriers. Scrap fell by a quarter.",
        {"action.no_method", "result.no_number"},
        id="80-20-and-a-quarter",
    ),
    pytest.param(
        _OPEN + _TASK + _ACT + "We then had zero lost-time injuries for the next fourteen months.",
        {"result.no_number", "result.no_timeframe"},
        id="zero-for-fourteen-months",
    ),
    pytest.param(
        _OPEN + _TASK + _ACT + "Missed slots came down to roughly two a quarter.",
        {"result.no_number"},
        id="two-a-quarter",
    ),
    pytest.param(
        _OPEN + "I was asked to cut overtime by 20%. " + _ACT + "Overtime fell 24% in three months.",
        {"task.missing", "task.not_owned", "task.no_target"},
        id="asked-to-cut-overtime",
    ),
    pytest.param(
        _OPEN + "I'm in charge of inbound freight, so fixing it was on me. " + _ACT + "Waits halved within a month.",
        {"task.missing", "task.not_owned"},
        id="in-charge-of-inbound",
    ),
    pytest.param(
        "At our plant we had a backlog and we were missing our ship dates; we all knew it. "
        + _TASK
        + "I mapped the flow, I cut two hand-offs, I set up a kanban board and I trained the night shift. "
        "Within ten weeks the backlog was gone.",
        {"action.we"},
        id="we-only-in-context",
    ),
    pytest.param(
        "Bonjour, mi jefe ask me to fix the picking errors, is my responsibility since two years. I am checking "
        "the data every day and I see the errors come from two aisles, so I change the labels and I train the "
        "pickers. After this, the errors are going down to 2 per month.",
        {"task.missing", "task.not_owned", "result.no_number", "action.missing"},
        id="non-native-present-tense",
    ),
]


@pytest.mark.parametrize(("answer", "false_claims"), MUST_NOT_RAISE)
def test_no_claim_the_answer_refutes(answer: str, false_claims: set[str]) -> None:
    raised = codes(answer)
    assert not raised & false_claims, f"false claims: {sorted(raised & false_claims)}"


PERFECT = (
    "At our 220-person regional DC in 2024, on-time shipping had slipped to 88% and two retail customers were "
    "fining us about $30,000 a month. I was responsible for getting it back above 95% within one quarter. I ran "
    "a Pareto of 400 late orders and found most were released after the carrier cut-off. I moved the wave "
    "release two hours earlier, set up a daily exception report in the WMS and agreed a second pickup with our "
    "main carrier. Within ten weeks on-time shipping reached 96.5% and fines fell to under $4,000 a month. The "
    "release rule is still in place, and I learned to fix the release logic before adding labour."
)


def test_a_complete_answer_gets_praise_and_no_advice() -> None:
    g = grade(PERFECT)
    assert g.advice == []
    assert len(g.suggestions) == 1 and "complete" in g.suggestions[0]


def test_praise_only_beside_a_high_score() -> None:
    for answer in (PERFECT, _OPEN + _TASK + _ACT, "We fixed it and things got better in the end, I think."):
        g = grade(answer)
        for part in PARTS:
            component = g.part(part)
            if component.feedback.startswith(("Clear", "Strong", "Concrete")):
                assert component.score >= 4, (part, component)
                assert not any(a.part == part for a in g.advice)


def test_a_missing_part_is_claimed_with_its_code() -> None:
    no_result = _OPEN + _TASK + _ACT
    g = grade(no_result)
    assert not g.result.present
    assert "result.missing" in {a.code for a in g.advice}
    assert g.result.feedback.startswith("No result")


def test_off_question_story_is_flagged_and_scores_lower() -> None:
    failure_q = "Tell me about a time you made a mistake at work. What happened?"
    success = _OPEN + _TASK + _ACT + "Within six weeks the wait halved and the customers were delighted."
    assert "answer.off_question" in codes(success, failure_q)
    assert grade(success, failure_q).overall < grade(success).overall


def test_orders_told_for_an_influence_question() -> None:
    q = "Tell me about a time you had to influence people who did not report to you."
    orders = (
        "At our DC the planners kept changing the wave plan. I told them to stop because I was their manager, "
        "and I ordered everyone to follow the plan as written. After that the waves ran on time for a month."
    )
    assert "answer.off_question" in codes(orders, q)


_HIRING_STORY = (
    "Before peak at our parcel hub in Leeds we had to hire 90 temporary workers in five weeks, and most agency "
    "starters used to quit in their first week. I was responsible for onboarding on my shift. I wrote a one-page "
    "induction, paired each new starter with a buddy for three shifts and ran a Friday check-in. Early attrition "
    "fell from 40% to 15%, and the buddy scheme ran again the next year."
)


def test_a_story_on_another_subject_is_off_the_question() -> None:
    q = "Give me an example of reducing excess or obsolete stock without hurting service levels."
    advice = {a.code: a.text for a in grade(_HIRING_STORY, q).advice}
    assert "answer.off_question" in advice
    assert "stock" in advice["answer.off_question"]
    assert grade(_HIRING_STORY, q).overall < grade(_HIRING_STORY, "Tell me about hiring for peak.").overall


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        pytest.param(
            "Tell me about a conflict with a colleague and how you resolved it.",
            "At the cross-dock in Ghent the transport planner kept moving my loading slots without telling me, "
            "and my loaders were standing idle for an hour a night. Loading on time was my job as shift lead. "
            "I asked her for a coffee, showed her the idle hours and we agreed a 4 pm cut-off for changes. "
            "Idle time fell to ten minutes a night within a month.",
            id="conflict-without-the-word",
        ),
        pytest.param(
            "Tell me about a time you helped improve inventory record accuracy, for example through cycle counting.",
            "At the spare-parts store the system said 40 bearings and the bin held 12, and the fitters had stopped "
            "trusting it. I was asked to fix it as the new storeman. I checked every bin in the top 200 lines, found "
            "parts booked out on the wrong job and changed the issue process so nothing left without a scan. "
            "Three months later the system and the shelves agreed on 98% of lines.",
            id="accuracy-in-other-words",
        ),
        pytest.param(
            "Tell me about a time you noticed a risk nobody had flagged, such as reliance on one supplier.",
            "Only one of our engineers, Tomasz, knew how to re-program the palletiser, and he was retiring in "
            "spring. As maintenance lead I made it my job to fix that. I had him record every routine on video, "
            "wrote a one-page guide for each and trained two technicians. When it faulted in June they fixed it "
            "in forty minutes.",
            id="examples-in-the-question-are-not-its-subject",
        ),
        pytest.param(
            "A food plant's yield on its main line has dropped from 94% to 88% over six months. What would you do?",
            "I would get the team together and look at what is going on. Then I would talk to the operators on "
            "each shift and see what they think the problem is, decide what needs to change and follow it up.",
            id="vague-is-not-off-the-point",
        ),
    ],
)
def test_an_answer_on_the_question_is_not_called_off_it(question: str, answer: str) -> None:
    kind = "case" if "What would you do" in question else "behavioral"
    assert "answer.off_question" not in codes(answer, question, kind)


def test_steps_told_as_we_in_a_plan_or_in_the_present_tense() -> None:
    case_q = "Planned maintenance completion is 62% and emergency work has doubled. How would you approach it?"
    plan = (
        "I'd aim to get planned completion above 85% within a year. We'd start by cleaning up the CMMS backlog, "
        "then we'd rank assets by criticality. We'd ring-fence a crew for planned work, and the team would hold a "
        "weekly schedule meeting with operations. Emergency work should fall by a third in the first year."
    )
    assert "action.we" in codes(plan, case_q, "case")
    mine = plan.replace("We'd", "I'd").replace("we'd", "I'd").replace("the team would", "I would")
    assert "action.we" not in codes(mine, case_q, "case")
    present = (
        "In winter 2021 the gearbox of the labeller at our brewery near Dortmund is broken, one week before "
        "Christmas orders. I was the production manager, so I had to find a solution. We call the machine "
        "supplier and we push them to find a gearbox at another customer. We also move the most important "
        "products to line 2 and we run them on Saturday."
    )
    assert "action.we" in codes(present)


def test_repeated_text_earns_nothing() -> None:
    story = PERFECT.split(". ")
    padded = ". ".join(story * 12)
    once = grade(PERFECT)
    many = grade(padded)
    assert many.overall < once.overall
    assert "answer.long" in {a.code for a in many.advice}
    for part in PARTS:
        assert many.part(part).score <= once.part(part).score


def test_case_answers_never_get_hypothetical_or_where_when_advice() -> None:
    q = "Our 3PL's on-time delivery fell from 96% to 89% while volume rose 20%. What would you do?"
    answer = (
        "I would first split the late loads by lane and carrier to see whether volume or one carrier drives it. "
        "I'd set a goal of 95% within two months. I would then rebalance the worst lanes and add a daily review."
    )
    raised = codes(answer, q, "case")
    assert not raised & {"action.hypothetical", "answer.hypothetical", "result.no_timeframe", "result.no_lesson"}


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ,.;:-'0123456789%$IWe\n")) | st.characters(),
        max_size=600,
    ),
    st.sampled_from(["behavioral", "case"]),
)
def test_any_answer_gets_advice_in_the_spec(answer: str, kind: str) -> None:
    g = grade(answer, Q, kind)
    seen = [a.code for a in g.advice]
    assert all(code in ADVICE_CODES and not code.startswith("delivery.") for code in seen)
    assert len(seen) == len(set(seen)), "one item per distinct claim"
    assert all(a.part == ADVICE_CODES[a.code] for a in g.advice if a.code)
    assert 1 <= len(g.suggestions) <= 3
    feedback = {g.part(p).feedback for p in PARTS}
    assert not set(g.suggestions) & feedback, "no suggestion repeats a part's feedback word for word"
    if g.advice:
        assert not any(s.startswith("A complete") for s in g.suggestions), "praise only when nothing is left"

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


# -- faults found by the model-answer writers: general causes, each with varied wording ------------------

_CASE_Q = "A hospital pharmacy delivers 70% of ward orders late. How would you fix it?"
_CASE_OPEN = (
    "The pharmacy at a 400-bed hospital sends most ward orders late, mostly because picking is batched twice a "
    "day. My objective would be to get late deliveries under 20% within a quarter. I would start by mapping the "
    "picking process with the pharmacy team and timing each step. Then I would move to four smaller pick waves "
    "and add a runner at midday, and I would put a simple dashboard on the wall showing late items by ward. "
)


@pytest.mark.parametrize(
    "impact",
    [
        "I would expect late deliveries to fall from 70% to 20% within a quarter.",
        "A realistic first gain would be about half the errors within eight to ten weeks.",
        "I expect the net saving to land around 3-4% of spend.",
        "I expect both sites to land between 85% and 90%.",
        "We'd expect missed doses to drop by roughly a third in the first month.",
        "The saving should land at about £40,000 a year.",
    ],
)
@pytest.mark.parametrize(
    "risk",
    ["The risk is slow IT changes.", "The biggest risks are carrier capacity and the union's response."],
)
def test_a_case_answers_expected_impact_is_its_result_before_a_closing_risk(impact: str, risk: str) -> None:
    g = grade(_CASE_OPEN + impact + " " + risk, _CASE_Q, "case")
    assert "result.no_number" not in {a.code for a in g.advice}
    assert g.result.present and g.result.score >= 3


@pytest.mark.parametrize(
    "impact",
    [
        "I would expect late deliveries to fall noticeably.",
        "A realistic first gain would be fewer complaints from the wards.",
    ],
)
def test_a_case_answers_expected_impact_with_no_number_is_still_told_so(impact: str) -> None:
    raised = codes(_CASE_OPEN + impact + " The risk is slow IT changes.", _CASE_Q, "case")
    assert "result.no_number" in raised


_STORY = (
    "At our 140-person bottling plant near Leeds, line 3 was losing 9% of output to minor stops in early 2023. "
    "As the process engineer, I was asked to cut the losses in half by the end of the second quarter. I ran a "
    "Pareto of six weeks of stop data, filmed the capper changeovers and rebuilt the standard work with the "
    "operators. By June minor-stop losses were down to 4%. "
)


@pytest.mark.parametrize(
    "close",
    [
        "The weekly Pareto review continues on the line.",
        "The changeover card was later applied to the two canning lines.",
        "The same card was then extended to the night shift's checks.",
        "The framework has outlived two reorganizations, which tells me the definitions mattered more than the "
        "dashboards.",
        "The following year the client agreed to skip the wall-to-wall count entirely.",
        "The drop-in became an annual open evening for the operators.",
        "I review that note every year, and it has stayed accepted.",
        "The board has lasted through three plant managers.",
    ],
)
def test_what_lasted_or_was_learned_is_a_lesson(close: str) -> None:
    assert "result.no_lesson" not in codes(_STORY + close)


@pytest.mark.parametrize(
    "close",
    ["Everyone was pleased with the new line speed.", "My manager thanked the team at the next briefing."],
)
def test_an_outcome_with_nothing_lasting_or_learned_still_asks_for_a_lesson(close: str) -> None:
    assert "result.no_lesson" in codes(_STORY + close)


_OVERTIME = (
    "At our 140-person bottling plant near Leeds, overtime had crept to 22% of hours by spring 2023 because of "
    "unplanned changeovers. {task}I ran a Pareto of six weeks of overtime data, rebuilt the changeover schedule "
    "with the planners and trained two more setters. By the end of June overtime was down to 9%."
)


@pytest.mark.parametrize(
    "task",
    [
        "It was mine from start to finish. ",
        "The decision was mine to make: bring overtime down to 10% within one quarter. ",
        "I told my supervisor I would take it and set one goal: 12 good units per hour by Friday. ",
        "The fix was mine, and I set a single target of 10% by July. ",
    ],
)
def test_ownership_told_plainly_is_the_task(task: str) -> None:
    g = grade(_OVERTIME.format(task=task))
    assert "task.missing" not in {a.code for a in g.advice}
    assert g.task.present and g.task.score >= 3


def test_a_story_with_no_ownership_and_no_goal_is_still_told_so() -> None:
    assert "task.missing" in codes(_OVERTIME.format(task="The planners were busy that spring. "))


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (_OVERTIME.format(task="It was mine from start to finish. "), "behavioral"),
        (
            "At our Dublin DC in 2023 the year-end count showed a 16,000-unit gap against the books. I led the "
            "reconciliation with the goal of explaining every unit of the gap before the invoice went out. I pulled "
            "the receipt logs, matched them to the ASNs and traced the short-ships with the carrier. Within three "
            "weeks we had explained all but 200 units, and the checks are still in place.",
            "behavioral",
        ),
        (_STORY + "The weekly review continues.", "behavioral"),
        (_CASE_OPEN + "I expect both sites to land between 85% and 90%. The risk is slow IT changes.", "case"),
        (_CASE_OPEN + "I'd expect complaints to fall from 30 a week to 5. The risk is the union.", "case"),
        (_OPEN + _TASK + _ACT, "behavioral"),
    ],
)
def test_a_part_scored_zero_comes_with_its_missing_claim(answer: str, kind: str) -> None:
    g = grade(answer, _CASE_Q if kind == "case" else Q, kind)
    raised = {a.code for a in g.advice}
    for part in PARTS:
        if g.part(part).score == 0:
            assert f"{part}.missing" in raised, (part, raised)


@pytest.mark.parametrize(
    "task",
    [
        "I was asked to get urgent items to wards on the same day. ",
        "My goal was to explain every unit of the gap before the invoice went out. ",
        "I had to account for all of the missing pallets before the audit. ",
    ],
)
def test_a_measurable_goal_without_a_number_is_a_target(task: str) -> None:
    answer = (
        "At our Dublin DC in 2023 the year-end count showed a 16,000-unit gap against the books. "
        + task
        + "I pulled the receipt logs, matched them to the ASNs and traced the short-ships with the carrier. "
        "Within three weeks errors fell from 30 to 4, and the checks are still in place."
    )
    assert "task.no_target" not in codes(answer)


def test_a_goal_with_no_measure_still_asks_for_a_target() -> None:
    answer = (
        "At our Dublin DC in 2023 the picking area was messy. I was asked to tidy up the process. I pulled the "
        "receipt logs, matched them to the ASNs and traced the short-ships with the carrier. Within three weeks "
        "errors fell from 30 to 4, and the checks are still in place."
    )
    assert "task.no_target" in codes(answer)


def test_objectives_set_for_others_are_no_task_of_ones_own() -> None:
    answer = (
        "When I joined a food group with four plants, each site chased its own projects and none were linked to "
        "the strategy. I ran a hoshin cycle: I set three breakthrough objectives with the board, then used "
        "catchball sessions with each plant manager and cut the project list. I put an X-matrix on one page for "
        "every site and reviewed it monthly. Within a year the portfolio was down to 40 projects and margin rose "
        "two points."
    )
    assert "task.missing" in codes(answer)

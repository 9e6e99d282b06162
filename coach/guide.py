"""The STAR guide: what each part is for, weak and strong operations examples, the mistakes our advice codes
name, how case questions map onto STAR, and the tip drawn from a candidate's own most frequent mistake."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from coach.models import ADVICE_CODES, PartName


@dataclass(frozen=True)
class PartGuide:
    part: PartName
    purpose: str
    weak: str
    strong: str
    why: str  # what makes the strong one strong


PARTS_GUIDE: tuple[PartGuide, ...] = (
    PartGuide(
        "situation",
        "Set the scene in two or three sentences: where you were, when, how big the operation was, and what "
        "was wrong or at stake. It gives the interviewer a reason to care about what follows.",
        "We had some issues with deliveries at my last job.",
        "In 2023 I was a shift planner at a 40,000-pallet ambient warehouse serving 180 grocery stores. On-time "
        "dispatch had slipped from 97% to 88% over the summer, and two stores had started fining us for late "
        "loads.",
        "A place, a time, a scale, and a problem with a number on it, in two sentences.",
    ),
    PartGuide(
        "task",
        "Say what you yourself were responsible for, and the goal: ideally an amount and a date. This is the "
        "bar your result will be measured against.",
        "We needed to fix it.",
        "My manager asked me to get on-time dispatch back above 95% before the Christmas peak, about ten weeks "
        "away, without adding agency labour.",
        "It is yours (“my manager asked me”), it has a target (95%), a deadline and a constraint.",
    ),
    PartGuide(
        "action",
        "The heart of the answer, about half of it: the steps you took, in order, with “I” for your own "
        "part. Name the method or tool: a Pareto chart, 5 Whys, a pilot, a WMS report, a supplier scorecard.",
        "We worked hard as a team and improved the process.",
        "I pulled four weeks of dispatch data from the WMS and made a Pareto of late loads by cause: 60% came "
        "from picks released after 2 p.m. I moved the wave release for the 30 largest stores to the morning, "
        "piloted it on one shift for two weeks, and set up a daily 10-minute stand-up with the transport "
        "planner to flag late trailers.",
        "Three distinct steps, each the candidate's own, with the analysis that chose them and a pilot.",
    ),
    PartGuide(
        "result",
        "What changed, with numbers and when; then what stayed in place or what you learned. Tie it back to the "
        "target you set in the task.",
        "Things got a lot better and the stores were happy.",
        "Within eight weeks on-time dispatch reached 96.5%, the fines stopped, and we went into peak without "
        "agency staff. The morning wave release became the site standard, and I learned to test a change on "
        "one shift before rolling it out.",
        "The target met with a figure and a timeframe, a business effect, and what lasted.",
    ),
)

# How a case question ("a distributor's fill rate is 91%... how would you approach it?") maps onto STAR.
CASE_MAPPING: tuple[tuple[PartName, str, str], ...] = (
    ("situation", "How you read the situation", "the facts that matter, and the assumptions you make aloud"),
    ("task", "The objective", "what must improve, by how much and by when; the decision to be made"),
    ("action", "What you would do", "the analysis and the plan, step by step, with the data you would pull"),
    ("result", "Expected impact", "the effect you expect, with numbers, how you would measure it, and the risks"),
)

# Each advice code, as the guide explains it: the mistake, then the fix.
MISTAKES: dict[str, tuple[str, str]] = {
    "situation.missing": ("No scene set", "Open with where and when this was, and what was wrong."),
    "situation.vague": ("A scene with no detail", "Give the site, the time, the scale: people, SKUs, volumes."),
    "situation.no_problem": (
        "No problem named",
        "Say what was wrong, at risk or needed, with a figure.",
    ),
    "situation.long": ("Too long a set-up", "Keep the scene to two or three sentences; the action is what is graded."),
    "task.missing": ("No task", "Say what you were responsible for and the goal you had to hit."),
    "task.not_owned": ("Whose job was it?", "Say what you yourself were asked to do or took on."),
    "task.no_target": (
        "A goal with no target",
        "Give the goal an amount or level: “below 2%”, “above 95%”.",
    ),
    "action.missing": ("No steps", "Tell the steps you took, in order."),
    "action.we": (
        "All “we”",
        "Say “I” for the steps you took yourself; credit the team for the rest.",
    ),
    "action.one_step": (
        "Only one step",
        "Show two or three steps: the analysis, the change, the follow-through.",
    ),
    "action.no_method": ("No method named", "Name the method, tool or analysis: a Pareto, 5 Whys, a pilot, the WMS."),
    "action.hypothetical": (
        "Would, not did",
        "Tell what you did, in the past tense; “I would” is for cases.",
    ),
    "result.missing": ("No result", "Say what changed because of what you did."),
    "result.no_number": ("A result with no number", "Put a number on it: a percentage, a count, money, time saved."),
    "result.no_timeframe": ("A result with no when", "Say when, or over what period: “within ten weeks”."),
    "result.no_lesson": ("No lesson or legacy", "Close with what stayed in place, or what you learned."),
    "answer.short": ("Too short", "Aim for 150-300 words, about two minutes spoken."),
    "answer.long": ("Too long", "Cut to 300 words or so: trim the set-up and the asides."),
    "answer.fillers": (
        "Fillers",
        "Pause instead of “um” or “you know”; a silence reads as thought.",
    ),
    "answer.asides": ("Asides", "Cut opinions and background that are not part of the story."),
    "answer.hypothetical": ("No real example", "Answer a behavioural question with something that happened."),
    "answer.off_question": ("Off the question", "Choose a story that answers what was asked."),
    "answer.gibberish": ("Hard to read", "Write or say it in full sentences."),
    "answer.injection": ("Talking to the grader", "Write to the interviewer, not to the grader."),
    "delivery.fast": ("Spoken too fast", "Aim for 120-160 words a minute; slow down at the numbers."),
    "delivery.slow": ("Spoken slowly", "Aim for 120-160 words a minute; rehearse the story's order."),
    "delivery.fillers": ("Spoken fillers", "Replace “um” with a short pause."),
    "delivery.pauses": ("Long silences", "Know your four parts before you start, so you never search for the next."),
    "delivery.long": ("Over your time", "Land the result before the clock runs out; trim the set-up."),
    "delivery.short": ("Over too soon", "Spend the time on your steps and your result."),
}
assert set(MISTAKES) == set(ADVICE_CODES), "every advice code is explained in the guide"

GENERAL_TIPS: tuple[str, ...] = (
    "Spend about half of your answer on the Action: the steps you took, with “I” for your own.",
    "Every result wants a number and a when: “scrap fell from 4% to 1.5% within a quarter”.",
    "Keep 12-20 stories ready: each one can answer several questions if you know its four parts.",
    "Before you answer, pick the story, then its result: you will tell the rest to reach it.",
    "For a case question, say your assumptions aloud, set an objective, then walk through your plan.",
)


@dataclass(frozen=True)
class Tip:
    title: str
    text: str
    code: str | None  # the candidate's own frequent weakness this tip is about, if any
    times: int = 0  # how often that weakness came up in the answers looked at


def tip_for(recent_codes: Sequence[str], day: int = 0, min_times: int = 2) -> Tip:
    """The tip for the Practice page: the candidate's most frequent weakness in recent answers, or (for a
    new candidate, or one with no repeated weakness) one of the guide's general tips, changing daily."""
    counts = Counter(c for c in recent_codes if c in MISTAKES)
    if counts:
        code, times = max(counts.items(), key=lambda item: (item[1], -list(MISTAKES).index(item[0])))
        if times >= min_times:
            title, fix = MISTAKES[code]
            return Tip(title, fix, code, times)
    return Tip("Tip", GENERAL_TIPS[day % len(GENERAL_TIPS)], None)

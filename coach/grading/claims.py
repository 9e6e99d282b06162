"""Which weaknesses an answer really has: each advice claim decided on the evidence it is about.

The labeller says which clause serves which STAR part; a claim about a part reads wider than that,
because a number in a trailing clause of an action is still a number in the outcome. A claim is
made only when the detectors find nothing that would make it false: precision before coverage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from coach.grading import cues, detect
from coach.grading import text as txt
from coach.grading.labeller import Clause, answer_context
from coach.models import ADVICE_CODES, Advice, QuestionType

SHORT_WORDS = 80
LONG_WORDS = 450
FILLER_SHARE = 1 / 14  # the spec says about 1 in 16; a little above it, so the claim holds when made
ASIDE_SHARE = 0.35
SETUP_WORDS = 60
OFF_TOPIC_MIN_WORDS = 30


@dataclass
class Reading:
    """An answer read once: its labelled clauses and the regions each claim looks at."""

    answer: str
    question: str
    question_type: QuestionType
    clauses: list[Clause]
    n_words: int = 0  # the words that count: no repeats, no text addressed to the grader
    raw_words: int = 0  # every word, as the listener hears it
    counted: list[Clause] = field(default_factory=list)  # clauses that count (not hollow, not repeats)

    @property
    def is_case(self) -> bool:
        return self.question_type == "case"

    def part(self, letter: str) -> list[Clause]:
        return [c for c in self.counted if c.label == letter]

    def text(self, clauses: list[Clause]) -> str:
        return " ".join(c.span.text for c in clauses)

    @cached_property
    def after_set_up(self) -> list[Clause]:
        """Clauses from the first step on: where the steps and the outcome live."""
        first = next((i for i, c in enumerate(self.counted) if c.label in "AR"), len(self.counted))
        return self.counted[first:]

    @cached_property
    def outcome(self) -> str:
        """The result clauses, and any later clause that reports a change ("..., which cut returns by a fifth")."""
        return self.text(self.outcome_clauses)

    @cached_property
    def outcome_clauses(self) -> list[Clause]:
        """The result clauses and any later clause that plainly reports a change.

        With result clauses there, only a strong change cue ("from 12 to 3", "which cut...") brings
        another clause in; without them, any report of a change does. A goal is never an outcome, and
        in a behavioural answer neither is a step the candidate would take ("I would review it").
        """
        # With no step or result labelled at all, any clause may hold the outcome ("I got adherence up to 95%").
        pool = self.after_set_up if any(c.label in "AR" for c in self.counted) else self.counted
        later = [c for c in pool if c.label != "T" and (self.is_case or not (_own_plan(c) or _no_outcome(c)))]
        if any(c.label == "R" for c in later):
            # In a case answer the expected impact is the result, whatever the labeller called it: a closing
            # risk sentence read as the result must not hide "I expect X to fall from 70% to 20%" before it.
            return [
                c
                for c in later
                if c.label == "R" or any(n in c.features for n in _STRONG_CHANGE) or (self.is_case and _expectation(c))
            ]
        return [c for c in later if _reports_change(c, self.is_case)]

    @cached_property
    def set_up(self) -> str:
        """The situation, and whatever comes before the first step (first-person background counts)."""
        first = next((i for i, c in enumerate(self.counted) if c.label in "AR"), len(self.counted))
        # By position: "c in before" compared every clause field by field with every earlier one.
        return self.text([c for i, c in enumerate(self.counted) if c.label == "S" or i < first])

    @cached_property
    def steps(self) -> str:
        return self.text(self.part("A"))


_CHANGE_CUES = ("r_change", "r_from_to", "r_phrase", "r_recognition", "r_lesson", "r_expect")
_STRONG_CHANGE = ("r_from_to", "r_phrase")
# What happened afterwards, in a behavioural story.
_OUTCOME = cues.rx(
    r"\b(?:became|become|got (?:better|worse|faster|easier|smoother|back)|are now|is now|were now|was now|ended|"
    r"finished|stayed|remained|went live|won|saved|avoided|stopped|never (?:stopped|missed|ran out|happened)|"
    r"no longer|hit|beat|made it|achieved|landed|paid off|turned around|went (?:well|smoothly|fine|great)|"
    r"worked (?:well|out)|enjoyed|thanked|were happy|was happy|(?:everyone|they|he|she|customers?) said|got there|"
    r"arrived|went out on time|never (?:knew|noticed|found out|saw|heard)|(?:that|this|it) helped|(?:were|was) fine|"
    r"came in (?:under|on|below|within)|(?:under|on|within) budget|went (?:down|up))\b",
    r"\bpassed (?:the|our|its|their|every|all|an?) (?:\w+ ){0,2}(?:audit|inspection|review|test|certification|uat)",
    r"\blost (?:only|just|no|fewer|less|nothing)\b|\bmet (?:the|our|its|their|every|all) (?:\w+ )?(?:target|deadline|"
    r"goal|date|sla|plan)",
    r"\b(?:overall|in the end|afterwards|eventually|since then|by the end|as a result|because of (?:this|that))\b",
    r"\b(?:decide|decides|decided|agree|agrees|agreed|approve|approves|approved) to (?:do it|roll|keep|use|extend|"
    r"adopt|continue|make it|go)\b|\b(?:on|in) average\b",
)
# What the candidate expects, in a case answer.
_EXPECTED = cues.rx(
    r"\b(?:would|should|could|will|might) (?:\w+ )?(?:show|tell us|give us|mean|let us|help|lead to|result in|pay back|"
    r"free up|save|cut|reduce|lift|raise|improve|bring (?:it|them|us) back|get (?:it|them|us) back)\b",
    r"\b(?:i(?:'d| would) expect|expected|the impact|payback|success would|(?:i|we)(?:'d| would| will|'ll) know)\b",
    r"\b(?:you|they|it|that|this|he|she)'d (?:\w+ )?(?:get|have|be|see|make|keep|save|cut|free|hit|reach)\b",
    r"\beither\b.{0,80}\bor\b",
)


# The impact a case answer expects: "I expect X to fall to 20%", "a realistic first gain would be about half",
# "I expect both sites to land between 85% and 90%".
_EXPECTATION = cues.rx(
    r"\b(?:i|we)(?:'d| would| will|'ll| do)? (?:\w+ )?expect\b|\bexpect(?:ed|ing)? (?:[\w-]+ ){0,5}to (?:fall|drop|"
    r"land|reach|rise|come|go|settle|improve|get|hit|halve|recover|stabili[sz]e|be (?:about|around|roughly|near|"
    r"under|over|below|above|between|at))\b",
    r"\b(?:would|should|will|could|might) (?:\w+ )?(?:land|settle|come in) (?:at|around|about|near|between|in|"
    r"under|below|above|within)\b",
    r"\b(?:gain|saving|savings|impact|benefit|improvement|payback|reduction|uplift) (?:would|should|will|could|"
    r"might) be\b",
)


def _expectation(clause: Clause) -> bool:
    return "r_expect" in clause.features or hit(_EXPECTATION, plain(clause.span.text))


# A change told in the present or as an expectation, in a case answer: "this frees 20% of stock",
# "the urgent orders would make it". Only when someone other than the candidate is the subject.
_CASE_CHANGE = cues.rx(
    r"\b(?:improves?|improving|falls?|drops?|rises?|frees?|cuts?|reduces?|lowers?|raises?|lifts?|saves?|recovers?|"
    r"pays? (?:back|for)|funds?|goes (?:up|down)|comes? down|disappears?)\b",
    r"\b(?:would|should|will|could|might)(?: \w+)? (?:be|make|get|go|come|stay|work|fall|drop|rise|improve|"
    r"recover|hold|"
    r"pay|fund|free|mean)\b",
)


def _opens_with_me(clause: Clause) -> bool:
    """The clause opens with "I" or "we": the candidate is its subject."""
    return clause.features.get("i_start", 0.0) > 0 or clause.features.get("we_start", 0.0) > 0


def _reports_change(clause: Clause, is_case: bool) -> bool:
    if is_case:
        low = plain(clause.span.text)
        if "r_expect" in clause.features or _EXPECTED.search(low):
            return True
        return not _opens_with_me(clause) and hit(_CASE_CHANGE, low)
    if any(name in clause.features for name in _CHANGE_CUES):
        return True
    low = plain(clause.span.text)
    # Searched one by one, not as one pattern: a joined pattern tries every alternative at every word, and is
    # slower than these searches together, which stop at the first that finds something.
    if any(hit(p, low) for p in (_OUTCOME, cues.R_CHANGE, cues.R_RECOGNITION, detect.LESSON_TOLD)):
        return True
    return not _opens_with_me(clause) and hit(_CASE_CHANGE, low)


# A filler with the commas around it: "would, like, probably" reads as "would probably".
_FILLER_RUN = re.compile(rf"(?:,\s*)?(?:{cues.FILLER.pattern})(?:\s*,)?", re.ASCII)


Detector = re.Pattern[str] | cues.Family


class _Asked:
    """A detector as a cache key, hashed by its identity."""

    # A compiled pattern hashes its whole program (up to 20 µs for the large ones): keyed by the pattern,
    # remembering an answer cost more than finding it anew.

    __slots__ = ("detector",)

    def __init__(self, detector: Detector):
        self.detector = detector


# One key per detector; the key holds its detector, so an identity is never reused. Detectors are constants.
_KEYS: dict[int, _Asked] = {}


def hit(pattern: Detector, text: str) -> bool:
    """Whether a detector finds anything in the text; the claims and the scores ask the same questions."""
    key = _KEYS.get(id(pattern))
    if key is None:
        key = _KEYS.setdefault(id(pattern), _Asked(pattern))
    return _found(key, text)


@lru_cache(maxsize=8192)
def _found(key: _Asked, text: str) -> bool:
    return key.detector.search(text) is not None


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """Lower-cased text with fillers taken out: "I, um, kind of just talked" reads as "i just talked"."""
    return " ".join(_FILLER_RUN.sub(" ", cues.norm(text)).split())


@dataclass
class Claim:
    code: str
    text: str
    value: float  # how much fixing it would help: orders the advice

    def advice(self) -> Advice:
        return Advice(code=self.code, part=ADVICE_CODES[self.code], text=self.text)

    @property
    def tip(self) -> str:
        """The claim as one short next step, for the summary: the part's feedback already says it in full."""
        return TIPS.get(self.code, self.text)


# Short next steps for the summary; whole-answer claims have no part feedback and keep their own text.
TIPS: dict[str, str] = {
    "situation.missing": "Open with the situation: where, when, and what was wrong.",
    "situation.vague": "Make the scene concrete: the place, the time and the scale.",
    "situation.no_problem": "Say what was wrong or at risk at the start.",
    "situation.long": "Cut the set-up to two sentences.",
    "task.missing": "Say what you were responsible for and the goal.",
    "task.not_owned": "Say which part was yours.",
    "task.no_target": "Give your goal a number.",
    "action.missing": "Walk through the steps you took, in order.",
    "action.we": "Tell your steps with “I”.",
    "action.one_step": "Add the other steps you took.",
    "action.no_method": "Name the method or tool you used.",
    "action.hypothetical": "Tell what you did, not what you would do.",
    "result.missing": "End with the result, in numbers.",
    "result.no_number": "Put a number on the result.",
    "result.no_timeframe": "Say when the result came.",
    "result.no_lesson": "Close with what you learned or what stayed in place.",
}


def quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= limit else f"“{text[: limit - 1].rstrip()}…”"


# -- the claims ---------------------------------------------------------------


def find_claims(r: Reading) -> list[Claim]:
    """Every claim that holds for the answer, most valuable first."""
    claims = _answer_claims(r)
    if any(c.code == "answer.gibberish" for c in claims):
        # Nothing to read closely: say only which parts are not there at all.
        claims += [
            Claim(code, MISSING_TEXT[code][r.is_case], 0.5) for code in MISSING_TEXT if not r.part(code[0].upper())
        ]
    else:
        claims += _situation_claims(r) + _task_claims(r) + _action_claims(r) + _result_claims(r)
    return sorted(claims, key=lambda c: -c.value)


MISSING_TEXT = {
    "situation.missing": (
        "No situation: open with one or two sentences on where you were, when, and what was wrong.",
        "No framing: start by saying how you read the situation and what you assume (volumes, constraints).",
    ),
    "task.missing": (
        "No task: say what you were responsible for and the goal you had to hit.",
        "No objective: say what the goal is and how you would know it was met.",
    ),
    "action.missing": (
        "No actions: describe the concrete steps you took yourself, in order.",
        "No approach: walk through the steps you would take, in order.",
    ),
    "result.missing": (
        "No result: say what changed, with a number (fill rate, lead time, cost...) and over what period.",
        "No expected impact: say what should improve, by how much, and how you would measure it.",
    ),
}


def _situation_claims(r: Reading) -> list[Claim]:
    s = r.part("S")
    set_up = r.set_up
    if not s:
        if _situation_anywhere(r):
            return []
        return [Claim("situation.missing", MISSING_TEXT["situation.missing"][r.is_case], 0.55)]
    out: list[Claim] = []
    # Opinion before the story and a sentence that says whose job it was are not set-up, wherever
    # the labeller put them: counting them would call a two-sentence scene long.
    scene = [c for c in s if not _opinion(c) and not hit(detect.OWNERSHIP, cues.norm(c.span.text))]
    s_words = len(txt.words(r.text(scene)))
    if (s_words > SETUP_WORDS and s_words > r.n_words / 3 and s_words > 0.4 * r.n_words) or s_words > 90:
        out.append(Claim("situation.long", f"Your set-up runs long ({s_words} words): keep it to two sentences.", 0.3))
    if r.is_case:
        return out
    low = cues.norm(set_up)
    concrete = (
        detect.QUANTITY.search(low)
        or cues.S_PLACE.search(low)
        or cues.S_WHEN.search(low)
        or cues.S_SCALE.search(low)
        or detect.TIMEFRAME.search(low)
        or _proper_noun(set_up)
        or _PLACE_WORDS.search(low)
    )
    if not concrete:
        out.append(
            Claim(
                "situation.vague",
                f"{quote(set_up)} sets the scene; add where, when and at what scale so it is concrete.",
                0.35,
            )
        )
    # The problem may come after the scene, even among the steps ("Availability wasn't great, so we...").
    whole = cues.norm(r.text([c for c in r.counted if c.label != "R"]))
    if not detect.PROBLEM.search(whole) and not detect.QUANTITY.search(whole):
        out.append(
            Claim("situation.no_problem", f"{quote(set_up)}: say what was wrong or at risk, and how you knew.", 0.4)
        )
    return out


# Where the work happened: a site, enough to set a scene even inside a sentence about the task.
_SITE_WORDS = cues.rx(
    r"\b(?:plant|warehouse|dc|distribution cent(?:re|er)|factory|facility|site|hospital|store|depot|mill|hub|3pl|"
    r"bakery|brewery|port|airport|yard|kitchen|lab|laboratory|office)s?\b"
)
_PLACE_WORDS = cues.rx(
    r"\b(?:plant|warehouse|dc|distribution|factory|facility|site|hospital|store|retailer|manufacturer|3pl|hub|"
    r"depot|mill|line|company|firm|startup|client|customer|supplier|carrier|region|country|division|"
    r"department|team of|shift|fleet|network|lab|laboratory|kitchen|bakery|brewery|port|airport|yard|chain|team|"
    r"supermarket|grocer|wholesaler|distributor|merchant|producer|brand|operator|provider|council|agency|"
    r"university|school|restaurant|hotel|airline|bank|utility|group|office|shop|branch|centre|center|unit|ward|"
    r"clinic|business|organi[sz]ation|account|programme|program|project)s?\b"
)
# A place, a state of things, a scale or a site; and, outside the task, the candidate's role or a time.
_SCENE = (cues.S_PLACE, cues.S_STATE, cues.S_SCALE, _SITE_WORDS)
_SCENE_WHO_WHEN = (*_SCENE, cues.S_ROLE, cues.S_WHEN)
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")


def _proper_noun(text: str) -> bool:
    return any(m.group(0) not in ("I", "I'm", "I've") for m in _PROPER.finditer(text.strip()))


def evidence_elsewhere(r: Reading, letter: str) -> list[Clause]:
    """Clauses that plainly tell a part the labeller gave no clause to, when its claims found the part there.

    Only strong evidence counts: the candidate's ownership in the labeller's own words ("it was mine from
    start to finish", read as a step), or a change with its figures ("from 70% to 20%") or a case answer's
    expected impact, read as a step. The looser findings that keep a "missing" claim from being made are not
    enough to call a part present. A part with no evidence either way is left at 0.
    """
    if letter == "T":
        # A case's success measure read as its outcome ("Success would be measured by fill rate...") is its
        # objective too, when the outcome has other clauses to show.
        spare_r = r.is_case and len(r.part("R")) > 1
        return [
            c
            for c in r.counted
            if (c.label in "SA" or (spare_r and c.label == "R")) and "r_lesson" not in c.features and _tells_task(c)
        ]
    if letter == "R":
        return [
            c
            for c in r.outcome_clauses
            if any(n in c.features for n in _STRONG_CHANGE) or (r.is_case and _expectation(c))
        ]
    return []


# Ownership told plainly, in words the labeller has too few examples of to weigh.
_MINE = cues.rx(
    r"\b(?:it|this|that|the (?:\w+ ){0,2}(?:decision|call|job|problem|project|fix|plan|target|goal))(?:'s| was| is) "
    r"mine\b|\bi(?:'d| would|'ll| will) take (?:it|this|that) on\b|\bi told (?:\w+ ){1,3}i(?:'d| would) take it\b",
    r"\bset (?:myself )?(?:one|a single) (?:[\w-]+ )?(?:goal|target|objective)\b",
)


def _tells_task(clause: Clause) -> bool:
    """The labeller's own cue for ownership that the claims read as ownership too, or a goal named as one."""
    if "t_goal" in clause.features or "t_purpose" in clause.features or hit(_MINE, plain(clause.span.text)):
        return True
    return "t_own" in clause.features and hit(detect.OWNERSHIP, _FORMER_JOB.sub("at work", plain(clause.span.text)))


SURE_STEP = 0.6


def _situation_anywhere(r: Reading) -> bool:
    """Scene-setting the labeller gave another part: a place, time, scale or state of things before the first step.

    In a clause read as the task, a time is the deadline and a role is the ownership: only a place, a scale
    or a state of things there sets a scene ("As the new inbound lead at our Leeds DC, I was asked...").
    In a story, a step the labeller was unsure of does not end the search: a preamble on the country or the
    trade, read as steps, often comes before "In my last job, at a shoe warehouse...".
    """
    first = next((i for i, c in enumerate(r.counted) if c.label in "AR"), len(r.counted))
    if r.is_case:
        # The objective's number ("get back to 95%") is no reading of the case.
        # Any reading of the case before the plan frames it ("My guess is the warehouse is understaffed").
        framing = [c for c in r.counted[:first] if c.label != "T" and len(txt.words(c.span.text)) >= 5]
        return bool(framing or cues.S_CASE.search(cues.norm(r.answer)))
    sure = next(
        (i for i, c in enumerate(r.counted) if c.label in "AR" and c.probs.get(c.label, 1.0) >= SURE_STEP),
        len(r.counted),
    )
    for clause in r.counted[:sure] or r.counted[:1]:
        low = plain(clause.span.text)
        if any(p.search(low) for p in (_SCENE if clause.label == "T" else _SCENE_WHO_WHEN)):
            return True
    return False


_GOAL_WORDS = cues.rx(
    cues.T_GOAL.pattern,
    cues.T_PURPOSE.pattern,
    cues.T_TARGET.pattern,
    r"\b(?:i|we)(?:'d| would| will|'ll)? (?:want|need|aim|have|must|should) to\b|\bthe (?:question|decision|job) is\b",
    r"\b(?:commitment|ambition|pledge|mandate|brief) (?:is|was|of|to)\b",
    # A goal named with a qualifier or someone else's possessive: "this was her development goal".
    r"\b(?:the|our|a|an|my|her|his|their|this|that) (?:[\w-]+ )?(?:goal|objective|target|aim)s? (?:was|is|were|"
    r"for|of|to)\b",
)
# A case objective often reads as a level to get back to ("I'd want them back above 99.5%").
_CASE_GOAL = cues.rx(
    r"\b(?:back (?:above|below|under|to|on|within)|(?:get|bring) (?:it|them|us|that|this) "
    r"(?:back|down|up|to|below|above|under))\b|\bwant (?:it|them|us|that) (?:back|below|above|under|to)\b",
)
# "My last job" is a place, not a responsibility.
_FORMER_JOB = re.compile(
    r"\bmy (?:last|old|current|previous|first|second|third|former|new|present|summer|part-time|student) "
    r"(?:job|role|position)\b"
)


def _task_claims(r: Reading) -> list[Claim]:
    t = r.part("T")
    # A lesson ("I learned to fix the logic before adding labour") is no goal and no ownership.
    low_answer = plain(r.text([c for c in r.counted if "r_lesson" not in c.features]))
    low_answer = _FORMER_JOB.sub("at work", low_answer)
    # A role alone places the candidate but names no task: it speaks against "task.not_owned" only.
    owned = hit(detect.OWNERSHIP, low_answer)
    has_role = hit(detect.ROLE, low_answer)
    goal = bool(_GOAL_WORDS.search(low_answer) or cues.T_NEED.search(low_answer))
    goal = goal or (r.is_case and hit(_CASE_GOAL, low_answer))
    if r.is_case:
        if not t and not goal:
            return [Claim("task.missing", MISSING_TEXT["task.missing"][True], 0.6)]
    elif not owned and not goal:
        # A clause the labeller called "task" with neither ownership nor a goal in the whole answer is no task.
        return [Claim("task.missing", MISSING_TEXT["task.missing"][False], 0.6)]
    if not t:
        return []
    out: list[Claim] = []
    if not owned and not has_role and not r.is_case:
        out.append(Claim("task.not_owned", f"{quote(r.text(t))}: say what you yourself were responsible for.", 0.5))
    if not detect.QUANTITY.search(cues.norm(r.text(t))) and not target_anywhere(low_answer):
        out.append(
            Claim(
                "task.no_target",
                f"{quote(r.text(t))}: give the goal a number (how much, from what to what).",
                0.3,
            )
        )
    return out


_TARGET = cues.rx(
    r"\b(?:hold|keep|kept|held) (?:[\w-]+ ){0,4}(?:flat|level|steady|unchanged|stable|within|under|below|at)\b",
    r"\bwithout (?:missing|losing|dropping|any|a single|one)\b|\b(?:down|up|back) to (?:the|our|their|a)\b",
    r"\b(?:objective|goal|target|aim|job) (?:was|is) (?:no|zero|one|a single|every|all)\b",
    # The rest of the word is read once: "contract\w*" before "\w*" split one long word every possible way.
    r"\b(?:target|goal|aim|objective|kpi|threshold|budget|cap|limit|quota|sla|requirement|required|standard|"
    r"contract|promised|commitment|committed|against (?:their|our|the|a))\w*+\b[^.;]{0,40}\d",
    r"(?<![\w.,])(?:\d[\d.,]*+\s?(?:%|percent)|\d++ (?:days?|hours?))[^.;]{0,30}\b(?:target|requirement|standard|sla|"
    r"goal)\b",
    r"\b(?:on|within|under|back on|back within|back under) (?:the )?(?:budget|plan|target|forecast)\b",
    r"\b(?:couldn't|could not|can't|cannot|wouldn't|would not|never|didn't|did not) (?:\w+ )?happen again\b",
    r"\bclos(?:e|ed|ing) (?:the|that|this) gap\b|\b(?:every|all|each) (?:[\w-]+ ){0,6}(?:closed|fixed|resolved|"
    r"cleared|on time|trained|covered|shipped|delivered|answered|completed)\b|\bkeep (?:the|our) \w+ running\b",
    r"\b(?:last year's|previous|prior|original|pre-\w+) (?:level|levels|rate|figure)\b|\bback to\b",
    r"\b(?:to|would|by) (?:reduce|cut|halve|improve|increase|raise|bring|get|reach|hit|lower|keep|take|drive|"
    r"achieve|deliver|save|recover)\b[^.;]{0,50}\b(?:by|to|under|below|above|over|at|of|within)\b[^.;]{0,20}"
    r"(?:\d|half|a third|a quarter|zero)",
    r"\b(?:under|below|above|at least|no more than|less than|at or above|back to) \$?\d",
    r"\bhalve\b|\bzero (?:\w+ )?(?:defects|incidents|errors|injuries|stock-?outs|findings)\b",
    # Measurable without a number: all of something ("explaining every unit of the gap"), or a time that is
    # met or not ("get urgent items to wards on the same day").
    # Told as the aim ("to", "of"), not as what was done ("we cleared all of it").
    r"\b(?:to|of) (?:explain|account|reconcil|clear|clos|trac|ship|deliver|answer|fix|resolv|match|find|count)\w* "
    r"(?:for )?(?:every|each|all)\b",
    r"\bto (?:get|ship|deliver|send|move|have|turn|answer|fix) (?:[\w-]+ ){0,5}(?:on the same day|the same day|"
    r"same[- ]day|next[- ]day|within the (?:same )?(?:day|shift|hour))\b",
)


def target_anywhere(low: str) -> bool:
    return hit(_TARGET, low)


_STEP_VERB = re.compile(
    r"\b(?:i|we|they|and|then|also|first|next|finally|,)\s+(?:\w+ly\s+|then\s+|also\s+|first\s+|personally\s+)?"
    r"(\w{3,}ed|" + cues._ACT_VERBS + r")\b"
)
_LIST_VERB = re.compile(r"(?:,|;|\band\b|\bthen\b)\s+(?:then\s+|also\s+)?(\w{3,}ed|" + cues._ACT_VERBS + r")\b")
_NOT_STEPS = frozenset(("was", "were", "had", "needed", "wanted", "used", "based", "called", "seemed", "decided"))


_LIST_ITEM = re.compile(
    r"(?:[,;]\s*(?:and\s+then\s+|and\s+|then\s+)?|\band\s+then\s+|\bthen\s+|\band\s+)(?:i\s+|we\s+)?"
    r"(?:would\s+|will\s+|'d\s+|'ll\s+)?([a-z]+)\s+\w+"
)


@lru_cache(maxsize=2048)
def distinct_steps(text: str) -> int:
    """How many different actions the text names, not how many sentences it has."""
    low = plain(text)
    verbs = {m.group(1) for m in _STEP_VERB.finditer(low)} | {m.group(1) for m in _LIST_VERB.finditer(low)}
    verbs |= {m.group(0).split()[-1] for m in cues.A_WOULD.finditer(low)}
    # "I would call in the part-timers, move pickers and ask the carriers": a list of steps in one clause.
    listed = {m.group(1) for m in _LIST_ITEM.finditer(low) if m.group(1) not in cues.STOPWORDS}
    return max(len(verbs - _NOT_STEPS), len(listed) + 1 if listed else 0)


def _action_claims(r: Reading) -> list[Claim]:
    a = r.part("A")
    if not a:
        if not _steps_anywhere(r):
            return [Claim("action.missing", MISSING_TEXT["action.missing"][r.is_case], 0.7)]
        # Steps the labeller gave other parts: only their number is judged.
        elsewhere = r.text(r.counted if r.is_case else [c for c in r.counted if c.label != "S"])
        return [_one_step(elsewhere)] if distinct_steps(elsewhere) <= 1 else []
    out: list[Claim] = []
    steps = r.steps
    low = cues.norm(steps)
    i_steps = _count_steps(cues.A_I_DID, r"\bi (?:\w+ly )?\w{3,}ed\b", low, _MORE_STEPS.format(who="i"))
    we_steps = _count_steps(cues.A_WE_DID, r"\bwe (?:\w+ly )?\w{3,}ed\b", low, _MORE_STEPS.format(who=_WE))
    if r.is_case:
        # A plan told as "we'd start by... we'd rank..." hides the candidate's own part as much as a story does.
        i_steps = len(re.findall(_PLANNED.format(who="i"), low))
        we_steps = len(re.findall(_PLANNED.format(who=_WE), low))
    if (we_steps >= 2 and we_steps > 1.5 * i_steps and i_steps <= 2) or (we_steps and not i_steps and not r.is_case):
        out.append(
            Claim(
                "action.we",
                f"Your steps are mostly “we” ({we_steps} against {i_steps} “I”): say which ones you took yourself.",
                0.55,
            )
        )
    later = r.text(r.after_set_up)
    if distinct_steps(r.text([c for c in r.counted if c.label != "S"])) <= 1 and len(a) == 1:
        out.append(_one_step(steps))
    if not detect.has_method(later + " " + r.text(r.part("T"))):
        out.append(
            Claim(
                "action.no_method",
                "Name the method, tool or analysis behind your steps (a root-cause analysis, a pilot, "
                "a dashboard, your WMS...) so the interviewer hears your toolkit.",
                0.25,
            )
        )
    if not r.is_case and _mostly_hypothetical(a):
        out.append(
            Claim("action.hypothetical", "Your steps say what you would do: tell what you did, in the past tense.", 0.5)
        )
    return out


_DID = cues.rx(
    # Non-native answers often tell past steps in the present: "I call them every day".
    # "I always try to be a good listener" is a habit claimed, not a step taken; "if I call them", "as I
    # change" are conditions, not steps ("a clear RACI" transcribed as "a clear as I change ...").
    r"(?<!\bif )(?<!\bas )(?<!\bunless )"
    r"\bi (?!always|usually|often|generally|normally|typically|really)(?:\w+ly |then |also |first )?"
    r"(?:check|change|talk|call|make|go|take|put|organi[sz]e|start|ask|move|"
    r"create|prepare|train|use|build|write|send|meet|speak|collect|analy[sz]e|separate|film|clean|adjust|push|run|"
    r"set|give|show|explain|find|decide|plan|study|count|order|contact|visit|negotiate|propose|introduce|"
    r"implement|install|review|update|follow|track|measure|test|try|fix|replace|reduce|cut|add|remove)\b",
    r"\b(?:i|we|my team|the team)\W+(?:\w+ly |just |then |also |first |quickly |personally |all |both ){0,2}"
    r"(?:\w{3,}ed|went|got|made|took|put|set|ran|led|met|built|found|brought|sat|spent|began|chose|wrote|drove|"
    r"gave|kept|sent|told|cut|did|held|paid|bought|sold|won|rang|spoke|fought|taught|thought|shut|split|hired|"
    r"stood|dealt|sought|swapped|stepped|pulled|pushed|moved|called|asked|checked)\b",
)


_WE = r"(?:we|the team|my team)"
# Irregular past tenses, and the present tense non-native answers tell past steps in ("we call the supplier").
_MORE_STEPS = (
    r"\b{who} (?:\w+ly |also |then |first |just |immediately ){{0,2}}(?:went|got|made|took|put|ran|met|built|found|"
    r"brought|sat|spent|began|chose|wrote|drove|gave|kept|sent|told|cut|held|paid|bought|sold|won|rang|spoke|"
    r"taught|shut|hired|stood|dealt|call|push|move|run|make|check|change|talk|ask|create|prepare|train|use|build|"
    r"write|send|meet|speak|collect|analy[sz]e|clean|adjust|give|show|explain|find|decide|plan|count|contact|"
    r"visit|negotiate|introduce|implement|install|review|update|track|measure|test|fix|replace|remove)\b"
)
_PLANNED = r"\b{who}(?:'d| would| will|'ll) (?!be\b|have\b|need\b|expect\b|aim\b|want\b|like\b)\w{{3,}}"


def _count_steps(listed: re.Pattern[str] | cues.Family, any_ed: str, low: str, more: str) -> int:
    """Steps with this subject, each counted once though several patterns may find it ("we changed")."""
    starts = {m.start() for m in re.finditer(listed.pattern, low, re.ASCII)}
    return len(starts | {m.start() for p in (any_ed, more) for m in re.finditer(p, low)})


def _one_step(steps: str) -> Claim:
    return Claim(
        "action.one_step", f"Only one step, {quote(steps)}: walk through two or three concrete steps in order.", 0.45
    )


def _steps_anywhere(r: Reading) -> bool:
    if r.is_case:
        low = plain(r.text(r.counted))
        return bool(cues.A_WOULD.search(low) or _DID.search(low) or cues.A_I_DID.search(low))
    # A step is none of: the scene, the outcome ("I reached my objective"), an attitude ("I tried to stay
    # positive").
    candidates = [c for c in r.counted if c.label != "S" and not hit(_ATTITUDE, plain(c.span.text))]
    # An outcome is no step unless it opens with one ("We went through it and got rid of most of it").
    candidates = [c for c in candidates if not (c.label == "R" or _reports_change(c, False)) or _opens_with_step(c)]
    low = plain(r.text(candidates))
    return bool(cues.A_I_DID.search(low) or cues.A_WE_DID.search(low) or _DID.search(low) or cues.A_WOULD.search(low))


def _opens_with_step(clause: Clause) -> bool:
    return _opens_with_me(clause) and not hit(_ACHIEVED, plain(clause.span.text))


_ATTITUDE = cues.rx(
    r"\b(?:try|tried|trying|always try) to (?:be|stay|keep|remain)\b|\bmake sure\b",
    r"\bi(?:'m| am) (?:a|an|very|really)\b",
    r"\bhaven't\b|\bhave not\b|\bnever\b",
)


# "I told them they needed to improve or we would move the business": a "would" in reported speech.
_REPORTED = cues.rx(
    r"\b(?:told|said|warned|explained|promised|agreed|threatened|decided|knew|thought)\b.{0,60}\bwould\b"
)
_NEGATED = cues.rx(r"\b(?:not|never|no)\b|n't\b")
_FIRST_PERSON_WOULD = cues.rx(r"\b(?:i|we)(?:'d| would| will|'ll)\b")
# Habit, told at the start of a clause ("every morning I would print the board") or outright.
_HABIT = cues.rx(
    cues.LEAD + r"(?:every|each) (?:morning|day|evening|night|week|month|shift|time|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)\b",
    r"\bused to\b|\busually\b|\bwhenever\b",
)


_PAST_PERFECT = cues.rx(
    r"\b(?:i|we|they|he|she)'d (?:already |just |never |not )?(?:\w+ed|been|had|done|gone|seen|made|taken|"
    r"given|written|"
    r"run|put|set|built|got|found|left|lost|known|brought|spent|sent|begun|chosen|driven|grown|held|kept|led|met)\b",
)


@lru_cache(maxsize=4096)
def _hypothetical_text(text: str) -> bool:
    low = cues.norm(text)
    if hit(_REPORTED, low):
        return False
    return not (
        _HABIT.search(low) or (_PAST_PERFECT.search(low) and not cues.HYPOTHETICAL.search(_PAST_PERFECT.sub("", low)))
    )


def _hypothetical(clause: Clause) -> bool:
    """What the candidate would do, not what they used to do ("every morning I would print the board")."""
    return "hypothetical" in clause.features and _hypothetical_text(clause.span.text)


# "Usually they come around in the end", "I don't really know how it ended up": no outcome of this story.
_NOT_THIS_OUTCOME = cues.rx(
    r"\b(?:always|usually|generally|typically|normally|in general)\b",
    r"\b(?:don't|do not|didn't|did not|never) (?:really )?(?:know|find out|found out|hear|heard|see|saw)\b",
)


def _no_outcome(clause: Clause) -> bool:
    return clause.label != "R" and hit(_NOT_THIS_OUTCOME, plain(clause.span.text))


def _own_plan(clause: Clause) -> bool:
    """A step the candidate would take ("if nothing improved, I would involve HR"): never an outcome of a story."""
    return _hypothetical(clause) and hit(_FIRST_PERSON_WOULD, cues.norm(clause.span.text))


def _mostly_hypothetical(clauses: list[Clause]) -> bool:
    """Steps told as what the candidate would do, with no step told as done.

    One habit marker ("every morning I would...") makes the other "would"s of the story habitual too.
    """
    would = [c for c in clauses if _hypothetical(c)]
    if not would or any(hit(_HABIT, cues.norm(c.span.text)) for c in clauses):
        return False
    done = [c for c in clauses if not _hypothetical(c) and hit(_DID, plain(c.span.text))]
    return bool(would) and len(would) > 2 * len(done)


# An achievement told up front ("We cut stock-outs from twelve a month to two"), not a problem ("it fell to 88%").
_ACHIEVED = cues.rx(
    r"\b(?:i|we|my team|the team)\s+(?:\w+ )?(?:cut|reduced|raised|increased|improved|brought|got|took|saved|halved|"
    r"doubled|lifted|grew|lowered|eliminated|achieved|delivered|hit|reached|beat)\b",
    r"\bmy (?:biggest |proudest |best )?(?:achievement|result|win)\b",
)


def _result_claims(r: Reading) -> list[Claim]:
    outcome = r.outcome
    # A result told first ("We cut stock-outs from twelve a month to two. Here is how...") is still the
    # result, wherever the labeller put it.
    first_step = next((i for i, c in enumerate(r.counted) if c.label == "A"), len(r.counted))
    told_first = r.text([c for c in r.counted[:first_step] if hit(_ACHIEVED, plain(c.span.text))])
    if not outcome.strip() and not told_first.strip():
        return [Claim("result.missing", MISSING_TEXT["result.missing"][r.is_case], 0.65)]
    outcome = outcome or told_first
    out: list[Claim] = []
    low = cues.norm(outcome)
    if not hit(detect.QUANTITY, low) and not hit(detect.QUANTITY, cues.norm(told_first)):
        metric = cues.METRICS.search(low)
        what = metric.group(0) if metric else "the measure you moved (fill rate, lead time, cost...)"
        text = (
            f"{quote(outcome)}: put a number on the expected impact and say how you would measure it."
            if r.is_case
            else f"Your result has no number: how much did {what} change?"
        )
        out.append(Claim("result.no_number", text, 0.6))
    if r.is_case:
        return out
    if not hit(detect.TIMEFRAME, low) and not hit(detect.TIMEFRAME, cues.norm(r.text(r.after_set_up))):
        out.append(Claim("result.no_timeframe", f"{quote(outcome)}: say when, or over what period, it happened.", 0.3))
    if not hit(detect.LESSON, cues.norm(r.text(r.after_set_up))):
        out.append(Claim("result.no_lesson", "Close with what you learned, or what stayed in place afterwards.", 0.15))
    return out


def _answer_claims(r: Reading) -> list[Claim]:
    out: list[Claim] = []
    ctx = answer_context(r.answer, r.question, r.question_type)
    if ctx.gibberish:
        out.append(Claim("answer.gibberish", "Much of this does not read as words: answer in full sentences.", 1.0))
        return out
    if any("n_injection" in c.features for c in r.clauses):
        out.append(
            Claim(
                "answer.injection", "Text addressed to the grader or markup earns nothing: answer the interviewer.", 0.9
            )
        )
    off = off_question(r)
    if off:
        out.append(Claim("answer.off_question", off, 0.95))
    if not r.is_case and _hypothetical_answer(r):
        out.append(
            Claim(
                "answer.hypothetical",
                "This says what you would do; the question asks what you did. "
                "Tell one real example, in the past tense.",
                0.9,
            )
        )
    if r.n_words < SHORT_WORDS:
        out.append(
            Claim(
                "answer.short",
                f"At {r.n_words} words the answer is short: aim for 150-300 words, about two minutes spoken.",
                0.8,
            )
        )
    elif r.raw_words > LONG_WORDS:
        out.append(Claim("answer.long", f"At {r.raw_words} words the answer is long: aim for 150-300 words.", 0.5))
    fillers = len(cues.FILLER.findall(cues.norm(r.answer)))
    if r.n_words >= 30 and fillers / r.n_words >= FILLER_SHARE:
        out.append(
            Claim("answer.fillers", f"Many fillers ({fillers}, like “um”, “like”, “you know”): pause instead.", 0.4)
        )
    aside_words = sum(len(txt.words(c.span.text)) for c in r.clauses if is_aside(c))
    if r.n_words >= 60 and aside_words / r.n_words >= ASIDE_SHARE:
        out.append(
            Claim(
                "answer.asides",
                f"About {aside_words / r.n_words:.0%} of the answer is opinion, background or asides: cut them.",
                0.45,
            )
        )
    return out


_ASIDE_CUES = ("n_opinion", "n_generic", "n_meta")


def _opinion(clause: Clause) -> bool:
    return any(name in clause.features for name in _ASIDE_CUES)


def is_aside(clause: Clause) -> bool:
    """Opinion, generic talk or meta talk outside the story; text the labeller could not place is not enough."""
    if clause.label != "-" or "filler_only" in clause.features or "n_injection" in clause.features:
        return False
    return _opinion(clause)


def _hypothetical_answer(r: Reading) -> bool:
    """The steps are what the candidate would do, and the story around them is no real one either."""
    steps = r.part("A") or [c for c in r.counted if c.label != "S"]
    if not _mostly_hypothetical(steps):
        return False
    # "I did not have an accident, but if one happens I will..." tells no story: denials are not past events.
    told = [c for c in r.counted if not _hypothetical(c) and not hit(_NEGATED, cues.norm(c.span.text))]
    hypothetical = sum(_hypothetical(c) for c in r.counted)
    past = sum("past" in c.features for c in told)
    return hypothetical >= 2 * past or not any(hit(_DID, plain(c.span.text)) for c in told)


def off_question(r: Reading) -> str | None:
    """Why the story does not answer the question, or None when it does (or we cannot tell)."""
    ctx = answer_context(r.answer, r.question, r.question_type)
    # Too short an answer shares too few words with any question to judge it off the point.
    if ctx.off_topic and r.n_words >= OFF_TOPIC_MIN_WORDS:
        return "This does not address the question: tell a story about what was asked."
    low = cues.norm(r.answer)
    missed = detect.topics_missed(r.question, r.answer) if r.n_words >= OFF_TOPIC_MIN_WORDS else ()
    if missed:
        subject = " or ".join(t.name for t in missed)
        return f"The question asks about {subject}, and this answer never mentions it: tell a story about that."
    if r.is_case:
        return None
    if detect.FAILURE_ASKED.search(r.question) and (detect.DENIAL.search(low) or not detect.FAILURE_TOLD.search(low)):
        return "The question asks about something that went wrong; this story is a success. Tell one that failed."
    if (
        detect.INFLUENCE_ASKED.search(r.question)
        and detect.ORDERS_TOLD.search(low)
        and not detect.INFLUENCE_TOLD.search(low)
    ):
        return "The question asks how you influenced people; this story is about giving orders."
    return None

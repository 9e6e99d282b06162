"""The offline rule-based STAR grader: labels clauses, scores each part, explains with quotes."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from coach.grading import text as txt
from coach.models import PARTS, Component, Grade, PartName, QuestionType

LABELS = ("S", "T", "A", "R", "-")
PART_OF = dict(zip("STAR", PARTS, strict=True))


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# -- cues ------------------------------------------------------------------
# Each cue family is a list of (pattern, weight). Weights are log-odds-like:
# they are summed per label and the best path through the answer wins.

EXPLICIT = {
    "S": _rx(r"^\W*(?:situation|context|background|s)\b\W*[:\-–]"),
    "T": _rx(r"^\W*(?:task|goal|objective|t)\b\W*[:\-–]"),
    "A": _rx(r"^\W*(?:actions?|approach|what i did|a)\b\W*[:\-–]"),
    "R": _rx(r"^\W*(?:results?|outcomes?|impact|r)\b\W*[:\-–]"),
}

METHODS = _rx(
    r"\b5 ?whys?\b|\bfive whys\b|\bdmaic\b|\bkanban\b|\babc (?:analysis|classification)\b",
    r"\bs&op\b|\bsales and operations planning\b|\bvalue[- ]stream map",
    r"\bsmed\b|\btpm\b|\b5s\b|\bkaizen\b|\bpareto\b|\broot[- ]cause\b|\bfishbone\b|\bishikawa\b",
    r"\bpoka[- ]yoke\b|\bgemba\b|\bspc\b|\bcontrol charts?\b|\bfmea\b|\ba3\b|\bpdca\b|\bkpi dashboard",
    r"\bcross[- ]train|\bstandard work\b|\bsafety stock\b|\breorder point|\bcycle count",
    r"\bslotting\b|\bwave picking\b|\bcross[- ]dock|\braci\b|\bgantt\b|\bcapacity plan",
    r"\bsix sigma\b|\blean\b|\bjust[- ]in[- ]time\b|\bjit\b|\bmrp\b|\bsimulation\b|\bregression\b",
)
METRICS = _rx(
    r"\botif\b|on[- ]time(?:[- ]in[- ]full)?|\bfill rate|inventory turns?|\bturns\b|\bppm\b",
    r"\bdefects?\b|\boee\b|\bcycle time|\blead time|\bthroughput|\bdowntime|\bscrap|\byield",
    r"\bcosts?\b|\bsavings?\b|\bsaved\b|\bbudget|\bmargin|\bspend|\bfreight|\bovertime",
    r"\bincidents?\b|\binjur|\blost[- ]time|\baccuracy|\berrors?\b|\bbacklog|\bstockouts?",
    r"\bcomplaints?\b|\breturns?\b|\bnps\b|\bcsat\b|\bcapacity|\butili[sz]ation|\bproductivity",
    r"\bemissions?\b|\bco2\b|\bcarbon|\bwaste\b|\bturnover|\bretention|\bdays of (?:supply|inventory)",
)
NUMBER = re.compile(
    r"(?:[$€£¥]\s?\d|\d+(?:[.,]\d+)?\s?(?:%|percent|pct|k\b|m\b|million|thousand|bn|billion|x\b))"
    r"|\b\d+(?:[.,]\d+)?\b|\b(?:half|double|doubled|tripled|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fifteen|twenty|thirty|forty|fifty|hundred|dozen)\b",
    re.IGNORECASE,
)
TIMEFRAME = _rx(
    r"\bwithin\b|\bin (?:just )?(?:\w+ )?(?:days?|weeks?|months?|quarters?|years?)\b",
    r"\bover (?:the )?(?:next|following)?\s?\w* ?(?:days?|weeks?|months?|quarters?|years?)\b",
    r"\bby the end of\b|\bafter (?:\w+ ){0,2}(?:days?|weeks?|months?|quarters?)\b",
    r"\bper (?:day|week|month|year|quarter)\b|\ba (?:day|week|month|year)\b|\bannual",
    r"\bq[1-4]\b|\bquarter\b|\bfiscal\b|\bby (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
)

CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "S": [
        (_rx(r"^\W*(?:so,? )?(?:at|in) (?:my|a|the|our) (?:previous|last|former|current|old)\b"), 2.5),
        (_rx(r"^\W*(?:so,? )?(?:when|while) I (?:was|worked)\b", r"\bI (?:was|worked) (?:as|at)\b"), 2.2),
        (
            _rx(
                r"^\W*(?:so,? )?(?:at|in) (?:a|an|the|our|my) [\w\- ]{0,40}(?:plant|warehouse|company|"
                r"distribution|site|factory|facility|dc|hospital|team|retailer|manufacturer|firm|"
                r"business|startup|organi[sz]ation|department|network|store)\b"
            ),
            2.0,
        ),
        (
            _rx(
                r"\b(?:last|that|this|one) (?:year|quarter|spring|summer|autumn|fall|winter|peak)\b",
                r"\bin (?:19|20)\d\d\b",
                r"\bduring (?:the |our |a )?",
            ),
            0.8,
        ),
        (
            _rx(
                r"\b(?:we|the (?:site|plant|team|company|warehouse|dc))\s+(?:had|was|were)\b",
                r"\bthere (?:was|were)\b",
                r"\bwas (?:running|struggling|losing|missing|facing|seeing)\b",
                r"\bwere (?:running|struggling|losing|missing|facing|seeing|piling|late)\b",
            ),
            1.4,
        ),
        (
            _rx(
                r"\bproblem\b|\bissue\b|\bchalleng|\bcomplain|\bbacklog|\bbottleneck|\bcrisis|\bshortage",
                r"\bfalling\b|\bslipping\b|\bbehind\b|\bdelay",
            ),
            0.7,
        ),
        (
            _rx(
                r"\b\d[\d,]*\s+(?:employees|people|staff|operators|associates|drivers|skus|sites|stores|"
                r"suppliers|trucks|lines|shifts|pallets|orders|customers)\b"
            ),
            0.8,
        ),
        (
            _rx(
                r"\b(?:assume|assuming|assumption|first,? I(?:'d| would) (?:clarify|check|ask|confirm)|"
                r"I(?:'d| would) (?:start by )?(?:clarify|clarifying|frame|framing)|the (?:likely|possible) causes?)"
            ),
            1.5,
        ),
    ],
    "T": [
        (
            _rx(
                r"\bI was (?:responsible|accountable|in charge|tasked|asked|charged|given|brought in|"
                r"hired|assigned|expected|supposed)\b"
            ),
            3.0,
        ),
        (
            _rx(
                r"\bmy (?:task|job|role|goal|objective|responsibility|mandate|target|mission|brief|"
                r"assignment|remit)\b"
            ),
            3.0,
        ),
        (
            _rx(
                r"\b(?:the|our|team'?s?) (?:goal|objective|target|mandate|aim|mission|task) (?:was|is|would be)\b",
                r"\bthe brief\b",
                r"\bI (?:needed|had|wanted|set out|aimed) to\b",
                r"\bI owned\b",
                r"\bit (?:was|fell) (?:on|to) me\b",
                r"\bmy manager asked me\b",
                r"\bI volunteered to\b",
                r"\b(?:the|my) (?:challenge|job) (?:for me )?was to\b",
                r"\bI took (?:on|ownership)\b",
            ),
            2.4,
        ),
        (
            _rx(
                r"\b(?:to|would) (?:reduce|cut|halve|improve|increase|raise|bring|get|reach|hit|lower|"
                r"recover|restore|stabili[sz]e|deliver|launch|implement)\b[^.]{0,60}\b(?:by|to|before|within|"
                r"without|under)\b"
            ),
            0.9,
        ),
        (
            _rx(
                r"\bthe (?:goal|objective|aim|target) (?:here )?(?:is|would be)\b",
                r"\bsuccess (?:would|will) (?:mean|look like|be)\b",
            ),
            1.6,
        ),
    ],
    "A": [
        (
            _rx(
                r"\bI (?:\w+ly )?(?:analy[sz]ed|mapped|built|created|set up|introduced|implemented|ran|led|"
                r"organi[sz]ed|met|called|negotiated|designed|redesigned|rolled out|trained|coached|"
                r"pulled|started|began|launched|interviewed|reviewed|audited|moved|changed|added|removed|"
                r"wrote|drafted|proposed|presented|piloted|tested|tracked|scheduled|held|brought|"
                r"sat down|worked|walked|spent|asked|used|applied|developed|automated|reorgani[sz]ed|"
                r"renegotiated|escalated|documented|standardi[sz]ed|installed|configured|cross-trained|"
                r"sourced|qualified|partnered|facilitated|gathered|collected|compared|identified|"
                r"prioriti[sz]ed|shadowed|visited|replaced|split|combined|restructured|hired|assigned|"
                r"reallocated|rebalanced|adjusted|recalculated|modeled|modelled|simulated|segmented|"
                r"set|made|put|got|took|did|focused|established|kicked off|convinced|persuaded|"
                r"explained|shared|sent|flagged|checked|dug|looked|found|decided|chose|agreed|updated|"
                r"switched|shifted|consolidated|tightened|streamlined|reran|re-ran|ordered|contacted|"
                r"reached out|formed|recruited|coordinated|created|drove|championed|challenged|"
                r"measured|calculated|quantified|benchmarked|defined|re-?slotted|re-?routed)\b"
            ),
            2.6,
        ),
        (
            _rx(
                r"\bwe (?:\w+ly )?(?:analy[sz]ed|mapped|built|created|set up|introduced|implemented|ran|"
                r"organi[sz]ed|met|designed|rolled out|trained|started|began|launched|reviewed|changed|added|"
                r"moved|piloted|tested|tracked|held|worked|used|applied|developed|automated|installed|"
                r"switched|shifted|consolidated|agreed|decided|put|made|set|did|looked|found|brought|"
                r"negotiated|renegotiated|standardi[sz]ed|redesigned|reorgani[sz]ed|replaced|hired)\b"
            ),
            1.5,
        ),
        (
            _rx(
                r"^\W*(?:first|firstly|then|next|after that|afterwards|second|secondly|third|finally|"
                r"to do that|to fix (?:this|it)|from there|in parallel|meanwhile|at the same time)\b"
            ),
            1.2,
        ),
        (
            _rx(
                r"\bI(?:'d| would| will|'ll) (?:first |then |also |start by |begin by )?(?:\w+ )?"
                r"(?:analy[sz]e|map|build|create|set up|introduce|implement|run|compare|segment|review|"
                r"pull|look|check|talk|meet|pilot|test|model|calculate|prioriti[sz]e|negotiate|"
                r"propose|use|apply|split|break|interview|walk|audit|measure|track|work|bring|add|"
                r"move|change|consolidate|rebalance|identify|investigate|dig|quantify|benchmark)\b"
            ),
            1.6,
        ),
        (_rx(r"\bby (?:\w+ing)\b", r"\bstarted by\b", r"\bbegan by\b", r"\bpersonally\b"), 0.8),
    ],
    "R": [
        (
            _rx(
                r"\bas a result\b|\bthe result\b|\bresult(?:ed|ing)? in\b|\boutcome\b|\bin the end\b",
                r"\bended up\b|\boverall,\b|\bby the end\b|\bthis (?:cut|reduced|raised|saved|improved|brought|"
                r"led|meant|freed|gave|took)\b|\bthat (?:cut|reduced|raised|saved|improved|brought|led|meant|"
                r"freed|gave|took)\b",
            ),
            2.4,
        ),
        (
            _rx(
                r"\b(?:fell|dropped|rose|grew|climbed|declined|decreased|increased|improved|went|came|"
                r"shrank|reduced|cut|saved|halved|doubled|recovered|stabili[sz]ed|reached|hit|exceeded|"
                r"beat|eliminated|avoided|prevented|freed up|paid back)\b"
            ),
            1.3,
        ),
        (
            _rx(
                r"\bfrom\s+\S*\d[^.]{0,40}?\bto\s+\S*\d",
                r"\bby \d",
                r"\bdown to\b|\bup to\b|\bup from\b|"
                r"\bdown from\b",
            ),
            1.6,
        ),
        (
            _rx(
                r"\bI (?:learned|learnt|realized|realised|took away)\b|\blesson\b|\bsince then\b|"
                r"\b(?:now|today) I\b|\bgoing forward\b|\bnext time\b|\bin hindsight\b|\blooking back\b|"
                r"\bI still\b"
            ),
            2.4,
        ),
        (
            _rx(
                r"\b(?:was|were|got) (?:recogni[sz]ed|promoted|adopted|rolled out|praised|awarded|"
                r"asked to|approved|extended|replicated)\b",
                r"\b(?:still|is now|are now) (?:in place|used|"
                r"running|the standard)\b",
                r"\bbecame the standard\b",
                r"\bfeedback was\b",
            ),
            1.6,
        ),
        (
            _rx(
                r"\bwould (?:expect|aim|target|measure|track)\b|\bI(?:'d| would) (?:expect|measure|track|"
                r"judge|know it worked)\b|\b(?:should|could|would) (?:cut|reduce|raise|save|improve|bring|"
                r"lift|free|recover|pay back|lower)\b|\bexpected (?:impact|saving|benefit|result)\b|"
                r"\bimpact\b|\bpayback\b|\broi\b|\bmeasure success\b|\bsuccess metric"
            ),
            1.6,
        ),
    ],
}

FILLER = re.compile(
    r"\b(?:um+|uh+|erm+|er|hmm+|like|you know|i mean|basically|kind of|sort of|actually|literally|"
    r"right\?|okay so|so yeah|yeah)\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\bI(?:'d| would| will|'ll| could| might)\b|\bI (?:think|believe) I (?:would|could)\b", re.IGNORECASE
)
PAST_FIRST_PERSON = re.compile(
    r"\b(?:I|we)\s+(?:\w+ly\s+)?\w+ed\b|\bI (?:was|had|did|made|led|ran|met|"
    r"took|got|set|put|built|found|went|sat|spent|brought|began|chose|"
    r"wrote|drove|knew|saw|told|gave|kept|left|sent|thought)\b",
    re.IGNORECASE,
)
INJECTION = _rx(
    r"\bignore (?:all |any |the |your |previous |prior |above )*(?:instructions|rubric|rules|prompt)",
    r"\b(?:give|award|grant|assign) (?:me|this(?: answer)?|it) (?:a |an |the )?(?:perfect|full|top|"
    r"maximum|max|highest|100|5|five|10)\b",
    r"\bscore (?:this|me|it)\b[^.]{0,30}\b(?:5|five|100|perfect|full|highest)\b",
    r"\b(?:you are|you're) (?:now )?(?:a|an|the) (?:grader|assistant|ai|model|language model)\b",
    r"\bsystem prompt\b|\bas an ai\b|\bdisregard\b[^.]{0,40}\b(?:instructions|rubric|rules)\b",
    r"\b(?:rate|grade|mark) (?:this|me|it) (?:as )?(?:5|five|100|perfect|excellent|full marks)\b",
    r"\b(?:5|10|100)/(?:5|10|100)\b|\bfull marks\b",
)
GENERIC = _rx(
    r"^\W*(?:in general|generally|typically|usually|in my opinion|i think that|i believe that|"
    r"it is important|it's important|communication is|teamwork is|every (?:company|business|plant))\b",
    r"\b(?:is|are) (?:a )?(?:common|important|key|critical|crucial|essential) (?:problem|part|thing|"
    r"issue|skill)\b",
)
STOPWORDS = frozenset(
    (
        "a about an and are as at be been but by can could describe did do does done down example for from "
        "give had has have he her here his how i if in into is it its me my no not of on or our out over she "
        "should so tell than that the their them then there these they this those through time to under up "
        "walk was we were what when where which who why will with would you your "
    ).split()
)
COMMON_WORDS = (
    frozenset(
        (
            "after all also analysis because before budget cause change changes cost costs customer customers "
            "data day days deliveries delivery during each first goal improve improved increase increased "
            "inventory issue lead less line manager meeting month months more new next one operations order "
            "orders people percent performance plan planning plant problem process production project quality "
            "rate reduce reduced report result results risk root safety schedule shift shipment shipments site "
            "staff stock supplier suppliers system systems target team then three time two warehouse week weeks "
            "work year "
        ).split()
    )
    | STOPWORDS
)


@dataclass
class Clause:
    """A clause of the answer with its label scores."""

    span: txt.Span
    scores: dict[str, float] = field(default_factory=dict)
    label: str = "-"
    explicit: str | None = None


def _cue_scores(text: str, is_case: bool) -> dict[str, float]:
    scores = {label: 0.0 for label in LABELS}
    for label, cues in CUES.items():
        for pattern, weight in cues:
            if pattern.search(text):
                scores[label] += weight
    if METHODS.search(text):
        scores["A"] += 1.0
    has_number = bool(NUMBER.search(text))
    if has_number and METRICS.search(text):
        scores["R"] += 1.0
        scores["S"] += 0.3
    if TIMEFRAME.search(text):
        scores["R"] += 0.5
    # In a case answer every step is "I would": that is the approach, not a flaw.
    if is_case and re.search(r"\bI(?:'d| would)\b", text, re.IGNORECASE):
        scores["A"] += 0.8
    if GENERIC.search(text):
        scores["-"] += 1.5
    if INJECTION.search(text):
        scores["-"] += 12.0
    if _is_filler_only(text):
        scores["-"] += 4.0
    return scores


def _is_filler_only(text: str) -> bool:
    content = [w for w in txt.words(FILLER.sub(" ", text)) if w.lower() not in STOPWORDS]
    return len(content) < 2


# Position priors: where in an answer each part tends to sit (0 = start, 1 = end).
_PRIOR_CENTRE = {"S": 0.05, "T": 0.25, "A": 0.55, "R": 0.92}


def _position_prior(label: str, pos: float) -> float:
    if label == "-":
        return 0.0
    return 0.9 * math.exp(-((pos - _PRIOR_CENTRE[label]) ** 2) / 0.08)


# Transition bonuses: stories usually move S -> T -> A -> R; going back is allowed but costs.
_ORDER = {"S": 0, "T": 1, "A": 2, "R": 3}


def _transition(prev: str, cur: str) -> float:
    if prev == "-" or cur == "-" or prev == cur:
        return 0.0 if prev != cur else 0.6
    step = _ORDER[cur] - _ORDER[prev]
    return 0.2 if step > 0 else -0.9


def _explicit_label(text: str) -> str | None:
    for label, pattern in EXPLICIT.items():
        if pattern.search(text) and (len(text.split()[0].strip("*_:-–")) > 1 or text.split()[0][0].isupper()):
            return label
    return None


def label_clauses(answer: str, question_type: QuestionType = "behavioral") -> list[Clause]:
    """Label each clause of the answer S, T, A, R or - with a best-path search."""
    spans = txt.clauses(answer)
    if not spans:
        return []
    is_case = question_type == "case"
    clauses = [Clause(span=s, scores=_cue_scores(s.text, is_case)) for s in spans]
    total = max(len(answer), 1)
    current_explicit: str | None = None
    for clause in clauses:
        found = _explicit_label(clause.span.text)
        # An explicit label governs the clauses after it until the next label.
        current_explicit = found or current_explicit
        clause.explicit = current_explicit
        pos = (clause.span.start + clause.span.end) / 2 / total
        for label in "STAR":
            clause.scores[label] += _position_prior(label, pos)
            if clause.explicit == label:
                clause.scores[label] += 3.5
        # Text with no cue at all leans to "none" unless position and neighbours say otherwise.
        clause.scores["-"] += 0.7
    _best_path(clauses)
    return clauses


def _best_path(clauses: list[Clause]) -> None:
    best = {label: (clauses[0].scores[label], [label]) for label in LABELS}
    for clause in clauses[1:]:
        step = {}
        for cur in LABELS:
            prev_label, (score, path) = max(best.items(), key=lambda item: item[1][0] + _transition(item[0], cur))
            step[cur] = (score + _transition(prev_label, cur) + clause.scores[cur], [*path, cur])
        best = step
    _, path = max(best.values(), key=lambda item: item[0])
    for clause, label in zip(clauses, path, strict=True):
        clause.label = label


# -- scoring ----------------------------------------------------------------


@dataclass
class Evidence:
    """The clauses of one part, with their combined text."""

    clauses: list[Clause]

    @property
    def text(self) -> str:
        return " ".join(c.span.text for c in self.clauses)

    @property
    def spans(self) -> list[tuple[int, int]]:
        merged: list[list[int]] = []
        for c in self.clauses:
            if merged and c.span.start - merged[-1][1] <= 1:
                merged[-1][1] = c.span.end
            else:
                merged.append([c.span.start, c.span.end])
        return [(a, b) for a, b in merged]

    @property
    def n_words(self) -> int:
        return len(txt.words(self.text))


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= limit else f"“{text[: limit - 1].rstrip()}…”"


def _score_situation(ev: Evidence, total_words: int, is_case: bool) -> tuple[int, str]:
    t = ev.text
    score = 2
    specific = bool(NUMBER.search(t)) or bool(re.search(r"\b[A-Z][a-z]+\b", t[1:]))
    problem = bool(CUES["S"][5][0].search(t) or METRICS.search(t))
    score += specific + problem
    brief = ev.n_words <= max(60, 0.35 * total_words)
    score += brief
    if not brief:
        return min(score, 5), f"Your set-up runs long ({ev.n_words} words): keep the context to two sentences."
    if not specific:
        what = "your assumptions (volumes, constraints)" if is_case else "where, when and at what scale"
        return min(score, 5), f"{_quote(t)} sets the scene; add {what} so it is concrete."
    return min(score, 5), f"Clear context: {_quote(t, 60)}."


def _score_task(ev: Evidence, is_case: bool) -> tuple[int, str]:
    t = ev.text
    score = 2
    owned = bool(re.search(r"\b(?:I|my|me)\b", t))
    measurable = bool(NUMBER.search(t) or TIMEFRAME.search(t))
    goal = bool(
        CUES["T"][3][0].search(t)
        or re.search(
            r"\bto (?:\w+ )?(?:reduce|cut|improve|increase|"
            r"raise|halve|get|bring|reach)\b",
            t,
            re.I,
        )
    )
    score += owned or is_case
    score += measurable
    score += goal
    if not measurable:
        return min(score, 5), f"{_quote(t)}: state the goal as a number and a deadline (how much, by when)."
    if not owned and not is_case:
        return min(score, 5), f"{_quote(t)}: say what you yourself were responsible for, not only the team."
    return min(score, 5), f"Clear, measurable goal: {_quote(t, 60)}."


def _score_action(ev: Evidence, answer: str, is_case: bool) -> tuple[int, str]:
    t = ev.text
    i_count = len(re.findall(r"\bI\b|\bI'(?:d|ve|ll)\b|\bmy\b", t))
    we_count = len(re.findall(r"\bwe\b|\bour\b|\bthe team\b", t, re.IGNORECASE))
    steps = len(ev.clauses)
    method = METHODS.search(t)
    score = 1
    score += i_count >= max(1, we_count)
    score += steps >= 2
    score += steps >= 4 or ev.n_words >= 60
    score += bool(method) or bool(NUMBER.search(t))
    if not is_case and i_count < we_count:
        return min(score, 4), (
            f"Your actions are mostly “we” ({we_count} times against {i_count} “I”): say which steps you took yourself."
        )
    if steps < 2:
        return min(score, 5), f"Only one step: {_quote(t)}. Walk through two or three concrete steps you took."
    if not method:
        return min(score, 5), (
            "Concrete steps. Name the method or tool you used (for example 5 Whys, "
            "ABC analysis, kanban, a WMS report) so the interviewer hears your toolkit."
        )
    return min(score, 5), f"Concrete, owned steps, and you name your method ({method.group(0)})."


def _score_result(ev: Evidence, is_case: bool) -> tuple[int, str]:
    t = ev.text
    number = bool(NUMBER.search(t))
    metric = METRICS.search(t)
    timeframe = bool(TIMEFRAME.search(t))
    lesson = bool(CUES["R"][3][0].search(t))
    score = 1 + 2 * number + bool(metric) + timeframe + lesson
    score = min(score, 5)
    if not number:
        what = metric.group(0) if metric else "the measure you moved"
        if is_case:
            return score, f"{_quote(t)}: put a number on the expected impact and say how you would measure it."
        return score, f"Your result has no number: how much did {what} change, and over what period?"
    if not timeframe and not is_case:
        return score, f"{_quote(t)}: add the time frame (within how many weeks or months?)."
    if not lesson and not is_case:
        return score, "Quantified result. Close with what you learned or what stayed in place afterwards."
    return score, f"Strong, quantified result: {_quote(t, 60)}."


MISSING_FEEDBACK: dict[PartName, dict[bool, str]] = {
    "situation": {
        False: "No situation: open with one or two sentences on where you were, when, and what was wrong.",
        True: "No framing: start by stating the situation as you understand it and your assumptions.",
    },
    "task": {
        False: "No task: say what you were responsible for and the goal you had to hit.",
        True: "No objective: say what the goal is and how you would know it was met.",
    },
    "action": {
        False: "No actions: describe the concrete steps you took yourself, in order.",
        True: "No approach: walk through the steps you would take, in order.",
    },
    "result": {
        False: "No result: say what changed, with a number (fill rate, lead time, cost...) and over what period.",
        True: "No expected impact: say what you would expect to improve, by how much, and how you would measure it.",
    },
}


@dataclass
class Penalty:
    """A whole-answer penalty: multiplier on the overall score and the reason shown."""

    factor: float
    reason: str


def _penalties(answer: str, question: str, clauses: list[Clause], is_case: bool) -> list[Penalty]:
    words = txt.words(answer)
    n = len(words)
    out: list[Penalty] = []
    if n < 80:
        out.append(
            Penalty(
                max(0.35, n / 80) ** 0.5,
                f"At {n} words the answer is short for a spoken answer: aim for 150-300 words, about two minutes.",
            )
        )
    elif n > 450:
        out.append(
            Penalty(
                max(0.6, 450 / n), f"At {n} words the answer is long: aim for 150-300 words and cut the background."
            )
        )
    fillers = len(FILLER.findall(answer))
    if n and fillers / n > 0.06:
        out.append(Penalty(0.85, f"Many fillers ({fillers}, e.g. “um”, “like”, “you know”): pause instead."))
    if not is_case:
        hypo = sum(bool(HYPOTHETICAL.search(c.span.text)) for c in clauses)
        past = sum(bool(PAST_FIRST_PERSON.search(c.span.text)) for c in clauses)
        if hypo >= 2 and hypo > past:
            out.append(
                Penalty(
                    0.55,
                    "This says what you would do; the question asks what you did. "
                    "Tell one real example in the past tense.",
                )
            )
    if any(INJECTION.search(c.span.text) for c in clauses):
        out.append(Penalty(0.8, "Text addressed to the grader earns nothing; answer the interviewer."))
    if n >= 8 and _gibberish_ratio(words) > 0.4:
        out.append(Penalty(0.2, "Much of this does not read as words; answer in full sentences."))
    elif n >= 15 and not _on_topic(answer, question):
        out.append(Penalty(0.5, "This does not seem to address the question: tie your story to what was asked."))
    return out


def _gibberish_ratio(words: list[str]) -> float:
    def odd(word: str) -> bool:
        w = word.lower()
        if w in COMMON_WORDS or not w.isalpha() or not w.isascii():
            return False
        vowels = sum(ch in "aeiouy" for ch in w)
        return (vowels == 0 and len(w) > 3) or vowels / len(w) < 0.2 or re.search(r"[^aeiouy]{5,}", w) is not None

    return sum(odd(w) for w in words) / max(1, len(words))


_OPS_VOCAB = _rx(
    METRICS.pattern,
    METHODS.pattern,
    r"\b(?:team|customer|supplier|warehouse|plant|"
    r"operations?|shipment|inventory|process|project|production|schedule|order|delivery|"
    r"manager|stakeholder|vendor|site|shift|line|budget|data|system|staff|safety|quality)s?\b",
)


def _on_topic(answer: str, question: str) -> bool:
    q_words = {w.lower() for w in txt.words(question) if w.lower() not in STOPWORDS and len(w) > 3}
    a_words = {w.lower() for w in txt.words(answer)}
    return bool(q_words & a_words) or len(_OPS_VOCAB.findall(answer)) >= 3


WEIGHTS = {"situation": 0.15, "task": 0.2, "action": 0.35, "result": 0.3}


class RuleBasedGrader:
    """Deterministic, offline STAR grading from the text's own signals."""

    name = "rules"

    def grade(self, question: str, answer: str, question_type: QuestionType = "behavioral") -> Grade:
        started = time.perf_counter()
        is_case = question_type == "case"
        clauses = label_clauses(answer, question_type)
        by_part = {p: Evidence([c for c in clauses if c.label == k]) for k, p in PART_OF.items()}
        total_words = len(txt.words(answer))
        components: dict[str, Component] = {}
        for part in PARTS:
            ev = by_part[part]
            if not ev.clauses:
                components[part] = Component(present=False, score=0, feedback=MISSING_FEEDBACK[part][is_case])
                continue
            score, feedback = self._score_part(part, ev, answer, total_words, is_case)
            components[part] = Component(present=True, score=score, evidence=ev.spans, feedback=feedback)
        penalties = _penalties(answer, question, clauses, is_case)
        raw = sum(WEIGHTS[p] * components[p].score / 5 for p in PARTS) * 100
        overall = raw * math.prod(p.factor for p in penalties)
        suggestions = _suggestions(components, penalties)
        return Grade(
            overall=max(0, min(100, round(overall))),
            **components,
            suggestions=suggestions,
            grader="rules",
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _score_part(part: PartName, ev: Evidence, answer: str, total: int, is_case: bool) -> tuple[int, str]:
        if part == "situation":
            return _score_situation(ev, total, is_case)
        if part == "task":
            return _score_task(ev, is_case)
        if part == "action":
            return _score_action(ev, answer, is_case)
        return _score_result(ev, is_case)


def _suggestions(components: dict[str, Component], penalties: list[Penalty]) -> list[str]:
    """Two or three concrete things to do next, most valuable first."""
    ranked = sorted(PARTS, key=lambda p: (components[p].score - (0 if components[p].present else 3), -WEIGHTS[p]))
    tips = [p.reason for p in sorted(penalties, key=lambda p: p.factor)][:1]
    tips += [components[p].feedback for p in ranked if components[p].score < 4]
    if len(tips) < 2:
        tips += [components[p].feedback for p in ranked if components[p].feedback not in tips]
    return tips[:3]

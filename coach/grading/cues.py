"""What the text shows: hand-written cue families for each STAR part, and a clause's features.

Each cue family is a regular expression for one kind of evidence (ownership words for Task,
first-person past-tense steps for Action, change verbs and numbers for Result...). The labeller
weighs the families with a small linear model; the scorer reads them to judge each part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from coach.grading import text as txt
from coach.grading.alternation import factor


class Family:
    """Alternatives anchored at the clause start, tried only there, and free ones searched anywhere.

    An anchored alternative inside one big pattern costs a failed attempt at every position;
    trying it once with match() keeps 40 families per clause fast.
    """

    def __init__(self, anchored: str, free: str):
        self.anchored = re.compile(factor(anchored), re.ASCII) if anchored else None
        self.free = re.compile(factor(free), re.ASCII) if free else None
        self.pattern = "|".join(p for p in (anchored, free) if p)

    def search(self, low: str) -> re.Match[str] | None:
        found = self.anchored.match(low) if self.anchored else None
        return found or (self.free.search(low) if self.free else None)

    def findall(self, low: str) -> list[str]:
        return re.findall(self.pattern, low, re.ASCII)


def rx(*patterns: str) -> re.Pattern[str] | Family:
    """One family of alternatives, to search in lower-cased text.

    Lower-casing the text once and matching case-sensitively is about twice as fast as
    re.IGNORECASE, which matters at 40 families per clause.
    """
    parts = [part for p in patterns for alt in _top_level_alternatives(_lower_literals(p)) for part in _unwrap(alt)]
    anchored = "|".join(f"(?:{p})" for p in parts if p.startswith("^"))
    free = "|".join(f"(?:{p})" for p in parts if not p.startswith("^") and not p.startswith(r"\b"))
    # One word-boundary test for every alternative that starts with one: sre tries each top-level
    # alternative at each position, so forty "\b..." branches cost forty tests where one will do.
    bounded = "|".join(f"(?:{p[2:]})" for p in parts if p.startswith(r"\b"))
    if bounded:
        free = "|".join(x for x in (rf"\b(?:{bounded})", free) if x)
    # ASCII classes: a quarter faster, and the cues are English words (norm() maps NBSP to space).
    built = Family(anchored, free) if anchored else re.compile(factor(free), re.ASCII)
    BUILT.append((anchored, free, built))
    return built


# Every family as written and as built (shared prefixes factored), for the test that they match alike.
BUILT: list[tuple[str, str, re.Pattern[str] | Family]] = []


def _unwrap(pattern: str) -> list[str]:
    """The alternatives of a pattern that is one non-capturing group around alternatives, else the pattern."""
    while pattern.startswith("(?:") and _closes_at_end(pattern):
        inner = pattern[3:-1]
        alternatives = _top_level_alternatives(inner)
        if len(alternatives) > 1:
            return [part for alt in alternatives for part in _unwrap(alt)]
        pattern = inner
    return [pattern]


def _closes_at_end(pattern: str) -> bool:
    """Whether the bracket opening the pattern is the one that closes it."""
    for i, ch, depth in _structure(pattern):
        if ch == ")" and depth == 0:
            return i == len(pattern) - 1
    return False


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level "|" (outside groups and classes)."""
    parts, start = [], 0
    for i, ch, depth in _structure(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each character outside escapes and character classes, with the group depth after it."""
    depth, in_class, escaped = 0, False, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth


def _lower_literals(pattern: str) -> str:
    # Lower-case letters but not escapes: \S must stay \S, not become \s.
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


# Openers that carry no content: "so", "um", "okay so", "and then" at a clause start.
LEAD = (
    r"^\W*(?:(?:so|and|but|um+|uh+|er+m?|ah+|hmm+|well|okay|ok|like|basically|yeah|also|then|anyway|you know)"
    r"\W+){0,4}"
)

METHODS = rx(
    r"\b5 ?whys?\b|\bfive whys\b|\bdmaic\b|\bkanban\b|\babc (?:analysis|classification|segmentation)\b",
    r"\bs&op\b|\bsales and operations planning\b|\bvalue[- ]stream map|\bvsm\b",
    r"\bsmed\b|\btpm\b|\b5s\b|\bkaizen\b|\bpareto\b|\broot[- ]cause\b|\bfishbone\b|\bishikawa\b",
    r"\bpoka[- ]yoke\b|\bgemba\b|\bspc\b|\bcontrol charts?\b|\bfmea\b|\ba3\b|\bpdca\b|\b8d\b",
    r"\bcross[- ]train|\bstandard work\b|\bsafety stock\b|\breorder points?|\bcycle count",
    r"\bslotting\b|\bre-?slott|\bwave picking\b|\bcross[- ]dock|\braci\b|\bgantt\b|\bcapacity plan",
    r"\bsix sigma\b|\blean\b|\bjust[- ]in[- ]time\b|\bjit\b|\bmrp\b|\bsimulation\b|\bregression\b",
    r"\bheijunka\b|\bandon\b|\bjidoka\b|\btakt\b|\bspaghetti diagram|\bxyz\b|\bdashboard\b|\bpilot\b",
    r"\btime stud(?:y|ies)\b|\bbenchmark|\brfq\b|\btender\b|\bdual[- ]sourc|\bscorecard",
)
METRICS = rx(
    r"\botif\b|\bon[- ]time|\bfill rates?\b|\binventory turns?\b|\bturns\b|\bppm\b",
    r"\bdefects?\b|\boee\b|\bcycle times?\b|\blead times?\b|\bthroughput|\bdowntime|\bscrap|\byield",
    r"\bcosts?\b|\bsavings?\b|\bsaved\b|\bbudget|\bmargin|\bspend\b|\bfreight|\bovertime",
    r"\bincidents?\b|\binjur|\blost[- ]time|\baccuracy|\berrors?\b|\bbacklog|\bstock-?outs?",
    r"\bcomplaints?\b|\breturns?\b|\bnps\b|\bcsat\b|\bcapacity|\butili[sz]ation|\bproductivity",
    r"\bemissions?\b|\bco2\b|\bco₂|\bcarbon|\bwaste\b|\bturnover|\bretention|\bdays of (?:supply|inventory)",
    r"\bservice levels?\b|\bmis-?picks?\b|\bdwell\b|\bcredits?\b|\bchargebacks?\b|\bwrite-?offs?\b",
)
NUMBER = rx(
    r"[$€£¥]\s?\d|\d+(?:[.,]\d+)?\s?(?:%|percent|pct|k\b|m\b|million|thousand|bn|billion|x\b)"
    r"|\b\d+(?:[.,]\d+)*\b|\b(?:half|halve|halved|halving|double|doubled|tripled|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|dozen|percent)\b"
)
PERCENT_OR_MONEY = rx(r"[$€£¥]\s?\d|\d\s?(?:%|percent|pct)|\bpercent\b|\b\d+(?:[.,]\d+)?\s?[km]\b")
TIMEFRAME = rx(
    r"\bwithin\b|\bin (?:just |about |under |less than )?(?:\w+ )?(?:days?|weeks?|months?|quarters?|years?)\b",
    r"\bover (?:the )?(?:next |following )?(?:\w+ )?(?:days?|weeks?|months?|quarters?|years?)\b",
    r"\bby the end of\b|\bafter (?:\w+ ){0,2}(?:days?|weeks?|months?|quarters?)\b",
    r"\bper (?:day|week|month|year|quarter|shift)\b|\ba (?:day|week|month|year)\b|\bannual",
    r"\bq[1-4]\b|\bby (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b|\byear[- ]on[- ]year\b",
    r"\bbefore (?:the |our |a )?(?:peak|christmas|holidays?|year[- ]end|go-?live|launch|summer|winter|audit|"
    r"deadline|\w+ season|black friday|cut-?over)\b|\bby (?:the )?(?:end of|year[- ]end|next|q[1-4])\b",
)

# -- Situation --------------------------------------------------------------
S_PLACE = rx(
    LEAD + r"(?:at|in|with|for) (?:my|a|an|the|our|one|this) (?:previous|last|former|current|old|first|"
    r"second|third|prior)\b",
    LEAD + r"(?:at|in) (?:a|an|the|our|my) [\w\-’' ]{0,40}(?:plant|warehouse|company|distribut\w*|site|"
    r"factory|facility|dc|hospital|retailer|manufacturer|firm|business|startup|organi[sz]ation|"
    r"department|network|store|centre|center|3pl|hub|depot|mill|airport|bakery|brewery|operation)\b",
)
S_ROLE = rx(
    LEAD + r"(?:when|while|back when) (?:i|we) (?:was|were|worked|joined|started|ran|led|managed)\b",
    r"\bI (?:was|worked|started|joined) (?:as|at|in)\b",
    LEAD + r"I was (?:a|an|the)? ?[\w\- ]{0,35}(?:manager|coordinator|analyst|supervisor|planner|lead|"
    r"engineer|buyer|director|head|specialist|officer|controller|vp|scheduler|dispatcher)\b",
    r"\bin my (?:role|job|position|time) (?:as|at)\b",
    r"\b(?:when|after|once|before) i (?:took over|moved|transferred|was promoted|got promoted|arrived)\b",
    # Moved there by someone else: where the story starts ("I got moved onto the returns team").
    r"\bi (?:got|was|had been|'d been) (?:moved|transferred|seconded|reassigned|drafted|switched|loaned|posted) "
    r"(?:on ?to|in ?to|to|over to|across to)\b",
    r"\bi (?:was )?work(?:ed|ing)? (?:for|at|as|in)\b|\bi was (?:seconded|posted|based)\b",
    r"\bthe situation\b|^\W*it was (?:a|an|the|late|early|mid|back|during|our)\b|\bpicture (?:a|an|this)\b",
)
S_WHEN = rx(
    r"\b(?:last|that|this|one) (?:year|quarter|spring|summer|autumn|fall|winter|peak|christmas)\b",
    r"\bin (?:early |late |mid-?)?(?:19|20)\d\d\b",
    r"\bduring (?:the |our |a |my )",
    r"\ba few (?:years|months) ago\b|\bat the time\b|\bback then\b|\bback in\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|"
    r"august|september|october|november|december)\b",
)
S_STATE = rx(
    r"\b(?:we|the (?:site|plant|team|company|warehouse|dc|business|line))\s+(?:had|was|were)\b",
    r"\bthere (?:was|were|had been)\b",
    r"\b(?:was|were) (?:running|struggling|losing|missing|facing|seeing|piling|stuck|averaging|sitting)\b",
    r"\bhad (?:been |become |fallen|dropped|risen|grown|gone|slipped|crept|doubled|climbed|increased|declined)",
    r"\b(?:kept|keep) (?:missing|failing|running)\b",
)
S_PROBLEM = rx(
    r"\bproblems?\b|\bissues?\b|\bchalleng|\bcomplain|\bbacklog|\bbottleneck|\bcrisis|\bshortage",
    r"\bfalling\b|\bslipping\b|\bbehind\b|\bdelays?\b|\blate\b|\bunreliable\b|\bbroke down\b|\bfailing\b",
    r"\bwrong\b|\bmissing\b|\berrors?\b|\bfail(?:ed|ures?)\b|\bbroken\b|\bstock-?outs?\b|\bover budget\b",
)
S_SCALE = rx(
    # Only from the start of a number, and without backtracking into it: "1." * 10000 would otherwise
    # be rescanned from every digit (10 s for 20,000 characters).
    r"(?<![\w,.])\d[\d,.]*+\s?k?\+?\s+(?:employees|people|staff|operators|associates|drivers|skus|sites|stores|"
    r"suppliers|trucks|lines|shifts|pallets|orders|customers|beds|vehicles|locations|countries|"
    r"square|sq|m2|tons|tonnes|units|parts|routes)\b",
    r"\b\d+-(?:person|people|site|store|bed|truck|line)\b",
)
S_CASE = rx(
    r"\b(?:assume|assuming|assumption|i(?:'d| would) (?:first )?(?:want to )?(?:clarify|confirm|ask|check whether"
    r"|understand)|(?:first|start by) (?:clarifying|confirming|understanding))\b",
    r"\bthe (?:likely|possible|probable) (?:causes?|drivers?)\b|\bcould be (?:driven|caused)\b",
    r"\bbefore (?:doing anything|acting|jumping)\b",
)

# -- Task -------------------------------------------------------------------
T_OWN = rx(
    r"\bI was (?:\w+ )?(?:responsible|accountable|in charge|tasked|asked|charged|given|brought in|"
    r"hired|assigned|expected|supposed|put in charge|handed|chosen|selected|picked|appointed|nominated)\b",
    r"\bmy (?:\w+ )?(?:task|job|role|goal|objective|responsibility|mandate|target|mission|brief|assignment|"
    r"remit|challenge|aim|kpi|priority|focus)\b",
    r"\b(?:gave|handed|assigned|set|asked|tasked|charged|left) me\b|\bput me in charge\b",
    r"\bit (?:was|fell) (?:on|to) me\b|\bI volunteered\b|\bI took (?:on|ownership|over)\b|\bI owned\b",
    r"\bI set (?:out|myself)\b|\bI (?:had|got) (?:just |only )?(?:\w+ ){0,2}(?:days|weeks|months|hours) to\b",
    r"\bmy (?:own )?(?:part|piece|side) (?:was|of)\b|\bup to me\b|\bon my (?:plate|shoulders)\b",
    r"\btook it on\b|\btook on the (?:goal|job|task|challenge|project)\b|\bit was (?:my|on me)\b",
    r"\bthe (?:ask|brief|mandate|remit) (?:from|i got|was)\b|\bwanted me to\b|\bexpected me to\b",
    r"\bwhat i (?:had|needed) to do\b|\bi was the one (?:accountable|responsible)\b",
    r"\b(?:squarely |firmly )?on me\b|\bsuccess (?:for me )?(?:meant|means|would mean)\b",
    r"\bwhat (?:we're|we are|i'm|i am) solving for\b|\bthe (?:question|problem) to solve\b",
    r"\bon the hook\b|\bmy bit\b|\bmade it my\b|\bown(?:ed)? it\b|\bexpectations? (?:was|were|is)\b",
    r"\btarget(?:ing|ed)? (?:of |was |is )?(?:to |a |an )?\S*\d",
    r"\b(?:manager|boss|director|vp|ceo|coo|gm|supervisor|lead) (?:was like|said|told me|asked|wanted)\b",
    r"\b(?:your|my) (?:thing|job|problem|baby|project) now\b",
)
T_AS_ROLE = rx(
    r"^\W*(?:task\W+)?as (?:the |a |an |our |site |new |night[- ]shift |day[- ]shift )?"
    r"(?:[\w\-'’]+ ){0,4}(?:manager|lead|"
    r"leader|planner|coordinator|engineer|analyst|officer|belt|user|supervisor|buyer|director|head|owner|"
    r"specialist|controller|vp|member|champion|sponsor),",
)
T_PURPOSE = rx(
    r"\b(?:responsibility|job|task|priority|goal|objective|mandate|aim|mission|brief|challenge|remit) "
    r"(?:was|is|became|would be) (?:to|getting|making|bringing|cutting|reducing|finding)\b",
    r"\b(?:was|were) to (?:\w+ ){0,2}(?:reduce|cut|improve|increase|raise|bring|get|reach|hit|lower|recover|"
    r"restore|deliver|launch|implement|keep|find|fix|halve|stabili[sz]e|move|build|set up|create)\b",
)
T_GOAL = rx(
    r"\b(?:the|our|team'?s?|a|an) (?:goal|objective|target|mandate|aim|mission|brief|kpi)\b",
    r"\b(?:goal|target|objective|aim) (?:was|is|of|would be|will be|here is)\b",
    r"\bsuccess (?:would|will) (?:mean|look like|be)\b",
)
T_NEED = rx(
    r"\bI (?:needed|had|wanted|set out|aimed|decided|was determined) to\b",
    r"\bi (?:must|have to|need to|want to|should|am supposed to|was supposed to) (?:\w+ )?(?:make|get|bring|"
    r"show|find|fix|reduce|cut|improve|implement|understand|deliver|keep|handle|sort|organi[sz]e|reach)\b",
    r"\basks? me to\b|\bi wanted (?:the|it|us|one|every|all|to)\b|\bpriorit(?:y|ies) (?:was|were|is)\b",
    r"\btook (?:accountability|responsibility)\b|\bi (?:had|have) (?:like |only |just )?(?:a|one|two|three|\d+) "
    r"(?:days?|weeks?|months?) (?:to|before)\b",
    r"\b(?:we|the team) (?:needed|had) to\b",
    r"\bneeded to (?:be|get|bring|cut|reduce|improve|find|fix)\b",
)
T_TARGET = rx(
    r"\b(?:to|would) (?:reduce|cut|halve|improve|increase|raise|bring|get|reach|hit|lower|recover|restore|"
    r"stabili[sz]e|deliver|launch|implement|keep|find|fix)\b[^.]{0,60}\b(?:by|to|before|within|without|under|"
    r"below|above)\b",
)

# -- Action -----------------------------------------------------------------
_ACT_VERBS = (
    r"analy[sz]ed|mapped|built|created|set up|introduced|implemented|ran|led|organi[sz]ed|met|called|"
    r"negotiated|designed|redesigned|rolled out|trained|coached|pulled|started|began|launched|interviewed|"
    r"reviewed|audited|moved|changed|added|removed|wrote|drafted|proposed|presented|piloted|tested|"
    r"tracked|scheduled|held|brought|sat down|worked|walked|spent|asked|used|applied|developed|automated|"
    r"reorgani[sz]ed|renegotiated|escalated|documented|standardi[sz]ed|installed|configured|cross-trained|"
    r"sourced|qualified|partnered|facilitated|gathered|collected|compared|identified|prioriti[sz]ed|"
    r"shadowed|visited|replaced|split|combined|restructured|hired|assigned|reallocated|rebalanced|"
    r"adjusted|recalculated|modell?ed|simulated|segmented|set|made|put|took|focused|established|"
    r"kicked off|convinced|persuaded|explained|shared|sent|flagged|checked|dug|looked|found|decided|chose|"
    r"agreed|updated|switched|shifted|consolidated|tightened|streamlined|re-?ran|ordered|contacted|"
    r"reached out|formed|recruited|coordinated|drove|championed|challenged|measured|calculated|"
    r"quantified|benchmarked|defined|re-?slotted|re-?routed|suggested|talked|spoke|helped|mentored|"
    r"rebuilt|relaid|laid out|re-?planned|planned|rewrote|re-?sequenced|sequenced|bought|rented|leased|"
    r"swapped|filmed|timed|counted|labelled|labeled|colour-coded|color-coded|posted|printed|created|"
    r"insisted|pushed|lobbied|pitched|secured|approved|signed|booked|expedited|diverted|re-?allocated|"
    r"trialled|trialed|prototyped|refactored|coded|scripted|queried|exported|cleaned|merged|reconciled|"
    r"worked out|figured out|broke|grouped|ranked|sorted|dedicated|carved|staggered|moved|issued"
)
A_I_DID = rx(rf"\bI (?:\w+ly |then |also |first |quickly |personally |immediately )?(?:{_ACT_VERBS})\b")
# Any first-person regular past tense ("I logged", "we re-zoned"): the verb list above is closed.
A_ANY_ED = rx(r"\b(?:i|we) (?:\w+ly |then |also |first |just |quickly |personally )?\w{3,}ed\b")
A_WE_DID = rx(rf"\b(?:we|the team|my team) (?:\w+ly |then |also |first )?(?:{_ACT_VERBS})\b")
A_SEQUENCE = rx(
    LEAD + r"(?:first|firstly|then|next|after that|afterwards|second|secondly|third|thirdly|finally|lastly|"
    r"to do that|to do this|to fix (?:this|it)|from there|in parallel|meanwhile|at the same time|"
    r"step (?:one|two|three|\d))\b",
    r"^\W*[-•*]\s",
)
A_WOULD = rx(
    r"\b(?:I|we)(?:'d| would| will|'ll| could| might) (?:\w+ )?(?:first |then |also |start by |begin by )?"
    r"(?:analy[sz]e|map|build|create|set up|introduce|implement|run|compare|segment|review|pull|look|check|"
    r"talk|meet|pilot|test|model|calculate|prioriti[sz]e|negotiate|propose|use|apply|split|break|interview|"
    r"walk|audit|measure|track|work|bring|add|move|change|consolidate|rebalance|identify|investigate|dig|"
    r"quantify|benchmark|fix|address|launch|train|set|put|ask|get|segment|re-?slot|renegotiate|"
    r"reallocate|schedule|focus|engage|escalate|involve|map|go|start|begin|assess|evaluate|plan|design)\b",
)
A_BY_ING = rx(r"\b(?:started|began|by) (?:by )?\w+ing\b", r"\bpersonally\b", r"\bmyself\b")

# -- Result -----------------------------------------------------------------
R_PHRASE = rx(
    r"\bas a result\b|\bthe results?\b|\bresult(?:ed|ing)? in\b|\boutcome\b|\bin the end\b|\bended up\b",
    r"\boverall,|\bby the end\b|\bat the end of\b|\bin total\b|\ball in all\b|\bthe upshot\b",
    r"\b(?:this|that|it|which) (?:cut|reduced|raised|saved|improved|brought|led to|meant|freed|gave|took|"
    r"lifted|boosted|halved|doubled|removed|eliminated|paid)\b",
)
R_CHANGE = rx(
    r"\b(?:fell|dropped|rose|grew|climbed|declined|decreased|increased|improved|shrank|halved|doubled|"
    r"recovered|stabili[sz]ed|reached|exceeded|beat|eliminated|avoided|prevented|freed up|paid back|"
    r"went (?:up|down|from)|came (?:down|in)|was cut|were cut|was reduced|were reduced|jumped|"
    r"improved by|cleared|sustained|held)\b",
)
R_FROM_TO = rx(
    r"\bfrom\s+\S*\d[^.]{0,40}?\bto\s+\S*\d",
    r"\b(?:by|down|up) (?:a|one|two) (?:third|quarter|half)\b|\b(?:took|shaved|knocked) [^.]{0,30}\boff\b",
    r"\b(?:\w+ed|fell|rose|grew|cut|went|came|dropped)\b[^.]{0,40}\bby (?:about |around |roughly |almost |over )?\S?\d",
    r"\b(?:down|up) (?:to|from|by)\b",
)
R_LESSON = rx(
    r"\bI (?:learned|learnt|realized|realised|took away|now know|discovered that)\b|\blessons?\b",
    r"\bsince then\b|\b(?:now|today) I\b|\bgoing forward\b|\bnext time\b|\bin hindsight\b|\blooking back\b",
    r"\bI still (?:use|apply|do)\b|\bI(?:'d| would) do (?:it )?differently\b|\bwhat I(?:'d| would) change\b",
    r"\bwhat i took (?:from|away)\b|\bif i (?:did|were to do|had to do) it again\b|\btaught me\b",
    r"\bthe (?:big|main|key|biggest) (?:takeaway|lesson)\b|\bi(?:'ve| have) (?:since|always since)\b",
)
R_RECOGNITION = rx(
    r"\b(?:was|were|got|been) (?:\w+ )?(?:recogni[sz]ed|promoted|adopted|rolled out|praised|awarded|approved|extended|"
    r"replicated|thanked|asked to (?:lead|roll|present|train))\b",
    r"\b(?:still|is now|are now|became) (?:in place|used|running|the standard|standard)\b",
    r"\b(?:very |really )?(?:pleased|happy|impressed|delighted)\b|\bgood review\b|\bfeedback was\b",
    r"\b(?:other|all|every) (?:sites|plants|warehouses|teams) (?:adopted|now use|copied)\b",
    r"\b(?:we|I) (?:kept|won|retained|saved|landed|passed|secured) (?:the|our|a|two|three|\d)\b",
    r"\b(?:it all|everything|things) (?:worked out|improved|got better|went well)\b|\bno (?:further|more) \w+",
    r"\b(?:got|were|was|became|are|is) (?:a lot |much |way |far |a bit |noticeably |actually )?(?:better|smoother|"
    r"easier|faster|quicker|happier|fine|stronger|calmer|more (?:satisfied|stable|reliable|accurate))\b",
    r"\b(?:didn't|did not|never) (?:have|had|see|get) (?:any )?(?:more|another|a single|further)\b",
    r"\b(?:higher|lower|better|faster|fewer|less) than (?:before|last year|the year before|target|plan)\b",
    # Done as planned: "the relocation finished on time", "we came in under budget".
    r"\b(?:finished|completed|delivered|launched|went live|shipped|opened|came in|handed over)\b(?: [\w-]+){0,2} "
    r"(?:on time|on schedule|on budget|under budget|within budget|ahead of (?:schedule|time|plan)|on plan)\b",
)
R_EXPECT = rx(
    r"\bwould (?:expect|aim|target)\b|\bI(?:'d| would) (?:expect|measure|track|judge|know it worked|report)\b",
    r"\b(?:should|could|would|will) (?:cut|reduce|raise|save|improve|bring|lift|free|recover|pay back|lower|"
    r"increase|get us|take)\b",
    r"\bexpected (?:impact|saving|benefit|result)\b|\bpayback\b|\broi\b|\bmeasure (?:success|it|this|progress)\b",
    r"\bI (?:\w+ )?expect (?:[\w-]+ ){0,4}to (?:fall|drop|land|reach|rise|come|settle|improve|hit|halve|be)\b",
    r"\b(?:land|settle) (?:at|around|between|near)\b",
    r"\bsuccess metrics?\b|\bwe(?:'d| would) (?:see|expect)\b|\b(?:track|measure|monitor)\w* (?:it |this )?"
    r"(?:weekly|daily|monthly|through|with|on|via)\b",
)

# -- none: text that is none of S, T, A, R ----------------------------------
N_OPINION = rx(
    LEAD + r"(?:I think|I believe|I feel|I always say|personally|in my opinion|honestly|to be honest|"
    r"I guess|I suppose|I'm a big believer|I really believe|I've always)\b",
    r"\bas you can imagine\b|\bof course\b|\bneedless to say\b|\bwhich is (?:normal|natural|always|why)\b",
)
N_GENERIC = rx(
    LEAD + r"(?:in general|generally|typically|usually|every (?:company|business|organi[sz]ation|plant|"
    r"leader|team)|leadership is|communication is|teamwork is|people (?:don't|always|never|tend))\b",
    r"\b(?:is|are) (?:really |always |so |very )?(?:a |the )?(?:common|important|key|critical|crucial|"
    r"essential|hardest|best) (?:problem|part|thing|issue|skill|lesson|factor)?\b",
    r"\b(?:is|are) (?:all|really) about\b|\bthe key is\b|\byou (?:have|need) to\b|\byou can't\b",
    r"\b(?:is|are) (?:always|essential|everything|vital|key)\b|\b(?:is|are) always like that\b",
    r"\bteam effort\b|\bgrateful\b|\bi (?:really |truly |genuinely )?(?:care about|love|enjoy)\b",
    r"\bi(?:'m| am) (?:quite |very |really |naturally |just |a )+(?:\w+ )?(?:thinker|person|player|learner|"
    r"communicator|leader|organi[sz]ed|proud|good at|creative)\b",
)
N_META = rx(
    r"\b(?:that's|that is|what) a (?:really |very )?(?:good|great|interesting|big|tough) (?:question|one)\b",
    r"\bbefore I (?:get into|start|begin)\b|\blet me (?:give you|tell you|think|start)\b",
    r"\b(?:that's|that is|so that's|and that's) (?:an |my |one |a )?(?:example|story|experience)\b",
    r"\b(?:that|this) (?:shows|demonstrates|is why)\b|\b(?:this|the) role\b|\byour (?:company|team|values)\b",
    r"\bI(?:'d| would) love to\b|\bpassionate about\b|\bI'm (?:a |very |really |also )?(?:good|great|"
    r"strong|hard-?working|team player|people person|listener|detail)",
    r"\bI remember\b|\bfun fact\b|\bby the way\b|\banyway\b|\bso yeah\b|\bthat's about it\b",
)
_INJECTION = rx(
    r"\bignore (?:all |any |the |your |previous |prior |above |earlier )*(?:instructions|rubric|rules|prompt|"
    r"criteria|grading)",
    r"\b(?:give|award|grant|assign) (?:me|this(?: answer)?|it) (?:a |an |the )?(?:perfect|full|top|maximum|max|"
    r"highest|100|5|five|10)\b",
    r"\bscore (?:this|me|it)\b[^.]{0,30}\b(?:5|five|100|perfect|full|highest)\b",
    r"\b(?:you are|you're) (?:now )?(?:a|an|the) (?:grader|assistant|ai|model|language model|evaluator)\b",
    # "a daily system: tiered meetings" is prose; "System: you are..." speaks to the model.
    r"\bsystem prompt\b|\b(?:system|assistant):\s*(?:you\b|ignore|disregard|grade|score|rate|award|give|the "
    r"(?:candidate|answer|grader|model)|new instructions)|\bas an ai\b|"
    r"\bdisregard\b[^.]{0,40}\b(?:instructions|rubric|rules)\b",
    r"\b(?:rate|grade|mark) (?:this|me|it)(?: answer)? (?:as |a |an )?(?:5|five|100|perfect|excellent|full)",
    r"\b(?:5|10|100)/(?:5|10|100)\b|\bfull marks\b|\bgrader\b|\brubric\b",
    r"</?(?:script|img|div|iframe|style|svg|a)\b|\bonerror\s*=|\bjavascript:",
    # A tag naming the grader: the whole name is read once (a keyword looked for inside it), and no space or
    # letter is given back. "[a-z_]*KEYWORD[a-z_]*" and "\s*/?\s*" backtrack quadratically on "<" and a long
    # name or a long run of spaces.
    r"<\s*+/?+\s*+(?=[a-z_]*?(?:grad|score|override|system|instruction|admin))[a-z_]*+\s*+>|\bscore\s*[=:]\s*\d|"
    # "Override" alone is planning talk ("every override tracked", "the planner override"); aimed at the grading
    # it is an attempt to change it.
    r"\boverride (?:the |your |all |any |previous |prior |my )*(?:instructions|rubric|rules|grade|grading|scores?|"
    r"scoring|criteria|prompt|system)\b|\bnote to the (?:ai|grader|model|assistant|reviewer)\b",
)


class Gated:
    """A pattern searched only when one of its necessary substrings is in the text.

    Injection text is rare and its pattern slow; a substring test first keeps grading fast.
    """

    def __init__(self, pattern: re.Pattern[str], gates: tuple[str, ...]):
        self.pattern = pattern
        self.gates = gates
        # One scan for all the gates: a substring test each costs 25 calls for every clause.
        self._gate = re.compile("|".join(map(re.escape, gates)))

    def search(self, low: str) -> re.Match[str] | None:
        return self.pattern.search(low) if self._gate.search(low) else None


# Every alternative of _INJECTION contains at least one of these.
N_INJECTION = Gated(
    _INJECTION,
    (
        "ignore",
        "give",
        "award",
        "grant",
        "assign",
        "score",
        "you are",
        "you're",
        "system",
        "assistant:",
        "as an ai",
        "disregard",
        "rate ",
        "grade ",
        "mark ",
        "/",
        "full marks",
        "grader",
        "rubric",
        "<",
        "onerror",
        "javascript:",
        "override",
        "score",
        "note to the",
    ),
)

FILLER = rx(
    r"\b(?:um+|uh+|erm+|er|hmm+|like|you know|i mean|basically|kind of|sort of|actually|literally|"
    r"right\?|okay so|so yeah|yeah)\b"
)
HYPOTHETICAL = rx(r"\b(?:I|we)(?:'d| would| will|'ll| could| might)\b")
PAST_TENSE = rx(
    r"\b(?:I|we|they|he|she|it|team)\s+(?:\w+ly\s+)?\w+ed\b|\b(?:was|were|had|did|made|led|ran|met|took|got|"
    r"set|put|built|found|went|sat|spent|brought|began|chose|wrote|drove|knew|saw|told|gave|kept|left|sent|"
    r"fell|rose|grew|came|cut)\b"
)
PRESENT_GENERIC = rx(r"\b(?:is|are|can|should|must|always|never|everyone|everybody|nobody)\b")
I_WORDS = rx(r"\bI\b|\bI'(?:d|ve|ll|m)\b|\bmy\b|\bme\b|\bmyself\b")
WE_WORDS = rx(r"\bwe\b|\bour\b|\bus\b|\bthe team\b|\beveryone\b")

STOPWORDS = frozenset(
    (
        "a about an and are as at be been but by can could describe did do does done down example for from "
        "give had has have he her here his how i if in into is it its me my no not of on or our out over she "
        "should so tell than that the their them then there these they this those through time to under up "
        "walk was we were what when where which who why will with would you your"
    ).split()
)

CUE_FAMILIES: dict[str, re.Pattern[str] | Family | Gated] = {
    "s_place": S_PLACE,
    "s_role": S_ROLE,
    "s_when": S_WHEN,
    "s_state": S_STATE,
    "s_problem": S_PROBLEM,
    "s_scale": S_SCALE,
    "s_case": S_CASE,
    "t_own": T_OWN,
    "t_goal": T_GOAL,
    "t_need": T_NEED,
    "t_target": T_TARGET,
    "t_purpose": T_PURPOSE,
    "t_as_role": T_AS_ROLE,
    "a_i_did": A_I_DID,
    "a_we_did": A_WE_DID,
    "a_any_ed": A_ANY_ED,
    "a_sequence": A_SEQUENCE,
    "a_would": A_WOULD,
    "a_by_ing": A_BY_ING,
    "method": METHODS,
    "r_phrase": R_PHRASE,
    "r_change": R_CHANGE,
    "r_from_to": R_FROM_TO,
    "r_lesson": R_LESSON,
    "r_recognition": R_RECOGNITION,
    "r_expect": R_EXPECT,
    "metric": METRICS,
    "timeframe": TIMEFRAME,
    "n_opinion": N_OPINION,
    "n_generic": N_GENERIC,
    "n_meta": N_META,
    "n_injection": N_INJECTION,
    "past": PAST_TENSE,
    "present_generic": PRESENT_GENERIC,
    "hypothetical": HYPOTHETICAL,
    "i_words": I_WORDS,
    "we_words": WE_WORDS,
    "number": NUMBER,
    "pct_money": PERCENT_OR_MONEY,
}


def norm(text: str) -> str:
    """The text the cues search: lower-cased, curly apostrophes straightened (same length)."""
    return text.lower().replace("’", "'").replace("‘", "'").replace("\xa0", " ")


def explicit_label(text: str) -> str | None:
    """The part a clause's own "Situation:"-style label names, if it has one."""
    return txt.leading_label(text)


def is_filler_only(low: str) -> bool:
    """Whether a lower-cased clause holds fewer than two content words once fillers go."""
    content = [w for w in txt.words(FILLER.sub(" ", low)) if w not in STOPWORDS]
    return len(content) < 2


def odd_word_share(words: list[str]) -> float:
    """Share of words that do not read as words (keyboard mash, consonant runs)."""

    return sum(map(_odd_word, map(str.lower, words))) / max(1, len(words))


_ODD_RUN = re.compile(r"[^aeiouy]{5,}|(.)\1{3,}")


@lru_cache(maxsize=65536)
def _odd_word(w: str) -> bool:
    if not w.isalpha() or not w.isascii() or w in STOPWORDS:
        return False
    vowels = sum(ch in "aeiouy" for ch in w)
    if len(w) > 3 and vowels == 0:
        return True
    return vowels / len(w) < 0.2 or _ODD_RUN.search(w) is not None

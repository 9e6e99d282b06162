"""Detectors as broad as the language: quantities, time frames, methods, ownership, problems, lessons.

Each detector answers "does this text show X?" and is written to say yes whenever a careful reader
would: a claim that something is missing is made only when the detector finds nothing, so a detector
that misses a phrasing turns into advice that is false of the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coach.grading import cues

_NUM_WORD = (
    r"zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    r"million|billion|dozen|dozens|hundreds|thousands|millions"
)
_UNIT = (
    r"days?|weeks?|months?|quarters?|years?|hours?|minutes?|shifts?|pallets?|orders?|trucks?|lines?|sites?|"
    r"plants?|people|staff|operators?|suppliers?|skus?|points?|basis points|percent|per ?cent|incidents?|"
    r"injuries|complaints?|errors?|defects?|units?|parts?|loads?|containers?|stores?|times"
)
QUANTITY = cues.rx(
    r"\d",
    rf"\b(?:{_NUM_WORD})\b",
    r"\b(?:half|halved|halve|halving|doubled?|doubling|tripled?|quadrupled?|twice|tenfold|threefold|twofold)\b",
    r"\bonce (?:a|an|per|every)\b",
    r"\b(?:a|one|two) (?:third|quarter|fifth|tenth|half)s?\b|\bthirds?\b|\bfifths?\b",
    rf"\b(?:one|an?) (?:a|per|in|out of|of every|every|{_UNIT})\b",
    r"\b(?:once|one) (?:a|per) (?:day|week|month|year|shift)\b",
    r"\bpercent(?:age)?\b|\bper ?cent\b|\bbasis points?\b|\bsingle digits?\b|\bdouble digits?\b",
    r"\b(?:no|none of the|not a single|not one) (?:more |further |other )?(?:\w+ )?(?:incidents?|injuries|"
    r"complaints?|errors?|defects?|stock-?outs?|recalls?|findings?|returns?|escapes?|failures?|breaches?|"
    r"delays?|late|accidents?|recordables?|non-?conformances?)\b",
)

_MONTH = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_SEASON = r"spring|summer|autumn|fall|winter|peak|christmas|holidays?|year[- ]end|black friday|cyber monday|ramadan"
_PERIOD = r"days?|weeks?|months?|quarters?|years?|shifts?|sprints?|cycles?|seasons?|hours?|periods?"
TIMEFRAME = cues.rx(
    r"\bwithin\b|\bby (?:the )?(?:end|time|close|start|middle|mid)\b|\bin time for\b|\bahead of\b",
    rf"\b(?:in|by|before|after|until|through|over|during|from|since|for|across) (?:the |our |a |that |this |next |"
    rf"early |late |mid-?)?(?:{_MONTH}|{_SEASON}|q[1-4]|h[12]|fy\s?\d+|\d{{4}})\b",
    rf"\b(?:in|by|before|after|over|for|within|inside|under|across|during|throughout) "
    rf"(?:[\w-]+ ){{0,3}}(?:{_PERIOD})\b",
    r"\b(?:on|by|until|before|that|next|last|the following|from) (?:monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|weekend|day \d+|morning|afternoon|evening|night)\b|\bday \d+\b|\bsame[- ]day\b|\bovernight\b",
    rf"\b(?:{_PERIOD}) (?:later|after|on|in|into|running|straight|in a row)\b",
    rf"\b(?:the|that|this|next|following|same|first|second) (?:{_PERIOD}|{_SEASON}|{_MONTH})\b",
    rf"\b(?:a|one|per|every|each|that|this) (?:{_PERIOD})\b|\b(?:daily|weekly|monthly|quarterly|annual(?:ly)?|"
    r"yearly|year[- ](?:on|over)[- ]year|month[- ](?:on|over)[- ]month)\b",
    r"\b(?:go-?live|launch|cut-?over|the (?:next |customer |external |surveillance )?audit|the deadline|"
    r"the review|the (?:next )?(?:board|qbr|quarterly business review))\b",
    r"\b(?:has|have|had) since\b|\b(?:since then|ever since|from then on|to this day|to date|so far|today|now|"
    r"nowadays|still|afterwards|"
    r"after that|at the end|in the end|eventually|immediately|right away|overnight|soon after|shortly after)\b",
    rf"\b(?:{_MONTH})\b",
    r"\b(?:19|20)\d\d\b|\bq[1-4]\b|\bh[12]\b|\bfy\d",
    rf"\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|twelve) (?:{_PERIOD}) "
    r"(?:late|early|ahead|behind|later|after|before|sooner|faster|quicker|earlier|of)\b",
)

_METHOD_TERMS = (
    r"5 ?whys?|five whys|dmaic|kanban|abc(?: analysis| classification| segmentation| class\w*)?|xyz|s&op|s ?& ?op|"
    r"sales and operations planning|ibp|integrated business planning|value[- ]stream\w*|vsm|smed|tpm|5s|6s|kaizen|"
    r"pareto|80/20|80-20|root[- ]cause|rca|fishbone|ishikawa|poka[- ]yoke|error[- ]proof\w*|gemba|spc|"
    r"control charts?|fmea|pfmea|a3|pdca|8d|capa|cross[- ]train\w*|standard work|sops?|standard operating|"
    r"safety stock|reorder points?|min[- /]max|eoq|cycle[- ]count\w*|slotting|re-?slott\w*|wave pick\w*|zone pick\w*|"
    r"batch pick\w*|pick[- ]to[- ]light|put[- ]to[- ]light|rf (?:guns?|scanners?)|scan\w*|barcod\w*|rfid|"
    r"cross[- ]dock\w*|raci|gantt|critical path|cpm|pert|raid logs?|risk (?:register|log|matrix|assessment)|"
    r"capacity (?:plan\w*|model\w*)|six sigma|lean|just[- ]in[- ]time|jit|mrp|mps|drp|simulation|regression|"
    r"heijunka|andon|jidoka|takt|spaghetti diagram|dashboards?|pilot\w*|trial\w*|time (?:and motion )?stud(?:y|ies)|"
    r"motion stud\w*|benchmark\w*|rfqs?|rfps?|tenders?|dual[- ]sourc\w*|second source|scorecards?|"
    r"wms|tms|erp|sap|oracle|netsuite|dynamics|mes|qms|cmms|lims|edi|api|excel|spreadsheets?|pivot tables?|"
    r"power ?bi|tableau|looker|sql|python|macros?|vba|google sheets|smartsheet|jira|trello|asana|ms project|"
    r"microsoft project|sharepoint|teams channel|apo|ibp|kinaxis|blue yonder|manhattan|o9|llamasoft|"
    r"loto|lockout[- /]tagout|lock-?out|jsa|jha|job safety analysis|hazop|toolbox talks?|near[- ]miss\w*|"
    r"behaviou?r[- ]based safety|bbs|permit[- ]to[- ]work|uat|user acceptance|hypercare|cut-?over plan|"
    r"go-?live|sprints?|agile|scrum|stand-?ups?|huddles?|tier (?:1|2|3|one|two|three) (?:meetings?|boards?)|"
    r"visual (?:management|boards?)|whiteboards?|checklists?|check-?sheets?|trackers?|templates?|playbooks?|"
    r"runbooks?|swim ?lanes?|process maps?|process mapping|mapp(?:ed|ing) (?:the|out|our|each|every)|"
    r"flow ?charts?|data analysis|analy[sz]ed|analysis|analytics|forecast(?:ing)? models?|model(?:l?ed|ling|ing)?|"
    r"should-?cost|total cost of ownership|tco|zero[- ]based budget\w*|activity[- ]based costing|variance analysis|"
    r"make[- ]vs?[- ]buy|business case|cost[- ]benefit|roi|npv|hoshin(?: kanri)?|okrs?|kpis?|kpi tree|"
    r"oee|msa|gage r&r|gauge r&r|doe|design of experiments|ppap|apqp|cpk|capability stud\w*|"
    r"audits?|auditing|surveys?|interviews?|focus groups?|voice of (?:the )?customer|voc|nps|"
    r"route optimi[sz]\w*|routing software|load (?:planning|optimi[sz]\w*)|network (?:redesign|model\w*|study)|"
    r"center of gravity|milk runs?|consolidat\w*|vmi|vendor[- ]managed|consignment|postponement|"
    r"demand (?:planning|sensing|forecast\w*)|forecast\w*|collaborative planning|cpfr|qbrs?|business reviews?|"
    r"sla|slas|service level agreements?|contracts?|incentives?|gainshare|penalty claus\w*|"
    r"training (?:matrix|plan|program\w*|sessions?)|skills matrix|coaching|mentoring|one-on-ones?|1:1s?|"
    r"workshops?|kick-?off|steering (?:committee|group)|war room|daily calls?|escalation (?:path|process)|"
    r"a/b test\w*|root cause|why-why|is/is not|5w2h|dfmea|mistake[- ]proof\w*|jidoka|gemba walks?|"
    r"digital twin|iot|sensors?|automation|automated|robots?|cobots?|agvs?|amrs?|conveyors?|sorters?|"
    r"labou?r (?:standards?|model\w*|management system)|lms|engineered standards?|yard management|ymo|"
    r"dock (?:scheduling|appointment\w*)|appointment system|track(?:ing)? system|telematics|gps|"
    r"lca|life[- ]cycle assessment|energy audit|iso ?\d+|gmp|haccp|brc|sqf|osha|csr|"
    r"scenario\w*|worst[- ]case|contingency|buffer stock|buffer|expedit\w*|charter\w*|air ?freight|"
    r"alternate supplier|alternative supplier|sister (?:plant|site)|reason codes?|action (?:log|plan|list)|"
    r"change control|mock (?:inspection|audit|recall|drill)|drills?|data loggers?|temperature mapping|re-?mapped|"
    r"compar(?:ed|ing|e|ison) [^.]{0,40}\b(?:against|with|to|versus|vs)\b|normali[sz]\w*|broke [^.]{0,30}\bdown by|"
    r"split [^.]{0,40}\bby\b|segment\w*|the data|data\b|trend\w*|histor(?:y|ical) (?:data|orders|demand)|"
    r"project plan|plan\b|schedul\w*|roster\w*|rota\w*|shift pattern|rebalanc\w*|cross-?functional team|"
    r"read-?back|reading back|one-?pagers?|board paper|options? paper|decision matrix|weighted scor\w*|"
    r"cost model|financial model|payback|capex|opex|budget\w*|survey\w*|questionnaire|feedback (?:form|session)|"
    r"coded them|tally|tallied|count(?:ed|ing)? (?:every|each|the)|measur(?:ed|ing) (?:every|each|the)|"
    r"ppe|signage|guard(?:s|ing)?|interlocks?|ergonomic\w*|tracking|track(?:ed|ing)?|log(?:ged|ging)?|"
    r"calendar|appointment\w*|booking system|portal|app\b|software|system\b|tool\b|tools\b|report\b|reports\b|"
    r"sheets?|notebooks?|log ?books?|colou?r[- ]cod\w*|film(?:ed|ing)?|video\w*|photo\w*|classif\w*|categori[sz]\w*|"
    r"(?:sorted|grouped|ranked|split|broke \w+ down) (?:them |it )?by|repeat\w* (?:\w+ ){0,2}back|read(?:ing)? back|"
    r"minimum (?:of|level|stock)|maximum (?:of|level|stock)|reorder\w*|kanban|two-bin|labels?|labell?ed|signs?|"
    r"floor markings?|shadow boards?|standard (?:setting|settings|times?|sheet)|setting sheets?|"
    r"handover\w*|hand-?off (?:sheet|note|form)|forms?|logs?|registers?|matrix|matrices|rota|schedule|"
    r"charts?|graphs?|one[- ]pagers?|one page|visuals?|slides?|decks?|presentations?|diagrams?|maps?|videos?|"
    r"handhelds?|permits?|isolation\w*|cards?|against the (?:[\w-]+ ){0,3}(?:slip|list|order|invoice|plan|schedule|"
    r"record|records|spec|specification|drawing|standard)"
)
METHOD = cues.rx(rf"\b(?:{_METHOD_TERMS})\b")
# A named tool or system in capitals ("LOTO", "UAT", "RAID") reads as a method wherever it stands.
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&/]{1,6}s?\b")
_NOT_TOOLS = frozenset(
    "I OK US UK EU USA CEO CFO COO CTO VP GM HR IT DC DCS AM PM QA QC EMEA APAC LATAM NA UAE PLC LLC INC LTD "
    "MBA ASAP FYI TV PC RE CV ID NO SO AND THE A AN IN ON OF TO S T R STAR EUR USD GBP INR RMB PLN JPY CNY "
    "CAD AUD KG KM LB LBS TON M K".split()
)


def has_method(text: str) -> re.Match[str] | str | None:
    """The first method, tool, system or named practice in the text, if any."""
    found = METHOD.search(cues.norm(text))
    if found:
        return found
    for match in _ACRONYM.finditer(text):
        if match.group(0).rstrip("s") not in _NOT_TOOLS and not match.group(0).isdigit():
            return match.group(0)
    return None


# A role held: "as the shift lead", "I was the planner". It places the candidate, but on its own it does
# not say what they were responsible for in this story.
ROLE = cues.rx(
    cues.T_AS_ROLE.pattern,
    r"\bi was (?:\w+ ){0,3}(?:lead|manager|owner|coordinator|planner|supervisor|engineer|analyst|buyer|head)\b",
    r"\bas (?:the|a|an|our|their|site|new|acting|interim|senior|junior)? ?(?:[\w\-'’]+ ){0,4}(?:manager|lead|"
    r"leader|planner|coordinator|engineer|analyst|officer|supervisor|buyer|director|head|owner|specialist|"
    r"controller|vp|champion|sponsor|intern|associate|scheduler|dispatcher|superintendent|foreman|chief|coo|"
    r"ceo|pm|project manager)\b",
    r"\bi was (?:the|a|an|our|their|acting|interim|site|new|senior|junior) (?:[\w\-'’]+ ){0,4}(?:manager|lead|"
    r"leader|planner|coordinator|engineer|analyst|supervisor|buyer|director|head|owner|specialist|controller|"
    r"vp|champion|intern|associate|scheduler|superintendent|chief)\b",
    r"\bi (?:lead|led|own|owned|ran|run|manage|managed|headed|coordinate|coordinated|oversee|oversaw|"
    r"supervise|supervised|sponsored|chaired) (?:the|a|an|our|this|that|my|all|every|both|\d+|two|three|four|five) "
    r"(?:[\w-]+ ){0,3}(?:team|shift|site|operations?|project|programme|program|warehouse|plant|department|line|"
    r"lines|dc|function|rollout|initiative|workstream|account|region|fleet|crew|store|stores|unit|area|desk|"
    r"effort|launch|migration|implementation|review|investigation|office|business|company|group|people|staff)\b",
    r"\bi(?:'m| am|'ve been| have been| was| had been) (?:\w+ )?(?:the owner|the lead|leading|heading|running|"
    r"managing)\b",
)

# What the candidate themself was responsible for or asked to do, or the goal they set themself.
OWNERSHIP = cues.rx(
    cues.T_OWN.pattern,
    cues.T_PURPOSE.pattern,
    r"\bi(?:'m| am|'ve been| have been| was| had been) (?:\w+ )?(?:responsible|accountable|in charge|incharge|"
    r"tasked|asked|assigned|charged|given the)\b|\bi (?:\w+ )?(?:responsible|accountable|in charge|incharge)\b",
    r"\bin charge (?:of|for)\b|\bresponsib\w+ (?:of|for|was|is|to)\b|\b(?:my|our) (?:duty|responsibility|job|"
    r"role|task|mandate|mission|goal|objective|target|aim|brief)\b|\bis my (?:duty|job|responsibility|task)\b",
    r"\b(?:they|management|manager|boss|director|company|ceo|coo|vp|gm|client|customer|plant manager|head office|"
    r"leadership|my lead|supervisor|he|she) (?:\w+ )?(?:give|gave|gives|ask|asked|asks|assign|assigned|"
    r"assigns|appoint|appointed|put|puts|want|wanted|wants|need|needed|expect|expected|charge|charged|"
    r"made|make|nominate|nominated|select|selected|pick|picked|bring|brought|hire|hired|task|tasked) me\b",
    r"\b(?:me|i was \w+|i had|i needed|i got|i volunteered|i offered) to (?:lead|own|run|fix|manage|coordinate|"
    r"deliver|handle|sort out|turn around|get|bring|cut|reduce|improve)\b",
    r"\bi was the one (?:who|that|to)\b|\b(?:and|so) (?:i )?(?:had|needed) to\b|\b(?:had |has |"
    r"have )?(?:given|handed|assigned|set|asked|told|tasked|"
    r"charged) me\b|\b(?:i was|i'm|i am) (?:part of|on|one of) (?:the|a) (?:\w+ ){0,2}(?:team|group|crew)\b",
    r"\b(?:was|is) (?:mine|my (?:call|order|account|project|area|line|shift))\b",
    r"\bi (?:needed|had to|wanted|set out|aimed|decided|was determined|must|have to|need to|needed to|"
    r"wanted to|set myself|made it my|took it upon myself|committed|promised|offered|volunteer\w*)\b",
    r"\b(?:my|i) (?:first|main|own|personal) (?:job|task|goal|priority|target|aim|focus)\b",
    r"\bfixing it was on me\b|\b(?:on|to|for) me to\b|\bfell to me\b|\bup to me\b|\bon my plate\b",
    r"\b(?:objective|goal|aim|target|mandate|priority) (?:is|was|would be|will be|here is|for me|i set)\b",
    # "I was the buyer for packaging": the role, definite and with its scope, is the responsibility.
    r"\bi was the (?:[\w\-'’]+ ){0,4}(?:manager|lead|leader|planner|coordinator|engineer|analyst|supervisor|buyer|"
    r"director|head|owner|specialist|controller|scheduler|superintendent)(?: (?:for|on|of|over)\b|\s*[.,;]|$)",
    r"\b(?:i was|and was|and got|i got|so was) (?:\w+ )?(?:asked|told|tasked|given|chosen|picked) to\b|"
    r"\b(?:and|so) wanted to\b|\b(?:assign|assigns|assigned|ask|asks|tell|tells|give|gives) me (?:to|the|a)\b",
    r"\bsuccess (?:would|will|for me|means|meant|looks|would look)\b|\bi(?:'d| would) (?:aim|target)\b|"
    r"\bi(?:'d| would)? set (?:a|the|an|my|our) (?:[\w-]+ )?(?:goal|target|objective)\b",
    # "I told my supervisor I would take it and set one goal", "the decision was mine to make".
    r"\bset (?:myself )?(?:one|a single) (?:[\w-]+ )?(?:goal|target|objective)\b|"
    r"\bset myself (?:a|an|the) (?:[\w-]+ )?(?:goal|target|objective)\b|"
    r"\bi(?:'d| would|'ll| will) take (?:it|this|that) on\b|\bi(?:'d| would|'ll| will) take it\b|"
    r"\b(?:was|is) mine\b",
)

PROBLEM = cues.rx(
    cues.S_PROBLEM.pattern,
    cues.S_STATE.pattern,
    r"\b(?:too (?:many|much|high|low|slow|long|few|often|late|costly|expensive))\b|\bstopped the line\b",
    r"\b(?:stopp\w+|down|idle|short|lost|losing|loss|lose|missed|miss|misses|late|over|under|excess|surplus|"
    r"obsolete|expired|damaged|damage|scrap|waste|rework|recall|escape|breach|risk|threat|penalt\w+|fine|"
    r"complain\w*|angry|unhappy|frustrat\w+|chaos|chaotic|mess|messy|struggl\w+|behind|backlog\w*|"
    r"overtime|turnover|attrition|absen\w+|injur\w+|incident\w*|accident\w*|near[- ]miss\w*|hazard\w*|unsafe|"
    r"bottleneck\w*|delay\w*|shortage\w*|stock-?outs?|out of stock|run(?:ning)? out|ran out|overdue|"
    r"inaccura\w+|wrong|mistakes?|errors?|defect\w*|fail\w*|broke\w*|poor|bad|worse|worst|low|high|rising|"
    r"rose|climb\w*|increas\w+|drop\w*|fell|fall\w*|declin\w+|slipp\w+|dipp\w+|crept|spik\w+|doubled|"
    r"tripled|crisis|urgent|deadline|pressure|gap|gaps|inconsisten\w+|unreliable|variab\w+|volatil\w+|"
    r"disrupt\w+|shut\w*|closure|closing|bankrupt\w*|insolven\w+|strike|flood\w*|fire|storm|pandemic|covid|"
    r"tariff\w*|shortfall|overspen\w+|over budget|cost(?:s|ly)? (?:were|was|had)|audit findings?|non-?conform\w*|"
    r"warning letter|needed|need|needs|required|requirement|had to|wanted|asked for|demand\w*|growing|grew|"
    r"expan\w+|new|launch\w*|merger|acquisition|migrat\w+|implement\w*|replac\w+|upgrad\w+|challeng\w+|"
    r"annoy\w*|upset|fee|fees|fines?|fined|nobody|no one|not ready|cost us|drama|conflict\w*|tension|"
    r"requirement|unclear|confus\w+|misunderst\w+|manual|paper-?based|slow|outdated|old|aging|ageing)\b",
    r"n't\b|\bnot\b|\bwithout\b|\bnever\b|\bonly\b",
)

# A lesson told outright: on its own it makes a clause part of the outcome.
LESSON_TOLD = cues.rx(
    cues.R_LESSON.pattern,
    r"\b(?:ever since|since then|from then on|(?:the )?(?:thing|lesson|takeaway) i took|taught me|"
    r"i (?:learned|learnt))\b",
)

LESSON = cues.rx(
    cues.R_LESSON.pattern,
    r"\b(?:still|now|is now|are now|has been|have been|became|become|remains?|stayed?) (?:\w+ ){0,3}(?:in place|"
    r"in use|used|running|standard|the standard|the norm|part of|how we|our|policy|permanent|embedded|live)\b",
    r"\b(?:adopt\w*|rolled out|roll(?:ed|ing) (?:it )?out|replicat\w+|copied|extended|spread|scaled|standardi[sz]\w+|"
    r"institutionali[sz]\w+|templat\w+|became (?:a|the) (?:template|standard|model|blueprint)|other (?:sites|"
    r"plants|warehouses|teams|regions|dcs|lines|shifts))\b",
    r"\b(?:learn\w*|realis\w+|realiz\w+|taught|takeaway|lessons?|in hindsight|looking back|next time|since then|"
    r"ever since|from then on|i now|i always|i never|i still|now i|today i|going forward|would do differently|"
    r"would have|should have|i(?:'d| would) (?:have )?(?:start|involve|do|move|push|pilot|ask))\b",
    r"\b(?:still|now) (?:\w+ ){0,2}(?:use|uses|used|review|reviews|run|runs|do|does|hold|holds|apply|applies|send|"
    r"sends|meet|meets|track|tracks|check|checks|follow|follows|work|works)\b|\b(?:has|have) since\b",
    r"\b(?:made|make|became|become|becomes) (?:\w+ ){0,4}(?:mandatory|standard|policy|permanent|a habit|"
    r"a rule|part of|the norm|routine|required)\b|\ba habit\b|\bmandatory\b|\bpermanent\w*\b",
    r"\basked (?:us|me|my team|our team) to (?:present|share|roll|lead|train|teach|run|write|brief|replicate|repeat|"
    r"do the same|help|take)\b|\bas (?:the|a) (?:template|standard|model|blueprint|example)\b",
    r"\b(?:used|applied|ran|done|did it) again\b|\bthe same (?:[\w-]+ ){0,2}(?:method|approach|process|format|"
    r"model|scheme|playbook|template)\b|\b(?:we|i|they|the site|the plant|the team|the company) now\b|"
    r"\b(?:is|are|was|were) (?:now|still) (?:how|what|the|a|an|part|in|our|their|used|run|done|kept|standard)\b|"
    r"\bnow [a-z]+s\b|'ve since\b|\b(?:kept|keeps|keep) (?:running|going|working)\b|"
    r"\b(?:built|written|embedded|baked|folded) into\b|\bpart of (?:our|the|their) (?:standard|annual|process|"
    r"sop|sops|training|onboarding|induction|routine|plan|playbook)\b|\bsurvived\b|"
    r"\b(?:to|across|on|for|at|in) (?:all|every|each|the other|other|another|both) (?:\d+ |"
    r"[\w-]+ ){0,2}(?:shifts?|sites?|"
    r"stores?|plants?|lines?|teams?|regions?|accounts?|machines?|suppliers?|warehouses?|dcs|depots?|customers?|"
    r"projects?|launches?|branches?|departments?|units?|countries|markets?|locations?|facilities|products?)\b|"
    r"\bthe other (?:\w+ ){0,2}(?:shifts?|sites?|stores?|plants?|lines?|teams?|regions?|warehouses?|departments?) "
    r"(?:copy|copied|use|used|adopt|adopted|took|take|follow|followed)\b|"
    r"\b(?:people|everyone|they|we|the team|staff|operators|planners) (?:still |now |kept |keep )?(?:use|"
    r"used|uses|using) "
    r"(?:it|them|this|that|the)\b|\b(?:matters|counts|works) (?:more|better) than\b|\bmore important than\b|"
    r"\bstill\b|\bnow\b|\bkept\b|\bwent across\b|\block(?:ed)? (?:it |them |that |this )?in(?:to)?\b|"
    r"\b(?:added|wrote|built|put|locked|written|added) (?:[\w-]+ ){0,6}(?:into|to|in) (?:the|our|their|every|each|all) "
    r"(?:[\w-]+ ){0,3}(?:checklists?|sops?|procedures?|standards?|control plans?|programs?|programmes?|process|"
    r"training|templates?|systems?|schedules?|audits?|routines?)\b|"
    r"\b(?:picked it up|copied|followed suit|took it up)\b|\b(?:we|i|they|the site|the team) (?:kept|keep) "
    r"(?:the|it|using|doing|running|our|that|this)\b",
    # What lasted: "the review continues", "it has stayed accepted", "the framework has outlived two reorgs".
    r"\b(?:continues|carries on|lives on|outlived|outlasted|has stuck|have stuck|stuck ever|has lasted|"
    r"have lasted|has held|have held|has stayed|have stayed|has remained|have remained|has continued|"
    r"have continued|continued ever|continued after|continued beyond)\b",
    # What was taken further: "later applied to liners", "was reused for", "became an annual open evening".
    r"\blater (?:\w+ ){0,2}(?:applied|reused|used|adopted|extended|copied|rolled|taken|carried|repeated)\b",
    r"\b(?:was|were|has been|have been|got) (?:later |since |then |also |now )?(?:applied|reused|extended|"
    r"carried over|transferred) (?:to|for|across|at|in)\b",
    r"\bbecame (?:an? |the |our )?(?:annual|yearly|quarterly|monthly|weekly|regular|standing|fixed)\b",
    r"\b(?:every|each) year\b|\b(?:the following|the next) (?:year|season)\b",
    # What it taught: "which tells me the definitions mattered more than the dashboards".
    r"\b(?:which|that|this|it) (?:tells|told|showed|shows|taught|reminds|reminded|convinced) me\b|"
    r"\b(?:mattered|counted|worked) (?:more|better) than\b",
)

# The question asks about the candidate's own failure, not about failures they fixed.
FAILURE_ASKED = re.compile(
    r"\b(?:you|your|a project you \w+|an initiative you \w+|a decision you \w+|a plan you \w+|a change you \w+|"
    r"something you \w+) (?:\w+ ){0,2}(?:failed|went wrong|didn't go|did not go|fell short|backfired|didn't work|"
    r"did not work)\b|\b(?:a|an|one) (?:project|initiative|plan|decision|change) (?:that |which )?(?:failed|went wrong|"
    r"backfired|didn't work|did not work)\b|\byour (?:biggest |worst |big |major |professional )?(?:mistake|failure|"
    r"setback)s?\b|\b(?:a|one) (?:big |major |professional )?(?:mistake|failure|setback) (?:you|that you|of yours)\b|"
    r"\bmade a mistake\b|\bgot (?:it|something) wrong\b|\bwrong (?:call|decision) you\b|\byou regret\b|"
    r"\byou failed\b|\byou missed (?:a|an|the|your) (?:target|deadline|goal)\b|\bfailed to (?:meet|hit|deliver)\b",
    re.IGNORECASE,
)


# A failure told as the candidate's own: what they got wrong, or what went wrong on their watch.
FAILURE_TOLD = cues.rx(
    r"\b(?:my (?:mistake|fault|error|bad|failure|misjudg\w+)|i was wrong|i got (?:it|that|this) wrong|i (?:\w+ )?"
    r"(?:made a mistake|failed|forgot|missed|underestimat\w+|overestimat\w+|overlook\w+|misread|misjudg\w+|"
    r"misunderst\w+|assumed|didn't (?:check|ask|test|think|plan|realise|realize|see|involve|escalate)|should have|"
    r"shouldn't have|blame(?:d)? myself|own(?:ed)? (?:it|up|the mistake|the miss|the failure)|apologi[sz]\w+))\b",
    r"\b(?:it|the project|the launch|the plan|the pilot|the rollout|this|that|the change|"
    r"we) (?:\w+ )?(?:failed|went wrong|"
    r"didn't work|did not work|backfired|fell short|slipped|missed (?:the|our|its)|was late|went live late|"
    r"over ?ran|ran over)\b",
    r"\b(?:lesson|learn\w*|in hindsight|looking back|next time|what i(?:'d| would) do differently)\b",
)
INFLUENCE_ASKED = re.compile(
    r"\b(?:influenc\w*|persuad\w*|convinc\w*|without (?:formal |direct )?authority|buy-?in|win over|won over|"
    r"resist\w*|push ?back|disagree\w*|didn't report to you|did not report to you|get others|bring .{0,20} on board|"
    r"stakeholders? who)\b",
    re.IGNORECASE,
)
INFLUENCE_TOLD = cues.rx(
    r"\b(?:convinc\w+|persuad\w+|influenc\w+|buy-?in|bought in|won (?:them |him |her )?over|on board|onboard|"
    r"agreed|agreement|listen\w*|understand (?:their|his|her)|their (?:concerns?|side|view|perspective|worries|"
    r"objections?)|showed (?:them|him|her)|walked (?:them|him|her)|explained|presented|data|numbers|business case|"
    r"pilot|trial|compromise|negotiat\w+|align\w*|win-win|asked (?:them|him|her|for)|involv\w+|consult\w+|"
    r"one-on-one|1:1|coffee|met with|sat down|champion|ally|allies|sponsor)\b",
)
ORDERS_TOLD = cues.rx(
    r"\b(?:i (?:told|instructed|ordered|directed|made|forced|mandated|demanded|required) (?:them|everyone|the|my|"
    r"him|her|all)|i (?:just )?(?:gave|issued) (?:the )?(?:orders?|instructions?|directives?)|because i was "
    r"(?:the|their) (?:boss|manager)|i'm the boss|they had to (?:do|follow)|no choice|no discussion|"
    r"(?:a|the) (?:written|final|formal) warning|"
    r"i (?:tell|told) (?:them|him|her|everyone|all)\b.{0,60}\b(?:must|have to|has to|had to)\b)\b",
)

REPLY_FACT = cues.rx(
    r"\d",
    rf"\b(?:{_NUM_WORD})\b",
    cues.T_OWN.pattern,
    cues.A_I_DID.pattern,
    cues.A_WE_DID.pattern,
    cues.A_ANY_ED.pattern,
    cues.R_CHANGE.pattern,
    cues.S_PLACE.pattern,
    cues.S_ROLE.pattern,
    cues.S_STATE.pattern,
    cues.S_WHEN.pattern,
)


def reply_has_facts(text: str) -> bool:
    """Whether a follow-up reply brings anything checkable: a number, a step, a role, a place, a method."""
    low = cues.norm(text)
    return bool(REPLY_FACT.search(low)) or has_method(text) is not None


# Saying there is no such story is not telling one: "I can't think of a project of mine that failed".
DENIAL = cues.rx(
    r"\b(?:can't|cannot|can not|couldn't|don't|do not) (?:really )?(?:think of|remember|recall)\b|\bnever (?:really )?"
    r"(?:failed|had a (?:failure|project fail)|made (?:a|any) (?:big |real )?mistake)\b|\bhaven't (?:really )?"
    r"(?:failed|had)\b|\bnot (?:really )?(?:had|one) (?:a |any )?(?:failure|mistake)s?\b",
)


@dataclass(frozen=True)
class Topic:
    """An operations subject a question can be about: what names it in a question, what shows it in a story.

    The question side is narrow (the subject must be what is asked) and the story side broad (any
    ordinary way of talking about it), so "the story never touches the subject" is a safe claim.
    """

    name: str
    asked: re.Pattern[str] | cues.Family
    told: re.Pattern[str] | cues.Family


TOPICS = (
    Topic(
        "stock",
        cues.rx(
            r"\b(?:inventory|stock|stocks|stockouts?|skus?|write-offs?|obsolete|excess|cycle counts?|reorder points?|"
            r"safety stock|days of supply|turns|spare-parts store|slow movers|stock count|shrink|shrinkage)\b"
        ),
        cues.rx(
            r"\b(?:inventor\w*|stock\w*|skus?|write-?offs?|written off|writing off|obsole\w+|excess|slow[- ]mov\w+|"
            r"count|counts|counted|counting|counters?|reorder\w*|replenish\w*|kanban|consignment|shrink\w*|expir\w+|"
            r"best[- ]before|short[- ]dated|dated|overstock\w*|spares?|days of (?:supply|cover)|turns|shelf|shelves|"
            r"pick faces?|bins?|locations?|on hand|min/max|min-max|safety stock|dead stock|surplus|liquidat\w+|"
            r"clearance|markdowns?|ageing|aging|abc|xyz|par levels?|pallets? (?:of|on)|holding|carrying|"
            r"run(?:ning)? out|ran out|out of|availab\w+|ordering|auto-?order\w*|order (?:quantit\w+|points?)|"
            r"forecast\w*|shortages?|short|"
            r"supply|supplies|materials?|parts|items?|products?|goods|lines)\b"
        ),
    ),
    Topic(
        "safety",
        cues.rx(
            r"\b(?:safety|unsafe|injur\w*|near miss\w*|ppe|lockout|hazards?|accidents?|work at height|fatalit\w*|"
            r"machine guarding)\b"
        ),
        cues.rx(
            r"\b(?:safe\w*|unsafe|injur\w*|hazard\w*|accident\w*|near[- ]miss\w*|ppe|hi-?vis|helmets?|hard hats?|"
            r"gloves|goggles|harness\w*|lockout|tagout|loto|guard\w*|hurt|harm\w*|risks?|incidents?|fatal\w*|"
            r"first aid|ergonom\w+|osha|riddor|hse|ehs|lost[- ]time|recordables?|at height|fall\w*|fell|crush\w*|"
            r"collision\w*|pedestrian\w*|stop(?:ped|ping)? (?:the )?(?:work|line|job|truck|machine)|danger\w*|"
            r"toolbox|permit\w*|e-?stop|emergency|evacuat\w+|fire|spill\w*|chemical\w*|ladders?|scaffold\w*|"
            r"speed limits?|walkways?|barriers?|wounds?|cuts?|burns?|strain\w*|blind spots?|allergen\w*|"
            r"cross-?contact\w*|hygiene|haccp|contamina\w*|food safety|precaution\w*)\b"
        ),
    ),
    Topic(
        "quality",
        cues.rx(
            r"\b(?:quality|defects?|scrap|non-?conformances?|capa|spc|ppm|customer returns|recalls?|yields?|"
            r"audits?|iso 9001|rejects?|wrong labels|withdrawals?)\b"
        ),
        cues.rx(
            r"\b(?:quality|qa|qc|defect\w*|scrap\w*|reject\w*|non-?conform\w*|capa|corrective|root[- ]cause\w*|spc|"
            r"ppm|returns?|returned|complain\w*|audit\w*|iso|yield\w*|rework\w*|inspect\w*|recall\w*|withdr\w+|"
            r"toleranc\w*|specs?|specification\w*|escape\w*|faulty|fault\w*|cosmetic|label\w*|first[- ]pass|"
            r"right first time|cpk|gauge\w*|fmea|8d|whys|contamina\w*|batch\w*|lots?|damage\w*|broken|leak\w*|"
            r"cracks?|cracked|errors?|mistakes?|wrong|accuracy|accurate|traceab\w+|quarantin\w+|holds?|"
            r"standards?|hygiene|haccp|gmp|fda|regulator\w*|customers? (?:were )?notif\w+)\b"
        ),
    ),
    Topic(
        "the disagreement",
        cues.rx(r"\b(?:conflicts?|disagree\w*|blame each other|tense|disputes?|disputed|tensions?)\b"),
        cues.rx(
            r"\b(?:conflict\w*|disagree\w*|argu\w+|disput\w+|tension\w*|tense|clash\w*|friction|fell out|falling out|"
            r"blam\w+|at odds|get (?:on|along)|got (?:on|along)|push\w* back|pushback|resent\w*|frustrat\w*|upset|"
            r"angry|anger|annoy\w*|complain\w*|rows?|difficult|personalit\w+|fight\w*|fought|refus\w+|object\w*|"
            r"grievances?|escalat\w+|mediat\w+|opinions?|views?|eye to eye|stand-?off|speaking|bad blood|toxic|"
            r"unhappy|mad|heated|shout\w*|yell\w*|rude|resist\w*|opposed|opposite|against|tug of war|"
            r"(?:didn't|did not|don't|do not|wouldn't|would not) (?:agree|accept|want|trust|like)|trust|"
            r"compromis\w+|sides?|both|each other|relationship|misunderst\w+|negotiat\w+|concerns?|worr\w+|"
            r"no|not|never|agre\w+|kept \w+ing|without (?:telling|asking|warning|consulting|checking)|coffee|"
            r"sat down|one-to-ones?|1:1|privately|behaviou?r\w*|attitude|tone|feel\w*|felt)\b"
        ),
    ),
    Topic(
        "people and hiring",
        cues.rx(
            r"\b(?:hire|hired|hiring|recruit\w*|onboard\w*|mentor\w*|turnover|attrition|absenteeism|headcount|"
            r"new starters|temporary workers|underperforming (?:supervisor|team member|employee)s?|"
            r"new team member|union|works council)\b"
        ),
        cues.rx(
            r"\b(?:hir\w+|recruit\w*|onboard\w*|induct\w*|new starters?|starters?|new (?:hires?|joiners?|people|staff)|"
            r"temps?|temporary|agency|agencies|attrition|turnover|leavers?|left|quit\w*|resign\w*|headcount|"
            r"absen\w+|sick\w*|interview\w*|train\w*|mentor\w*|coach\w*|buddy|buddies|develop\w*|promot\w+|"
            r"performance|underperform\w*|feedback|one-to-ones?|1:1s?|disciplin\w*|warning|hr|union\w*|"
            r"works council|staff\w*|people|team\w*|employees?|workers?|operators?|colleagues?|morale|engag\w+|"
            r"layoffs?|redundan\w+|shifts?|rota\w*|roster\w*|overtime|skills?|capab\w+|managers?|leaders?|leadership|"
            r"appoint\w*|report\w* to|structure|org\w*|supervisors?|heads? of|directors?|gms?|succession)\b"
        ),
    ),
    Topic(
        "systems and technology",
        cues.rx(
            r"\b(?:systems?|software|wms|erp|tms|go-live|scanners|automation|robotics|digital|technology|"
            r"test scripts|user acceptance tests?|bi tool|sql)\b"
        ),
        cues.rx(
            r"\b(?:system\w*|software|wms|erp|tms|mes|sap|oracle|netsuite|dynamics|manhattan|go-?live|went live|"
            r"go live|launch\w*|scanners?|scanning|handhelds?|rf|guns?|barcodes?|automat\w+|robot\w*|amrs?|"
            r"agvs?|cobots?|conveyors?|sorters?|digital\w*|apps?|tools?|it (?:team|department|support|project)|"
            r"tech\w*|vendors?|implement\w*|roll(?:ed|ing)? ?out|upgrad\w+|integrat\w+|interfaces?|uat|"
            r"test scripts?|user acceptance|requirements|modules?|platforms?|cloud|excel|sql|power ?bi|tableau|"
            r"dashboards?|macros?|spreadsheets?|databases?|screens?|logins?|configur\w+|bugs?|super-?users?|"
            r"hypercare|cut-?over|migrat\w+|ai|machine learning|algorithm\w*|computer\w*|electronic|portal\w*|"
            r"tablets?|sensors?|iot)\b"
        ),
    ),
    Topic(
        "sustainability",
        cues.rx(
            r"\b(?:sustainab\w+|energy|carbon|emissions?|landfill|circular|recycl\w*|ecovadis|"
            r"decarboni\w+|environmental|scope [123]|cardboard|electricity)\b"
        ),
        cues.rx(
            r"\b(?:sustainab\w+|wast\w*|energy|packag\w+|carbon|emission\w*|landfill|circular|recycl\w*|reus\w+|"
            r"returnable|ecovadis|decarboni\w+|environment\w*|scope|cardboard|electric\w*|diesel|fuel|co2|"
            r"green|solar|led|lighting|compressed air|plastic\w*|film|wrap|net zero|kwh|mwh|tonnes?|tons?|"
            r"water|heat\w*|gas|boilers?|compressors?|leaks?|efficien\w+|scrap|pallets?|trucks?|loads?|"
            r"empty|miles|km|modal|rail|biofuel|hvo|ev|evs|vehicles?|footprint|climate|iso 14001|esg)\b"
        ),
    ),
    Topic(
        "transport and delivery",
        cues.rx(
            r"\b(?:freight|transport\w*|shipping|shipments?|pickups?|carriers?|trucks?|distribution network|"
            r"dock doors|outbound|port|modal shift|load fill|on-time delivery|next-day delivery|last mile)\b"
        ),
        cues.rx(
            r"\b(?:freight|transport\w*|trucks?|lorr\w+|trailers?|vans?|carrier\w*|ship\w*|deliver\w*|routes?|"
            r"routing|haul\w*|dispatch\w*|pick-?ups?|collect\w*|loads?|loading|loaded|fleet|drivers?|parcels?|"
            r"couriers?|last mile|modal|rail|ocean|air|containers?|ports?|docks?|outbound|inbound|distribution|"
            r"network|dcs?|warehouses?|depots?|hubs?|miles|km|kilomet\w+|vessels?|customs|forwarder\w*|3pls?|"
            r"cut-?off|dispatch|despatch|on[- ]time|otif|late|lead times?|transit|tracking|pallets?|orders?|"
            r"stores?|customers?|capacity|peak|volume\w*|doors?|yard|slots?|bookings?)\b"
        ),
    ),
    Topic(
        "customers",
        cues.rx(
            r"\b(?:customers?|customer's|clients?|otif|service levels?|fill rate|nps|accounts?|next-day delivery)\b"
        ),
        cues.rx(
            r"\b(?:customer\w*|client\w*|accounts?|retailer\w*|consumer\w*|patients?|shoppers?|buyers?|users?|"
            r"service|otif|on[- ]time|fill rate|nps|complain\w*|orders?|ordered|deliver\w*|shipp\w+|brand\w*|"
            r"stores?|market\w*|sales|contract\w*|penalt\w+|sla\w*|scorecards?|returns?|demand|backorders?|"
            r"stock-?outs?|lead times?|promis\w+|commit\w*)\b"
        ),
    ),
    Topic(
        "suppliers",
        cues.rx(
            r"\b(?:suppliers?|supplier's|vendors?|sourcing|procurement|purchase orders?|tariffs?|make-versus-buy|"
            r"outsourc\w+|integrator|contractor)\b"
        ),
        cues.rx(
            r"\b(?:suppl\w+|vendor\w*|sourc\w+|procure\w*|purchas\w*|buyers?|manufacturers?|3pls?|carrier\w*|"
            r"oems?|partner\w*|tariff\w*|imports?|exports?|lead times?|negotiat\w*|contract\w*|rfq|rfp|tender\w*|"
            r"quotes?|quoted|bids?|mill|factory|factories|outsourc\w+|insourc\w+|in-house|integrator\w*|"
            r"installer\w*|third[- ]part\w+|subcontract\w*|provider\w*|agency|agencies|parts|components?|"
            r"materials?|inbound|deliver\w*|po|pos|administration|bankrupt\w*|insolven\w*|receivership|"
            r"printers?|(?:company|firm|people|business|outfit|mill|shop) (?:that|who) \w+)\b"
        ),
    ),
    Topic(
        "costs",
        cues.rx(
            r"\b(?:costs?|budget\w*|savings?|save money|spend|p&l|margins?|capex|payback|price cut|variance|"
            r"synerg\w+|hurdle rate|cost-to-serve)\b"
        ),
        cues.rx(
            r"\$|£|€|\b(?:costs?|costing|costly|budget\w*|spend\w*|spent|sav(?:e|ed|es|ing|ings)|money|p&l|margin\w*|"
            r"overtime|capex|opex|payback|roi|pric\w+|expens\w+|varian\w+|cash|profit\w*|revenue|financ\w+|cfo|"
            r"dollars?|pounds|euros?|synerg\w+|invest\w*|fund\w*|hurdle|cheap\w*|afford\w*|bills?|invoic\w+|"
            r"rates?|fees?|charges?|premium\w*|penalt\w+|write-?offs?|working capital|\d+k|k a (?:year|month)|"
            r"grand|million|thousand|waste|efficien\w+|headcount|labou?r hours?|hours)\b"
        ),
    ),
)


# "..., such as reliance on one supplier or one key person." names examples, not the subject asked about.
# A run of spaces is tried from its start only ("(?!\s)" refuses the rest): from each of its spaces in turn
# the same run is read again, quadratic in a long question.
_EXAMPLES = re.compile(
    r"(?:[,(]|(?<!\s)|(?!\s))\s*\b(?:such as|for example|for instance|e\.g\.|like)\b[^.?!;]*", re.IGNORECASE
)


@lru_cache(maxsize=512)
def topics_asked(question: str) -> tuple[Topic, ...]:
    """The operations subjects the question itself is about, without its examples."""
    low = cues.norm(_EXAMPLES.sub("", question))
    return tuple(t for t in TOPICS if t.asked.search(low))


def topics_missed(question: str, answer: str) -> tuple[Topic, ...]:
    """The subjects asked about, when the answer is about another and touches none of them."""
    asked = topics_asked(question)
    low = cues.norm(answer)
    if not asked or any(t.told.search(low) for t in asked):
        return ()
    # Silence on the subject is not enough (a vague answer is vague, not off the point): the story
    # must also be plainly about something else.
    if not any(t.asked.search(low) for t in TOPICS if t not in asked):
        return ()
    return asked

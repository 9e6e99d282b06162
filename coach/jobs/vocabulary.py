"""The words a job description is read with: each bank topic's vocabulary (curated synonyms plus the words the
bank's own questions use for it), and the catalogues of tools, KPIs and methods a posting names."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from coach.models import TOPIC_LABELS, Question

# Curated, per topic: terms as regular expressions, ", " between terms, grouped by weight. 1.5: the term
# names the topic ("freight", "HACCP"); 1.0: usually about it; 0.5: often about it, often not. A term may
# serve two topics ("S&OP" is planning and supply chain). A term written "=ABC" matches in that case only.
CURATED: dict[str, dict[float, str]] = {
    "process_improvement": {
        1.5: r"lean (manufacturing|six sigma|tools|principles|transformation|program(me)?)?, six sigma, kaizen, "
        r"5s, dmaic, value stream( mapping| maps?)?, continuous improvement, process improvement, smed, "
        r"standard work, kanban, poka[- ]yoke, gemba( walks?)?, (green|black|yellow) belts?, "
        r"operational excellence, opex, =CI, tpm, total productive maintenance, waste elimination, "
        r"improvement (projects?|programs?|events?)",
        1.0: r"root cause( analysis)?, visual management, bottlenecks?, cycle time, efficienc(y|ies), "
        r"productivity, streamlin(e|ing), best practices?, standardi[sz](e|ation|ing), downtime, scrap, "
        r"yield, changeovers?, daily management system, tiered meetings?",
        0.5: r"improv(e|ing|ement), waste",
    },
    "supply_chain": {
        1.5: r"supply chain, sourcing, procurement, purchasing, suppliers?, vendors?, s&op, "
        r"sales and operations planning, integrated business planning, =IBP, demand planning, supply planning, "
        r"category (strateg(y|ies)|management), rfq, rfp, contract manufactur(ers?|ing), dual[- ]sourcing, "
        r"nearshoring, supplier (scorecard|quality|performance|risk)s?, landed cost, tariffs?, apics, cpim, "
        r"cscp, cpsm, cips, ariba, direct materials, buyers?",
        1.0: r"forecast(s|ing)?, demand plan, negotiat(e|es|ing|ion|ions) with suppliers, import(s|ing)?, "
        r"incoterms, end-to-end, upstream, commodit(y|ies), spend, sole[- ]source(d)?, single[- ]source(d)?",
        0.5: r"negotiat(e|es|ing|ion|ions), demand, planning",
    },
    "inventory": {
        1.5: r"inventory, inventories, stock levels?, stock ?outs?, stock accuracy, stock integrity, "
        r"cycle count(s|ing)?, physical inventor(y|ies), safety stock, reorder points?, min/max, abc (class|analysis), "
        r"inventory turns, days of supply, days on hand, obsolete, obsolescence, excess stock, shrink(age)?, "
        r"replenishment, perpetual inventory, stock adjustments?, write[- ]offs?, slow movers?",
        1.0: r"skus?, stock, turns, working capital, variances?, put[- ]?away, bin locations?, counts?",
    },
    "logistics": {
        1.5: r"logistics, transportation, transport, freight, carriers?, shipping, shipments?, =LTL, =FTL, "
        r"truckload, parcel, last[- ]mile, distribution cent(er|re)s?, =DCs?, warehous(e|es|ing), "
        r"fulfil(l)?ment, =3PLs?, third[- ]party logistics, docks?, yard, fleet, routing, routes?, "
        r"despatch, dispatch, outbound, inbound, cross[- ]dock(ing)?, pick(ing|ers)?, pack(ing|ers)?, "
        r"mode optimi[sz]ation, lanes?, =TMS, =WMS, hazmat, hazardous materials, =DOT, fmcsa, ocean, "
        r"air freight, drivers?, trucks?, vans?, deliver(y|ies), distribution",
        1.0: r"ship(s|ped)?, loads?, receiving, receipts?, orders?, network",
    },
    "quality": {
        1.5: r"quality, =QMS, iso 9001, iso 13485, iatf 16949, =CAPA, corrective (and preventive )?actions?, "
        r"non-?conformances?, =NCRs?, inspections?, defects?, first pass yield, =SPC, statistical process control, "
        r"=FMEA, =pFMEA, =8D, haccp, =GMP, food safety, =FDA, 21 cfr, cost of poor quality, =COPQ, =PPM, "
        r"=CQE, =CQM, =ASQ, control plans?, =SCARs?, quality escapes?, recalls?, allergen",
        1.0: r"audits?, rework, complaints?, validation, compliance, specifications?, accuracy, errors?",
    },
    "production_planning": {
        1.5: r"production planning, production schedul(e|es|ing), schedulers?, planners?, master production schedule, "
        r"=MPS, =MRP, capacity( planning| plans?)?, line schedules?, changeovers?, sequenc(e|es|ing), "
        r"schedule attainment, production plans?, s&op, sales and operations planning, work orders?, "
        r"planned orders?, bills? of materials?, =BOMs?, takt, =OEE",
        1.0: r"manufactur(e|ing), production, plants?, lines?, shifts?, throughput, output, schedul(e|es|ing), "
        r"labou?r planning, volume forecast",
    },
    "project_management": {
        1.5: r"project management, project managers?, =PMP, prince2, raid log, gantt, milestones?, "
        r"steering committee, go[- ]live, cutover, hypercare, =UAT, user acceptance testing, "
        r"program(me)? management, =PMO, ms project, smartsheet, jira, capital projects?, deliverables?, "
        r"project plans?, scope changes?",
        1.0: r"projects?, implementation, roll[- ]?outs?, launch(es)?, scope, timelines?, "
        r"agile, scrum, waterfall, new sites?, playbooks?",
    },
    "risk": {
        1.5: r"risks?, resilien(ce|t), business continuity, =BCP, contingency, disruptions?, mitigation, "
        r"scenario plan(s|ning)?, single[- ]source(d)?, dual[- ]sourcing, diversif(y|ication), =FMEA, "
        r"emergency response, crisis, management of change, geopolitical, risk (management|assessments?|files?)",
        1.0: r"compliance, regulat(ory|ions?), recalls?, weather events?, contingency plans?, iso 14971",
    },
    "technology": {
        1.5: r"=ERP, =WMS, =TMS, =SAP, oracle, netsuite, s/4 ?hana, automation, robotics, digital, digiti[sz]ation, "
        r"data migration, =MES, =IoT, =RFID, telematics, routing software, goods[- ]to[- ]person, =AGVs?, =AMRs?, "
        r"blue yonder, manhattan, kinaxis, o9, epicor, infor, dynamics 365, planning (system|platform)s?, "
        r"system (implementation|upgrade|integration)s?, software, =EDI, wms upgrades?, e-sourcing",
        1.0: r"systems?, platforms?, integrations?, automat(e|ed|ing), scanners?, =RF, technology, tools?",
    },
    "data_kpis": {
        1.5: r"=KPIs?, key performance indicators?, metrics?, dashboards?, scorecards?, analytics, power bi, tableau, "
        r"=SQL, python, reporting, reports?, data[- ]driven, =OTIF, =OEE, fill rate, forecast accuracy, =MAPE",
        1.0: r"data, analy(sis|ses|ze|zing|se|sing|st|sts|tical), excel, measures?, performance, track(ing)?, "
        r"numerate, statistic(s|al)",
    },
    "cost_budgeting": {
        1.5: r"costs?, budgets?, =P&L, profit and loss, savings, cost[- ]reductions?, =EBITDA, =EBIT, margins?, "
        r"capex, capital expenditure, =ROI, payback, business cases?, unit economics, cost per \w+, "
        r"financial acumen, should[- ]cost, value engineering, contribution margin, total cost, spend",
        1.0: r"working capital, variances?, financ(e|ial|ially), rates, pricing, price, dollars?, productivity, "
        r"commercial",
    },
    "safety": {
        1.5: r"safety, safe, =EHS, =HSE, =H&S, health (and|&) safety, =WHS, osha, riddor, iosh, nebosh, lockout, "
        r"tagout, =LOTO, =PPE, incidents?, accidents?, near[- ]miss(es)?, recordables?, =TRIR, =DART, =LTIR, "
        r"lost[- ]time, ergonomic(s)?, hazards?, =JHA, =PHA, =PSM, process safety, machine guarding, "
        r"forklifts?, =MHE, =FLT, confined space, hot work, behavio(u)?r[- ]based safety, critical risks?, "
        r"chain of responsibility, risk assessments?",
        1.0: r"injur(y|ies), wellbeing, compliance, training",
    },
    "sustainability": {
        1.5: r"sustainab(le|ility), environmental, emissions?, carbon, scope [123], =GHG, greenhouse gas, "
        r"energy, water (use|consumption), waste (minimi[sz]ation|reduction), recycl(e|ed|ing), circular, =ESG, "
        r"net[- ]zero, climate, =CDP, zero[- ]waste, packaging waste, electric (vans|vehicles|trucks), =EVs?, "
        r"renewable, iso 14001, responsible sourcing, social compliance, conflict minerals, decarboni[sz]ation, "
        r"impact",
        1.0: r"waste, packaging, green",
    },
    "leadership": {
        1.5: r"leadership, lead(ing)? (a |the )?teams?, team of \d+, direct reports, supervis(e|es|ing|ors?), "
        r"coach(es|ing)?, mentor(s|ing)?, develop(ing)? (the |your )?(team|people|managers|supervisors|talent), "
        r"hir(e|es|ing), recruit(ing|ment)?, retention, retain, engagement, performance management, succession, "
        r"culture, accountab(le|ility), people leader(ship)?, employee relations, absence management, "
        r"managers, team leaders?, shift managers?, motivat(e|ing)",
        1.0: r"lead(s|ing)?, teams?, people, train(s|ing)?, develop, staff(ing)?, colleagues, crew, headcount",
    },
    "communication": {
        1.5: r"communicat(e|es|ing|ion|ions|or), stakeholders?, present(s|ing|ations?)?, influenc(e|ing), "
        r"negotiat(e|ing|ion|ions), cross[- ]functional, facilitat(e|ing|ion), escalat(e|ions?), "
        r"change management, board of directors, the board, executives?, senior leadership, written and verbal",
        1.0: r"partner(s|ing)? with, collaborat(e|ion|ive), relationships?, explain, alignment, align(ed)?, "
        r"meetings?, reviews?, represent",
    },
    "customer_focus": {
        1.5: r"customers?, clients?, service levels?, =NPS, customer satisfaction, =CSAT, =DIFOT, =OTIF, "
        r"on[- ]time delivery, order accuracy, key accounts?, =SLAs?, customer (service|success|experience)",
        1.0: r"accounts?, retailers?, consumers?, service, delivery, complaints?, escalations?",
    },
    "adaptability": {
        1.5: r"adapt(ability|able|ing)?, fast[- ]paced, ambiguity, ambiguous, problem[- ]solv(ing|er)?, "
        r"solve problems, troubleshoot(ing)?, under pressure, prioriti[sz](e|ing|ation), flexib(le|ility), "
        r"hypergrowth, transformation, turnaround, improvis(e|ing), recovery plans?, plans change, "
        r"change(s|d)? (fast|quickly|weekly), post[- ]merger integration, integrat(e|ion) (acquisitions|acquired)",
        1.0: r"changes?, growth, growing, scal(ing|e up|e us), start[- ]?up, integration, acquisitions?, "
        r"new products?, respond, curious",
    },
}

# Named things a posting asks for, shown as found. Each: the name shown, its pattern, and the topic it hints at.
TOOLS: tuple[tuple[str, str], ...] = (
    ("SAP Ariba", r"sap ariba|ariba"),
    ("SAP IBP", r"sap ibp"),
    ("SAP", r"sap(?! ariba| ibp)|s/4 ?hana"),
    ("Oracle", r"oracle(?! netsuite)"),
    ("NetSuite", r"netsuite"),
    ("Microsoft Dynamics", r"dynamics 365|microsoft dynamics|dynamics ax|dynamics nav"),
    ("Infor", r"infor(?= |$)"),
    ("Epicor", r"epicor"),
    ("JD Edwards", r"jd edwards|jde"),
    ("Manhattan", r"manhattan( associates| scale| wms)?"),
    ("Blue Yonder", r"blue yonder|jda"),
    ("Körber / HighJump", r"k[öo]rber|highjump"),
    ("MercuryGate", r"mercurygate"),
    ("Descartes", r"descartes"),
    ("project44", r"project44"),
    ("Kinaxis", r"kinaxis"),
    ("o9", r"o9"),
    ("Logility", r"logility"),
    ("Anaplan", r"anaplan"),
    ("ShipHero", r"shiphero"),
    ("ShipStation", r"shipstation"),
    ("Coupa", r"coupa"),
    ("Salesforce", r"salesforce"),
    ("Excel", r"excel"),
    ("Power BI", r"power ?bi"),
    ("Tableau", r"tableau"),
    ("Looker", r"looker"),
    ("Qlik", r"qlik(view|sense)?"),
    ("SQL", r"sql"),
    ("Python", r"python"),
    ("Minitab", r"minitab"),
    ("JMP", r"=JMP"),
    ("MS Project", r"ms project|microsoft project"),
    ("Smartsheet", r"smartsheet"),
    ("Jira", r"jira"),
    ("AutoCAD", r"autocad"),
    ("ERP", r"=ERPs?"),
    ("WMS", r"=WMS"),
    ("TMS", r"=TMS"),
    ("MES", r"=MES"),
    ("RF scanners", r"rf scanners?|rf guns?"),
    ("RFID", r"=RFID"),
    ("telematics", r"telematics"),
    ("yard management system", r"yard management system"),
)

KPIS: tuple[tuple[str, str], ...] = (
    ("OTIF (on time in full)", r"=OTIF|on[- ]time[,]? in[- ]full"),
    ("DIFOT (delivery in full, on time)", r"=DIFOT|delivery in full,? on time"),
    ("on-time delivery (OTD)", r"on[- ]time deliver(y|ies)|=OTD"),
    ("on-time shipping", r"on[- ]time (shipping|shipments?|despatch|dispatch)|(despatch|dispatch) on time"),
    ("on-time pickup", r"on[- ]time pick-?ups?"),
    ("fill rate", r"fill rates?"),
    ("inventory turns", r"inventory turns|stock turns|turns"),
    ("days of supply", r"days of (supply|inventory)|days on hand|=DOH|=DIO"),
    ("forecast accuracy", r"forecast accuracy"),
    ("forecast bias", r"(forecast )?bias"),
    ("MAPE", r"=W?MAPE"),
    ("OEE", r"=OEE|overall equipment effectiveness"),
    ("schedule attainment", r"schedule (attainment|adherence)"),
    ("dock-to-stock time", r"dock[- ]to[- ]stock"),
    ("order accuracy", r"order accuracy"),
    ("pick accuracy", r"pick(ing)? accuracy"),
    ("inventory accuracy", r"(inventory|stock)( record)? accuracy"),
    ("shrink", r"shrink(age)?"),
    ("units per hour (UPH)", r"units per hour|=UPH|lines (an|per) hour"),
    ("error rate", r"error rates?"),
    ("cost per unit", r"cost per unit"),
    ("cost per case", r"cost[- ]per[- ]case"),
    ("cost per order", r"cost per order"),
    ("cost per shipment", r"cost per shipment"),
    ("cost per mile", r"cost per mile"),
    ("cost per pound", r"cost per pound"),
    ("cost per stop", r"cost per stop"),
    ("cost to serve", r"cost[- ]to[- ]serve"),
    ("first pass yield (FPY)", r"first[- ]pass yield|=FPY"),
    ("yield", r"(?<!pass )yield"),
    ("scrap", r"scrap( rate| \$)?"),
    ("PPM (defective parts per million)", r"=PPM"),
    ("DPMO", r"=DPMO"),
    ("complaint rate", r"complaint rates?"),
    ("CAPA cycle time", r"capa cycle time"),
    ("cost of poor quality (COPQ)", r"cost of poor quality|=COPQ"),
    ("TRIR", r"=TRIR|total recordable (incident )?rate"),
    ("DART", r"=DART"),
    ("LTIR", r"=LTIR|=LTIFR|lost[- ]time (injury|incident) (frequency )?rate"),
    ("recordable incidents", r"recordables?|recordable (and lost-time )?incidents"),
    ("near misses", r"near[- ]miss(es)?"),
    ("lead time", r"lead times?"),
    ("cycle time", r"(?<!order )(?<!capa )cycle times?"),
    ("order cycle time", r"order cycle times?"),
    ("throughput", r"throughput"),
    ("downtime", r"downtime"),
    ("utilisation", r"utili[sz]ation"),
    ("claims ratio", r"claims( ratio)?"),
    ("tender acceptance", r"tender acceptance"),
    ("NPS", r"=NPS|net promoter score"),
    ("customer satisfaction (CSAT)", r"customer satisfaction|=CSAT"),
    ("EBITDA", r"=EBITDA"),
    ("EBIT", r"=EBIT"),
    ("ROI", r"=ROI|return on investment"),
    ("payback", r"payback"),
    ("working capital", r"working[- ]capital"),
    ("contribution margin", r"contribution[- ]margin"),
    ("gross margin", r"gross margins?"),
    ("service level", r"service levels?"),
    ("stockouts", r"stock ?outs?"),
    ("backorders", r"back ?orders?"),
    ("labour productivity", r"labou?r productivity"),
    ("staff turnover", r"(staff|employee|annual) turnover"),
    ("emissions (scope 1, 2, 3)", r"scope [123]( and [123])? emissions|=GHG|carbon emissions"),
    ("energy use", r"energy (use|consumption|intensity)"),
    ("water use", r"water (use|consumption)"),
    ("container return rate", r"container return rate"),
)

METHODS: tuple[tuple[str, str], ...] = (
    ("Lean", r"lean(?! on)"),
    ("Six Sigma", r"six sigma|(green|black) belt"),
    ("DMAIC", r"dmaic"),
    ("kaizen", r"kaizen"),
    ("5S", r"5s"),
    ("value stream mapping", r"value stream (mapping|maps?)"),
    ("SMED", r"smed"),
    ("TPM", r"=TPM|total productive maintenance"),
    ("standard work", r"standard work"),
    ("kanban", r"kanban"),
    ("root cause analysis", r"root cause( analysis)?|5 whys|fishbone"),
    ("8D", r"=8D"),
    ("SPC", r"=SPC|statistical process control"),
    ("FMEA", r"p?fmea"),
    ("CAPA", r"=CAPA"),
    ("S&OP / IBP", r"s&op|sales and operations planning|integrated business planning"),
    ("MRP", r"=MRP"),
    ("ABC analysis", r"abc (class|analysis)"),
    ("HACCP", r"haccp"),
    ("GMP", r"=GMP"),
    ("ISO 9001", r"iso 9001"),
    ("ISO 13485", r"iso 13485"),
    ("ISO 14001", r"iso 14001"),
    ("ISO 45001", r"iso 45001"),
    ("IATF 16949", r"iatf 16949"),
    ("OSHA", r"osha"),
    ("RIDDOR", r"riddor"),
    ("NEBOSH / IOSH", r"nebosh|iosh"),
    ("lockout/tagout", r"lockout|=LOTO"),
    ("PMP / PRINCE2", r"=PMP|prince2"),
    ("Agile", r"agile"),
    ("change management", r"change management"),
    ("negotiation", r"negotiat(e|es|ing|ion|ions)"),
    ("stakeholder management", r"stakeholder (management|analysis)"),
    ("budgeting / P&L", r"=P&L|budget(s|ing)?"),
    ("forecasting", r"forecast(s|ing)?"),
    ("APICS (CPIM, CSCP)", r"apics|cpim|cscp"),
    ("CPSM", r"cpsm"),
    ("business continuity", r"business continuity"),
)


def term_pattern(term: str) -> str:
    """One term as a regular expression for whole words only; "=ABC" keeps its case, others ignore it."""
    body = term.removeprefix("=")
    # Case-sensitive terms are short acronyms: "=DOT" must not match "dot" or "Dot".
    group = f"(?:{body})" if term.startswith("=") else f"(?i:{body})"
    return rf"(?<![\w&-]){group}(?![\w&-])"


def literal_start(term: str) -> str:
    """The letters every match of a term starts with, lower-cased ("" when the term has no fixed start)."""
    body = term.removeprefix("=")
    run = re.match(r"[\w &'/]*", body).group(0)  # type: ignore[union-attr]
    if len(run) < len(body) and body[len(run)] in "?*{":
        run = run[:-1]  # the last letter is optional: "stocks?" starts "stock"
    return run.lower() if len(run.strip()) >= 2 else ""


@dataclass(frozen=True)
class Finder:
    """A compiled term or catalogue entry, and the starts its matches must begin with: a text holding none of
    them is not searched (most terms are in no given description; a search of 100,000 characters costs 5 ms)."""

    pattern: re.Pattern[str]
    starts: tuple[str, ...]  # empty: no fixed start, always searched

    def could_match(self, lowered: str) -> bool:
        return not self.starts or any(start in lowered for start in self.starts)


def finder(spec: str) -> Finder:
    alternatives = _alternatives(spec)
    starts = tuple(literal_start(a) for a in alternatives)
    return Finder(re.compile("|".join(map(term_pattern, alternatives))), starts if all(starts) else ())


def compile_term(term: str) -> re.Pattern[str]:
    return re.compile(term_pattern(term))


def _terms(spec: str) -> list[str]:
    return [t.strip() for t in spec.split(", ") if t.strip()]


def _alternatives(spec: str) -> list[str]:
    """The top-level alternatives of a catalogue pattern ("a(?! b| c)|d" is two)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(spec):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(spec[start:index])
            start = index + 1
    return [*parts, spec[start:]]


@dataclass(frozen=True)
class TopicTerm:
    """A curated term and the weight it gives its topic."""

    finder: Finder
    topic: str
    weight: float


@cache
def curated_terms() -> tuple[TopicTerm, ...]:
    return tuple(
        TopicTerm(finder(term), topic, weight)
        for topic, groups in CURATED.items()
        for weight, spec in groups.items()
        for term in _terms(spec)
    )


@cache
def catalogue(kind: str) -> tuple[tuple[str, Finder], ...]:
    """The tools, KPIs or methods catalogue: each name with its finder."""
    entries = {"tools": TOOLS, "kpis": KPIS, "methods": METHODS}[kind]
    return tuple((name, finder(spec)) for name, spec in entries)


# -- the bank's own words -------------------------------------------------------

BANK_TERM_WEIGHT = 0.6  # below curated terms: a word common in a topic's questions is a hint, not a name
MIN_QUESTIONS = 3  # a word must appear in this many of a topic's questions
MIN_LIFT = 4.0  # ...and be this many times likelier there than in the bank as a whole
_STOP = set(
    "a an and are as at be been but by can could did do does for from had has have how if in into is it its "
    "me my of on or our over so such than that the their them then there these they this those to under up "
    "was we were what when where which while who why will with would you your yours about after again all "
    "also any because before being both each few more most other out own same should some through too very "
    "tell describe give example time walk way ways how what did example first new one two three four five "
    "six seven eight nine ten month months week weeks year years day days shows explains says reports "
    "whether without within across against per".split()
    # Everyday words that happen to cluster in one topic's questions; in a job description they say nothing.
    + "yourself later back step going gets used needed say know fact running finish late major shared adjust "
    "support diagnose listen member involve follow offer ownership investigate evidence part fix contain save "
    "cut engage progress investment large period benefit driver total transition weigh critical failure "
    "operational justify assess exposure item pattern control value level segment model noticed observe wait "
    "waiting separate solution manage fast improved recommend present definition applied missed criteria "
    "sponsor assessed weekly runs hierarchy sale manager team training".split()
)


def words(text: str) -> list[str]:
    """Lower-case words with a plural 's' taken off, as both the bank and a description are read."""
    return [_singular(w) for w in re.findall(r"[a-z][a-z&'-]*[a-z]|[a-z]", text.casefold())]


def _singular(word: str) -> str:
    word = word.removesuffix("'s").strip("'")
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def question_words(question: Question) -> set[str]:
    """A question's words: its text, what a strong answer shows, and its probes (never its model answer,
    which other writers change: the vocabulary must not move with it)."""
    text = " ".join((question.text, *question.strong_answer_shows, *question.probes))
    return {w for w in words(text) if w not in _STOP and len(w) > 2}


def bank_terms(bank: Sequence[Question]) -> dict[str, dict[str, float]]:
    """Word -> topic -> weight: the words the bank's questions use far more for a topic than overall, less
    those a curated term of the topic already reads (a word counts once for a topic)."""
    per_question = [question_words(q) for q in bank]
    overall = Counter(w for ws in per_question for w in ws)
    found: dict[str, dict[str, float]] = {}
    for topic in TOPIC_LABELS:
        members = [ws for q, ws in zip(bank, per_question, strict=True) if topic in q.topics]
        if not members:
            continue
        counts = Counter(w for ws in members for w in ws)
        for word, n in counts.items():
            lift = (n / len(members)) / (overall[word] / len(bank))
            if n >= MIN_QUESTIONS and lift >= MIN_LIFT and not _curated_for(word, topic):
                found.setdefault(word, {})[topic] = BANK_TERM_WEIGHT * min(1.0, math.log(lift) / math.log(12))
    return found


def _curated_for(word: str, topic: str) -> bool:
    patterns = [t.finder.pattern for t in curated_terms() if t.topic == topic]
    return any(p.fullmatch(word) or p.fullmatch(word.upper()) for p in patterns)

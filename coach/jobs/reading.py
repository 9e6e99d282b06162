"""A job description as text to read: from a paste or a .txt/.md/.pdf file, HTML and boilerplate taken out."""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO

MAX_JOB_FILE_BYTES = 2_000_000  # a posting saved as PDF is 50-300 KB; 2 MB leaves room for embedded fonts
MAX_JOB_CHARS = 100_000  # a long posting is 10,000; past this it is a whole web page, read in part
MAX_PDF_PAGES = 30
MIN_WORDS = 20
FILE_TYPES = ("txt", "md", "pdf")


class JobDescriptionError(ValueError):
    """Text that cannot be read as a job description; the message says why and what to do."""


@dataclass(frozen=True)
class Line:
    """One line of the description and how much it counts: 0 for boilerplate, 2 for the job's title."""

    text: str
    weight: float


@dataclass
class JobText:
    """The description as weighted lines, and what was done to it, in words for the page."""

    lines: list[Line]
    notes: list[str] = field(default_factory=list)

    @property
    def title_line(self) -> str:
        return next((line.text for line in self.lines if line.weight > 1), "")

    def counted(self) -> list[Line]:
        return [line for line in self.lines if line.weight > 0]


# -- files --------------------------------------------------------------------


def text_from_file(data: bytes, name: str) -> str:
    """The text of an uploaded .txt, .md or .pdf file; raises JobDescriptionError saying what to do."""
    if len(data) > MAX_JOB_FILE_BYTES:
        raise JobDescriptionError(
            f"The file is {len(data):,} bytes; the limit is {MAX_JOB_FILE_BYTES:,}. "
            "Copy the job description's text and paste it instead."
        )
    # What the bytes are decides, not the name: a PDF renamed .txt is still a PDF.
    if data.startswith(b"%PDF"):
        return text_from_pdf(data)
    if data.startswith(b"PK\x03\x04") or name.lower().endswith((".docx", ".doc", ".odt", ".rtf")):
        raise JobDescriptionError("This is a word-processor file. Save it as PDF or plain text, or paste its text.")
    return _decode(data)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Text saved on Windows is often cp1252; its curly quotes and dashes are then read right.
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise JobDescriptionError("This is not a text file. Upload a .txt, .md or .pdf file, or paste the text.")
    return text


def text_from_pdf(data: bytes) -> str:
    """The text of a PDF's pages (the first MAX_PDF_PAGES); a PDF with no text layer is refused in words."""
    # pypdf is imported here only: pasting text, the CLI's list and the app's start never load it.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs what it repairs in a damaged file ("EOF marker not found"); the message below says it plainly.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise JobDescriptionError("This PDF is password-protected. Open it, copy the text and paste it instead.")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except JobDescriptionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        # A damaged PDF fails inside pypdf in many ways; all of them mean the same to the user.
        raise JobDescriptionError(
            f"This PDF could not be read ({type(exc).__name__}); it may be damaged. Copy its text and paste it instead."
        ) from exc
    text = "\n".join(pages)
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 5:
        raise JobDescriptionError(
            "This PDF holds no text to read: it is probably a scanned image. Copy the text from the job posting "
            "and paste it instead."
        )
    return text


# -- HTML and plain text ----------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "tr", "ul", "ol", "section", "article", "header", "footer", "table", "h1", "h2"}
_BLOCK_TAGS |= {"h3", "h4", "h5", "h6", "dt", "dd", "hr", "blockquote", "pre"}
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
_HTML_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|span|strong|b|em|i|table|section)\b[^>]*>", re.I)


class _TextOfHtml(HTMLParser):
    """The text of pasted HTML, a line per block and "- " before each list item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return len(_HTML_TAG.findall(text[:20_000])) >= 2


def plain_text(raw: str) -> str:
    """Text as a reader sees it: HTML tags out, entities decoded, spaces tidied, one item a line."""
    if looks_like_html(raw):
        parser = _TextOfHtml()
        parser.feed(raw)
        parser.close()
        raw = "".join(parser.parts)
    else:
        raw = html.unescape(raw)
    raw = unicodedata.normalize("NFKC", raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


# -- English only ---------------------------------------------------------------

# Function words common in English job descriptions and in no other language listed below.
_ENGLISH = set(
    "the and of to with for you your we our will are is be this that from at by or have has who what all can "
    "their which within across into about able must should would per its they them us".split()
)
_OTHER = set(
    # French, Spanish, German, Italian, Portuguese, Dutch: their commonest function words.
    "le la les des du et une pour avec dans sur est sont vous nous votre notre aux par qui que ce cette "
    "el los las del y con para una por es son su sus como al lo "
    "der die das und mit für ein eine zu von ist sind sie wir ihre den dem auf im bei nicht auch "
    "il di che gli della delle nel per "
    "os da do das dos em não um "
    "het een van voor met zijn wij je".split()
)


def english_problem(text: str) -> str | None:
    """Why the text is not read (it is not English), or None. A stop-word count, no language model."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(not _latin(c) for c in letters) > len(letters) / 2:
        return _NOT_ENGLISH
    words = re.findall(r"[^\W\d_]+", text.casefold())
    if len(words) < 8:
        return None
    english = sum(w in _ENGLISH for w in words) / len(words)
    other = sum(w in _OTHER for w in words) / len(words)
    return _NOT_ENGLISH if english < 0.06 and other > english else None


_NOT_ENGLISH = (
    "This job description does not look like English. STAR Coach reads job descriptions in English only "
    "(its topics, tools and KPIs are English words): paste the English version of the posting, if there is one."
)


def _latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


# -- sections and boilerplate -------------------------------------------------------

_BOILERPLATE_HEADING = re.compile(
    r"\b(benefits?|perks|what we offer|we offer|our offer|compensation|salary|pay range|total rewards|rewards|"
    r"why (join|work|you.ll love)|equal (employment )?opportunit|eeo|diversity|inclusion|dei\b|accommodation|"
    r"how to apply|to apply|application process|legal|disclaimer|privacy|similar jobs|job alert|"
    r"what.s in it for you|life at)",
    re.I,
)
_ABOUT_HEADING = re.compile(
    r"^(about( us| the (company|organi[sz]ation|team|business))?|who we are|company overview|our (company|"
    r"mission|story|values)|the company|about (?!(the )?(role|job|position|opportunity|you)\b)\w+.*)$",
    re.I,
)
_BOILERPLATE = re.compile(
    r"equal (employment )?opportunit|\beoe\b|affirmative action|without regard to|discriminat|protected veteran|"
    r"reasonable (accommodation|adjustment)|e-verify|401\s*\(?k\)?|\bdental\b|"
    r"\bvision (insurance|plans?|coverage)\b|paid time off|\bpto\b|(paid|bank|public|\d+) holidays|"
    r"days.? holiday|holiday allowance|pension|life (assurance|insurance)|tuition|privacy policy|data rates|"
    r"sponsorship|authori[sz]ed to work|wellness|\bgym\b|parental leave|background check|drug (screen|test)|"
    r"pay range|salary|(total )?compensation (package|range|depends|and benefits|is)|"
    r"[$£€]\s?\d[^.]*(/hr\b|an hour|per hour|hourly)|referrals increase|sign in to|job alert|"
    r"see who you know|promoted by hirer|applicants|cycle to work|employee assistance|stock purchase|"
    r"unsolicited|apply (now|today|in \d)|encourage[sd]? .*to apply|we celebrate|medical, dental",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“])")


def _is_heading(line: str) -> bool:
    bare = line.strip("#*_ :").strip()
    if not bare or len(bare.split()) > 8 or line.startswith(("- ", "* ", "• ")):
        return False
    if line.startswith("#") or (line.startswith("**") and line.rstrip(":").endswith("**")) or line.endswith(":"):
        return True
    return len(bare.split()) <= 6 and not bare.endswith((".", ",", ";")) and (bare.isupper() or bare.istitle())


def _heading_weight(heading: str) -> float:
    bare = heading.strip("#*_ :").strip()
    if _BOILERPLATE_HEADING.search(bare):
        return 0.0
    # The company's own story says what it does (a 3PL, a food plant), but not what the job is.
    return 0.5 if _ABOUT_HEADING.match(bare) else 1.0


def _without_boilerplate(line: str) -> str:
    """The line without its sentences about benefits, pay, equal opportunity or applying."""
    sentences = _SENTENCE_END.split(line)
    return " ".join(s for s in sentences if not _BOILERPLATE.search(s))


def job_text(raw: str) -> JobText:
    """The description as weighted lines; raises JobDescriptionError for empty, too short or non-English text."""
    notes = []
    if len(raw) > MAX_JOB_CHARS:
        notes.append(f"Only the first {MAX_JOB_CHARS:,} characters of {len(raw):,} were read.")
        raw = raw[:MAX_JOB_CHARS]
    text = plain_text(raw)
    if not text:
        raise JobDescriptionError("There is no text to read. Paste a job description, or upload a .txt, .md or .pdf.")
    problem = english_problem(text)
    if problem:
        raise JobDescriptionError(problem)
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        raise JobDescriptionError(
            f"This is too short to read a job from (under {MIN_WORDS} words). Paste the whole job description: "
            "its title, responsibilities and requirements."
        )
    lines, dropped = _weighted_lines(text.split("\n"))
    if dropped:
        notes.append(
            f"Left out {dropped} line{'s' * (dropped != 1)} of benefits, pay, equal-opportunity and application text."
        )
    return JobText(lines, notes)


# The nouns a job title ends on; the first short line near the top holding one is taken as the title.
ROLE_NOUNS = re.compile(
    r"\b(coordinator|analyst|manager|director|vp|vice president|head|chief|coo|officer|lead|leader|supervisor|"
    r"specialist|planner|scheduler|engineer|associate|assistant|clerk|buyer|superintendent|administrator|"
    r"controller|consultant|partner|president|executive|intern|technician|expert|champion|owner)s?\b",
    re.I,
)
TITLE_SEARCH_LINES = 6


def title_index(lines: list[str]) -> int:
    """Which of the first lines is the job's title: the first short one naming a role, else the first."""
    for index, line in enumerate(lines[:TITLE_SEARCH_LINES]):
        # "CI ENGINEER - Automotive Tier 1 - Greenville SC - $95-110K": the title is the first part.
        first_part = re.split(r"\s[-–|·@]\s", line)[0]
        if len(first_part.split()) <= 12 and ROLE_NOUNS.search(first_part):
            return index
    return 0


def _weighted_lines(raw_lines: list[str]) -> tuple[list[Line], int]:
    lines: list[Line] = []
    weight, dropped = 1.0, 0
    title = title_index(raw_lines)
    for index, raw in enumerate(raw_lines):
        if index == title:
            lines.append(Line(raw, 2.0))  # the title says what the job is about more than any other line
            continue
        if _is_heading(raw):
            weight = _heading_weight(raw)
            lines.append(Line(raw, weight))
            continue
        kept = _without_boilerplate(raw) if weight else ""
        dropped += not kept
        lines.append(Line(kept or raw, weight if kept else 0.0))
    return lines, dropped

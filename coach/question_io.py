"""The user's own questions: building them from a form or a file, and writing them out.

Everything here is all-or-nothing: a file with one bad row imports nothing and reports
every bad row with its line and reason, so the user fixes the file once and imports again.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from coach import spreadsheet
from coach.models import LEVEL_LABELS, QUESTION_FIELDS, QUESTION_LIST_FIELDS, TOPIC_LABELS, Question

MAX_IMPORT_BYTES = 1_000_000  # about 2,000 questions; a bigger file is not a question list
MAX_IMPORT_QUESTIONS = 2_000
CSV_COLUMNS = QUESTION_FIELDS
REQUIRED_COLUMNS = frozenset({"text", "topics"})
LIST_FIELDS = QUESTION_LIST_FIELDS
FileFormat = Literal["csv", "json"]

_TYPE_ALIASES = {"behavioral": "behavioral", "behavioural": "behavioral", "case": "case", "": "behavioral"}
_FIELD_NAMES = {
    "text": "Question",
    "type": "Type",
    "topics": "Topics",
    "levels": "Levels",
    "difficulty": "Difficulty",
    "strong_answer_shows": "What a strong answer shows",
    "probes": "Follow-up probes",
    "model_answer": "Model answer",
    "job": "For the job",
    "id": "Id",
}


class QuestionInputError(ValueError):
    """Input that cannot become questions; `problems` lists every reason, each on its own."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass
class ImportPlan:
    """What an import would do: the questions to add and the duplicates it skips."""

    new: list[Question] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # one line each: which row, and what it repeats


# -- building one question ---------------------------------------------------


def friendly_errors(exc: ValidationError) -> list[str]:
    """Pydantic's errors as sentences a user can act on, naming the field."""
    messages = []
    for error in exc.errors():
        name = _FIELD_NAMES.get(str(error["loc"][0]), str(error["loc"][0])) if error["loc"] else "Question"
        messages.append(f"{name}: {_explain(error)}")
    return messages


def _explain(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if error["loc"] and error["loc"][0] == "difficulty":
        return "a whole number from 1 to 3"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']:,} characters, please (this has {len(error['input']):,})"
    if kind == "string_too_short":
        return f"at least {ctx['min_length']} characters, please"
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "choose at least one"
    if kind == "too_long":
        return f"at most {ctx['max_length']}, please"
    if kind == "literal_error":
        return f"{error['input']!r} is not one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits, '-' and '_' only, starting with a letter or digit"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _clean_items(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v and v.strip())


def _key(value: str) -> str:
    """'Supply chain', 'supply-chain' and 'SUPPLY_CHAIN' all name the topic supply_chain."""
    return re.sub(r"[\s-]+", "_", value.strip().lower())


_TOPIC_BY_LABEL = {_key(label): key for key, label in TOPIC_LABELS.items()}


def _labels_to_keys(value: Any) -> Any:
    """Topic names as keys before splitting: some names hold commas ('(Lean, Six Sigma)')."""
    if isinstance(value, (list, tuple)):
        return [_labels_to_keys(v) for v in value]
    if not isinstance(value, str):
        return value
    for key, label in sorted(TOPIC_LABELS.items(), key=lambda kv: -len(kv[1])):
        value = re.sub(re.escape(label), key, value, flags=re.IGNORECASE)
    return value


def _topic_key(value: str) -> str:
    key = _key(value)
    return _TOPIC_BY_LABEL.get(key, key)


def build_question(
    fields: Mapping[str, Any], taken_ids: Iterable[str] = (), question_id: str | None = None
) -> Question:
    """A custom question from form or file fields; raises QuestionInputError with every problem.

    Lists may come as lists or as text with one item a line or separated by '|'. Topic and
    level names are matched loosely; an id is made from the text when none is given.
    """
    data = {
        "text": _text(fields.get("text")),
        "type": _TYPE_ALIASES.get(_text(fields.get("type")).lower(), _text(fields.get("type"))),
        "topics": tuple(_topic_key(t) for t in _items(_labels_to_keys(fields.get("topics")), keywords=True)),
        "levels": tuple(_key(v) for v in _items(fields.get("levels"), keywords=True)) or tuple(LEVEL_LABELS),
        "difficulty": _text(fields.get("difficulty")) or 2,
        "strong_answer_shows": _items(fields.get("strong_answer_shows")),
        "probes": _items(fields.get("probes")),
        "model_answer": _text(fields.get("model_answer")),
        "job": " ".join(_text(fields.get("job")).split()),
        "custom": True,
    }
    problems = _precheck(data)
    if isinstance(fields.get("text"), (list, dict)):
        problems.insert(0, "Question: must be text, not a list or an object")
    data["id"] = question_id or _text(fields.get("id")) or new_id(str(data["text"]), taken_ids)
    try:
        question = Question.model_validate(data)
    except ValidationError as exc:
        # One message per field: the precheck's, when it already explained that field.
        explained = {p.split(":", 1)[0] for p in problems}
        problems += [m for m in friendly_errors(exc) if m.split(":", 1)[0] not in explained]
    if problems:
        raise QuestionInputError(list(dict.fromkeys(problems)))
    return question


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _items(value: Any, keywords: bool = False) -> tuple[str, ...]:
    """List items from a list or from text; '|' and line breaks always separate items.

    One rule for every source keeps an exported file importable: an item never holds
    a '|' or a line break, whether it came from a form, a CSV cell or a JSON list.
    """
    if value is None:
        return ()
    parts = [v for v in value if v is not None] if isinstance(value, (list, tuple)) else [value]
    # Keywords (topics, levels) never hold commas or semicolons; sentences (probes) may.
    separators = r"[|\n;,]" if keywords else r"[|\n]"
    return _clean_items(piece for part in parts for piece in re.split(separators, str(part)))


def _precheck(data: Mapping[str, Any]) -> list[str]:
    """Problems pydantic would report less clearly."""
    problems = []
    text = str(data["text"])
    if not text:
        problems.append("Question: write the question (it is empty)")
    if _has_control(text):
        problems.append("Question: contains control characters; paste it as plain text")
    for name in ("model_answer", "job"):
        if _has_control(str(data[name])):
            problems.append(f"{_FIELD_NAMES[name]}: contains control characters; paste it as plain text")
    for name in ("strong_answer_shows", "probes"):
        if any(_has_control(item) for item in data[name]):
            problems.append(f"{_FIELD_NAMES[name]}: contains control characters; paste it as plain text")
    for name, allowed in (("topics", TOPIC_LABELS), ("levels", LEVEL_LABELS)):
        unknown = [v for v in data[name] if v not in allowed]
        if unknown:
            problems.append(f"{_FIELD_NAMES[name]}: unknown {', '.join(map(repr, unknown))}; use {', '.join(allowed)}")
    if data["type"] not in ("behavioral", "case"):
        problems.append(f"Type: {data['type']!r} is not behavioural or case")
    return problems


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


def new_id(text: str, taken_ids: Iterable[str] = ()) -> str:
    """A readable id for a custom question, unlike any taken one: 'my-reduce-lead-time-2'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:6]
    base = "my-" + ("-".join(words)[:50].strip("-") or "question")
    taken = set(taken_ids)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def normalised_text(text: str) -> str:
    """The wording two questions share when one duplicates the other."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


# -- files -------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """Bytes of an import file as text: UTF-8 with or without a BOM, or UTF-16 with a BOM."""
    if len(data) > MAX_IMPORT_BYTES:
        raise QuestionInputError(
            [f"The file is {len(data):,} bytes; the limit is {MAX_IMPORT_BYTES:,}. Split it into smaller files."]
        )
    # UTF-16 with a BOM is what spreadsheets write as "Unicode text".
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise QuestionInputError(
            [f"This is not a text file (byte {exc.start} is not {encoding.upper()}). Export as CSV (UTF-8) or JSON."]
        ) from exc
    if "\x00" in text:
        raise QuestionInputError(["This is not a text file (it holds NUL bytes). Export as CSV (UTF-8) or JSON."])
    return text


def detect_format(name: str, text: str) -> FileFormat:
    """By the file name's ending, else by the first character ('[' or '{' means JSON)."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def parse_questions(text: str, fmt: FileFormat, taken_ids: Iterable[str] = ()) -> list[tuple[str, Question]]:
    """Every question in the file with where it came from ('line 3'); raises with every bad row."""
    if not text.strip():
        raise QuestionInputError(["The file is empty."])
    rows, problems = _csv_rows(text) if fmt == "csv" else _json_rows(text)
    if not rows and not problems:
        raise QuestionInputError(["The file holds no questions."])
    if len(rows) > MAX_IMPORT_QUESTIONS:
        raise QuestionInputError([f"The file holds {len(rows):,} questions; the limit is {MAX_IMPORT_QUESTIONS:,}."])
    taken = set(taken_ids)
    parsed = []
    for where, fields in rows:
        try:
            question = build_question(fields, taken)
        except QuestionInputError as exc:
            problems.extend(f"{where}: {p}" for p in exc.problems)
            continue
        taken.add(question.id)
        parsed.append((where, question))
    if problems:
        raise QuestionInputError(sorted(problems, key=_line_number))
    return parsed


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


Rows = list[tuple[str, dict[str, Any]]]


def _csv_rows(text: str) -> tuple[Rows, list[str]]:
    """The rows under the header with the line each starts on, and the rows' structural problems."""
    # Spreadsheets in many locales write ';' or tabs: the header line shows which.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    problems: list[str] = []
    try:
        header = next((r for r in reader if any(cell.strip() for cell in r)), [])
        header = [h.strip().lower() for h in header]
        _check_header(header, reader.line_num)
        started = reader.line_num + 1
        for record in reader:
            # A quoted cell may span lines: name the line the row starts on.
            where, started = f"line {started}", reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                problems.append(f"{where}: {len(record)} cells but the header names {len(header)}")
                continue
            rows.append((where, dict(zip(header, map(spreadsheet.restore, record), strict=False))))
    except csv.Error as exc:
        raise QuestionInputError([f"line {reader.line_num}: not valid CSV ({exc})"]) from exc
    return rows, problems


def _check_header(header: list[str], line: int) -> None:
    if not any(header):
        raise QuestionInputError(["The file is empty: the first line must name the columns."])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    problems = []
    if unknown:
        problems.append(f"line {line}: unknown column(s) {', '.join(map(repr, unknown))}")
    if missing:
        problems.append(f"line {line}: missing column(s) {', '.join(missing)}")
    if problems:
        problems.append(f"The header must use these columns: {','.join(CSV_COLUMNS)} (text and topics required)")
        raise QuestionInputError(problems)


def _json_rows(text: str) -> tuple[Rows, list[str]]:
    """The list's items with the line each starts on, and the items' structural problems."""
    try:
        return _scan_json_list(text)
    except json.JSONDecodeError as exc:
        raise QuestionInputError([f"line {exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"]) from exc
    except RecursionError as exc:
        raise QuestionInputError(["The JSON is nested too deeply to be a list of questions."]) from exc


def _scan_json_list(text: str) -> tuple[Rows, list[str]]:
    # Item by item rather than json.loads, to know the line each question starts on.
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if text[index : index + 1] != "[":
        value, _ = decoder.raw_decode(text, index)
        kind = _JSON_KINDS.get(type(value), "a single value")
        raise QuestionInputError([f"A JSON import must be a list of questions ([{{...}}, ...]), not {kind}."])
    rows: Rows = []
    problems: list[str] = []
    index = _skip_space(text, index + 1)
    while text[index : index + 1] != "]":
        line = text.count("\n", 0, index) + 1
        value, index = decoder.raw_decode(text, index)
        if not isinstance(value, dict):
            problems.append(f"line {line}: each item must be an object with a text, not {value!r:.40}")
        elif unknown := sorted(set(value) - set(CSV_COLUMNS) - {"custom"}):
            problems.append(f"line {line}: unknown field(s) {', '.join(map(repr, unknown))}")
        else:
            rows.append((f"line {line}", value))
        index = _skip_space(text, index)
        if text[index : index + 1] == ",":
            index = _skip_space(text, index + 1)
            if text[index : index + 1] == "]":
                raise json.JSONDecodeError("a comma before ']'", text, index)
        elif text[index : index + 1] != "]":
            raise json.JSONDecodeError("expected ',' or ']'", text, index)
    trailing = _skip_space(text, index + 1)
    if trailing < len(text):
        raise QuestionInputError([f"line {text.count(chr(10), 0, trailing) + 1}: unexpected text after the list"])
    return rows, problems


_JSON_KINDS = {dict: "an object", str: "a string", int: "a number", float: "a number", bool: "true or false"}


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def plan_import(parsed: Sequence[tuple[str, Question]], existing: Sequence[Question]) -> ImportPlan:
    """Split parsed questions into new ones and duplicates (the wording of one we already have).

    An id that is taken by a differently worded question gets a new id: ids are internal,
    and an edited question from an old export is a new question, not a clash.
    """
    taken = {q.id for q in existing}
    by_text = {normalised_text(q.text): q for q in existing}
    plan = ImportPlan()
    for where, question in parsed:
        twin = by_text.get(normalised_text(question.text))
        if twin is not None:
            source = "your question" if twin.custom else "built-in question"
            plan.duplicates.append(f"{where}: already there as {source} {twin.id!r}")
            continue
        if question.id in taken:
            question = question.model_copy(update={"id": new_id(question.text, taken)})
        plan.new.append(question)
        taken.add(question.id)
        by_text[normalised_text(question.text)] = question
    return plan


def export_csv(questions: Iterable[Question]) -> str:
    """The questions as CSV with a header; list cells are joined with ' | '."""
    data = (q.model_dump(mode="json") for q in questions)
    rows = ([" | ".join(d[c]) if c in LIST_FIELDS else d[c] for c in CSV_COLUMNS] for d in data)
    return spreadsheet.write_rows(CSV_COLUMNS, rows)


def export_json(questions: Iterable[Question]) -> str:
    """The questions as a JSON list, one object each, in the import format."""
    items = [q.model_dump(mode="json", exclude={"custom"}) for q in questions]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"

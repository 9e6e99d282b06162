"""The user's own questions: building, decoding, parsing, planning, exporting, and the library on a real database."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import storage
from coach.grading.rules import RuleBasedGrader
from coach.interview import AnswerRejected, InterviewService
from coach.library import QuestionLibrary
from coach.models import LEVEL_LABELS, MAX_HINT_CHARS, TOPIC_LABELS, InterviewSetup, Question
from coach.question_io import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    QuestionInputError,
    build_question,
    decode_upload,
    detect_format,
    export_csv,
    export_json,
    new_id,
    normalised_text,
    parse_questions,
    plan_import,
)
from coach.questions import choose_questions

GOOD_TEXT = "Tell me about a time you cut the cost of a shipping lane."
ALL_LEVELS = ("entry", "mid", "senior")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def fields(**overrides: Any) -> dict[str, Any]:
    return {"text": GOOD_TEXT, "topics": "inventory", **overrides}


def problems_of(raw: Mapping[str, Any]) -> list[str]:
    with pytest.raises(QuestionInputError) as info:
        build_question(raw)
    assert info.value.problems, "an error must say what is wrong"
    assert str(info.value) == "; ".join(info.value.problems)
    return info.value.problems


def parse_problems(text: str, fmt: str) -> list[str]:
    with pytest.raises(QuestionInputError) as info:
        parse_questions(text, fmt)  # type: ignore[arg-type]
    return info.value.problems


def custom(qid: str, text: str, **extra: Any) -> Question:
    data: dict[str, Any] = {"topics": ("inventory",), "levels": ALL_LEVELS, "type": "behavioral", **extra}
    return Question(id=qid, text=text, custom=True, **data)


# -- build_question: the happy path ------------------------------------------


def test_a_minimal_question_gets_defaults_an_id_and_is_custom() -> None:
    question = build_question({"text": f"  {GOOD_TEXT}  ", "topics": "inventory"})
    assert question.text == GOOD_TEXT
    assert question.type == "behavioral"
    assert question.topics == ("inventory",)
    assert question.levels == ALL_LEVELS
    assert question.difficulty == 2
    assert question.strong_answer_shows == () and question.probes == ()
    assert question.custom is True
    assert question.id == "my-tell-me-about-a-time-you"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Supply chain", ("supply_chain",)),
        ("supply_chain", ("supply_chain",)),
        ("SUPPLY-CHAIN", ("supply_chain",)),
        ("Supply chain | Inventory", ("supply_chain", "inventory")),
        ("Supply chain, quality; risk", ("supply_chain", "quality", "risk")),
        ("Logistics and distribution\ndata_kpis", ("logistics", "data_kpis")),
        (["Supply chain", "Process improvement (Lean, Six Sigma)"], ("supply_chain", "process_improvement")),
        ("inventory | Inventory | INVENTORY", ("inventory",)),
    ],
)
def test_topics_take_labels_keys_and_any_separator(given: Any, expected: tuple[str, ...]) -> None:
    assert build_question(fields(topics=given)).topics == expected


def test_every_topic_label_given_as_a_list_item_names_its_topic() -> None:
    question = build_question(fields(topics=list(TOPIC_LABELS.values())))
    assert question.topics == tuple(TOPIC_LABELS)


def test_every_topic_label_typed_in_a_cell_names_its_topic() -> None:
    # The page shows labels, so a CSV author may type any of them; two labels hold commas.
    wrong = {}
    for key, label in TOPIC_LABELS.items():
        try:
            got = build_question(fields(topics=label)).topics
        except QuestionInputError as exc:
            got = tuple(exc.problems)
        if got != (key,):
            wrong[label] = got
    assert wrong == {}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("behavioural", "behavioral"),
        ("Behavioural", "behavioral"),
        ("BEHAVIORAL", "behavioral"),
        ("", "behavioral"),
        (None, "behavioral"),
        ("case", "case"),
        (" Case ", "case"),
    ],
)
def test_type_accepts_both_spellings_and_defaults_to_behavioural(given: Any, expected: str) -> None:
    assert build_question(fields(type=given)).type == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ALL_LEVELS),
        ("", ALL_LEVELS),
        ([], ALL_LEVELS),
        ("Entry | MID", ("entry", "mid")),
        ("senior\nentry", ("senior", "entry")),
        (["mid", " Mid "], ("mid",)),
    ],
)
def test_levels_default_to_all_three_and_match_loosely(given: Any, expected: tuple[str, ...]) -> None:
    assert build_question(fields(levels=given)).levels == expected


@pytest.mark.parametrize(
    "given",
    [
        "What was the baseline? | Who pushed back? | What would you change?",
        "What was the baseline?\nWho pushed back?\n\n  What would you change?  \n",
        ["What was the baseline?", " Who pushed back? ", "", "What would you change?"],
        ("What was the baseline?", "Who pushed back?", "What would you change?"),
    ],
)
def test_list_fields_come_from_pipes_lines_or_lists(given: Any) -> None:
    expected = ("What was the baseline?", "Who pushed back?", "What would you change?")
    question = build_question(fields(probes=given, strong_answer_shows=given))
    assert question.probes == expected
    assert question.strong_answer_shows == expected


def test_probes_keep_commas_and_semicolons_that_topics_split_on() -> None:
    question = build_question(fields(probes="Who, exactly, decided; and why?"))
    assert question.probes == ("Who, exactly, decided; and why?",)


@pytest.mark.parametrize(("given", "expected"), [(None, 2), ("", 2), ("1", 1), (" 3 ", 3), (2, 2)])
def test_difficulty_is_a_whole_number_defaulting_to_2(given: Any, expected: int) -> None:
    assert build_question(fields(difficulty=given)).difficulty == expected


def test_html_and_script_text_is_kept_verbatim() -> None:
    text = '<script>alert("hi")</script> Tell me about <b>a time</b> & a "win"'
    question = build_question(fields(text=text, probes="<img src=x onerror=alert(1)>"))
    assert question.text == text
    assert question.probes == ("<img src=x onerror=alert(1)>",)


UNICODE_TEXTS = [
    "Tell me about a time you shipped 🚚📦 on time 🎉",
    "حدثني عن وقت قمت فيه بتحسين عملية في المستودع",
    "Parlez d’un café où vous avez amélioré le flux",  # precomposed
    "Parlez d’un cafe\u0301 ou\u0300 vous avez ame\u0301liore\u0301",  # combining accents
    "请描述一次你改进仓库流程的经历。",
    "Mixed: 東京 warehouse, Zürich DC, and שלום team",
]


@pytest.mark.parametrize("text", UNICODE_TEXTS)
def test_odd_unicode_is_kept_exactly_and_the_id_stays_ascii(text: str) -> None:
    question = build_question(fields(text=text, probes=f"{text[:20]} | again"))
    assert question.text == text
    assert question.probes[0] == text[:20].strip()
    assert ID_PATTERN.match(question.id) and question.id.isascii()


def test_the_given_id_is_kept() -> None:
    assert build_question(fields(id="my-own_id-1")).id == "my-own_id-1"
    assert build_question(fields(id="my-own-id"), question_id="forced").id == "forced"


# -- build_question: every bad input names its field -------------------------


def only_problem(raw: Mapping[str, Any], field_name: str) -> str:
    problems = problems_of(raw)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{field_name}: "), problems
    return problems[0]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n", None])
def test_empty_text_is_refused(text: Any) -> None:
    assert "empty" in only_problem(fields(text=text), "Question")


def test_short_text_is_refused_with_the_minimum() -> None:
    assert "10" in only_problem(fields(text="Why?"), "Question")


def test_a_huge_text_names_the_limit_and_the_length() -> None:
    message = only_problem(fields(text="x" * 10_000), "Question")
    assert "1,000" in message and "10,000" in message


def test_a_text_of_exactly_1000_characters_is_accepted() -> None:
    assert len(build_question(fields(text="y" * 1000)).text) == 1000


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\r", "\x7f", "\x85"])
def test_control_characters_in_the_text_are_refused(char: str) -> None:
    assert "control characters" in only_problem(fields(text=f"Tell me about{char} a time you led"), "Question")


def test_tabs_and_newlines_in_the_text_are_fine() -> None:
    text = "Tell me about a time\nyou led\ta team"
    assert build_question(fields(text=text)).text == text


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b"])
def test_control_characters_in_a_probe_or_hint_are_refused(char: str) -> None:
    # The text refuses them; a probe is shown and exported the same way, and a NUL
    # written into a CSV export makes that export impossible to import again.
    for name, label in (("probes", "Follow-up probes"), ("strong_answer_shows", "What a strong answer shows")):
        only_problem(fields(**{name: [f"Why{char} then?"]}), label)


def test_an_unknown_topic_lists_the_known_ones() -> None:
    message = only_problem(fields(topics="Inventory | astrology"), "Topics")
    assert "'astrology'" in message and "supply_chain" in message


def test_no_topic_is_refused() -> None:
    assert "at least one" in only_problem(fields(topics=" | "), "Topics")


def test_an_unknown_level_lists_the_known_ones() -> None:
    message = only_problem(fields(levels="mid | junior"), "Levels")
    assert "'junior'" in message and "entry, mid, senior" in message


@pytest.mark.parametrize("kind", ["essay", "behavior", "cases", ["case"]])
def test_a_bad_type_is_refused(kind: Any) -> None:
    assert "behavioural or case" in only_problem(fields(type=kind), "Type")


@pytest.mark.parametrize("difficulty", ["hard", 7, 0, -1, "2.5", 2.5, "nan", [1]])
def test_a_bad_difficulty_is_refused(difficulty: Any) -> None:
    message = only_problem(fields(difficulty=difficulty), "Difficulty")
    assert "3" in message or "1" in message


def test_four_probes_are_refused_with_the_limit() -> None:
    assert "at most 3" in only_problem(fields(probes="a? | b? | c? | d?"), "Follow-up probes")


def test_nine_hints_are_refused_with_the_limit() -> None:
    hints = [f"shows {i}" for i in range(9)]
    assert "at most 8" in only_problem(fields(strong_answer_shows=hints), "What a strong answer shows")


def test_a_long_probe_names_the_limit_and_its_length() -> None:
    message = only_problem(fields(probes="p" * 400), "Follow-up probes")
    assert f"{MAX_HINT_CHARS}" in message and "400" in message


def test_a_probe_of_exactly_the_limit_is_accepted() -> None:
    assert build_question(fields(probes="p" * MAX_HINT_CHARS)).probes == ("p" * MAX_HINT_CHARS,)


@pytest.mark.parametrize("bad_id", ["Has Space", "UPPER", "-leading", "x" * 81, "émoji-🙂"])
def test_a_bad_id_is_refused(bad_id: str) -> None:
    only_problem(fields(id=bad_id), "Id")


def test_every_problem_is_reported_together_one_per_field() -> None:
    problems = problems_of(
        {
            "text": "\x07",
            "type": "essay",
            "topics": "astrology",
            "levels": "junior",
            "difficulty": "hard",
            "probes": ["a", "b", "c", "d"],
            "strong_answer_shows": ["z" * 301],
        }
    )
    names = [p.split(":", 1)[0] for p in problems]
    assert sorted(names) == sorted(
        ["Question", "Type", "Topics", "Levels", "Difficulty", "Follow-up probes", "What a strong answer shows"]
    )
    assert len(names) == len(set(names)), "one message per field"


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"text": 12, "topics": 5},
        {"text": GOOD_TEXT, "topics": {"inventory": 1}},
        {"text": GOOD_TEXT, "topics": [None, 3.5]},
        {"text": GOOD_TEXT, "topics": "inventory", "levels": {"x": 1}},
        {"text": GOOD_TEXT, "topics": "inventory", "difficulty": float("inf")},
        {"text": GOOD_TEXT, "topics": "inventory", "difficulty": True},
        {"text": GOOD_TEXT, "topics": "inventory", "id": ""},
    ],
)
def test_odd_field_values_give_input_errors_not_crashes(raw: dict[str, Any]) -> None:
    try:
        build_question(raw)
    except QuestionInputError as exc:
        assert all(":" in p for p in exc.problems)


def test_a_null_in_a_json_list_does_not_become_the_word_none() -> None:
    question = build_question(fields(probes=[None, "Why then?"], strong_answer_shows=[None]))
    assert question.probes == ("Why then?",)
    assert question.strong_answer_shows == ()


def test_a_list_or_object_as_the_text_is_refused_not_stored_as_python_repr() -> None:
    for value in (["Tell me about a time", "you cut cost"], {"q": "Tell me about a time you cut cost"}):
        try:
            question = build_question(fields(text=value))
        except QuestionInputError as exc:
            assert exc.problems[0].startswith("Question: ")
        else:
            assert "[" not in question.text and "{" not in question.text, question.text


# -- ids and wording ---------------------------------------------------------


def test_new_id_is_readable_unique_and_valid() -> None:
    assert new_id("Tell me about a time you reduced lead time!") == "my-tell-me-about-a-time-you"
    taken = {"my-tell-me-about-a-time-you", "my-tell-me-about-a-time-you-2"}
    assert new_id("Tell me about a time you reduced lead time!", taken) == "my-tell-me-about-a-time-you-3"
    assert new_id("请描述一次经历") == "my-question"
    assert new_id("Café crème — déjà vu") == "my-cafe-creme-deja-vu"
    long = new_id("supercalifragilisticexpialidocious " * 6)
    assert len(long) <= 80 and ID_PATTERN.match(long)


@pytest.mark.parametrize(
    "variant",
    [
        "tell me about a time you reduced lead time",
        "TELL ME ABOUT A TIME YOU REDUCED LEAD TIME!!!",
        "  Tell me,   about a time\nyou reduced lead-time?  ",
        "Ｔｅｌｌ me about a time you reduced lead time.",  # full-width letters
    ],
)
def test_normalised_text_ignores_case_punctuation_space_and_width(variant: str) -> None:
    assert normalised_text(variant) == normalised_text("Tell me about a time you reduced lead time.")


def test_normalised_text_keeps_different_words_apart() -> None:
    assert normalised_text("Tell me about a time you cut cost") != normalised_text("Tell me about a time you cut costs")


# -- decode_upload -----------------------------------------------------------

SAMPLE = f"text,topics\n{GOOD_TEXT},inventory\nCafé 🙂 question here,quality\n"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),
        b"\xff\xfe" + SAMPLE.encode("utf-16-le"),
        b"\xfe\xff" + SAMPLE.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-native", "utf16-le-bom", "utf16-be-bom"],
)
def test_text_encodings_decode_to_the_same_text_without_a_bom(data: bytes) -> None:
    assert decode_upload(data) == SAMPLE


def decode_problem(data: bytes) -> str:
    with pytest.raises(QuestionInputError) as info:
        decode_upload(data)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


def test_latin1_bytes_are_refused_with_the_byte_and_the_fix() -> None:
    message = decode_problem(f"text,topics\nCafé {GOOD_TEXT},inventory\n".encode("latin-1"))
    assert "byte 15" in message and "UTF-8" in message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"text,topics\x00\nabc",
        b"\xff\xfe\x00\xd8",  # UTF-16 with a lone surrogate
        b"\xff\xfea",  # UTF-16 cut in half
    ],
)
def test_binary_data_is_refused_as_not_text(data: bytes) -> None:
    assert "not a text file" in decode_problem(data)


def test_a_file_over_the_limit_is_refused_with_both_sizes() -> None:
    message = decode_problem(b"a" * (MAX_IMPORT_BYTES + 1))
    assert "1,000,001" in message and f"{MAX_IMPORT_BYTES:,}" in message


def test_a_file_at_the_limit_is_read() -> None:
    assert len(decode_upload(b"a" * MAX_IMPORT_BYTES)) == MAX_IMPORT_BYTES


# -- detect_format -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("qs.json", "text,topics", "json"),
        ("QS.JSON", "", "json"),
        ("qs.csv", "[", "csv"),
        ("qs.tsv", "{", "csv"),
        ("qs.txt", "[", "csv"),
        ("-", '  \n [{"text": 1}]', "json"),
        ("-", "{}", "json"),
        ("upload", "text,topics", "csv"),
    ],
)
def test_detect_format_by_name_then_by_content(name: str, text: str, expected: str) -> None:
    assert detect_format(name, text) == expected


# -- parse_questions: CSV ----------------------------------------------------


def test_csv_rows_become_questions_with_their_lines() -> None:
    text = (
        "id,text,type,topics,levels,difficulty,strong_answer_shows,probes\n"
        f"my-one,{GOOD_TEXT},case,Supply chain | inventory,senior,3,Numbers | Ownership,Why? | How?\n"
        "my-two,Tell me about a conflict you settled,behavioural,leadership,,,,\n"
    )
    parsed = parse_questions(text, "csv")
    assert [where for where, _ in parsed] == ["line 2", "line 3"]
    one, two = (q for _, q in parsed)
    assert one == custom(
        "my-one",
        GOOD_TEXT,
        type="case",
        topics=("supply_chain", "inventory"),
        levels=("senior",),
        difficulty=3,
        strong_answer_shows=("Numbers", "Ownership"),
        probes=("Why?", "How?"),
    )
    assert two == custom("my-two", "Tell me about a conflict you settled", topics=("leadership",))


def test_csv_header_is_matched_loosely_and_columns_in_any_order() -> None:
    parsed = parse_questions(f' Topics , TEXT \ninventory,"{GOOD_TEXT}"\n', "csv")
    assert parsed[0][1].text == GOOD_TEXT and parsed[0][1].topics == ("inventory",)


def test_csv_unknown_column_is_refused_on_line_1_with_the_right_header() -> None:
    problems = parse_problems(f"text,topics,colour\n{GOOD_TEXT},inventory,red\n", "csv")
    assert problems[0] == "line 1: unknown column(s) 'colour'"
    assert ",".join(CSV_COLUMNS) in problems[-1]


def test_csv_missing_text_column_is_refused() -> None:
    problems = parse_problems("topics,type\ninventory,case\n", "csv")
    assert problems[0] == "line 1: missing column(s) text"


def test_csv_unknown_and_missing_columns_are_reported_together() -> None:
    problems = parse_problems("question,topic\nx,y\n", "csv")
    assert problems[0] == "line 1: unknown column(s) 'question', 'topic'"
    assert problems[1] == "line 1: missing column(s) text, topics"


def test_csv_row_with_too_many_cells_is_refused_with_its_line() -> None:
    text = f"text,topics\n{GOOD_TEXT},inventory\nAnother good question,quality,extra\n"
    assert parse_problems(text, "csv") == ["line 3: 3 cells but the header names 2"]


def test_csv_every_row_with_too_many_cells_is_reported() -> None:
    # The module promises every bad row with its line, so the file is fixed in one go.
    text = f"text,topics\n{GOOD_TEXT},inventory,x\nAnother good question,quality,y\n"
    problems = parse_problems(text, "csv")
    assert [p.split(":", 1)[0] for p in problems] == ["line 2", "line 3"]


def test_csv_multiline_quoted_cells_keep_their_newlines_and_later_lines_stay_right() -> None:
    text = (
        "text,topics,probes\n"  # 1
        '"What went wrong when\n'  # 2
        'the line stopped?",quality,"Why? | What then?"\n'  # 3
        "Too short,quality,\n"  # 4
        '"A second question, which spans\n'  # 5
        'two lines",nope,\n'  # 6
        "Last good question here,risk,\n"  # 7
    )
    problems = parse_problems(text, "csv")
    assert [p.split(":", 1)[0] for p in problems] == ["line 4", "line 5"]
    assert problems[0].startswith("line 4: Question: ")
    assert problems[1].startswith("line 5: Topics: unknown 'nope'")

    fixed = text.replace("Too short,", "Long enough now,").replace(",nope,", ",risk,")
    parsed = parse_questions(fixed, "csv")
    assert [w for w, _ in parsed] == ["line 2", "line 4", "line 5", "line 7"]
    assert parsed[0][1].text == "What went wrong when\nthe line stopped?"
    assert parsed[0][1].probes == ("Why?", "What then?")
    assert parsed[2][1].text == "A second question, which spans\ntwo lines"


def test_csv_with_crlf_line_endings_parses() -> None:
    text = f"text,topics\r\n{GOOD_TEXT},inventory\r\nAnother good question,quality\r\n"
    assert [w for w, _ in parse_questions(text, "csv")] == ["line 2", "line 3"]


def test_semicolon_csv_from_a_european_spreadsheet() -> None:
    text = (
        "text;topics;levels;probes\n"
        f"{GOOD_TEXT};Supply chain, Inventory;Entry, Mid;Who decided, and why? | What changed?\n"
        '"Kosten senken; wie, genau?";cost_budgeting;senior;\n'
    )
    (_, first), (_, second) = parse_questions(text, "csv")
    assert first.topics == ("supply_chain", "inventory")
    assert first.levels == ("entry", "mid")
    assert first.probes == ("Who decided, and why?", "What changed?")
    assert second.text == "Kosten senken; wie, genau?"


def test_tab_separated_file() -> None:
    text = f"text\ttopics\tdifficulty\n{GOOD_TEXT}, with a comma\tquality | risk\t1\n"
    ((where, question),) = parse_questions(text, "csv")
    assert where == "line 2"
    assert question.text == f"{GOOD_TEXT}, with a comma"
    assert question.topics == ("quality", "risk") and question.difficulty == 1


def test_csv_blank_lines_between_and_after_rows_are_ignored() -> None:
    text = f"text,topics\n\n{GOOD_TEXT},inventory\n\n , \n\nAnother good question,quality\n\n\n"
    assert [w for w, _ in parse_questions(text, "csv")] == ["line 3", "line 7"]


def test_csv_blank_lines_before_the_header_are_ignored() -> None:
    # "The file is empty" would be false here: the questions are right below.
    parsed = parse_questions(f"\n\ntext,topics\n{GOOD_TEXT},inventory\n", "csv")
    assert [q.text for _, q in parsed] == [GOOD_TEXT]


def test_csv_every_bad_row_is_reported_with_its_line_and_field() -> None:
    text = f"text,topics,type\nshort,inventory,case\n{GOOD_TEXT},inventory,case\nAnother good question,nope,essay\n"
    problems = parse_problems(text, "csv")
    assert problems[0].startswith("line 2: Question: ")
    assert any(p.startswith("line 4: Topics: ") for p in problems)
    assert any(p.startswith("line 4: Type: ") for p in problems)
    assert not any(p.startswith("line 3") for p in problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("  \n\t\n", "The file is empty."),
        ("text,topics\n", "The file holds no questions."),
        ("text,topics\n\n\n", "The file holds no questions."),
    ],
)
def test_csv_empty_files_are_refused(text: str, message: str) -> None:
    assert parse_problems(text, "csv") == [message]


def test_csv_unclosed_quote_is_an_input_error_not_a_crash() -> None:
    parse_problems(f'text,topics\n"{GOOD_TEXT},inventory\n', "csv")


def test_parse_keeps_generated_ids_unique_and_clear_of_taken_ones() -> None:
    text = f"text,topics\n{GOOD_TEXT},inventory\n{GOOD_TEXT} Again.,quality\n"
    ids = [q.id for _, q in parse_questions(text, "csv", taken_ids={"my-tell-me-about-a-time-you"})]
    assert ids == ["my-tell-me-about-a-time-you-2", "my-tell-me-about-a-time-you-3"]


# -- parse_questions: JSON ---------------------------------------------------


def test_json_list_becomes_questions_with_their_lines() -> None:
    text = json.dumps(
        [
            {"text": GOOD_TEXT, "topics": ["inventory"], "type": "case", "levels": ["mid"], "difficulty": 3},
            {"id": "my-x", "text": "Another good question", "topics": "quality | risk", "custom": True},
        ],
        indent=2,
    )
    parsed = parse_questions(text, "json")
    assert [w for w, _ in parsed] == ["line 2", "line 13"]
    assert parsed[0][1] == custom("my-tell-me-about-a-time-you", GOOD_TEXT, type="case", levels=("mid",), difficulty=3)
    assert parsed[1][1] == custom("my-x", "Another good question", topics=("quality", "risk"))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"text": "x", "topics": ["inventory"]}', "an object"),
        ('"a question"', "a string"),
        ("42", "a number"),
        ("-3.5", "a number"),
        ("true", "true or false"),
        ("null", "a single value"),
    ],
)
def test_json_that_is_not_a_list_is_refused(text: str, kind: str) -> None:
    (message,) = parse_problems(text, "json")
    assert message.startswith("A JSON import must be a list of questions")
    assert message.endswith(f"not {kind}.")


@pytest.mark.parametrize("item", ["1", '"text"', "[]", "null"])
def test_json_item_that_is_not_an_object_is_refused_with_its_line(item: str) -> None:
    text = f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"]}},\n  {item}\n]'
    (message,) = parse_problems(text, "json")
    assert message.startswith("line 3: each item must be an object")


def test_json_unknown_field_is_refused_with_its_line() -> None:
    text = f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"], "colour": "red"}}\n]'
    assert parse_problems(text, "json") == ["line 2: unknown field(s) 'colour'"]


def test_json_every_bad_item_is_reported() -> None:
    text = (
        "[\n"
        f'  {{"text": "{GOOD_TEXT}", "topics": ["inventory"], "colour": "red"}},\n'
        '  {"text": "Another good question", "topics": ["nope"]},\n'
        '  {"text": "A third good question", "topics": ["risk"], "shade": 1}\n'
        "]"
    )
    problems = parse_problems(text, "json")
    assert sorted({p.split(":", 1)[0] for p in problems}) == ["line 2", "line 3", "line 4"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"]}},\n  {{"text": "x" "topics": []}}\n]', 3),
        (f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"]}},\n]', 3),
        (f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"]}}', 2),
        ("[", 1),
        ('{"text": ', 1),
        ("[\n\n\n  {'text': 'single quotes'}]", 4),
    ],
)
def test_malformed_json_is_refused_with_its_line(text: str, line: int) -> None:
    (message,) = parse_problems(text, "json")
    assert message.startswith(f"line {line}: not valid JSON (")
    assert "column" in message


@pytest.mark.parametrize("text", ["[]", "[ ]", "\n[\n]\n"])
def test_json_empty_list_is_refused(text: str) -> None:
    assert parse_problems(text, "json") == ["The file holds no questions."]


@pytest.mark.parametrize("tail", [" garbage", "\n\n[]", ",", "\n}"])
def test_json_trailing_garbage_is_refused(tail: str) -> None:
    text = f'[\n  {{"text": "{GOOD_TEXT}", "topics": ["inventory"]}}\n]{tail}'
    (message,) = parse_problems(text, "json")
    assert re.fullmatch(r"line \d+: unexpected text after the list", message)


def test_json_trailing_whitespace_is_fine() -> None:
    text = f'\n\n  [{{"text": "{GOOD_TEXT}", "topics": ["inventory"]}}]  \n\n'
    assert [w for w, _ in parse_questions(text, "json")] == ["line 3"]


def test_json_bad_items_are_reported_with_field_names() -> None:
    text = f'[{{"text": "{GOOD_TEXT}", "topics": ["inventory"], "difficulty": 9}},\n{{"topics": ["risk"]}}]'
    problems = parse_problems(text, "json")
    assert problems[0].startswith("line 1: Difficulty: ")
    assert problems[1] == "line 2: Question: write the question (it is empty)"


def test_deeply_nested_json_is_an_input_error_not_a_crash() -> None:
    # 20 kB, well under the size limit: it must be refused like any other bad file.
    text = "[" * 10_000 + "]" * 10_000
    parse_problems(text, "json")


# -- plan_import -------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin() -> Question:
    from coach.questions import load_bank

    return load_bank()[0]


def plan_for(csv_text: str, existing: list[Question]):
    parsed = parse_questions(csv_text, "csv", {q.id for q in existing})
    return plan_import(parsed, existing)


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t,
        str.upper,
        lambda t: "  " + t.replace(" ", "   ") + "  ",
        lambda t: t.rstrip(".?!") + "!!!",
        lambda t: t.replace(",", "").replace("?", " ?"),
    ],
)
def test_a_builtin_question_reworded_only_in_case_punctuation_or_space_is_a_duplicate(
    bank: list[Question], builtin: Question, variant: Any
) -> None:
    text = variant(builtin.text).replace('"', '""')
    plan = plan_for(f'text,topics\n"{text}",inventory\n{GOOD_TEXT},quality\n', bank)
    assert plan.duplicates == [f"line 2: already there as built-in question {builtin.id!r}"]
    assert [q.text for q in plan.new] == [GOOD_TEXT]


def test_a_duplicate_within_the_same_file_is_skipped_and_reported(bank: list[Question]) -> None:
    plan = plan_for(
        f'text,topics\n{GOOD_TEXT},inventory\nother question here,risk\n"{GOOD_TEXT.upper()}",quality\n', bank
    )
    assert [q.text for q in plan.new] == [GOOD_TEXT, "other question here"]
    assert plan.duplicates == ["line 4: already there as your question 'my-tell-me-about-a-time-you'"]


def test_a_duplicate_of_an_existing_custom_question_names_it(bank: list[Question]) -> None:
    mine = custom("my-lane", GOOD_TEXT.lower())
    plan = plan_for(f"text,topics\n{GOOD_TEXT},inventory\n", [*bank, mine])
    assert plan.new == []
    assert plan.duplicates == ["line 2: already there as your question 'my-lane'"]


def test_an_id_clash_with_different_wording_gets_a_new_id(bank: list[Question], builtin: Question) -> None:
    mine = custom("my-lane", "An existing custom question")
    text = f"id,text,topics\n{builtin.id},{GOOD_TEXT},inventory\nmy-lane,Another good question,risk\n"
    plan = plan_for(text, [*bank, mine])
    assert plan.duplicates == []
    ids = [q.id for q in plan.new]
    taken = {q.id for q in bank} | {"my-lane"}
    assert not set(ids) & taken
    assert len(set(ids)) == 2
    assert [q.text for q in plan.new] == [GOOD_TEXT, "Another good question"]


def test_the_same_id_twice_in_one_file_is_renamed(bank: list[Question]) -> None:
    plan = plan_for(f"id,text,topics\nmy-x,{GOOD_TEXT},inventory\nmy-x,Another good question,risk\n", bank)
    ids = [q.id for q in plan.new]
    assert ids[0] == "my-x" and ids[1] != "my-x" and ID_PATTERN.match(ids[1])


# -- export -> import --------------------------------------------------------

TRICKY = [
    custom(
        "my-commas",
        'He said "cut it, now", then left; why?',
        type="case",
        topics=("inventory", "quality"),
        levels=("senior",),
        difficulty=3,
        strong_answer_shows=("Uses, commas; and semicolons", 'Has "quotes"'),
        probes=("<script>alert(1)</script>", "What then, exactly?"),
    ),
    custom(
        "my-lines",
        "Línea uno\nline two 🙂 مرحبا café e\u0301 中文\tend",
        topics=("risk",),
        levels=("entry", "mid"),
        difficulty=1,
        model_answer='At our "North" DC, picks were 3% wrong | late.\n\nI ran a Pareto; errors fell to 1%.',
    ),
    custom("my-html", "<b>Bold</b> &amp; <i>brave</i>: a time you led", topics=("leadership", "safety")),
    custom("my-question-2", "=SUM(A1:A2) is not a formula here", topics=("data_kpis",), probes=("@me", "+1", "-1")),
]


@pytest.mark.parametrize(("fmt", "export"), [("csv", export_csv), ("json", export_json)])
def test_export_then_import_is_exact_for_tricky_questions(fmt: str, export: Any) -> None:
    text = export(TRICKY)
    data = text.encode("utf-8")
    parsed = parse_questions(decode_upload(data), detect_format(f"mine.{fmt}", text))  # type: ignore[arg-type]
    assert [q for _, q in parsed] == TRICKY


def test_export_csv_writes_the_documented_header_and_pipe_joined_lists() -> None:
    lines = export_csv(TRICKY[:1]).split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert "inventory | quality" in lines[1]
    assert '"Uses, commas; and semicolons | Has ""quotes"""' in lines[1]


def test_export_json_is_the_import_format_without_the_custom_flag() -> None:
    items = json.loads(export_json(TRICKY))
    assert [set(item) for item in items] == [set(CSV_COLUMNS)] * len(TRICKY)
    assert items[1]["text"] == TRICKY[1].text  # not escaped to \\u sequences
    assert "🙂" in export_json(TRICKY)


def test_export_of_nothing_reimports_as_no_questions() -> None:
    assert export_csv([]) == ",".join(CSV_COLUMNS) + "\r\n"
    assert json.loads(export_json([])) == []
    assert parse_problems(export_csv([]), "csv") == ["The file holds no questions."]


def test_pipes_and_line_breaks_separate_list_items_in_every_format() -> None:
    # One rule for forms, CSV cells and JSON lists: an item never holds '|' or a line break,
    # so whatever was accepted exports to a file that imports to the same question.
    question = build_question(fields(strong_answer_shows=["a | b", "c\nd"]))
    assert question.strong_answer_shows == ("a", "b", "c", "d")
    assert parse_questions(export_json([question]), "json")[0][1] == question
    assert parse_questions(export_csv([question]), "csv")[0][1] == question


def test_a_json_probe_holding_a_pipe_counts_as_two_probes() -> None:
    with pytest.raises(QuestionInputError) as caught:
        build_question(fields(probes=["Why?", "Who?", "What changed | and when?"]))
    assert caught.value.problems == ["Follow-up probes: at most 3, please"]


def test_a_csv_export_of_a_json_imported_probe_with_a_nul_imports_again() -> None:
    text = json.dumps([{"text": GOOD_TEXT, "topics": ["inventory"], "probes": ["Why\u0000 then?"]}])
    try:
        questions = [q for _, q in parse_questions(text, "json")]
    except QuestionInputError:
        return  # refusing it up front is fine too
    decode_upload(export_csv(questions).encode("utf-8"))


# Hypothesis: valid questions round-trip through both formats.

SAFE_CHARS = st.characters(exclude_categories=("Cc", "Cs"), include_characters="\n\t")
ITEM_CHARS = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="|")
QUESTION_TEXT = st.text(SAFE_CHARS, min_size=10, max_size=120)
ITEMS = st.lists(st.text(ITEM_CHARS, min_size=1, max_size=40), max_size=3)


@st.composite
def question_fields(draw: st.DrawFn, items: st.SearchStrategy[list[str]] = ITEMS) -> dict[str, Any]:
    return {
        "text": draw(QUESTION_TEXT),
        "type": draw(st.sampled_from(["behavioral", "case", "behavioural"])),
        "topics": draw(st.lists(st.sampled_from(list(TOPIC_LABELS)), min_size=1, max_size=4, unique=True)),
        "levels": draw(st.lists(st.sampled_from(list(LEVEL_LABELS)), min_size=1, max_size=3, unique=True)),
        "difficulty": draw(st.integers(1, 3)),
        "strong_answer_shows": draw(items),
        "probes": draw(items),
    }


def build_all(raws: list[dict[str, Any]]) -> list[Question]:
    taken: set[str] = set()
    questions = []
    for raw in raws:
        try:
            question = build_question(raw, taken)
        except QuestionInputError:
            assume(False)
        taken.add(question.id)
        questions.append(question)
    return questions


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(question_fields(), min_size=1, max_size=4))
def test_generated_questions_round_trip_through_csv_and_json(raws: list[dict[str, Any]]) -> None:
    questions = build_all(raws)
    for fmt, export in (("csv", export_csv), ("json", export_json)):
        text = decode_upload(export(questions).encode("utf-8"))
        assert [q for _, q in parse_questions(text, fmt)] == questions, fmt  # type: ignore[arg-type]


JSON_ITEMS = st.lists(st.text(SAFE_CHARS.filter(lambda c: c not in "\x00"), min_size=1, max_size=40), max_size=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(question_fields(JSON_ITEMS), min_size=1, max_size=3))
def test_generated_questions_with_pipes_in_items_round_trip_through_json(raws: list[dict[str, Any]]) -> None:
    questions = build_all(raws)
    text = decode_upload(export_json(questions).encode("utf-8"))
    assert [q for _, q in parse_questions(text, "json")] == questions


# -- QuestionLibrary on a real database --------------------------------------


@pytest.fixture
def library(db_path: Path, bank: list[Question]) -> QuestionLibrary:
    return QuestionLibrary(db_path, bank)


def stored_count(db_path: Path) -> int:
    return len(storage.list_custom_questions(db_path))


def test_add_stores_a_custom_question_that_all_and_get_return(library: QuestionLibrary, bank: list[Question]) -> None:
    question = library.add({"text": GOOD_TEXT, "topics": ["supply_chain"], "probes": "Why?\nHow?"})
    assert question.custom is True
    assert library.mine() == [question]
    assert library.all() == [*bank, question]
    assert library.get(question.id) == question
    assert library.get(bank[0].id) == bank[0] and bank[0].custom is False
    assert library.get("no-such-id") is None


def test_add_keeps_html_and_unicode_exactly_in_the_database(library: QuestionLibrary) -> None:
    for text in [*UNICODE_TEXTS, '<script>alert("x")</script> and a time you led']:
        library.add({"text": text, "topics": "risk", "probes": ["<b>why</b> 🙂"]})
    assert [q.text for q in library.mine()] == [*UNICODE_TEXTS, '<script>alert("x")</script> and a time you led']
    assert all(q.probes == ("<b>why</b> 🙂",) for q in library.mine())


def test_add_refuses_the_wording_of_a_builtin(library: QuestionLibrary, builtin: Question) -> None:
    with pytest.raises(QuestionInputError) as info:
        library.add({"text": builtin.text.upper() + "!!", "topics": "risk"})
    assert info.value.problems == [f"Question: this is already a built-in question ({builtin.id})"]
    assert library.mine() == []


def test_add_refuses_the_wording_of_your_own_question(library: QuestionLibrary) -> None:
    first = library.add({"text": GOOD_TEXT, "topics": "risk"})
    with pytest.raises(QuestionInputError) as info:
        library.add({"text": f"  {GOOD_TEXT.lower()}  ", "topics": "quality"})
    assert info.value.problems == [f"Question: this is already one of your questions ({first.id})"]
    assert library.mine() == [first]


def test_add_with_bad_fields_stores_nothing(library: QuestionLibrary, db_path: Path) -> None:
    with pytest.raises(QuestionInputError):
        library.add({"text": "short", "topics": "nope"})
    assert stored_count(db_path) == 0


def test_add_gives_a_new_id_when_the_text_id_is_taken(library: QuestionLibrary) -> None:
    first = library.add({"text": GOOD_TEXT, "topics": "risk"})
    second = library.add({"text": GOOD_TEXT + " And why?", "topics": "risk"})
    assert first.id == "my-tell-me-about-a-time-you"
    assert second.id == "my-tell-me-about-a-time-you-2"


def test_add_never_makes_two_questions_with_one_id(library: QuestionLibrary, builtin: Question) -> None:
    # build_question takes an id from the fields; the taken ids passed in must still be honoured.
    with contextlib.suppress(QuestionInputError):
        library.add({"id": builtin.id, "text": GOOD_TEXT, "topics": "risk"})
    ids = [q.id for q in library.all()]
    assert len(ids) == len(set(ids))
    assert library.get(builtin.id) == builtin


def test_update_keeps_the_id_and_the_order(library: QuestionLibrary) -> None:
    a = library.add({"text": "First question of mine here", "topics": "risk"})
    b = library.add({"text": "Second question of mine here", "topics": "risk"})
    c = library.add({"text": "Third question of mine here", "topics": "risk"})
    updated = library.update(
        b.id, {"text": "Second question, now reworded", "topics": "quality", "type": "case", "difficulty": 3}
    )
    assert updated.id == b.id
    assert [q.id for q in library.mine()] == [a.id, b.id, c.id]
    assert library.get(b.id) == updated
    assert updated.text == "Second question, now reworded"
    assert updated.topics == ("quality",) and updated.type == "case" and updated.difficulty == 3
    assert library.get(a.id) == a and library.get(c.id) == c


def test_update_may_keep_its_own_wording(library: QuestionLibrary) -> None:
    a = library.add({"text": GOOD_TEXT, "topics": "risk"})
    assert library.update(a.id, {"text": GOOD_TEXT, "topics": "quality"}).topics == ("quality",)


def test_update_refuses_a_builtin_question(library: QuestionLibrary, builtin: Question) -> None:
    with pytest.raises(QuestionInputError) as info:
        library.update(builtin.id, {"text": GOOD_TEXT, "topics": "risk"})
    assert "Only your own questions" in info.value.problems[0]
    assert library.get(builtin.id) == builtin
    assert library.mine() == []


def test_update_refuses_the_wording_of_another_question(library: QuestionLibrary) -> None:
    a = library.add({"text": "First question of mine here", "topics": "risk"})
    b = library.add({"text": "Second question of mine here", "topics": "risk"})
    with pytest.raises(QuestionInputError) as info:
        library.update(b.id, {"text": "FIRST question of mine, here", "topics": "risk"})
    assert info.value.problems == [f"Question: this is already one of your questions ({a.id})"]
    assert library.get(b.id) == b


def test_update_with_bad_fields_changes_nothing(library: QuestionLibrary) -> None:
    a = library.add({"text": GOOD_TEXT, "topics": "risk"})
    with pytest.raises(QuestionInputError) as info:
        library.update(a.id, {"text": "", "topics": "astrology", "difficulty": 9})
    assert {p.split(":", 1)[0] for p in info.value.problems} == {"Question", "Topics", "Difficulty"}
    assert library.mine() == [a]


def test_delete_returns_true_then_false_and_never_deletes_builtins(
    library: QuestionLibrary, bank: list[Question], builtin: Question
) -> None:
    a = library.add({"text": GOOD_TEXT, "topics": "risk"})
    assert library.delete(a.id) is True
    assert library.delete(a.id) is False
    assert library.get(a.id) is None and library.mine() == []
    assert library.delete(builtin.id) is False
    assert library.all() == bank


def test_storage_adds_all_questions_or_none_when_an_id_is_taken(db_path: Path) -> None:
    storage.add_custom_questions(db_path, [custom("my-a", "First question of mine here")])
    with pytest.raises(storage.QuestionIdTaken):
        storage.add_custom_questions(
            db_path, [custom("my-b", "Second question of mine here"), custom("my-a", "Third question of mine here")]
        )
    assert [q.id for q in storage.list_custom_questions(db_path)] == ["my-a"]


GOOD_ROWS = (
    "text,topics,levels,probes\n"
    f"{GOOD_TEXT},inventory,mid,Why? | How?\n"
    '"Tell me, briefly, about a supplier you lost",supply_chain,,\n'
    "Walk me through a safety incident you handled,safety,senior,\n"
)


def test_import_file_adds_every_row_in_file_order(library: QuestionLibrary) -> None:
    report = library.import_file(GOOD_ROWS.encode(), "mine.csv")
    assert report.summary() == "Imported 3 questions."
    assert report.duplicates == []
    assert library.mine() == report.added
    assert [q.text for q in library.mine()] == [
        GOOD_TEXT,
        "Tell me, briefly, about a supplier you lost",
        "Walk me through a safety incident you handled",
    ]


def test_import_file_with_one_bad_row_changes_nothing(library: QuestionLibrary, db_path: Path) -> None:
    library.add({"text": "A question that was already here", "topics": "risk"})
    before = library.mine()
    bad = GOOD_ROWS + "Tell me about a time you used astrology,astrology,,\n"
    with pytest.raises(QuestionInputError) as info:
        library.import_file(bad.encode(), "mine.csv")
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("line 5: Topics: unknown 'astrology'")
    assert stored_count(db_path) == len(before) == 1
    assert library.mine() == before


def test_importing_the_same_file_twice_adds_nothing_the_second_time(library: QuestionLibrary) -> None:
    first = library.import_file(GOOD_ROWS.encode(), "mine.csv")
    second = library.import_file(GOOD_ROWS.encode(), "mine.csv")
    assert len(first.added) == 3
    assert second.added == []
    assert len(second.duplicates) == 3
    assert [d.split(":", 1)[0] for d in second.duplicates] == ["line 2", "line 3", "line 4"]
    assert all("already there as your question" in d for d in second.duplicates)
    assert second.summary() == "Imported 0 questions; skipped 3 already there."
    assert library.mine() == first.added


def test_import_file_skips_builtin_duplicates_and_adds_the_rest(library: QuestionLibrary, builtin: Question) -> None:
    data = f'text,topics\n"{builtin.text.lower()}",risk\n{GOOD_TEXT},inventory\n'.encode()
    report = library.import_file(data, "mine.csv")
    assert report.summary() == "Imported 1 question; skipped 1 already there."
    assert report.duplicates == [f"line 2: already there as built-in question {builtin.id!r}"]
    assert [q.text for q in library.mine()] == [GOOD_TEXT]


def test_import_file_renames_an_id_taken_by_a_builtin(library: QuestionLibrary, builtin: Question) -> None:
    report = library.import_file(f"id,text,topics\n{builtin.id},{GOOD_TEXT},risk\n".encode(), "mine.csv")
    (added,) = report.added
    assert added.id != builtin.id
    assert library.get(builtin.id) == builtin
    assert library.get(added.id) == added


def test_import_file_reads_utf16_and_detects_json_by_content(library: QuestionLibrary) -> None:
    library.import_file(GOOD_ROWS.encode("utf-16"), "mine.csv")
    data = json.dumps([{"text": "A JSON question of mine here", "topics": ["risk"]}]).encode()
    library.import_file(data, "upload")
    assert len(library.mine()) == 4


def test_import_file_refuses_binary_without_writing(library: QuestionLibrary, db_path: Path) -> None:
    with pytest.raises(QuestionInputError) as info:
        library.import_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "mine.csv")
    assert "not a text file" in info.value.problems[0]
    assert stored_count(db_path) == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_a_fresh_database_is_exact(
    library: QuestionLibrary, bank: list[Question], tmp_path: Path, fmt: str
) -> None:
    library.import_file(GOOD_ROWS.encode(), "mine.csv")
    for question in TRICKY:
        library.add(question.model_dump(exclude={"custom"}))
    exported = library.export(fmt)  # type: ignore[arg-type]

    fresh = QuestionLibrary(tmp_path / "other" / "coach.db", bank)
    report = fresh.import_file(exported.encode("utf-8"), f"mine.{fmt}")
    assert report.duplicates == []
    assert fresh.mine() == library.mine()
    assert len(fresh.mine()) == 3 + len(TRICKY)
    assert fresh.export(fmt) == exported  # type: ignore[arg-type]


# -- custom questions in interviews ------------------------------------------


def test_an_interview_with_an_empty_bank_draws_only_custom_questions(db_path: Path) -> None:
    service = InterviewService(db_path, [], RuleBasedGrader())
    with pytest.raises(AnswerRejected):
        service.start(InterviewSetup(n_questions=3))
    added = [service.library.add({"text": f"Custom question number {i} here", "topics": "risk"}) for i in range(4)]
    interview = service.start(InterviewSetup(level="mid", n_questions=10), seed=3)
    assert sorted(interview.question_ids) == sorted(q.id for q in added)
    state = service.state(interview.id)
    assert state is not None and state.current_question is not None
    assert all(q.custom for q in state.questions)
    answer = service.answer(interview.id, "I led the fix and cut delays by 20% in a month.", position=0)
    assert answer.question_id == interview.question_ids[0]
    assert answer.question_text == next(q.text for q in added if q.id == answer.question_id)


def test_filters_matching_only_custom_questions_draw_only_them(db_path: Path, bank: list[Question]) -> None:
    no_safety = [q for q in bank if "safety" not in q.topics]
    service = InterviewService(db_path, no_safety, RuleBasedGrader())
    report = service.library.import_file(
        b"text,topics,levels,type\n"
        b"A safety walk you led at night,safety,mid,case\n"
        b"A near miss you reported,safety,entry,case\n"
        b"A lockout rule you enforced,safety,senior,behavioral\n",
        "mine.csv",
    )
    for seed in range(5):
        interview = service.start(
            InterviewSetup(level="mid", topics=("safety",), question_type="case", n_questions=5), seed=seed
        )
        # The mid-level case comes first; the draw widens to the entry case, never to the behavioural one.
        assert interview.question_ids == (report.added[0].id, report.added[1].id)


def test_choose_questions_never_repeats_with_custom_questions(library: QuestionLibrary) -> None:
    library.import_file(GOOD_ROWS.encode(), "mine.csv")
    questions = library.all()
    for seed in range(10):
        for setup in (
            InterviewSetup(level="mid", n_questions=400),
            InterviewSetup(level="senior", topics=("inventory", "safety"), n_questions=15),
        ):
            chosen = choose_questions(questions, setup, answered={questions[0].id}, seed=seed)
            ids = [q.id for q in chosen]
            assert len(ids) == len(set(ids))
    # With no topic or type filter the draw widens to every level: each question exactly once.
    everything = choose_questions(questions, InterviewSetup(level="mid", n_questions=10_000), seed=1)
    assert sorted(q.id for q in everything) == sorted(q.id for q in questions)

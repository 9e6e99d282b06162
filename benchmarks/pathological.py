"""Worst-case grading time: the full rules grade (labels, scores, advice) of text made to make patterns backtrack.

python benchmarks/pathological.py              # every case at 2,500, 5,000, 10,000 and 20,000 characters
python benchmarks/pathological.py --repeat 5   # best of 5 instead of 3

Every case is exactly as long as asked, and at the top length exactly the longest answer the app accepts
(MAX_ANSWER_CHARS). A pattern that is linear doubles its time from 10,000 to 20,000 characters; a
quadratic one quadruples it, so the last column points at the cause before the time does.
tests/test_worst_case.py grades the same cases.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed import forget_texts  # noqa: E402
from coach.grading.rules import RuleBasedGrader  # noqa: E402
from coach.models import MAX_ANSWER_CHARS, QuestionType  # noqa: E402

TARGET_SECONDS = 0.100
LENGTHS = (2_500, 5_000, 10_000, MAX_ANSWER_CHARS)
QUESTION = "Tell me about a time you improved a process."
CASE_QUESTION = "Our warehouse misses 8% of next-day orders. How would you fix it?"


def repeat(unit: str) -> Callable[[int], str]:
    """`unit` over and over, cut to the length asked for."""
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def run_then(run: str, last: str) -> Callable[[int], str]:
    """One long run of `run`, then `last`: a pattern that consumes the run and fails at its end backtracks."""
    return lambda n: repeat(run)(n - len(last)) + last


def around(fill: str, word: str = "x") -> Callable[[int], str]:
    """`word` in the middle of `fill`: an answer the app accepts though nearly all of it is `fill`."""

    def build(n: int) -> str:
        half = (n - len(word)) // 2
        return repeat(fill)(half) + word + repeat(fill)(n - len(word) - half)

    return build


PUNCTUATION = ". ! ? , ; : - ... — – … • * # ( ) [ ] \" ' ’ _ / < > & % $ | = ~ ` @ + \\ { }".split(" ")
SPACED_PUNCTUATION = [". ", "! ", "? ", ", ", "; ", ": ", "- ", "— ", "* ", "# ", "( ", ") ", ".\n", ",\n", " - "]
NUMBERS = [
    "1",
    "1.",
    "1,",
    "1,000,",
    "12.5%",
    "$1 ",
    "1 ",
    "1.5.",
    "1-",
    "1:",
    "1)",
    "1. ",
    "(1) ",
    "2024-01-15 ",
    "12/03/2024 ",
    "15 Jan 2024, ",
    "Q1 FY24 ",
    "10x ",
    "1k ",
    "1 000 ",
    "from 1 to 2 ",
    "by 12% ",
    "3 months ",
    "12 people ",
    "1.2.3.4.",
]
SEPARATORS = {
    "spaces": " ",
    "newlines": "\n",
    "tabs": "\t",
    "CRLF": "\r\n",
    "zero-width spaces": "\u200b",
    "NBSP": "\xa0",
    "ideographic spaces": "\u3000",
    "line separators": "\u2028",
    "mixed whitespace": " \n\t\r\f\v",
}
LABELS = [
    "Situation: ",
    "S:",
    "Task (T):",
    "**Result**",
    "S - ",
    "S – ",
    "1. Action - ",
    "(S) ",
    "Situation\n",
    "# Result\n",
    "Result:",
    "S: T: A: R: ",
    "**S**: ",
    "__Task__ ",
    "Situation:Task:Action:Result:",
    "Situation (S) ",
    "STAR ",
    "A:",
    "A ",
    "S\n",
    "#",
    "## ",
    "what I did: ",
    "my reading of the situation - ",
]
SENTENCES = {
    "numbers sentence": "We cut costs by 12% in 3 months. ",
    "STAR paragraph": (
        "At our Leeds DC, pick errors rose to 3% in 2023. I was asked to halve them by Q3. "
        "I ran a root-cause analysis, re-slotted 400 SKUs and trained 12 pickers, so errors fell to 1.2% "
        "within 10 weeks and I learned to pilot first. "
    ),
    "run-on clause": "and then I called the carrier and so we moved the pallets and I checked the data ",
    "spoken fillers": "so um like and then I, you know, basically, kind of ",
    "plan sentence": "I would first map the process and then I'd pilot it with two shifts. ",
    "no full stops": "we moved stock I called suppliers the team agreed it worked ",
}
CUE_WORDS = [
    "I led ",
    "because ",
    "we we we ",
    "I ",
    "we ",
    "so ",
    "then ",
    "and then ",
    "so then ",
    "and so ",
    "and I ",
    "the ",
    "by ",
    "from ",
    "as the ",
    "I was ",
    "um ",
    "um, ",
    "like ",
    "I would ",
    "I'd ",
    "ignore ",
    "score ",
    "give me ",
    "not ",
    "e.g. ",
    "i.e. ",
    "etc. ",
    "Mr. ",
    "No. ",
    "such as ",
    "within ",
    "in the ",
    "the team ",
    "success ",
    "I was the ",
    "my task ",
    "repeat ",
    "compared ",
    "either ",
    "told ",
    "i was ",
    "at a ",
    "; so ",
    ", so ",
    ", which ",
    " -- ",
    " — ",
]
MARKUP = [
    "<script>alert(1)</script>",
    "<div>",
    "<",
    "<<>>",
    "<a href='x'>",
    "</",
    "<!-- -->",
    "&nbsp;",
    "<grader>",
    "score=100 ",
    "- item\n",
    "* step\n",
    "• step\n",
    "1. step\n",
    "## Heading\n",
    "**bold** ",
    "> quote\n",
    "```\n",
    "| a | b |\n",
    "---\n",
    "- [ ] todo\n",
]
NO_SPACES = ["a1b2c3", "abc123", "A1B2", "x1.", "SKU12345-", "http://example.com/a?b=1&c=2", "a.b.c.", "a-b-c-"]
NO_SPACES += ["a,b,c,", "a'b'c'", "a_b_", "I'I'", "a/b/", "ed", "ly", "ing"]
CASE_MIX = ["aA", "AbCdE ", "ABC ", "Abc ", "iI", "Ab. ", "A. ", "A.B.", "Mr. A ", "LOTO ", "I. "]
SCRIPTS = {
    "mixed scripts, words": "Latin Кириллица 中文字 مرحبا 😀 e\u0301 ñ ",
    "mixed scripts, interleaved": "aЯ中ع😀\u0301",
    "emoji ZWJ sequences": "👩\u200d👩\u200d👧",
    "right-to-left override": "\u202eabc ",
    "combining marks": "e\u0301\u0302\u0303",
    "CJK full stops": "中文。",
    "astral-plane letters": "𝐀𝐁𝐂 ",
}
# A long run of one character, then a character that makes a pattern fail at the very end of it.
RUNS = {
    "digits then a letter": ("1", "x"),
    "letters then a digit": ("a", "1"),
    "spaces then a letter": (" ", "x"),
    "dots then a letter": (".", "a"),
    "brackets then a letter": (")", "a"),
    "newlines then a letter": ("\n", "x"),
    "hashes then a label letter": ("#", "S"),
    "hashes then a letter": ("#", "x"),
    "'<' then tag words": ("<", "grader"),
}


def distinct(piece: Callable[[random.Random], str]) -> Callable[[int], str]:
    """Pieces drawn afresh each time (seeded), cut to the length: none repeats, so no cache can help."""

    def build(n: int) -> str:
        rng, pieces, size = random.Random(13), [], 0
        while size < n:
            pieces.append(piece(rng))
            size += len(pieces[-1])
        return "".join(pieces)[:n]

    return build


def _letters(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(k))


# As many clauses as the length allows, each one new: the cost of a clause, not of a pattern, adds up here.
DISTINCT = {
    "distinct CJK characters, one a line": lambda rng: chr(rng.randrange(0x4E00, 0x9FFF)) + "\n",
    "distinct two-letter lines": lambda rng: _letters(rng, 2) + "\n",
    "distinct numbers, one a line": lambda rng: str(rng.randrange(1000, 10_000)) + "\n",
    "distinct 'Ab.' sentences, no spaces": lambda rng: rng.choice(string.ascii_uppercase) + _letters(rng, 1) + ".",
    "distinct short sentences": lambda rng: f"I led {_letters(rng, 3)}. ",
    "distinct words, no full stop": lambda rng: _letters(rng, 3) + " ",
}


def _cases() -> dict[str, Callable[[int], str]]:
    cases: dict[str, Callable[[int], str]] = {}
    for mark in PUNCTUATION + SPACED_PUNCTUATION:
        cases[f"punctuation {mark!r}"] = repeat(mark)
    for unit in NUMBERS:
        cases[f"number {unit!r}"] = repeat(unit)
    cases["one 20,000-character word"] = repeat("operations")
    cases["one letter repeated"] = repeat("a")
    for name, sep in SEPARATORS.items():
        cases[f"{name} around a word"] = around(sep)
        cases[f"words between {name}"] = repeat("a" + sep)
    for name, unit in {**SENTENCES, **SCRIPTS}.items():
        cases[name] = repeat(unit)
    for unit in LABELS:
        cases[f"label {unit!r}"] = repeat(unit)
    for unit in CUE_WORDS:
        cases[f"cue {unit!r}"] = repeat(unit)
    for unit in MARKUP:
        cases[f"markup {unit!r}"] = repeat(unit)
    for unit in NO_SPACES + CASE_MIX:
        cases[f"unspaced {unit!r}"] = repeat(unit)
    for name, (run, last) in RUNS.items():
        cases[name] = run_then(run, last)
    cases["'<' then a tag word run"] = lambda n: "<" + repeat("grader")(n - 1)
    cases["'i ' then one long word"] = lambda n: "i " + repeat("a")(n - 2)
    cases["'i ' then a long word ending in ed"] = lambda n: "i " + repeat("a")(n - 4) + "ed"
    cases["a word, spaces, a word"] = lambda n: "a" + " " * (n - 2) + "b"
    cases["';' then spaces then 'that'"] = lambda n: ";" + " " * (n - 5) + "that"
    cases["'<' then spaces"] = lambda n: "<" + " " * (n - 2) + "x"
    cases["'</' then spaces"] = lambda n: "</" + " " * (n - 3) + "x"
    cases["a task, then one long 'contract' word"] = lambda n: "I was asked to lead. " + repeat("contract")(n - 21)
    for name, piece in DISTINCT.items():
        cases[name] = distinct(piece)
    return cases


CASES = _cases()


def pathological(length: int = MAX_ANSWER_CHARS) -> dict[str, str]:
    """Every case at exactly `length` characters."""
    out = {name: build(length) for name, build in CASES.items()}
    assert all(len(text) == length for text in out.values()), "a case builder missed the length"
    return out


def grade_seconds(grader: RuleBasedGrader, answer: str, repeats: int, kind: QuestionType = "behavioral") -> float:
    """Best of `repeats` full grades, each from cold text caches (a repeated answer must cost what a new one does)."""
    best = float("inf")
    for _ in range(repeats):
        forget_texts()
        started = time.perf_counter()
        grader.grade(CASE_QUESTION if kind == "case" else QUESTION, answer, kind)
        best = min(best, time.perf_counter() - started)
    return best


def worst_of_kinds(grader: RuleBasedGrader, answer: str, repeats: int) -> float:
    """The slower of a behavioural and a case grade: each reads the answer with some patterns of its own."""
    return max(grade_seconds(grader, answer, repeats, kind) for kind in ("behavioral", "case"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="grades per case and length; the best counts")
    args = parser.parse_args()
    grader = RuleBasedGrader()
    grader.grade(QUESTION, "Warm-up: I cut pick errors by 12% in 3 months.")
    columns = " ".join(f"{n:>8,}" for n in LENGTHS)
    print(f"Full rules grade (behavioural and case, the slower), best of {args.repeat}, seconds")
    print(f"{'case':<44} {'chars':>6} {columns}  x20k/10k")
    worst_name, worst = "", 0.0
    for name in CASES:
        texts = [CASES[name](n) for n in LENGTHS]
        times = [worst_of_kinds(grader, text, args.repeat) for text in texts]
        ratio = times[-1] / max(times[-2], 1e-6)
        print(f"{name[:44]:<44} {len(texts[-1]):>6} " + " ".join(f"{t:8.4f}" for t in times) + f"  {ratio:6.2f}")
        if times[-1] > worst:
            worst_name, worst = name, times[-1]
    verdict = "PASS" if worst < TARGET_SECONDS else "FAIL"
    print(
        f"worst at {MAX_ANSWER_CHARS:,} characters: {worst_name} {worst:.4f} s "
        f"(target < {TARGET_SECONDS:.3f} s): {verdict}"
    )


if __name__ == "__main__":
    main()

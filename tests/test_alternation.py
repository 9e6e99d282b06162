"""Factoring shared prefixes out of alternatives changes how fast a cue family runs, never what it finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.pathological import CASES
from coach.grading import claims, cues, detect, labeller  # noqa: F401  (their families register in BUILT)
from coach.grading.alternation import factor
from coach.grading.cues import BUILT, Family

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"


@pytest.mark.parametrize(
    ("pattern", "factored"),
    [
        ("moved|mapped|met", "m(?:oved|apped|et)"),
        # "turn" stays before "turns": the same match is preferred.
        ("turn|turns", "turn(?:|s)"),
        # A class may match where a letter does: "s" may not move before it.
        ("sa|[sz]b|sc", "sa|[sz]b|sc"),
        # Different letters cannot both match at one spot, so "ab" may join "aa" past "c".
        ("aa|c|ab", "a(?:a|b)|c"),
        # A quantified first token matches in more than one way: never factored.
        ("a?b|a?c", "a?b|a?c"),
        (r"\b(?:(?:i led)|(?:i ran))\b", r"\b(?:i (?:led|ran))\b"),
        # A plain group that ends an alternative opens; one followed by more stays a group.
        (r"x(?:ab|ac)", "xa(?:b|c)"),
        # One that starts an alternative opens too: "(?:A|B)C" tries A then C, then B then C, as "AC|BC".
        (r"(?:ab|ac)x", "a(?:bx|cx)"),
        (r"(?:ab)?c", "abc|c"),
        # Lookbehinds and inline flags are copied as written.
        (r"(?<=ab|cd)e|(?i:aa|ab)", r"(?<=ab|cd)e|(?i:aa|ab)"),
        (r"(?P<n>aa|ab)\d{2,3}", r"(?P<n>a(?:a|b))\d{2,3}"),
    ],
)
def test_factor_rewrites_only_what_keeps_the_same_matches(pattern: str, factored: str) -> None:
    assert factor(pattern) == factored


@pytest.mark.parametrize("broken", ["(ab", "[ab", "ab\\", "a)b"])
def test_a_pattern_it_cannot_read_is_left_as_written(broken: str) -> None:
    assert factor(broken) == broken


def _texts() -> list[str]:
    texts = [
        cues.norm(json.loads(line)["answer"]).lower()
        for path in sorted(DATA.glob("**/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()[::4]
        if line.strip() and '"answer"' in line
    ]
    return texts + [cues.norm(build(1_500)).lower() for build in CASES.values()]


def test_every_cue_family_finds_what_it_found_before_factoring() -> None:
    texts = _texts()
    assert len(BUILT) > 80 and len(texts) > 400
    for anchored, free, built in BUILT:
        as_written = [re.compile(p, re.ASCII) if p else None for p in (anchored, free)]
        as_built = [built.anchored, built.free] if isinstance(built, Family) else [None, built]
        for text in texts:
            for before, after in zip(as_written, as_built, strict=True):
                if before is None:
                    continue
                assert after is not None
                spans = ([m.span() for m in p.finditer(text)] for p in (before, after))
                assert next(spans) == next(spans), f"{free[:80]!r} on {text[:80]!r}"

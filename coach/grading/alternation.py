"""Alternatives that share a first character are tried once for it: "(?:moved|mapped|met)" -> "m(?:oved|apped|et)".

Python's regular-expression engine tries the alternatives of a group one after another. A cue family lists
hundreds of words, so at every word of an answer it makes hundreds of attempts; on text built to hit the
deep branches ("I I I ..." reaches every "i (?:verb|verb|...)") that was most of a grade's time. Factoring
shared prefixes leaves a handful of attempts per word.

The rewrite never changes what a pattern matches, nor which match it prefers:
- only unquantified single-character atoms are factored ("a", "\\.", "[sz]", "\\b"): each matches one way or
  not at all, so "tX|tY" and "t(?:X|Y)" try the same things in the same order;
- an alternative joins an earlier one's group only past alternatives that cannot match at the same spot
  (two different literal characters); anything else (a class, a group, a quantifier, an empty branch) keeps
  its place.
Lookbehinds, inline flags and any syntax not read here are left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_QUANTIFIER = re.compile(r"(?:[?*+]|\{(?:\d+(?:,\d*)?|,\d+)\})[?+]?")
_META = set("()[]{}|?*+.^$\\")
# Groups whose inside is an ordinary pattern; other openers (lookbehind, flags, atomic) are copied as written.
_OPENERS = ("(?:", "(?=", "(?!")
_NAMED = re.compile(r"\(\?P<\w+>")


@dataclass
class _Token:
    text: str  # the atom as written, without its quantifier
    quantifier: str = ""
    inner: list[list[_Token]] | None = None  # a group's alternatives, when it is read
    opener: str = ""  # a read group's opening, e.g. "(?:"

    @property
    def factorable(self) -> bool:
        """One fixed way to match or none: a single character, a class, an escape, an assertion like \\b."""
        return not self.quantifier and self.inner is None and not self.text.startswith("(")

    @property
    def literal(self) -> bool:
        """A plain character: it excludes every other plain character."""
        if len(self.text) == 1:
            return self.text not in _META
        return len(self.text) == 2 and self.text[0] == "\\" and not self.text[1].isalnum()

    def render(self) -> str:
        if self.inner is None:
            return self.text + self.quantifier
        return f"{self.opener}{_render(self.inner)}){self.quantifier}"


def factor(pattern: str) -> str:
    """The pattern with shared prefixes of its alternatives factored out; the pattern itself if not read."""
    try:
        alternatives, end = _read(pattern, 0)
    except ValueError:
        return pattern
    if end != len(pattern):
        return pattern
    return _render(alternatives)


def _read(pattern: str, i: int) -> tuple[list[list[_Token]], int]:
    """The alternatives from i to the ")" that closes them (or the end), and where that is."""
    alternatives: list[list[_Token]] = [[]]
    while i < len(pattern) and pattern[i] != ")":
        if pattern[i] == "|":
            alternatives.append([])
            i += 1
            continue
        token, i = _atom(pattern, i)
        quantifier = _QUANTIFIER.match(pattern, i)
        if quantifier:
            token.quantifier = quantifier.group(0)
            i = quantifier.end()
        alternatives[-1].append(token)
    return alternatives, i


def _atom(pattern: str, i: int) -> tuple[_Token, int]:
    ch = pattern[i]
    if ch == "\\":
        if i + 1 >= len(pattern):
            raise ValueError("a trailing backslash")
        return _Token(pattern[i : i + 2]), i + 2
    if ch == "[":
        return _Token(pattern[i : _class_end(pattern, i)]), _class_end(pattern, i)
    if ch == "(":
        return _group(pattern, i)
    return _Token(ch), i + 1  # a "{" that opens no quantifier is a literal brace


def _class_end(pattern: str, i: int) -> int:
    """The index after the "]" that closes the class opening at i."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1  # a "]" first in a class is a character
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    if j >= len(pattern):
        raise ValueError("an unclosed class")
    return j + 1


def _group(pattern: str, i: int) -> tuple[_Token, int]:
    named = _NAMED.match(pattern, i)
    opener = named.group(0) if named else next((o for o in _OPENERS if pattern.startswith(o, i)), None)
    if opener is None and pattern.startswith("(?", i):
        end = _group_end(pattern, i)  # lookbehind, flags, atomic: copied as written
        return _Token(pattern[i:end]), end
    opener = opener or "("
    inner, j = _read(pattern, i + len(opener))
    if j >= len(pattern):
        raise ValueError("an unclosed group")
    return _Token(pattern[i : j + 1], inner=inner, opener=opener), j + 1


def _group_end(pattern: str, i: int) -> int:
    depth, j = 0, i
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            j = _class_end(pattern, j)
            continue
        depth += (ch == "(") - (ch == ")")
        j += 1
        if depth == 0:
            return j
    raise ValueError("an unclosed group")


@dataclass
class _Branch:
    """Alternatives that start with the same factorable token, or one alternative kept as it is."""

    head: _Token | None
    rests: list[list[_Token]] = field(default_factory=list)


def _render(alternatives: list[list[_Token]]) -> str:
    return "|".join(_render_sequence(seq) for seq in _factored(alternatives))


def _render_sequence(sequence: list[_Token]) -> str:
    return "".join(token.render() for token in sequence)


def _factored(alternatives: list[list[_Token]]) -> list[list[_Token]]:
    """The alternatives with shared first tokens factored out, in an order that prefers the same matches."""
    branches: list[_Branch] = []
    for sequence in _opened(alternatives):
        sequence = [_read_inside(t) for t in sequence]
        head = sequence[0] if sequence and sequence[0].factorable else None
        target = _joinable(branches, head) if head else None
        if target is None:
            branches.append(_Branch(head, [sequence[1:] if head else sequence]))
        else:
            target.rests.append(sequence[1:])
    out: list[list[_Token]] = []
    for branch in branches:
        if branch.head is None or len(branch.rests) == 1:
            out.append(([branch.head] if branch.head else []) + branch.rests[0])
            continue
        rest = _factored(branch.rests)
        if len(rest) == 1:
            out.append([branch.head, *rest[0]])
        else:
            inner = _Token("", inner=rest, opener="(?:")
            out.append([branch.head, inner])
    return out


def _plain_group(token: _Token) -> bool:
    return token.inner is not None and token.opener == "(?:" and not token.quantifier


def _opened(alternatives: list[list[_Token]]) -> list[list[_Token]]:
    """The same alternatives with plain groups opened where that changes nothing, so their words can be factored.

    "(?:X)" is X. A plain group that ends an alternative after factorable tokens only, "p(?:A|B)", is "pA|pB":
    p matches one way, so both try A first and then B.
    """
    out: list[list[_Token]] = []
    for sequence in alternatives:
        sequence = _spliced(sequence)
        last = sequence[-1] if sequence else None
        if last is not None and _plain_group(last) and all(t.factorable for t in sequence[:-1]):
            assert last.inner is not None
            out.extend(_opened([[*sequence[:-1], *alt] for alt in last.inner]))
        elif (leading := _leading_choices(sequence)) is not None:
            out.extend(_opened([[*choice, *sequence[1:]] for choice in leading]))
        else:
            out.append(sequence)
    return out


# How long the copies of an alternative's tail may grow when a leading group is opened before it.
_MAX_COPIED = 2_000


def _leading_choices(sequence: list[_Token]) -> list[list[_Token]] | None:
    """The ways a leading group may start the sequence, in the order tried, when opening it costs little.

    "(?:A|B)C" tries A then C, then B then C: it is "AC|BC". An optional group is a choice with an empty way,
    "(?:A)?C" is "AC|C", tried last when greedy and first when lazy.
    """
    first = sequence[0] if sequence else None
    if first is None or first.inner is None or first.opener != "(?:" or first.quantifier not in ("", "?", "??"):
        return None
    copied = sum(len(t.text) + len(t.quantifier) for t in sequence[1:]) * (len(first.inner) + 1)
    if copied > _MAX_COPIED:
        return None
    if first.quantifier == "?":
        return [*first.inner, []]
    if first.quantifier == "??":
        return [[], *first.inner]
    return first.inner


def _spliced(sequence: list[_Token]) -> list[_Token]:
    """The sequence with each plain group of one alternative replaced by its tokens."""
    out: list[_Token] = []
    for token in sequence:
        if _plain_group(token) and token.inner is not None and len(token.inner) == 1:
            out.extend(_spliced(token.inner[0]))
        else:
            out.append(token)
    return out


def _read_inside(token: _Token) -> _Token:
    if token.inner is None:
        return token
    return _Token(token.text, token.quantifier, _factored(token.inner), token.opener)


def _joinable(branches: list[_Branch], head: _Token) -> _Branch | None:
    """The earlier branch with this head that the alternative may join without passing one it could overlap."""
    for branch in reversed(branches):
        if branch.head is not None and branch.head.text == head.text:
            return branch
        if not (branch.head is not None and branch.head.literal and head.literal):
            return None  # it could match where this one does: its place in the order matters
    return None

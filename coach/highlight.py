"""The answer as escaped HTML with each STAR part's evidence highlighted."""

from __future__ import annotations

import html
import re

from coach.models import PARTS, Grade, PartName

COLOURS: dict[PartName, str] = {
    "situation": "#dbeafe",
    "task": "#fef3c7",
    "action": "#dcfce7",
    "result": "#fce7f3",
}


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>:])")


def escape_markdown(text: str) -> str:
    """User text made literal where Streamlit reads markdown (labels, captions): one line, specials escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def _escape(text: str) -> str:
    # Every character of the user's text is escaped: it is shown, never interpreted.
    return html.escape(text, quote=True).replace("\n", "<br>")


def evidence_runs(answer: str, grade: Grade) -> list[tuple[str, PartName | None]]:
    """The answer cut into consecutive runs, each tagged with its part or None."""
    marks: list[tuple[int, int, PartName]] = []
    for part in PARTS:
        for start, end in grade.part(part).evidence:
            start, end = max(0, start), min(len(answer), end)
            if end > start:
                marks.append((start, end, part))
    marks.sort()
    runs: list[tuple[str, PartName | None]] = []
    cursor = 0
    for start, end, part in marks:
        start = max(start, cursor)  # a grader's overlap must not duplicate text
        if end <= start:
            continue
        if start > cursor:
            runs.append((answer[cursor:start], None))
        runs.append((answer[start:end], part))
        cursor = end
    if cursor < len(answer):
        runs.append((answer[cursor:], None))
    return runs


def highlighted_html(answer: str, grade: Grade | None) -> str:
    """Safe HTML of the answer; evidence in coloured marks titled with the part."""
    if grade is None:
        return f'<div class="star-answer">{_escape(answer)}</div>'
    pieces = []
    for text, part in evidence_runs(answer, grade):
        if part is None:
            pieces.append(_escape(text))
        else:
            pieces.append(
                f'<mark data-part="{part}" title="{part.title()}" '
                f'style="background:{COLOURS[part]};padding:0 2px;border-radius:3px">'
                f"<small><b>{part[0].upper()}</b></small> {_escape(text)}</mark>"
            )
    return f'<div class="star-answer" style="line-height:1.7">{"".join(pieces)}</div>'


def legend_html() -> str:
    return " ".join(
        f'<span style="background:{COLOURS[p]};padding:0 6px;border-radius:3px">{p.title()}</span>' for p in PARTS
    )

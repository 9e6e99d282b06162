"""What the AppTest suites share: the app, starting an interview, and reading what a page shows."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def start_interview(at: AppTest, n: int) -> AppTest:
    at.number_input[0].set_value(n)
    next(b for b in at.button if b.label == "Start interview").click()
    return at.run()


def read(markdown: str) -> str:
    """Markdown as the user reads it: the escapes that keep user text or a path from being formatting
    are not seen."""
    return re.sub(r"\\(.)", r"\1", markdown)


def warnings(at: AppTest) -> str:
    return "\n".join(read(w.value) for w in at.warning)


def html_text(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))

"""Prompt templates: versioned TOML files in prompts/, validated at load, strict at render."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"


class PromptError(ValueError):
    """A template is invalid, or a variable it needs was not given."""


class PromptTemplate(BaseModel):
    """A fixed system message (the rubric), a user message with {named} variables, and a version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    description: str = ""
    system: str
    user: str

    def variables(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.user) if name}

    def render(self, **values: str) -> tuple[str, str]:
        """The system and user messages; raises PromptError on a missing or unknown variable."""
        missing, unknown = self.variables() - set(values), set(values) - self.variables()
        if missing or unknown:
            raise PromptError(f"prompt {self.version}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        # The system message is never formatted: no value reaches the rubric. Values are
        # substituted once and never re-parsed, so braces in an answer stay literal.
        return self.system.strip(), self.user.strip().format(**values)


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    path = directory / f"{name}.toml"
    try:
        return PromptTemplate.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise PromptError(f"{path.name}: {exc}") from exc

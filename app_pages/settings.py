"""Settings: what the app is configured with (never the API key itself)."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from coach.config import redact_url

settings = ui.settings()
st.title("Settings")
for problem in settings.problems:
    st.warning(problem)
st.subheader("Grader")
st.write("Rule-based grader (offline, deterministic): grades every answer on this machine.")
st.caption(
    "LLM grading through OpenAI or a local OpenAI-compatible server is planned; "
    "until then every grade comes from the rule-based grader."
)
st.subheader("Configuration")
rows = {
    "Database": str(settings.db_path),
    "Model (STAR_COACH_MODEL)": settings.model,
    "LLM server (OPENAI_BASE_URL)": redact_url(settings.openai_base_url) if settings.openai_base_url else "OpenAI",
    "API key (OPENAI_API_KEY)": "set" if settings.openai_api_key else "not set",
    "LLM timeout (STAR_COACH_LLM_TIMEOUT)": f"{settings.llm_timeout:g} s",
}
st.table({"Setting": list(rows), "Value": list(rows.values())})
st.caption("Set these as environment variables or in .streamlit/secrets.toml; see the README.")

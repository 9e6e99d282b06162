"""Settings: which grader is active and how it is configured (never the API key itself)."""

from __future__ import annotations

import streamlit as st

from app_pages import ui, voice
from coach.config import redact_url
from coach.history import MAX_BACKUP_BYTES, RestoreError

settings = ui.settings()
st.title("Settings")
for problem in settings.problems:
    # A problem can quote a path or a setting's value: shown as text, never as Markdown.
    st.warning(ui.plain(problem))

st.subheader("Grader")
server = redact_url(settings.openai_base_url) if settings.openai_base_url else "OpenAI (api.openai.com)"
if settings.llm_problem:
    server = "not usable (see the warning above)"
    st.write(
        "**Rule-based grader**: the LLM's settings cannot be used (see the warning above), so every answer is "
        "graded on this machine, and each grade says why."
    )
elif settings.llm_configured:
    st.write(f"**LLM grader**: model `{ui.plain(settings.model)}` on {ui.plain(server)}.")
    st.caption(
        "If the LLM cannot grade an answer (no connection, timeout, an error or an unusable reply), the "
        "rule-based grader grades it and the page says why. Only the question and your answer are sent."
    )
    if st.button("Test connection", icon=":material/network_check:"):
        from coach.grading.llm import check_connection  # imports openai only when asked

        with st.spinner("Asking the server..."):
            report = check_connection(settings)
        (st.success if report.ok else st.error)("Connection works." if report.ok else "Connection failed.")
        ui.show_list(report.lines)
else:
    st.write("**Rule-based grader** (offline, deterministic): every answer is graded on this machine.")
    st.caption(
        "To grade with an LLM, set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL for a local OpenAI-compatible "
        "server such as Ollama, vLLM, LM Studio or llama.cpp (no key needed), and STAR_COACH_MODEL."
    )

st.subheader("Voice answers")
status, _transcriber = ui.voice()
if status.available:
    st.write(ui.plain(status.reason))
    st.caption(
        "On Practice, press the microphone to answer aloud; the transcript is shown for you to correct before "
        "it is graded. Recordings are sent nowhere unless STAR_COACH_TRANSCRIBE_MODEL names a server model."
    )
else:
    st.info(ui.plain(status.reason))
voice.recordings_settings()

st.subheader("Configuration")
rows = {
    "Database": str(settings.db_path),
    "Model (STAR_COACH_MODEL)": settings.model,
    "LLM server (OPENAI_BASE_URL)": server,
    "API key (OPENAI_API_KEY)": "set" if settings.openai_api_key else "not set",
    "LLM timeout (STAR_COACH_LLM_TIMEOUT)": f"{settings.llm_timeout:g} s",
    "Local speech model (STAR_COACH_WHISPER_MODEL)": settings.whisper_model or "the bundled tiny.en",
    "Server speech model (STAR_COACH_TRANSCRIBE_MODEL)": settings.transcribe_model or "none: transcribed here",
}
st.table({"Setting": list(rows), "Value": list(rows.values())})
st.caption(
    "Set these as environment variables or in .streamlit/secrets.toml (see the README). A change to secrets.toml "
    "applies at your next click or page load; a change to an environment variable (which wins) needs a restart."
)

st.subheader("Your data")
st.write(
    "Download a full backup from the History page. To move to another machine, restore it here into an empty "
    "database (a new `STAR_COACH_DB`, or before your first interview)."
)
limit_mb = MAX_BACKUP_BYTES // 1_000_000
backup_file = st.file_uploader(
    "Restore a backup (JSON)",
    type=["json"],
    max_upload_size=limit_mb,
    help=f"Backups up to {limit_mb} MB (about 40,000 answers) restore here; "
    "a bigger one with `python -m coach restore FILE`.",
)
if backup_file is not None and st.button("Restore", type="primary"):
    try:
        counts = ui.history().restore_json(backup_file.getvalue())
    except RestoreError as exc:
        # The reason may quote the file (a migration or column name): shown as text, never as Markdown.
        st.error(f"Nothing was restored: {ui.plain(str(exc))}")
    else:
        st.success("Restored " + ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items()) + ".")

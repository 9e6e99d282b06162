"""A page for the answer clock's browser test: the clock, its target, and how many times the script ran.

`?target_s=N` fixes the target at N seconds (so a test need not wait minutes); without it the picker sets it.
"""

import streamlit as st

from app_pages.timer import answer_clock, estimated_time_caption, target_choice

st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.session_state.setdefault("question", 1)
st.write(f"Script runs: {st.session_state['runs']}")
st.write(f"Question {st.session_state['question']}")

fixed = st.query_params.get("target_s")
target = (int(fixed) or None) if fixed is not None else target_choice("answer_target")
answer_clock(target, f"question-{st.session_state['question']}")
st.caption(estimated_time_caption("I re-slotted look-alike SKUs and errors fell to 1.1% within ten weeks."))

st.button("Rerun")
if st.button("Next question"):
    st.session_state["question"] += 1
    st.rerun()

"""STAR guide: what each part is for, weak and strong examples, common mistakes, and case questions."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from coach.guide import CASE_MAPPING, GENERAL_TIPS, MISTAKES, PARTS_GUIDE
from coach.highlight import COLOURS
from coach.models import ADVICE_CODES

st.title("The STAR method")
st.write(
    "Interviewers for operations roles ask behavioural questions (“tell me about a time...”) to hear "
    "how you work. STAR gives every answer the same four parts, so the interviewer hears a problem, your part "
    "in it, what you did and what changed. A good answer runs 150-300 words, about two minutes spoken."
)

for guide in PARTS_GUIDE:
    colour = COLOURS[guide.part]
    st.html(f"<h3 style='background:{colour};padding:0.2em 0.5em;border-radius:4px'>{guide.part.title()}</h3>")
    st.write(guide.purpose)
    weak, strong = st.columns(2)
    with weak:
        st.markdown("**Weak**")
        ui.show_text(guide.weak)
    with strong:
        st.markdown("**Strong**")
        ui.show_text(guide.strong)
    st.caption(guide.why)

st.header("Case questions")
st.write(
    "A case question gives you a situation and asks what you would do. STAR still fits; each part answers a "
    "different need:"
)
st.table(
    [{"STAR part": part.title(), "In a case answer": name, "What to say": say} for part, name, say in CASE_MAPPING]
)
st.write("“I would” is right in a case answer; in a behavioural one, tell what you did.")

st.header("Common mistakes, and what our advice says about them")
st.write("Each piece of advice STAR Coach gives names one of these. Your tip on the Practice page comes from here.")
rows = [
    {"Part": ADVICE_CODES[code].title(), "Mistake": title, "What to do": fix} for code, (title, fix) in MISTAKES.items()
]
st.dataframe(rows, hide_index=True, width="stretch")

st.header("Tips")
ui.show_list(list(GENERAL_TIPS))

"""STAR Coach: page config and navigation; each page lives in app_pages/."""

import streamlit as st

st.set_page_config(page_title="STAR Coach", page_icon="⭐", layout="centered")

pages = [
    st.Page("app_pages/practice.py", title="Practice", icon="🎤", default=True),
    st.Page("app_pages/history.py", title="History", icon="📜"),
    st.Page("app_pages/question_bank.py", title="Question bank", icon="📚"),
    st.Page("app_pages/settings.py", title="Settings", icon="⚙️"),
]
st.navigation(pages).run()

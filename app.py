"""STAR Coach: page config and navigation; each page lives in app_pages/."""

import streamlit as st

st.set_page_config(page_title="STAR Coach", page_icon=":material/star:", layout="centered")

pages = [
    st.Page("app_pages/practice.py", title="Practice", icon=":material/record_voice_over:", default=True),
    st.Page("app_pages/history.py", title="History", icon=":material/history:"),
    st.Page("app_pages/question_bank.py", title="Question bank", icon=":material/library_books:"),
    st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"),
]
st.navigation(pages).run()

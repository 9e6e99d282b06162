"""STAR Coach: page config and navigation; each page lives in app_pages/."""

from pathlib import Path

import streamlit as st

from app_pages import ui

# A local image: a ":material/...:" page icon makes every browser fetch the favicon from a Google host.
st.set_page_config(page_title="STAR Coach", page_icon=str(Path(__file__).parent / "app_pages" / "star.png"))

# .streamlit/config.toml (read beside app.py and in the working directory) binds to loopback; a
# --server.address or STREAMLIT_SERVER_ADDRESS given at start-up overrides it. Say so plainly.
if st.get_option("server.address") not in ("127.0.0.1", "localhost", "::1"):
    st.warning(
        "STAR Coach is reachable from other machines on this network (server.address is "
        f"{st.get_option('server.address') or 'every interface'}). There is no login: start it without "
        "overriding server.address to keep it on this machine, or see the README's 'Exposing the app'."
    )

pages = [
    st.Page("app_pages/practice.py", title="Practice", icon=":material/record_voice_over:", default=True),
    st.Page("app_pages/job.py", title="Practise for a job", icon=":material/work:"),
    st.Page("app_pages/history.py", title="History", icon=":material/history:"),
    st.Page("app_pages/progress.py", title="Progress", icon=":material/trending_up:"),
    st.Page("app_pages/stories.py", title="Stories", icon=":material/auto_stories:"),
    st.Page("app_pages/question_bank.py", title="Question bank", icon=":material/library_books:"),
    st.Page("app_pages/guide.py", title="STAR guide", icon=":material/menu_book:"),
    st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"),
]
page = st.navigation(pages)
# A database that cannot be used (a folder, another program's file) or only read is said on every page;
# only Settings, which shows the path, opens without one.
problem = ui.service().database_problem()
if problem is not None:
    (st.warning if problem.usable else st.error)(ui.plain(problem.message))
    if not problem.usable and page.title != "Settings":
        st.stop()
page.run()

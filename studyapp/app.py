"""The studyapp router: builds the navigation and runs the chosen page.

Streamlit runs this file; ``run()`` holds the work so a test can import it.
Page files live in ``views/`` (not ``pages/``, which Streamlit would auto-discover).
"""

from __future__ import annotations

import streamlit as st

from studyapp.lab import heavy
from studyapp.ui import context, nav, style


def pages() -> list:
    """Every page of the app, in sidebar order."""
    return [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("views/review.py", title="Review", icon=":material/bolt:"),
        st.Page("views/unit.py", title="Unit", icon=":material/menu_book:", url_path="unit"),
        st.Page("views/search.py", title="Search", icon=":material/search:", url_path="search"),
        *(st.Page(p.view, title=p.title, icon=p.icon, url_path=p.url_path) for p in nav.LAB_PANELS),
    ]


def run() -> None:
    st.set_page_config(page_title="studyapp · LoRA & QLoRA", page_icon="🧠", layout="wide")
    style.apply()
    heavy.start_warm_up()  # the Lab's imports, in the background, once per served process (issue 9)
    # Our own sidebar (nav.sidebar) lists the units under the pages, so Streamlit's is hidden.
    page = st.navigation(pages(), position="hidden")
    nav.sidebar(context.course())
    page.run()


run()

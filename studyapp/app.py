"""The studyapp router: the sign-in gate, the navigation, and the chosen page.

Streamlit runs this file; ``run()`` holds the work so a test can import it.
Page files live in ``views/`` (not ``pages/``, which Streamlit would auto-discover).
"""

from __future__ import annotations

import streamlit as st

from studyapp.lab import heavy
from studyapp.ui import context, nav, style


def pages(signs_in: bool = False) -> list:
    """Every page of the app, in sidebar order (the account pages only where students sign in)."""
    found = [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("views/review.py", title="Review", icon=":material/bolt:"),
        st.Page("views/unit.py", title="Unit", icon=":material/menu_book:", url_path="unit"),
        st.Page("views/search.py", title="Search", icon=":material/search:", url_path="search"),
        st.Page("views/buddy.py", title="Study buddy", icon=":material/support_agent:", url_path="buddy"),
        st.Page("views/data.py", title="Your data", icon=":material/cloud_download:", url_path="data"),
        st.Page("views/cards.py", title="Cards", icon=":material/style:", url_path="cards"),
        st.Page("views/stats.py", title="Statistics", icon=":material/monitoring:", url_path="stats"),
        st.Page("views/settings.py", title="Study settings", icon=":material/tune:", url_path="settings"),
        *(st.Page(p.view, title=p.title, icon=p.icon, url_path=p.url_path) for p in nav.LAB_PANELS),
    ]
    if signs_in:
        found += [st.Page("views/account.py", title="Account", icon=":material/manage_accounts:",
                          url_path="account"),
                  st.Page("views/class_view.py", title="Class", icon=":material/groups:", url_path="class")]
    return found


def run() -> None:
    st.set_page_config(page_title="studyapp · LoRA & QLoRA", page_icon="🧠", layout="wide")
    style.apply()
    heavy.start_warm_up()  # the Lab's imports, in the background, once per served process (issue 9)
    signs_in = context.auth_settings().signs_in
    account = None
    if signs_in:
        from studyapp.ui import identity, signin

        account = signin.gate()
        if account is None:
            st.stop()  # the gate drew the sign-in page: no other page, on any URL
    # Our own sidebar (nav.sidebar) lists the units under the pages, so Streamlit's is hidden.
    registered = pages(signs_in)
    page = st.navigation(registered, position="hidden")
    if account is not None:
        identity.destination(registered)
        identity.cookie_instruction()
    nav.sidebar(context.course())
    if account is not None:
        signin.account_menu(account)
    context.read_only_notice()
    page.run()


run()

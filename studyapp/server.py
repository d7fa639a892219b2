"""What ``studyapp run`` serves: the Streamlit app plus the sign-in cookie routes.

Streamlit finds ``app`` (an st.App) in this file and serves it with its own ASGI
server; ``app.py`` stays the script every page runs, and what AppTest runs.
"""

from pathlib import Path

import streamlit as st

from studyapp.auth.cookie_routes import routes

app = st.App(Path(__file__).with_name("app.py"), routes=routes())

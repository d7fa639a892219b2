"""Review: every due card across all units, one queue."""

from __future__ import annotations

import streamlit as st

from studyapp.ui import context
from studyapp.ui.drill import drill

course = context.course()
st.title("Review due cards")
st.caption("Cards from every unit that are due now, then today's new cards. Keys: space flips, 1–4 rate, U undoes.")
drill(course.cards, scope="all")

"""Review: the study queue across all units, in one drill."""

from __future__ import annotations

import streamlit as st

from studyapp.ui import context
from studyapp.ui.drill import drill

course = context.course()
st.title("Review due cards")
st.caption("Cards from every unit: learning cards and due reviews first, then today's new cards.")
drill(course.cards, scope="all")

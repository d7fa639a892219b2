"""Search: units, recall cards and quiz questions, by full-text search."""

from __future__ import annotations

import streamlit as st

from studyapp.core.search import KIND_LABELS, build_index, search
from studyapp.ui import context, nav

st.title("Search the course")
query = st.text_input("Search", st.query_params.get("q", ""), key="search-page-q",
                      placeholder="e.g. double quantization, lora_alpha, merge_and_unload",
                      label_visibility="collapsed")
if query != st.query_params.get("q", ""):
    st.query_params["q"] = query


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(signature: tuple):
    # The course object is already cached per content signature; the index follows it.
    return build_index(context.course())


if query.strip():
    hits = search(_index(context.course_signature()), query)
    st.caption(f"{len(hits)} result{'s' if len(hits) != 1 else ''} for “{query.strip()}”")
    if not hits:
        st.info("Nothing matches every word. Try fewer or shorter words.", icon=":material/search_off:")
    for hit in hits:
        with st.container(border=True):
            st.caption(f"{KIND_LABELS[hit.kind]} · {hit.unit_title}")
            nav.unit_link(hit.unit_slug, "Open the unit", icon=":material/menu_book:")
            st.markdown(f"**{hit.title}**")
            if hit.snippet.strip():
                st.markdown(hit.snippet)
else:
    st.caption("Search the text of every unit, every recall card and every quiz question.")

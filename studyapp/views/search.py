"""Search: units, recall cards and quiz questions, by full-text search.

The address holds the search (``?q=...&page=2``), so a result page can be linked,
reloaded and reached from the sidebar's box; the box on this page follows the address.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.core.search import KIND_LABELS, MAX_QUERY_CHARS, Hit, build_index, search_page
from studyapp.ui import context, nav

BOX, SEEN = "search-page-q", "_search-page-url-q"


def _follow_address() -> None:
    # A query that arrives in the address (the sidebar's box, a link, Back) replaces the box's text.
    wanted = st.query_params.get("q", "")
    if st.session_state.get(SEEN) != wanted:
        st.session_state[SEEN] = st.session_state[BOX] = wanted


def _typed() -> None:
    st.query_params["q"] = st.session_state[SEEN] = st.session_state[BOX]
    st.query_params.pop("page", None)  # a new query starts at its first page


def _page_number() -> int:
    raw = st.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(signature: tuple):
    # The course object is already cached per content signature; the index follows it.
    return build_index(context.course())


def _show(hit: Hit) -> None:
    with st.container(border=True):
        st.caption(f"{KIND_LABELS[hit.kind]} · {escape_markdown(hit.unit_title)}")
        st.markdown(hit.title_md)
        if hit.snippet:
            st.markdown(hit.snippet)
        params = {"unit": hit.unit_slug} | ({"section": hit.section_slug} if hit.section_slug else {})
        if not hit.section_slug:
            label = "Open the unit"
        elif hit.kind == "section":
            label = "Open this section"
        else:
            label = f"Open its section: {escape_markdown(hit.section_title)}"
        st.page_link(nav.UNIT_PAGE, label=label, icon=":material/menu_book:", query_params=params)


def _pager(query: str, page: int, pages: int) -> None:
    left, right = st.columns(2)
    if page > 1:
        left.page_link("views/search.py", label="Previous results", icon=":material/arrow_back:",
                       query_params={"q": query, "page": str(page - 1)})
    if page < pages:
        right.page_link("views/search.py", label="More results", icon=":material/arrow_forward:",
                        query_params={"q": query, "page": str(page + 1)})


st.title("Search the course")
_follow_address()
query = st.text_input("Search", key=BOX, on_change=_typed, label_visibility="collapsed",
                      placeholder="e.g. double quantization, lora_alpha, merge_and_unload")
if query.strip():
    result = search_page(_index(context.course_signature()), query, _page_number())
    shown = escape_markdown(query.strip()[:MAX_QUERY_CHARS])
    where = (f" · {result.first}–{result.last} shown, page {result.page} of {result.pages}"
             if result.pages > 1 else "")
    st.caption(f"{result.total} result{'s' if result.total != 1 else ''} for “{shown}”{where}")
    if len(query.strip()) > MAX_QUERY_CHARS:
        st.caption(f"Only the first {MAX_QUERY_CHARS} characters of the search were used.")
    if not result.hits:
        st.info("Nothing matches every word. Try fewer or shorter words.", icon=":material/search_off:")
    for hit in result.hits:
        _show(hit)
    _pager(query, result.page, result.pages)
else:
    st.caption("Search the text of every unit, every recall card and every quiz question.")

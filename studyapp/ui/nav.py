"""Links between pages, the sidebar course list, and the friendly not-found and broken-unit views."""

from __future__ import annotations

import streamlit as st

from studyapp.core.content import BrokenUnit, Course
from studyapp.lab.panels import PANELS as LAB_PANELS

UNIT_PAGE = "views/unit.py"


def unit_link(slug: str, label: str, icon: str | None = None) -> None:
    """A link to a unit's page."""
    st.page_link(UNIT_PAGE, label=label, icon=icon, query_params={"unit": slug})


def sidebar(course: Course) -> None:
    """The course list in the sidebar, on every page."""
    with st.sidebar:
        st.text_input("Search", key="sidebar-search", placeholder="Search the course", on_change=_search_submitted,
                      label_visibility="collapsed", icon=":material/search:")
        query = st.session_state.pop("_search_go", None)
        if query:
            st.switch_page("views/search.py", query_params={"q": query})
        st.page_link("views/home.py", label="Home", icon=":material/home:")
        st.page_link("views/review.py", label="Review due cards", icon=":material/bolt:")
        st.page_link("views/buddy.py", label="Study buddy", icon=":material/support_agent:")
        st.page_link("views/data.py", label="Your data", icon=":material/cloud_download:")
        st.caption("COURSE")
        for unit in course.units:
            unit_link(unit.slug, f"{unit.order}. {unit.title}")
        for broken in course.broken:
            unit_link(broken.slug, f"{broken.order}. {broken.title} (has errors)", icon=":material/warning:")
        st.caption("LORA LAB")
        for panel in LAB_PANELS:
            st.page_link(panel.view, label=panel.title, icon=panel.icon)


def _search_submitted() -> None:
    # Runs before the page: empty the box (the search page shows the query) and remember where to go.
    st.session_state["_search_go"] = st.session_state["sidebar-search"].strip()
    st.session_state["sidebar-search"] = ""


def unit_missing(course: Course, slug: str) -> None:
    """A unit slug from the URL that is not a valid unit: explain, and offer the real ones."""
    broken = course.broken_unit(slug)
    if broken is not None:
        broken_unit(broken)
        return
    st.title("Unit not found")
    what = f"There is no unit called **{slug}**." if slug else "No unit was named in the address."
    st.info(f"{what} It may have been renamed. Pick one of these:", icon=":material/explore:")
    for unit in course.units:
        unit_link(unit.slug, f"{unit.order}. {unit.title}", icon=":material/menu_book:")
    st.page_link("views/home.py", label="Back to Home", icon=":material/home:")


def broken_unit(broken: BrokenUnit) -> None:
    """A unit whose files have errors: list them for the author, keep the rest of the app working."""
    st.title(broken.title or broken.slug)
    st.error("This unit cannot be shown because its files have errors. "
             "Fix them and save: the app reloads the unit. `studyapp check` lists the same errors.", icon=":material/build:")
    st.code("\n".join(str(p) for p in broken.problems), language="text")
    st.page_link("views/home.py", label="Back to Home", icon=":material/home:")

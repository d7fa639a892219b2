"""Links between pages, the sidebar course list, and the friendly not-found and broken-unit views.

Every unit is the same page (``views/unit.py``) with another ``?unit=``, and
Streamlit marks a page link as current by its page alone, so it would mark all
six units. Each unit link therefore sits in a container keyed by its slug: the
style sheet (ui/style.py) takes Streamlit's current-page look off unit links, and
the unit page marks its own link with :func:`mark_current_unit`. Long titles end
in an ellipsis; the full title is the link's tooltip.

On a phone the sidebar lies over the page, and Streamlit leaves it open after a
link to the same page with other query values (a unit): a small script closes it
after any sidebar link is tapped, at the width where Streamlit overlays it.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core.content import BrokenUnit, Course
from studyapp.core.markdown_escape import escape_markdown
from studyapp.lab.panels import PANELS as LAB_PANELS

UNIT_PAGE = "views/unit.py"
OVERLAY_WIDTH = 768  # px: at or below this width Streamlit's sidebar covers the page (its "md" breakpoint)

_CLOSE_JS = """
export default function (component) {
  if (window.__studyappSidebarCloser) return;
  window.__studyappSidebarCloser = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('[data-testid="stSidebar"] a');
    if (!link || !window.matchMedia("(max-width: %(width)dpx)").matches) return;
    const close = () => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (sidebar && button && sidebar.getAttribute("aria-expanded") !== "false"
          && sidebar.getBoundingClientRect().right > 0) button.click();
    };
    setTimeout(close, 0);
  }, true);
}
""" % {"width": OVERLAY_WIDTH}
_closer = st.components.v2.component("studyapp_sidebar_closer", js=_CLOSE_JS)


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
        st.page_link("views/cards.py", label="Cards", icon=":material/style:")
        st.page_link("views/stats.py", label="Statistics", icon=":material/monitoring:")
        st.page_link("views/settings.py", label="Study settings", icon=":material/tune:")
        st.caption("COURSE")
        for unit in course.units:
            _sidebar_unit(unit.slug, f"{unit.order}. {unit.title}", key=unit.slug)
        # A broken unit's slug may repeat a valid one's or hold any character: key them by position.
        for i, broken in enumerate(course.broken):
            _sidebar_unit(broken.slug, f"{broken.order}. {broken.title} (has errors)",
                          icon=":material/warning:", key=f"broken-{i}")
        st.caption("LORA LAB")
        for panel in LAB_PANELS:
            st.page_link(panel.view, label=panel.title, icon=panel.icon)
        _closer(key="sidebar-closer", height=0)


def _sidebar_unit(slug: str, label: str, icon: str | None = None, *, key: str) -> None:
    with st.container(key=f"nav-unit-{key}"):
        st.page_link(UNIT_PAGE, label=label, icon=icon, query_params={"unit": slug}, help=label)


def mark_current_unit(slug: str) -> None:
    """Mark ``slug``'s sidebar link as the current page (called by the unit page)."""
    st.html(f"<style>.st-key-nav-unit-{slug} a {{ background: var(--studyapp-current-bg) !important; }}"
            f".st-key-nav-unit-{slug} a p {{ font-weight: 600 !important; }}</style>")


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
    what = f"There is no unit called **{escape_markdown(slug)}**." if slug else "No unit was named in the address."
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

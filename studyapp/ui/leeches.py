"""Home's list of leeches: cards forgotten so often that reviewing them again will not help.

Anki's advice, said here too: a leech is a sign the card needs rewriting or its
idea needs reading again. The list links to the card browser filtered to them.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core import card_control, nudges, srs
from studyapp.core.content import Course

SHOWN = 5  # leeches listed on Home; the card browser lists them all


def listing(course: Course, states: dict[str, srs.CardState], controls: dict[str, card_control.Control]) -> None:
    """Draw the student's leeches (nothing when there are none)."""
    found = [c for c in course.cards if c.key in states and states[c.key].is_leech]
    if not found:
        return
    with st.container(border=True, key="home-leeches"):
        st.markdown(f"**:material/pest_control: {nudges.plural(len(found), 'leech')}**: cards you have "
                    f"forgotten {card_control.LEECH_LAPSES} times or more. Each was suspended when it "
                    "became a leech. Rewrite it in your own words, or read its section again, then "
                    "unsuspend it.")
        titles = {u.slug: u.title for u in course.units}
        for card in found[:SHOWN]:
            status = "suspended" if controls.get(card.key, card_control.Control(card.key)).suspended \
                else "back in your reviews"
            st.markdown(f"- {card.front} · *{titles.get(card.unit_slug, card.unit_slug)}*, forgotten "
                        f"{nudges.plural(states[card.key].lapses, 'time')}, {status}")
        more = f" (all {len(found)})" if len(found) > SHOWN else ""
        st.page_link("views/cards.py", label=f"Open the leeches in Cards{more}", icon=":material/style:",
                     query_params={"show": "leeches"})

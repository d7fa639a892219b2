"""Statistics: true retention, reviews and time a day, the forecast, the calendar, card distributions."""

from __future__ import annotations

import streamlit as st

from studyapp.core import mastery, nudges, srs
from studyapp.core import stats as stats_mod
from studyapp.ui import charts, chart_style, context, guard, levels, stats_charts

COURSE = "course"
course = context.course()
store, user, now = context.store(), context.current_user(), context.now()
settings = guard.read(context.study_settings, what="your study settings")
day = context.study_day(settings)

st.title("Statistics")
st.caption("Your reviews and your cards, counted as Anki counts them. Days start at "
           f"{day.label()} (Settings).")
titles = {COURSE: "Whole course", **{u.slug: f"{u.order}. {u.title}" for u in course.units}}
scope = st.selectbox("Show", list(titles), format_func=titles.get, key="stats-scope")
keys = [c.key for c in (course.cards if scope == COURSE else course.unit(scope).cards)]
found = guard.read(lambda: stats_mod.statistics(store, user, keys, now, srs.scheduler_for(settings), day),
                   what="your statistics")

today = found.days.get(found.today, stats_mod.Day())
month = found.retention_table()[3]
with st.container(horizontal=True, key="stats-metrics", gap="medium"):
    st.metric("Reviews today", today.reviews, help="Ratings in the drill and the buddy's quiz today "
                                                   "(cramming not counted).")
    st.metric("Time today", f"{today.milliseconds / 60000:.1f} min", help="From card shown to rating, summed.")
    share = stats_mod.Retention.share(month.passed, month.total)
    st.metric("True retention, 30 days", "–" if share is None else f"{share:.1%}",
              help=f"Of {nudges.plural(month.total, 'review')} of cards in the review state in the last 30 "
                   f"days, the share you recalled. Your desired retention is {found.desired_retention:.0%}.")
    st.metric("Studied cards", f"{len(found.cards)} / {len(keys)}")
    st.metric("Mature", found.levels.get(mastery.Level.MATURE, 0), help=mastery.MASTERY_HELP)



def _cell(passed: int, total: int) -> str:
    share = stats_mod.Retention.share(passed, total)
    return "–" if share is None else f"{share:.1%} ({passed}/{total})"


def retention_tab() -> None:
    st.caption("Among reviews of cards in the review state (not new, not in learning steps): the share you "
               "recalled (Hard, Good or Easy). Young and mature by the card's stability before the review "
               f"(mature: {mastery.MATURE_STABILITY_DAYS:g} days or more).")
    st.dataframe([{"period": r.label, "young": _cell(r.young_passed, r.young),
                   "mature": _cell(r.mature_passed, r.mature), "all": _cell(r.passed, r.total)}
                  for r in found.retention_table()], hide_index=True, key="stats-retention-table")
    grouping = st.segmented_control("Per", stats_mod.GROUPINGS, default="week", key="stats-grouping") or "week"
    chart_style.show(stats_charts.retention_figure(found.retention_series(grouping), found.desired_retention,
                                                   grouping), key="stats-retention")


def reviews_tab() -> None:
    chart_style.show(stats_charts.reviews_figure(found.days, found.today), key="stats-reviews")
    chart_style.show(stats_charts.time_figure(found.days, found.today), key="stats-time")


def future_tab() -> None:
    chart_style.show(charts.forecast_figure(found.forecast), key="stats-forecast")
    chart_style.show(charts.calendar_figure(stats_mod.activity(found), found.today, weeks=26, noun="review",
                                            title="Reviews a day (cram answers included), 26 weeks"),
                     key="stats-calendar")


def cards_tab() -> None:
    levels.bar(found.levels, key="stats")
    chart_style.show(stats_charts.stability_figure([c.stability for c in found.cards]), key="stats-stability")
    chart_style.show(stats_charts.difficulty_figure([c.difficulty for c in found.cards]), key="stats-difficulty")
    chart_style.show(stats_charts.retrievability_figure([c.retrievability for c in found.cards]),
                     key="stats-retrievability")


# Only the open tab is drawn (each figure costs about 20 ms on the server): a tab switch reruns.
TABS = {"True retention": retention_tab, "Reviews and time": reviews_tab, "Forecast and calendar": future_tab,
        "Your cards": cards_tab}
for tab, draw in zip(st.tabs(list(TABS), key="stats-tabs", on_change="rerun"), TABS.values()):
    if tab.open:
        with tab:
            draw()

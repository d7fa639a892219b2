"""Study settings: desired retention and the workload it implies, daily limits, steps, your day;
and "Optimize my scheduler" (FSRS parameters fitted to your reviews)."""

from __future__ import annotations

import zoneinfo
from dataclasses import fields, replace

import streamlit as st

from studyapp.core import nudges, optimizer, reschedule, workload
from studyapp.core import study_settings as settings_mod
from studyapp.core.study_day import zone_label
from studyapp.ui import context, guard, stats_charts
from studyapp.ui import chart_style

SLOT, FIT_SLOT = "settings", "settings-optimizer"
META = {f.name: f.metadata for f in fields(settings_mod.StudySettings)}
course = context.course()
store, user, now = context.store(), context.current_user(), context.now()
base = settings_mod.defaults(context.new_cards_per_day())
saved, dropped = guard.read(lambda: settings_mod.load_checked(store, user, base), what="your study settings")
browser_zone = st.context.timezone

st.title("Study settings")
st.caption("Your own deck options, as in Anki: they change only your schedule, never another student's.")
for line in dropped:
    st.warning(line, icon=":material/warning:")
guard.pending(SLOT)
if "settings-saved" in st.session_state:
    st.success(st.session_state.pop("settings-saved"), icon=":material/check_circle:")


def _slider(name: str, step: float):
    meta = META[name]
    return st.slider(meta["label"], meta["min"], meta["max"], getattr(saved, name), step, key=f"settings-{name}",
                     help=meta["help"])


def _number(name: str):
    meta = META[name]
    return st.number_input(meta["label"], meta["min"], meta["max"], getattr(saved, name), 1,
                           key=f"settings-{name}", help=meta["help"])


def _steps(name: str):
    return st.text_input(META[name]["label"], settings_mod.format_steps(getattr(saved, name)),
                         key=f"settings-{name}", help=META[name]["help"])


st.subheader("Memory", anchor=False)
_slider("desired_retention", 0.01)
workload_box = st.container(key="settings-workload")
st.subheader("Daily limits", anchor=False)
with st.container(horizontal=True, gap="medium"):
    _number("new_per_day")
    _number("max_reviews_per_day")
st.subheader("Steps", anchor=False)
with st.container(horizontal=True, gap="medium"):
    _steps("learning_steps")
    _steps("relearning_steps")
st.subheader("Your day", anchor=False)
zones = ["", *sorted(zoneinfo.available_timezones())]
with st.container(horizontal=True, gap="medium"):
    st.selectbox(META["time_zone"]["label"], zones, zones.index(saved.time_zone) if saved.time_zone in zones else 0,
                 format_func=lambda z: z or f"Your browser's ({browser_zone or 'none reported: UTC'})",
                 key="settings-time_zone", help=META["time_zone"]["help"])
    st.selectbox(META["day_start_hour"]["label"], list(range(24)), saved.day_start_hour,
                 format_func=lambda h: f"{h:02d}:00", key="settings-day_start_hour", help=META["day_start_hour"]["help"])


def _candidate() -> settings_mod.StudySettings:
    """The settings as the widgets now say (not saved yet). Raises SettingsError for unreadable steps."""
    ss = st.session_state
    return replace(saved, desired_retention=round(ss["settings-desired_retention"], 2),
                   new_per_day=int(ss["settings-new_per_day"]),
                   max_reviews_per_day=int(ss["settings-max_reviews_per_day"]),
                   learning_steps=settings_mod.parse_steps(ss["settings-learning_steps"]),
                   relearning_steps=settings_mod.parse_steps(ss["settings-relearning_steps"]),
                   time_zone=ss["settings-time_zone"], day_start_hour=int(ss["settings-day_start_hour"]))


def _save() -> None:
    try:
        chosen = _candidate().checked()
    except settings_mod.SettingsError as exc:
        st.session_state["settings-problems"] = exc.problems
        return
    st.session_state.pop("settings-problems", None)
    moved = guard.action(SLOT, lambda: reschedule.save_settings(
        store, user, chosen, context.now(), reschedule_cards=st.session_state["settings-reschedule"]),
        headline="Your settings were not saved.", then="Press Save again to retry.")
    if moved is not guard.FAILED:
        st.session_state["settings-saved"] = "Saved." + (
            f" {nudges.plural(moved, 'card')} rescheduled with them." if moved else
            " They apply from each card's next review.")


st.checkbox("Also reschedule my cards now", key="settings-reschedule",
            help="Recompute every card's next due date from its review history with these settings (Anki's "
                 "“Reschedule cards on change”). Off: the new retention and steps apply from each card's "
                 "next review.")
for problem in st.session_state.get("settings-problems", []):
    st.error(problem, icon=":material/block:")
st.button("Save settings", key="settings-save", type="primary", on_click=_save)

try:
    chosen = _candidate()
except settings_mod.SettingsError:
    chosen = replace(saved, desired_retention=round(st.session_state["settings-desired_retention"], 2))
keys = [c.key for c in course.cards]
day = context.study_day(saved)
with workload_box:
    estimate = guard.read(lambda: workload.for_student(store, user, keys, chosen, now, day),
                          what="your workload", fallback=None)
    current = (estimate if chosen.desired_retention == saved.desired_retention else
               guard.read(lambda: workload.for_student(store, user, keys, saved, now, day),
                          what="your workload", fallback=None))
    if estimate is not None:
        st.markdown(f"**Workload at {chosen.desired_retention:.2f}: about {estimate.mean:.1f} reviews a day** "
                    f"over the next {workload.HORIZON_DAYS} days (busiest day {estimate.peak:.0f})"
                    + (f"; at your saved {saved.desired_retention:.2f}: {current.mean:.1f}."
                       if current is not estimate and current is not None else "."))
        st.caption(f"Simulated from your {nudges.plural(estimate.cards, 'studied card')} and "
                   f"{nudges.plural(estimate.new_cards, 'new card')} to come, averaged over "
                   f"{nudges.plural(estimate.runs, 'run')}. {workload.ASSUMPTIONS}")
        chart_style.show(stats_charts.workload_figure(estimate, current, day.today(now)), key="settings-workload-chart")

st.subheader("Optimize my scheduler", anchor=False)
st.caption("FSRS's default parameters come from many people's reviews. With enough of your own, the "
           "optimizer fits them to your memory; the new ones are saved only if they predict your reviews "
           "better, and then your cards are rescheduled with them.")
guard.pending(FIT_SLOT)
if "settings-fit-problem" in st.session_state:
    st.error(st.session_state.pop("settings-fit-problem"), icon=":material/block:")
counted = guard.read(lambda: optimizer.count_reviews(store, user), what="your review history", fallback=None)
if counted is not None and counted < optimizer.MIN_REVIEWS:
    st.info(str(optimizer.NotEnoughReviews(counted)), icon=":material/hourglass_top:")
if st.button("Optimize my scheduler", key="settings-optimize", icon=":material/auto_fix_high:",
             disabled=counted is None or counted < optimizer.MIN_REVIEWS):
    with st.spinner(f"Fitting FSRS to your {counted} reviews (a few seconds, about a minute for 5,000)…"):
        try:
            guard.action(FIT_SLOT, lambda: optimizer.optimize(store, user, base, context.now()),
                         headline="Your scheduler was not optimized.", then="Press the button again to retry.")
        except optimizer.NotEnoughReviews as exc:  # reviews undone in another tab since the page was drawn
            st.session_state["settings-fit-problem"] = str(exc)
    st.rerun()  # draw the page again from the saved result: parameters, rescheduled cards, workload
last = guard.read(lambda: optimizer.latest_run(store, user), what="your last optimization", fallback=None)
if last:
    kept = last["log_loss_after"] < last["log_loss_before"]
    st.markdown(f"**Last run** {last['ran_at'][:16].replace('T', ' ')} UTC, on {last['reviews']} reviews: "
                + ("the new parameters predict your reviews better, so they are saved and your cards were "
                   "rescheduled." if kept else
                   "the new parameters did not predict your reviews better, so your parameters were kept."))
    with st.container(horizontal=True, key="settings-fit", gap="medium"):
        st.metric("Log loss", f"{last['log_loss_after']:.4f}", f"{last['log_loss_after'] - last['log_loss_before']:+.4f}",
                  delta_color="inverse", help=f"Before: {last['log_loss_before']:.4f}. How surprised the model is "
                  "by what you recalled and forgot (mean cross-entropy, lower is better).")
        st.metric("RMSE (bins)", f"{last['rmse_after']:.1%}", f"{(last['rmse_after'] - last['rmse_before']) * 100:+.1f} pts",
                  delta_color="inverse", help=f"Before: {last['rmse_before']:.1%}. How far predicted recall is from "
                  "the recall that happened, over reviews grouped by prediction (lower is better).")
st.caption(f"Parameters in use: {'fitted to your reviews' if saved.parameters else 'FSRS defaults'} · "
           f"your days start at {day.label()} ({zone_label(day.zone)}).")

"""Heavy Lab work from a page: submit a job, show the student's place in the queue and the
job's progress while it runs, then hand back its result; every failure is told the one
way lab_errors tells it.

A page's job lives in session state under the page's key, so a rerun (a widget change, a
click on Stop) finds it again instead of starting another. The owner passed to the job
runner is ``context.current_user()``: a student sees their own job only, and of the
others just how many are ahead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from studyapp.lab.jobs import JobNotFound, JobStatus, Task, get_jobs
from studyapp.ui import context, lab_errors

POLL_SECONDS = 0.25  # how often a waiting page redraws its progress
Draw = Callable[[JobStatus], None]


def _key(name: str) -> str:
    return f"lab-job-{name}"


def start(name: str, task: Task) -> None:
    """Submit `task` as this page's job `name`, unless the previous one is still running."""
    current = status(name)
    if current is not None and not current.finished:
        st.info("Your previous run is still going; it is shown below.", icon=":material/hourglass_top:")
        return
    st.session_state[_key(name)] = get_jobs().submit(task, owner=context.current_user())


def status(name: str) -> JobStatus | None:
    """This page's job `name` as its owner sees it, or None when there is none (or it was forgotten)."""
    job_id = st.session_state.get(_key(name))
    if job_id is None:
        return None
    try:
        return get_jobs().status(job_id, owner=context.current_user())
    except JobNotFound:
        st.session_state.pop(_key(name), None)
        return None


def cancel(name: str) -> None:
    """Ask this page's job `name` to stop (a fine-tune stops and still checks what it trained)."""
    job_id = st.session_state.get(_key(name))
    if job_id is not None:
        try:
            get_jobs().cancel(job_id, owner=context.current_user())
        except JobNotFound:
            st.session_state.pop(_key(name), None)


def follow(name: str, draw: Draw | None = None) -> Any | None:
    """Show job `name` until it finishes (queue place, progress bar, `draw(status)` for its
    partial result), then return its result; None when there is no job or it failed (told)."""
    current = status(name)
    if current is None:
        return None
    slot = st.empty()
    while not current.finished:
        with slot.container():
            _waiting(current, draw)
        time.sleep(POLL_SECONDS)
        current = status(name)
        if current is None:
            return None
    slot.empty()
    if draw is not None and current.partial is not None and current.state != "done":
        draw(current)  # what a failed job got done, such as the loss curve so far
    return _outcome(name, current)


def _waiting(current: JobStatus, draw: Draw | None) -> None:
    if current.state in ("preparing", "queued") and current.ahead:
        ahead = f"{current.ahead} job{'s' if current.ahead != 1 else ''}"
        st.info(f"Your {current.label.lower()} is waiting: {ahead} ahead of yours in this server's Lab "
                "queue. It starts by itself; you can leave this page open.", icon=":material/hourglass_top:")
    elif current.progress is not None:
        text = current.progress.text + (" · stopping…" if current.cancel_requested else "")
        st.progress(current.progress.fraction, text=f"{current.label}: {text}")
    else:
        st.progress(0.0, text=f"{current.label}: starting…")
    if draw is not None and current.partial is not None:
        draw(current)


def _outcome(name: str, current: JobStatus) -> Any | None:
    if current.state == "done":
        try:
            return get_jobs().result(current.id, owner=context.current_user())
        except JobNotFound:
            return None
    lab_errors.show_job(current)
    return None

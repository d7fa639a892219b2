"""Every Lab page tells a problem the same way: what went wrong, in one sentence, and what
to do; never a traceback. Settings problems, targets that match nothing, a job that was
refused, ran out of memory, was cancelled or died, and anything unexpected all go through
:func:`show`. What a student or a link typed is quoted in these messages, so every message
is escaped: it shows as typed, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.lab.device import GateError
from studyapp.lab.jobs import JobStatus
from studyapp.lab.settings import LoraSettings, LoraSettingsError
from studyapp.lab.wrap import TargetsNotFoundError

_STATE_ICONS = {"cancelled": ":material/stop_circle:", "refused": ":material/memory:",
                "out_of_memory": ":material/memory:", "dead": ":material/heart_broken:"}


def show(err: BaseException, what: str = "The Lab") -> None:
    """Tell the student what went wrong with `what`, and what to do."""
    if isinstance(err, LoraSettingsError):
        for problem in err.problems:
            st.error(escape_markdown(problem), icon=":material/tune:")
    elif isinstance(err, TargetsNotFoundError):
        st.error(f"**peft says:** {escape_markdown(err.peft_message)}", icon=":material/block:")
        st.info("This model's linear layers are named: " + ", ".join(f"`{n}`" for n in err.available)
                + ". Put some of these in target_modules, or use `all-linear`.", icon=":material/lightbulb:")
    elif isinstance(err, GateError):
        st.error(f"**{escape_markdown(what)} could not run.** {escape_markdown(str(err))} Nothing else was "
                 "affected.", icon=":material/memory:")
    else:
        st.error(f"**{escape_markdown(what)} could not finish:** {type(err).__name__}: "
                 f"{escape_markdown(str(err))}. Nothing else was affected; try other settings, or try again.",
                 icon=":material/error:")


def show_job(status: JobStatus) -> None:
    """Tell the student why their job ended without a result."""
    if status.state == "failed" and status.error is not None:
        show(status.error, status.label)
        return
    st.error(f"**{escape_markdown(status.message)}** Nothing else was affected; try a smaller setting, "
             "or try again.", icon=_STATE_ICONS.get(status.state, ":material/error:"))


def settings_ok(settings: LoraSettings) -> bool:
    """Show each invalid setting with its fix; True when there were none."""
    problems = settings.validate()
    if problems:
        show(LoraSettingsError(problems))
    return not problems


@contextmanager
def guard(what: str = "The Lab") -> Iterator[None]:
    """Run a page's Lab call; on any error, tell it (see show) and end the page there."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 - the student gets a sentence, the server keeps serving
        show(err, what)
        st.stop()

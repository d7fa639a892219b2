"""Your data: take your cards to Anki, your notes as Markdown, a full backup; restore a backup."""

from __future__ import annotations

import streamlit as st

from studyapp.core.data.backup import BackupError, read_backup
from studyapp.core.data.exports import KINDS, export_bytes
from studyapp.core.data.restore import restore_backup
from studyapp.ui import context, guard

TITLES = {"anki": ("Anki package", ":material/style:"),
          "notes": ("Notes as Markdown", ":material/description:"),
          "backup": ("Full backup", ":material/inventory_2:")}

store, course, user = context.store(), context.course(), context.current_user()
st.title("Your data")
st.caption("Everything you did here is yours: take your cards to Anki with their schedule, your notes "
           "as Markdown, or a full backup to restore here or on another studyapp server.")


def _prepare(kind: str) -> None:
    # Made on request (an Anki package takes a moment), kept per student for the download button.
    now = context.now()
    made = guard.action(f"data-{kind}", lambda: export_bytes(kind, store, course, user, now),
                        headline="The export was not made.", then="Press Prepare again.")
    if made is not guard.FAILED:
        st.session_state[f"data-export:{kind}:{user}"] = (made, now)


for column, (kind, (what, file_name, mime)) in zip(st.columns(3), KINDS.items()):
    title, icon = TITLES[kind]
    with column.container(border=True):
        st.markdown(f"**{title}**")
        st.caption(what[0].upper() + what[1:] + ".")
        ready = st.session_state.get(f"data-export:{kind}:{user}")
        if ready is not None:
            st.download_button(f"Download {file_name}", ready[0], file_name=file_name, mime=mime,
                               key=f"data-download-{kind}", icon=":material/download:", type="primary",
                               on_click="ignore")
            st.caption(f"{len(ready[0]):,} bytes, made at {ready[1]:%H:%M} UTC.")
        st.button("Prepare again" if ready else "Prepare", key=f"data-prepare-{kind}", icon=icon,
                  on_click=_prepare, args=(kind,), type="tertiary" if ready else "secondary")
        guard.pending(f"data-{kind}")

st.subheader("Restore a backup")
st.caption("The file is checked first: a damaged file, another student's, or one from a newer studyapp is "
           "refused and nothing changes. Then it is merged: newer reviews and notes are never overwritten "
           "(an older note text is kept as a revision), and restoring the same file twice changes nothing.")
upload = st.file_uploader("Backup file (.json)", type=["json"], key="data-restore-file")
if upload is not None:
    try:
        backup = guard.read(lambda: read_backup(upload.getvalue(), store, user), what="the backup file")
    except BackupError as exc:
        st.error(str(exc), icon=":material/block:")
        st.stop()
    st.info(f"A backup of yours from {backup.created_at[:16].replace('T', ' ')} UTC holding "
            f"{backup.row_count:,} rows.", icon=":material/inventory_2:")
    if st.button("Restore this backup", key="data-restore", type="primary"):
        try:
            report = guard.action("data-restore", lambda: restore_backup(store, backup),
                                  headline="The backup was not restored.", then="Nothing was changed; try again.")
        except BackupError as exc:
            st.error(str(exc), icon=":material/block:")
        else:
            guard.pending("data-restore")
            if report is not guard.FAILED:
                title = "**Restored.**" if report.changed else "**Nothing to restore.**"
                st.success("\n".join([title, *(f"- {line}" for line in report.lines())]),
                           icon=":material/check_circle:")

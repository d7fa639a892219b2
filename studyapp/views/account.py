"""Account: the student's display name and password."""

from __future__ import annotations

import streamlit as st

from studyapp.auth import accounts, passwords
from studyapp.core.markdown_escape import escape_markdown
from studyapp.core.store import StoreError
from studyapp.ui import context, guard

store, now = context.store(), context.now()
account = accounts.get_account(store, context.current_user())
st.title("Account")
st.caption(f"Signed in as **{escape_markdown(account.username or account.display_name)}** ({account.role}).")

with st.form("display-name-form"):
    name = st.text_input("Display name", account.display_name, max_chars=accounts.MAX_DISPLAY_NAME,
                         help="How your instructor sees you.")
    if st.form_submit_button("Save the name"):
        try:
            accounts.set_display_name(store, account.id, name)
            st.success("Saved.", icon=":material/check_circle:")
        except accounts.AccountError as exc:
            st.error(str(exc), icon=":material/block:")
        except StoreError as exc:
            st.error(guard.message("Your name was not saved.", exc, "Press Save again."), icon=":material/warning:")

if account.provider != "password":
    st.info("You sign in with your school account; change your password there.", icon=":material/info:")
    st.stop()

st.subheader("Change your password")
st.caption("Changing it signs you out on every device, this one too; sign in again with the new password.")
with st.form("password-form"):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input("New password", type="password", autocomplete="new-password",
                        help=f"At least {passwords.MIN_LENGTH} characters.")
    again = st.text_input("Repeat the new password", type="password", autocomplete="new-password")
    pressed = st.form_submit_button("Change password", type="primary")
if pressed:
    if new != again:
        st.error("The two new passwords differ. Type the same password twice.", icon=":material/block:")
    else:
        try:
            accounts.change_password(store, account.id, current, new, now)
        except (accounts.AccountError, passwords.PasswordError) as exc:
            st.error(str(exc), icon=":material/block:")
        except StoreError as exc:
            st.error(guard.message("Your password was not changed.", exc, "Try again in a moment."),
                     icon=":material/warning:")
        else:
            from studyapp.ui import identity

            identity.after_password_change()
            st.rerun()

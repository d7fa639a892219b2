"""Sign-in for a class server: accounts, password hashing, sessions, throttling, roles.

Nothing here imports streamlit. The signed-in student is resolved once per page run
from the server-side session (``ui/signin.py``) and passed down as ``user_id``.
"""

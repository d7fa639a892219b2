"""A student's data, theirs to take: a full backup and its restore, their notes as Markdown, and an
Anki package of the course's cards with their schedule (issue 12.8).

One idea per module: ``backup`` (the versioned JSON file: write it, read and validate it),
``restore`` (merging a backup into the database without overwriting newer data), ``notes_zip``
(the scratchpad as Markdown files), ``anki_html`` (card Markdown and maths as Anki HTML) and
``anki`` (the .apkg). Nothing here imports streamlit; every function takes the ``user_id``.
"""

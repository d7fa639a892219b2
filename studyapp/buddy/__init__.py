"""Spooky, the study buddy: grounded answers from the course, exact numbers from the Lab, quiz-me.

Layers, one idea per module: ``passages`` cuts the course into what can be cited,
``index`` holds them in SQLite FTS5, ``semantic`` adds an optional embedding ranker,
``retrieve`` ranks sections, ``numbers`` computes figures with the Lab, ``answer``
composes what the student reads, ``history`` keeps each student's conversation,
``quiz`` runs quiz-me, ``llm`` talks to an optional OpenAI-compatible endpoint.
Nothing here imports streamlit; torch loads only inside ``semantic`` and ``numbers``.
"""

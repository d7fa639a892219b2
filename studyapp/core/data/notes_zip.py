"""The student's scratchpad notes as Markdown: one file per unit with YAML front matter, zipped.

Each file is ``NN-unit-slug.md``::

    ---
    unit: lora-basics
    title: 'LoRA: Low-Rank Adaptation Explained'
    order: 1
    updated_at: '2026-03-02T09:00:00+00:00'
    ---
    the note, exactly as typed

A note of a unit no longer in the course keeps its slug as its title and sorts last (order 0 is
never a unit's). Empty notes are left out.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import yaml

from studyapp.core.content import Course
from studyapp.core.store import Store


def note_files(store: Store, course: Course, user_id: str) -> dict[str, str]:
    """File name -> Markdown with front matter, for each non-empty note of ``user_id``.

    Raises:
        StoreError: the database could not be read.
    """
    rows = store.query("select unit_slug, text, updated_at from note where user_id = ? and text != '' "
                       "order by unit_slug", (user_id,))
    files = {}
    for row in rows:
        unit = course.unit(row["unit_slug"])
        order = unit.order if unit else 0
        front = {"unit": row["unit_slug"], "title": unit.title if unit else row["unit_slug"],
                 "order": order, "updated_at": row["updated_at"]}
        name = f"{order:02d}-{row['unit_slug']}.md" if unit else f"zz-{row['unit_slug']}.md"
        matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        files[name] = f"---\n{matter}---\n{row['text']}"
    return dict(sorted(files.items()))


def export_notes(store: Store, course: Course, user_id: str, now: datetime) -> bytes:
    """The notes of ``user_id`` as a zip of Markdown files (empty zip when they wrote none).

    Raises:
        StoreError: the database could not be read.
    """
    out = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in note_files(store, course, user_id).items():
            info = zipfile.ZipInfo(f"studyapp-notes/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return out.getvalue()

"""The course on disk: units as Markdown + YAML, loaded into dataclasses.

A unit lives in ``content/units/<order>-<slug>/`` as ``unit.md`` (YAML front matter +
Markdown body), ``claims.yaml`` (its computed numbers), ``cards.yaml`` (recall cards) and
``quiz.yaml`` (questions); ``content/course.yaml`` pins the library versions the course was
checked against. Every file is valid YAML as written; ``{{claim}}`` placeholders are filled in
after parsing. Loading never raises on a bad unit: every mistake becomes a :class:`Problem`
with the file and line, so ``studyapp check`` can list them all and the app can show one
broken unit's errors while serving every other unit.

One idea per module: ``model`` (the dataclasses), ``source`` (reading files safely),
``fields`` (typed fields), ``fill`` (claims after parsing), ``front_matter``, ``body``,
``lab_links``, ``cards``, ``questions``, ``claims_file``, ``versions``, ``unit`` and
``course`` (loading), ``migrate`` (the old format to this one).
"""

from studyapp.core.claims import Claim
from studyapp.core.content.body import read_minutes, slugify
from studyapp.core.content.catalog import LabCatalog
from studyapp.core.content.course import load_course
from studyapp.core.content.model import Block, BrokenUnit, Card, Course, Question, Section, Unit
from studyapp.core.content.unit import load_unit
from studyapp.core.problems import Problem

__all__ = ["Block", "BrokenUnit", "Card", "Claim", "Course", "LabCatalog", "Problem", "Question",
           "Section", "Unit", "load_course", "load_unit", "read_minutes", "slugify"]

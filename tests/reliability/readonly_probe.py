"""Run as a user who cannot write the database: open Home and a unit, and try to save.

Prints one JSON line with what the student saw. Used by test_read_only_database.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from apptest_helpers import open_page, texts  # noqa: E402

home = open_page()
unit = open_page("views/unit.py", unit="lora-basics")
box = next(c for c in unit.checkbox if c.key.startswith("read-lora-basics-"))
box.check().run()
print(json.dumps({"home": texts(home), "unit": texts(unit), "errors": [e.value for e in unit.error],
                  "exceptions": [str(e.value) for e in [*home.exception, *unit.exception]]}))

"""Where the tests find the project (a plain module: `conftest` names clash between folders)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

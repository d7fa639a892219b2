"""What the course may refer to in the Lab, passed in by the caller (``core/`` never imports the Lab).

``studyapp.lab.claims.catalog()`` builds the real one from ``lab/panels.py``, the model
registry and the claim functions, all without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabCatalog:
    """Lab page URL paths a unit may link to, registry models a link may preset, claim functions."""

    pages: frozenset[str] = frozenset()            # "lab-build", ... (no leading slash)
    models: frozenset[str] = frozenset()           # "llama-2-7b", ...
    claim_names: frozenset[str] = frozenset()      # names a claim's compute may use

    @classmethod
    def of(cls, pages=(), models=(), claim_names=()) -> "LabCatalog":
        """A catalog from any iterables of names."""
        return cls(frozenset(pages), frozenset(models), frozenset(claim_names))

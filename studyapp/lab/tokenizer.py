"""A tiny deterministic tokenizer for the small models: one token per UTF-8 byte.

Real tokenizers are downloads; the Lab must run offline. Byte-level ids are
enough to feed real text through a Llama-architecture model and to train on it.
"""

from __future__ import annotations

from dataclasses import dataclass

PAD_ID, BOS_ID, EOS_ID = 0, 1, 2
_OFFSET = 3  # byte b becomes id b + 3, after the three special ids


@dataclass(frozen=True)
class ByteTokenizer:
    """Byte b -> id (b + 3) mod vocab_size; ids 0, 1, 2 are pad, bos, eos."""

    vocab_size: int = 1024

    def encode(self, text: str, *, add_bos: bool = True, add_eos: bool = False) -> list[int]:
        """Token ids of `text` (UTF-8 bytes shifted past the special ids)."""
        ids = [(b + _OFFSET) % self.vocab_size for b in text.encode("utf-8")]
        return ([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else [])

    def decode(self, ids: list[int]) -> str:
        """Text of `ids`; special ids are dropped, invalid bytes replaced."""
        data = bytes(i - _OFFSET for i in ids if _OFFSET <= i < _OFFSET + 256)
        return data.decode("utf-8", errors="replace")

    def batch(self, texts: list[str], length: int):
        """LongTensor (len(texts), length) of ids, right-padded with PAD_ID or cut."""
        from studyapp.lab import heavy

        heavy.ensure()
        import torch

        rows = [(self.encode(t) + [PAD_ID] * length)[:length] for t in texts]
        return torch.tensor(rows, dtype=torch.long)  # (batch, length)

"""Greedy text from a small model: what a prompt turns into, before and after an adapter.

The small models are byte-level (lab/tokenizer), so the text is ragged where a random
model picks ids that are no byte; that is part of what a student sees.
"""

from __future__ import annotations

import warnings

SAMPLE_PROMPT = "Customer: My order has not arrived yet.\nAgent:"


def generate_text(model, tokenizer, prompt: str = SAMPLE_PROMPT, max_new_tokens: int = 48) -> str:
    """Greedy continuation of `prompt` by `model` (the new text only)."""
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    ids = torch.tensor([tokenizer.encode(prompt)], device=model.device)  # (1, seq)
    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generation-config notices for a config without one
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                             max_new_tokens=max_new_tokens, pad_token_id=0)
    return tokenizer.decode(out[0, ids.shape[1]:].tolist())  # (new tokens,) -> text


def printable(text: str) -> str:
    """`text` with control and replacement characters shown as '·', for a page or a terminal."""
    return "".join(c if c.isprintable() and c != "\ufffd" else ("\n" if c == "\n" else "·") for c in text)

"""Run a unit's code as a student would, with no network: hub ids become small local twins.

``install()`` patches ``from_pretrained`` of transformers' models and tokenizers so that a
Hub id such as ``"meta-llama/Llama-2-7b-hf"`` loads a small model of the *same
architecture* (the bundled config of the real model, shrunk) with random weights, saved
to a local folder, through the real ``from_pretrained`` with every keyword the student
passed (``quantization_config=BitsAndBytesConfig(...)``, ``dtype=``, ``device_map=``).
A local path is passed through untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

TWIN_ROOT = Path(os.environ.get("STUDYAPP_TWIN_DIR", Path(tempfile.gettempdir()) / "studyapp-twins"))
VOCAB = 512  # bytes + specials fit; small enough to keep twins tiny
SPECIALS = ["<unk>", "<s>", "</s>", "<pad>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant: {% endif %}"
)
# Families by a word in the Hub id, for ids the registry does not list (chat variants, other sizes).
FAMILIES = {"llama-3": "llama-3-8b", "llama-2": "llama-2-7b", "llama": "llama-2-7b", "mistral": "mistral-7b",
            "qwen": "qwen2.5-7b", "gemma": "gemma-2-9b", "phi": "phi-3-mini"}


def registry_name(hub_id: str) -> str:
    """The registry model whose architecture a Hub id has."""
    from studyapp.lab.registry import list_models

    for spec in list_models():
        if spec.source.lower() == hub_id.lower():
            return spec.name
    lowered = hub_id.lower().replace("meta-llama-3", "llama-3")
    for word, name in FAMILIES.items():
        if word in lowered:
            return name
    raise ValueError(f"no bundled architecture for {hub_id!r}; known families: {', '.join(FAMILIES)}")


def shrink(config: dict) -> dict:
    """The same architecture at toy size: 2 layers, hidden 64, 4 heads (GQA kept if present)."""
    heads, kv = config.get("num_attention_heads", 4), config.get("num_key_value_heads")
    small = dict(config, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 vocab_size=VOCAB, bos_token_id=1, eos_token_id=2, pad_token_id=3, torch_dtype="float32")
    small.pop("dtype", None)
    if kv is not None:
        small["num_key_value_heads"] = 4 if kv == heads else 2
    if "head_dim" in config:
        small["head_dim"] = 16
    for key in ("sliding_window", "max_window_layers"):
        if isinstance(small.get(key), int):
            small[key] = min(small[key], 4096)
    return small


def twin_dir(hub_id: str) -> Path:
    """A local folder holding the twin's config, weights and tokenizer (built once)."""
    name = registry_name(hub_id)
    folder = TWIN_ROOT / name
    if not (folder / "config.json").is_file():
        _build_twin(name, folder)
    return folder


def _build_twin(name: str, folder: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from studyapp.lab.registry import config_dict

    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "config.json").write_text(json.dumps(shrink(config_dict(name))))
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(tmp))
    model.save_pretrained(tmp)
    tiny_tokenizer().save_pretrained(tmp)
    try:
        tmp.replace(folder)  # atomic: a parallel run sees a whole twin or none
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished first


def tiny_tokenizer():
    """A real fast tokenizer (byte-level, no merges) with Llama-style specials and a chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {tok: i for i, tok in enumerate(SPECIALS + sorted(alphabet))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>",
                                        eos_token="</s>", pad_token="<pad>")
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _is_hub_id(name) -> bool:
    return isinstance(name, str) and "/" in name and not Path(name).exists() and not name.startswith((".", "/"))


def install() -> None:
    """Route Hub ids in every ``from_pretrained`` of models and tokenizers to local twins."""
    from transformers import AutoConfig, PreTrainedModel, PreTrainedTokenizerBase
    from transformers.models.auto import auto_factory, modeling_auto, tokenization_auto

    def route(original):
        def from_pretrained(cls, name, *args, **kwargs):
            return original.__func__(cls, str(twin_dir(name)) if _is_hub_id(name) else name, *args, **kwargs)
        return classmethod(from_pretrained)

    # transformers gives every Auto class its own copy of from_pretrained, so patch each one.
    autos = [c for c in vars(modeling_auto).values()
             if isinstance(c, type) and issubclass(c, auto_factory._BaseAutoModelClass)]
    for cls in [*autos, PreTrainedModel, AutoConfig, tokenization_auto.AutoTokenizer, PreTrainedTokenizerBase]:
        if "from_pretrained" in vars(cls):
            cls.from_pretrained = route(cls.from_pretrained)

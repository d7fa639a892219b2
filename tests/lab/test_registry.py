import subprocess
import sys

import pytest

from studyapp.lab import registry

# Base parameter counts of the published checkpoints (ERRATA.md and the model cards).
BASE_PARAMS = {
    "llama-2-7b": 6_738_415_616,
    "llama-3-8b": 8_030_261_248,
    "mistral-7b": 7_241_732_096,
    "llama-3.2-1b": 1_235_814_400,  # the model card's 1.23B; tied embeddings counted once
    "llama-3-70b": 70_553_706_496,
    "qwen2.5-7b": 7_615_616_512,
    "gemma-2-9b": 9_241_705_984,
    "phi-3-mini": 3_821_079_552,
    "tiny-llama": 656_000,
    "small-llama": 4_196_608,
}


def test_every_registry_model_has_a_pinned_count():
    assert registry.model_names() == list(BASE_PARAMS)


@pytest.mark.parametrize("name", list(BASE_PARAMS))
def test_build_gives_exact_parameter_count(name):
    model = registry.build_model(name)
    assert sum(p.numel() for p in model.parameters()) == BASE_PARAMS[name]
    expected = "meta" if registry.get_spec(name).kind == registry.META else "cpu"
    assert next(model.parameters()).device.type == expected


def test_small_models_are_seeded():
    a = registry.build_model("tiny-llama", seed=3)
    b = registry.build_model("tiny-llama", seed=3)
    c = registry.build_model("tiny-llama", seed=4)
    wa, wb, wc = (m.model.layers[0].self_attn.q_proj.weight for m in (a, b, c))
    assert (wa == wb).all() and not (wa == wc).all()


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="llama-2-7b"):
        registry.get_spec("llama-9")


def test_importing_the_lab_and_listing_models_stays_light():
    code = ("import sys, studyapp.lab, studyapp.lab.registry as r, studyapp.lab.settings, "
            "studyapp.lab.cli; r.list_models(); r.config_dict('llama-2-7b'); "
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'bitsandbytes') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

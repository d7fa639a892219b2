"""Build + wrap on the meta device: Llama-3-70B, all-linear, r=16 (goal: < 1.5 s after imports).

    python bench/lab_wrap.py
"""

import time


def main() -> None:
    """Print the time of each build + wrap after a warm-up import."""
    from studyapp.lab import heavy

    t0 = time.perf_counter()
    heavy.ensure()  # torch, transformers, peft, bitsandbytes: what the first Lab call pays

    from studyapp.lab.settings import LoraSettings
    from studyapp.lab.wrap import wrap_registry_model
    print(f"imports: {time.perf_counter() - t0:.2f} s")
    cases = [("llama-3-70b", LoraSettings(r=16, lora_alpha=32, target_modules="all-linear")),
             ("llama-3-70b", LoraSettings(r=16, lora_alpha=32, target_modules="all-linear")),
             ("llama-2-7b", LoraSettings(r=8, target_modules=["q_proj", "v_proj"])),
             ("llama-3-8b", LoraSettings(r=8, target_modules="all-linear", use_dora=True))]
    for name, settings in cases:
        t = time.perf_counter()
        result = wrap_registry_model(name, settings)
        print(f"{name:<12} {str(settings.target_list()):<22} r={settings.r:<3} dora={settings.use_dora!s:<5} "
              f"{time.perf_counter() - t:5.2f} s  {result.line}")


if __name__ == "__main__":
    main()

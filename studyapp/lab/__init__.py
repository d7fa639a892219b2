"""LoRA Lab: the logic behind the Lab pages and `studyapp lab ...`.

Nothing here imports streamlit. torch, transformers, peft and bitsandbytes
(about 4 s cold) are imported inside the functions that need them, so
`import studyapp.lab` and listing the registry stay light.

Modules, one idea each:
    registry   bundled model configs; build on `meta` or as small trainable models
    settings   LoraSettings: the LoraConfig fields with help text and validation
    wrap       get_peft_model + the print_trainable_parameters line + per-module table
    tokenizer  a byte-level tokenizer for the small models (no downloads)
    decompose  W, A, B, BA; singular values; d*k against r*(d+k); truncated SVD error
    memory     exact per-tensor bytes in fp32 / bf16 / int8 / NF4 / NF4+DQ; training estimate
    quantize   a real bitsandbytes quantization of a small model, bytes measured
    train      a short live LoRA fine-tune (generator of steps) and the after-training checks
    device     pick_device and the per-process admission gate
    cli        `studyapp lab models | params | memory`
"""

"""LoRA Lab: the logic behind the Lab pages and `studyapp lab ...`.

Nothing here imports streamlit. torch, transformers, peft and bitsandbytes (about 4 s
cold) are imported inside the functions that need them, after heavy.ensure(), so
`import studyapp.lab` and listing the registry stay light.

Modules, one idea each:
    settings   every setting stated once (Setting: default, range, help), frozen settings objects
    heavy      the heavy imports once behind a lock, the model-construction lock, the warm-up
    jobs       the job interface (submit, status, cancel, result); LocalJobs on the gate
    tasks      the heavy Lab work as jobs: fine-tunes, quantization, the forward pass
    registry   bundled model configs; build on `meta` or as small trainable models
    wrap       get_peft_model + the print_trainable_parameters line + per-module table
    tokenizer  a byte-level tokenizer for the small models (no downloads)
    generate   greedy text from a small model
    decompose  W, A, B, BA; singular values; d*k against r*(d+k); truncated SVD error
    learned    a trained adapter's update per layer; the bundled adapter
    memory     exact per-tensor bytes in fp32 / bf16 / int8 / NF4 / NF4+DQ; training estimate
    quantize   a real bitsandbytes quantization, bytes measured
    train      a live LoRA / QLoRA fine-tune and the checks after it
    peak       peak memory of a job (CUDA's counter, or the process's RSS, said which)
    device     pick_device and the per-process admission gate
    panels     the Lab pages, stated once (light)
    claims     what a unit's claims compute with (the content's module)
    cli        `studyapp lab models | params | memory | rank | quantize | train`
"""

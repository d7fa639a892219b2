"""The Lab's heavy work as jobs (lab/jobs.Task): fine-tunes, quantization, a forward pass.

Each function takes typed settings and returns a Task whose estimate and work run in the
job's worker. Progress is reported as the work goes (steps, formats, stages), and a
fine-tune publishes its loss history as its partial result, so a page can draw the
curve while it trains.
"""

from __future__ import annotations

from studyapp.lab.jobs import JobContext, Task
from studyapp.lab.settings import LoraSettings, QuantizeSettings, TrainSettings

FORWARD_BYTES = 50 * 2**20  # tiny-llama fp32 twice over (base and wrapped) plus activations: < 50 MiB


def train_estimate(train: TrainSettings) -> int:
    """Bytes a fine-tune declares at the gate (lab/train.fine_tune_bytes)."""
    from studyapp.lab.train import fine_tune_bytes

    return fine_tune_bytes(train)


def train_task(train: TrainSettings, lora: LoraSettings, *, both: bool = False) -> Task:
    """A live fine-tune (or, with `both`, LoRA then QLoRA); the result is a list of TrainReport.

    The partial result is {kind: (TrainStep, ...)} so far; cancelling stops the current
    run, which still runs its checks on what it trained.
    """
    kinds = ("LoRA", "QLoRA") if both else ("QLoRA" if train.qlora else "LoRA",)
    label = "Fine-tune (" + " then ".join(kinds) + ")"

    def work(context: JobContext) -> list:
        from studyapp.lab import train as lab_train

        histories: dict[str, tuple] = {kind: () for kind in kinds}
        total = train.steps * len(kinds)

        def on_step(kind: str, step) -> None:
            histories[kind] = (*histories[kind], step)
            done = sum(len(h) for h in histories.values())
            context.progress(done, total, f"{kind} step {step.step}/{train.steps} · loss {step.loss:.3f}",
                             partial=dict(histories))

        context.progress(0, total, "building the model" + (" and quantizing its base" if "QLoRA" in kinds[:1]
                                                             else ""), partial=dict(histories))
        if both:
            return lab_train.compare(train, lora, stop=context.cancelled, on_step=on_step)
        return [lab_train.run_fine_tune(train, lora, stop=context.cancelled,
                                        on_step=lambda step: on_step(kinds[0], step))]

    return Task(label, lambda: train_estimate(train.replace(qlora=False)), work)


def quantize_task(settings: QuantizeSettings, formats: tuple[str, ...] | None = None) -> Task:
    """Quantize a small model to every format (or `formats`) and measure it against the accounting;
    the result is a list of quantize.QuantizeRow."""
    def estimate() -> int:
        from studyapp.lab.memory import weight_memory

        # the fp32 model, its bf16 copy on disk and in memory, and the quantized one
        return 4 * weight_memory(settings.model).formats["fp32"].total

    def work(context: JobContext) -> list:
        from studyapp.lab.memory import FORMATS
        from studyapp.lab.quantize import compare_formats

        def on_progress(done: int, total: int, text: str) -> None:
            context.check_cancelled()
            context.progress(done, total, text)

        return compare_formats(settings.model, formats or FORMATS, on_progress=on_progress)

    return Task("Quantize and measure", estimate, work)


def forward_task(model: str, lora: LoraSettings, prompt: str | None = None) -> Task:
    """A prompt through small model `model`, base and wrapped, with generated text (a ForwardCheck)."""
    def work(context: JobContext):
        from studyapp.lab.wrap import DEFAULT_PROMPT, forward_check

        def on_progress(done: int, total: int, text: str) -> None:
            context.check_cancelled()
            context.progress(done, total, text)

        return forward_check(model, lora, prompt or DEFAULT_PROMPT, on_progress=on_progress)

    return Task("Forward pass", lambda: FORWARD_BYTES, work)

"""`studyapp lab ...`: every Lab figure from the command line, as text or --json.

    studyapp lab models [--json]
    studyapp lab params --model llama-2-7b --r 8 --alpha 16 --targets q_proj,v_proj [--json]
    studyapp lab memory --model llama-3-8b [--seq-len 512] [--batch 1] [--r 8] [--json]
    studyapp lab rank --model small-llama --layer model.layers.0.self_attn.q_proj --r 4 [--learned] [--json]
    studyapp lab quantize --model small-llama [--double-quant] [--json]
    studyapp lab train --model tiny-llama --steps 60 [--qlora | --compare] [--save-adapter DIR] [--json]

Every flag of a setting is built from its Setting in lab/settings (default, range, help),
the same definition the pages' widgets and the URL presets read. Values are checked by
the Setting: a bad one exits with 2 and says how to fix it (as JSON with --json).
The main CLI calls add_parser(subparsers); the parsed args go to run_lab(args).
Importing this module is light: torch & co. load only when a command needs them.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from studyapp.core.units import human_bytes
from studyapp.lab.registry import get_spec, list_models, model_names
from studyapp.lab.settings import (EstimateSettings, LoraSettings, QuantizeSettings, RankSettings, Settings,
                                   SettingError, TrainSettings)

EXIT_OK, EXIT_USAGE = 0, 2
COMMANDS = ("models", "params", "memory", "rank", "quantize", "train")
LORA_FOR_ESTIMATE = ("r", "lora_alpha", "target_modules")  # what changes a count; dropout does not


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add `lab` to the main CLI, handled by run_lab."""
    lab = add_lab_parser(subparsers)
    lab.set_defaults(handler=run_lab)
    return lab


def add_lab_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `lab` command and its sub-commands to an argparse subparsers object."""
    lab = subparsers.add_parser("lab", help="LoRA Lab figures: models, parameter counts, memory, rank, "
                                            "quantization, training.",
                                description="LoRA Lab figures from the command line; --json for scripts.")
    commands = lab.add_subparsers(dest="lab_command", metavar="{" + ",".join(COMMANDS) + "}", required=True)
    for add in (_add_models, _add_params, _add_memory, _add_rank, _add_quantize, _add_train):
        _add_json(add(commands))
    return lab


def add_settings_arguments(parser: argparse.ArgumentParser, cls: type[Settings],
                           names: tuple[str, ...] | None = None, defaults: Settings | None = None) -> None:
    """One flag per Setting of `cls` (or of `names`), default and help from the Setting.

    Values stay text here; settings_from_args checks them, so a bad one gets the Setting's message.
    """
    for spec in cls.specs():
        if names is not None and spec.name not in names:
            continue
        default = getattr(defaults, spec.name) if defaults is not None else spec.default
        help_text = f"{spec.help} (default: {default})"
        if spec.kind is bool:
            parser.add_argument(spec.cli_flag, dest=spec.name, default=default, help=help_text,
                                action=argparse.BooleanOptionalAction)
        else:
            choices = f" One of: {', '.join(map(str, spec.choices))}." if spec.choices else ""
            parser.add_argument(spec.cli_flag, dest=spec.name, default=None, metavar=spec.name.upper(),
                                help=help_text + choices)


def settings_from_args(cls: type[Settings], args: argparse.Namespace, defaults: Settings | None = None,
                       names: tuple[str, ...] | None = None):
    """`cls` settings from the parsed flags, each value checked by its Setting.

    Raises:
        SettingError: a value does not fit its Setting (the message says how to fix it).
        LoraSettingsError: the values fit one by one but not together.
    """
    base = defaults if defaults is not None else cls()
    values: dict[str, Any] = {}
    for spec in cls.specs():
        if names is not None and spec.name not in names:
            continue
        raw = getattr(args, spec.name, None)
        if raw is not None:
            values[spec.name] = raw if spec.kind is bool else spec.parse(raw)
    return base.replace(**values).check()


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")


def _add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None,
                        help="Where to run: cuda when a GPU is present, else cpu (default: pick).")


def _device(args: argparse.Namespace) -> str | None:
    """--device, refused (ValueError) when it names a GPU this machine does not have."""
    if args.device == "cuda":
        from studyapp.lab.device import pick_device

        if pick_device() != "cuda":
            raise ValueError("--device cuda: this machine has no CUDA device; leave --device out "
                             "to use the CPU")
    return args.device


def _add_models(commands) -> argparse.ArgumentParser:
    return commands.add_parser("models", help="List the registry models.",
                               description="List the registry: full-size architectures (meta) and small "
                                           "trainable models.")


def _model_help(parser: argparse.ArgumentParser, kind: str = "Registry model") -> None:
    parser.add_argument("--model", dest="model", metavar="NAME", default=None,
                        help=f"{kind}, one of: {', '.join(model_names())}.")


def _add_params(commands) -> argparse.ArgumentParser:
    p = commands.add_parser("params", help="Wrap a model with LoRA and count parameters as peft does.",
                            description="Build the model on meta, wrap it with peft, print the "
                                        "print_trainable_parameters line and a per-module summary.")
    _model_help(p)
    add_settings_arguments(p, LoraSettings)
    return p


def _add_memory(commands) -> argparse.ArgumentParser:
    p = commands.add_parser("memory", help="Weight memory per format and a LoRA training estimate.",
                            description="Exact weight bytes in fp32, bf16, LLM.int8, NF4 and NF4 + "
                                        "double quant, and the memory of a LoRA fine-tune.")
    add_settings_arguments(p, EstimateSettings)
    add_settings_arguments(p, LoraSettings, LORA_FOR_ESTIMATE)
    return p


def _add_rank(commands) -> argparse.ArgumentParser:
    p = commands.add_parser("rank", help="W0, A, B and B·A of one layer: rank, singular values, counts.",
                            description="Wrap one layer of a small model with A and B both random, and "
                                        "print the rank of scaling·B·A, its singular values, d·k against "
                                        "r·(d+k), and how well rank r approximates W0. With --learned, "
                                        "the bundled trained adapter's update of that layer instead.")
    add_settings_arguments(p, RankSettings)
    p.add_argument("--learned", action="store_true",
                   help="Decompose the bundled adapter trained on the support data (tiny-llama, r=8) "
                        "instead of a random A and B.")
    return p


def _add_quantize(commands) -> argparse.ArgumentParser:
    p = commands.add_parser("quantize", help="Really quantize a small model to NF4 and measure every byte.",
                            description="Load a small model through transformers' BitsAndBytesConfig in "
                                        "NF4 (with --double-quant, NF4 + double quantization), sum every "
                                        "tensor bitsandbytes stores, and compare with the accounting.")
    add_settings_arguments(p, QuantizeSettings)
    _add_device(p)
    return p


def _add_train(commands) -> argparse.ArgumentParser:
    from studyapp.lab.train import default_train_lora

    p = commands.add_parser("train", help="A live LoRA or QLoRA fine-tune of a small model, then the checks.",
                            description="Fine-tune a small model on the bundled support data; print the "
                                        "loss history, timings, memory, the merge check with its verdict, "
                                        "the adapter size and the reload check.")
    add_settings_arguments(p, TrainSettings)
    add_settings_arguments(p, LoraSettings, defaults=default_train_lora())
    p.add_argument("--compare", action="store_true", help="Run LoRA, then QLoRA, with the same settings.")
    p.add_argument("--save-adapter", metavar="DIR", default=None,
                   help="Also save the trained adapter (and made-with.json) to DIR.")
    _add_device(p)
    return p


def run_lab(args: argparse.Namespace) -> int:
    """Run the parsed `lab` command; print text or JSON; return the exit code (0 ok, 2 bad input)."""
    handlers = {"models": _run_models, "params": _run_params, "memory": _run_memory, "rank": _run_rank,
                "quantize": _run_quantize, "train": _run_train}
    try:
        return handlers[args.lab_command](args)
    except (KeyError, ValueError) as err:
        return _fail(args, err)


def _fail(args: argparse.Namespace, err: Exception) -> int:
    message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
    if getattr(args, "json", False):
        payload: dict[str, Any] = {"error": message}
        if hasattr(err, "available"):
            payload["available"] = err.available
        print(json.dumps(payload, indent=2))
    else:
        print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _print_json(payload: dict[str, Any]) -> int:
    print(json.dumps(payload, indent=2, default=_jsonable))
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _require_model(args: argparse.Namespace) -> str:
    if not args.model:
        raise SettingError(f"--model is required: one of {', '.join(model_names())}.")
    get_spec(args.model)
    return args.model


def _run_models(args: argparse.Namespace) -> int:
    specs = list_models()
    if args.json:
        return _print_json({"models": [s.to_dict() for s in specs]})
    for s in specs:
        print(f"{s.name:<13} {s.kind:<9} {s.title:<28} {s.source}")
    return EXIT_OK


def _run_params(args: argparse.Namespace) -> int:
    from studyapp.lab.wrap import wrap_registry_model

    model = _require_model(args)
    settings = settings_from_args(LoraSettings, args)
    result = wrap_registry_model(model, settings, device="meta")
    if args.json:
        return _print_json(result.to_dict())
    print(result.line)
    print(f"scaling = {result.scaling:g}   adapter: {human_bytes(result.adapter_bytes_fp32)} fp32, "
          f"{human_bytes(result.adapter_bytes_bf16)} bf16")
    for leaf, (count, shape, lora) in _by_leaf(result.modules).items():
        print(f"  {leaf:<14} x{count:<4} weight {shape[0]}x{shape[1]:<7} LoRA params each {lora:,}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _by_leaf(modules) -> dict[str, tuple[int, tuple[int, int], int]]:
    groups: dict[str, tuple[int, tuple[int, int], int]] = {}
    for m in modules:
        leaf = m.name.rsplit(".", 1)[-1]
        count = groups.get(leaf, (0, m.shape, m.lora_params))[0]
        groups[leaf] = (count + 1, m.shape, m.lora_params)
    return groups


def _run_memory(args: argparse.Namespace) -> int:
    from studyapp.lab.memory import FORMAT_TITLES, estimate_for, weight_memory

    est = settings_from_args(EstimateSettings, args)
    lora = settings_from_args(LoraSettings, args, names=LORA_FOR_ESTIMATE)
    weights = weight_memory(est.model)
    estimate = estimate_for(est, lora)
    if args.json:
        return _print_json({**weights.to_dict(), "training": estimate.to_dict()})
    print(f"{est.model}: {weights.params:,} parameters ({weights.quantized_params:,} in quantizable linears)")
    for fmt, part in weights.formats.items():
        print(f"  {FORMAT_TITLES[fmt]:<20} {part.total:>16,} bytes  {human_bytes(part.total):>12}")
    _print_estimate(estimate)
    return EXIT_OK


def _print_estimate(e) -> None:
    print(f"LoRA training, weights in {e.weight_format}, seq {e.seq_len} x batch {e.batch}, "
          f"{e.lora_params:,} LoRA params:")
    for part in ("weights", "lora_weights", "gradients", "optimizer", "activations", "total"):
        print(f"  {part:<13} {human_bytes(getattr(e, part)):>12}")
    reserve = human_bytes(e.gpus[0].reserve_bytes) if e.gpus else "1 GiB"
    print(f"  fits (with {reserve} for the CUDA context): "
          + ", ".join(f"{g.gpu} {'yes' if g.fits else 'no'}" for g in e.gpus))


def _run_rank(args: argparse.Namespace) -> int:
    from studyapp.lab import decompose

    settings = settings_from_args(RankSettings, args)
    if args.learned:
        from studyapp.lab import learned

        report = decompose.learned_report(settings.layer, learned.load_adapter(),
                                          model=learned.made_with()["train"]["model"],
                                          source="the bundled adapter, trained on the support data")
    else:
        report = decompose.rank_report(settings)
    if args.json:
        return _print_json(report.to_dict())
    print(f"{report.model} {report.layer}: W0 {report.d} x {report.k}, r = {report.r}, "
          f"scaling = {report.scaling:g} ({report.source})")
    print(f"numerical rank of scaling·B·A: {report.numerical_rank} (at most r = {report.r})")
    print("singular values of the update: " + ", ".join(f"{v:.3g}" for v in report.update_singular_values))
    if report.energy_kept:
        print("share of the update's energy in the top k directions: "
              + ", ".join(f"k={k} {share:.1%}" for k, share in report.energy_kept))
    d, k, r = report.d, report.k, report.r
    print(f"parameters: full d·k = {d * k:,}; LoRA r·(d + k) = {r * (d + k):,}")
    print("best rank-r approximation of W0, relative error: "
          + ", ".join(f"r={r} {err:.3f}" for r, err in report.w0_error_curve))
    return EXIT_OK


def _run_quantize(args: argparse.Namespace) -> int:
    from studyapp.lab.quantize import compare_formats

    settings = settings_from_args(QuantizeSettings, args)
    fmt = "nf4_double_quant" if settings.double_quant else "nf4"
    row = compare_formats(settings.model, (fmt,), device=_device(args))[0]
    if args.json:
        return _print_json(row.to_dict())
    m, a = row.measured, row.accounted
    print(f"{settings.model} in {row.title} on {m.device}: loaded and quantized in {m.seconds:.2f} s")
    for what, part in (("measured ", m), ("accounted", a)):
        print(f"  {what} {part.total:>12,} B  (codes {part.quantized_codes:,}, "
              f"quantization state {part.quant_stats:,}, kept in 16-bit {part.kept:,})")
    print(f"  difference {row.difference:,} B" + (f"; torch.cuda.memory_allocated {m.cuda_allocated:,} B"
                                                  if m.cuda_allocated is not None else ""))
    return EXIT_OK


def _run_train(args: argparse.Namespace) -> int:
    from studyapp.lab import train as lab_train

    settings = settings_from_args(TrainSettings, args).replace(device=_device(args))
    lora = settings_from_args(LoraSettings, args, defaults=lab_train.default_train_lora())
    if args.compare:
        reports = lab_train.compare(settings, lora)
    else:
        reports = [lab_train.run_fine_tune(settings, lora, save_adapter=args.save_adapter)]
    if args.json:
        return _print_json({"runs": [r.to_dict() for r in reports]})
    for report in reports:
        _print_report(report)
    return EXIT_OK


def _print_report(r) -> None:
    print(f"{r.kind} fine-tune of {r.train.model} on {r.device}: {r.line}")
    for s in r.history:
        if s.step == 1 or s.step % 10 == 0 or s.step == len(r.history):
            print(f"  step {s.step:4d}  loss {s.loss:.3f}  {s.seconds:6.2f} s")
    print(f"  built in {r.build_seconds:.2f} s; {r.steps_per_second:.1f} steps/s")
    print(f"  base weights ({r.base_memory.fmt}): accounted {r.base_memory.accounted:,} B, "
          f"measured {r.base_memory.measured:,} B")
    peak = "n/a" if r.peak.bytes is None else human_bytes(r.peak.bytes)
    print(f"  peak memory {peak} ({r.peak.how})")
    m = r.checks.merge
    print(f"  merge ({m.route}): max |merged - unmerged| = {m.max_abs_diff:.3g}, tolerance {m.tolerance:.3g} "
          f"-> {'PASS' if m.passed else 'FAIL'}"
          + (f"; against the 4-bit model as trained {m.vs_trained:.3g}" if r.kind == "QLoRA" else ""))
    print(f"  adapter on disk {human_bytes(r.checks.saved.adapter_bytes)}; merged model "
          f"{human_bytes(r.checks.saved.full_bytes)}; reload difference {r.checks.reload_max_abs_diff:.3g}")


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m studyapp.lab.cli lab ...`)."""
    parser = argparse.ArgumentParser(prog="studyapp")
    add_lab_parser(parser.add_subparsers(dest="command", required=True))
    return run_lab(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

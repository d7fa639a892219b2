"""`studyapp lab ...`: every Lab figure from the command line, as text or --json.

    studyapp lab models [--json]
    studyapp lab params --model llama-2-7b --r 8 --alpha 16 --targets q_proj,v_proj [--json]
    studyapp lab memory --model llama-3-8b [--seq-len 512] [--batch 1] [--r 8] [--json]

The main CLI calls add_parser(subparsers); the parsed args go to run_lab(args).
Importing this module is light: torch & co. load only when a command needs them.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from studyapp.lab.registry import get_spec, list_models, model_names
from studyapp.lab.settings import LoraSettings, field_help

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add `lab` to the main CLI, handled by run_lab."""
    lab = add_lab_parser(subparsers)
    lab.set_defaults(handler=run_lab)
    return lab


def add_lab_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `lab` command (with models, params, memory) to an argparse subparsers object."""
    lab = subparsers.add_parser("lab", help="LoRA Lab figures: model registry, parameter counts, memory.",
                                description="LoRA Lab figures from the command line; --json for scripts.")
    commands = lab.add_subparsers(dest="lab_command", metavar="{models,params,memory}", required=True)
    _add_models(commands)
    _add_params(commands)
    _add_memory(commands)
    return lab


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")


def _add_model(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument("--model", required=default is None, default=default, metavar="NAME",
                        help=f"Registry model, one of: {', '.join(model_names())}.")


def _add_models(commands) -> None:
    p = commands.add_parser("models", help="List the registry models.",
                            description="List the registry: full-size architectures (meta) and small trainable models.")
    _add_json(p)


def _add_lora_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--r", type=int, default=8, help=field_help("r"))
    p.add_argument("--alpha", type=float, default=16, dest="lora_alpha", help=field_help("lora_alpha"))
    p.add_argument("--targets", default="q_proj,v_proj", help="Comma-separated; " + field_help("target_modules"))


def _add_params(commands) -> None:
    p = commands.add_parser("params", help="Wrap a model with LoRA and count parameters as peft does.",
                            description="Build the model on meta, wrap it with peft, print the "
                                        "print_trainable_parameters line and a per-module summary.")
    _add_model(p)
    _add_lora_args(p)
    p.add_argument("--dropout", type=float, default=0.0, dest="lora_dropout", help=field_help("lora_dropout"))
    p.add_argument("--use-rslora", action="store_true", help=field_help("use_rslora"))
    p.add_argument("--use-dora", action="store_true", help=field_help("use_dora"))
    _add_json(p)


def _add_memory(commands) -> None:
    from studyapp.lab.memory import FORMATS

    p = commands.add_parser("memory", help="Weight memory per format and a LoRA training estimate.",
                            description="Exact weight bytes in fp32, bf16, LLM.int8, NF4 and NF4 + "
                                        "double quant, and the memory of a LoRA fine-tune.")
    _add_model(p)
    p.add_argument("--seq-len", type=int, default=512, help="Tokens per sequence for the activation estimate.")
    p.add_argument("--batch", type=int, default=1, help="Sequences per step for the activation estimate.")
    _add_lora_args(p)
    p.add_argument("--format", default="nf4_double_quant", choices=FORMATS, dest="weight_format",
                   help="Storage of the frozen base weights while training (QLoRA: nf4_double_quant).")
    p.add_argument("--gradient-checkpointing", action="store_true",
                   help="Keep only each layer's input and recompute the rest in the backward pass.")
    _add_json(p)


def run_lab(args: argparse.Namespace) -> int:
    """Run the parsed `lab` command; print text or JSON; return the exit code (0 ok, 2 bad input)."""
    handlers = {"models": _run_models, "params": _run_params, "memory": _run_memory}
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


def _settings(args: argparse.Namespace, **extra: Any) -> LoraSettings:
    return LoraSettings(r=args.r, lora_alpha=args.lora_alpha, target_modules=args.targets, **extra)


def _run_models(args: argparse.Namespace) -> int:
    specs = list_models()
    if args.json:
        print(json.dumps({"models": [s.to_dict() for s in specs]}, indent=2))
        return EXIT_OK
    for s in specs:
        print(f"{s.name:<12} {s.kind:<9} {s.title:<28} {s.source}")
    return EXIT_OK


def _run_params(args: argparse.Namespace) -> int:
    from studyapp.lab.wrap import wrap_registry_model

    get_spec(args.model)
    settings = _settings(args, lora_dropout=args.lora_dropout, use_rslora=args.use_rslora,
                         use_dora=args.use_dora).check()
    result = wrap_registry_model(args.model, settings, device="meta")
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return EXIT_OK
    print(result.line)
    print(f"scaling = {result.scaling:g}   adapter: {result.adapter_bytes_fp32 / 1e6:.2f} MB fp32, "
          f"{result.adapter_bytes_bf16 / 1e6:.2f} MB bf16")
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
    from studyapp.lab.memory import FORMAT_TITLES, training_estimate, weight_memory

    get_spec(args.model)
    settings = _settings(args).check()
    weights = weight_memory(args.model)
    estimate = training_estimate(args.model, weight_format=args.weight_format, seq_len=args.seq_len,
                                 batch=args.batch, settings=settings,
                                 gradient_checkpointing=args.gradient_checkpointing)
    if args.json:
        print(json.dumps({**weights.to_dict(), "training": estimate.to_dict()}, indent=2))
        return EXIT_OK
    print(f"{args.model}: {weights.params:,} parameters ({weights.quantized_params:,} in quantizable linears)")
    for fmt, part in weights.formats.items():
        print(f"  {FORMAT_TITLES[fmt]:<20} {part.total:>16,} bytes  {part.gb:8.2f} GB")
    _print_estimate(estimate)
    return EXIT_OK


def _print_estimate(e) -> None:
    print(f"LoRA training, weights in {e.weight_format}, seq {e.seq_len} x batch {e.batch}, "
          f"{e.lora_params:,} LoRA params:")
    for part in ("weights", "lora_weights", "gradients", "optimizer", "activations", "total"):
        print(f"  {part:<13} {getattr(e, part) / 1e9:8.2f} GB")
    print("  fits: " + ", ".join(f"{g.gpu} {'yes' if g.fits else 'no'}" for g in e.gpus))


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m studyapp.lab.cli lab ...`) until the main CLI wires it in."""
    parser = argparse.ArgumentParser(prog="studyapp")
    add_lab_parser(parser.add_subparsers(dest="command", required=True))
    return run_lab(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

"""The Lab's tables, narrow enough for a 390 px phone: few columns, short names, and the
unit in the column title. Each function takes a typed Lab result and draws one table.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core.units import human_bytes

BYTES = st.column_config.NumberColumn(format="localized")


def _show(rows: list[dict], key: str, **column_config) -> None:
    st.dataframe(rows, hide_index=True, width="stretch", key=key, column_config=column_config or None)


def _shape(shape: tuple[int, int]) -> str:
    return f"{shape[0]} × {shape[1]}"


def short_module(name: str) -> str:
    """'model.layers.0.self_attn.q_proj' -> '0.q_proj': the block and the layer, for a narrow table."""
    parts = name.split(".")
    if len(parts) >= 5 and parts[0] == "model" and parts[1] == "layers":
        return f"{parts[2]}.{parts[-1]}"
    return name.removeprefix("model.")


def module_summary(result) -> None:
    """One row per adapted layer type of a wrap.WrapResult: how many, W0's shape, LoRA params each."""
    groups: dict[str, dict] = {}
    for m in result.modules:
        leaf = m.name.rsplit(".", 1)[-1]
        row = groups.setdefault(leaf, {"layer": leaf, "count": 0, "W0 (d × k)": _shape(m.shape),
                                       "LoRA params each": m.lora_params})
        row["count"] += 1
    _show(list(groups.values()), "lab-modules-summary", **{"LoRA params each": BYTES})


def module_rows(result) -> None:
    """Every adapted module of a wrap.WrapResult ('block.layer'), its shape and LoRA params."""
    rows = [{"module": short_module(m.name), "d × k": _shape(m.shape), "LoRA params": m.lora_params}
            for m in result.modules]
    _show(rows, "lab-modules", **{"LoRA params": BYTES})


def format_rows(weights, titles) -> None:
    """Weight memory of a memory.WeightMemory per format: GiB and exact bytes."""
    rows = [{"format": titles[f], "weights": human_bytes(b.total), "bytes": b.total}
            for f, b in weights.formats.items()]
    _show(rows, "lab-formats", bytes=BYTES)


def measured_rows(rows) -> None:
    """quantize.QuantizeRow per format: measured against accounted, in bytes."""
    table = [{"format": r.title, "measured B": r.measured.total, "accounted B": r.accounted.total,
              "diff B": r.difference} for r in rows]
    _show(table, "lab-measured", **{"measured B": BYTES, "accounted B": BYTES, "diff B": BYTES})


def run_rows(reports) -> None:
    """One row per fine-tune (train.TrainReport): speed, base weights, peak, merge verdict."""
    rows = [{"run": r.kind, "steps/s": round(r.steps_per_second, 1),
             "base weights": human_bytes(r.base_memory.measured),
             "peak": "n/a" if r.peak.bytes is None else human_bytes(r.peak.bytes),
             "merge": "pass" if r.checks.merge.passed else "FAIL"} for r in reports]
    _show(rows, "lab-runs")

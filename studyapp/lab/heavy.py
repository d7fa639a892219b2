"""The Lab's heavy libraries, imported once per process behind a lock, and the warm-up.

torch, transformers, peft and bitsandbytes take seconds to import (bench/lab_import.py).
transformers resolves its names lazily (``from transformers import AutoConfig`` runs an
import on first use) and that is not thread-safe: two Streamlit request threads doing it
at the same moment get ``ImportError: cannot import name 'AutoConfig'``. So every Lab
function that imports one of these libraries calls :func:`ensure` first
(tests/lab/test_heavy_imports.py checks each one): the first caller imports everything,
the names the Lab uses included, while the others wait on the lock.

:func:`start_warm_up` does the same in a background thread once the server is up, so
the first student to open a Lab page does not wait for the imports.

Building a model is not thread-safe either: transformers sets torch's default dtype for
the whole process while it constructs one, and peft's low_cpu_mem_usage wrap patches
``nn.Module.register_parameter`` process-wide to create adapters on meta, so a small
model built in another thread at that moment comes out on meta. Every Lab function
that constructs modules does it inside :func:`constructing` (one at a time; forward
passes and training run side by side).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

HEAVY_MODULES = ("torch", "transformers", "peft", "bitsandbytes")
WARM_UP_ENV = "STUDYAPP_LAB_WARM_UP"  # "1": always warm up, "0": never; unset: only in a served app
# What the first Lab load costs when the warm-up has not finished, measured by
# bench/lab_import.py on the 2-core development machine without a GPU (docs/lab.md).
COLD_IMPORT_SECONDS = 4.8

_LOCK = threading.Lock()
_READY = threading.Event()
_WARM_LOCK = threading.Lock()
_CONSTRUCT = threading.RLock()  # re-entrant: building a quantized model builds a small one inside


@dataclass
class _State:
    started: float | None = None    # time.monotonic() when the import began
    seconds: float | None = None    # how long it took, once done
    error: str | None = None        # why it failed, if it did
    warm_up: threading.Thread | None = None


_STATE = _State()


@dataclass(frozen=True)
class HeavyStatus:
    """Where this process is with the heavy imports, for a line on a Lab page."""

    state: str                  # "cold" (not started), "loading", "ready" or "failed"
    seconds: float | None       # import time once ready; time spent so far while loading
    error: str | None = None


def ensure() -> None:
    """Import torch, transformers, peft and bitsandbytes, and the names the Lab takes from them,
    once per process; callers that arrive meanwhile wait until it is done.

    Raises:
        ImportError: a library is missing or broken (raised to every caller, each time).
    """
    if _READY.is_set():
        return
    with _LOCK:
        if _READY.is_set():
            return
        _STATE.started, _STATE.error = time.monotonic(), None
        try:
            _import_all()
        except Exception as err:
            _STATE.error = f"{type(err).__name__}: {err}"
            raise
        _STATE.seconds = time.monotonic() - _STATE.started
        _READY.set()


@contextmanager
def constructing() -> Iterator[None]:
    """Hold the process's model-construction lock (see the module docstring), imports done."""
    ensure()
    with _CONSTRUCT:
        yield


def _import_all() -> None:
    # Every lazily resolved name the Lab uses, resolved here under the lock.
    import torch  # noqa: F401
    from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig  # noqa: F401
    from transformers.models.llama import modeling_llama  # noqa: F401 - the small models' class
    from transformers.quantizers.base import get_keys_to_not_convert  # noqa: F401
    from transformers.quantizers.quantizers_utils import should_convert_module  # noqa: F401
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars in the server's log, for every job

    # bitsandbytes 0.50 logs that the optional `kernels` package is missing: harmless, and not
    # the student's concern.
    bnb_cpu = logging.getLogger("bitsandbytes.backends.cpu.ops")
    level, bnb_cpu.level = bnb_cpu.level, logging.ERROR
    try:
        _import_peft_and_bitsandbytes()
    finally:
        bnb_cpu.setLevel(level)


def _import_peft_and_bitsandbytes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bitsandbytes  # noqa: F401
        from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training  # noqa: F401
        from peft.tuners.lora import LoraLayer  # noqa: F401


def status() -> HeavyStatus:
    """Whether the heavy imports are done in this process (see HeavyStatus)."""
    if _READY.is_set():
        return HeavyStatus("ready", _STATE.seconds)
    if _STATE.error is not None:
        return HeavyStatus("failed", None, _STATE.error)
    if _STATE.started is not None:
        return HeavyStatus("loading", time.monotonic() - _STATE.started)
    return HeavyStatus("cold", None)


def serving() -> bool:
    """Whether this process should warm up: $STUDYAPP_LAB_WARM_UP when set, else whether it is
    a Streamlit server started by `streamlit run` (AppTest and scripts are not; they load the
    libraries when they first need them)."""
    wanted = os.environ.get(WARM_UP_ENV)
    if wanted is not None:
        return wanted.strip() not in ("", "0", "false", "no", "off")
    return "streamlit.web.bootstrap" in sys.modules


def start_warm_up(*, force: bool = False) -> threading.Thread | None:
    """Start (once per process) a background thread that runs :func:`ensure` and a first
    build + wrap, so a student's first Lab interaction finds everything loaded.

    Only where serving() (or `force`); returns None elsewhere. Idempotent: later calls
    return the same thread. The thread runs at a lower CPU priority where the OS allows
    it, so study pages served meanwhile keep their pace.
    """
    if not (force or serving()):
        return None
    with _WARM_LOCK:
        if _STATE.warm_up is None:
            _STATE.warm_up = threading.Thread(target=_warm_up, name="studyapp-lab-warm-up", daemon=True)
            _STATE.warm_up.start()
        return _STATE.warm_up


def _warm_up() -> None:
    _lower_priority()
    start = time.monotonic()
    try:
        ensure()
        from studyapp.lab.settings import LoraSettings
        from studyapp.lab.wrap import wrap_registry_model

        wrap_registry_model("llama-2-7b", LoraSettings())  # the Build page's first result, on meta
    except Exception as err:  # noqa: BLE001 - kept in status(); a page retries and reports it
        print(f"studyapp: Lab warm-up failed: {err}", file=sys.stderr, flush=True)
        return
    # One line in the server's log, for the operator (and bench/lab_warm_up.py).
    print(f"studyapp: Lab warm-up done in {time.monotonic() - start:.2f} s "
          f"(imports {_STATE.seconds:.2f} s)", file=sys.stderr, flush=True)


def _lower_priority() -> None:
    # On Linux a thread is a task with its own nice value; elsewhere this is a no-op.
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:
            pass

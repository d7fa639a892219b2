#!/usr/bin/env bash
# The Lab's GPU check: everything that only a CUDA machine can tell, in one run, in under 8 minutes.
#
#   bench/gpu_check.sh [FIGURES_FILE]      (default: bench/gpu-figures.txt)
#
# 1. installs what it needs: a virtual environment with torch 2.13.0 (its Linux x86-64 wheel
#    on PyPI is the CUDA build) and the project with its test extras (`make install`);
# 2. runs the tests marked `gpu` (tests/lab: training and QLoRA on CUDA, CUDA peak memory);
# 3. runs the Lab benchmarks on the GPU: LoRA vs QLoRA steps/s and memory on the small
#    models, quantization of the small model and of full-size layers, build + wrap;
# 4. quantizes Llama 3.2 1B (bundled config, random weights) to NF4 and NF4 + double quant,
#    accounted bytes against torch.cuda.memory_allocated, and runs a short QLoRA of it,
#    torch.cuda.max_memory_allocated against the training estimate (bench/lab_gpu.py).
# Every figure goes to FIGURES_FILE as well as the terminal. Without CUDA the GPU parts say
# "skipped" and the rest runs on the CPU, so the script can be tried anywhere.
set -uo pipefail
cd "$(dirname "$0")/.."
FIGURES="${1:-bench/gpu-figures.txt}"
PY=.venv/bin/python
BUDGET_S=480   # 8 minutes for the whole check
START=$(date +%s)
status=0

say() { echo "$*" | tee -a "$FIGURES"; }
left() { echo $(( BUDGET_S - ($(date +%s) - START) )); }
step() {  # step TITLE SECONDS COMMAND...: run with a time limit, figures to the file
  local title=$1 limit=$2; shift 2
  local budget; budget=$(left)
  (( budget <= 0 )) && { say "== $title: skipped, the 8-minute budget is spent"; status=1; return; }
  (( limit > budget )) && limit=$budget
  say "== $title ($(date -u +%H:%M:%S) UTC, limit ${limit} s)"
  timeout "$limit" "$@" 2>&1 | grep -v "^WARNING: Location" | tee -a "$FIGURES"
  local rc=${PIPESTATUS[0]}
  (( rc != 0 )) && { say "!! $title exited with $rc"; status=1; }
}

: > "$FIGURES"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
say "studyapp Lab GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $COMMIT"
step "install (make install)" 300 make install
test -x "$PY" || { say "!! no $PY after make install"; exit 1; }
CUDA=$($PY -c "import torch; print(torch.cuda.is_available())" 2>/dev/null || echo False)
say "$($PY -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, \
  'device', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none: GPU parts are skipped')")"
command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee -a "$FIGURES"

step "gpu-marked tests" 120 "$PY" -m pytest -q -m gpu -p no:cacheprovider tests/lab -rs
STEPS=40; [[ "$CUDA" == "True" ]] || STEPS=15   # a CPU shares its cores with everything else
step "LoRA vs QLoRA on the small models (bench/lab_train.py, $STEPS steps)" 200 \
  "$PY" bench/lab_train.py "$STEPS"
step "quantization of the small model and full-size layers (bench/lab_quantize.py)" 60 \
  "$PY" bench/lab_quantize.py
step "build + wrap on meta (bench/lab_wrap.py)" 30 "$PY" bench/lab_wrap.py
step "Llama 3.2 1B: NF4 bytes against torch.cuda.memory_allocated, QLoRA peak against the estimate" 180 \
  "$PY" bench/lab_gpu.py --model llama-3.2-1b --steps 10 --seq-len 512
[[ "$CUDA" == "True" ]] ||
  say "note: no CUDA device here, so every GPU part above was skipped and the rest ran on the CPU"
say "done in $(( $(date +%s) - START )) s; figures in $FIGURES"
exit $status

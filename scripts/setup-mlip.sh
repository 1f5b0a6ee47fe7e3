#!/usr/bin/env bash
# Sets up what the TorchScript MLIP backend (cargo feature `torch`) needs, idempotently:
#   * .venv-mlip/ : a Python venv with torch==2.13.0 (its libtorch is what tch links against)
#     and sevenn==0.13.0 (SevenNet, plus ASE for the reference script and the benchmark);
#   * target/mlip/sevennet0.pt : SevenNet-0 exported by `sevenn_get_model 7net-0` in the
#     LAMMPS `pair_e3gnn` TorchScript convention, and target/mlip/sevennet_l3i5.pt:
#     SevenNet-l3i5 (`sevenn_get_model 7net-l3i5`), the second member of the committee
#     test. Both checkpoints ship inside the sevenn package. No weights are committed.
#   * mace-torch==0.3.16 in the same venv (installed with --no-deps so that torch stays at
#     2.13.0, then the few dependencies its import needs), and target/mlip/mace_sio_*.pt:
#     small MACE models with random weights (fixed seed) in the LAMMPS `pair_mace`
#     convention, with their ASE MACECalculator references beside them, both written by
#     tests/reference/mlip/mace_random_model.py.
#   * nequip==0.6.2 in the same venv (--no-deps, plus torch-runstats), and
#     target/mlip/nequip_sio_*.pth: small NequIP models with random weights deployed by
#     nequip-deploy (the legacy LAMMPS `pair_nequip` convention), with their ASE
#     NequIPCalculator references, both written by tests/reference/mlip/nequip_random_model.py.
#   * target/mlip/sevennet_mf0_heads.pt and sevennet_mf0_pbe.pt: the multi-fidelity SevenNet-MF-0
#     (in sevenn's package data) with its head chosen at run time, and with PBE fixed.
# A second run only checks that both exist and is quick. Network is needed on the first run only.
# The last lines print the environment to use; `eval "$(scripts/setup-mlip.sh --env)"` applies it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv-mlip"
MODEL_DIR="$ROOT/target/mlip"
MODEL="$MODEL_DIR/sevennet0.pt"
MODEL_L3I5="$MODEL_DIR/sevennet_l3i5.pt"
TORCH_VERSION=2.13.0
SEVENN_VERSION=0.13.0
MACE_VERSION=0.3.16
NEQUIP_VERSION=0.6.2
# what `import mace.calculators` needs beyond torch, e3nn, ase, numpy, matscipy (from sevenn)
MACE_DEPS="torch-ema configargparse GitPython gitdb smmap h5py lmdb orjson prettytable wcwidth python-hostlist torchmetrics lightning-utilities"
PYTHON=${PYTHON:-python3}

quiet=0
if [[ "${1:-}" == "--env" ]]; then quiet=1; fi
log() { if [[ $quiet == 0 ]]; then echo "setup-mlip: $*" >&2; fi; }

if ! "$VENV/bin/python" -c "import torch, sevenn, ase, sys
sys.exit(0 if torch.__version__.split('+')[0] == '$TORCH_VERSION' and sevenn.__version__ == '$SEVENN_VERSION' else 1)" 2>/dev/null; then
    log "creating $VENV with torch==$TORCH_VERSION and sevenn==$SEVENN_VERSION (downloads several GB once)"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet "torch==$TORCH_VERSION" "sevenn==$SEVENN_VERSION" >&2
fi

if ! "$VENV/bin/python" -c "import mace, mace.calculators, sys
sys.exit(0 if mace.__version__ == '$MACE_VERSION' else 1)" >/dev/null 2>&1; then
    log "installing mace-torch==$MACE_VERSION (without touching torch)"
    "$VENV/bin/python" -m pip install --quiet --no-deps "mace-torch==$MACE_VERSION" $MACE_DEPS >&2
fi

if ! "$VENV/bin/python" -c "import nequip, sys
sys.exit(0 if nequip.__version__ == '$NEQUIP_VERSION' else 1)" >/dev/null 2>&1; then
    log "installing nequip==$NEQUIP_VERSION (without touching torch)"
    "$VENV/bin/python" -m pip install --quiet --no-deps "nequip==$NEQUIP_VERSION" torch-runstats==0.2.0 >&2
fi

for dtype in float64 float32; do
    # references written before per-atom energies were recorded are made again
    if [[ ! -s "$MODEL_DIR/mace_sio_$dtype.pt" || ! -s "$MODEL_DIR/mace_sio_${dtype}_reference.json" ]] \
        || ! grep -q '"energies"' "$MODEL_DIR/mace_sio_${dtype}_reference.json"; then
        log "building the random-weight MACE test model ($dtype) and its ASE references"
        mkdir -p "$MODEL_DIR"
        "$VENV/bin/python" tests/reference/mlip/mace_random_model.py "$MODEL_DIR" --dtype "$dtype" 2>&1 \
            | grep -v cuequivariance >&2 || true
        [[ -s "$MODEL_DIR/mace_sio_$dtype.pt" ]] || { echo "setup-mlip: MACE model ($dtype) not made" >&2; exit 1; }
    fi
    if [[ ! -s "$MODEL_DIR/nequip_sio_$dtype.pth" || ! -s "$MODEL_DIR/nequip_sio_${dtype}_reference.json" ]]; then
        log "deploying the random-weight NequIP test model ($dtype) and its ASE references"
        mkdir -p "$MODEL_DIR"
        "$VENV/bin/python" -W ignore tests/reference/mlip/nequip_random_model.py "$MODEL_DIR" --dtype "$dtype" 2>&1 \
            | grep -v '^INFO:root' >&2 || true
        [[ -s "$MODEL_DIR/nequip_sio_${dtype}_reference.json" ]] || { echo "setup-mlip: NequIP model ($dtype) not made" >&2; exit 1; }
    fi
done

# export_sevennet NAME FILE [ARGS...]: exports the pretrained SevenNet model NAME (shipped inside
# the sevenn package, so no network is needed) with `sevenn_get_model` (given ARGS too) to FILE,
# unless it exists.
export_sevennet() {
    local name=$1 file=$2
    shift 2
    [[ -s "$file" ]] && return 0
    log "exporting $name (pair_e3gnn TorchScript) to $file"
    mkdir -p "$MODEL_DIR"
    local tmp produced
    tmp=$(mktemp -d "$MODEL_DIR/export.XXXXXX")
    (cd "$tmp" && "$VENV/bin/sevenn_get_model" "$name" "$@" -o exported >&2)
    # sevenn_get_model names the file after -o; accept it with or without an extension
    produced=$(find "$tmp" -maxdepth 1 -type f -name 'exported*' | head -n 1)
    if [[ -z "$produced" ]]; then
        echo "setup-mlip: sevenn_get_model $name produced no file in $tmp" >&2
        exit 1
    fi
    mv "$produced" "$file"
    rm -rf "$tmp"
}
export_sevennet 7net-0 "$MODEL"
# the second member of the SevenNet committee test and benchmark (tests/committee_sevennet.rs)
export_sevennet 7net-l3i5 "$MODEL_L3I5"

# SevenNet-MF-0 (multi-fidelity, shipped inside sevenn 0.13.0: no download): with its modal as a
# run-time input (scripts/export-sevennet-heads.py, extra/modal_map) and, for comparison, as
# sevenn_get_model exports it with the modal fixed to PBE
if [[ ! -s "$MODEL_DIR/sevennet_mf0_heads.pt" ]]; then
    log "exporting SevenNet-MF-0 with run-time heads to $MODEL_DIR/sevennet_mf0_heads.pt"
    mkdir -p "$MODEL_DIR"
    "$VENV/bin/python" scripts/export-sevennet-heads.py 7net-mf-0 "$MODEL_DIR/sevennet_mf0_heads.pt" >&2
fi
export_sevennet 7net-mf-0 "$MODEL_DIR/sevennet_mf0_pbe.pt" --modal PBE

TORCH_LIB=$("$VENV/bin/python" -c "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
log "ready; use:"
cat <<ENV
export LIBTORCH_USE_PYTORCH=1
export PATH="$VENV/bin:\$PATH"
export LD_LIBRARY_PATH="$TORCH_LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export FERROMD_SEVENNET0="$MODEL"
export FERROMD_SEVENNET_L3I5="$MODEL_L3I5"
export FERROMD_MACE_DIR="$MODEL_DIR"
ENV

#!/usr/bin/env bash
# MACE MD speed: ferromd (TorchScript LAMMPS_MACE through tch, examples/mlip_bench.rs) beside
# ASE's VelocityVerlet with mace's MACECalculator (benches/mlip-mace-ase.py) on the same model
# (the random-weight O/Si MACE that scripts/setup-mlip.sh builds) and the same diamond Si
# structures of 64 and 512 atoms, 2 threads each, in the same run. For ferromd it also prints
# the model's forward+backward time per step and the share of the step spent outside it.
#
#   benches/mlip-mace.sh                         # CPU, float64 model
#   DTYPE=float32 benches/mlip-mace.sh           # the float32 export
#   FERROMD_DEVICE=cuda:0 benches/mlip-mace.sh   # the ferromd side on a GPU
#
# Steps per size: STEPS_64, STEPS_512 (defaults 10, 3), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup-mlip.sh --env)"
cargo build --release --quiet --features torch --example mlip_bench
threads=${THREADS:-2}
dtype=${DTYPE:-float64}
bench=target/release/examples/mlip_bench
model="$FERROMD_MACE_DIR/mace_sio_$dtype.pt"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# MACE (random weights, $dtype), device ${FERROMD_DEVICE:-cpu}, threads $threads"
for spec in "2 ${STEPS_64:-10}" "4 ${STEPS_512:-3}"; do
    set -- $spec
    "$bench" "$model" "$1" "$2" "$threads"
    python benches/mlip-mace-ase.py "$1" "$2" "$threads" "$dtype"
done

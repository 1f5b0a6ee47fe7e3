#!/usr/bin/env bash
# SevenNet-0 MD speed: ferromd (TorchScript through tch, examples/mlip_bench.rs) beside ASE's
# VelocityVerlet with SevenNetCalculator (benches/mlip-sevennet-ase.py), on diamond Si of
# 64, 512 and 4,096 atoms, 2 threads each, in the same run. For ferromd it also prints the
# model's forward+backward time per step and the share of the step spent outside it.
#
#   benches/mlip-sevennet.sh            # CPU
#   FERROMD_DEVICE=cuda:0 benches/mlip-sevennet.sh   # the ferromd side on a GPU
#
# Steps per size: STEPS_64, STEPS_512, STEPS_4096 (defaults 20, 5, 2), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup-mlip.sh --env)"
cargo build --release --quiet --features torch --example mlip_bench
threads=${THREADS:-2}
bench=target/release/examples/mlip_bench
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# device ${FERROMD_DEVICE:-cpu}, threads $threads"
for spec in "2 ${STEPS_64:-20}" "4 ${STEPS_512:-5}" "8 ${STEPS_4096:-2}"; do
    set -- $spec
    "$bench" "$FERROMD_SEVENNET0" "$1" "$2" "$threads"
    python benches/mlip-sevennet-ase.py "$1" "$2" "$threads"
done

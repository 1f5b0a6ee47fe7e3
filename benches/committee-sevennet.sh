#!/usr/bin/env bash
# What a committee of SevenNet-0 and SevenNet-l3i5 costs beyond evaluating both models
# (examples/committee_bench.rs): MD on diamond Si with each model alone and with the
# committee (mean forces, both members' energies and forces recorded at every step), back to
# back, fastest of ROUNDS rounds each. Issue 9 asks for an overhead below 5 %.
#
#   benches/committee-sevennet.sh
#
# Sizes: REPEATS (default "2 3": 64 and 216 atoms), STEPS (default 10), ROUNDS (default 3),
# THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup-mlip.sh --env)"
cargo build --release --quiet --features torch --example committee_bench
threads=${THREADS:-2}
echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for repeat in ${REPEATS:-2 3}; do
    target/release/examples/committee_bench "$FERROMD_SEVENNET0" "$FERROMD_SEVENNET_L3I5" \
        "$repeat" "${STEPS:-10}" "$threads" "${ROUNDS:-3}"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# GPU path vs CPU path on Lennard-Jones at in.lj's state (fcc at reduced density 0.8442,
# T* = 3.0, rc = 2.5, skin 0.3, nve, dt 0.005), one run per size and path, reporting
# atom-steps/s and the GPU/CPU ratio. Sizes: 32,000, 256,000 and 1,048,576... atoms as
# 20^3, 40^3, 64^3 fcc cells (4 atoms each); override with SIZES="20 40 64 100" (cells per
# edge). STEPS (default 200) steps per run, thermo only at the end. INTEGRATOR=nvt or
# INTEGRATOR=langevin (both at T* 3.0, damping 0.5) times the thermostats instead of nve.
#   benches/gpu-lj.sh                 # builds target/release/ferromd with --features gpu
#   FERROMD=path/to/ferromd STEPS=500 SIZES="20 40 64 80 100" benches/gpu-lj.sh
# The GPU is whatever wgpu picks (WGPU_ADAPTER_NAME selects one); without a GPU, Mesa's
# llvmpipe (apt-get install mesa-vulkan-drivers) is used and the numbers are CPU-bound.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-200}
SIZES=${SIZES:-"20 40 64"}
INTEGRATOR=${INTEGRATOR:-nve}
case "$INTEGRATOR" in
    nve) THERMOSTAT="" ;;
    nvt) THERMOSTAT=$'temperature = 3.0\ndamping = 0.5' ;;
    langevin) THERMOSTAT=$'temperature = 3.0\ndamping = 0.5\nseed = 4928459' ;;
    *) echo "INTEGRATOR must be nve, nvt or langevin" >&2; exit 1 ;;
esac
if [ -z "${FERROMD:-}" ]; then
    cargo build --release --quiet --features gpu --bin ferromd
    FERROMD=${CARGO_TARGET_DIR:-target}/release/ferromd
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

deck() { # deck CELLS BACKEND
    cat <<TOML
units = "lj"
backend = "$2"
[[species]]
name = "A"
mass = 1.0
[lattice]
kind = "fcc"
density = 0.8442
repeat = [$1, $1, $1]
species = "A"
[velocity]
temperature = 3.0
seed = 87287
[potential]
style = "lj/cut"
cutoff = 2.5
[[potential.coeff]]
species = ["A", "A"]
epsilon = 1.0
sigma = 1.0
[neighbor]
skin = 0.3
[integrator]
style = "$INTEGRATOR"
timestep = 0.005
$THERMOSTAT
[run]
steps = $STEPS
thermo = 0
TOML
}

rate_of() { awk '/atom-step\/s/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "atom-step/s") print $i }' | tail -n 1; }

echo "LJ (in.lj state), integrator $INTEGRATOR, $STEPS steps per run; CPU: $(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) threads"
printf '%-10s %16s %16s %8s\n' atoms "cpu atom-steps/s" "gpu atom-steps/s" gpu/cpu
for c in $SIZES; do
    atoms=$((4 * c * c * c))
    deck "$c" cpu > "$work/cpu.toml"
    deck "$c" gpu > "$work/gpu.toml"
    cpu=$("$FERROMD" run "$work/cpu.toml" --no-progress | rate_of)
    if gpu_out=$("$FERROMD" run "$work/gpu.toml" --no-progress 2>&1); then
        gpu=$(rate_of <<< "$gpu_out")
        adapter=$(awk -F'GPU backend: ' '/GPU backend:/ {split($2, a, ";"); print a[1]; exit}' <<< "$gpu_out")
        printf '%-10s %16s %16s %8s\n' "$atoms" "$cpu" "$gpu" "$(awk -v a="$cpu" -v b="$gpu" 'BEGIN { printf "%.2f", b / a }')"
    else
        printf '%-10s %16s %16s\n' "$atoms" "$cpu" "failed:"
        grep -v XDG_RUNTIME_DIR <<< "$gpu_out" | grep -i "error" | sed 's/^/    /'
    fi
done
echo "GPU adapter: ${adapter:-unknown}"

#!/usr/bin/env bash
# Runs every test of the workspace (unit, property, physics and deck tests) in release mode:
# the physics tests integrate thousands of atoms for thousands of steps.
# Then the ASE cross-check of extended XYZ (tests/python/test_extxyz_ase.py) when Python can
# import ASE: from python3 itself, or from a venv .venv-test/ that this script creates with
# `pip install ase` if needed (skipped, with a message, when that is impossible, e.g. offline;
# FERROMD_SKIP_ASE=1 skips it too).
# Then the TorchScript MLIP tests (cargo feature `torch`): scripts/setup-mlip.sh makes
# .venv-mlip/ (torch 2.13.0, sevenn 0.13.0) and exports SevenNet-0 to target/mlip/ once (network
# needed that first time only), and the tests that use libtorch run with its environment
# (LIBTORCH_USE_PYTORCH, LD_LIBRARY_PATH, FERROMD_SEVENNET0, FERROMD_MACE_DIR); mace-torch, nequip and
# the random-weight MACE and NequIP test models come from the same setup, as do the planted-defect models
# of tests/check_planted.rs (`ferromd check`). FERROMD_SKIP_TORCH=1 skips them.
# Then the wgpu GPU backend tests (cargo feature `gpu`) on whatever Vulkan adapter exists; when
# Mesa's Vulkan drivers are missing they are installed first (apt-get, as root), which gives the
# software device llvmpipe, so CI runs them without a GPU; FERROMD_SKIP_GPU=1 skips them.
# This is the test command named in README.md; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release "$@"

if [ "${FERROMD_SKIP_TORCH:-0}" = 1 ]; then
    echo "TorchScript MLIP tests skipped (FERROMD_SKIP_TORCH=1)"
else
    mlip_env=$(scripts/setup-mlip.sh --env)
    eval "$mlip_env"
    # the feature-gated tests only: the rest of the workspace does not change with the feature
    cargo test --release --features torch -p ferromd-potentials --lib mlip "$@"
    cargo test --release --features torch --test mlip_sevennet --test mlip_mace --test mlip_nequip --test mlip_decks \
        --test committee_sevennet --test mlip_hessian --test mlip_heads_charge \
        --test check_planted "$@"
    cargo build --release --quiet --features torch --example mlip_bench
fi

if [ "${FERROMD_SKIP_GPU:-0}" = 1 ]; then
    echo "GPU backend tests skipped (FERROMD_SKIP_GPU=1)"
else
    if ! dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing mesa-vulkan-drivers (software Vulkan device llvmpipe) for the GPU tests"
        apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null \
            || { apt-get update -qq >/dev/null && apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null; }
    fi
    cargo test --release --features gpu --test gpu_backend --test gpu_lammps_scripts "$@"
fi

ase_python() {
    if python3 -c "import ase" >/dev/null 2>&1; then
        echo python3
    elif [ -x .venv-test/bin/python ] && .venv-test/bin/python -c "import ase" >/dev/null 2>&1; then
        echo .venv-test/bin/python
    elif command -v python3 >/dev/null 2>&1 \
        && { [ -x .venv-test/bin/python ] || python3 -m venv .venv-test >/dev/null 2>&1; } \
        && timeout 300 .venv-test/bin/python -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 ase >/dev/null 2>&1 \
        && .venv-test/bin/python -c "import ase" >/dev/null 2>&1; then
        echo .venv-test/bin/python
    fi
}

if [ "${FERROMD_SKIP_ASE:-0}" = 1 ]; then
    echo "ASE cross-check skipped (FERROMD_SKIP_ASE=1)"
elif py=$(ase_python) && [ -n "$py" ]; then
    cargo build --release --quiet --example write_extxyz
    "$py" tests/python/test_extxyz_ase.py "${CARGO_TARGET_DIR:-target}/release/examples/write_extxyz"
else
    echo "ASE cross-check skipped: python3 with ase is not available and could not be installed"
fi

#!/usr/bin/env bash
# Runs every test of the workspace (unit, property, physics and deck tests) in release mode:
# the physics tests integrate thousands of atoms for thousands of steps.
# This is the test command named in README.md; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release "$@"

#!/usr/bin/env bash
# Regenerates the LAMMPS reference numbers committed beside this script.
# Needs `lmp` (Debian package `lammps`, 29 Sep 2021 in bookworm) on PATH.
# Usage: tests/reference/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")"
LMP=${LMP:-lmp}
"$LMP" -h 2>/dev/null | sed -n 2p || true

# in.lj at step 0: per-atom potential energy and virial pressure.
"$LMP" -in in.lj-step0 -log log.lj-step0 -screen none
awk '/^Step/{getline; print "step atoms pe press pxx pyy pzz pxy pxz pyz vol"; print; exit}' \
    log.lj-step0 > lj-step0.ref
rm -f log.lj-step0 log.lammps
cat lj-step0.ref

# A 1,000-step NVE trajectory (500 atoms, shifted LJ) from deterministic velocities.
"$LMP" -in in.lj-nve -log log.lj-nve -screen none
awk '/^ *Step/{on=1; print "step temp pe ke etotal press"; next} /^Loop/{on=0} on' \
    log.lj-nve > lj-nve.ref
rm -f log.lj-nve log.lammps
head -3 lj-nve.ref

#!/usr/bin/env bash
# Regenerates the LAMMPS reference logs (log.<deck>) and dumps beside this script with
# Debian's `lmp` (LAMMPS 29 Sep 2021 - Update 2 in bookworm). The tests in
# tests/lammps_scripts.rs compare ferromd's output to these files and never need LAMMPS.
# Usage: tests/reference/lammps/regenerate.sh [in.DECK ...]   (default: every deck)
set -euo pipefail
cd "$(dirname "$0")"
LMP=${LMP:-lmp}
export LAMMPS_POTENTIALS=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}
"$LMP" -h | sed -n 2p
# inputs some decks read
"$LMP" -in make-data.lmp -log none -screen none
decks=("$@")
[ ${#decks[@]} -eq 0 ] && decks=(in.*)
for deck in "${decks[@]}"; do
    name=${deck#in.}
    work=$(mktemp -d)
    cp "$deck" data.* "$work/" 2>/dev/null || cp "$deck" "$work/"
    # pair_style table files (analytic tables from ../table/make_tables.py, a LAMMPS one)
    cp ../table/*.table "$work/"
    (cd "$work" && OMP_NUM_THREADS=1 "$LMP" -in "$deck" -log "log.$name" -screen none)
    # keep the thermo blocks and run summaries; drop machine-specific timing lines
    grep -v -E '(CPU = [0-9.]+ seconds)|^(Loop time|Performance|[0-9.]+% CPU|Pair  |Neigh |Comm  |Output|Modify|Other |Nlocal|Nghost|Neighs|Ave |Histogram|Per MPI|  .*MPI processor|  using|Total wall)' \
        "$work/log.$name" > "log.$name"
    [ -e "$work/data.out" ] && cp "$work/data.out" "data.out.$name"
    for d in "$work"/dump.* "$work"/*.dat; do
        [ -e "$d" ] && cp "$d" "${d##*/}.$name"
    done
    rm -rf "$work"
    echo "log.$name"
done

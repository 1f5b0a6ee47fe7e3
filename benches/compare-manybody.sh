#!/usr/bin/env bash
# Times Tersoff and Stillinger-Weber on 8,000 Si atoms (diamond 5.431, 10^3 cells, 1000 K,
# 100 NVE steps of 1 fs) with ferromd on 1 and 2 threads and with LAMMPS serial, back to
# back in one run, and prints atom-steps/s and ratios. Each configuration runs REPEATS
# times (default 3); the best loop time counts.
#
#   benches/compare-manybody.sh
#   REPEATS=5 STEPS=500 benches/compare-manybody.sh
#   STYLES=sw benches/compare-manybody.sh
#
# ferromd runs inputs/si-tersoff-bench.toml and inputs/si-sw-bench.toml; LAMMPS runs the
# equivalent script (written to a temporary directory). Both read the potential files in
# tests/reference/manybody/potentials. Only the loop time ("Loop time of ...") is compared.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-100}
STYLES=${STYLES:-"tersoff sw"}
ATOMS=8000
POTENTIALS=$PWD/tests/reference/manybody/potentials
export FERROMD_POTENTIALS=$POTENTIALS

cargo build --release --quiet --bin ferromd
FERROMD=$PWD/target/release/ferromd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"

echo "workload: 8,000 Si atoms, 1000 K, $STEPS NVE steps, best of $REPEATS; $(nproc) cores: $(cpu_model)"
for style in $STYLES; do
    file=Si.$style
    sed -e "s/^steps = 100$/steps = $STEPS/" \
        -e "s|^file = .*|file = \"$POTENTIALS/$file\"|" \
        "inputs/si-$style-bench.toml" > "$work/si-$style-bench.toml"
    cat > "$work/in.$style" <<LMP
units		metal
atom_style	atomic
lattice		diamond 5.431
region		box block 0 10 0 10 0 10
create_box	1 box
create_atoms	1 box
mass		1 28.0855
pair_style	$style
pair_coeff	* * $POTENTIALS/$file Si
velocity	all create 1000.0 376847 loop geom
neighbor	1.0 bin
neigh_modify    every 1 delay 5 check yes
fix		1 all nve
timestep	0.001
thermo		50
run		$STEPS
LMP
    echo "== pair_style $style ($file)"
    f1=$(time_ferromd "$work/si-$style-bench.toml" 1)
    f2=$(time_ferromd "$work/si-$style-bench.toml" 2)
    report "ferromd, 1 thread" "$f1"
    report "ferromd, 2 threads" "$f2"
    if command -v lmp >/dev/null 2>&1; then
        l0=$(time_lammps "in.$style")
        report "LAMMPS serial" "$l0"
        echo "ratio ferromd 1 thread / LAMMPS serial:  $(ratio "$f1" "$l0")  (goal >= 1.0)"
        echo "ratio ferromd 2 threads / LAMMPS serial: $(ratio "$f2" "$l0")"
    else
        echo "lmp not on PATH: LAMMPS not timed (Debian: apt-get install lammps)"
    fi
done
